// SPDX-License-Identifier: MIT
#include "elffile.h"

#include <QFile>

#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <memory>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runtime {

namespace {

struct ElfCloser
{
    void operator()(Elf *elf) const { elf_end(elf); }
};

struct FdCloser
{
    int fd = -1;
    ~FdCloser()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

Error unreadable(const QString &path, const QString &why)
{
    return makeError(ErrorKind::Unreadable, u"%1: %2"_s.arg(path, why));
}

QStringList splitPath(const char *value)
{
    return QString::fromUtf8(value).split(u':', Qt::SkipEmptyParts);
}

Result<void> readHeader(Elf *elf, const QString &path, ElfInfo &info)
{
    GElf_Ehdr header;
    if (!gelf_getehdr(elf, &header))
        return unreadable(path,
                          u"truncated ELF header (%1)"_s.arg(QString::fromUtf8(elf_errmsg(-1))));
    info.is64 = gelf_getclass(elf) == ELFCLASS64;
    info.machine = header.e_machine;
    info.type = header.e_type == ET_EXEC  ? ElfInfo::Type::Executable
                : header.e_type == ET_DYN ? ElfInfo::Type::SharedObject
                                          : ElfInfo::Type::Other;
    return {};
}

// PT_INTERP, from the program headers, as the loader finds it.
Result<void> readInterpreter(Elf *elf, const QString &path, ElfInfo &info)
{
    size_t rawSize = 0;
    const char *raw = elf_rawfile(elf, &rawSize);
    size_t segments = 0;
    if (elf_getphdrnum(elf, &segments) != 0)
        segments = 0;
    for (size_t i = 0; i < segments; ++i) {
        GElf_Phdr segment;
        if (!gelf_getphdr(elf, int(i), &segment) || segment.p_type != PT_INTERP)
            continue;
        if (!raw || segment.p_offset >= rawSize || segment.p_filesz > rawSize - segment.p_offset)
            return unreadable(path, u"PT_INTERP lies outside the file"_s);
        info.interpreter = QString::fromUtf8(
            raw + segment.p_offset, qsizetype(qstrnlen(raw + segment.p_offset, segment.p_filesz)));
    }
    return {};
}

// NEEDED, SONAME, RUNPATH and RPATH of one SHT_DYNAMIC section, up to DT_NULL.
Result<void> readDynamicSection(Elf *elf, Elf_Scn *section, const GElf_Shdr &sectionHeader,
                                const QString &path, ElfInfo &info)
{
    Elf_Data *data = elf_getdata(section, nullptr);
    if (!data)
        return unreadable(
            path, u"unreadable dynamic section (%1)"_s.arg(QString::fromUtf8(elf_errmsg(-1))));
    const size_t count =
        sectionHeader.sh_entsize ? sectionHeader.sh_size / sectionHeader.sh_entsize : 0;
    for (size_t i = 0; i < count; ++i) {
        GElf_Dyn entry;
        if (!gelf_getdyn(data, int(i), &entry) || entry.d_tag == DT_NULL)
            break;
        if (entry.d_tag != DT_NEEDED && entry.d_tag != DT_SONAME && entry.d_tag != DT_RUNPATH &&
            entry.d_tag != DT_RPATH)
            continue;
        const char *text = elf_strptr(elf, sectionHeader.sh_link, entry.d_un.d_val);
        if (!text)
            return unreadable(path, u"dynamic entry %1 points outside the "
                                    "string table"_s.arg(qlonglong(entry.d_tag)));
        switch (entry.d_tag) {
        case DT_NEEDED:
            info.needed.append(QString::fromUtf8(text));
            break;
        case DT_SONAME:
            info.soname = QString::fromUtf8(text);
            break;
        case DT_RUNPATH:
            info.runPath += splitPath(text);
            break;
        case DT_RPATH:
            info.rPath += splitPath(text);
            break;
        }
    }
    return {};
}

} // namespace

bool isElfFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.read(4) == QByteArrayLiteral("\x7f"
                                                                               "ELF");
}

int hostMachine()
{
#if defined(__x86_64__)
    return EM_X86_64;
#elif defined(__aarch64__)
    return EM_AARCH64;
#elif defined(__powerpc64__)
    return EM_PPC64;
#elif defined(__s390x__)
    return EM_S390;
#elif defined(__riscv)
    return EM_RISCV;
#else
#error "unsupported build machine"
#endif
}

QString describeMachine(int machine, bool is64)
{
    QString name;
    switch (machine) {
    case EM_X86_64:
        name = u"x86-64"_s;
        break;
    case EM_386:
        name = u"Intel 80386"_s;
        break;
    case EM_AARCH64:
        name = u"AArch64"_s;
        break;
    case EM_ARM:
        name = u"ARM"_s;
        break;
    case EM_PPC64:
        name = u"PowerPC64"_s;
        break;
    case EM_S390:
        name = u"S/390"_s;
        break;
    case EM_RISCV:
        name = u"RISC-V"_s;
        break;
    default:
        name = u"machine %1"_s.arg(machine);
    }
    return u"%1 (%2-bit)"_s.arg(name, is64 ? u"64"_s : u"32"_s);
}

bool runsOnHost(const ElfInfo &info)
{
    return info.is64 && info.machine == hostMachine();
}

Result<ElfInfo> readElf(const QString &path)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return makeError(ErrorKind::Environment,
                         u"libelf: %1"_s.arg(QString::fromUtf8(elf_errmsg(-1))));
    FdCloser fd{::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0)
        return unreadable(path, u"cannot open"_s);
    const std::unique_ptr<Elf, ElfCloser> elf(elf_begin(fd.fd, ELF_C_READ, nullptr));
    if (!elf || elf_kind(elf.get()) != ELF_K_ELF)
        return unreadable(path, u"not an ELF file"_s);

    ElfInfo info;
    if (Result<void> done = readHeader(elf.get(), path, info); !done)
        return done.error();
    if (Result<void> done = readInterpreter(elf.get(), path, info); !done)
        return done.error();
    Elf_Scn *section = nullptr;
    while ((section = elf_nextscn(elf.get(), section)) != nullptr) {
        GElf_Shdr sectionHeader;
        if (!gelf_getshdr(section, &sectionHeader) || sectionHeader.sh_type != SHT_DYNAMIC)
            continue;
        if (Result<void> done = readDynamicSection(elf.get(), section, sectionHeader, path, info);
            !done)
            return done.error();
    }
    return info;
}

} // namespace deskpack::runtime
