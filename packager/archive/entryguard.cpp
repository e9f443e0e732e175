// SPDX-License-Identifier: MIT
#include "entryguard.h"

#include <QRegularExpression>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::archive {

namespace {

constexpr int MaxSymlinkDepth = 40; // the kernel's own limit (ELOOP)

Error refused(const QString &name, const QString &why)
{
    return makeError(ErrorKind::Invalid, u"entry '%1' %2"_s.arg(name, why));
}

bool isAbsoluteName(const QString &name)
{
    static const QRegularExpression drive(u"^[A-Za-z]:"_s);
    return name.startsWith(u'/') || name.startsWith(u'\\') || drive.match(name).hasMatch();
}

} // namespace

Result<QStringList> EntryGuard::splitName(const QString &name)
{
    if (name.isEmpty())
        return refused(name, u"has an empty name"_s);
    if (name.contains(QChar(0)))
        return refused(name, u"has a NUL byte in its name"_s);
    if (isAbsoluteName(name))
        return refused(name, u"has an absolute path"_s);
    QStringList components;
    for (const QString &part : name.split(u'/', Qt::SkipEmptyParts)) {
        if (part == u".")
            continue;
        // A backslash is an ordinary character on Linux, but the same archive
        // unpacked on Windows (or by a tool that normalises zip names) would
        // climb out, so `..\` counts as a parent step wherever it appears.
        const QStringList pieces = part.split(u'\\');
        if (pieces.contains(u".."_s))
            return refused(name, u"has a '..' component"_s);
        components.append(part);
    }
    return components;
}

std::optional<QString> EntryGuard::symlinkAncestor(const QStringList &components) const
{
    QString prefix;
    for (qsizetype i = 0; i + 1 < components.size(); ++i) {
        prefix = prefix.isEmpty() ? components[i] : prefix + u'/' + components[i];
        if (m_symlinks.contains(prefix))
            return prefix;
    }
    return std::nullopt;
}

std::optional<QStringList> EntryGuard::resolve(QStringList from, const QString &target,
                                               int depth) const
{
    if (depth > MaxSymlinkDepth || target.isEmpty() || isAbsoluteName(target))
        return std::nullopt;
    for (const QString &part : target.split(u'/', Qt::SkipEmptyParts)) {
        if (part == u".")
            continue;
        if (part == u"..") {
            if (from.isEmpty())
                return std::nullopt;
            from.removeLast();
            continue;
        }
        if (part.split(u'\\').contains(u".."_s))
            return std::nullopt;
        from.append(part);
        const auto link = m_symlinks.constFind(from.join(u'/'));
        if (link != m_symlinks.constEnd()) {
            QStringList parent = from;
            parent.removeLast();
            std::optional<QStringList> resolved = resolve(parent, link.value(), depth + 1);
            if (!resolved)
                return std::nullopt;
            from = *resolved;
        }
    }
    return from;
}

Result<QString> EntryGuard::admit(const QString &name, EntryKind kind, const QString &linkTarget)
{
    if (kind == EntryKind::Special)
        return refused(name, u"is a device, fifo or socket"_s);
    Result<QStringList> components = splitName(name);
    if (!components)
        return components.error();
    const QString path = components->join(u'/');
    if (path.isEmpty()) {
        if (kind == EntryKind::Directory)
            return path;
        return refused(name, u"names the extraction root"_s);
    }
    if (const std::optional<QString> link = symlinkAncestor(*components)) {
        return refused(name, u"would be written through the symlink '%1'"_s.arg(*link));
    }
    if (m_symlinks.contains(path))
        return refused(name, u"replaces the symlink extracted before it"_s);

    switch (kind) {
    case EntryKind::File:
        m_files.insert(path);
        break;
    case EntryKind::Directory:
        m_files.remove(path);
        break;
    case EntryKind::Symlink: {
        QStringList parent = *components;
        parent.removeLast();
        if (linkTarget.isEmpty())
            return refused(name, u"is a symlink with an empty target"_s);
        if (isAbsoluteName(linkTarget)) {
            return refused(name, u"is a symlink to the absolute path '%1'"_s.arg(linkTarget));
        }
        if (!resolve(parent, linkTarget, 0)) {
            return refused(name,
                           u"is a symlink to '%1', which leaves the destination"_s.arg(linkTarget));
        }
        m_files.remove(path);
        m_symlinks.insert(path, linkTarget);
        break;
    }
    case EntryKind::Hardlink: {
        Result<QStringList> target = splitName(linkTarget);
        if (!target) {
            return refused(name,
                           u"is a hardlink to '%1', outside the destination"_s.arg(linkTarget));
        }
        if (!m_files.contains(target->join(u'/'))) {
            return refused(name, u"is a hardlink to '%1', which is not a file "
                                 "extracted before it"_s.arg(linkTarget));
        }
        m_files.insert(path);
        break;
    }
    case EntryKind::Special:
        break;
    }
    return path;
}

Result<void> EntryGuard::finalCheck() const
{
    // Sorted, so the entry a message names does not depend on hash order.
    QStringList links = m_symlinks.keys();
    links.sort();
    for (const QString &link : std::as_const(links)) {
        QStringList parent = link.split(u'/');
        parent.removeLast();
        if (!resolve(parent, m_symlinks.value(link), 0)) {
            return refused(link,
                           u"is a symlink to '%1', which leaves the "
                           "destination through other symlinks"_s.arg(m_symlinks.value(link)));
        }
    }
    return {};
}

} // namespace deskpack::archive
