// SPDX-License-Identifier: MIT
#pragma once

#include <QWizardPage>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;

namespace deskpack::installer {

class InstallerWizard;

class WelcomePage : public QWizardPage
{
    Q_OBJECT
public:
    explicit WelcomePage(InstallerWizard *wizard);
    void initializePage() override;
    int nextId() const override;

private:
    InstallerWizard *m_wizard;
    QLabel *m_text;
};

class LicencePage : public QWizardPage
{
    Q_OBJECT
public:
    explicit LicencePage(InstallerWizard *wizard);
    bool isComplete() const override;

private:
    QCheckBox *m_accept;
};

class LocationPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit LocationPage(InstallerWizard *wizard);
    void initializePage() override;
    bool validatePage() override;

private:
    InstallerWizard *m_wizard;
    QLineEdit *m_location;
    QLabel *m_details;
    QLabel *m_error;
};

class ProgressPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit ProgressPage(InstallerWizard *wizard);
    void initializePage() override;
    bool isComplete() const override;

private:
    InstallerWizard *m_wizard;
    QProgressBar *m_bar;
    QLabel *m_status;
    QLabel *m_error;
    bool m_done = false;
};

class FinishPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit FinishPage(InstallerWizard *wizard);
    void initializePage() override;
    bool launchRequested() const;

private:
    InstallerWizard *m_wizard;
    QLabel *m_text;
    QCheckBox *m_launch;
};

} // namespace deskpack::installer
