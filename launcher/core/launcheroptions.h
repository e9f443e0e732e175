// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>
#include <QStringList>

namespace deskpack::launcher {

// The launcher's command line (DESIGN.md, "Command-line surfaces"):
//   [--bundle DIR] [--data-dir DIR] [--headless] [--exit-when-ready] [--safe-mode] [--verify]
//   doctor -o FILE.zip
//   plugins list|check|install|remove|audit|restore ... [--json]
//
// What `plugins ...` asks for: the action, its NAME (a plugin, or a
// quarantine id for restore) and, for check and install, where pip looks.
struct PluginsRequest
{
    enum class Action
    {
        List,
        Check,
        Install,
        Remove,
        Audit,
        Restore,
    };
    Action action = Action::List;
    QString name;
    QString requirements; // -r FILE
    QStringList findLinks;
    QString indexUrl;
    bool noIndex = false;
};

struct LauncherOptions
{
    enum class Command
    {
        Run,
        Doctor,
        Plugins,
        Help,
        Version,
    };
    Command command = Command::Run;
    QString bundleDir; // empty: the executable's directory
    QString dataDir;   // empty: the platform default for the app id
    bool headless = false;
    bool exitWhenReady = false;
    bool safeMode = false;
    bool verify = false; // full SHA-256 verification at start
    QString output;      // doctor -o
    PluginsRequest plugins;
    bool json = false; // plugins --json
    QString helpText;
};

// Parses arguments (without the program name). Usage errors are ErrorKind::Usage.
Result<LauncherOptions> parseLauncherArguments(const QStringList &arguments);

// Whether the arguments ask for a mode without a window (headless, doctor,
// plugins, help): decided before a QApplication exists.
bool wantsNoWindow(int argc, char **argv);

} // namespace deskpack::launcher
