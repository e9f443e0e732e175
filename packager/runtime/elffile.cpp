// SPDX-License-Identifier: MIT
#include "elffile.h"

#include <QFile>

#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <memory>

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
    return makeError(ErrorKind::Unreadable, QStringLiteral("%1: %2").arg(path, why));
}

QStringList splitPath(const char *value)
{
    return QString::fromUtf8(value).split(u':', Qt::SkipEmptyParts);
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
        name = QStringLiteral("x86-64");
        break;
    case EM_386:
        name = QStringLiteral("Intel 80386");
        break;
    case EM_AARCH64:
        name = QStringLiteral("AArch64");
        break;
    case EM_ARM:
        name = QStringLiteral("ARM");
        break;
    case EM_PPC64:
        name = QStringLiteral("PowerPC64");
        break;
    case EM_S390:
        name = QStringLiteral("S/390");
        break;
    case EM_RISCV:
        name = QStringLiteral("RISC-V");
        break;
    default:
        name = QStringLiteral("machine %1").arg(machine);
    }
    return QStringLiteral("%1 (%2-bit)")
        .arg(name, is64 ? QStringLiteral("64") : QStringLiteral("32"));
}

bool runsOnHost(const ElfInfo &info)
{
    return info.is64 && info.machine == hostMachine();
}

Result<ElfInfo> readElf(const QString &path)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return makeError(ErrorKind::Environment,
                         QStringLiteral("libelf: %1").arg(QString::fromUtf8(elf_errmsg(-1))));
    FdCloser fd{::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0)
        return unreadable(path, QStringLiteral("cannot open"));
    const std::unique_ptr<Elf, ElfCloser> elf(elf_begin(fd.fd, ELF_C_READ, nullptr));
    if (!elf || elf_kind(elf.get()) != ELF_K_ELF)
        return unreadable(path, QStringLiteral("not an ELF file"));

    ElfInfo info;
    GElf_Ehdr header;
    if (!gelf_getehdr(elf.get(), &header))
        return unreadable(
            path,
            QStringLiteral("truncated ELF header (%1)").arg(QString::fromUtf8(elf_errmsg(-1))));
    info.is64 = gelf_getclass(elf.get()) == ELFCLASS64;
    info.machine = header.e_machine;
    info.type = header.e_type == ET_EXEC  ? ElfInfo::Type::Executable
                : header.e_type == ET_DYN ? ElfInfo::Type::SharedObject
                                          : ElfInfo::Type::Other;

    size_t rawSize = 0;
    const char *raw = elf_rawfile(elf.get(), &rawSize);
    size_t segments = 0;
    if (elf_getphdrnum(elf.get(), &segments) != 0)
        segments = 0;
    for (size_t i = 0; i < segments; ++i) {
        GElf_Phdr segment;
        if (!gelf_getphdr(elf.get(), int(i), &segment) || segment.p_type != PT_INTERP)
            continue;
        if (!raw || segment.p_offset >= rawSize || segment.p_filesz > rawSize - segment.p_offset)
            return unreadable(path, QStringLiteral("PT_INTERP lies outside the file"));
        info.interpreter = QString::fromUtf8(
            raw + segment.p_offset, qsizetype(qstrnlen(raw + segment.p_offset, segment.p_filesz)));
    }

    Elf_Scn *section = nullptr;
    while ((section = elf_nextscn(elf.get(), section)) != nullptr) {
        GElf_Shdr sectionHeader;
        if (!gelf_getshdr(section, &sectionHeader) || sectionHeader.sh_type != SHT_DYNAMIC)
            continue;
        Elf_Data *data = elf_getdata(section, nullptr);
        if (!data)
            return unreadable(path, QStringLiteral("unreadable dynamic section (%1)")
                                        .arg(QString::fromUtf8(elf_errmsg(-1))));
        const size_t count =
            sectionHeader.sh_entsize ? sectionHeader.sh_size / sectionHeader.sh_entsize : 0;
        for (size_t i = 0; i < count; ++i) {
            GElf_Dyn entry;
            if (!gelf_getdyn(data, int(i), &entry) || entry.d_tag == DT_NULL)
                break;
            if (entry.d_tag != DT_NEEDED && entry.d_tag != DT_SONAME && entry.d_tag != DT_RUNPATH &&
                entry.d_tag != DT_RPATH)
                continue;
            const char *text = elf_strptr(elf.get(), sectionHeader.sh_link, entry.d_un.d_val);
            if (!text)
                return unreadable(path, QStringLiteral("dynamic entry %1 points outside the "
                                                       "string table")
                                            .arg(qlonglong(entry.d_tag)));
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
    }
    return info;
}

} // namespace deskpack::runtime
