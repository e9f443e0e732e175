// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <optional>

class QWidget;

namespace deskpack::launcher {

// What "Install from requirements file…" asks for.
struct PluginInstallRequest
{
    QString plugin;
    QString requirements;
    QString findLinks; // optional: then no index is used
};

// The real dialog: a QFileDialog for the requirements file, then the plugin's
// name (default: the file's folder name when it is a valid name) and an
// optional find-links folder. Nothing on Cancel.
std::optional<PluginInstallRequest> askPluginInstall(QWidget *parent);
// The second step alone (objectName installPluginDialog): name, requirements
// file, find-links folder, checked before it closes.
std::optional<PluginInstallRequest> askPluginInstallDetails(QWidget *parent,
                                                            const QString &requirementsFile);

} // namespace deskpack::launcher
