// SPDX-License-Identifier: MIT
#include "bundlecheck.h"
#include "base/fileio.h"
#include "base/sha256.h"

#include "base/parallel.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <sys/stat.h>
#include <unistd.h>

#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

Result<QString> locateBundle(const QString &requested, const QString &executableDir)
{
    const QString dir =
        QFileInfo(requested.isEmpty() ? executableDir : requested).absoluteFilePath();
    const QString manifest =
        QDir(dir).filePath(QLatin1StringView(formats::BundleManifest::FileName));
    if (!QFileInfo(manifest).isFile()) {
        return makeError(
            ErrorKind::Environment,
            requested.isEmpty()
                ? u"%1: missing; this launcher must sit in its bundle's root (or pass --bundle DIR)"_s
                      .arg(manifest)
                : u"%1: missing (--bundle must name a bundle directory)"_s.arg(manifest));
    }
    return QDir::cleanPath(dir);
}

QString IntegrityReport::summary() const
{
    if (!ok())
        return problems.constFirst();
    return full ? u"%1 files verified (SHA-256)"_s.arg(files)
                : u"%1 files checked (sizes and modes)"_s.arg(files);
}

IntegrityReport quickIntegrityCheck(const formats::BundleManifest &manifest,
                                    const QString &bundleDir)
{
    IntegrityReport report;
    report.files = qsizetype(manifest.files.size());
    const QByteArray root = QFile::encodeName(QDir(bundleDir).absolutePath()) + '/';
    std::vector<QString> found(manifest.files.size());
    // lstat() only: thousands of calls, spread over the cores like hashing is.
    forEachInParallel(
        qsizetype(manifest.files.size()),
        [&](qsizetype i) {
            const formats::BundleFile &want = manifest.files[size_t(i)];
            const QByteArray path = root + QFile::encodeName(want.path);
            struct stat st;
            if (::lstat(path.constData(), &st) != 0) {
                found[size_t(i)] = u"missing"_s;
                return;
            }
            if (!want.linkTarget.isEmpty()) {
                if (!S_ISLNK(st.st_mode)) {
                    found[size_t(i)] = u"a file, expected a link to %1"_s.arg(want.linkTarget);
                    return;
                }
                char target[4096];
                const ssize_t n = ::readlink(path.constData(), target, sizeof target);
                const QString have =
                    n < 0 ? QString() : QFile::decodeName(QByteArray(target, int(n)));
                if (have != want.linkTarget)
                    found[size_t(i)] = u"links to %1, expected %2"_s.arg(have, want.linkTarget);
                return;
            }
            if (!S_ISREG(st.st_mode)) {
                found[size_t(i)] = u"not a regular file"_s;
                return;
            }
            if (qint64(st.st_size) != want.size) {
                found[size_t(i)] =
                    u"%1 bytes, expected %2 (truncated or replaced)"_s.arg(qint64(st.st_size))
                        .arg(want.size);
                return;
            }
            if (want.executable && !(st.st_mode & S_IXUSR))
                found[size_t(i)] = u"not executable any more"_s;
        },
        256);
    for (size_t i = 0; i < found.size(); ++i) {
        if (!found[i].isEmpty())
            report.problems.append(QDir(bundleDir).filePath(manifest.files[i].path) + u": "_s +
                                   found[i]);
    }
    return report;
}

Result<IntegrityReport> fullIntegrityCheck(const formats::BundleManifest &manifest,
                                           const QString &bundleDir)
{
    Result<formats::VerifyReport> verified = formats::verifyBundleFiles(manifest, bundleDir);
    if (!verified)
        return verified.error();
    IntegrityReport report;
    report.full = true;
    report.files = qsizetype(manifest.files.size());
    const QDir root(bundleDir);
    for (const QString &path : verified->missing)
        report.problems.append(root.filePath(path) + u": missing"_s);
    for (const QString &change : verified->changed)
        report.problems.append(root.filePath(change));
    // A link out of the bundle or a device node is tampering, never harmless.
    for (const QString &unsafe : verified->unsafe)
        report.problems.append(root.filePath(unsafe));
    // Files and directories the manifest does not list do not break the app
    // (a __pycache__ written by the interpreter, say): reported, not fatal.
    for (const QString &path : verified->extra)
        report.warnings.append(root.filePath(path) + u": not listed in bundle.json"_s);
    return report;
}

namespace {

QString stampPath(const QString &bundleDir, const QString &stampDir)
{
    const QByteArray key =
        Sha256::hash(QFile::encodeName(QDir(bundleDir).absolutePath())).toHex().left(24);
    return QDir(stampDir).filePath(QString::fromLatin1(key) + u".verified"_s);
}

QByteArray manifestDigest(const QString &bundleDir)
{
    QFile f(QDir(bundleDir).filePath(QLatin1StringView(formats::BundleManifest::FileName)));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return Sha256::hash(f.readAll()).toHex();
}

} // namespace

bool fullCheckDue(const QString &bundleDir, const QString &stampDir)
{
    QFile f(stampPath(bundleDir, stampDir));
    if (!f.open(QIODevice::ReadOnly))
        return true;
    return f.readAll().trimmed() != manifestDigest(bundleDir);
}

void recordFullCheck(const QString &bundleDir, const QString &stampDir)
{
    QDir().mkpath(stampDir);
    // Best effort: without the stamp the next start verifies in full again.
    (void)writeFileAtomically(stampPath(bundleDir, stampDir), manifestDigest(bundleDir) + '\n');
}

QString defaultStampDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation))
        .filePath(u"deskpack/verified"_s);
}

} // namespace deskpack::launcher
