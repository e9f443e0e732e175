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

} // namespace

int main(int argc, char **argv)
{
    (void)argc;
    char self[PATH_MAX];
    if (!::realpath("/proc/self/exe", self))
        die("cannot find this program's file (/proc/self/exe)", 3);
    const int fd = ::open(self, O_RDONLY | O_CLOEXEC);
    struct stat st
    {
    };
    if (fd < 0 || ::fstat(fd, &st) != 0)
        die(std::string(self) + ": cannot read: " + std::strerror(errno), 2);
    const std::uint64_t size = std::uint64_t(st.st_size);
    const char *incomplete = ": not a complete Deskpack installer (a truncated download, or the "
                             "bare deskpack-installer template; build one with 'deskpack package "
                             "BUNDLE --format installer')";
    unsigned char trailer[120];
    if (size < 120 + 32 || !readAt(fd, size - 120, trailer, sizeof trailer) ||
        std::memcmp(trailer, "DESKPACK-INSTALL", 16) != 0)
        die(std::string(self) + incomplete);
    const std::uint64_t payloadOffset = u64(trailer + 24);
    unsigned char runtimeTrailer[32];
    if (payloadOffset < 32 || payloadOffset > size - 120 ||
        !readAt(fd, payloadOffset - 32, runtimeTrailer, sizeof runtimeTrailer) ||
        std::memcmp(runtimeTrailer, "DPKRT001", 8) != 0)
        die(std::string(self) + incomplete);
    const std::uint64_t runtimeOffset = u64(runtimeTrailer + 8);
    const std::uint64_t runtimeSize = u64(runtimeTrailer + 16);
    const std::uint64_t entries = u64(runtimeTrailer + 24);
    if (runtimeOffset + runtimeSize != payloadOffset - 32 || entries > 100000)
        die(std::string(self) + incomplete);

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

    std::uint64_t at = runtimeOffset;
    const std::uint64_t end = runtimeOffset + runtimeSize;
    std::vector<unsigned char> packed;
    std::vector<unsigned char> plain;
    for (std::uint64_t i = 0; i < entries; ++i) {
        unsigned char head[4];
        if (at + 4 > end || !readAt(fd, at, head, 4)) {
            removeTree(dir);
            die(std::string(self) + incomplete);
        }
        const std::uint32_t nameLength = u32(head);
        std::string name(nameLength, '\0');
        unsigned char meta[20];
        if (nameLength > 4096 || at + 4 + nameLength + 20 > end ||
            !readAt(fd, at + 4, name.data(), nameLength) ||
            !readAt(fd, at + 4 + nameLength, meta, sizeof meta) || !safeName(name)) {
            removeTree(dir);
            die(std::string(self) + ": the installer's runtime section is damaged");
        }
        const std::uint32_t mode = u32(meta) & 0755;
        const std::uint64_t rawSize = u64(meta + 4);
        const std::uint64_t packedSize = u64(meta + 12);
        const std::uint64_t data = at + 4 + nameLength + 20;
        if (data + packedSize > end || rawSize > (std::uint64_t(1) << 32)) {
            removeTree(dir);
            die(std::string(self) + ": the installer's runtime section is damaged");
        }
        packed.resize(packedSize);
        plain.resize(rawSize);
        uLongf plainSize = uLongf(rawSize);
        if (!readAt(fd, data, packed.data(), packedSize) ||
            ::uncompress(plain.data(), &plainSize, packed.data(), uLong(packedSize)) != Z_OK ||
            plainSize != rawSize) {
            removeTree(dir);
            die(std::string(self) + ": the installer's runtime section is damaged (" + name + ")");
        }
        const std::string path = dir + "/" + name;
        for (std::size_t slash = dir.size() + 1;
             (slash = path.find('/', slash)) != std::string::npos; ++slash)
            ::mkdir(path.substr(0, slash).c_str(), 0700);
        const int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode | 0600);
        if (out < 0 || !writeAll(out, plain.data(), plain.size()) || ::close(out) != 0) {
            const std::string why = std::strerror(errno);
            removeTree(dir);
            die(path + ": cannot write: " + why, 3);
        }
        at = data + packedSize;
    }
    ::close(fd);

    const std::string program = dir + "/deskpack-installer";
    ::setenv("DESKPACK_INSTALLER_FILE", self, 1);
    struct sigaction action
    {
    };
    action.sa_handler = forward;
    ::sigemptyset(&action.sa_mask);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT})
        ::sigaction(s, &action, nullptr);
    const pid_t parent = ::getpid();
    g_child = ::fork();
    if (g_child < 0) {
        removeTree(dir);
        die(std::string("cannot start the installer: ") + std::strerror(errno), 3);
    }
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
    removeTree(dir);
    if (WIFSIGNALED(status)) {
        const int signal = WTERMSIG(status);
        ::signal(signal, SIG_DFL);
        ::raise(signal);
        return 128 + signal;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}
