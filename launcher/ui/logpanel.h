// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>
#include <QWidget>

#include <functional>

class QCheckBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QUrl;

namespace deskpack::launcher {

// The live backend log: the last `MaxLines` lines, a case-insensitive filter,
// follow mode (keep the newest line in view) and "Open logs folder".
class LogPanel : public QWidget
{
    Q_OBJECT
public:
    static constexpr int MaxLines = 5000;

    LogPanel(const QString &logsDir, std::function<void(const QUrl &)> openUrl,
             QWidget *parent = nullptr);

    void appendLine(const QString &line);
    QStringList lines() const { return m_lines; }
    QStringList visibleLines() const;

private:
    void render();
    bool matches(const QString &line) const;
    void scrollToEnd();

    QString m_logsDir;
    std::function<void(const QUrl &)> m_openUrl;
    QStringList m_lines;
    QLineEdit *m_filter;
    QCheckBox *m_follow;
    QPushButton *m_openFolder;
    QPlainTextEdit *m_view;
};

} // namespace deskpack::launcher
