// SPDX-License-Identifier: MIT
#include "appicon.h"

#include "formats/appicon.h"

#include <QPainter>
#include <QPixmap>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

// The app's initial on a rounded square, with a dot in the state's colour:
// bundles do not have to ship an icon. The same picture as the SVG the
// installer and the deb put in the icon theme (formats/appicon.h).
QIcon appIcon(const QString &name, const QString &dotColor)
{
    QIcon icon;
    for (int size : {16, 22, 32, 48, 64}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(QLatin1StringView(formats::GeneratedIconBackground)));
        const qreal radius = size * formats::GeneratedIconCornerRadius;
        p.drawRoundedRect(QRectF(0, 0, size, size), radius, radius);
        QFont font = p.font();
        font.setBold(true);
        font.setPixelSize(int(size * formats::GeneratedIconLetterSize));
        p.setFont(font);
        p.setPen(Qt::white);
        p.drawText(QRectF(0, 0, size, size), Qt::AlignCenter,
                   name.isEmpty() ? u"D"_s : name.left(1).toUpper());
        if (!dotColor.isEmpty()) {
            const qreal d = size * 0.38;
            p.setPen(QPen(Qt::white, qMax(1.0, size / 16.0)));
            p.setBrush(QColor(dotColor));
            p.drawEllipse(QRectF(size - d - 0.5, size - d - 0.5, d, d));
        }
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace deskpack::launcher
