// SPDX-License-Identifier: MIT
#include "jsontext.h"

#include "jsonaccess.h"

#include <QRegularExpression>

#include <string>
#include <unordered_set>
#include <vector>

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

// Watches the parser's events for a key given twice in one object. nlohmann
// keeps the last copy silently while other readers keep the first, so a
// duplicate could show one reader a different document than another.
class DuplicateKeyFinder
{
public:
    bool operator()(int, nlohmann::json::parse_event_t event, nlohmann::json &parsed)
    {
        using Event = nlohmann::json::parse_event_t;
        switch (event) {
        case Event::object_start:
        case Event::array_start:
            nextElement();
            m_stack.push_back(Frame{event == Event::object_start, 0, {}, {}});
            break;
        case Event::object_end:
        case Event::array_end:
            if (!m_stack.empty())
                m_stack.pop_back();
            break;
        case Event::key: {
            Frame &frame = m_stack.back();
            frame.key = parsed.get<std::string>();
            if (!frame.keys.insert(frame.key).second && m_duplicate.isEmpty())
                m_duplicate = path();
            break;
        }
        case Event::value:
            nextElement();
            break;
        }
        return true;
    }

    // "$.a.b" of the first duplicate key, or empty.
    const QString &duplicate() const { return m_duplicate; }

private:
    struct Frame
    {
        bool object = false;
        std::size_t next = 0; // arrays: index of the next element
        std::string key;      // objects: the current key
        std::unordered_set<std::string> keys;
    };

    void nextElement()
    {
        if (!m_stack.empty() && !m_stack.back().object)
            ++m_stack.back().next;
    }

    QString path() const
    {
        QString out = QStringLiteral("$");
        for (const Frame &frame : m_stack) {
            if (frame.object)
                out = jsonMemberPath(out, frame.key);
            else
                out += u'[' + QString::number(frame.next - 1) + u']';
        }
        return out;
    }

    std::vector<Frame> m_stack;
    QString m_duplicate;
};

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
        DuplicateKeyFinder finder;
        nlohmann::json root = nlohmann::json::parse(data.begin(), data.end(), std::ref(finder));
        if (!finder.duplicate().isEmpty())
            return makeError(ErrorKind::Unreadable,
                             QStringLiteral("%1: %2: duplicate key (each key may appear once in "
                                            "an object)")
                                 .arg(fileName, finder.duplicate()));
        return root;
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
