// SPDX-License-Identifier: MIT
#include "signcommands.h"

#include "base/fileio.h"
#include "commandline.h"
#include "passwordinput.h"
#include "signing/signing.h"

#include <QFileInfo>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::cli {

namespace {

const QCommandLineOption publicKeyFileOption(QStringList{u"p"_s, u"public-key"_s},
                                             u"The public key file (minisign format)."_s,
                                             u"KEY.pub"_s);
const QCommandLineOption publicKeyOption(QStringList{u"P"_s, u"public-key-string"_s},
                                         u"The public key itself, the \"RW...\" line."_s,
                                         u"PUBKEY"_s);
const QCommandLineOption secretKeyOption(QStringList{u"s"_s, u"secret-key"_s},
                                         u"The secret key file (minisign format)."_s, u"KEY.sec"_s);
const QCommandLineOption jsonOption = jsonReportOption();

// Nothing to branch on: a null std::optional-like JSON value for absent strings.
json optionalString(const QString &s, bool present)
{
    return present ? json(s.toStdString()) : json(nullptr);
}

std::function<Result<QByteArray>()> passwordFor(const QString &keyPath)
{
    return [keyPath] {
        return readKeyPassword(keyPath, false);
    };
}

} // namespace

namespace {

// Test suites only: minisign's scrypt cost (1 GiB, seconds) per key would
// dominate them; the cost is stored in the key, so readers still agree.
signing::KdfCost keyCost()
{
    if (qEnvironmentVariable("DESKPACK_TEST_SCRYPT_COST") != u"interactive")
        return signing::KdfCost::sensitive();
    printErr(u"deskpack keygen: warning: DESKPACK_TEST_SCRYPT_COST=interactive: the secret key "
             "is encrypted with a cheap scrypt cost, for tests only; unset it for a release "
             "key\n"_s);
    return signing::KdfCost::interactive();
}

} // namespace

int runKeygenCommand(const QStringList &arguments)
{
    const QString command = u"deskpack keygen"_s;
    const QCommandLineOption unencryptedOption(
        QStringList{u"W"_s, u"unencrypted"_s},
        u"Do not encrypt the secret key (else a password from DESKPACK_KEY_PASSWORD or the "
        "terminal encrypts it with scrypt)."_s);
    const QCommandLineOption forceOption(QStringList{u"f"_s, u"force"_s},
                                         u"Overwrite existing key files."_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Generates a minisign key pair: KEY.pub to publish, KEY.sec to keep secret."_s);
    parser.addOptions(
        {publicKeyFileOption, secretKeyOption, unencryptedOption, forceOption, jsonOption});
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (!parser.isSet(publicKeyFileOption) || !parser.isSet(secretKeyOption))
        return usageError(command, u"-p KEY.pub and -s KEY.sec are both required"_s);
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            command, u"unexpected argument '%1'"_s.arg(parser.positionalArguments().constFirst()));
    const QString pubPath = parser.value(publicKeyFileOption);
    const QString secPath = parser.value(secretKeyOption);
    signing::KeyGenOptions options;
    options.force = parser.isSet(forceOption);
    options.cost = keyCost();
    const bool encrypted = !parser.isSet(unencryptedOption);
    if (encrypted) {
        Result<QByteArray> password =
            readKeyPassword(secPath, true, u", or pass -W for an unencrypted key"_s);
        if (!password)
            return fail(password.error());
        options.password = *password;
        signing::wipe(*password);
    }
    Result<signing::PublicKey> key = signing::generateKeyFiles(pubPath, secPath, options);
    signing::wipe(options.password);
    if (!key)
        return fail(key.error());
    if (parser.isSet(jsonOption)) {
        printJson({{"keyId", key->keyIdHex().toStdString()},
                   {"publicKey", key->toBase64().toStdString()},
                   {"publicKeyFile", pubPath.toStdString()},
                   {"secretKeyFile", secPath.toStdString()},
                   {"encrypted", encrypted}});
    } else {
        printOut(u"Key id: %1\nPublic key: %2\n"_s.arg(key->keyIdHex(), key->toBase64()));
    }
    printErr(
        u"deskpack: wrote %1 (publish it) and %2 (%3; keep it secret)\n"
        "deskpack: verify with: minisign -Vm FILE -P %4\n"_s.arg(
            pubPath, secPath, encrypted ? u"encrypted"_s : u"not encrypted"_s, key->toBase64()));
    return ExitOk;
}

namespace {

// Every FILE is checked before the key is read and anything is written.
Result<void> checkSignInputs(const QStringList &files)
{
    for (const QString &file : files) {
        const QFileInfo info(file);
        if (!info.exists())
            return makeError(ErrorKind::Unreadable, u"%1: no such file"_s.arg(file));
        if (!info.isFile())
            return makeError(ErrorKind::Unreadable, u"%1: not a regular file"_s.arg(file));
        if (!info.isReadable())
            return makeError(ErrorKind::Unreadable, u"%1: cannot read it"_s.arg(file));
    }
    return {};
}

Result<QString> signOne(const QString &file, const signing::SecretKey &key,
                        const QCommandLineParser &parser, const QCommandLineOption &trusted,
                        const QCommandLineOption &untrusted)
{
    const QFileInfo info(file);
    const QString comment = parser.isSet(trusted)
                                ? parser.value(trusted)
                                : signing::defaultTrustedComment(info.fileName(), info.size());
    Result<QByteArray> text = signing::signFile(file, key, comment, parser.value(untrusted));
    if (!text)
        return makeError(text.error().kind, u"%1: %2"_s.arg(file, text.error().message));
    const QString signaturePath = file + u".minisig"_s;
    if (Result<void> r = writeFileAtomically(signaturePath, *text); !r)
        return r.error();
    return signaturePath;
}

} // namespace

