// SPDX-License-Identifier: MIT
#include "jsontext.h"

#include <QRegularExpression>

namespace deskpack {

namespace {

struct TextPosition
{
    int line = 1;
    int column = 1;
};

TextPosition positionOf(QByteArrayView data, qsizetype offset)
{
    TextPosition pos;
    offset = std::min(offset, data.size());
    for (qsizetype i = 0; i < offset; ++i) {
        if (data[i] == '\n') {
            ++pos.line;
            pos.column = 1;
        } else if ((uchar(data[i]) & 0xC0) != 0x80) {
            ++pos.column;
        }
    }
    return pos;
}

QString located(const QString &fileName, QByteArrayView data, qsizetype offset)
{
    const TextPosition pos = positionOf(data, offset);
    return QStringLiteral("%1:%2:%3").arg(fileName).arg(pos.line).arg(pos.column);
}

// Finds the first place where brackets nest deeper than MaxJsonDepth, so a
// hostile file cannot exhaust the stack of anything that walks the tree later.
qsizetype excessiveNestingAt(QByteArrayView data, int maxDepth)
{
    int depth = 0;
    bool inString = false;
    for (qsizetype i = 0; i < data.size(); ++i) {
        const char c = data[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            break;
        case '[':
        case '{':
            if (++depth > maxDepth)
                return i;
            break;
        case ']':
        case '}':
            --depth;
            break;
        default:
            break;
        }
    }
    return -1;
}

} // namespace

Result<nlohmann::json> parseJsonText(QByteArrayView data, const QString &fileName, int maxDepth)
{
    const qsizetype deep = excessiveNestingAt(data, maxDepth);
    if (deep >= 0) {
        return makeError(ErrorKind::Unreadable,
                         QStringLiteral("%1: JSON nests deeper than %2 levels")
                             .arg(located(fileName, data, deep))
                             .arg(maxDepth));
    }
    try {
        return nlohmann::json::parse(data.begin(), data.end());
    } catch (const nlohmann::json::parse_error &e) {
        // nlohmann's text is "[json.exception.parse_error.101] parse error at line L,
        // column C: detail"; keep the detail and report our own position.
        QString detail = QString::fromUtf8(e.what());
        static const QRegularExpression prefix(
            QStringLiteral("^\\[json\\.exception\\.[a-z_]+\\.\\d+\\] parse error( at line \\d+, "
                           "column \\d+)?: "));
        detail.remove(prefix);
        const qsizetype offset = e.byte > 0 ? qsizetype(e.byte) - 1 : 0;
        return makeError(
            ErrorKind::Unreadable,
            QStringLiteral("%1: not valid JSON: %2").arg(located(fileName, data, offset), detail));
    }
}

} // namespace deskpack
