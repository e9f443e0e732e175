// SPDX-License-Identifier: MIT
#include "jsontext.h"

#include "jsonaccess.h"

#include <QRegularExpression>

#include <string>
#include <unordered_set>
#include <vector>

using namespace Qt::Literals::StringLiterals;

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
    return u"%1:%2:%3"_s.arg(fileName).arg(pos.line).arg(pos.column);
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

// Builds the document from nlohmann's SAX events, as json::parse does, but
// refuses a key given twice in one object: nlohmann keeps the last copy
// silently while other readers keep the first, so a duplicate could show one
// reader a different document than another. (The parser-callback variant of
// json::parse costs ten times more.) Errors are kept, never thrown: an
// overflowing number (1e400) is an out_of_range error, not a parse_error.
class DocumentBuilder
{
public:
    using json = nlohmann::json;

    explicit DocumentBuilder(json &root)
        : m_root(root)
    {
    }

    bool null() { return place(json(nullptr)); }
    bool boolean(bool value) { return place(json(value)); }
    bool number_integer(json::number_integer_t value) { return place(json(value)); }
    bool number_unsigned(json::number_unsigned_t value) { return place(json(value)); }
    bool number_float(json::number_float_t value, const json::string_t &)
    {
        return place(json(value));
    }
    bool string(json::string_t &value) { return place(json(std::move(value))); }
    bool binary(json::binary_t &value) { return place(json(std::move(value))); }

    bool start_object(std::size_t) { return open(json::value_t::object); }
    bool start_array(std::size_t) { return open(json::value_t::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(json::string_t &name)
    {
        auto &object = m_stack.back().value->get_ref<json::object_t &>();
        const auto [it, inserted] = object.try_emplace(std::move(name), nullptr);
        m_stack.back().key = &it->first;
        m_element = &it->second;
        if (!inserted) {
            m_duplicate = path();
            return false; // stop: the document is refused anyway
        }
        return true;
    }

    template <class Exception>
    bool parse_error(std::size_t position, const std::string &, const Exception &error)
    {
        m_errorOffset = position > 0 ? qsizetype(position) - 1 : 0;
        m_error = QString::fromUtf8(error.what());
        return false;
    }

    // "$.a.b" of the first duplicate key, or empty.
    const QString &duplicate() const { return m_duplicate; }
    const QString &error() const { return m_error; }
    qsizetype errorOffset() const { return m_errorOffset; }

private:
    struct Frame
    {
        json *value = nullptr;
        const std::string *key = nullptr; // objects: the member being read
    };

    bool place(json &&value)
    {
        insert(std::move(value));
        return true;
    }

    json *insert(json &&value)
    {
        if (m_stack.empty()) {
            m_root = std::move(value);
            return &m_root;
        }
        json &top = *m_stack.back().value;
        if (top.is_array()) {
            auto &array = top.get_ref<json::array_t &>();
            array.push_back(std::move(value));
            return &array.back();
        }
        *m_element = std::move(value);
        return m_element;
    }

    bool open(json::value_t type)
    {
        m_stack.push_back(Frame{insert(json(type)), nullptr});
        return true;
    }

    bool close()
    {
        m_stack.pop_back();
        return true;
    }

    QString path() const
    {
        QString out = u"$"_s;
        for (const Frame &frame : m_stack) {
            if (frame.value->is_object())
                out = jsonMemberPath(out, *frame.key);
            else
                out += u'[' + QString::number(frame.value->size() - 1) + u']';
        }
        return out;
    }

    json &m_root;
    std::vector<Frame> m_stack;
    json *m_element = nullptr;
    QString m_duplicate;
    QString m_error;
    qsizetype m_errorOffset = 0;
};

} // namespace

Result<nlohmann::json> parseJsonText(QByteArrayView data, const QString &fileName, int maxDepth)
{
    const qsizetype deep = excessiveNestingAt(data, maxDepth);
    if (deep >= 0) {
        return makeError(ErrorKind::Unreadable, u"%1: JSON nests deeper than %2 levels"_s
                                                    .arg(located(fileName, data, deep))
                                                    .arg(maxDepth));
    }
    nlohmann::json root;
    DocumentBuilder builder(root);
    if (nlohmann::json::sax_parse(data.begin(), data.end(), &builder))
        return root;
    if (!builder.duplicate().isEmpty())
        return makeError(ErrorKind::Unreadable,
                         u"%1: %2: duplicate key (each key may appear once in an "
                         "object)"_s.arg(fileName, builder.duplicate()));
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line L,
    // column C: detail"; keep the detail and report our own position.
    QString detail = builder.error();
    static const QRegularExpression prefix(
        u"^\\[json\\.exception\\.[a-z_]+\\.\\d+\\] (parse error( at line \\d+, "
        "column \\d+)?: )?"_s);
    detail.remove(prefix);
    return makeError(
        ErrorKind::Unreadable,
        u"%1: not valid JSON: %2"_s.arg(located(fileName, data, builder.errorOffset()), detail));
}

} // namespace deskpack
