// SPDX-License-Identifier: MIT
#include "distributionprobe.h"

#include "pythonprocess.h"

#include <QFile>

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

// Resources of a static library must be registered explicitly, outside any namespace.
static void initRunnerResources()
{
    Q_INIT_RESOURCE(python);
}

namespace deskpack::runner {

Result<QList<lock::ObservedDistribution>> probeDistributions(const QString &interpreter,
                                                             const QStringList &directories)
{
    initRunnerResources();
    QFile script(u":/deskpack/runner/probe_distributions.py"_s);
    if (!script.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Environment,
                         u"internal: probe script missing from resources"_s);
    PythonCommand command;
    command.interpreter = interpreter;
    command.arguments =
        QStringList{u"-I"_s, u"-B"_s, u"-c"_s, QString::fromUtf8(script.readAll())} + directories;
    Result<PythonOutput> run = runPython(command);
    if (!run)
        return run.error();
    if (run->exitCode != 0) {
        return makeError(ErrorKind::Environment,
                         u"%1 failed to list its distributions (exit %2): %3"_s.arg(interpreter)
                             .arg(run->exitCode)
                             .arg(QString::fromUtf8(run->standardError).trimmed()));
    }
    const auto parsed = nlohmann::json::parse(
        run->standardOutput.constData(),
        run->standardOutput.constData() + run->standardOutput.size(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array()) {
        return makeError(ErrorKind::Environment,
                         u"%1 answered the distribution probe with something that "
                         "is not a JSON list"_s.arg(interpreter));
    }
    QList<lock::ObservedDistribution> out;
    for (const auto &entry : parsed) {
        if (!entry.is_object() || !entry.value("name", nlohmann::json()).is_string() ||
            !entry.value("version", nlohmann::json()).is_string())
            continue;
        // value("path", std::string()) would throw on a non-string path.
        const auto path = entry.find("path");
        out.append({QString::fromStdString(entry["name"].get<std::string>()),
                    QString::fromStdString(entry["version"].get<std::string>()),
                    path != entry.end() && path->is_string()
                        ? QString::fromStdString(path->get<std::string>())
                        : QString()});
    }
    return out;
}

} // namespace deskpack::runner
