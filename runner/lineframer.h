// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>

namespace deskpack::runner {

// Splits a byte stream into newline-terminated lines. The partial last fragment
// is kept until its newline arrives; a line longer than the limit is dropped
// whole (counted in overflows()) so one runaway line cannot exhaust memory.
class LineFramer
{
public:
    explicit LineFramer(qsizetype maxLineBytes = 64 * 1024 * 1024);

    // Appends `bytes` and returns the lines they complete, without the '\n'
    // (a trailing '\r' is kept: the protocol is NDJSON, not CRLF).
    QList<QByteArray> feed(const QByteArray &bytes);

    const QByteArray &pending() const { return m_pending; }
    int overflows() const { return m_overflows; }
    void clear();

private:
    QByteArray m_pending;
    qsizetype m_maxLineBytes;
    bool m_discarding = false;
    int m_overflows = 0;
};

} // namespace deskpack::runner
