// SPDX-License-Identifier: MIT
#include "pythonenvironment.h"

namespace deskpack::runner {

QProcessEnvironment sanitizedPythonEnvironment(const QProcessEnvironment &base)
{
    QProcessEnvironment env = base;
    for (const char *name :
         {"PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONUSERBASE"})
        env.remove(QString::fromLatin1(name));
    env.insert(QStringLiteral("PYTHONNOUSERSITE"), QStringLiteral("1"));
    env.insert(QStringLiteral("PYTHONUTF8"), QStringLiteral("1"));
    env.insert(QStringLiteral("PYTHONUNBUFFERED"), QStringLiteral("1"));
    env.insert(QStringLiteral("PYTHONIOENCODING"), QStringLiteral("utf-8"));
    return env;
}

} // namespace deskpack::runner
