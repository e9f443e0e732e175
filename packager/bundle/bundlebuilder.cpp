// SPDX-License-Identifier: MIT
#include "bundlebuilder.h"
#include "base/fileio.h"

#include "base/filehash.h"
#include "bundlephases.h"
#include "fstree.h"
#include "runtime/hostruntime.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::bundle {

namespace {

QString bundleDirName(const QString &name)
{
    QString out = name;
    static const QRegularExpression unsafe(u"[^A-Za-z0-9 ._-]"_s);
    out.replace(unsafe, u"-"_s);
    return out.trimmed().isEmpty() ? u"app"_s : out.trimmed();
}

Error inPhase(const QString &phase, const Error &error)
{
    return makeError(error.kind, u"%1: %2"_s.arg(phase, error.message));
}

} // namespace

namespace detail {

Result<void> Builder::preflight() const
{
    // Input that is wrong from the start fails before the output directory is
    // created or its build log touched.
    if (!m_config.runtimePython.isEmpty()) {
        if (Result<void> usable = runtime::checkHostInterpreterFile(m_config.runtimePython);
            !usable)
            return makeError(usable.error().kind, u"%1: runtime.python: %2"_s.arg(
                                                      m_config.configPath, usable.error().message));
    }
    if (!m_config.pipWheel.isEmpty() && !m_config.pipSha256.isEmpty()) {
        if (Result<void> same = verifySha256(m_config.pipWheel, m_config.pipSha256); !same)
            return makeError(same.error().kind,
                             u"%1: pip.sha256: refusing the configured pip wheel: %2"_s.arg(
                                 m_config.configPath, same.error().message));
    }
    return {};
}

Result<void> Builder::prepareStaging()
{
    // A relative cache directory would make the relocation audit look for a
    // bare word ("cache") in every file.
    if (!m_options.cacheDir.isEmpty())
        m_options.cacheDir = QFileInfo(m_options.cacheDir).absoluteFilePath();
    m_outDir = m_options.outDir.isEmpty()
                   ? QFileInfo(m_config.configPath).absolutePath() + u"/dist"_s
                   : QFileInfo(m_options.outDir).absoluteFilePath();
    if (!QDir().mkpath(m_outDir))
        return makeError(ErrorKind::Environment,
                         u"%1: cannot create the output directory"_s.arg(m_outDir));
    // Staging sits beside the output so the final rename stays on one filesystem.
    m_staging = std::make_unique<QTemporaryDir>(m_outDir + u"/.deskpack-staging-XXXXXX"_s);
    if (!m_staging->isValid())
        return makeError(ErrorKind::Environment, u"%1: cannot create a staging directory: %2"_s.arg(
                                                     m_outDir, m_staging->errorString()));
    const QString dirName = bundleDirName(m_config.name);
    m_root = m_staging->filePath(dirName);
    m_final = m_outDir + u'/' + dirName;
    m_result.logFile = m_outDir + u'/' + dirName + u".build.log"_s;
    QFile::remove(m_result.logFile);
    return {};
}

std::vector<Builder::Phase> Builder::phases()
{
    // Lambdas rather than pointers to members: GCC 12's UBSan miscompiles calls
    // through an array of member-function pointers (found with the asan preset).
    return {
        {"runtime",
         [this] {
             return prepareRuntime();
         }},
        {"app",
         [this] {
             return copyApp();
         }},
        {"pip",
         [this] {
             return bootstrapPip();
         }},
        {"dependencies",
         [this] {
             return installRequirements();
         }},
        {"prune",
         [this] {
             return prune();
         }},
        {"byte-compile",
         [this] {
             return byteCompile();
         }},
        {"relocate",
         [this] {
             return relocate();
         }},
        {"lock",
         [this] {
             return writeLock();
         }},
        {"resources",
         [this] {
             return addResources();
         }},
        {"manifest",
         [this] {
             return writeManifest();
         }},
    };
}

Result<void> Builder::runPhases()
{
    const std::vector<Phase> steps = phases();
    const int count = int(steps.size());
    for (int i = 0; i < count; ++i) {
        const QString name = QString::fromLatin1(steps[i].first);
        if (m_options.progress)
            m_options.progress(i + 1, count, name);
        QElapsedTimer timer;
        timer.start();
        if (Result<void> r = steps[i].second(); !r) {
            // DESKPACK_KEEP_STAGING=1 leaves the failed tree for a post-mortem.
            if (qEnvironmentVariableIntValue("DESKPACK_KEEP_STAGING") == 1) {
                m_staging->setAutoRemove(false);
                return inPhase(
                    name, makeError(r.error().kind,
                                    r.error().message + u"\n(staging kept: %1)"_s.arg(m_root)));
            }
            return inPhase(name, makeError(r.error().kind, inBundle(r.error().message)));
        }
        m_result.phases.append({name, timer.elapsed()});
    }
    return {};
}

Result<BuildResult> Builder::run()
{
    if (Result<void> ok = preflight(); !ok)
        return ok.error();
    if (Result<void> ok = prepareStaging(); !ok)
        return ok.error();
    if (Result<void> ok = runPhases(); !ok)
        return ok.error();

    // Only now does the bundle replace what was there: the old one is moved into
    // the staging directory (deleted with it), the new one renamed into place.
    const QString &final = m_final;
    const QString previous = m_staging->filePath(u"previous"_s);
    if (Result<void> moved = moveIntoPlace(m_root, final, previous); !moved)
        return moved.error();
    m_result.bundleDir = final;
    m_result.bytes = treeSize(final).bytes;
    return m_result;
}

} // namespace detail

Result<BuildResult> buildBundle(const BuildOptions &options)
{
    Result<AppConfig> config = loadAppConfig(options.configPath);
    if (!config)
        return config.error();
    detail::Builder builder(options, std::move(*config));
    return builder.run();
}

} // namespace deskpack::bundle
