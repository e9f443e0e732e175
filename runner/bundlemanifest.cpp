// SPDX-License-Identifier: MIT
#include "bundlemanifest.h"

#include "base/filehash.h"
#include "base/parallel.h"
#include "base/jsontext.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>

using nlohmann::json;

namespace deskpack::runner {

namespace {

std::string s(const QString &value)
{
    return value.toStdString();
}

const char *kindName(Readiness::Kind kind)
{
    switch (kind) {
    case Readiness::Kind::Http:
        return "http";
    case Readiness::Kind::Tcp:
        return "tcp";
    case Readiness::Kind::Heartbeat:
        return "heartbeat";
    }
    return "heartbeat";
}

class ManifestReader
{
public:
    explicit ManifestReader(QString file)
        : m_file(std::move(file))
    {
    }
    QStringList errors;

    QString string(const json &object, const char *key, bool required = true)
    {
        const auto it = object.find(key);
        if (it == object.end() || it->is_null()) {
            if (required)
                errors.append(
                    QStringLiteral("%1: missing key \"%2\"").arg(m_file, QLatin1StringView(key)));
            return {};
        }
        if (!it->is_string()) {
            errors.append(
                QStringLiteral("%1: \"%2\" must be a string").arg(m_file, QLatin1StringView(key)));
            return {};
        }
        return QString::fromStdString(it->get<std::string>());
    }

