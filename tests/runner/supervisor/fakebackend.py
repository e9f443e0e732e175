# SPDX-License-Identifier: MIT
"""Fake backends for tst_backendsupervisor, run through resources/launch_backend.py
from a minimal bundle: `fakebackend.py SCENARIO PORT [ARG]`.

serve            answer GET /status with 200 on PORT (ready)
never-ready      print a line and sleep; never listen
exit-now         print an error to stderr and exit 3 at once
crash-once S     serve; the first run (no DATA/crashed marker yet) exits 1 after S s
crash-always S   serve; exit 1 after S s, every run
crash-plugins S  like crash-always, but only while DESKPACK_PLUGIN_SITE_PACKAGES is set
ignore-term      ignore SIGTERM, serve
grandchild       start a grandchild that ignores SIGTERM (pid in DATA/grandchild.pid), serve
flood N          serve, then print N numbered lines as fast as possible, then "flood done"
bad-utf8         print invalid UTF-8, then serve
sleep            no port: sleep (heartbeat readiness comes from launch_backend.py)
heartbeat-self   no port: write $DESKPACK_HEARTBEAT_FILE itself after 0.3 s, then sleep
kill-self SIG    serve; once ready, print a line and kill itself with signal SIG (a name)
"""
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DATA = os.environ["DESKPACK_DATA_DIR"]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


def serve(port, crash_after=None):
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"fakebackend: serving on {port}", flush=True)
    if crash_after is not None:
        def crash():
            time.sleep(crash_after)
            print("fakebackend: crashing now", flush=True)
            os._exit(1)
        threading.Thread(target=crash, daemon=True).start()
    server.serve_forever()


def main():
    scenario, port = sys.argv[1], int(sys.argv[2])
    extra = sys.argv[3] if len(sys.argv) > 3 else None
    if scenario == "serve":
        serve(port)
    elif scenario == "never-ready":
        print("fakebackend: warming up forever", flush=True)
        time.sleep(3600)
    elif scenario == "exit-now":
        sys.stderr.write("fakebackend: fatal: config.yaml is missing\n")
        sys.exit(3)
    elif scenario == "crash-once":
        marker = os.path.join(DATA, "crashed")
        if os.path.exists(marker):
            serve(port)
        open(marker, "w").close()
        serve(port, float(extra))
    elif scenario == "crash-always":
        serve(port, float(extra))
    elif scenario == "crash-plugins":
        serve(port, float(extra) if os.environ.get("DESKPACK_PLUGIN_SITE_PACKAGES") else None)
    elif scenario == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        serve(port)
    elif scenario == "grandchild":
        child = subprocess.Popen([sys.executable, "-c",
                                  "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                                  "time.sleep(3600)"])
        with open(os.path.join(DATA, "grandchild.pid"), "w") as f:
            f.write(str(child.pid))
        serve(port)
    elif scenario == "flood":
        def flood():
            time.sleep(0.2)
            out = sys.stdout
            for i in range(int(extra)):
                out.write(f"flood line {i:07d} " + "x" * 80 + "\n")
            out.write("flood done\n")
            out.flush()
        threading.Thread(target=flood, daemon=True).start()
        serve(port)
    elif scenario == "bad-utf8":
        sys.stdout.buffer.write(b"caf\xe9 \xff\xfe half \xe2\x82 ok\n")
        sys.stdout.buffer.flush()
        serve(port)
    elif scenario == "sleep":
        time.sleep(3600)
    elif scenario == "heartbeat-self":
        time.sleep(0.3)
        with open(os.environ["DESKPACK_HEARTBEAT_FILE"], "w") as f:
            f.write("self")
        time.sleep(3600)
    elif scenario == "kill-self":
        def die():
            time.sleep(0.3)
            print("fakebackend: dying by " + extra, flush=True)
            os.kill(os.getpid(), getattr(signal, extra))
        threading.Thread(target=die, daemon=True).start()
        serve(port)
    else:
        sys.exit(f"fakebackend: unknown scenario {scenario}")


if __name__ == "__main__":
    main()
