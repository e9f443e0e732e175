// SPDX-License-Identifier: MIT
#include "installerpackage.h"
#include "base/sha256.h"

#include "archive/archivewriter.h"
#include "base/filehash.h"
#include "base/fileio.h"
#include "base/parallel.h"
#include "formats/installerformat.h"
#include "runtime/elfaudit.h"
#include "runtime/runtimefiles.h"
#include "selfcontained.h"
#include "stagingtree.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QtEndian>

#include <optional>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::package {

QString installerTemplatePath(const QString &override)
{
    if (!override.isEmpty())
        return override;
    const QString fromEnvironment = qEnvironmentVariable("DESKPACK_INSTALLER_TEMPLATE");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    return QCoreApplication::applicationDirPath() + u"/deskpack-installer"_s;
}

QString installerStubPath(const QString &templateOverride)
{
    if (!templateOverride.isEmpty() || qEnvironmentVariableIsSet("DESKPACK_INSTALLER_TEMPLATE"))
        return {};
    const QString stub = QCoreApplication::applicationDirPath() + u"/deskpack-installer-stub"_s;
    return QFileInfo(stub).isExecutable() ? stub : QString();
}

namespace {

void putU32(QByteArray &out, quint32 value)
{
    char buffer[4];
    qToLittleEndian<quint32>(value, buffer);
    out.append(buffer, 4);
}

void putU64(QByteArray &out, quint64 value)
{
    char buffer[8];
    qToLittleEndian<quint64>(value, buffer);
    out.append(buffer, 8);
}

// The installer program with the Qt libraries and plugins it loads, and a
// qt.conf that points Qt at them: under <scratch>/runtime, which is returned.
Result<QString> stageInstallerRuntime(const QString &program, const QString &scratch,
                                      QStringList *libraries)
{
    const QString root = scratch + u"/runtime"_s;
    if (!QDir().mkpath(root))
        return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(root));
    const QString copy = root + u"/deskpack-installer"_s;
    if (Result<void> ok = copyStagingFile(program, copy); !ok)
        return ok.error();
    QFile::setPermissions(copy, QFile::permissions(copy) | QFile::ExeOwner | QFile::ExeGroup |
                                    QFile::ExeOther);
    QStringList plugins;
    if (Result<void> ok = copyQtPlugins(root, plugins); !ok)
        return ok.error();
    runtime::ElfNormalizeOptions normalize;
    normalize.missing = runtime::MissingLibraries::CopyFromHost;
    normalize.libraryDir = root + u"/lib"_s;
    Result<runtime::ElfNormalizeReport> report = runtime::normalizeElfTree(root, normalize);
    if (!report)
        return report.error();
    if (!report->hostMissing.isEmpty())
        return makeError(ErrorKind::Environment,
                         u"%1: cannot make the installer self-contained: %2"_s.arg(
                             program, report->hostMissing.join(u"; "_s)));
    if (libraries)
        *libraries = report->copiedLibraries;
    if (Result<void> ok = writeStagingFile(root + u"/qt.conf"_s,
                                           "[Paths]\nPrefix=.\nLibraries=lib\nPlugins=plugins\n");
        !ok)
        return ok.error();
    return root;
}

// Each file under `root` as its own zlib stream: compressed in parallel, laid
// out in name order (name, mode, size, compressed size, stream).
Result<QByteArray> packRuntimeFiles(const QString &root, qsizetype *count)
{
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(QDir(root).relativeFilePath(it.next()));
    std::sort(files.begin(), files.end());
    struct Packed
    {
        QByteArray data;
        qint64 size = 0;
        bool executable = false;
        std::optional<Error> failure;
    };
    std::vector<Packed> packed(std::size_t(files.size()));
    forEachInParallel(
        files.size(),
        [&](qsizetype i) {
            Packed &p = packed[std::size_t(i)];
            QFile f(root + u'/' + files[i]);
            if (!f.open(QIODevice::ReadOnly)) {
                p.failure = makeError(ErrorKind::Environment,
                                      u"%1: cannot read: %2"_s.arg(f.fileName(), f.errorString()));
                return;
            }
            const QByteArray data = f.readAll();
            p.size = data.size();
            p.data = qCompress(data).mid(4); // the zlib stream, no Qt size prefix
            p.executable = QFileInfo(f.fileName()).isExecutable();
        },
        1);
    QByteArray out;
    for (qsizetype i = 0; i < files.size(); ++i) {
        const Packed &p = packed[std::size_t(i)];
        if (p.failure)
            return *p.failure;
        const QByteArray utf8 = files[i].toUtf8();
        putU32(out, quint32(utf8.size()));
        out.append(utf8);
        putU32(out, p.executable ? 0755 : 0644);
        putU64(out, quint64(p.size));
        putU64(out, quint64(p.data.size()));
        out.append(p.data);
    }
    *count = files.size();
    return out;
}

} // namespace

