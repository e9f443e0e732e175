// SPDX-License-Identifier: MIT
#pragma once

// The running-instance channel of a launcher, shared by the launcher (which
// holds it) and the installer (which asks it to quit before it replaces or
// removes the files under it). One launcher runs per data directory: it holds
// <data>/launcher.lock (QLockFile: pid, host, program) and listens on a local
// socket named after the data directory. A client writes one request line and
// reads one answer line:
//
//   activate\n          -> ok\n         (the window comes forward)
//   quit <reason>\n     -> ok\n         (the backend is stopped gracefully and the launcher exits;
//                                        the lock is released when it has)
//                       -> refused\n    (the user chose to keep the app open)
//
// <reason> is for people ("upgrade to 1.0.1", "uninstall") and shown in the
// launcher's question "<App> must close for <reason>.". Launchers before the
// quit request answer "ok\n" to any line and keep running: a client trusts the
// lock, not the answer.
#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace deskpack::formats {

// <dataDir>/launcher.lock
QString instanceLockPath(const QString &dataDir);

// "deskpack-launcher-" + the first 20 hex digits of SHA-256 over the absolute
// data directory: short enough for any socket path, the same for every process
// that names the same directory.
QString instanceServerName(const QString &dataDir);

inline constexpr char InstanceActivateRequest[] = "activate\n";
inline constexpr char InstanceOkAnswer[] = "ok\n";
inline constexpr char InstanceRefusedAnswer[] = "refused\n";
// No request line is longer: a peer sending more is not a launcher client.
inline constexpr int InstanceMaxLine = 1024;

// "quit <reason>\n"; line breaks in `reason` become spaces, and it is cut to
// fit InstanceMaxLine.
QByteArray instanceQuitRequest(const QString &reason);

struct InstanceRequest
{
    enum class Kind
    {
        Activate,
        Quit,
        Unknown,
    };
    Kind kind = Kind::Unknown;
    QString reason; // Quit only
};

// One request line as read (with its "\n").
InstanceRequest parseInstanceRequest(QByteArrayView line);

} // namespace deskpack::formats
