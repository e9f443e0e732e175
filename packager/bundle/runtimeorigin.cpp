// SPDX-License-Identifier: MIT
#include "runtimeorigin.h"

#include "base/childprocess.h"
#include "base/filehash.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::bundle {

namespace {

// The pyenv version directory holding `path`, or empty.
QString pyenvVersion(const QString &path)
{
    QStringList roots;
    if (const QString root = qEnvironmentVariable("PYENV_ROOT"); !root.isEmpty())
        roots.append(QDir::cleanPath(root));
    roots.append(QDir::homePath() + u"/.pyenv"_s);
    for (const QString &root : std::as_const(roots)) {
        const QString versions = root + u"/versions/"_s;
        if (path.startsWith(versions))
            return path.mid(versions.size()).section(u'/', 0, 0);
    }
    return {};
}

// dpkg-query's one-line answer, or empty when dpkg is absent or says no.
QString dpkgQuery(const QStringList &arguments)
{
    const QString dpkg = QStandardPaths::findExecutable(u"dpkg-query"_s);
    if (dpkg.isEmpty())
        return {};
    Result<ChildOutput> out = runToCompletion({dpkg, arguments, {}, {}, {}, 30'000});
    if (!out || out->exitCode != 0)
        return {};
    return QString::fromUtf8(out->standardOutput).section(u'\n', 0, 0).trimmed();
}

} // namespace

formats::RuntimeOrigin hostRuntimeOrigin(const QString &executable, const QString &prefix)
{
    formats::RuntimeOrigin origin;
    // Debian's /usr/bin/python3 is a link to python3.11: dpkg owns both names,
    // pyenv's shims do not, so the real file decides.
    const QString real = QFileInfo(executable).canonicalFilePath();
    const QString path = real.isEmpty() ? QDir::cleanPath(executable) : real;
    if (const QString version = pyenvVersion(path); !version.isEmpty()) {
        origin.kind = u"pyenv"_s;
        origin.source = version;
        return origin;
    }
    // "python3.11-minimal: /usr/bin/python3.11"; a diversion line has no ':' first.
    for (const QString &candidate : {path, QDir::cleanPath(executable)}) {
        const QString owner = dpkgQuery({u"-S"_s, candidate});
        const qsizetype colon = owner.indexOf(u": "_s);
        if (colon <= 0)
            continue;
        origin.kind = u"debian"_s;
        origin.source = candidate;
        origin.package = owner.left(colon).section(u',', 0, 0).trimmed();
        origin.packageVersion = dpkgQuery({u"-W"_s, u"-f=${Version}"_s, origin.package});
        return origin;
    }
    origin.kind = u"prefix"_s;
    origin.source = QFileInfo(QDir::cleanPath(prefix)).fileName();
    return origin;
}

formats::RuntimeOrigin archiveRuntimeOrigin(const QString &archive, const QString &knownSha256)
{
    formats::RuntimeOrigin origin;
    origin.kind = u"archive"_s;
    origin.source = QFileInfo(archive).fileName();
    if (!knownSha256.isEmpty()) {
        origin.sha256 = knownSha256.toLower();
    } else if (Result<QString> sha = sha256OfFile(archive)) {
        origin.sha256 = *sha;
    }
    return origin;
}

} // namespace deskpack::bundle
