// SPDX-License-Identifier: MIT
#pragma once

#include "core/installops.h"

#include <QWizard>

#include <atomic>

class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QThread;

namespace deskpack::installer {

// The installer's window: welcome, licence (only when the app has one; accepting
// is required), location (per-user default, Browse...), progress (install()
// on a worker thread; Cancel rolls back), finish ("Launch now"). Every widget
// has an objectName so tests and screenshots drive it by name.
class InstallerWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId
    {
        WelcomePage,
        LicencePage,
        LocationPage,
        ProgressPage,
        FinishPage
    };

    InstallerWizard(InstallerFile file, InstallLayout defaultLayout, QWidget *parent = nullptr);
    ~InstallerWizard() override;

    // "Deskpack Demo 1.0.0 Setup": the window title and the application's
    // display name both. Qt's xcb and Wayland windows show a title that does
    // not end with the display name as "<title> — <display name>"; one string
    // for both says the app's name once.
    static QString titleFor(const formats::InstallerHeader &header);

    const InstallerFile &installerFile() const { return m_file; }
    const InstallLayout &defaultLayout() const { return m_defaultLayout; }
    // 0 after a finished install; the error's exit code after a failed one.
    int exitCode() const { return m_exitCode; }
    bool installRunning() const { return m_worker != nullptr; }
    // The layout chosen on the location page (validated there).
    const InstallLayout &chosenLayout() const { return m_chosen; }
    void setChosenLayout(const InstallLayout &layout) { m_chosen = layout; }

    // Starts install() on a worker thread; progress comes back queued.
    void startInstall();
    const InstallReport &report() const { return m_report; }

    void done(int result) override;

Q_SIGNALS:
    void installProgress(double fraction, const QString &text);
    void installFinished(bool ok, const QString &message);

private:
    InstallerFile m_file;
    InstallLayout m_defaultLayout;
    InstallLayout m_chosen;
    InstallReport m_report;
    QThread *m_worker = nullptr;
    std::atomic<bool> m_cancel{false};
    int m_pendingResult = -1; // a close asked for while the worker rolls back
    int m_exitCode = ExitEnvironment;
};

} // namespace deskpack::installer
