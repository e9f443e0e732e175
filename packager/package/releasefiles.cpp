// SPDX-License-Identifier: MIT
#include "releasefiles.h"

#include "base/filehash.h"
#include "base/fileio.h"
#include "signing/signing.h"

#include <QDir>
#include <QFileInfo>
#include <QMap>
#include <QRegularExpression>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::package {

namespace {

Result<QString> signBeside(const QString &path, const signing::SecretKey &key)
{
    const QFileInfo info(path);
    Result<QByteArray> signature =
        signing::signFile(path, key, signing::defaultTrustedComment(info.fileName(), info.size()));
    if (!signature)
        return signature.error();
    const QString target = path + u".minisig"_s;
    if (Result<void> written = writeFileAtomically(target, *signature); !written)
        return written.error();
    return target;
}

} // namespace

Result<QList<QPair<QString, QString>>> readChecksums(const QString &path)
{
    QList<QPair<QString, QString>> lines;
    if (!QFileInfo::exists(path))
        return lines;
    Result<QByteArray> data = readInputFile(path, 16 << 20, u"checksum list"_s);
    if (!data)
        return data.error();
    static const QRegularExpression line(u"^([0-9a-f]{64}) [ *]([^/\\n]+)\\z"_s);
    const QList<QByteArray> rows = data->split('\n');
    for (qsizetype i = 0; i < rows.size(); ++i) {
        if (rows[i].isEmpty() && i == rows.size() - 1)
            break;
        const QRegularExpressionMatch m = line.match(QString::fromUtf8(rows[i]));
        if (!m.hasMatch())
            return makeError(ErrorKind::Unreadable,
                             u"%1:%2: not a sha256sum line (\"<sha256>  <file name>\"); move the "
                             "file away or fix it"_s.arg(path)
                                 .arg(i + 1));
        lines.append({m.captured(1), m.captured(2)});
    }
    return lines;
}

Result<QStringList> writeReleaseFiles(const QStringList &files, const signing::SecretKey *key,
                                      const QHash<QString, QString> &knownSha256)
{
    if (files.isEmpty())
        return QStringList();
    const QDir dir = QFileInfo(files.constFirst()).absoluteDir();
    const QString sumsPath = dir.filePath(QLatin1StringView(ChecksumsFileName));
    Result<QList<QPair<QString, QString>>> existing = readChecksums(sumsPath);
    if (!existing)
        return existing.error();
    QMap<QString, QString> sums; // name -> hash, sorted by name
    for (const auto &[hash, name] : std::as_const(*existing))
        if (QFileInfo::exists(dir.filePath(name)))
            sums.insert(name, hash);
    QStringList written;
    for (const QString &file : files) {
        Result<QString> hash = knownSha256.contains(file) ? Result<QString>(knownSha256.value(file))
                                                          : sha256OfFile(file);
        if (!hash)
            return hash.error();
        sums.insert(QFileInfo(file).fileName(), *hash);
        if (key) {
            Result<QString> signature = signBeside(file, *key);
            if (!signature)
                return signature.error();
            written.append(*signature);
        }
    }
    QByteArray text;
    for (auto it = sums.cbegin(); it != sums.cend(); ++it)
        text += it.value().toLatin1() + "  " + it.key().toUtf8() + '\n';
    if (Result<void> ok = writeFileAtomically(sumsPath, text); !ok)
        return ok.error();
    written.append(sumsPath);
    if (key) {
        Result<QString> signature = signBeside(sumsPath, *key);
        if (!signature)
            return signature.error();
        written.append(*signature);
    }
    return written;
}

} // namespace deskpack::package
