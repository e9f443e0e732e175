// SPDX-License-Identifier: MIT
#include "packagecommands.h"

#include "commandline.h"
#include "formats/bundlemanifest.h"
#include "package/package.h"
#include "package/releasefiles.h"
#include "passwordinput.h"
#include "sbom/sbom.h"
#include "signing/signing.h"

#include <QFileInfo>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::cli {

namespace {

const QCommandLineOption formatOption(u"format"_s, u"zip, tar.gz, tar.zst, deb or installer."_s,
                                      u"FORMAT"_s);
const QCommandLineOption
    outOption(u"out"_s, u"Write the package into DIR (default: beside the bundle)."_s, u"DIR"_s);
const QCommandLineOption levelOption(u"compression-level"_s,
                                     u"Compression level (default: the format's)."_s, u"N"_s);
const QCommandLineOption
    maintainerOption(u"maintainer"_s, u"deb Maintainer (default: bundle.json \"maintainer\")."_s,
                     u"NAME <EMAIL>"_s);
const QCommandLineOption
    descriptionOption(u"description"_s,
                      u"deb long description (default: bundle.json \"description\")."_s, u"TEXT"_s);
const QCommandLineOption dependsOption(
    u"depends"_s,
    u"deb Depends, comma-separated, instead of asking dpkg which packages own the system "
    "libraries the bundle loads."_s,
    u"LIST"_s);
const QCommandLineOption signOption(
    u"sign"_s,
    u"Sign the package, its SBOMs and SHA256SUMS with this minisign secret key (password from "
    "DESKPACK_KEY_PASSWORD or the terminal): FILE.minisig beside each."_s,
    u"KEY.sec"_s);
const QCommandLineOption jsonOption = jsonReportOption();

// Fills `options` from the parsed command line. Returns -1 (go on), or the
// exit code of the usage error it printed.
int readPackageOptions(const QCommandLineParser &parser, const QString &command,
                       package::PackageOptions &options)
{
    if (parser.positionalArguments().size() != 1)
        return usageError(command, u"expected exactly one BUNDLE directory"_s);
    if (!parser.isSet(formatOption))
        return usageError(command,
                          u"--format is required (zip, tar.gz, tar.zst, deb, installer)"_s);
    const std::optional<package::PackageFormat> parsed =
        package::parsePackageFormat(parser.value(formatOption));
    if (!parsed) {
        return usageError(command, u"--format %1: unknown format (zip, tar.gz, tar.zst, deb, "
                                   "installer)"_s.arg(parser.value(formatOption)));
    }
    options.bundleDir = parser.positionalArguments().constFirst();
    options.format = *parsed;
    options.outDir = parser.value(outOption);
    options.maintainer = parser.value(maintainerOption);
    options.description = parser.value(descriptionOption);
    if (parser.isSet(levelOption)) {
        bool ok = false;
        options.compressionLevel = parser.value(levelOption).toInt(&ok);
        if (!ok || options.compressionLevel < 0 || options.compressionLevel > 22)
            return usageError(command, u"--compression-level %1: expected 0..22"_s.arg(
                                           parser.value(levelOption)));
    }
    if (parser.isSet(dependsOption)) {
        QStringList list;
        for (const QString &d : parser.value(dependsOption).split(u','))
            if (!d.trimmed().isEmpty())
                list.append(d.trimmed());
        options.depends = list;
    }
    return -1;
}

// What was written beside the package: SBOMs, signatures, SHA256SUMS.
struct ReleaseReport
{
    QStringList files;
    QString keyId; // empty when unsigned
};

void printPackageReport(const package::PackageResult &r, package::PackageFormat format,
                        const ReleaseReport &release, bool asJson)
{
    for (const QString &w : std::as_const(r.warnings))
        printErr(u"deskpack: warning: %1\n"_s.arg(w));
    if (asJson) {
        printJson(
            {{"package", r.path.toStdString()},
             {"format", package::packageFormatName(format).toStdString()},
             {"sha256", r.sha256.toStdString()},
             {"size", r.size},
             {"entries", r.entries},
             {"mtime", r.mtime},
             {"launcher", r.launcher},
             {"rootExecutables", jsonStrings(r.rootExecutables)},
             {"bundledLibraries", jsonStrings(r.bundledLibraries)},
             {"bundledPlugins", jsonStrings(r.bundledPlugins)},
             {"depends", jsonStrings(r.depends)},
             {"releaseFiles", jsonStrings(release.files)},
             {"signedBy", release.keyId.isEmpty() ? nlohmann::json(nullptr)
                                                  : nlohmann::json(release.keyId.toStdString())}});
    } else {
        printOut(r.path + u'\n');
    }
    printErr(u"deskpack: %1 (%2, %3 entries, sha256 %4)\n"_s.arg(
        QFileInfo(r.path).fileName(), megabytes(r.size), QString::number(r.entries),
        r.sha256.left(16)));
    for (const QString &file : release.files)
        printErr(u"deskpack: %1\n"_s.arg(QFileInfo(file).fileName()));
    if (!release.keyId.isEmpty())
        printErr(u"deskpack: signed with key %1\n"_s.arg(release.keyId));
}

// The secret key is opened before anything is packaged, so a wrong password
// leaves nothing behind.
Result<std::optional<signing::SecretKey>> openSigningKey(const QCommandLineParser &parser)
{
    if (!parser.isSet(signOption))
        return std::optional<signing::SecretKey>();
    const QString path = parser.value(signOption);
    Result<signing::SecretKey> key =
        signing::readSecretKeyFile(path, [path] { return readKeyPassword(path, false); });
    if (!key)
        return key.error();
    return std::optional<signing::SecretKey>(std::move(*key));
}

// The key a bundle declares is the one its installed copies trust: signing
// with another would ship packages their own updates refuse.
Result<void> checkDeclaredKey(const QString &bundleDir, const signing::SecretKey &key,
                              const QString &keyPath, QStringList &warnings)
{
    Result<formats::BundleManifest> manifest = formats::readManifest(bundleDir);
    if (!manifest)
        return manifest.error();
    const signing::PublicKey ours = key.publicKey();
    if (manifest->signingPublicKey.isEmpty()) {
        warnings.append(u"%1/bundle.json declares no signing.publicKey: installed copies cannot "
                        "check signed updates (add \"signing\": {\"publicKey\": \"%2\"} to "
                        "deskpack.json)"_s.arg(bundleDir, ours.toBase64()));
        return {};
    }
    if (manifest->signingPublicKey == ours.toBase64())
        return {};
    Result<signing::PublicKey> declared = signing::parsePublicKey(
        manifest->signingPublicKey, bundleDir + u"/bundle.json: signing.publicKey"_s);
    return makeError(ErrorKind::Usage,
                     u"--sign %1: key %2 is not the key %3/bundle.json declares (%4); sign with "
                     "that key or rebuild the bundle with this one"_s.arg(
                         keyPath, ours.keyIdHex(), bundleDir,
                         declared ? declared->keyIdHex() : manifest->signingPublicKey));
}

} // namespace

