// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace deskpack::cli {

// deskpack keygen -p KEY.pub -s KEY.sec [-W] [--force] [--json]
int runKeygenCommand(const QStringList &arguments);
// deskpack sign FILE... -s KEY.sec [-t TRUSTED_COMMENT] [-c UNTRUSTED_COMMENT] [--json]
int runSignCommand(const QStringList &arguments);
// deskpack verify-signature FILE (-p KEY.pub | -P PUBKEY) [-x SIGFILE] [--json]
int runVerifySignatureCommand(const QStringList &arguments);

} // namespace deskpack::cli
