// SPDX-License-Identifier: MIT
#include "distmetadata.h"

#include <QSet>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::lock {

namespace {

QByteArrayView nextLine(QByteArrayView data, qsizetype &pos)
{
    const qsizetype start = pos;
    qsizetype end = data.indexOf('\n', start);
    if (end < 0)
        end = data.size();
    pos = end + 1;
    QByteArrayView line = data.sliced(start, end - start);
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

bool isBlank(QByteArrayView line)
{
    for (char c : line) {
        if (c != ' ' && c != '\t')
            return false;
    }
    return true;
}

} // namespace

MetadataHeaders parseMetadataHeaders(QByteArrayView data)
{
    MetadataHeaders headers;
    MetadataField *current = nullptr; // the field a continuation line extends
    qsizetype pos = data.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    for (qsizetype number = 1; pos < data.size(); ++number) {
        const QByteArrayView line = nextLine(data, pos);
        if (line.isEmpty() || isBlank(line))
            break; // the body (long description) starts here
        if (line.front() == ' ' || line.front() == '\t') {
            if (current)
                current->continued.append(QString::fromUtf8(line));
            continue;
        }
        current = nullptr;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            headers.malformed.append(
                u"line %1: expected \"Field: value\", got \"%2\""_s.arg(number).arg(
                    QString::fromUtf8(line).left(80)));
            continue;
        }
        QByteArrayView value = line.sliced(colon + 1);
        while (!value.isEmpty() && (value.front() == ' ' || value.front() == '\t'))
            value = value.sliced(1);
        MetadataField field;
        field.name = QString::fromUtf8(line.first(colon).trimmed());
        field.value = QString::fromUtf8(value);
        field.wellFormed = !line.first(colon).contains(' ');
        field.line = number;
        if (!field.wellFormed)
            headers.malformed.append(
                u"line %1: expected \"Field: value\", got \"%2\""_s.arg(number).arg(
                    QString::fromUtf8(line).left(80)));
        headers.fields.append(field);
        current = &headers.fields.last();
    }
    return headers;
}

CoreMetadata parseCoreMetadata(QByteArrayView data)
{
    CoreMetadata meta;
    bool haveName = false;
    bool haveVersion = false;
    for (const MetadataField &field : parseMetadataHeaders(data).fields) {
        const auto folded = [&field]() -> QString {
            return QString(field.value + field.continued.join(QString())).trimmed();
        };
        if (!haveName && field.name.compare(u"Name", Qt::CaseInsensitive) == 0) {
            haveName = true;
            meta.name = folded();
        } else if (!haveVersion && field.name.compare(u"Version", Qt::CaseInsensitive) == 0) {
            haveVersion = true;
            meta.version = folded();
        }
    }
    return meta;
}

QStringList parseTopLevel(QByteArrayView data)
{
    QStringList out;
    qsizetype pos = 0;
    while (pos < data.size()) {
        const QString line = QString::fromUtf8(nextLine(data, pos)).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        out.append(line);
    }
    return out;
}

QStringList recordPaths(QByteArrayView data)
{
    QStringList out;
    qsizetype pos = 0;
    while (pos < data.size()) {
        const QByteArrayView line = nextLine(data, pos);
        if (line.isEmpty())
            continue;
        QByteArray field;
        if (line.front() == '"') {
            // Quoted field: "" is a literal quote; the field ends at a lone quote.
            for (qsizetype i = 1; i < line.size(); ++i) {
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field.append('"');
                        ++i;
                        continue;
                    }
                    break;
                }
                field.append(line[i]);
            }
        } else {
            const qsizetype comma = line.indexOf(',');
            field = (comma < 0 ? line : line.first(comma)).toByteArray();
        }
        if (!field.isEmpty())
            out.append(QString::fromUtf8(field));
    }
    return out;
}

bool isIdentifier(QStringView name)
{
    if (name.isEmpty())
        return false;
    const QChar first = name.front();
    if (!(first.isLetter() || first == u'_'))
        return false;
    for (QChar c : name) {
        if (!(c.isLetterOrNumber() || c == u'_' || c.category() == QChar::Mark_NonSpacing ||
              c.category() == QChar::Mark_SpacingCombining))
            return false;
    }
    return true;
}

bool isTopLevelModuleName(QStringView name)
{
    if (name.isEmpty())
        return false;
    for (QChar c : name) {
        if (c == u'.' || c == u'/' || c == u'\\' || c.isSpace())
            return false;
    }
    return true;
}

