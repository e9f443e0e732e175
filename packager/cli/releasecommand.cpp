// SPDX-License-Identifier: MIT
#include "releasecommand.h"

#include "base/fileio.h"
#include "commandline.h"
#include "passwordinput.h"
#include "release/release.h"
#include "signing/signing.h"

#include <QDir>
#include <QFileInfo>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::cli {

namespace {

const QCommandLineOption
    feedOption(u"feed"_s, u"The feed directory (created when missing) to publish to."_s, u"DIR"_s);
const QCommandLineOption
    channelOption(u"channel"_s, u"The channel: channels/NAME.json in the feed."_s, u"NAME"_s);
const QCommandLineOption secretKeyOption(
    QStringList{u"s"_s, u"secret-key"_s},
    u"The app's minisign secret key (password from DESKPACK_KEY_PASSWORD or the terminal); "
    "its public key must be the bundle's signing.publicKey."_s,
    u"KEY.sec"_s);
const QCommandLineOption keepOption(u"keep"_s,
                                    u"Deltas from the last N versions of the channel; packages "
                                    "of older versions than the last N + 1 are removed "
                                    "(default 3)."_s,
                                    u"N"_s, u"3"_s);
const QCommandLineOption notesOption(u"notes"_s, u"Release notes (UTF-8 text, at most 64 KiB)."_s,
                                     u"FILE"_s);
const QCommandLineOption expiresOption(u"expires-in"_s,
                                       u"Days until clients refuse the channel file as frozen "
                                       "(default 30): release again before then."_s,
                                       u"DAYS"_s, u"30"_s);
const QCommandLineOption rotateOption(
    u"rotate-from"_s,
    u"Key rotation: the public key that signed the channel so far; with --endorsement."_s,
    u"OLD.pub"_s);
const QCommandLineOption endorsementOption(
    u"endorsement"_s,
    u"Key rotation: the previous key's .minisig over this key's RW... line and a newline."_s,
    u"FILE.minisig"_s);
const QCommandLineOption jsonOption = jsonReportOption();

int readReleaseOptions(const QCommandLineParser &parser, const QString &command,
                       release::ReleaseOptions &options)
{
    if (parser.positionalArguments().size() != 1)
        return usageError(command, u"expected exactly one BUNDLE directory"_s);
    for (const QCommandLineOption &required : {feedOption, channelOption, secretKeyOption}) {
        if (!parser.isSet(required))
            return usageError(command, u"--%1 is required"_s.arg(required.names().constLast()));
    }
    options.bundleDir = QDir::cleanPath(parser.positionalArguments().constFirst());
    options.feedDir = parser.value(feedOption);
    options.channel = parser.value(channelOption);
    options.keyPath = parser.value(secretKeyOption);
    bool ok = false;
    options.keep = parser.value(keepOption).toInt(&ok);
    if (!ok || options.keep < 0 || options.keep > 50)
        return usageError(command, u"--keep %1: expected 0..50"_s.arg(parser.value(keepOption)));
    options.expiresInDays = parser.value(expiresOption).toInt(&ok);
    if (!ok || options.expiresInDays < 1 || options.expiresInDays > 3650)
        return usageError(
            command, u"--expires-in %1: expected 1..3650 days"_s.arg(parser.value(expiresOption)));
    if (parser.isSet(rotateOption) != parser.isSet(endorsementOption))
        return usageError(command, u"--rotate-from and --endorsement go together"_s);
    return -1;
}

// --rotate-from OLD.pub --endorsement FILE: read here, checked by publishRelease.
Result<void> readRotation(const QCommandLineParser &parser, release::ReleaseOptions &options)
{
    if (!parser.isSet(rotateOption))
        return {};
    Result<QByteArray> previous =
        readInputFile(parser.value(rotateOption), 64 * 1024, u"public key"_s);
    if (!previous)
        return previous.error();
    options.previousPublicKey = QString::fromUtf8(*previous).trimmed();
    Result<QByteArray> endorsement = signing::readSignatureFile(parser.value(endorsementOption));
    if (!endorsement)
        return endorsement.error();
    options.endorsement = *endorsement;
    return {};
}

json fileJson(const feed::FeedFile &file, const QString &feedDir)
{
    return json{{"path", QDir(feedDir).filePath(file.path).toStdString()},
                {"size", file.size},
                {"sha256", file.sha256.toStdString()}};
}

void printReleaseReport(const release::ReleaseResult &r, const QString &feedDir, bool asJson)
{
    for (const QString &w : r.warnings)
        printErr(u"deskpack: warning: %1\n"_s.arg(w));
    const feed::ChannelFeed &c = r.channel;
    if (asJson) {
        json deltas = json::array();
        for (const feed::FeedDelta &d : c.deltas) {
            json entry = fileJson(d.file, feedDir);
            entry["from"] = d.fromVersion.toStdString();
            deltas.push_back(entry);
        }
        printJson({{"appId", c.appId.toStdString()},
                   {"channel", c.channel.toStdString()},
                   {"version", c.version.toStdString()},
                   {"package", fileJson(c.package, feedDir)},
                   {"packageRoot", c.packageRoot.toStdString()},
                   {"deltas", deltas},
                   {"channelFile", r.channelFile.toStdString()},
                   {"signatureFile", r.signatureFile.toStdString()},
                   {"issued", c.issued},
                   {"expires", c.expires},
                   {"removed", jsonStrings(r.removed)},
                   {"signedBy", r.keyIdHex.toStdString()}});
    } else {
        printOut(r.channelFile + u'\n');
    }
    printErr(u"deskpack: %1 %2 on channel %3: %4 (%5)\n"_s.arg(
        c.appId, c.version, c.channel, c.package.path, megabytes(c.package.size)));
    for (const feed::FeedDelta &d : c.deltas)
        printErr(u"deskpack: delta from %1: %2 (%3 bytes)\n"_s.arg(d.fromVersion, d.file.path)
                     .arg(d.file.size));
    for (const QString &gone : r.removed)
        printErr(u"deskpack: removed %1\n"_s.arg(gone));
    printErr(u"deskpack: signed with key %1; expires %2\n"_s.arg(
        r.keyIdHex, QDateTime::fromSecsSinceEpoch(c.expires, Qt::UTC).toString(Qt::ISODate)));
}

} // namespace

