// SPDX-License-Identifier: MIT
#include "distinfo.h"
#include "base/sha256.h"

#include "base/fileio.h"
#include "licences.h"
#include "lock/distmetadata.h"
#include "lock/lockfile.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::sbom {

namespace {

void storeField(DistMetadata &m, const QString &field, const QString &value)
{
    const QString key = field.toLower();
    const auto first = [&value](QString &slot) {
        if (slot.isEmpty())
            slot = value;
    };
    if (key == u"name")
        first(m.name);
    else if (key == u"version")
        first(m.version);
    else if (key == u"summary")
        first(m.summary);
    else if (key == u"license-expression")
        first(m.licenseExpression);
    else if (key == u"license")
        first(m.license);
    else if (key == u"classifier")
        m.classifiers.append(value);
    else if (key == u"requires-dist")
        m.requiresDist.append(value);
    else if (key == u"license-file")
        m.licenseFiles.append(value);
}

// Licence texts a dist-info carries: PEP 639's licenses/ tree, and the names
// setuptools and older backends copied into the dist-info itself.
bool isLicenseFileName(const QString &name)
{
    static const QRegularExpression pattern(u"^(LICEN[CS]E|COPYING|NOTICE|AUTHORS)"_s,
                                            QRegularExpression::CaseInsensitiveOption);
    return pattern.match(name).hasMatch();
}

QStringList licenseFilesOf(const QString &bundleDir, const QString &metadataDir,
                           const QStringList &declared)
{
    const QString root = QDir(bundleDir).filePath(metadataDir);
    QStringList found;
    for (const QString &name : declared) {
        // PEP 639 puts them under licenses/; setuptools before it, beside METADATA.
        for (const QString &candidate : QStringList{u"licenses/"_s + name, name}) {
            if (!name.contains(u".."_s) && QFileInfo(root + u'/' + candidate).isFile()) {
                found.append(metadataDir + u'/' + candidate);
                break;
            }
        }
    }
    QDirIterator licenses(root + u"/licenses"_s, QDir::Files, QDirIterator::Subdirectories);
    while (licenses.hasNext())
        found.append(metadataDir + u'/' + QDir(root).relativeFilePath(licenses.next()));
    for (const QString &name : QDir(root).entryList(QDir::Files)) {
        if (isLicenseFileName(name))
            found.append(metadataDir + u'/' + name);
    }
    found.sort();
    found.removeDuplicates();
    return found;
}

} // namespace

DistMetadata parseDistMetadata(QByteArrayView data)
{
    DistMetadata m;
    const lock::MetadataHeaders headers = lock::parseMetadataHeaders(data);
    m.malformedLines = headers.malformed;
    for (const lock::MetadataField &field : headers.fields) {
        if (!field.wellFormed)
            continue;
        QString value = field.value;
        for (const QString &line : field.continued)
            value += u'\n' + line.trimmed();
        storeField(m, field.name, value.trimmed());
    }
    return m;
}

QString requirementTarget(const QString &requiresDist)
{
    static const QRegularExpression name(u"^\\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)"_s);
    static const QRegularExpression extra(u"\\bextra\\s*(==|!=|~=|\\bin\\b)"_s);
    const qsizetype semicolon = requiresDist.indexOf(u';');
    if (semicolon >= 0 && extra.match(requiresDist.mid(semicolon + 1)).hasMatch())
        return {};
    const QRegularExpressionMatch m = name.match(requiresDist);
    return m.hasMatch() ? m.captured(1) : QString();
}

QString pypiPurl(const QString &name, const QString &version)
{
    const QByteArray encoded = QUrl::toPercentEncoding(version, "._-~");
    return u"pkg:pypi/%1@%2"_s.arg(lock::canonicalName(name), QString::fromLatin1(encoded));
}

Result<DistributionInfo> readDistribution(const QString &bundleDir, const QString &metadataDir)
{
    const QString root = QDir(bundleDir).filePath(metadataDir);
    const bool egg = metadataDir.endsWith(u".egg-info"_s);
    const QString metadataPath =
        QFileInfo(root).isFile() ? root : root + (egg ? u"/PKG-INFO"_s : u"/METADATA"_s);
    Result<QByteArray> data = readInputFile(metadataPath, 64 << 20, u"METADATA file"_s);
    if (!data)
        return data.error();
    const DistMetadata m = parseDistMetadata(*data);
    if (m.name.isEmpty() || m.version.isEmpty())
        return makeError(ErrorKind::Unreadable,
                         u"%1: no %2 field: not a distribution's core metadata"_s.arg(
                             metadataPath, m.name.isEmpty() ? u"Name:"_s : u"Version:"_s));
    DistributionInfo info;
    for (const QString &bad : m.malformedLines)
        info.warnings.append(u"%1: %2 (ignored)"_s.arg(metadataPath, bad));
    Component &c = info.component;
    c.kind = Component::Kind::Distribution;
    c.ref = u"pypi:"_s + lock::canonicalName(m.name);
    c.name = m.name;
    c.version = m.version;
    c.versionSource = VersionSource::Metadata;
    c.purl = pypiPurl(m.name, m.version);
    c.license = licenseFromMetadata(m.licenseExpression, m.license, m.classifiers);
    c.path = metadataDir;
    c.summary = m.summary;
    if (!QFileInfo(root).isFile())
        c.licenseFiles = licenseFilesOf(bundleDir, metadataDir, m.licenseFiles);
    const QString record = root + u"/RECORD"_s;
    if (Result<QByteArray> bytes = readInputFile(record, 256 << 20, u"RECORD file"_s)) {
        c.recordSha256 = QString::fromLatin1(Sha256::hash(*bytes).toHex());
    } else if (!egg) {
        info.warnings.append(
            u"%1: no RECORD; the distribution's files are not pinned by a hash"_s.arg(root));
    }
    for (const QString &line : m.requiresDist) {
        if (const QString target = requirementTarget(line); !target.isEmpty())
            info.requiresTargets.append(lock::canonicalName(target));
    }
    return info;
}

} // namespace deskpack::sbom
