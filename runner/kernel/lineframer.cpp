// SPDX-License-Identifier: MIT
#include "lineframer.h"

namespace deskpack::runner {

LineFramer::LineFramer(qsizetype maxLineBytes)
    : m_maxLineBytes(qMax<qsizetype>(1, maxLineBytes))
{
}

QList<LineFramer::Line> LineFramer::split(const QByteArray &bytes)
{
    QList<Line> lines;
    qsizetype from = 0;
    while (from < bytes.size()) {
        const qsizetype newline = bytes.indexOf('\n', from);
        const qsizetype end = newline < 0 ? bytes.size() : newline;
        const qsizetype length = end - from;
        if (!m_discarding && m_pending.size() + length > m_maxLineBytes) {
            m_discarding = true;
            ++m_overflows;
            m_head = m_pending.left(HeadBytes);
            if (m_head.size() < HeadBytes)
                m_head.append(bytes.constData() + from, qMin(length, HeadBytes - m_head.size()));
            m_dropped = m_pending.size();
            m_pending = QByteArray();
        }
        if (m_discarding)
            m_dropped += length;
        else
            m_pending.append(bytes.constData() + from, length);
        if (newline < 0)
            break;
        Line line;
        if (m_discarding) {
            line.head = std::exchange(m_head, QByteArray());
            line.droppedBytes = std::exchange(m_dropped, 0);
            m_discarding = false;
        } else {
            line.bytes = std::exchange(m_pending, QByteArray());
        }
        lines.append(std::move(line));
        from = newline + 1;
    }
    return lines;
}

QList<QByteArray> LineFramer::feed(const QByteArray &bytes)
{
    QList<QByteArray> lines;
    for (Line &line : split(bytes)) {
        if (!line.overflowed())
            lines.append(std::move(line.bytes));
    }
    return lines;
}

void LineFramer::clear()
{
    m_pending.clear();
    m_head.clear();
    m_dropped = 0;
    m_discarding = false;
}

} // namespace deskpack::runner
