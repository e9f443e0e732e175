// SPDX-License-Identifier: MIT
// The head of every installer: a program with no Qt (libc, libstdc++ and a
// static zlib only) that unpacks the installer program and the Qt libraries
// and plugins it carries (the runtime section, written by `deskpack package
// --format installer`) into a private temporary directory, runs it there
// with DESKPACK_INSTALLER_FILE naming this file, removes the directory and
// exits as the installer did. So the installer runs where no Qt is installed.
//
//   [this stub][runtime entries][runtime trailer: 32 bytes][payload][header][trailer: 120 bytes]
#include <zlib.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

pid_t g_child = 0;

[[noreturn]] void die(const std::string &message, int code = 2)
{
    std::fprintf(stderr, "deskpack-installer: error: %s\n", message.c_str());
    std::exit(code);
}

std::uint64_t u64(const unsigned char *p)
{
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

std::uint32_t u32(const unsigned char *p)
{
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}

bool readAt(int fd, std::uint64_t offset, void *buffer, std::size_t size)
{
    auto *out = static_cast<unsigned char *>(buffer);
    while (size > 0) {
        const ssize_t n = ::pread(fd, out, size, off_t(offset));
        if (n <= 0)
            return false;
        out += n;
        size -= std::size_t(n);
        offset += std::uint64_t(n);
    }
    return true;
}

bool writeAll(int fd, const unsigned char *data, std::size_t size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= std::size_t(n);
    }
    return true;
}

int removeEntry(const char *path, const struct stat *, int, struct FTW *)
{
    ::remove(path);
    return 0;
}

void removeTree(const std::string &dir)
{
    ::nftw(dir.c_str(), removeEntry, 16, FTW_DEPTH | FTW_PHYS);
}

void forward(int signal)
{
    if (g_child > 0)
        ::kill(g_child, signal);
}

// Names inside the runtime: relative, no "..", no empty components.
bool safeName(const std::string &name)
{
    if (name.empty() || name.front() == '/' || name.find('\0') != std::string::npos)
        return false;
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t end = name.find('/', start);
        const std::string part = name.substr(start, end == std::string::npos ? end : end - start);
        if (part.empty() || part == "." || part == "..")
            return false;
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return true;
}

const char *const Incomplete =
    ": not a complete Deskpack installer (a truncated download, or the bare "
    "deskpack-installer template; build one with 'deskpack package BUNDLE --format installer')";

// This program's own file, open for reading, and its size.
struct SelfFile
{
    std::string path;
    int fd = -1;
    std::uint64_t size = 0;
};

SelfFile openSelf()
{
    char self[PATH_MAX];
    if (!::realpath("/proc/self/exe", self))
        die("cannot find this program's file (/proc/self/exe)", 3);
    const int fd = ::open(self, O_RDONLY | O_CLOEXEC);
    struct stat st
    {
    };
    if (fd < 0 || ::fstat(fd, &st) != 0)
        die(std::string(self) + ": cannot read: " + std::strerror(errno), 2);
    return {self, fd, std::uint64_t(st.st_size)};
}

struct RuntimeSection
{
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::uint64_t entries = 0;
};

// Found from the end: the installer trailer names the payload, the runtime
// trailer just before the payload names the runtime entries.
RuntimeSection findRuntime(const SelfFile &self)
{
    unsigned char trailer[120];
    if (self.size < 120 + 32 || !readAt(self.fd, self.size - 120, trailer, sizeof trailer) ||
        std::memcmp(trailer, "DESKPACK-INSTALL", 16) != 0)
        die(self.path + Incomplete);
    const std::uint64_t payloadOffset = u64(trailer + 24);
    unsigned char runtimeTrailer[32];
    if (payloadOffset < 32 || payloadOffset > self.size - 120 ||
        !readAt(self.fd, payloadOffset - 32, runtimeTrailer, sizeof runtimeTrailer) ||
        std::memcmp(runtimeTrailer, "DPKRT001", 8) != 0)
        die(self.path + Incomplete);
    RuntimeSection section;
    section.offset = u64(runtimeTrailer + 8);
    section.size = u64(runtimeTrailer + 16);
    section.entries = u64(runtimeTrailer + 24);
    if (section.offset + section.size != payloadOffset - 32 || section.entries > 100000)
        die(self.path + Incomplete);
    return section;
}

std::string makeTemporaryDir()
{
    std::string base = "/tmp";
    for (const char *variable : {"XDG_RUNTIME_DIR", "TMPDIR"}) {
        const char *value = std::getenv(variable);
        if (value && value[0] == '/' && ::access(value, W_OK | X_OK) == 0) {
            base = value;
            break;
        }
    }
    std::string dir = base + "/deskpack-installer-XXXXXX";
    if (!::mkdtemp(dir.data()))
        die(base + ": cannot create a temporary directory: " + std::strerror(errno), 3);
    return dir;
}

