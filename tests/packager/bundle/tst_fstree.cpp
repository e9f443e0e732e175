// SPDX-License-Identifier: MIT
// The bundle tree helpers never follow a link to a directory: copying keeps
// it a link, sizes and mtimes stop at it, and pruning does not reach through it.
#include "bundle/fstree.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace deskpack;
using namespace deskpack::bundle;
using namespace Qt::Literals::StringLiterals;

namespace {

void writeFile(const QString &path, const QByteArray &data)
{
    QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(data), data.size());
}

qint64 linkMtime(const QString &path)
{
    struct stat st = {};
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return qint64(st.st_mtime);
}

} // namespace

class TestFsTree : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_source;
    QString m_outside;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_source = m_dir.filePath(u"src"_s);
        m_outside = m_dir.filePath(u"outside"_s);
        writeFile(m_source + u"/pkg/mod.py"_s, "x = 1\n");
        writeFile(m_outside + u"/tests/big.bin"_s, QByteArray(4096, 'x'));
        QVERIFY(QFile::link(m_outside, m_source + u"/external"_s));
        QVERIFY(QFile::link(u"pkg"_s, m_source + u"/alias"_s));
        QVERIFY(QFile::link(m_outside + u"/tests"_s, m_source + u"/tests"_s));
    }

    void copyKeepsDirectoryLinksAsLinks()
    {
        const QString copy = m_dir.filePath(u"copy"_s);
        QVERIFY(copyTree(m_source, copy).ok());
        for (const QString &name : {u"external"_s, u"alias"_s, u"tests"_s}) {
            const QFileInfo info(copy + u'/' + name);
            QVERIFY2(info.isSymLink(), qPrintable(name));
        }
        QCOMPARE(QFileInfo(copy + u"/alias"_s).symLinkTarget(), copy + u"/pkg"_s);
    }

    void sizeStopsAtLinks()
    {
        const TreeSize size = treeSize(m_source);
        QCOMPARE(size.files, 1);
        QCOMPARE(size.bytes, 6);
    }

    void mtimeTouchesLinksNotTargets()
    {
        const qint64 before =
            QFileInfo(m_outside + u"/tests/big.bin"_s).lastModified().toSecsSinceEpoch();
        QVERIFY(setTreeMtime(m_source, 315532800).ok());
        QCOMPARE(linkMtime(m_source + u"/external"_s), 315532800);
        QCOMPARE(linkMtime(m_source + u"/pkg/mod.py"_s), 315532800);
        QCOMPARE(QFileInfo(m_outside + u"/tests/big.bin"_s).lastModified().toSecsSinceEpoch(),
                 before);
        QVERIFY(linkMtime(m_outside) != 315532800);
    }

    void pruningDoesNotReachThroughLinks()
    {
        QCOMPARE(removeDirectoriesNamed(m_source, u"tests"_s), 0);
        QVERIFY(QFileInfo::exists(m_outside + u"/tests/big.bin"_s));
    }
};

QTEST_GUILESS_MAIN(TestFsTree)
#include "tst_fstree.moc"
