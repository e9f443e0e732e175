// SPDX-License-Identifier: MIT
// The REPL half of CellRunner: stdin read line by line into cells and %deps requests.
#include "base/fileio.h"
#include "base/terminal.h"
#include "cellrunner.h"

#include "deskpackrun.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QProcess>

#include <cerrno>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner::cli {

bool replNeedsMore(const QStringList &lines)
{
    if (lines.isEmpty())
        return false;
    int depth = 0;
    bool inTriple = false;
    const QString text = lines.join(u'\n');
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (text.mid(i, 3) == u"\"\"\"" || text.mid(i, 3) == u"'''") {
            inTriple = !inTriple;
            i += 2;
        } else if (inTriple) {
            continue;
        } else if (c == u'#') {
            while (i < text.size() && text.at(i) != u'\n')
                ++i;
        } else if (c == u'"' || c == u'\'') {
            for (++i; i < text.size() && text.at(i) != c && text.at(i) != u'\n'; ++i) {
                if (text.at(i) == u'\\')
                    ++i;
            }
        } else if (c == u'(' || c == u'[' || c == u'{') {
            ++depth;
        } else if (c == u')' || c == u']' || c == u'}') {
            --depth;
        }
    }
    if (inTriple || depth > 0 || lines.last().endsWith(u'\\'))
        return true;
    const bool block = lines.first().trimmed().endsWith(u':') || lines.size() > 1;
    return block && !lines.last().trimmed().isEmpty();
}

void CellRunner::stepsDone()
{
    if (!m_config.repl) {
        finish(RunOk);
        return;
    }
    m_inRepl = true;
    m_inputNotifier = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
    connect(m_inputNotifier.get(), &QSocketNotifier::activated, this, &CellRunner::readInput);
    prompt();
}

void CellRunner::readInput()
{
    char buffer[65536];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        m_inputNotifier->setEnabled(false);
        QByteArray rest = m_input.pending();
        m_input.clear();
        if (!rest.isEmpty())
            acceptLine(QString::fromUtf8(rest));
        if (!m_replBuffer.isEmpty())
            acceptLine(QString()); // a blank line ends any open block
        if (m_outstanding == 0)
            finish(RunOk); // else prompt() finishes once the last cell is done
        return;
    }
    for (const QByteArray &line : m_input.feed(QByteArray(buffer, int(n))))
        acceptLine(QString::fromUtf8(line));
}

Result<DepsRequest> parseDepsMagic(const QString &line, const DepsRequest &defaults)
{
    const QString usage =
        u"usage: %deps install|sync NAME -r FILE [--find-links DIR]... [--index-url URL] "
        "[--no-index] [--restart] | %deps uninstall NAME [--restart] | %deps list"_s;
    const QStringList words = QProcess::splitCommand(line.trimmed().mid(1));
    QCommandLineParser parser;
    const QCommandLineOption requirements(QStringList{u"r"_s, u"requirement"_s}, {}, u"FILE"_s);
    const QCommandLineOption findLinks(u"find-links"_s, {}, u"DIR"_s);
    const QCommandLineOption indexUrl(u"index-url"_s, {}, u"URL"_s);
    const QCommandLineOption noIndex(u"no-index"_s);
    const QCommandLineOption restart(u"restart"_s);
    parser.addOptions({requirements, findLinks, indexUrl, noIndex, restart});
    if (!parser.parse(words))
        return makeError(ErrorKind::Usage, parser.errorText() + u'\n' + usage);
    const QStringList args = parser.positionalArguments();
    const std::optional<DepsOperation> op = depsOperationFromName(args.value(0));
    if (!op)
        return makeError(ErrorKind::Usage, usage);
    const bool needsPlugin = *op != DepsOperation::List;
    const bool takesRequirements = *op == DepsOperation::Install || *op == DepsOperation::Sync;
    if (args.size() != (needsPlugin ? 2 : 1) || takesRequirements != parser.isSet(requirements))
        return makeError(ErrorKind::Usage, usage);
    DepsRequest request = defaults;
    request.operation = *op;
    request.plugin = args.value(1);
    request.restart = parser.isSet(restart);
    if (takesRequirements)
        request.requirementsFile = QFileInfo(parser.value(requirements)).absoluteFilePath();
    if (parser.isSet(findLinks) || parser.isSet(indexUrl) || parser.isSet(noIndex)) {
        request.findLinks.clear();
        for (const QString &dir : parser.values(findLinks))
            request.findLinks.append(QFileInfo(dir).absoluteFilePath());
        request.indexUrl = parser.value(indexUrl);
        request.noIndex = parser.isSet(noIndex);
    }
    return request;
}

void CellRunner::acceptLine(const QString &line)
{
    // %deps ... (not Python, so never ambiguous): a dependency request.
    if (m_replBuffer.isEmpty() && line.trimmed().startsWith(u"%deps"_s)) {
        Result<DepsRequest> request = parseDepsMagic(line, m_config.depsDefaults);
        if (!request) {
            printText(stderr, u"deskpack-run: %1\n"_s.arg(request.error().message));
            prompt();
            return;
        }
        runDeps(*request);
        return;
    }
    m_replBuffer.append(line);
    if (replNeedsMore(m_replBuffer)) {
        prompt();
        return;
    }
    const QString code = m_replBuffer.join(u'\n');
    m_replBuffer.clear();
    if (code.trimmed().isEmpty()) {
        prompt();
        return;
    }
    // Lines typed while a cell runs queue behind it, in order.
    runCell(code);
}

void CellRunner::prompt()
{
    if (m_outstanding > 0)
        return;
    if (m_inputNotifier && !m_inputNotifier->isEnabled() && m_replBuffer.isEmpty()) {
        finish(RunOk); // stdin ended while the last cell ran
        return;
    }
    if (::isatty(STDIN_FILENO))
        printText(stderr, m_replBuffer.isEmpty() ? u">>> "_s : u"... "_s);
}

} // namespace deskpack::runner::cli
