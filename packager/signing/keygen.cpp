// SPDX-License-Identifier: MIT
// `keygen`: a new key pair, both files written whole or not at all.
#include "minisigntext.h"
#include "signing.h"

#include "base/fileio.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::signing {

namespace {

Result<void> refuseExisting(const QString &path)
{
    if (QFileInfo::exists(path) || QFileInfo(path).isSymLink())
        return makeError(ErrorKind::Usage,
                         u"%1 already exists; pass --force to overwrite it (a secret key that is "
                         "overwritten is gone for good)"_s.arg(path));
    return {};
}

Result<void> openAndWrite(QSaveFile &file, const QString &path, const QByteArray &data, bool secret)
{
    if (!file.open(QIODevice::WriteOnly))
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write: %2"_s.arg(path, file.errorString()));
    // The temporary file is private before the secret enters it.
    if (secret && !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return makeError(ErrorKind::Environment,
                         u"%1: cannot make it private: %2"_s.arg(path, file.errorString()));
    if (file.write(data) != data.size())
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write: %2"_s.arg(path, file.errorString()));
    return {};
}

} // namespace

Result<PublicKey> generateKeyFiles(const QString &publicKeyPath, const QString &secretKeyPath,
                                   const KeyGenOptions &options)
{
    if (QFileInfo(publicKeyPath).absoluteFilePath() == QFileInfo(secretKeyPath).absoluteFilePath())
        return makeError(ErrorKind::Usage,
                         u"the public and the secret key cannot both be %1"_s.arg(publicKeyPath));
    if (!options.force) {
        for (const QString &path : {secretKeyPath, publicKeyPath}) {
            if (Result<void> r = refuseExisting(path); !r)
                return r.error();
        }
    }
    const SecretKey key = SecretKey::generate();
    const PublicKey publicKey = key.publicKey();
    Result<QByteArray> secretText = secretKeyFileText(key, options.password, options.cost);
    if (!secretText)
        return secretText.error();

    QSaveFile secretFile(secretKeyPath), publicFile(publicKeyPath);
    Result<void> written = openAndWrite(secretFile, secretKeyPath, *secretText, true);
    wipe(*secretText);
    if (written)
        written = openAndWrite(publicFile, publicKeyPath, publicKey.fileText(), false);
    if (!written) {
        secretFile.cancelWriting();
        publicFile.cancelWriting();
        return written.error();
    }
    // The public key first: a failure between the two commits leaves a
    // public key without its secret, never a secret nobody knows the key of.
    const bool publicExisted = QFileInfo::exists(publicKeyPath);
    if (Result<void> r = commitSaveFile(publicFile, publicKeyPath); !r) {
        secretFile.cancelWriting();
        return r.error();
    }
    if (Result<void> r = commitSaveFile(secretFile, secretKeyPath); !r) {
        if (!publicExisted)
            QFile::remove(publicKeyPath);
        return r.error();
    }
    return publicKey;
}

} // namespace deskpack::signing
