// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace deskpack::launcher {

// Shown when the backend could not be started or kept running: why, the last
// lines of its log, and what to do next (Retry, Open logs, Start in safe
// mode). Non-modal; the choice arrives as a signal.
class FailureDialog : public QDialog
{
    Q_OBJECT
public:
    explicit FailureDialog(const QString &appName, QWidget *parent = nullptr);

    void setFailure(const QString &reason, const QStringList &lastLines, bool suggestSafeMode);

Q_SIGNALS:
    void retryRequested();
    void openLogsRequested();
    void safeModeRequested();

private:
    void setUpWidgets(const QString &appName);
    void buildLayout();

    QLabel *m_title;
    QLabel *m_reason;
    QLabel *m_hint;
    QPlainTextEdit *m_log;
    QPushButton *m_retry;
    QPushButton *m_openLogs;
    QPushButton *m_safeMode;
    QPushButton *m_close;
};

} // namespace deskpack::launcher
