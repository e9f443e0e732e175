// SPDX-License-Identifier: MIT
#include "doctor.h"
#include "base/wording.h"

#include "bundlecheck.h"
#include "launcherversion.h"
#include "runner/python/bundleenvironment.h"
#include "formats/bundlemanifest.h"
#include "runtimeinfo.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSysInfo>

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>
#include <quazip/quazipnewinfo.h>

#include <cstdio>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

bool isSecretName(const QString &name)
{
    static const QStringList words{u"TOKEN"_s,      u"SECRET"_s,  u"PASSWORD"_s,  u"PASSWD"_s,
                                   u"PASS"_s,       u"KEY"_s,     u"AUTH"_s,      u"CREDENTIAL"_s,
                                   u"COOKIE"_s,     u"PRIVATE"_s, u"SIGNATURE"_s, u"CERT"_s,
                                   u"SESSION_ID"_s, u"DSN"_s};
    const QString upper = name.toUpper();
    for (const QString &word : words) {
        if (upper.contains(word))
            return true;
    }
    return false;
}

QString filteredEnvironment(const QProcessEnvironment &environment)
{
    static const QRegularExpression urlPassword(u"(://[^/\\s:@]+:)[^@\\s/]+@"_s);
    QStringList names = environment.keys();
    names.sort();
    QString out;
    for (const QString &name : names) {
        QString value = environment.value(name);
        if (isSecretName(name))
            value = u"<filtered>"_s;
        else
            value.replace(urlPassword, u"\\1<filtered>@"_s);
        out += name + u'=' + value + u'\n';
    }
    return out;
}

namespace {

class ZipWriter
{
public:
    explicit ZipWriter(const QString &path)
        : m_zip(path)
    {
        m_zip.setUtf8Enabled(true);
        m_ok = m_zip.open(QuaZip::mdCreate);
    }
    bool ok() const { return m_ok; }
    QString error() const { return m_error; }
    QStringList entries;

    void add(const QString &name, const QByteArray &data)
    {
        if (!m_ok)
            return;
        QuaZipFile file(&m_zip);
        QuaZipNewInfo info(name);
        info.dateTime = QDateTime::currentDateTime();
        info.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                            QFileDevice::ReadGroup | QFileDevice::ReadOther);
        if (!file.open(QIODevice::WriteOnly, info) || file.write(data) != data.size()) {
            m_ok = false;
            m_error = u"cannot write %1 (zip error %2)"_s.arg(name).arg(file.getZipError());
            return;
        }
        file.close();
        if (file.getZipError() != 0) {
            m_ok = false;
            m_error = u"cannot write %1 (zip error %2)"_s.arg(name).arg(file.getZipError());
            return;
        }
        entries.append(name);
    }
    bool close()
    {
        m_zip.close();
        if (m_zip.getZipError() != 0) {
            m_ok = false;
            m_error = u"zip error %1 on close"_s.arg(m_zip.getZipError());
        }
        return m_ok;
    }

private:
    QuaZip m_zip;
    bool m_ok = false;
    QString m_error = u"cannot create the zip"_s;
};

QByteArray readAllOf(const QString &path, QString *error = nullptr)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = u"%1: %2"_s.arg(path, f.errorString());
        return {};
    }
    return f.readAll();
}

QString versions(const formats::BundleManifest *manifest)
{
    QString out;
    out += u"launcher: deskpack-launcher %1\n"_s.arg(launcherVersion());
    out += u"qt: %1 (built against %2)\n"_s.arg(QString::fromLatin1(qVersion()),
                                                QStringLiteral(QT_VERSION_STR));
    out += u"os: %1; kernel %2 %3; %4\n"_s.arg(QSysInfo::prettyProductName(),
                                               QSysInfo::kernelType(), QSysInfo::kernelVersion(),
                                               QSysInfo::currentCpuArchitecture());
    if (manifest) {
        out += u"app: %1 %2 (%3)\n"_s.arg(manifest->name, manifest->version, manifest->id);
        out += u"python: %1 (%2)\n"_s.arg(manifest->pythonVersion, manifest->python);
    } else {
        out += u"app: unknown (bundle.json unreadable)\n"_s;
    }
    out += u"written: %1\n"_s.arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    return out;
}

