// SPDX-License-Identifier: MIT
#pragma once

#include "launcher/core/bundlecheck.h"
#include "launcher/core/runtimeinfo.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace deskpack::launcher {

// The Runtime tab: Python version, core distributions, the lock verified
// against the core site-packages (or the drift found), the bundle check.
class RuntimePanel : public QWidget
{
    Q_OBJECT
public:
    explicit RuntimePanel(QWidget *parent = nullptr);

    void setRuntimeInfo(const RuntimeInfo &info);
    void setIntegrity(const IntegrityReport &report);
    void setDataDir(const QString &dataDir);

private:
    QLabel *m_python;
    QLabel *m_interpreter;
    QLabel *m_distributions;
    QLabel *m_lockStatus;
    QLabel *m_lockPath;
    QLabel *m_integrity;
    QLabel *m_dataDir;
    QPlainTextEdit *m_problems;
};

} // namespace deskpack::launcher