Result<QByteArray> installerRuntimeSection(const QString &program, const QString &scratch,
                                           qint64 offset, QStringList *libraries)
{
    Result<QString> root = stageInstallerRuntime(program, scratch, libraries);
    if (!root)
        return root.error();
    qsizetype files = 0;
    Result<QByteArray> out = packRuntimeFiles(*root, &files);
    if (!out)
        return out.error();
    const qint64 size = out->size();
    out->append("DPKRT001", 8);
    putU64(*out, quint64(offset));
    putU64(*out, quint64(size));
    putU64(*out, quint64(files));
    return out;
}

QString findLicenceText(const QString &tree)
{
    for (const char *name : {"LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE", "COPYING"}) {
        QFile f(tree + u"/app/"_s + QLatin1StringView(name));
        if (QFileInfo(f.fileName()).isFile() && !QFileInfo(f.fileName()).isSymLink() &&
            f.open(QIODevice::ReadOnly))
            return QString::fromUtf8(f.read(1 << 20));
    }
    return {};
}

namespace {

// Streams `from` into `to`, hashing what was copied.
bool appendFile(QSaveFile &to, const QString &from, Sha256 *hash)
{
    QFile in(from);
    if (!in.open(QIODevice::ReadOnly))
        return false;
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = in.read(buffer.data(), buffer.size());
        if (n < 0)
            return false;
        if (n == 0)
            return true;
        if (hash)
            hash->addData(QByteArrayView(buffer.constData(), n));
        if (to.write(buffer.constData(), n) != n)
            return false;
    }
}

// The installer program the package starts with; an error when it is not built.
Result<QString> installerTemplate(const PackageOptions &options)
{
    const QString templatePath = installerTemplatePath(options.installerTemplate);
    const QFileInfo templateInfo(templatePath);
    if (!templateInfo.isFile() || !templateInfo.isExecutable())
        return makeError(
            ErrorKind::Environment,
            u"%1: the installer template is missing (build the deskpack-installer "
            "target; it ships beside deskpack, or set DESKPACK_INSTALLER_TEMPLATE)"_s.arg(
                templatePath));
    return templatePath;
}

Result<archive::WriteSummary> writePayload(const SelfContainedTree &tree, const QString &payload,
                                           const PackageOptions &options, qint64 mtime)
{
    archive::WriteOptions write;
    write.format = archive::ArchiveFormat::TarZst;
    write.mtime = mtime;
    // No top-level directory: the installer extracts it as versions/<version>.
    write.compressionLevel = options.compressionLevel;
    return writeTreeArchive(tree, payload, write);
}

formats::InstallerHeader installerHeader(const SelfContainedTree &tree,
                                         const formats::BundleManifest &manifest)
{
    formats::InstallerHeader header;
    header.id = manifest.id;
    header.name = manifest.name;
    header.version = manifest.version;
    header.launcher = manifest.launcher;
    header.licence = findLicenceText(tree.bundleDir);
    if (!manifest.icon.isEmpty()) {
        QFile icon(tree.bundleDir + u'/' + manifest.icon);
        if (icon.open(QIODevice::ReadOnly) && icon.size() <= (4 << 20)) {
            header.icon = icon.readAll();
            header.iconName = QFileInfo(manifest.icon).fileName();
        }
    }
    return header;
}

