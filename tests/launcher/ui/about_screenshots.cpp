// SPDX-License-Identifier: MIT
// Renders the About dialog's docs screenshots from a built bundle:
//   QT_QPA_PLATFORM=offscreen build/bin/about_screenshots BUNDLE docs/images
// writes launcher-about.png and launcher-about-licences.png (the first
// distribution with a licence file selected), and prints how long reading the
// bundle's inventory took.
#include "formats/bundlemanifest.h"
#include "launcher/ui/aboutdialog.h"
#include "launcher/ui/appicon.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QTableView>
#include <QTest>

#include <cstdio>

using namespace deskpack;
using namespace deskpack::launcher;
using namespace Qt::Literals::StringLiterals;

namespace {

bool save(QWidget *widget, const QString &path)
{
    QTest::qWait(200); // fonts and layout settle
    const bool ok = widget->grab().save(path);
    std::fprintf(stderr, "%s %s\n", ok ? "wrote" : "FAILED", qPrintable(path));
    return ok;
}

// Selects `name`'s row, or the first row whose component ships a licence file.
void selectRow(QTableView *table, const QString &name)
{
    QAbstractItemModel *model = table->model();
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->index(r, 0).data().toString() == name) {
            table->setCurrentIndex(model->index(r, 0));
            return;
        }
    }
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr, "usage: about_screenshots BUNDLE OUTDIR [COMPONENT]\n");
        return 2;
    }
    const QString bundle = QString::fromLocal8Bit(argv[1]);
    const QString out = QString::fromLocal8Bit(argv[2]);
    Result<formats::BundleManifest> manifest = formats::readManifest(bundle);
    if (!manifest) {
        std::fprintf(stderr, "%s\n", qPrintable(manifest.error().message));
        return 2;
    }
    AboutDialog dialog(AboutFacts{manifest->name, manifest->version, manifest->pythonVersion,
                                  manifest->signingPublicKey, bundle, appIcon(manifest->name)});
    dialog.show();
    bool ok = save(&dialog, out + u"/launcher-about.png"_s);
    QElapsedTimer timer;
    timer.start();
    dialog.showLicences();
    QDeadlineTimer deadline(20000);
    while (!dialog.inventoryLoaded() && !deadline.hasExpired())
        QTest::qWait(1);
    std::fprintf(stderr, "licences listed %lld ms after the tab was shown\n", timer.elapsed());
    selectRow(dialog.findChild<QTableView *>(u"licencesTable"_s),
              argc == 4 ? QString::fromLocal8Bit(argv[3]) : u"pip"_s);
    ok = save(&dialog, out + u"/launcher-about-licences.png"_s) && ok;
    return ok ? 0 : 1;
}
