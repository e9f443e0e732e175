// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QStringList>

#include <deque>

namespace deskpack::runner {

// The backend's output: split into lines, decoded as UTF-8 (invalid bytes
// become U+FFFD), appended to DATA/logs/backend.log, which rotates past
// `maxBytes` to backend.log.1 .. backend.log.N (the oldest dropped), and the
// last `tailLines` lines kept for failure reports.
class BackendLog
{
public:
    BackendLog(QString path, qint64 maxBytes, int backups, int tailLines);

    // Appends raw output; returns the complete lines it finished.
    QStringList append(const QByteArray &bytes);
    // The unterminated rest, as a line (at the end of a run).
    QStringList flush();
    // A line of the launcher's own (start, exit), written to the file only.
    void note(const QString &line);

    QStringList tail() const;
    void clearTail();
    QString path() const { return m_path; }
    QString error() const { return m_error; } // the last write problem, if any

private:
    void writeLine(const QString &line);
    bool ensureOpen();
    void rotate();

    QString m_path;
    qint64 m_maxBytes;
    int m_backups;
    int m_tailLines;
    QFile m_file;
    qint64 m_size = 0;
    QByteArray m_partial;
    std::deque<QString> m_tail;
    QString m_error;
};

} // namespace deskpack::runner
