// SPDX-License-Identifier: MIT
#include "pythonenvironment.h"

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

QProcessEnvironment sanitizedPythonEnvironment(const QProcessEnvironment &base)
{
    QProcessEnvironment env = base;
    for (const char *name :
         {"PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONUSERBASE"})
        env.remove(QString::fromLatin1(name));
    env.insert(u"PYTHONNOUSERSITE"_s, u"1"_s);
    env.insert(u"PYTHONUTF8"_s, u"1"_s);
    env.insert(u"PYTHONUNBUFFERED"_s, u"1"_s);
    env.insert(u"PYTHONIOENCODING"_s, u"utf-8"_s);
    return env;
}

} // namespace deskpack::runner
