// SPDX-License-Identifier: MIT
#pragma once

// What the signing suites that run `deskpack` and Debian's minisign share.

#include "common/testutil.h"

#include <QFile>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QTest>

namespace deskpack::test {

inline QString minisign()
{
    return u"/usr/bin/minisign"_s;
}

inline bool haveMinisign()
{
    return QFileInfo(minisign()).isExecutable();
}

// The environment with DESKPACK_KEY_PASSWORD set (or removed when empty).
inline QProcessEnvironment withPassword(const QByteArray &password)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"DESKPACK_KEY_PASSWORD"_s);
    if (!password.isEmpty())
        env.insert(u"DESKPACK_KEY_PASSWORD"_s, QString::fromUtf8(password));
    // Keys deskpack makes in tests: scrypt's interactive cost, not 1 GiB.
    env.insert(u"DESKPACK_TEST_SCRYPT_COST"_s, u"interactive"_s);
    return env;
}

// minisign reads passwords from stdin when it is no terminal.
inline ProcessResult runMinisign(const QStringList &arguments, const QByteArray &input = {})
{
    return runProcess(minisign(), arguments, input, 120000);
}

inline QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline void writeAll(const QString &path, const QByteArray &data)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
        qFatal("cannot write a test file");
}

} // namespace deskpack::test

#define REQUIRE_MINISIGN()                                                                         \
    do {                                                                                           \
        if (!::deskpack::test::haveMinisign())                                                     \
            SKIP_OR_FAIL_IN_CI("/usr/bin/minisign is missing (apt-get install minisign)");         \
    } while (false)