    // Paths in a manifest must stay inside the bundle.
    QString relativePath(const json &object, const char *key, bool required = true)
    {
        const QString value = string(object, key, required);
        if (!value.isEmpty() &&
            (QDir::isAbsolutePath(value) || value.split(u'/').contains(u".."_qs)))
            errors.append(QStringLiteral("%1: \"%2\" must be a path inside the bundle, got %3")
                              .arg(m_file, QLatin1StringView(key), value));
        return value;
    }

private:
    QString m_file;
};

// The link's own target text (QFileInfo::readSymLink needs Qt 6.6).
QString readLink(const QString &path)
{
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(QFile::encodeName(path).toStdString(), ec);
    return ec ? QString() : QString::fromStdString(target.string());
}

} // namespace

QByteArray serializeManifest(const BundleManifest &m)
{
    json root;
    root["schema"] = BundleManifest::SchemaVersion;
    root["id"] = s(m.id);
    root["name"] = s(m.name);
    root["version"] = s(m.version);
    json entry;
    if (!m.entryModule.isEmpty())
        entry["module"] = s(m.entryModule);
    else
        entry["script"] = s(m.entryScript);
    entry["args"] = json::array();
    for (const QString &a : m.entryArgs)
        entry["args"].push_back(s(a));
    root["entry"] = entry;
    json readiness{{"kind", kindName(m.readiness.kind)}, {"timeout", m.readiness.timeoutSeconds}};
    if (m.readiness.kind == Readiness::Kind::Http)
        readiness["url"] = s(m.readiness.url);
    if (m.readiness.kind == Readiness::Kind::Tcp)
        readiness["port"] = m.readiness.port;
    root["readiness"] = readiness;
    root["python"] = s(m.python);
    root["pythonVersion"] = s(m.pythonVersion);
    root["coreSitePackages"] = s(m.coreSitePackages);
    root["lock"] = s(m.lock);
    root["lockEnv"] = BundleManifest::LockEnvironmentVariable;
    root["lockEnvAlias"] = m.lockEnvAlias.isEmpty() ? json(nullptr) : json(s(m.lockEnvAlias));
    root["env"] = json::object();
    for (const auto &[k, v] : m.env)
        root["env"][s(k)] = s(v);
    root["launcher"] = m.launcher.isEmpty() ? json(nullptr) : json(s(m.launcher));
    root["icon"] = m.icon.isEmpty() ? json(nullptr) : json(s(m.icon));
    json files = json::object();
    for (const BundleFile &f : m.files) {
        json e;
        if (!f.linkTarget.isEmpty()) {
            e["link"] = s(f.linkTarget);
        } else {
            e["sha256"] = s(f.sha256);
            e["size"] = f.size;
            if (f.executable)
                e["executable"] = true;
        }
        files[s(f.path)] = e;
    }
    root["files"] = files;
    std::string text = root.dump(2, ' ', false, json::error_handler_t::replace);
    text.push_back('\n');
    return QByteArray::fromStdString(text);
}

Result<BundleManifest> readManifest(const QString &bundleDir)
{
    const QString path = QDir(bundleDir).filePath(QLatin1StringView(BundleManifest::FileName));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         QStringLiteral("%1: cannot read: %2 (is %3 a Deskpack bundle?)")
                             .arg(path, file.errorString(), bundleDir));
    const QByteArray data = file.read(256 << 20);
    Result<json> parsed = parseJsonText(data, path, 16);
    if (!parsed)
        return parsed.error();
    const json &root = *parsed;
    if (!root.is_object())
        return makeError(ErrorKind::Unreadable,
                         QStringLiteral("%1: expected a JSON object").arg(path));
    if (root.value("schema", 0) != BundleManifest::SchemaVersion)
        return makeError(ErrorKind::Unreadable,
                         QStringLiteral("%1: unsupported schema %2 (this Deskpack reads %3)")
                             .arg(path, QString::fromStdString(root.value("schema", json()).dump()))
                             .arg(BundleManifest::SchemaVersion));
    ManifestReader r(path);
    BundleManifest m;
    m.id = r.string(root, "id");
    m.name = r.string(root, "name");
    m.version = r.string(root, "version");
    const json entry = root.value("entry", json::object());
    m.entryModule = r.string(entry, "module", false);
    m.entryScript = r.relativePath(entry, "script", false);
    if (m.entryModule.isEmpty() == m.entryScript.isEmpty())
        r.errors.append(
            QStringLiteral("%1: entry needs exactly one of \"module\" or \"script\"").arg(path));
    for (const auto &a : entry.value("args", json::array())) {
        if (a.is_string())
            m.entryArgs.append(QString::fromStdString(a.get<std::string>()));
    }
    const json readiness = root.value("readiness", json::object());
    const QString kind = r.string(readiness, "kind");
    if (kind == u"http") {
        m.readiness.kind = Readiness::Kind::Http;
        m.readiness.url = r.string(readiness, "url");
    } else if (kind == u"tcp") {
        m.readiness.kind = Readiness::Kind::Tcp;
        m.readiness.port = readiness.value("port", 0);
    } else if (kind == u"heartbeat") {
        m.readiness.kind = Readiness::Kind::Heartbeat;
    } else if (!kind.isEmpty()) {
        r.errors.append(QStringLiteral("%1: readiness.kind \"%2\" is not http, tcp or heartbeat")
                            .arg(path, kind));
    }
    m.readiness.timeoutSeconds = readiness.value("timeout", 30);
    m.python = r.relativePath(root, "python");
    m.pythonVersion = r.string(root, "pythonVersion", false);
    m.coreSitePackages = r.relativePath(root, "coreSitePackages");
    m.lock = r.relativePath(root, "lock");
    m.lockEnvAlias = r.string(root, "lockEnvAlias", false);
    const json env = root.value("env", json::object());
    for (const auto &[k, v] : env.items()) {
        if (v.is_string())
            m.env.append({QString::fromStdString(k), QString::fromStdString(v.get<std::string>())});
    }
    m.launcher = r.relativePath(root, "launcher", false);
    m.icon = r.relativePath(root, "icon", false);
    const json files = root.value("files", json::object());
    if (!files.is_object())
        r.errors.append(QStringLiteral("%1: \"files\" must be an object").arg(path));
    for (const auto &[k, v] : files.items()) {
        BundleFile f;
        f.path = QString::fromStdString(k);
        if (QDir::isAbsolutePath(f.path) || f.path.split(u'/').contains(u".."_qs)) {
            r.errors.append(QStringLiteral("%1: files: \"%2\" is not a path inside the bundle")
                                .arg(path, f.path));
            continue;
        }
        if (v.contains("link")) {
            f.linkTarget = QString::fromStdString(v.value("link", std::string()));
        } else {
            f.sha256 = QString::fromStdString(v.value("sha256", std::string()));
            f.size = v.value("size", qint64(-1));
            f.executable = v.value("executable", false);
        }
        m.files.push_back(std::move(f));
    }
    if (!r.errors.isEmpty())
        return makeError(ErrorKind::Unreadable, r.errors.join(u'\n'));
    return m;
}