// Removes the temporary directory before dying: no runtime is left behind.
[[noreturn]] void abandon(const std::string &dir, const std::string &message, int code = 2)
{
    removeTree(dir);
    die(message, code);
}

// One runtime entry: [name length: 4][name][mode: 4][size: 8][packed size: 8][zlib data].
// Writes it under `dir` and returns where the next entry starts.
std::uint64_t unpackEntry(const SelfFile &self, std::uint64_t at, std::uint64_t end,
                          const std::string &dir)
{
    unsigned char head[4];
    if (at + 4 > end || !readAt(self.fd, at, head, 4))
        abandon(dir, self.path + Incomplete);
    const std::uint32_t nameLength = u32(head);
    std::string name(nameLength, '\0');
    unsigned char meta[20];
    if (nameLength > 4096 || at + 4 + nameLength + 20 > end ||
        !readAt(self.fd, at + 4, name.data(), nameLength) ||
        !readAt(self.fd, at + 4 + nameLength, meta, sizeof meta) || !safeName(name))
        abandon(dir, self.path + ": the installer's runtime section is damaged");
    const std::uint32_t mode = u32(meta) & 0755;
    const std::uint64_t rawSize = u64(meta + 4);
    const std::uint64_t packedSize = u64(meta + 12);
    const std::uint64_t data = at + 4 + nameLength + 20;
    if (data + packedSize > end || rawSize > (std::uint64_t(1) << 32))
        abandon(dir, self.path + ": the installer's runtime section is damaged");
    std::vector<unsigned char> packed(packedSize);
    std::vector<unsigned char> plain(rawSize);
    uLongf plainSize = uLongf(rawSize);
    if (!readAt(self.fd, data, packed.data(), packedSize) ||
        ::uncompress(plain.data(), &plainSize, packed.data(), uLong(packedSize)) != Z_OK ||
        plainSize != rawSize)
        abandon(dir, self.path + ": the installer's runtime section is damaged (" + name + ")");
    const std::string path = dir + "/" + name;
    for (std::size_t slash = dir.size() + 1; (slash = path.find('/', slash)) != std::string::npos;
         ++slash)
        ::mkdir(path.substr(0, slash).c_str(), 0700);
    const int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode | 0600);
    if (out < 0 || !writeAll(out, plain.data(), plain.size()) || ::close(out) != 0) {
        const std::string why = std::strerror(errno);
        abandon(dir, path + ": cannot write: " + why, 3);
    }
    return data + packedSize;
}

void unpackRuntime(const SelfFile &self, const RuntimeSection &section, const std::string &dir)
{
    std::uint64_t at = section.offset;
    for (std::uint64_t i = 0; i < section.entries; ++i)
        at = unpackEntry(self, at, section.offset + section.size, dir);
}

// Runs the unpacked installer with this program's arguments, forwarding the
// signals a user or session sends; returns its wait status.
int runUnpacked(const std::string &dir, const std::string &self, char **argv)
{
    const std::string program = dir + "/deskpack-installer";
    ::setenv("DESKPACK_INSTALLER_FILE", self.c_str(), 1);
    struct sigaction action
    {
    };
    action.sa_handler = forward;
    ::sigemptyset(&action.sa_mask);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT})
        ::sigaction(s, &action, nullptr);
    const pid_t parent = ::getpid();
    g_child = ::fork();
    if (g_child < 0)
        abandon(dir, std::string("cannot start the installer: ") + std::strerror(errno), 3);
    if (g_child == 0) {
        // Killing the stub ends the installer too, as killing a plain program would.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(3);
        ::execv(program.c_str(), argv);
        std::fprintf(stderr, "deskpack-installer: error: cannot start %s: %s\n", program.c_str(),
                     std::strerror(errno));
        ::_exit(3);
    }
    int status = 0;
    while (::waitpid(g_child, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

// Ends as the installer did: by the same signal, or with its exit code.
int exitLike(int status)
{
    if (WIFSIGNALED(status)) {
        const int signal = WTERMSIG(status);
        ::signal(signal, SIG_DFL);
        ::raise(signal);
        return 128 + signal;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

} // namespace

int main(int argc, char **argv)
{
    (void)argc;
    const SelfFile self = openSelf();
    const RuntimeSection section = findRuntime(self);
    const std::string dir = makeTemporaryDir();
    unpackRuntime(self, section, dir);
    ::close(self.fd);
    const int status = runUnpacked(dir, self.path, argv);
    removeTree(dir);
    return exitLike(status);
}
