// SPDX-License-Identifier: MIT
#include "backendlog.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

namespace {

// A line longer than this without a newline is cut, so a backend writing
// binary junk cannot grow the buffer without bound.
constexpr qsizetype MaxLineBytes = 64 * 1024;

} // namespace

BackendLog::BackendLog(QString path, qint64 maxBytes, int backups, int tailLines)
    : m_path(std::move(path))
    , m_maxBytes(qMax<qint64>(maxBytes, 1024))
    , m_backups(qMax(backups, 0))
    , m_tailLines(qMax(tailLines, 1))
{
}

QStringList BackendLog::append(const QByteArray &bytes)
{
    QStringList lines;
    m_partial += bytes;
    qsizetype start = 0;
    while (true) {
        qsizetype end = m_partial.indexOf('\n', start);
        if (end < 0) {
            if (m_partial.size() - start < MaxLineBytes)
                break;
            end = start + MaxLineBytes;
        }
        QByteArrayView line(m_partial.constData() + start, end - start);
        start = end < m_partial.size() && m_partial.at(end) == '\n' ? end + 1 : end;
        if (line.endsWith('\r'))
            line.chop(1);
        // fromUtf8 replaces every invalid sequence with U+FFFD.
        lines.append(QString::fromUtf8(line));
        writeLine(lines.constLast());
    }
    m_partial.remove(0, start);
    m_file.flush();
    return lines;
}

QStringList BackendLog::flush()
{
    if (m_partial.isEmpty())
        return {};
    const QString line = QString::fromUtf8(m_partial);
    m_partial.clear();
    writeLine(line);
    m_file.flush();
    return {line};
}

void BackendLog::note(const QString &line)
{
    if (!ensureOpen())
        return;
    const QByteArray bytes = line.toUtf8() + '\n';
    m_file.write(bytes);
    m_size += bytes.size();
    m_file.flush();
}

QStringList BackendLog::tail() const
{
    return QStringList(m_tail.begin(), m_tail.end());
}

void BackendLog::clearTail()
{
    m_tail.clear();
}

void BackendLog::writeLine(const QString &line)
{
    m_tail.push_back(line);
    while (qsizetype(m_tail.size()) > m_tailLines)
        m_tail.pop_front();
    if (!ensureOpen())
        return;
    const QByteArray bytes = line.toUtf8() + '\n';
    if (m_size > 0 && m_size + bytes.size() > m_maxBytes) {
        rotate();
        if (!ensureOpen())
            return;
    }
    if (m_file.write(bytes) != bytes.size())
        m_error = m_path + u": "_s + m_file.errorString();
    m_size += bytes.size();
}

bool BackendLog::ensureOpen()
{
    if (m_file.isOpen())
        return true;
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    m_file.setFileName(m_path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append)) {
        m_error = m_path + u": "_s + m_file.errorString();
        return false;
    }
    m_size = m_file.size();
    return true;
}

// backend.log.N-1 -> .N, ..., backend.log -> .1; with no backups the file
// simply starts over.
void BackendLog::rotate()
{
    m_file.close();
    if (m_backups == 0) {
        QFile::remove(m_path);
        return;
    }
    QFile::remove(m_path + u'.' + QString::number(m_backups));
    for (int i = m_backups - 1; i >= 1; --i) {
        const QString from = m_path + u'.' + QString::number(i);
        if (QFileInfo::exists(from))
            QFile::rename(from, m_path + u'.' + QString::number(i + 1));
    }
    QFile::rename(m_path, m_path + u".1"_s);
}

} // namespace deskpack::runner
