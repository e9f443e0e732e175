// SPDX-License-Identifier: MIT
#include "terminal.h"

namespace deskpack {

namespace {

void printBytes(std::FILE *stream, const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stream);
    std::fflush(stream);
}

} // namespace

QByteArray jsonDocumentText(const nlohmann::json &document)
{
    return QByteArray::fromStdString(
               document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) +
           '\n';
}

void printText(std::FILE *stream, const QString &text)
{
    printBytes(stream, text.toUtf8());
}

void printJson(const nlohmann::json &document, std::FILE *stream)
{
    printBytes(stream, jsonDocumentText(document));
}

} // namespace deskpack
