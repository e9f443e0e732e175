// SPDX-License-Identifier: MIT
// Comparing a bundle on disk with its manifest (deskpack verify, the
// launcher's full check, the installer's tree check).
#include "bundlemanifest.h"

#include "base/fspath.h"

#include <QHash>
#include <QSet>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::formats {

namespace {

QString describeEntry(const BundleFile *entry)
{
    if (!entry)
        return u"a directory"_s;
    return entry->linkTarget.isEmpty() ? u"a file"_s : u"a link to %1"_s.arg(entry->linkTarget);
}

// What the manifest says should be there: its entries by path, and the
// directories it implies (the listed empty ones and every ancestor of an entry).
struct Expected
{
    QHash<QString, const BundleFile *> entries;
    QSet<QString> dirs;

    explicit Expected(const BundleManifest &manifest)
        : dirs(manifest.dirs.cbegin(), manifest.dirs.cend())
    {
        for (const BundleFile &f : manifest.files) {
            entries.insert(f.path, &f);
            addAncestors(f.path);
        }
        for (const QString &dir : manifest.dirs)
            addAncestors(dir);
    }

private:
    void addAncestors(const QString &path)
    {
        for (QString dir = parentOfRelative(path); !dir.isEmpty(); dir = parentOfRelative(dir)) {
            if (dirs.contains(dir))
                break;
            dirs.insert(dir);
        }
    }
};

// What the scan found: its entries by path, its directories, and the paths it
// called unsafe (reported as such, not again as missing).
struct Actual
{
    QHash<QString, const BundleFile *> entries;
    QSet<QString> dirs;
    QSet<QString> unsafePaths;

    explicit Actual(const BundleTree &tree)
        : dirs(tree.dirs.cbegin(), tree.dirs.cend())
    {
        for (const BundleFile &f : tree.files)
            entries.insert(f.path, &f);
        for (const QString &entry : std::as_const(tree.unsafe))
            unsafePaths.insert(entry.left(entry.indexOf(u": ")));
    }
};

// Why `have` is not `want`, or empty.
QString entryDifference(const BundleFile &want, const BundleFile &have)
{
    if (want.linkTarget != have.linkTarget)
        return u"%1: %2, expected %3"_s.arg(want.path, describeEntry(&have), describeEntry(&want));
    if (want.sha256 != have.sha256)
        return u"%1: content changed (sha256 %2, expected %3)"_s.arg(
            want.path, have.sha256.left(12), want.sha256.left(12));
    if (want.size != have.size)
        return u"%1: size %2, expected %3"_s.arg(want.path).arg(have.size).arg(want.size);
    if (want.executable && !have.executable)
        return u"%1: no longer executable"_s.arg(want.path);
    return {};
}

// Every manifest entry and listed directory against the disk.
void compareExpected(const BundleManifest &manifest, const Expected &expected, const Actual &actual,
                     VerifyReport &report)
{
    for (const BundleFile &want : manifest.files) {
        const BundleFile *have = actual.entries.value(want.path);
        if (!have) {
            if (actual.dirs.contains(want.path))
                report.changed.append(
                    u"%1: a directory, expected %2"_s.arg(want.path, describeEntry(&want)));
            else if (!actual.unsafePaths.contains(want.path))
                report.missing.append(want.path);
        } else if (const QString why = entryDifference(want, *have); !why.isEmpty()) {
            report.changed.append(why);
        }
    }
    for (const QString &dir : manifest.dirs) {
        // A file or link in its place is reported by reportExtra, as an entry
        // where a directory was expected.
        if (!actual.dirs.contains(dir) && !actual.entries.contains(dir) &&
            !actual.unsafePaths.contains(dir) && !expected.entries.contains(dir))
            report.missing.append(dir + u'/');
    }
}

// Every entry on disk the manifest does not know.
void reportExtra(const BundleTree &tree, const Expected &expected, VerifyReport &report)
{
    for (const BundleFile &f : tree.files) {
        if (expected.entries.contains(f.path))
            continue;
        if (expected.dirs.contains(f.path))
            report.changed.append(u"%1: %2, expected a directory"_s.arg(f.path, describeEntry(&f)));
        else if (f.linkTarget.isEmpty())
            report.extra.append(f.path);
        else
            report.extra.append(u"%1 (link to %2)"_s.arg(f.path, f.linkTarget));
    }
    for (const QString &dir : std::as_const(tree.dirs)) {
        if (!expected.dirs.contains(dir) && !expected.entries.contains(dir))
            report.extra.append(dir + u'/');
    }
}

} // namespace

Result<VerifyReport> verifyBundleFiles(const BundleManifest &manifest, const QString &bundleDir)
{
    Result<BundleTree> tree = scanBundleTree(bundleDir);
    if (!tree)
        return tree.error();
    const Expected expected(manifest);
    const Actual actual(*tree);
    VerifyReport report;
    report.unsafe = tree->unsafe;
    compareExpected(manifest, expected, actual, report);
    reportExtra(*tree, expected, report);
    std::sort(report.missing.begin(), report.missing.end());
    std::sort(report.changed.begin(), report.changed.end());
    std::sort(report.extra.begin(), report.extra.end());
    return report;
}

} // namespace deskpack::formats
