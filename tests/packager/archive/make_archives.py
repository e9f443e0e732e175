# SPDX-License-Identifier: MIT
"""Writes the archive corpus for the packager's archive tests, at test time,
with Python's own tarfile/zipfile (an implementation independent of ours).

    make_archives.py good OUTDIR
    make_archives.py hostile OUTDIR OUTSIDE_DIR

OUTSIDE_DIR is a directory the tests watch: every hostile archive tries to
write into it (by absolute path, '..', a symlink or a hardlink)."""

import io
import os
import random
import subprocess
import sys
import tarfile
import zipfile


def info(name, kind=tarfile.REGTYPE, mode=0o644, data=b"", link=""):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.mtime = 1700000000
    ti.linkname = link
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    return ti, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def write_tar(path, members):
    """members: list of (TarInfo, fileobj). Compression from the suffix;
    .tar.zst is written as .tar and compressed with the zstd tool."""
    plain = path[:-4] if path.endswith(".zst") else path
    mode = {"gz": "w:gz", "xz": "w:xz", "tar": "w"}[plain.rsplit(".", 1)[1]]
    with tarfile.open(plain, mode, format=tarfile.PAX_FORMAT) as tar:
        for ti, data in members:
            tar.addfile(ti, data)
    if path.endswith(".zst"):
        subprocess.run(["zstd", "-q", "-f", "--rm", plain, "-o", path], check=True)


def zip_entry(zf, name, data=b"", mode=0o644, symlink=False, directory=False):
    zi = zipfile.ZipInfo(name, date_time=(2023, 11, 14, 22, 13, 20))
    zi.create_system = 3  # Unix, so external_attr carries the mode
    kind = 0o120000 if symlink else (0o040000 if directory else 0o100000)
    zi.external_attr = (kind | mode) << 16
    if directory:
        zi.external_attr |= 0x10
    zi.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(zi, data)


def good(out):
    for suffix in ("tar.gz", "tar.xz", "tar.zst"):
        write_tar(os.path.join(out, "good." + suffix), [
            info("pkg/", tarfile.DIRTYPE, 0o755),
            info("pkg/data.txt", data=b"data\n"),
            info("pkg/empty/", tarfile.DIRTYPE, 0o750),
            info("pkg/hard", tarfile.LNKTYPE, link="pkg/data.txt"),
            info("pkg/link", tarfile.SYMTYPE, 0o777, link="data.txt"),
            info("pkg/run.sh", mode=0o755, data=b"#!/bin/sh\necho ok\n"),
            info("pkg/setuid", mode=0o4755, data=b"x"),
            info("pkg/sub/", tarfile.DIRTYPE, 0o755),
            info("pkg/sub/deep.txt", mode=0o600, data=b"deep\n"),
            info("pkg/sub/up", tarfile.SYMTYPE, 0o777, link="../data.txt"),
        ])
    with zipfile.ZipFile(os.path.join(out, "good.zip"), "w") as zf:
        zip_entry(zf, "pkg/", directory=True, mode=0o755)
        zip_entry(zf, "pkg/data.txt", b"data\n")
        zip_entry(zf, "pkg/empty/", directory=True, mode=0o750)
        zip_entry(zf, "pkg/link", b"data.txt", mode=0o777, symlink=True)
        zip_entry(zf, "pkg/run.sh", b"#!/bin/sh\necho ok\n", mode=0o755)
        zip_entry(zf, "pkg/setuid", b"x", mode=0o4755)
        zip_entry(zf, "pkg/sub/deep.txt", b"deep\n", mode=0o600)
        zip_entry(zf, "pkg/sub/up", b"../data.txt", mode=0o777, symlink=True)


