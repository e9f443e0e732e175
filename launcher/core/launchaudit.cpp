// SPDX-License-Identifier: MIT
#include "launchaudit.h"
#include "base/wording.h"

#include "launcherlogging.h"

#include <QElapsedTimer>
#include <QStringList>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

QString describeQuarantineEntry(const plugins::QuarantineEntry &entry)
{
    QStringList reasons;
    for (const plugins::Offense &o : entry.reasons)
        reasons << o.message;
    const QString what = entry.distribution.isEmpty()
                             ? u"a stray entry"_s
                             : QString(entry.distribution + u' ' + entry.version).trimmed();
    return u"quarantine %1 (%2): %3%4"_s.arg(entry.id, what, reasons.join(u"; "_s),
                                             entry.restorable ? u" [restorable]"_s : QString());
}

QString LaunchAudit::summary() const
{
    if (skipped)
        return u"plugin audit skipped: safe mode keeps the plugin site-packages off sys.path"_s;
    if (!error.isEmpty())
        return u"plugin audit failed, starting anyway (the core still comes first on "
               "sys.path): %1"_s.arg(error);
    QString text = result.quarantined.isEmpty()
                       ? u"plugin audit: no offenders"_s
                       : u"plugin audit: quarantined %1"_s.arg(
                             counted(result.quarantined.size(), u"offender"_s, u"offenders"_s));
    if (!result.quarantine.isEmpty())
        text += u", %1 entr%2 in quarantine"_s.arg(result.quarantine.size())
                    .arg(result.quarantine.size() == 1 ? u"y"_s : u"ies"_s);
    if (!result.recovered.isEmpty())
        text += u"; recovered an interrupted change: %1"_s.arg(result.recovered);
    return text + u" (%1 ms)"_s.arg(elapsedMs);
}

LaunchAudit auditAtLaunch(const QString &bundleDir, const QString &dataDir, bool safeMode)
{
    LaunchAudit audit;
    if (safeMode) {
        audit.skipped = true;
        qCInfo(lcLauncher, "%s", qPrintable(audit.summary()));
        return audit;
    }
    QElapsedTimer timer;
    timer.start();
    plugins::PluginBoundary::Options options;
    options.bundleDir = bundleDir;
    options.dataDir = dataDir;
    options.lockTimeoutMs = LaunchAuditLockTimeoutMs;
    Result<plugins::PluginBoundary> boundary = plugins::PluginBoundary::open(options);
    if (!boundary) {
        audit.error = boundary.error().message;
    } else if (Result<plugins::AuditResult> r = boundary->audit(); !r) {
        audit.error = r.error().message;
    } else {
        audit.result = std::move(*r);
    }
    audit.elapsedMs = timer.elapsed();
    if (!audit.error.isEmpty()) {
        qCWarning(lcLauncher, "%s", qPrintable(audit.summary()));
        return audit;
    }
    if (audit.result.quarantined.isEmpty())
        qCInfo(lcLauncher, "%s", qPrintable(audit.summary()));
    else
        qCWarning(lcLauncher, "%s", qPrintable(audit.summary()));
    for (const plugins::QuarantineEntry &q : std::as_const(audit.result.quarantined))
        qCWarning(lcLauncher, "quarantined now: %s", qPrintable(describeQuarantineEntry(q)));
    return audit;
}

} // namespace deskpack::launcher
