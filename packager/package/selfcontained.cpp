// SPDX-License-Identifier: MIT
#include "selfcontained.h"
#include "base/fileio.h"
#include "stagingtree.h"

#include "formats/bundlemanifest.h"
#include "runtime/elfaudit.h"
#include "runtime/elffile.h"
#include "runtime/runtimefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLibraryInfo>

namespace deskpack::package {

using namespace Qt::Literals::StringLiterals;

namespace {

// The plugin directories a Qt Widgets launcher loads from at run time: the
// platform (xcb for X11/XWayland, offscreen and minimal for headless runs),
// its GL integration, image formats and SVG icons. Wayland and platform
// themes are left to the system's Qt: they pull in most of a desktop.
const char *const pluginDirs[] = {"platforms", "xcbglintegrations", "imageformats", "iconengines"};
const char *const platformPlugins[] = {"libqxcb.so", "libqoffscreen.so", "libqminimal.so"};

bool needsQtGui(const QString &elf)
{
    Result<runtime::ElfInfo> info = runtime::readElf(elf);
    if (!info)
        return false;
    return info->needed.contains(u"libQt6Gui.so.6"_s) ||
           info->needed.contains(u"libQt6Widgets.so.6"_s);
}

// The copy must verify like the bundle it came from; only what staging
// added or patched is hashed again. Drops from `fromBundle` what staging wrote.
Result<void> writeStagedManifest(const QString &bundleDir, const QString &stagingDir,
                                 const formats::BundleManifest &verified, QStringList &fromBundle)
{
    formats::BundleManifest manifest = verified;
    Result<formats::BundleTree> scanned = rescanBundle(bundleDir, stagingDir, verified, fromBundle);
    if (!scanned)
        return scanned.error();
    manifest.files = std::move(scanned->files);
    manifest.dirs = std::move(scanned->emptyDirs);
    return writeStagingFile(stagingDir + u'/' + QLatin1StringView(formats::BundleManifest::FileName),
                            formats::serializeManifest(manifest));
}

} // namespace

Result<void> copyQtPlugins(const QString &root, QStringList &copied)
{
    const QString from = QLibraryInfo::path(QLibraryInfo::PluginsPath);
    for (const char *dirName : pluginDirs) {
        const QString dir = QLatin1StringView(dirName);
        QDir source(from + u'/' + dir);
        if (!source.exists())
            continue;
        QStringList names = source.entryList({u"*.so"_s}, QDir::Files, QDir::Name);
        if (dir == u"platforms") {
            QStringList wanted;
            for (const char *p : platformPlugins)
                wanted.append(QLatin1StringView(p));
            names.removeIf([&](const QString &n) { return !wanted.contains(n); });
        }
        for (const QString &name : std::as_const(names)) {
            const QString target = root + u"/plugins/"_s + dir + u'/' + name;
            QDir().mkpath(QFileInfo(target).absolutePath());
            if (Result<void> done = copyStagingFile(source.filePath(name), target); !done)
                return done.error();
            copied.append(u"plugins/"_s + dir + u'/' + name);
        }
    }
    return {};
}

QStringList rootElfFiles(const QString &bundleDir)
{
    QStringList out;
    const QFileInfoList entries =
        QDir(bundleDir).entryInfoList(QDir::Files | QDir::Hidden, QDir::Name);
    for (const QFileInfo &info : entries) {
        if (!info.isSymLink() && runtime::isElfFile(info.filePath()))
            out.append(info.fileName());
    }
    return out;
}

Result<SelfContainedTree> makeSelfContained(const QString &bundleDir, const QString &stagingDir)
{
    SelfContainedTree tree;
    tree.bundleDir = bundleDir;
    tree.root = bundleDir;
    tree.rootExecutables = rootElfFiles(bundleDir);
    if (tree.rootExecutables.isEmpty())
        return tree;

    Result<formats::BundleManifest> verified = formats::readManifest(bundleDir);
    if (!verified)
        return verified.error();
    Result<QStringList> staged = stageBundleTree(bundleDir, stagingDir);
    if (!staged)
        return staged.error();
    tree.fromBundle = std::move(*staged);
    tree.root = stagingDir;
    bool gui = false;
    for (const QString &name : std::as_const(tree.rootExecutables))
        gui = gui || needsQtGui(stagingDir + u'/' + name);
    if (gui) {
        if (Result<void> done = copyQtPlugins(stagingDir, tree.copiedPlugins); !done)
            return done.error();
    }

    runtime::ElfNormalizeOptions normalize;
    normalize.missing = runtime::MissingLibraries::CopyFromHost;
    normalize.libraryDir = stagingDir + u"/lib"_s;
    Result<runtime::ElfNormalizeReport> report = runtime::normalizeElfTree(stagingDir, normalize);
    if (!report)
        return report.error();
    if (!report->hostMissing.isEmpty())
        return makeError(ErrorKind::Environment,
                         u"%1: cannot make the bundle self-contained: %2"_s.arg(
                             bundleDir, report->hostMissing.join(u"; "_s)));
    tree.copiedLibraries = report->copiedLibraries;
    tree.copiedLibraries.sort();

    // Qt reads qt.conf beside the executable: plugins and libraries of the
    // bundle, never the build machine's compiled-in prefix.
    if (!tree.copiedLibraries.isEmpty() || !tree.copiedPlugins.isEmpty()) {
        if (Result<void> done = writeStagingFile(
                stagingDir + u"/qt.conf"_s, "[Paths]\nPrefix=.\nLibraries=lib\nPlugins=plugins\n");
            !done)
            return done.error();
    }

    if (Result<void> done = writeStagedManifest(bundleDir, stagingDir, *verified, tree.fromBundle);
        !done)
        return done.error();
    return tree;
}

Result<archive::WriteSummary> writeTreeArchive(const SelfContainedTree &tree, const QString &path,
                                               const archive::WriteOptions &options)
{
    if (tree.fromBundle.isEmpty())
        return archive::writeArchive(tree.root, path, options);
    const QString &prefix = options.topLevel;
    Result<QList<archive::ArchiveEntry>> entries = archive::listTree(tree.root, prefix);
    if (!entries)
        return entries.error();
    if (!prefix.isEmpty()) {
        archive::ArchiveEntry top;
        top.name = prefix;
        top.kind = archive::ArchiveEntry::Kind::Directory;
        entries->append(top);
    }
    for (const QString &relative : tree.fromBundle) {
        archive::ArchiveEntry file;
        file.name = prefix.isEmpty() ? relative : prefix + u'/' + relative;
        file.sourcePath = tree.bundleDir + u'/' + relative;
        file.executable = QFile::permissions(file.sourcePath) & QFile::ExeOwner;
        entries->append(file);
    }
    return archive::writeEntries(std::move(*entries), path, options);
}

} // namespace deskpack::package