// What runs: the stub, then the installer program with its own Qt (runs
// without Qt installed), or else the template alone. Returns where the
// payload starts.
Result<qint64> writeInstallerHead(QSaveFile &out, const QString &templatePath,
                                  const PackageOptions &options, const QString &scratch,
                                  const QString &path)
{
    if (const QString stub = installerStubPath(options.installerTemplate); !stub.isEmpty()) {
        QStringList runtimeLibraries;
        Result<QByteArray> runtime = installerRuntimeSection(
            templatePath, scratch, QFileInfo(stub).size(), &runtimeLibraries);
        if (!runtime)
            return runtime.error();
        if (!appendFile(out, stub, nullptr) || out.write(*runtime) != runtime->size())
            return makeError(
                ErrorKind::Environment,
                u"%1: cannot write the installer's head: %2"_s.arg(path, out.errorString()));
        return QFileInfo(stub).size() + runtime->size();
    }
    if (!appendFile(out, templatePath, nullptr))
        return makeError(ErrorKind::Environment,
                         u"%1: cannot copy the installer template %2: %3"_s.arg(path, templatePath,
                                                                                out.errorString()));
    return QFileInfo(templatePath).size();
}

// The finished installer's hash and size, read back from disk.
Result<PackageResult> installerResult(const QString &path)
{
    QFile check(path);
    if (!check.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Environment, u"%1: cannot read back"_s.arg(path));
    Result<QString> sha = sha256OfDevice(check, path);
    if (!sha)
        return sha.error();
    PackageResult result;
    result.path = path;
    result.sha256 = *sha;
    result.size = check.size();
    return result;
}

} // namespace

Result<PackageResult> writeInstaller(const SelfContainedTree &tree,
                                     const formats::BundleManifest &manifest,
                                     const PackageOptions &options, qint64 mtime,
                                     const QString &path)
{
    Result<QString> templatePath = installerTemplate(options);
    if (!templatePath)
        return templatePath.error();
    QTemporaryDir scratch(QFileInfo(path).absolutePath() + u"/.deskpack-installer-XXXXXX"_s);
    if (!scratch.isValid())
        return makeError(ErrorKind::Environment, u"%1: cannot create a scratch directory: %2"_s.arg(
                                                     path, scratch.errorString()));
    const QString payload = scratch.filePath(u"payload.tar.zst"_s);
    Result<archive::WriteSummary> written = writePayload(tree, payload, options, mtime);
    if (!written)
        return written.error();
    const QByteArray headerBytes =
        formats::serializeInstallerHeader(installerHeader(tree, manifest));

    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write: %2"_s.arg(path, out.errorString()));
    Sha256 payloadHash;
    formats::InstallerTrailer trailer;
    Result<qint64> payloadOffset =
        writeInstallerHead(out, *templatePath, options, scratch.path(), path);
    if (!payloadOffset)
        return payloadOffset.error();
    trailer.payloadOffset = *payloadOffset;
    if (!appendFile(out, payload, &payloadHash))
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write the payload: %2"_s.arg(path, out.errorString()));
    trailer.payloadSize = written->archiveSize;
    trailer.headerOffset = trailer.payloadOffset + trailer.payloadSize;
    trailer.headerSize = headerBytes.size();
    trailer.payloadSha256 = payloadHash.result();
    trailer.headerSha256 = Sha256::hash(headerBytes);
    const QByteArray tail = headerBytes + formats::serializeInstallerTrailer(trailer);
    if (out.write(tail) != tail.size())
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write: %2"_s.arg(path, out.errorString()));
    if (Result<void> committed = commitSaveFile(out, path); !committed)
        return committed.error();
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                    QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther |
                                    QFile::ExeOther);

    Result<PackageResult> result = installerResult(path);
    if (!result)
        return result.error();
    result->entries = written->entries;
    result->mtime = mtime;
    result->launcher = !manifest.launcher.isEmpty();
    return result;
}

} // namespace deskpack::package
