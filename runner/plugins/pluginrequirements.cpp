// SPDX-License-Identifier: MIT
#include "pluginrequirements.h"

#include <QFile>
#include <QRegularExpression>
#include <QStringDecoder>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::plugins {

namespace {

Error refusal(const QString &file, int line, const QString &message)
{
    return makeError(ErrorKind::Usage, u"%1:%2: %3"_s.arg(file).arg(line).arg(message));
}

// What the refusal says for an option pip accepts in a requirements file.
QString optionMessage(const QString &option)
{
    if (option == u"-r" || option == u"--requirement" || option == u"-c" ||
        option == u"--constraint")
        return u"'%1' includes another file; list every requirement in this one"_s.arg(option);
    if (option == u"-e" || option == u"--editable")
        return u"editable installs ('%1') are not allowed in a plugin"_s.arg(option);
    if (option == u"-i" || option == u"--index-url" || option == u"--extra-index-url" ||
        option == u"-f" || option == u"--find-links" || option == u"--no-index" ||
        option == u"--trusted-host")
        return u"option '%1' is not allowed here: package sources are chosen by whoever installs "
               "the plugin (--find-links, --index-url on the command line)"_s.arg(option);
    return u"option '%1' is not allowed in a plugin requirements file; only plain requirements "
           "(name, extras, version specifiers, markers) and --hash are"_s.arg(option);
}

// The file's text, refused when it is too large, holds a NUL byte or is not UTF-8.
Result<QString> decodeRequirements(QByteArrayView data, const QString &fileName)
{
    if (data.size() > MaxRequirementsFileSize)
        return makeError(
            ErrorKind::Usage,
            u"%1: %2 bytes is too large for a requirements file (limit %3)"_s.arg(fileName)
                .arg(data.size())
                .arg(MaxRequirementsFileSize));
    if (data.contains('\0'))
        return makeError(ErrorKind::Usage,
                         u"%1: contains a NUL byte; not a requirements file"_s.arg(fileName));
    QStringDecoder decoder(QStringDecoder::Utf8);
    QString text = decoder(data);
    if (decoder.hasError())
        return makeError(ErrorKind::Usage, u"%1: is not valid UTF-8"_s.arg(fileName));
    return text;
}

// One logical line vetted: the requirement without comment and --hash
// options, empty for a blank or comment line, or the refusal.
Result<QString> vetEntry(QString entry, const QString &fileName, int logicalLine)
{
    static const QRegularExpression nameStart(u"^[A-Za-z0-9][A-Za-z0-9._-]*"_s);
    static const QRegularExpression hashOption(u"\\s--hash[= ]\\S+"_s);
    // pip's comment rule: "#" at the start or after whitespace.
    static const QRegularExpression comment(u"(^|\\s+)#.*$"_s);
    entry.remove(comment);
    entry = entry.trimmed();
    if (entry.isEmpty())
        return entry;
    if (entry.contains(u"${"_s))
        return refusal(fileName, logicalLine,
                       u"environment variables (${...}) are not expanded in plugin requirements"_s);
    if (entry.startsWith(u'-')) {
        const QString option = entry.section(QRegularExpression(u"[\\s=]"_s), 0, 0);
        return refusal(fileName, logicalLine, optionMessage(option));
    }
    entry.remove(hashOption);
    entry = entry.trimmed();
    static const QRegularExpression trailingOption(u"\\s(--?[A-Za-z][\\w-]*)"_s);
    const auto optionMatch = trailingOption.match(entry);
    if (optionMatch.hasMatch())
        return refusal(fileName, logicalLine, optionMessage(optionMatch.captured(1)));
    if (entry.contains(u"://"_s) || entry.contains(u'@'))
        return refusal(fileName, logicalLine,
                       u"'%1': URLs and direct references are not allowed; name the "
                       "distribution and let the sources provide it"_s.arg(entry));
    const QString beforeMarker = entry.section(u';', 0, 0);
    if (entry.startsWith(u'.') || entry.startsWith(u'~') || beforeMarker.contains(u'/') ||
        beforeMarker.contains(u'\\') ||
        QRegularExpression(u"\\.(whl|zip|tar\\.gz|tgz|tar\\.bz2)\\s*$"_s)
            .match(beforeMarker)
            .hasMatch())
        return refusal(fileName, logicalLine,
                       u"'%1': local paths and archives are not allowed; publish the "
                       "distribution and pass its directory with --find-links"_s.arg(entry));
    if (!nameStart.match(entry).hasMatch())
        return refusal(fileName, logicalLine,
                       u"'%1' is not a requirement (expected a distribution name, "
                       "e.g. 'requests>=2.31')"_s.arg(entry));
    return entry;
}

} // namespace

bool isValidPluginName(const QString &name)
{
    static const QRegularExpression re(u"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\\z"_s);
    return re.match(name).hasMatch();
}

Result<QList<RequirementLine>> parseRequirements(QByteArrayView data, const QString &fileName)
{
    Result<QString> text = decodeRequirements(data, fileName);
    if (!text)
        return text.error();
    QList<RequirementLine> out;
    const QStringList physical = text->split(u'\n');
    QString logical;
    int logicalLine = 0;
    for (int i = 0; i < physical.size(); ++i) {
        QString line = physical[i];
        if (line.endsWith(u'\r'))
            line.chop(1);
        if (line.size() > MaxRequirementLineLength)
            return refusal(fileName, i + 1,
                           u"line of %1 characters is too long (limit %2)"_s.arg(line.size())
                               .arg(MaxRequirementLineLength));
        if (logical.isEmpty())
            logicalLine = i + 1;
        if (line.endsWith(u'\\')) {
            logical += line.chopped(1);
            if (logical.size() > MaxRequirementLineLength)
                return refusal(fileName, logicalLine, u"continued line is too long"_s);
            continue;
        }
        logical += line;
        Result<QString> entry = vetEntry(logical, fileName, logicalLine);
        logical.clear();
        if (!entry)
            return entry.error();
        if (entry->isEmpty())
            continue;
        if (out.size() >= MaxRequirements)
            return refusal(fileName, logicalLine,
                           u"more than %1 requirements"_s.arg(MaxRequirements));
        out.append({*entry, fileName, logicalLine});
    }
    if (!logical.isEmpty())
        return refusal(fileName, logicalLine, u"the file ends inside a continued line"_s);
    if (out.isEmpty())
        return makeError(ErrorKind::Usage, u"%1: lists no requirements"_s.arg(fileName));
    return out;
}

Result<QList<RequirementLine>> readRequirementsFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    if (file.size() > MaxRequirementsFileSize)
        return makeError(ErrorKind::Usage,
                         u"%1: %2 bytes is too large for a requirements file (limit %3)"_s.arg(path)
                             .arg(file.size())
                             .arg(MaxRequirementsFileSize));
    return parseRequirements(file.read(MaxRequirementsFileSize + 1), path);
}

} // namespace deskpack::plugins
