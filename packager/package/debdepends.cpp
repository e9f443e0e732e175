// SPDX-License-Identifier: MIT
// What a .deb's Depends come from: the system libraries the bundle loads and
// the Debian packages that own them (dpkg-query).
#include "debpackage.h"
#include "base/childprocess.h"

#include "runtime/elfaudit.h"
#include "runtime/elffile.h"
#include "runtime/sharedlibraries.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSet>

namespace deskpack::package {

using namespace Qt::Literals::StringLiterals;

QStringList systemLibrariesNeeded(const QString &bundleDir)
{
    const QStringList elfs = runtime::elfFilesUnder(bundleDir);
    QSet<QString> carried;
    for (const QString &file : elfs) {
        carried.insert(QFileInfo(file).fileName());
        if (Result<runtime::ElfInfo> info = runtime::readElf(file); info && !info->soname.isEmpty())
            carried.insert(info->soname);
    }
    // Symlinked sonames (libfoo.so.1 -> libfoo.so.1.2.3) count as carried too.
    for (const QString &file : elfs) {
        const QDir dir = QFileInfo(file).absoluteDir();
        for (const QString &name : dir.entryList(QDir::System | QDir::Files | QDir::Hidden))
            carried.insert(name);
    }
    const runtime::HostLibrarySearch host = runtime::HostLibrarySearch::load();
    QSet<QString> out;
    for (const QString &file : elfs) {
        Result<runtime::ElfInfo> info = runtime::readElf(file);
        if (!info || !info->isLoadable())
            continue;
        if (!info->interpreter.isEmpty())
            out.insert(info->interpreter);
        for (const QString &soname : std::as_const(info->needed)) {
            if (carried.contains(soname))
                continue;
            const QString found = host.find(soname, *info, file);
            if (!found.isEmpty())
                out.insert(found);
        }
    }
    QStringList sorted(out.cbegin(), out.cend());
    sorted.sort();
    return sorted;
}

namespace {

// /lib/x -> /usr/lib/x and back: Debian 12 is /usr-merged, but dpkg's
// database still records some libraries under /lib.
QString mergedTwin(const QString &path)
{
    for (const QString &top : {u"/lib/"_s, u"/lib64/"_s, u"/bin/"_s, u"/sbin/"_s}) {
        if (path.startsWith(top))
            return u"/usr"_s + path;
        if (path.startsWith(u"/usr"_s + top))
            return path.mid(4);
    }
    return {};
}

} // namespace

Result<QStringList> debianPackagesOwning(const QStringList &files, QStringList *unowned)
{
    QStringList queries;
    QHash<QString, QString> queryFor; // candidate path -> the file asked about
    for (const QString &file : files) {
        QStringList candidates{file, QFileInfo(file).canonicalFilePath()};
        for (const QString &c : QStringList(candidates))
            candidates.append(mergedTwin(c));
        for (const QString &c : std::as_const(candidates)) {
            if (!c.isEmpty() && !queryFor.contains(c)) {
                queryFor.insert(c, file);
                queries.append(c);
            }
        }
    }
    QSet<QString> packages;
    QSet<QString> owned;
    if (!queries.isEmpty()) {
        ChildCommand command;
        command.program = u"dpkg-query"_s;
        command.arguments = QStringList{u"-S"_s} + queries;
        command.timeoutMs = 60'000;
        // Its exit code is 1 whenever one path has no owner: unowned files are
        // an answer here (reported below), not a failure.
        Result<ChildOutput> dpkg = runToCompletion(command);
        if (!dpkg)
            return makeError(ErrorKind::Environment,
                             u"cannot run dpkg-query to derive Depends (%1); on a system without "
                             "dpkg, pass --depends"_s.arg(dpkg.error().message));
        // "libc6:amd64: /lib/x86_64-linux-gnu/libc.so.6"; "a, b: path" when shared;
        // "diversion by ..." lines are not ownership.
        const QList<QByteArray> lines = dpkg->standardOutput.split('\n');
        for (const QByteArray &raw : lines) {
            const QString line = QString::fromUtf8(raw);
            const qsizetype sep = line.indexOf(u": /"_s);
            if (sep < 0 || line.startsWith(u"diversion "_s))
                continue;
            const QString path = line.mid(sep + 2).trimmed();
            if (!queryFor.contains(path))
                continue;
            owned.insert(queryFor.value(path));
            for (const QString &pkg : line.left(sep).split(u", "_s))
                packages.insert(pkg.section(u':', 0, 0).trimmed());
        }
    }
    if (unowned) {
        for (const QString &file : files) {
            if (!owned.contains(file))
                unowned->append(file);
        }
    }
    QStringList sorted(packages.cbegin(), packages.cend());
    sorted.sort();
    return sorted;
}

} // namespace deskpack::package
