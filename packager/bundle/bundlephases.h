// SPDX-License-Identifier: MIT
#pragma once

// The bundle builder's state, shared by bundlebuilder.cpp (the order of the
// phases) and bundlephases.cpp (the phases themselves). Not installed.

#include "appconfig.h"
#include "bundlebuilder.h"
#include "pipselection.h"

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace deskpack::bundle::detail {

class Builder
{
public:
    Builder(const BuildOptions &options, AppConfig config)
        : m_options(options)
        , m_config(std::move(config))
    {
    }

    Result<BuildResult> run();

private:
    using Phase = std::pair<const char *, std::function<Result<void>()>>;

    // bundlebuilder.cpp: the order of the phases and what surrounds them.
    Result<void> preflight() const;
    Result<void> prepareStaging();
    std::vector<Phase> phases();
    Result<void> runPhases();

    // bundlephases.cpp: one function per phase.
    Result<void> prepareRuntime();
    Result<void> copyApp();
    Result<void> bootstrapPip();
    Result<void> installRequirements();
    bool addRequirements(QStringList &arguments) const;
    Result<void> addPipWheel(QStringList &arguments, bool hashes);
    Result<void> prune();
    Result<void> byteCompile();
    Result<void> relocate();
    Result<void> writeLock();
    Result<void> addResources();
    Result<void> writeManifest();

    QString runtimeDir() const;
    QString coreDir() const;
    QString stdlibDir() const;

    BuildOptions m_options;
    AppConfig m_config;
    QString m_outDir;
    std::unique_ptr<QTemporaryDir> m_staging;
    QString m_root;
    QString m_interpreter;
    QString m_interpreterRelative;
    QString m_versionShort;
    // The runtime as it came, outside the staging tree: the host prefix or the
    // cache entry. Its ensurepip wheel survives pruning and outlives the build.
    QString m_sourceStdlib;
    QString m_final; // where the bundle ends up; messages name paths there
    PipChoice m_pip;
    QString m_coreRelative;
    formats::RuntimeOrigin m_origin;
    QStringList m_hostPaths;
    BuildResult m_result;

    // `text` with the staging tree's path replaced by the finished bundle's.
    QString inBundle(QString text) const
    {
        return m_root.isEmpty() ? text : text.replace(m_root, m_final);
    }
};

} // namespace deskpack::bundle::detail
