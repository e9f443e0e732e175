// SPDX-License-Identifier: MIT
#pragma once

#include "runner/supervisor/backendsupervisor.h"

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QStringList>

namespace deskpack::launcher {

using BackendState = runner::BackendSupervisor::State;

// What the status window and the headless mode need from a backend: the
// supervisor's state, facts and commands. The real implementation forwards to
// runner::BackendSupervisor; GUI tests drive the window with a fake one.
class BackendController : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual BackendState state() const = 0;
    virtual qint64 processId() const = 0;
    virtual QDateTime readySince() const = 0;
    virtual QString url() const = 0;
    virtual QString failureReason() const = 0;
    virtual QStringList lastLogLines() const = 0;
    virtual bool safeModeSuggested() const = 0;
    virtual bool safeMode() const = 0;
    virtual QString logFilePath() const = 0;

    virtual void start() = 0;
    virtual void stop() = 0;
    virtual void restart() = 0;
    virtual void startSafeMode() = 0;

Q_SIGNALS:
    void stateChanged(deskpack::launcher::BackendState state);
    void logLine(const QString &line);
};

// The controller over a real runner::BackendSupervisor, which it owns.
class SupervisorController final : public BackendController
{
    Q_OBJECT
public:
    explicit SupervisorController(runner::BackendLaunchPlan plan,
                                  runner::SupervisorOptions options = {},
                                  QObject *parent = nullptr);
    ~SupervisorController() override;

    BackendState state() const override;
    qint64 processId() const override;
    QDateTime readySince() const override;
    QString url() const override;
    QString failureReason() const override;
    QStringList lastLogLines() const override;
    bool safeModeSuggested() const override;
    bool safeMode() const override;
    QString logFilePath() const override;

    void start() override;
    void stop() override;
    void restart() override;
    void startSafeMode() override;

private:
    runner::BackendSupervisor *m_supervisor;
    bool m_safeMode = false;
};

// The address people open: the probe's origin with path "/" (the probe is
// often /status or /health; the app's front page is at the root).
QString frontPageUrl(const QString &probeUrl);

// Words and colours for a state, shared by the window, the tray and stderr.
QString stateText(BackendState state);
QString stateColor(BackendState state); // "#rrggbb"

} // namespace deskpack::launcher
