// SPDX-License-Identifier: MIT
#include "sha256.h"

// The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP,
// whose provider machinery would pull most of libcrypto into every program
// that links this statically; the low-level ones use the same SHA-NI code.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstring>

namespace deskpack {

namespace {

SHA256_CTX *contextOf(std::array<unsigned char, 128> &storage)
{
    static_assert(sizeof(SHA256_CTX) <= sizeof(storage));
    return reinterpret_cast<SHA256_CTX *>(storage.data());
}

} // namespace

Sha256::Sha256()
{
    SHA256_Init(contextOf(m_context));
}

void Sha256::addData(QByteArrayView data)
{
    SHA256_Update(contextOf(m_context), data.data(), std::size_t(data.size()));
}

QByteArray Sha256::result()
{
    QByteArray digest(SHA256_DIGEST_LENGTH, Qt::Uninitialized);
    SHA256_Final(reinterpret_cast<unsigned char *>(digest.data()), contextOf(m_context));
    return digest;
}

QByteArray Sha256::hash(QByteArrayView data)
{
    Sha256 sha;
    sha.addData(data);
    return sha.result();
}

QString Sha256::hashHex(QByteArrayView data)
{
    return QString::fromLatin1(hash(data).toHex());
}

} // namespace deskpack