def hostile(out, outside):
    def tar(name, members):
        write_tar(os.path.join(out, name), [info("ok.txt", data=b"fine\n")] + members)

    tar("absolute.tar.gz", [info(os.path.join(outside, "abs.txt"), data=b"x")])
    tar("dotdot.tar.gz", [info("a/../../outside/dotdot.txt", data=b"x")])
    tar("dotdot.tar.xz", [info("../outside/dotdot.txt", data=b"x")])
    tar("dotdot.tar.zst", [info("../outside/dotdot.txt", data=b"x")])
    tar("backslash.tar.gz", [info("a\\..\\..\\outside\\backslash.txt", data=b"x")])
    tar("symlink-outside.tar.gz", [info("escape", tarfile.SYMTYPE, link="../outside")])
    tar("symlink-absolute.tar.gz", [info("escape", tarfile.SYMTYPE, link=outside)])
    tar("symlink-then-file.tar.gz", [
        info("dir/", tarfile.DIRTYPE, 0o755),
        info("shortcut", tarfile.SYMTYPE, link="dir"),
        info("shortcut/payload.txt", data=b"x"),
    ])
    tar("symlink-outside-then-file.tar.gz", [
        info("escape", tarfile.SYMTYPE, link="../outside"),
        info("escape/payload.txt", data=b"x"),
    ])
    # Each link alone stays inside; together l2 -> d/l1/.. -> (root)/.. escapes.
    tar("symlink-chain.tar.gz", [
        info("d/", tarfile.DIRTYPE, 0o755),
        info("l2", tarfile.SYMTYPE, link="d/l1/../outside"),
        info("d/l1", tarfile.SYMTYPE, link=".."),
    ])
    tar("symlink-replaced.tar.gz", [
        info("dir/", tarfile.DIRTYPE, 0o755),
        info("shortcut", tarfile.SYMTYPE, link="dir"),
        info("shortcut", data=b"x"),
    ])
    tar("hardlink-outside.tar.gz", [info("hard", tarfile.LNKTYPE, link="../outside/target")])
    tar("hardlink-absolute.tar.gz", [info("hard", tarfile.LNKTYPE, link="/etc/passwd")])
    tar("device.tar.gz", [info("null", tarfile.CHRTYPE, 0o666)])
    tar("fifo.tar.gz", [info("pipe", tarfile.FIFOTYPE, 0o644)])

    with zipfile.ZipFile(os.path.join(out, "backslash.zip"), "w") as zf:
        zip_entry(zf, "ok.txt", b"fine\n")
        zip_entry(zf, "..\\outside\\backslash.txt", b"x")
    with zipfile.ZipFile(os.path.join(out, "dotdot.zip"), "w") as zf:
        zip_entry(zf, "ok.txt", b"fine\n")
        zip_entry(zf, "../outside/dotdot.txt", b"x")
    with zipfile.ZipFile(os.path.join(out, "symlink-outside.zip"), "w") as zf:
        zip_entry(zf, "ok.txt", b"fine\n")
        zip_entry(zf, "escape", b"../outside", mode=0o777, symlink=True)

    # Cut in the middle of an incompressible member, so the damage is inside it.
    rng = random.Random(3)
    big = bytes(rng.getrandbits(8) for _ in range(256 * 1024))
    full = os.path.join(out, "full.tar.gz")
    write_tar(full, [info("ok.txt", data=b"fine\n"), info("big.bin", data=big)])
    with open(full, "rb") as f:
        data = f.read()
    with open(os.path.join(out, "truncated.tar.gz"), "wb") as f:
        f.write(data[: len(data) * 6 // 10])
    os.remove(full)
    with open(os.path.join(out, "not-an-archive.tar.gz"), "wb") as f:
        f.write(b"These are release notes, not an archive.\n" * 20)
    open(os.path.join(out, "empty.zip"), "wb").close()


def main():
    kind, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    if kind == "good":
        good(out)
    elif kind == "hostile":
        hostile(out, os.path.abspath(sys.argv[3]))
    else:
        sys.exit("unknown corpus " + kind)


if __name__ == "__main__":
    main()
