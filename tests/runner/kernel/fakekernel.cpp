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
//   oversize        per cell, by its code: "result" sends a result frame of argv[2]
//                   bytes, "done" makes the done frame that long, "several" sends three
//                   such stdout frames; each is followed by a stdout frame "after"
//                   written in two pieces a moment apart (so it is split across reads),
//                   then done; any other code answers like normal
//   wrongtypes      per cell, by its code, one field of the wrong type: "text" (stdout
//                   text 42), "data" (result data a string), "status" (done status 7),
//                   "count" (executionCount 2^64-1), "traceback" (error traceback
//                   [1]), "id" (a stdout frame whose id is an array); then done (whose
//                   status is 7 for "status"); any other code answers like normal
//   silent          never says ready, never reads
// It exits on stdin EOF and on an exit request.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <unistd.h>

namespace {

std::string g_scenario;
std::string g_argument; // argv[2]

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

// A frame line of exactly `bytes` bytes (newline excluded), padded in "pad".
// Ordered as runner.py writes them: "type" and "id" first.
std::string paddedFrame(nlohmann::ordered_json frame, long bytes)
{
    frame["pad"] = "";
    const long base = long(frame.dump().size());
    frame["pad"] = std::string(size_t(std::max(0L, bytes - base)), 'a');
    return frame.dump() + "\n";
}

void sendSplit(const std::string &line)
{
    const size_t half = line.size() / 2;
    writeAll(1, line.substr(0, half));
    ::usleep(50'000);
    writeAll(1, line.substr(half));
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
    nlohmann::json done{{"type", "done"},
                        {"id", id},
                        {"status", "ok"},
                        {"executionCount", 1},
                        {"cancelled", false}};
    if (g_scenario == "oversize" && (code == "result" || code == "done" || code == "several")) {
        const long bytes = std::strtol(g_argument.c_str(), nullptr, 10);
        if (code == "result") {
            writeAll(1, paddedFrame(nlohmann::ordered_json{{"type", "result"},
                                                           {"id", id},
                                                           {"data", {{"text/plain", "big"}}},
                                                           {"metadata", nlohmann::json::object()}},
                                    bytes));
        } else if (code == "several") {
            for (int i = 0; i < 3; ++i)
                writeAll(1,
                         paddedFrame(
                             nlohmann::ordered_json{{"type", "stdout"}, {"id", id}, {"text", "x"}},
                             bytes));
        }
        sendSplit(nlohmann::json{{"type", "stdout"}, {"id", id}, {"text", "after"}}.dump() + "\n");
        writeAll(1, code == "done" ? paddedFrame(nlohmann::ordered_json{{"type", "done"},
                                                                        {"id", id},
                                                                        {"status", "ok"}},
                                                 bytes)
                                   : done.dump() + "\n");
        return;
    }
    if (g_scenario == "wrongtypes" && (code == "text" || code == "data" || code == "count" ||
                                       code == "traceback" || code == "id" || code == "status")) {
        if (code == "text") {
            send({{"type", "stdout"}, {"id", id}, {"text", 42}});
        } else if (code == "data") {
            send({{"type", "result"}, {"id", id}, {"data", "not a bundle"}});
        } else if (code == "count") {
            send({{"type", "started"},
                  {"id", id},
                  {"executionCount", std::numeric_limits<std::uint64_t>::max()}});
        } else if (code == "traceback") {
            send({{"type", "error"}, {"id", id}, {"ename", "E"}, {"traceback", {1}}});
        } else if (code == "id") {
            send({{"type", "stdout"}, {"id", {id}}, {"text", "lost"}});
        }
        if (code == "status")
            done["status"] = 7;
        send({{"type", "stdout"}, {"id", id}, {"text", "after"}});
        send(done);
        return;
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
    send(done);
}

} // namespace

int main(int argc, char *argv[])
{
    g_scenario = argc > 1 ? argv[1] : "normal";
    g_argument = argc > 2 ? argv[2] : "";
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
