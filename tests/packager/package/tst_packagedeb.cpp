// SPDX-License-Identifier: MIT
// The deb of `deskpack package`: built twice with identical bytes, ar members
// in order, read by dpkg-deb, lintian errors only those docs/release-
// engineering.md lists as not applicable, and a real `dpkg -i`: the installed
// app verifies and runs, `dpkg -V` finds nothing changed, `dpkg -r` leaves
// nothing under /opt/<app-id>. Needs root (dpkg -i); CI runs as root.
#include "packagetestutil.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString appId = u"deskpack-demo"_s;

// ar member names in order.
QStringList arMembers(const QByteArray &ar)
{
    QStringList out;
    if (!ar.startsWith("!<arch>\n"))
        return out;
    qsizetype at = 8;
    while (at + 60 <= ar.size()) {
        const QByteArray header = ar.mid(at, 60);
        out.append(QString::fromLatin1(header.left(16)).trimmed());
        const qsizetype size = header.mid(48, 10).trimmed().toLongLong();
        at += 60 + size + (size % 2);
    }
    return out;
}

bool isInstalled()
{
    const auto r = test::runProcess(u"dpkg-query"_s, {u"-W"_s, u"-f=${Status}"_s, appId});
    return r.exitCode == 0 && r.out.contains("installed") && !r.out.contains("not-installed");
}

// Also after `dpkg -r`: a package with maintainer scripts stays known to dpkg
// ("rc", config-files) until purged.
bool isKnown()
{
    return test::runProcess(u"dpkg-query"_s, {u"-W"_s, appId}).exitCode == 0;
}

void purge()
{
    if (isKnown() || QFileInfo::exists(u"/opt/"_s + appId))
        test::runProcess(u"dpkg"_s, {u"--purge"_s, appId});
}

} // namespace

