// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>

namespace deskpack::runner {

// Splits a byte stream into newline-terminated lines. The partial last fragment
// is kept until its newline arrives. A line longer than the limit is not kept:
// its bytes are discarded as they arrive (so one runaway line cannot exhaust
// memory), and when its newline arrives it is reported as one overflowed line
// in stream order; the framer is then in sync again and the next line is
// whole, however the reads split it.
class LineFramer
{
public:
    // One line of the stream, or the report of one that was too long.
    struct Line
    {
        QByteArray bytes;        // without the '\n'; empty when overflowed
        QByteArray head;         // overflowed: the first bytes of the line, for messages
        qint64 droppedBytes = 0; // overflowed: the line's length (> the limit)
        bool overflowed() const { return droppedBytes > 0; }
    };

    static constexpr qsizetype DefaultMaxLineBytes = 64 * 1024 * 1024;
    static constexpr qsizetype HeadBytes = 256;

    explicit LineFramer(qsizetype maxLineBytes = DefaultMaxLineBytes);

    // Appends `bytes` and returns the lines they complete, in order, overflowed
    // ones included (a trailing '\r' is kept: the protocol is NDJSON, not CRLF).
    QList<Line> split(const QByteArray &bytes);
    // The same without the overflowed lines.
    QList<QByteArray> feed(const QByteArray &bytes);

    const QByteArray &pending() const { return m_pending; }
    // Whether the current, unfinished line is already over the limit.
    bool discarding() const { return m_discarding; }
    // Lines dropped since construction (statistics; never reset by a good line).
    int overflows() const { return m_overflows; }
    qsizetype maxLineBytes() const { return m_maxLineBytes; }
    // Forgets the unfinished line (the stream starts over, e.g. at EOF).
    void clear();

private:
    QByteArray m_pending;
    QByteArray m_head;
    qsizetype m_maxLineBytes;
    qint64 m_dropped = 0;
    bool m_discarding = false;
    int m_overflows = 0;
};

} // namespace deskpack::runner