int runSignCommand(const QStringList &arguments)
{
    const QString command = u"deskpack sign"_s;
    const QCommandLineOption trustedOption(
        QStringList{u"t"_s, u"trusted-comment"_s},
        u"Trusted (signed) comment (default: timestamp:T<TAB>file:NAME<TAB>size:BYTES, T from "
        "SOURCE_DATE_EPOCH when set)."_s,
        u"TEXT"_s);
    const QCommandLineOption untrustedOption(QStringList{u"c"_s, u"untrusted-comment"_s},
                                             u"Untrusted comment."_s, u"TEXT"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Signs each FILE with a minisign secret key, writing FILE.minisig (checked by "
        "`minisign -Vm FILE -P RW...`). An encrypted key's password comes from "
        "DESKPACK_KEY_PASSWORD or the terminal."_s);
    parser.addOptions({secretKeyOption, trustedOption, untrustedOption, jsonOption});
    parser.addPositionalArgument(u"FILE"_s, u"Files to sign."_s, u"FILE..."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    const QStringList files = parser.positionalArguments();
    if (files.isEmpty())
        return usageError(command, u"expected at least one FILE to sign"_s);
    if (!parser.isSet(secretKeyOption))
        return usageError(command, u"-s KEY.sec is required"_s);
    if (Result<void> r = checkSignInputs(files); !r)
        return fail(r.error());
    const QString secPath = parser.value(secretKeyOption);
    Result<signing::SecretKey> key = signing::readSecretKeyFile(secPath, passwordFor(secPath));
    if (!key)
        return fail(key.error());
    json report = json::array();
    for (const QString &file : files) {
        Result<QString> written = signOne(file, *key, parser, trustedOption, untrustedOption);
        if (!written)
            return fail(written.error());
        report.push_back({{"file", file.toStdString()},
                          {"signature", written->toStdString()},
                          {"keyId", key->publicKey().keyIdHex().toStdString()}});
        if (!parser.isSet(jsonOption))
            printOut(*written + u'\n');
    }
    if (parser.isSet(jsonOption))
        printJson({{"signed", report}});
    printErr(u"deskpack: signed %1 with key %2\n"_s.arg(
        files.size() == 1 ? files.constFirst() : u"%1 files"_s.arg(files.size()),
        key->publicKey().keyIdHex()));
    return ExitOk;
}

namespace {

Result<signing::PublicKey> publicKeyFrom(const QCommandLineParser &parser)
{
    if (parser.isSet(publicKeyFileOption) == parser.isSet(publicKeyOption))
        return makeError(ErrorKind::Usage, u"give the public key once: -p KEY.pub or -P RW..."_s);
    if (parser.isSet(publicKeyOption))
        return signing::parsePublicKey(parser.value(publicKeyOption), u"-P"_s);
    return signing::readPublicKeyFile(parser.value(publicKeyFileOption));
}

Result<signing::SignatureInfo> verifyInputs(const QCommandLineParser &parser, const QString &file,
                                            const QString &signaturePath)
{
    Result<signing::PublicKey> key = publicKeyFrom(parser);
    if (!key)
        return key.error();
    const QFileInfo info(file);
    if (!info.exists())
        return makeError(ErrorKind::Unreadable, u"%1: no such file"_s.arg(file));
    Result<QByteArray> text = signing::readSignatureFile(signaturePath);
    if (!text)
        return text.error();
    return signing::verifyFileSignature(file, *text, *key, signaturePath);
}

} // namespace

int runVerifySignatureCommand(const QStringList &arguments)
{
    const QString command = u"deskpack verify-signature"_s;
    const QCommandLineOption signatureOption(QStringList{u"x"_s, u"signature"_s},
                                             u"The signature file (default: FILE.minisig)."_s,
                                             u"SIGFILE"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Checks FILE against its minisign signature and a public key. Exit 0: verified; 1: "
        "the signature does not verify (wrong file, other key, malformed); 2: unreadable input."_s);
    parser.addOptions({publicKeyFileOption, publicKeyOption, signatureOption, jsonOption});
    parser.addPositionalArgument(u"FILE"_s, u"The signed file."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, u"expected exactly one FILE"_s);
    const QString file = parser.positionalArguments().constFirst();
    const QString signaturePath =
        parser.isSet(signatureOption) ? parser.value(signatureOption) : file + u".minisig"_s;
    const Result<signing::SignatureInfo> info = verifyInputs(parser, file, signaturePath);
    if (parser.isSet(jsonOption)) {
        printJson(
            {{"ok", info.ok()},
             {"file", file.toStdString()},
             {"signature", signaturePath.toStdString()},
             {"keyId", optionalString(info ? info->keyIdHex : QString(), info.ok())},
             {"trustedComment", optionalString(info ? info->trustedComment : QString(), info.ok())},
             {"legacy", info ? json(info->legacy) : json(nullptr)},
             {"error", optionalString(info ? QString() : info.error().message, !info)}});
    }
    if (!info)
        return fail(info.error());
    if (!parser.isSet(jsonOption))
        printOut(u"%1: signature verified, signed by key %2\nTrusted comment: %3\n"_s.arg(
            file, info->keyIdHex, info->trustedComment));
    if (info->legacy)
        printErr(
            u"deskpack: note: %1 is a legacy (non-prehashed) signature\n"_s.arg(signaturePath));
    return ExitOk;
}

} // namespace deskpack::cli