// The full verification as verify.txt says it.
QString verifyFiles(const formats::BundleManifest &manifest, const QString &bundleDir,
                    bool &bundleOk)
{
    Result<IntegrityReport> integrity = fullIntegrityCheck(manifest, bundleDir);
    if (!integrity)
        return u"files: "_s + integrity.error().message + u'\n';
    bundleOk = integrity->ok();
    QString verify =
        u"files: "_s +
        (integrity->ok() ? integrity->summary()
                         : counted(integrity->problems.size(), u"problem"_s, u"problems"_s)) +
        u'\n';
    for (const QString &p : integrity->problems)
        verify += u"  "_s + p + u'\n';
    for (const QString &w : integrity->warnings)
        verify += u"  warning: "_s + w + u'\n';
    return verify;
}

// The lock and the backend's environment into the zip; returns verify.txt's lock lines.
QString addRuntime(ZipWriter &zip, const formats::BundleManifest &manifest, const DoctorInput &input)
{
    const RuntimeInfo runtime = inspectRuntime(manifest, input.bundleDir);
    QString verify = u"lock: "_s + runtime.lockPath + u": "_s + runtime.summary() + u'\n';
    for (const QString &p : runtime.problems)
        verify += u"  "_s + p + u'\n';
    QString lockError;
    const QByteArray lock = readAllOf(runtime.lockPath, &lockError);
    if (lockError.isEmpty())
        zip.add(QFileInfo(runtime.lockPath).fileName(), lock);
    else
        verify += lockError + u'\n';
    zip.add(u"backend-environment.txt"_s,
            filteredEnvironment(
                runner::bundleEnvironment(manifest, QDir(input.bundleDir).absolutePath(),
                                          QFileInfo(input.dataDir).absoluteFilePath(), false,
                                          input.environment))
                .toUtf8());
    return verify;
}

// bundle.json, the lock and the backend's environment; returns verify.txt.
QString addBundle(ZipWriter &zip, const DoctorInput &input,
                  const Result<formats::BundleManifest> &manifest, DoctorResult &result)
{
    QString verify;
    QString readError;
    const QByteArray manifestBytes = readAllOf(
        QDir(input.bundleDir).filePath(QLatin1StringView(formats::BundleManifest::FileName)),
        &readError);
    if (!readError.isEmpty())
        verify += readError + u'\n';
    else
        zip.add(u"bundle.json"_s, manifestBytes);
    if (!manifest)
        return verify + u"bundle.json: "_s + manifest.error().message + u'\n';
    verify += verifyFiles(*manifest, input.bundleDir, result.bundleOk);
    return verify + addRuntime(zip, *manifest, input);
}

void addLogs(ZipWriter &zip, const QString &dataDir)
{
    const QDir logs(QDir(dataDir).filePath(u"logs"_s));
    const QStringList logFiles = logs.entryList(QDir::Files, QDir::Name);
    for (const QString &name : logFiles)
        zip.add(u"logs/"_s + name, readAllOf(logs.filePath(name)));
}

Result<void> moveIntoPlace(ZipWriter &zip, const QString &partial, const QString &target)
{
    if (!zip.close() || !zip.ok()) {
        QFile::remove(partial);
        return makeError(ErrorKind::Environment, u"%1: %2"_s.arg(target, zip.error()));
    }
    if (std::rename(QFile::encodeName(partial).constData(),
                    QFile::encodeName(target).constData()) != 0) {
        QFile::remove(partial);
        return makeError(ErrorKind::Environment, u"%1: cannot rename into place"_s.arg(target));
    }
    return {};
}

} // namespace

Result<DoctorResult> writeDoctorZip(const DoctorInput &input)
{
    const QString target = QFileInfo(input.output).absoluteFilePath();
    if (!QFileInfo(QFileInfo(target).absolutePath()).isDir())
        return makeError(ErrorKind::Usage, u"%1: the directory does not exist"_s.arg(
                                               QFileInfo(target).absolutePath()));
    const QString partial = target + u".partial-"_s + QString::number(::getpid());
    DoctorResult result;
    ZipWriter zip(partial);
    if (!zip.ok())
        return makeError(ErrorKind::Environment, u"%1: cannot create the zip"_s.arg(partial));

    Result<formats::BundleManifest> manifest = formats::readManifest(input.bundleDir);
    zip.add(u"versions.txt"_s, versions(manifest ? &*manifest : nullptr).toUtf8());
    const QString verify = addBundle(zip, input, manifest, result);
    zip.add(u"verify.txt"_s, verify.toUtf8());
    zip.add(u"environment.txt"_s, filteredEnvironment(input.environment).toUtf8());
    addLogs(zip, input.dataDir);
    if (Result<void> moved = moveIntoPlace(zip, partial, target); !moved)
        return moved.error();
    result.entries = zip.entries;
    return result;
}

} // namespace deskpack::launcher
