// SPDX-License-Identifier: MIT
// Stands in for the launcher in tst_package: a Qt GUI program that prints,
// as JSON, the platform plugin it loaded and the Qt libraries the loader
// mapped, so the test can prove they came from the unpacked bundle.
#include <QFile>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QSet<QString> mapped;
    QFile maps(u"/proc/self/maps"_s);
    if (maps.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : maps.readAll().split('\n')) {
            const qsizetype slash = line.indexOf('/');
            if (slash >= 0 && (line.contains("libQt6") || line.contains("/plugins/")))
                mapped.insert(QString::fromUtf8(line.mid(slash)));
        }
    }
    QJsonArray list;
    for (const QString &path : std::as_const(mapped))
        list.append(path);
    const QJsonObject out{{u"platform"_s, QGuiApplication::platformName()}, {u"mapped"_s, list}};
    std::fputs(QJsonDocument(out).toJson(QJsonDocument::Compact).constData(), stdout);
    return 0;
}
