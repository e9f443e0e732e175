// SPDX-License-Identifier: MIT
#include "lineframer.h"

namespace deskpack::runner {

LineFramer::LineFramer(qsizetype maxLineBytes)
    : m_maxLineBytes(maxLineBytes)
{
}

QList<QByteArray> LineFramer::feed(const QByteArray &bytes)
{
    QList<QByteArray> lines;
    qsizetype from = 0;
    while (from < bytes.size()) {
        const qsizetype newline = bytes.indexOf('\n', from);
        const qsizetype end = newline < 0 ? bytes.size() : newline;
        if (!m_discarding) {
            if (m_pending.size() + (end - from) > m_maxLineBytes) {
                m_discarding = true;
                ++m_overflows;
                m_pending.clear();
            } else {
                m_pending.append(bytes.constData() + from, end - from);
            }
        }
        if (newline < 0)
            break;
        if (!m_discarding)
            lines.append(std::exchange(m_pending, QByteArray()));
        m_discarding = false;
        from = newline + 1;
    }
    return lines;
}

void LineFramer::clear()
{
    m_pending.clear();
    m_discarding = false;
}

} // namespace deskpack::runner
