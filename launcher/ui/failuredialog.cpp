// SPDX-License-Identifier: MIT
#include "failuredialog.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QStyle>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

FailureDialog::FailureDialog(const QString &appName, QWidget *parent)
    : QDialog(parent)
    , m_title(new QLabel(this))
    , m_reason(new QLabel(this))
    , m_hint(new QLabel(this))
    , m_log(new QPlainTextEdit(this))
    , m_retry(new QPushButton(u"Retry"_s, this))
    , m_openLogs(new QPushButton(u"Open logs"_s, this))
    , m_safeMode(new QPushButton(u"Start in safe mode"_s, this))
    , m_close(new QPushButton(u"Close"_s, this))
{
    setUpWidgets(appName);
    buildLayout();
    connect(m_retry, &QPushButton::clicked, this, [this] {
        accept();
        Q_EMIT retryRequested();
    });
    connect(m_safeMode, &QPushButton::clicked, this, [this] {
        accept();
        Q_EMIT safeModeRequested();
    });
    connect(m_openLogs, &QPushButton::clicked, this, &FailureDialog::openLogsRequested);
    connect(m_close, &QPushButton::clicked, this, &QDialog::reject);
}

void FailureDialog::setUpWidgets(const QString &appName)
{
    setObjectName(u"failureDialog"_s);
    // Ends with the app's name, the application's display name: Qt's xcb and
    // Wayland windows append " — <display name>" to any other title.
    setWindowTitle(u"Could not start — %1"_s.arg(appName));
    m_title->setObjectName(u"failureTitle"_s);
    m_title->setText(u"%1 could not start"_s.arg(appName));
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_title->setFont(big);
    m_reason->setObjectName(u"failureReason"_s);
    m_reason->setWordWrap(true);
    m_reason->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hint->setObjectName(u"failureHint"_s);
    m_hint->setWordWrap(true);
    m_log->setObjectName(u"failureLog"_s);
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_retry->setObjectName(u"retryButton"_s);
    m_retry->setDefault(true);
    m_openLogs->setObjectName(u"openLogsButton"_s);
    m_safeMode->setObjectName(u"safeModeButton"_s);
    m_safeMode->setToolTip(u"Start without the plugins' packages on the path"_s);
    m_close->setObjectName(u"closeButton"_s);
}

void FailureDialog::buildLayout()
{
    auto *icon = new QLabel(this);
    icon->setObjectName(u"failureIcon"_s);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(48, 48));
    icon->setAlignment(Qt::AlignTop);
    auto *text = new QVBoxLayout;
    text->addWidget(m_title);
    text->addWidget(m_reason);
    text->addWidget(m_hint);
    auto *top = new QHBoxLayout;
    top->addWidget(icon);
    top->addSpacing(8);
    top->addLayout(text, 1);

    auto *logTitle = new QLabel(u"Last lines of the backend's log:"_s, this);
    logTitle->setObjectName(u"failureLogTitle"_s);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_openLogs);
    buttons->addStretch(1);
    buttons->addWidget(m_close);
    buttons->addWidget(m_safeMode);
    buttons->addWidget(m_retry);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 18, 18, 18);
    layout->setSpacing(10);
    layout->addLayout(top);
    layout->addWidget(logTitle);
    layout->addWidget(m_log, 1);
    layout->addLayout(buttons);
    resize(680, 400);
}

void FailureDialog::setFailure(const QString &reason, const QStringList &lastLines,
                               bool suggestSafeMode)
{
    // The reason's first line; the output it may quote is in the log box below.
    QString first = reason.section(u'\n', 0, 0).trimmed();
    if (first.endsWith(u':') && first.contains(u';'))
        first = first.section(u';', 0, -2);
    if (!first.isEmpty())
        first[0] = first[0].toUpper();
    if (!first.isEmpty() && !first.endsWith(u'.'))
        first += u'.';
    m_reason->setText(first.isEmpty() ? u"The backend stopped unexpectedly."_s : first);
    m_reason->setToolTip(reason);
    m_hint->setText(suggestSafeMode
                        ? u"It crashed repeatedly. Safe mode starts it without the plugins' "
                          "packages, which is often enough to get going again."_s
                        : u"Retry once the cause is fixed, or open the logs for details."_s);
    m_log->setPlainText(lastLines.isEmpty() ? u"(no output)"_s : lastLines.join(u'\n'));
    m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
    if (suggestSafeMode) {
        m_safeMode->setDefault(true);
        m_retry->setDefault(false);
    } else {
        m_retry->setDefault(true);
        m_safeMode->setDefault(false);
    }
}

} // namespace deskpack::launcher