int runPackageCommand(const QStringList &arguments)
{
    const QString command = u"deskpack package"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Verifies BUNDLE and packages it reproducibly: the same bundle gives the same bytes "
        "(docs/release-engineering.md). zip and tar formats carry the shared libraries and Qt "
        "plugins of the executables at the bundle root; deb installs to /opt/<app-id>."_s);
    parser.addOptions({formatOption, outOption, levelOption, maintainerOption, descriptionOption,
                       dependsOption, signOption, jsonOption});
    parser.addPositionalArgument(u"BUNDLE"_s, u"The bundle directory (from deskpack build)."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    package::PackageOptions options;
    if (const int code = readPackageOptions(parser, command, options); code >= 0)
        return code;

    Result<std::optional<signing::SecretKey>> key = openSigningKey(parser);
    if (!key)
        return fail(key.error());
    QStringList keyWarnings;
    if (*key) {
        if (Result<void> ok =
                checkDeclaredKey(options.bundleDir, **key, parser.value(signOption), keyWarnings);
            !ok)
            return fail(ok.error());
    }

    Result<package::PackageResult> r = package::packageBundle(options);
    if (!r)
        return fail(r.error());
    ReleaseReport release;
    const signing::SecretKey *signer = *key ? &**key : nullptr;
    // The SBOMs describe the bundle packaged, dated like its entries.
    const QFileInfo packageFile(r->path);
    Result<QStringList> sboms =
        sbom::writeSboms(options.bundleDir, packageFile.absolutePath(), packageFile.fileName(),
                         sbom::SbomOptions{r->mtime});
    if (!sboms)
        return fail(sboms.error());
    Result<QStringList> written =
        package::writeReleaseFiles(QStringList{r->path} + *sboms, signer, {{r->path, r->sha256}});
    if (!written)
        return fail(written.error());
    release.files = *sboms + *written;
    r->warnings += keyWarnings;
    if (signer)
        release.keyId = signer->publicKey().keyIdHex();
    printPackageReport(*r, options.format, release, parser.isSet(jsonOption));
    return ExitOk;
}

} // namespace deskpack::cli
