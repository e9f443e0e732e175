"""The Deskpack demo backend: a stdlib HTTP server reporting what it sees."""
