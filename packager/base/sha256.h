// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>

namespace deskpack {

// Streamed SHA-256 over OpenSSL's libcrypto (linked statically), which uses
// the CPU's SHA instructions where there are some: 10-20x Qt's
// QCryptographicHash on this class of machine. Every hash of a bundle's files,
// payloads and deltas goes through it: verification is most of what an
// install, an update and `deskpack verify` spend.
class Sha256
{
public:
    Sha256();
    void addData(QByteArrayView data);
    // The 32-byte digest; the object is finished afterwards.
    QByteArray result();

    static QByteArray hash(QByteArrayView data);
    static QString hashHex(QByteArrayView data); // lower-case hex

private:
    // OpenSSL's SHA256_CTX (112 bytes), kept opaque so that including this
    // header does not include OpenSSL's; sha256.cpp checks the size.
    alignas(8) std::array<unsigned char, 128> m_context;
};

} // namespace deskpack
