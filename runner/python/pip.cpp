// SPDX-License-Identifier: MIT
#include "pip.h"

#include "pythonenvironment.h"

#include <QFile>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

QProcessEnvironment pipEnvironment(const QProcessEnvironment &base)
{
    QProcessEnvironment env = sanitizedPythonEnvironment(base);
    for (const QString &key : env.keys()) {
        if (key.startsWith(u"PIP_"_s, Qt::CaseInsensitive))
            env.remove(key);
    }
#ifdef Q_OS_WIN
    env.insert(u"PIP_CONFIG_FILE"_s, u"NUL"_s);
#else
    env.insert(u"PIP_CONFIG_FILE"_s, u"/dev/null"_s);
#endif
    env.insert(u"PIP_DISABLE_PIP_VERSION_CHECK"_s, u"1"_s);
    env.insert(u"PIP_NO_INPUT"_s, u"1"_s);
    env.insert(u"PYTHONDONTWRITEBYTECODE"_s, u"1"_s);
    return env;
}

QString pipFailureSummary(const QByteArray &standardError)
{
    const QStringList lines = QString::fromUtf8(standardError).split(u'\n', Qt::SkipEmptyParts);
    // ERROR lines and their indented continuations, which name the requirement
    // (pip's hash mismatch report lists the packages on the lines after).
    QStringList errors;
    bool inError = false;
    for (const QString &line : lines) {
        if (line.startsWith(u"ERROR:"_s))
            inError = true;
        else if (!line.startsWith(u' ') && !line.startsWith(u'\t'))
            inError = false;
        if (inError)
            errors.append(line.trimmed());
    }
    if (errors.isEmpty())
        errors = lines.mid(std::max<qsizetype>(0, lines.size() - 5));
    else if (!lines.isEmpty() && !errors.contains(lines.constLast().trimmed()))
        // "ERROR: Exception:" and a traceback (pip's internal errors): the
        // traceback's last line says what went wrong.
        errors.append(lines.constLast().trimmed());
    return errors.join(u'\n');
}

Result<PythonOutput> runPip(const PipCommand &command)
{
    PythonCommand python;
    python.interpreter = command.interpreter;
    python.environment = pipEnvironment();
    python.timeoutMs = command.timeoutMs;
    python.arguments << u"-I"_s
                     << u"-B"_s; // -B: no __pycache__ written into the tree pip runs from
    if (!command.pipWheel.isEmpty())
        python.arguments << command.pipWheel + u"/pip"_s;
    else
        python.arguments << u"-m"_s << u"pip"_s;
    python.arguments << command.arguments.value(0) << u"--isolated"_s
                     << u"--disable-pip-version-check"_s << u"--no-input"_s;
    if (command.arguments.value(0) == u"install" || command.arguments.value(0) == u"wheel" ||
        command.arguments.value(0) == u"download")
        python.arguments << u"--progress-bar"_s << u"off"_s;
    python.arguments << command.arguments.mid(1);

    Result<PythonOutput> run = runPython(python);
    if (!command.logFile.isEmpty()) {
        QFile log(command.logFile);
        if (log.open(QIODevice::Append)) {
            log.write("$ " + python.interpreter.toUtf8() + ' ' +
                      python.arguments.join(u' ').toUtf8() + '\n');
            if (run) {
                log.write(run->standardOutput);
                log.write(run->standardError);
                log.write(QByteArray("[exit ") + QByteArray::number(run->exitCode) + "]\n");
            } else {
                log.write(run.error().message.toUtf8() + '\n');
            }
        }
    }
    if (!run)
        return run.error();
    if (run->exitCode != 0) {
        return makeError(ErrorKind::Environment,
                         u"pip %1 failed (exit %2):\n%3"_s.arg(command.arguments.value(0))
                             .arg(run->exitCode)
                             .arg(pipFailureSummary(run->standardError)));
    }
    return run;
}

} // namespace deskpack::runner
