// SPDX-License-Identifier: MIT
#include "appicon.h"

#include <QtEndian>

#include <algorithm>
#include <iterator>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::formats {

QByteArray generatedAppIconSvg(const QString &appName)
{
    const QString initial =
        appName.trimmed().isEmpty() ? u"D"_s : appName.trimmed().left(1).toUpper().toHtmlEscaped();
    const int side = 64;
    // The baseline a little below the middle: capitals of sans-serif faces
    // are about 0.72 of the font size high, so this centres them.
    const double fontSize = side * GeneratedIconLetterSize;
    const double baseline = side / 2.0 + fontSize * 0.36;
    return u"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%1\" height=\"%1\" "
           "viewBox=\"0 0 %1 %1\"><rect width=\"%1\" height=\"%1\" rx=\"%2\" fill=\"%3\"/>"
           "<text x=\"%4\" y=\"%5\" font-family=\"sans-serif\" font-weight=\"bold\" "
           "font-size=\"%6\" text-anchor=\"middle\" fill=\"#ffffff\">%7</text></svg>\n"_s.arg(side)
               .arg(side * GeneratedIconCornerRadius, 0, 'g', 4)
               .arg(QLatin1StringView(GeneratedIconBackground))
               .arg(side / 2)
               .arg(baseline, 0, 'g', 4)
               .arg(fontSize, 0, 'g', 4)
               .arg(initial)
               .toUtf8();
}

QSize pngImageSize(QByteArrayView png)
{
    if (png.size() < 24 || !png.startsWith("\x89PNG\r\n\x1a\n") || png.sliced(12, 4) != QByteArrayView("IHDR"))
        return {};
    const quint32 w = qFromBigEndian<quint32>(png.data() + 16);
    const quint32 h = qFromBigEndian<quint32>(png.data() + 20);
    if (w == 0 || h == 0 || w > 65535 || h > 65535)
        return {};
    return QSize(int(w), int(h));
}

bool isHicolorSize(int side)
{
    static const int sizes[] = {16, 22, 24, 32, 36, 48, 64, 72, 96, 128, 192, 256, 512};
    return std::find(std::begin(sizes), std::end(sizes), side) != std::end(sizes);
}

} // namespace deskpack::formats
