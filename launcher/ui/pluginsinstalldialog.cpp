// SPDX-License-Identifier: MIT
#include "pluginsinstalldialog.h"

#include "runner/plugins/pluginrequirements.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

// A line edit with a Browse… button that opens a file or folder dialog.
QWidget *browseRow(QLineEdit *edit, const QString &buttonName, bool folder, QWidget *parent)
{
    auto *row = new QWidget(parent);
    row->setObjectName(edit->objectName() + u"Row"_s);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    auto *browse = new QPushButton(u"Browse…"_s, row);
    browse->setObjectName(buttonName);
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, row, [edit, folder, row] {
        const QString start = edit->text().isEmpty() ? QDir::homePath() : edit->text();
        const QString chosen =
            folder ? QFileDialog::getExistingDirectory(row, u"Find links in"_s, start)
                   : QFileDialog::getOpenFileName(row, u"Plugin requirements file"_s, start,
                                                  u"Requirements (*.txt);;All files (*)"_s);
        if (!chosen.isEmpty())
            edit->setText(chosen);
    });
    return row;
}

} // namespace

std::optional<PluginInstallRequest> askPluginInstall(QWidget *parent)
{
    const QString file =
        QFileDialog::getOpenFileName(parent, u"Plugin requirements file"_s, QDir::homePath(),
                                     u"Requirements (*.txt);;All files (*)"_s);
    if (file.isEmpty())
        return std::nullopt;
    return askPluginInstallDetails(parent, file);
}

std::optional<PluginInstallRequest> askPluginInstallDetails(QWidget *parent, const QString &file)
{
    QDialog dialog(parent);
    dialog.setObjectName(u"installPluginDialog"_s);
    dialog.setWindowTitle(u"Install plugin requirements"_s);
    auto *name = new QLineEdit(&dialog);
    name->setObjectName(u"pluginNameEdit"_s);
    name->setPlaceholderText(u"letters, digits, '.', '_' or '-'"_s);
    const QString folder = QFileInfo(file).absoluteDir().dirName();
    if (plugins::isValidPluginName(folder))
        name->setText(folder);
    auto *requirements = new QLineEdit(file, &dialog);
    requirements->setObjectName(u"requirementsEdit"_s);
    auto *findLinks = new QLineEdit(&dialog);
    findLinks->setObjectName(u"findLinksEdit"_s);
    findLinks->setPlaceholderText(u"optional: a folder of wheels (then no index is used)"_s);
    auto *form = new QFormLayout;
    form->setHorizontalSpacing(12);
    const auto caption = [&dialog](const QString &text, const QString &objectName) {
        auto *label = new QLabel(text, &dialog);
        label->setObjectName(objectName);
        return label;
    };
    form->addRow(caption(u"Plugin name:"_s, u"pluginNameCaption"_s), name);
    form->addRow(caption(u"Requirements:"_s, u"requirementsCaption"_s),
                 browseRow(requirements, u"browseRequirementsButton"_s, false, &dialog));
    form->addRow(caption(u"Find links:"_s, u"findLinksCaption"_s),
                 browseRow(findLinks, u"browseFindLinksButton"_s, true, &dialog));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->setObjectName(u"installPluginButtons"_s);
    buttons->button(QDialogButtonBox::Ok)->setText(u"Install"_s);
    auto *hint = new QLabel(&dialog);
    hint->setObjectName(u"installPluginHint"_s);
    hint->setStyleSheet(u"color:#b91c1c;"_s);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addLayout(form);
    layout->addWidget(hint);
    layout->addWidget(buttons);
    dialog.resize(560, dialog.sizeHint().height());
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        if (!plugins::isValidPluginName(name->text()))
            hint->setText(u"The plugin name must be 1-64 letters, digits, '.', '_' or '-'."_s);
        else if (!QFileInfo(requirements->text()).isFile())
            hint->setText(u"Choose the plugin's requirements file."_s);
        else if (!findLinks->text().isEmpty() && !QFileInfo(findLinks->text()).isDir())
            hint->setText(u"The find-links folder does not exist."_s);
        else
            dialog.accept();
    });
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return PluginInstallRequest{name->text(), requirements->text(), findLinks->text()};
}

} // namespace deskpack::launcher
