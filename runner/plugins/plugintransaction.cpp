// SPDX-License-Identifier: MIT
#include "plugintransaction.h"
#include "base/terminal.h"
#include "base/fileio.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace deskpack::plugins {

namespace {

constexpr qint64 MaxStateFileSize = 64ll << 20;

json readJsonFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"%1: cannot read: %2"_s.arg(path, file.errorString());
        return {};
    }
    const QByteArray data = file.read(MaxStateFileSize);
    json doc = json::parse(data.constData(), data.constData() + data.size(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        *error = u"%1: is not a JSON object"_s.arg(path);
    return doc;
}

Result<void> writeJsonFile(const QString &path, const json &doc)
{
    // writeFileAtomically: a full disk fails the write and keeps the old file
    // (QSaveFile::commit() alone ignores a failed flush in Qt 6.4).
    return writeFileAtomically(path, jsonDocumentText(doc));
}

QString str(const json &value)
{
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

bool renamePath(const QString &from, const QString &to)
{
    // std::rename moves directories too (QFile::rename copies across devices,
    // which would not be atomic).
    return std::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) == 0;
}

bool exists(const QString &path)
{
    return QFileInfo(path).exists() || QFileInfo(path).isSymLink();
}

} // namespace

QStringList OwnerRecord::ownersOf(const QString &canonicalName) const
{
    QStringList out;
    for (auto it = plugins.cbegin(); it != plugins.cend(); ++it) {
        if (it->distributions.contains(canonicalName))
            out.append(it.key());
    }
    return out;
}

Result<OwnerRecord> readOwners(const QString &sitePackages)
{
    const QString path = sitePackages + u'/' + QLatin1StringView(OwnersFileName);
    OwnerRecord record;
    if (!QFileInfo::exists(path))
        return record;
    QString error;
    const json doc = readJsonFile(path, &error);
    if (!error.isEmpty())
        return makeError(ErrorKind::Unreadable, error);
    record.transaction = str(doc.contains("transaction") ? doc["transaction"] : json());
    if (!doc.contains("plugins") || !doc["plugins"].is_object())
        return makeError(ErrorKind::Unreadable, u"%1: \"plugins\" must be an object"_s.arg(path));
    for (auto it = doc["plugins"].begin(); it != doc["plugins"].end(); ++it) {
        const QString name = QString::fromStdString(it.key());
        if (!it.value().is_object())
            return makeError(ErrorKind::Unreadable,
                             u"%1: plugins.%2 must be an object"_s.arg(path, name));
        OwnerRecord::Plugin plugin;
        for (const char *key : {"requirements", "distributions"}) {
            const json &list = it.value().contains(key) ? it.value()[key] : json::array();
            if (!list.is_array())
                return makeError(ErrorKind::Unreadable, u"%1: plugins.%2.%3 must be an array"_s.arg(
                                                            path, name, QLatin1StringView(key)));
            for (const json &item : list) {
                if (!item.is_string())
                    return makeError(ErrorKind::Unreadable,
                                     u"%1: plugins.%2.%3 holds a non-string"_s.arg(
                                         path, name, QLatin1StringView(key)));
                (std::strcmp(key, "requirements") == 0 ? plugin.requirements : plugin.distributions)
                    .append(str(item));
            }
        }
        record.plugins.insert(name, plugin);
    }
    return record;
}

Result<void> writeOwners(const QString &sitePackages, const OwnerRecord &record)
{
    json plugins = json::object();
    for (auto it = record.plugins.cbegin(); it != record.plugins.cend(); ++it) {
        QStringList distributions = it->distributions;
        distributions.sort();
        distributions.removeDuplicates();
        json reqs = json::array(), dists = json::array();
        for (const QString &r : it->requirements)
            reqs.push_back(r.toStdString());
        for (const QString &d : distributions)
            dists.push_back(d.toStdString());
        plugins[it.key().toStdString()] = {{"requirements", reqs}, {"distributions", dists}};
    }
    if (!QDir().mkpath(sitePackages))
        return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(sitePackages));
    return writeJsonFile(
        sitePackages + u'/' + QLatin1StringView(OwnersFileName),
        {{"version", 1}, {"transaction", record.transaction.toStdString()}, {"plugins", plugins}});
}

DataLayout::DataLayout(const QString &dir)
    : dataDir(dir)
    , sitePackages(dir + u"/site-packages"_s)
    , quarantine(dir + u"/quarantine"_s)
    , staging(dir + u"/.plugin-staging"_s)
    , journal(dir + u"/.plugin-journal.json"_s)
    , lockFile(dir + u"/.plugins.lock"_s)
{
}

