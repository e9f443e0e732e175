// SPDX-License-Identifier: MIT
// A stand-in for runner.py that misbehaves on purpose, chosen by argv[1]:
//   normal          answers every request: started, stdout "echo:<code>", done ok
//   partial         the same, written a few bytes at a time, frames split and glued
//   invalid         garbage lines (not JSON, not objects, stray ids) around each frame
//   crash           started, some stdout, then abort() in the middle of the cell
//   ignore-sigint   started, then hangs with SIGINT ignored (SIGTERM ends it)
//   ignore-sigterm  started, then hangs ignoring SIGINT and SIGTERM, with a grandchild
//                   that ignores them too (its pid is the cell's stdout)
//   flood           started, argv[2] MiB of stdout frames and as much raw stderr, done
//   silent          never says ready, never reads
// It exits on stdin EOF and on an exit request.
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

std::string g_scenario;

void writeAll(int fd, const std::string &data)
{
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n <= 0)
            std::_Exit(9);
        done += size_t(n);
    }
}

void send(const nlohmann::json &frame)
{
    const std::string line = frame.dump() + "\n";
    if (g_scenario == "partial") {
        for (size_t i = 0; i < line.size(); i += 3) {
            writeAll(1, line.substr(i, 3));
            ::usleep(50);
        }
        return;
    }
    if (g_scenario == "invalid") {
        writeAll(1, "this is not json\n{\"type\": \n[1, 2, 3]\n\"just a string\"\n"
                    "{\"type\":\"stdout\",\"id\":\"no-such-request\",\"text\":\"stray\"}\n"
                    "{\"type\":42}\n{\"type\":\"done\",\"id\":[\"odd\"]}\n\xff\xfe\n\n");
    }
    writeAll(1, line);
}

[[noreturn]] void hangForever()
{
    for (;;)
        ::pause();
}

void handle(const nlohmann::json &request)
{
    const std::string id = request.value("id", std::string());
    const std::string code = request.value("code", std::string());
    send({{"type", "started"}, {"id", id}, {"executionCount", 1}});
    if (g_scenario == "crash") {
        send({{"type", "stdout"}, {"id", id}, {"text", "before the crash\n"}});
        std::abort();
    }
    if (g_scenario == "ignore-sigint")
        hangForever();
    if (g_scenario == "ignore-sigterm") {
        const pid_t child = ::fork();
        if (child == 0)
            hangForever(); // inherits the ignored dispositions
        send({{"type", "stdout"}, {"id", id}, {"text", std::to_string(child)}});
        hangForever();
    }
    if (g_scenario == "flood") {
        const std::string chunk(64 * 1024 - 1, 'x');
        const std::string raw(64 * 1024, 'e');
        const long mebibytes = std::strtol(code.c_str(), nullptr, 10);
        for (long i = 0; i < mebibytes * 16; ++i) {
            send({{"type", "stdout"}, {"id", id}, {"text", chunk + "\n"}});
            writeAll(2, raw);
        }
    } else {
        send({{"type", "stdout"}, {"id", id}, {"text", "echo:" + code}});
    }
    send({{"type", "done"},
          {"id", id},
          {"status", "ok"},
          {"executionCount", 1},
          {"cancelled", false}});
}

} // namespace

int main(int argc, char *argv[])
{
    g_scenario = argc > 1 ? argv[1] : "normal";
    if (g_scenario == "silent")
        hangForever();
    if (g_scenario == "ignore-sigint" || g_scenario == "ignore-sigterm")
        std::signal(SIGINT, SIG_IGN);
    if (g_scenario == "ignore-sigterm")
        std::signal(SIGTERM, SIG_IGN);
    send({{"type", "ready"}, {"protocol", 1}, {"pid", int(::getpid())}, {"python", "fake"}});
    std::string pending;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(0, buffer, sizeof buffer);
        if (n <= 0)
            return 0;
        pending.append(buffer, size_t(n));
        size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
            const auto request = nlohmann::json::parse(pending.substr(0, newline), nullptr, false);
            pending.erase(0, newline + 1);
            if (!request.is_object())
                continue;
            if (request.value("type", std::string()) == "exit")
                return 0;
            handle(request);
        }
    }
}