Result<std::vector<BundleFile>> scanBundleFiles(const QString &bundleDir)
{
    const QDir root(QFileInfo(bundleDir).absoluteFilePath());
    if (!root.exists())
        return makeError(ErrorKind::Unreadable,
                         QStringLiteral("%1: no such directory").arg(bundleDir));
    std::vector<BundleFile> files;
    QDirIterator it(root.path(), QDir::Files | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo info = it.fileInfo();
        BundleFile f;
        f.path = root.relativeFilePath(info.filePath());
        if (f.path == QLatin1StringView(BundleManifest::FileName))
            continue;
        if (info.isSymLink()) {
            // Only relative links that resolve inside the bundle survive a move.
            f.linkTarget = readLink(info.filePath());
            const QString resolved = QDir::cleanPath(info.absolutePath() + u'/' + f.linkTarget);
            const QString inside = root.relativeFilePath(resolved);
            if (f.linkTarget.isEmpty() || QDir::isAbsolutePath(f.linkTarget) || inside == u".." ||
                inside.startsWith(u"../"_qs))
                return makeError(ErrorKind::Invalid,
                                 QStringLiteral("%1: symlink to %2 leaves the bundle")
                                     .arg(info.filePath(), f.linkTarget));
            files.push_back(std::move(f));
            continue;
        }
        f.size = info.size();
        f.executable = info.isExecutable();
        files.push_back(std::move(f));
    }
    std::sort(files.begin(), files.end(),
              [](const BundleFile &a, const BundleFile &b) { return a.path < b.path; });
    std::vector<std::optional<Error>> failures(files.size());
    forEachInParallel(
        qsizetype(files.size()),
        [&](qsizetype i) {
            BundleFile &f = files[std::size_t(i)];
            if (!f.linkTarget.isEmpty())
                return;
            Result<QString> hash = sha256OfFile(root.filePath(f.path));
            if (hash)
                f.sha256 = *hash;
            else
                failures[std::size_t(i)] = hash.error();
        },
        16);
    for (const auto &failure : failures) {
        if (failure)
            return *failure;
    }
    return files;
}

Result<VerifyReport> verifyBundleFiles(const BundleManifest &manifest, const QString &bundleDir)
{
    Result<std::vector<BundleFile>> onDisk = scanBundleFiles(bundleDir);
    if (!onDisk)
        return onDisk.error();
    QHash<QString, const BundleFile *> actual;
    for (const BundleFile &f : *onDisk)
        actual.insert(f.path, &f);
    VerifyReport report;
    QSet<QString> expected;
    for (const BundleFile &want : manifest.files) {
        expected.insert(want.path);
        const BundleFile *have = actual.value(want.path);
        if (!have) {
            report.missing.append(want.path);
        } else if (want.linkTarget != have->linkTarget) {
            report.changed.append(
                QStringLiteral("%1: link to %2, expected %3")
                    .arg(want.path, have->linkTarget.isEmpty() ? u"(a file)"_qs : have->linkTarget,
                         want.linkTarget.isEmpty() ? u"a file"_qs : want.linkTarget));
        } else if (want.sha256 != have->sha256) {
            report.changed.append(QStringLiteral("%1: content changed (sha256 %2, expected %3)")
                                      .arg(want.path, have->sha256.left(12), want.sha256.left(12)));
        } else if (want.size != have->size) {
            report.changed.append(QStringLiteral("%1: size %2, expected %3")
                                      .arg(want.path)
                                      .arg(have->size)
                                      .arg(want.size));
        } else if (want.executable && !have->executable) {
            report.changed.append(QStringLiteral("%1: no longer executable").arg(want.path));
        }
    }
    for (const BundleFile &f : *onDisk) {
        if (!expected.contains(f.path))
            report.extra.append(f.path);
    }
    return report;
}

} // namespace deskpack::runner