Result<void> moveEntry(const QString &from, const QString &to)
{
    const QString parent = QFileInfo(to).absolutePath();
    if (!QDir().mkpath(parent))
        return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(parent));
    if (exists(to))
        return makeError(ErrorKind::Environment, u"%1: already exists"_s.arg(to));
    if (!renamePath(from, to))
        return makeError(ErrorKind::Environment,
                         u"cannot move %1 to %2: %3"_s.arg(
                             from, to, QString::fromLocal8Bit(std::strerror(errno))));
    return {};
}

namespace {

// Undoes the moves [0, done) in reverse order; returns false if one failed.
bool undoMoves(const QList<QPair<QString, QString>> &moves, qsizetype done)
{
    bool ok = true;
    for (qsizetype i = done - 1; i >= 0; --i) {
        const auto &[from, to] = moves[i];
        if (exists(to) && !exists(from))
            ok = moveEntry(to, from).ok() && ok;
    }
    return ok;
}

} // namespace

Result<void> commitTransaction(const DataLayout &layout, Transaction transaction,
                               OwnerRecord owners, const std::function<void(int, int)> &onMove)
{
    json moves = json::array();
    for (const auto &[from, to] : std::as_const(transaction.moves))
        moves.push_back({from.toStdString(), to.toStdString()});
    if (auto w = writeJsonFile(layout.journal,
                               {{"transaction", transaction.id.toStdString()}, {"moves", moves}});
        !w)
        return w;
    const auto total = int(transaction.moves.size());
    for (int i = 0; i < total; ++i) {
        const auto &[from, to] = transaction.moves[i];
        if (auto m = moveEntry(from, to); !m) {
            undoMoves(transaction.moves, i);
            QFile::remove(layout.journal);
            return m;
        }
        if (onMove)
            onMove(i + 1, total);
    }
    owners.transaction = transaction.id;
    if (auto w = writeOwners(layout.sitePackages, owners); !w) {
        undoMoves(transaction.moves, total);
        QFile::remove(layout.journal);
        return w;
    }
    QFile::remove(layout.journal);
    return {};
}

Result<QString> recover(const DataLayout &layout)
{
    QString note;
    if (QFileInfo::exists(layout.journal)) {
        QString error;
        const json doc = readJsonFile(layout.journal, &error);
        const QString id =
            doc.is_object() && doc.contains("transaction") ? str(doc["transaction"]) : QString();
        Result<OwnerRecord> owners = readOwners(layout.sitePackages);
        const bool committed = owners && !id.isEmpty() && owners->transaction == id;
        if (!committed && error.isEmpty() && doc.contains("moves") && doc["moves"].is_array()) {
            QList<QPair<QString, QString>> moves;
            for (const json &m : doc["moves"]) {
                if (m.is_array() && m.size() == 2)
                    moves.append({str(m[0]), str(m[1])});
            }
            // Only paths inside the data dir are touched, whatever the journal says.
            const QString root = QDir(layout.dataDir).absolutePath() + u'/';
            moves.removeIf([&](const auto &m) {
                return !QDir::cleanPath(m.first).startsWith(root) ||
                       !QDir::cleanPath(m.second).startsWith(root);
            });
            if (!undoMoves(moves, moves.size()))
                return makeError(ErrorKind::Environment,
                                 u"%1: an interrupted plugin change could not be fully rolled "
                                 "back; the journal is kept"_s.arg(layout.journal));
            note = u"rolled back the interrupted plugin change %1"_s.arg(id);
        } else {
            note = committed ? u"finished the clean-up of plugin change %1"_s.arg(id)
                             : u"dropped an unreadable plugin journal"_s;
        }
        QFile::remove(layout.journal);
    }
    QDir staging(layout.staging);
    if (staging.exists() &&
        !staging.entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty()) {
        if (!staging.removeRecursively())
            return makeError(ErrorKind::Environment,
                             u"%1: cannot remove the staging directory"_s.arg(layout.staging));
        if (note.isEmpty())
            note = u"removed the staging directory left by an interrupted install"_s;
    }
    return note;
}

void pruneEmptyDirectories(const QString &root, const QStringList &directories)
{
    const QString top = QDir::cleanPath(root);
    for (QString dir : directories) {
        dir = QDir::cleanPath(dir);
        while (dir.startsWith(top + u'/')) {
            QDir d(dir);
            QStringList left = d.entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
            if (left == QStringList{u"__pycache__"_s}) {
                QDir cache(d.filePath(u"__pycache__"_s));
                const QStringList cached =
                    cache.entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
                if (std::all_of(cached.cbegin(), cached.cend(),
                                [](const QString &f) { return f.endsWith(u".pyc"_s); }))
                    cache.removeRecursively();
                left = d.entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
            }
            if (!left.isEmpty() || !d.rmdir(dir))
                break;
            dir = QFileInfo(dir).absolutePath();
        }
    }
}

} // namespace deskpack::plugins