int runReleaseCommand(const QStringList &arguments)
{
    const QString command = u"deskpack release"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Publishes BUNDLE to the update feed DIR: packages/ (the tar.zst of deskpack package), "
        "deltas/ from the channel's last versions, and channels/NAME.json with its .minisig, "
        "written last. Serve DIR from any static web server or CDN "
        "(docs/release-engineering.md, \"Updates\")."_s);
    parser.addOptions({feedOption, channelOption, secretKeyOption, keepOption, notesOption,
                       expiresOption, rotateOption, endorsementOption, jsonOption});
    parser.addPositionalArgument(u"BUNDLE"_s, u"The bundle directory (from deskpack build)."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    release::ReleaseOptions options;
    if (const int code = readReleaseOptions(parser, command, options); code >= 0)
        return code;
    if (parser.isSet(notesOption)) {
        Result<QByteArray> notes =
            readInputFile(parser.value(notesOption), 64 * 1024, u"release notes file"_s);
        if (!notes)
            return fail(notes.error());
        options.notes = QString::fromUtf8(*notes);
    }
    if (Result<void> ok = readRotation(parser, options); !ok)
        return fail(ok.error());
    // The key first: a wrong password leaves the feed as it was.
    Result<signing::SecretKey> key = signing::readSecretKeyFile(
        options.keyPath, [&] { return readKeyPassword(options.keyPath, false); });
    if (!key)
        return fail(key.error());
    options.key = &*key;
    Result<release::ReleaseResult> r = release::publishRelease(options);
    if (!r)
        return fail(r.error());
    printReleaseReport(*r, QFileInfo(options.feedDir).absoluteFilePath(), parser.isSet(jsonOption));
    return ExitOk;
}

} // namespace deskpack::cli
