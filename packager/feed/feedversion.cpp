// SPDX-License-Identifier: MIT
// The version order of update feeds: a PEP 440 subset, since the apps are
// Python apps whose versions already follow it.
#include "channelfeed.h"

#include <QRegularExpression>

#include <limits>
#include <tuple>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::feed {

namespace {

const QRegularExpression &versionPattern()
{
    // Numbers of at most 9 digits always fit an int.
    static const QRegularExpression pattern(
        u"^([0-9]{1,9}(?:\\.[0-9]{1,9})*)(?:(a|b|rc)([0-9]{1,9}))?(?:\\.post([0-9]{1,9}))?"
        "(?:\\.dev([0-9]{1,9}))?\\z"_s);
    return pattern;
}

struct VersionKey
{
    std::vector<int> release; // trailing zeros dropped: 1.0 == 1.0.0
    // PEP 440: a dev release of a final version (1.0.dev1) sorts before its
    // pre-releases, a final release after them.
    int preKind = 0; // -1 X.devN only, 0 a, 1 b, 2 rc, 3 none
    int pre = 0;
    int post = -1;                             // -1: none
    int dev = std::numeric_limits<int>::max(); // max: none
};

std::optional<VersionKey> versionKey(const QString &version)
{
    if (version.size() > 64)
        return std::nullopt;
    const QRegularExpressionMatch m = versionPattern().match(version);
    if (!m.hasMatch())
        return std::nullopt;
    VersionKey key;
    for (const QString &part : m.captured(1).split(u'.'))
        key.release.push_back(part.toInt());
    while (key.release.size() > 1 && key.release.back() == 0)
        key.release.pop_back();
    const QString kind = m.captured(2);
    key.preKind = kind == u"a" ? 0 : kind == u"b" ? 1 : kind == u"rc" ? 2 : 3;
    key.pre = kind.isEmpty() ? 0 : m.captured(3).toInt();
    if (m.hasCaptured(4))
        key.post = m.captured(4).toInt();
    if (m.hasCaptured(5)) {
        key.dev = m.captured(5).toInt();
        if (kind.isEmpty() && key.post < 0)
            key.preKind = -1;
    }
    return key;
}

} // namespace

bool isValidVersion(const QString &version)
{
    return versionKey(version).has_value();
}

int compareVersions(const QString &a, const QString &b)
{
    const auto ka = versionKey(a);
    const auto kb = versionKey(b);
    if (!ka || !kb) {
        if (ka || kb)
            return ka ? 1 : -1;
        return a.compare(b) < 0 ? -1 : a == b ? 0 : 1;
    }
    const auto tie = [](const VersionKey &k) {
        return std::tie(k.release, k.preKind, k.pre, k.post, k.dev);
    };
    if (tie(*ka) < tie(*kb))
        return -1;
    return tie(*kb) < tie(*ka) ? 1 : 0;
}

} // namespace deskpack::feed