class TestPackageDeb : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_work;
    QString m_bundle;
    QString m_deb;

    test::ProcessResult package(const QString &out)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"SOURCE_DATE_EPOCH"_s, u"1700000000"_s);
        // Level 1: the bytes' reproducibility does not depend on the level,
        // and xz -6 of the runtime takes minutes on a loaded machine.
        return test::runDeskpack({u"package"_s, m_bundle, u"--format"_s, u"deb"_s, u"--out"_s, out,
                                  u"--compression-level"_s, u"1"_s, u"--json"_s},
                                 env);
    }

    // The package the reading tests use: the one reproducible() made, or one
    // built here, so each of them also runs alone.
    void ensureDeb()
    {
        if (!m_deb.isEmpty())
            return;
        const auto built = package(m_work.filePath(u"deb1"_s));
        QVERIFY2(built.exitCode == 0, built.err.constData());
        m_deb = QJsonDocument::fromJson(built.out).object()[u"package"_s].toString();
        QVERIFY(!m_deb.isEmpty());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        for (const char *tool : {"/usr/bin/dpkg-deb", "/usr/bin/dpkg", "/usr/bin/lintian"}) {
            QVERIFY2(QFileInfo(QLatin1StringView(tool)).isExecutable(),
                     qPrintable(u"%1 is missing (scripts/setup.sh installs it)"_s.arg(
                         QLatin1StringView(tool))));
        }
        QString error;
        m_bundle = test::buildDemoBundle(m_work.filePath(u"demo"_s), &error);
        QVERIFY2(!m_bundle.isEmpty(), qPrintable(error));
    }

    void reproducible()
    {
        const auto first = package(m_work.filePath(u"deb1"_s));
        QVERIFY2(first.exitCode == 0, first.err.constData());
        const auto second = package(m_work.filePath(u"deb2"_s));
        QVERIFY2(second.exitCode == 0, second.err.constData());
        m_deb = QJsonDocument::fromJson(first.out).object()[u"package"_s].toString();
        QCOMPARE(QFileInfo(m_deb).fileName(), u"deskpack-demo_1.0.0_amd64.deb"_s);
        const QByteArray bytes = test::readAllOf(m_deb);
        QVERIFY(bytes.size() > 1000000);
        QVERIFY2(bytes ==
                     test::readAllOf(
                         QJsonDocument::fromJson(second.out).object()[u"package"_s].toString()),
                 "two builds differ");
        QCOMPARE(arMembers(bytes),
                 (QStringList{u"debian-binary"_s, u"control.tar.xz"_s, u"data.tar.xz"_s}));
        QVERIFY(bytes.mid(68, 4) == "2.0\n");
    }

    void dpkgDebReadsIt()
    {
        ensureDeb();
        if (QTest::currentTestFailed())
            return;
        const auto info = test::runProcess(u"dpkg-deb"_s, {u"--info"_s, m_deb});
        QVERIFY2(info.exitCode == 0, info.err.constData());
        for (const char *field :
             {"Package: deskpack-demo\n", "Version: 1.0.0\n", "Architecture: amd64\n",
              "Maintainer: ", "Installed-Size: ", "Depends: ", "Description: "})
            QVERIFY2(info.out.contains(field), info.out.constData());
        // Depends comes from dpkg -S on the libraries the runtime loads from
        // the system: glibc at least.
        QVERIFY2(QRegularExpression(u"Depends: .*\\blibc6\\b"_s)
                     .match(QString::fromUtf8(info.out))
                     .hasMatch(),
                 info.out.constData());
        const auto contents = test::runProcess(u"dpkg-deb"_s, {u"--contents"_s, m_deb});
        QVERIFY2(contents.exitCode == 0, contents.err.constData());
        const QString listing = QString::fromUtf8(contents.out);
        for (const QString &line : listing.split(u'\n', Qt::SkipEmptyParts))
            QVERIFY2(line.contains(u" root/root "_s) || line.contains(u" 0/0 "_s),
                     qPrintable(line));
        for (const QString &expected :
             {u"./opt/deskpack-demo/bundle.json"_s,
              u"./opt/deskpack-demo/runtime/bin/python3 -> python3.11"_s,
              u"./usr/bin/deskpack-demo -> /opt/deskpack-demo/deskpack-demo"_s,
              u"./usr/share/applications/deskpack-demo.desktop"_s,
              u"./usr/share/icons/hicolor/scalable/apps/deskpack-demo.svg"_s,
              u"./usr/share/doc/deskpack-demo/copyright"_s})
            QVERIFY2(listing.contains(expected), qPrintable(expected));
        QVERIFY(QRegularExpression(u"-rwxr-xr-x .* ./opt/deskpack-demo/runtime/bin/python3.11\n"_s)
                    .match(listing)
                    .hasMatch());
    }

    // With a Qt executable at the root (qtguiprobe standing in for the
    // launcher), Depends names the Debian packages of the Qt libraries it
    // loads, and the deb carries no Qt of its own.
    void dependsFromRootExecutable()
    {
        const QString bundle = m_work.filePath(u"gui/Deskpack Demo"_s);
        QDir().mkpath(QFileInfo(bundle).absolutePath());
        QVERIFY(test::copyTree(m_bundle, bundle));
        const QString probe = test::binDir() + u"/qtguiprobe"_s;
        QVERIFY2(QFileInfo(probe).isExecutable(), "qtguiprobe was not built");
        QFile::remove(bundle + u'/' + appId); // the real launcher, once builds ship it
        QVERIFY(QFile::copy(probe, bundle + u'/' + appId));
        QFile::setPermissions(bundle + u'/' + appId, QFile::permissions(probe));
        QVERIFY(test::remanifest(bundle));
        const auto r = test::runDeskpack({u"package"_s, bundle, u"--format"_s, u"deb"_s, u"--out"_s,
                                          m_work.filePath(u"gui-deb"_s), u"--compression-level"_s,
                                          u"0"_s, u"--json"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject summary = QJsonDocument::fromJson(r.out).object();
        QStringList depends;
        for (const auto &d : summary[u"depends"_s].toArray())
            depends.append(d.toString());
        for (const QString &expected : {u"libc6"_s, u"libqt6core6"_s, u"libqt6gui6"_s})
            QVERIFY2(depends.contains(expected), qPrintable(depends.join(u", "_s)));
        QVERIFY(summary[u"bundledLibraries"_s].toArray().isEmpty());
        const auto info = test::runProcess(
            u"dpkg-deb"_s, {u"--field"_s, summary[u"package"_s].toString(), u"Depends"_s});
        QCOMPARE(info.out.trimmed(), depends.join(u", "_s).toUtf8());
        const auto contents =
            test::runProcess(u"dpkg-deb"_s, {u"--contents"_s, summary[u"package"_s].toString()});
        QVERIFY(!contents.out.contains("libQt6"));
        QVERIFY(contents.out.contains("./opt/deskpack-demo/deskpack-demo\n"));
    }

    // Every error lintian reports must be listed, with its reason, in
    // docs/release-engineering.md as not applicable to a third-party /opt package.
    void lintianErrorsDocumented()
    {
        ensureDeb();
        if (QTest::currentTestFailed())
            return;
        const QByteArray doc =
            test::readAllOf(test::sourceDir() + u"/docs/release-engineering.md"_s);
        QVERIFY2(!doc.isEmpty(), "docs/release-engineering.md is missing");
        const auto lint =
            test::runProcess(u"lintian"_s, {u"--no-tag-display-limit"_s, m_deb}, {}, 600000);
        QVERIFY2(lint.exitCode == 0 || lint.exitCode == 1 || lint.exitCode == 2,
                 lint.err.constData());
        QStringList errors;
        static const QRegularExpression tag(u"^E: deskpack-demo: ([a-z0-9-]+)"_s,
                                            QRegularExpression::MultilineOption);
        auto it = tag.globalMatch(QString::fromUtf8(lint.out));
        while (it.hasNext())
            errors.append(it.next().captured(1));
        errors.removeDuplicates();
        QVERIFY2(errors.contains(u"dir-or-file-in-opt"_s), lint.out.left(2000).constData());
        for (const QString &error : std::as_const(errors))
            QVERIFY2(doc.contains(QString(u"| `"_s + error + u"` |"_s).toUtf8()),
                     qPrintable(
                         u"lintian error %1 is not explained in docs/release-engineering.md"_s.arg(
                             error)));
        // Ones the packager itself can get right stay fixed.
        for (const char *fixed : {"no-copyright-file", "no-changelog", "description-is-pkg-name",
                                  "md5sums-lists-nonexistent-file", "control-file-has-bad-owner",
                                  "wrong-file-owner-uid-or-gid"})
            QVERIFY2(!errors.contains(QLatin1StringView(fixed)), fixed);
    }

    void installRunRemove()
    {
        ensureDeb();
        if (QTest::currentTestFailed())
            return;
        if (::geteuid() != 0)
            SKIP_OR_FAIL_IN_CI("dpkg -i needs root; CI runs the tests as root");
        purge();
        QVERIFY2(!QFileInfo::exists(u"/opt/"_s + appId),
                 "a previous /opt/deskpack-demo is in the way");
        auto cleanup = qScopeGuard([] { purge(); });

        const auto install = test::runProcess(u"dpkg"_s, {u"-i"_s, m_deb}, {}, 300000);
        QVERIFY2(install.exitCode == 0, install.err.constData());
        QVERIFY(isInstalled());
        const QString opt = u"/opt/"_s + appId;
        QVERIFY(QFileInfo::exists(opt + u"/bundle.json"_s));
        QCOMPARE(QFileInfo(u"/usr/bin/"_s + appId).symLinkTarget(), opt + u'/' + appId);
        QVERIFY(QFileInfo::exists(u"/usr/share/applications/deskpack-demo.desktop"_s));
        const QByteArray desktop =
            test::readAllOf(u"/usr/share/applications/deskpack-demo.desktop"_s);
        QVERIFY2(desktop.contains("Exec=/usr/bin/deskpack-demo\n") &&
                     desktop.contains("Icon=deskpack-demo\n"),
                 desktop.constData());
        QVERIFY(QFileInfo::exists(u"/usr/share/icons/hicolor/scalable/apps/deskpack-demo.svg"_s));
        // The files dpkg installed are the ones md5sums lists, and the bundle verifies.
        const auto dpkgVerify = test::runProcess(u"dpkg"_s, {u"-V"_s, appId});
        QVERIFY2(dpkgVerify.exitCode == 0 && dpkgVerify.out.isEmpty(), dpkgVerify.out.constData());
        const auto verify = test::runDeskpack({u"verify"_s, opt});
        QVERIFY2(verify.exitCode == 0, verify.err.constData());

        const QString launcher = opt + u'/' + appId;
        if (QFileInfo(launcher).isExecutable()) {
            // The launcher has landed: the installed app as users start it.
            const auto run = test::runProcess(
                u"/usr/bin/"_s + appId, {u"--headless"_s, u"--exit-when-ready"_s}, {}, 120000);
            QVERIFY2(run.exitCode == 0, run.err.constData());
        } else {
            // No launcher yet: start the backend as the launcher will, with the
            // bundled interpreter, and probe its /status.
            QProcess backend;
            backend.setProcessEnvironment(QProcessEnvironment());
            backend.start(opt + u"/runtime/bin/python3.11"_s,
                          {u"-s"_s, opt + u"/resources/launch_backend.py"_s, opt});
            QVERIFY2(backend.waitForStarted(), qPrintable(backend.errorString()));
            auto stop = qScopeGuard([&] {
                backend.terminate();
                if (!backend.waitForFinished(10000)) {
                    backend.kill();
                    backend.waitForFinished();
                }
            });
            static const QRegularExpression serving(u"serving (http://\\S+/status)"_s);
            QString url;
            QTRY_VERIFY_WITH_TIMEOUT(
                (url = serving.match(QString::fromUtf8(backend.peek(4096))).captured(1),
                 !url.isEmpty() || backend.state() == QProcess::NotRunning),
                30000);
            QVERIFY2(!url.isEmpty(), backend.readAllStandardError().constData());
            const auto probe = test::runPythonScript(
                u"import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], "
                "timeout=10).read().decode())"_s,
                {url});
            QVERIFY2(probe.exitCode == 0, probe.err.constData());
            const QJsonObject status = QJsonDocument::fromJson(probe.out).object();
            QVERIFY2(!status.isEmpty(), probe.out.constData());
            QVERIFY2(probe.out.contains(opt.toUtf8()), probe.out.constData());
            // Run as root, Python cached bytecode under /opt, in files dpkg
            // does not own: the postrm must still leave nothing behind.
            QVERIFY(QFileInfo::exists(opt + u"/app/demo_backend/__pycache__"_s));
        }

        const auto remove = test::runProcess(u"dpkg"_s, {u"-r"_s, appId}, {}, 300000);
        QVERIFY2(remove.exitCode == 0, remove.err.constData());
        QVERIFY2(!QFileInfo::exists(opt), test::runProcess(u"find"_s, {opt}).out.constData());
        QVERIFY(!QFileInfo(u"/usr/bin/"_s + appId).isSymLink());
        QVERIFY(!QFileInfo::exists(u"/usr/share/applications/deskpack-demo.desktop"_s));
        const auto purged = test::runProcess(u"dpkg"_s, {u"--purge"_s, appId}, {}, 300000);
        QVERIFY2(purged.exitCode == 0, purged.err.constData());
        QVERIFY(!isKnown());
    }

    void cleanupTestCase()
    {
        if (::geteuid() == 0)
            purge();
    }
};

QTEST_GUILESS_MAIN(TestPackageDeb)
#include "tst_packagedeb.moc"
