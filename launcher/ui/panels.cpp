// SPDX-License-Identifier: MIT
#include "panels.h"

#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

QLabel *valueLabel(const QString &name, QWidget *parent)
{
    auto *label = new QLabel(u"…"_s, parent);
    label->setObjectName(name);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

QLabel *caption(const QString &text, const QString &name, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(name);
    return label;
}

QString colored(const QString &text, const char *color)
{
    return u"<span style=\"color:%1; font-weight:600\">%2</span>"_s.arg(QLatin1StringView(color),
                                                                        text.toHtmlEscaped());
}

} // namespace

RuntimePanel::RuntimePanel(QWidget *parent)
    : QWidget(parent)
    , m_python(valueLabel(u"pythonVersionLabel"_s, this))
    , m_interpreter(valueLabel(u"interpreterLabel"_s, this))
    , m_distributions(valueLabel(u"distributionCountLabel"_s, this))
    , m_lockStatus(valueLabel(u"lockStatusLabel"_s, this))
    , m_lockPath(valueLabel(u"lockPathLabel"_s, this))
    , m_integrity(valueLabel(u"integrityLabel"_s, this))
    , m_dataDir(valueLabel(u"dataDirLabel"_s, this))
    , m_problems(new QPlainTextEdit(this))
{
    setObjectName(u"runtimePanel"_s);
    m_lockStatus->setText(u"checking…"_s);
    m_integrity->setText(u"checking…"_s);
    m_problems->setObjectName(u"lockProblemsView"_s);
    m_problems->setReadOnly(true);
    m_problems->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_problems->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_problems->setVisible(false);

    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setHorizontalSpacing(16);
    form->setVerticalSpacing(8);
    form->addRow(caption(u"Python:"_s, u"pythonCaption"_s, this), m_python);
    form->addRow(caption(u"Interpreter:"_s, u"interpreterCaption"_s, this), m_interpreter);
    form->addRow(caption(u"Core distributions:"_s, u"distributionCountCaption"_s, this),
                 m_distributions);
    form->addRow(caption(u"Lock:"_s, u"lockStatusCaption"_s, this), m_lockStatus);
    form->addRow(caption(u"Lock file:"_s, u"lockPathCaption"_s, this), m_lockPath);
    form->addRow(caption(u"Bundle files:"_s, u"integrityCaption"_s, this), m_integrity);
    form->addRow(caption(u"User data:"_s, u"dataDirCaption"_s, this), m_dataDir);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 16, 16, 16);
    layout->addLayout(form);
    layout->addWidget(m_problems, 1);
    layout->addStretch(0);
}

void RuntimePanel::setRuntimeInfo(const RuntimeInfo &info)
{
    m_python->setText(info.pythonVersion.isEmpty() ? u"unknown"_s : info.pythonVersion);
    m_interpreter->setText(info.interpreter);
    m_distributions->setText(info.distributions < 0 ? u"unknown"_s
                                                    : QString::number(info.distributions));
    m_lockPath->setText(info.lockPath);
    m_lockStatus->setText(info.lockVerified ? colored(info.summary(), "#15803d")
                                            : colored(info.summary(), "#b91c1c"));
    m_problems->setPlainText(info.problems.join(u'\n'));
    m_problems->setVisible(!info.problems.isEmpty());
}

void RuntimePanel::setIntegrity(const IntegrityReport &report)
{
    m_integrity->setText(report.ok() ? colored(report.summary(), "#15803d")
                                     : colored(report.summary(), "#b91c1c"));
}

void RuntimePanel::setDataDir(const QString &dataDir)
{
    m_dataDir->setText(dataDir);
}

} // namespace deskpack::launcher