namespace {

// The ABI tag of an extension module's name, "foo.<tag>.so": CPython's
// (cpython-311-x86_64-linux-gnu, cpython-312-darwin, abi3), Windows'
// (cp311-win_amd64), PyPy's and GraalPy's. Any interpreter version is accepted:
// the lock is written without running the runtime's interpreter.
bool isAbiTag(QStringView tag)
{
    if (tag.contains(u'.'))
        return false;
    return tag == u"abi3" || tag.startsWith(u"cpython-") || tag.startsWith(u"cp3") ||
           tag.startsWith(u"pypy") || tag.startsWith(u"graalpy");
}

} // namespace

QString moduleNameOfFile(QStringView fileName)
{
    // importlib.machinery.all_suffixes(): SOURCE_SUFFIXES (.py; .pyw on Windows),
    // BYTECODE_SUFFIXES (.pyc, loaded sourceless) and EXTENSION_SUFFIXES
    // (.cpython-3XY-<platform>.so, .abi3.so, .so; .cp3XY-<platform>.pyd, .pyd).
    static const QStringView sourceSuffixes[] = {u".py", u".pyc", u".pyw"};
    static const QStringView extensionSuffixes[] = {u".so", u".pyd"};
    for (QStringView suffix : sourceSuffixes) {
        if (fileName.endsWith(suffix)) {
            const QStringView stem = fileName.chopped(suffix.size());
            // "foo.bar.py" would be module "foo.bar", a submodule of "foo".
            return isTopLevelModuleName(stem) ? stem.toString() : QString();
        }
    }
    for (QStringView suffix : extensionSuffixes) {
        if (!fileName.endsWith(suffix))
            continue;
        QStringView stem = fileName.chopped(suffix.size());
        const qsizetype dot = stem.indexOf(u'.');
        if (dot >= 0) {
            if (!isAbiTag(stem.sliced(dot + 1)))
                return {};
            stem = stem.first(dot);
        }
        return isTopLevelModuleName(stem) ? stem.toString() : QString();
    }
    return {};
}

QStringList modulesFromInstalledPaths(const QStringList &paths)
{
    // Called for every RECORD line of every distribution: views, no splitting.
    QSet<QString> modules;
    bool binIsPackage = false;
    bool binSeen = false;
    QString normalized;
    for (const QString &raw : paths) {
        QStringView path(raw);
        if (path.contains(u'\\')) {
            normalized = raw;
            normalized.replace(u'\\', u'/');
            path = normalized;
        }
        while (path.startsWith(u"./"))
            path = path.sliced(2);
        if (path.isEmpty() || path.startsWith(u'/') ||
            (path.size() > 1 && path.at(1) == u':')) // absolute, also C:/ on Windows
            continue;
        if (path == u".." || path.startsWith(u"../") || path.endsWith(u"/..") ||
            path.contains(u"/../"))
            continue;
        const qsizetype firstSlash = path.indexOf(u'/');
        if (firstSlash < 0) {
            const QString module = moduleNameOfFile(path);
            if (!module.isEmpty())
                modules.insert(module);
            continue;
        }
        const QStringView first = path.first(firstSlash);
        const QStringView last = path.sliced(path.lastIndexOf(u'/') + 1);
        if (last.isEmpty() || first.endsWith(u".dist-info") || first.endsWith(u".egg-info") ||
            first.endsWith(u".data") || first == u"__pycache__" || !isTopLevelModuleName(first))
            continue;
        // Only files Python can import make a directory a (namespace) package;
        // a directory of data files is not a module.
        if (moduleNameOfFile(last).isEmpty())
            continue;
        if (first == u"bin") {
            binSeen = true;
            binIsPackage = binIsPackage || path == u"bin/__init__.py";
            continue;
        }
        modules.insert(first.toString());
    }
    if (binSeen && binIsPackage)
        modules.insert(u"bin"_s);
    return QStringList(modules.begin(), modules.end());
}

QStringList installedFilesPaths(QByteArrayView data)
{
    QStringList out;
    for (const QString &line : parseTopLevel(data)) {
        QString path = line;
        path.replace(u'\\', u'/');
        // Entries are relative to the .egg-info directory: "../foo/__init__.py" is
        // site-packages/foo/__init__.py; entries without "../" are inside the egg-info.
        if (!path.startsWith(QLatin1StringView("../")))
            continue;
        out.append(path.mid(3));
    }
    return out;
}

} // namespace deskpack::lock
