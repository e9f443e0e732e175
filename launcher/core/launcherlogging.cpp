// SPDX-License-Identifier: MIT
#include "launcherlogging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

Q_LOGGING_CATEGORY(lcLauncher, "deskpack.launcher")

namespace {

QFile *g_log = nullptr;
bool g_toStderr = true;
QMutex g_mutex;

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const char *kind = "info";
    switch (type) {
    case QtDebugMsg:
        kind = "debug";
        break;
    case QtInfoMsg:
        kind = "info";
        break;
    case QtWarningMsg:
        kind = "warning";
        break;
    case QtCriticalMsg:
        kind = "critical";
        break;
    case QtFatalMsg:
        kind = "fatal";
        break;
    }
    const QByteArray line = QDateTime::currentDateTime().toString(Qt::ISODateWithMs).toUtf8() +
                            ' ' + kind + ' ' + (context.category ? context.category : "default") +
                            ": " + message.toUtf8() + '\n';
    const QMutexLocker locker(&g_mutex);
    if (g_log) {
        g_log->write(line);
        g_log->flush();
    }
    if (g_toStderr)
        std::fputs(line.constData(), stderr);
}

} // namespace

void installLauncherLog(const QString &dataDir, bool toStderr)
{
    const QString dir = QDir(dataDir).filePath(u"logs"_s);
    QDir().mkpath(dir);
    const QString path = QDir(dir).filePath(u"launcher.log"_s);
    if (QFileInfo(path).size() > 1024 * 1024) {
        QFile::remove(path + u".1"_s);
        QFile::rename(path, path + u".1"_s);
    }
    auto *file = new QFile(path);
    if (file->open(QIODevice::WriteOnly | QIODevice::Append)) {
        const QMutexLocker locker(&g_mutex);
        g_log = file;
    } else {
        delete file;
    }
    g_toStderr = toStderr;
    qInstallMessageHandler(handler);
}

} // namespace deskpack::launcher
