// SPDX-License-Identifier: MIT
#include "logpanel.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QStyle>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

LogPanel::LogPanel(const QString &logsDir, std::function<void(const QUrl &)> openUrl,
                   QWidget *parent)
    : QWidget(parent)
    , m_logsDir(logsDir)
    , m_openUrl(std::move(openUrl))
    , m_filter(new QLineEdit(this))
    , m_follow(new QCheckBox(u"Follow"_s, this))
    , m_openFolder(new QPushButton(u"Open logs folder"_s, this))
    , m_view(new QPlainTextEdit(this))
{
    setObjectName(u"logPanel"_s);
    m_filter->setObjectName(u"logFilter"_s);
    m_filter->setPlaceholderText(u"Filter lines"_s);
    m_filter->setClearButtonEnabled(true);
    m_follow->setObjectName(u"followCheck"_s);
    m_follow->setChecked(true);
    m_follow->setToolTip(u"Keep the newest line in view"_s);
    m_openFolder->setObjectName(u"openLogsFolderButton"_s);
    m_openFolder->setIcon(style()->standardIcon(QStyle::SP_DirOpenIcon));
    m_view->setObjectName(u"logView"_s);
    m_view->setReadOnly(true);
    m_view->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_view->setMaximumBlockCount(MaxLines);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setPlaceholderText(u"The backend's output appears here."_s);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_follow);
    bar->addWidget(m_openFolder);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, this, &LogPanel::render);
    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            scrollToEnd();
    });
    connect(m_openFolder, &QPushButton::clicked, this,
            [this] { m_openUrl(QUrl::fromLocalFile(m_logsDir)); });
}

bool LogPanel::matches(const QString &line) const
{
    const QString filter = m_filter->text().trimmed();
    return filter.isEmpty() || line.contains(filter, Qt::CaseInsensitive);
}

void LogPanel::scrollToEnd()
{
    QScrollBar *bar = m_view->verticalScrollBar();
    bar->setValue(bar->maximum());
}

void LogPanel::appendLine(const QString &line)
{
    m_lines.append(line);
    if (m_lines.size() > MaxLines)
        m_lines.remove(0, m_lines.size() - MaxLines);
    if (!matches(line))
        return;
    QScrollBar *bar = m_view->verticalScrollBar();
    const int kept = bar->value();
    m_view->appendPlainText(line);
    if (m_follow->isChecked())
        scrollToEnd();
    else
        bar->setValue(kept);
}

QStringList LogPanel::visibleLines() const
{
    const QString text = m_view->toPlainText();
    return text.isEmpty() ? QStringList() : text.split(u'\n');
}

void LogPanel::render()
{
    QStringList shown;
    for (const QString &line : std::as_const(m_lines)) {
        if (matches(line))
            shown.append(line);
    }
    m_view->setPlainText(shown.join(u'\n'));
    if (m_follow->isChecked())
        scrollToEnd();
}

} // namespace deskpack::launcher
