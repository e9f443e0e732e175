#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Signing throughput: `deskpack sign` against Debian's `minisign -S`, and
`deskpack verify-signature` against `minisign -V`, on the same ~70 MiB file
in the same run, alternating which goes first each round. Both use
unencrypted (-W) keys, so scrypt is not measured; key generation with a
password (scrypt at minisign's 1 GiB cost) is timed once each, separately.

The file: the largest *.run / installer under build/ when --file is not
given and one exists, else 70 MiB of random bytes in a temporary directory.

usage: bench_sign.py --deskpack build/bin/deskpack [--file F] [--repeat 7] [--json]
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import tempfile
import time

MINISIGN = '/usr/bin/minisign'


def timed(args, env=None, stdin=None):
    start = time.perf_counter()
    subprocess.run(args, check=True, env=env, input=stdin, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def pick_file(given, tmp):
    if given:
        return given, 'given'
    found = [p for p in glob.glob('build/**/*-installer*', recursive=True) + glob.glob('build/**/*.run', recursive=True)
             if os.path.isfile(p) and os.path.getsize(p) > 50 << 20]
    if found:
        return max(found, key=os.path.getsize), 'installer from build/'
    path = os.path.join(tmp, 'random-70MiB.bin')
    with open(path, 'wb') as f:
        f.write(os.urandom(70 << 20))
    return path, 'random bytes'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--deskpack', default='build/bin/deskpack')
    ap.add_argument('--file')
    ap.add_argument('--repeat', type=int, default=7)
    ap.add_argument('--json', action='store_true')
    a = ap.parse_args()
    env = dict(os.environ)
    env.pop('DESKPACK_KEY_PASSWORD', None)
    with tempfile.TemporaryDirectory() as tmp:
        path, origin = pick_file(a.file, tmp)
        k = lambda n: os.path.join(tmp, n)
        subprocess.run([a.deskpack, 'keygen', '-W', '-p', k('d.pub'), '-s', k('d.sec')], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([MINISIGN, '-G', '-W', '-p', k('m.pub'), '-s', k('m.sec')], check=True,
                       stdout=subprocess.DEVNULL)
        # deskpack writes FILE.minisig: sign a link in tmp so nothing lands beside the input.
        target = k('input.bin')
        os.symlink(os.path.abspath(path), target)
        times = {n: [] for n in ('deskpack sign', 'minisign -S', 'deskpack verify-signature', 'minisign -V')}
        for i in range(a.repeat):
            pair = [('deskpack sign', [a.deskpack, 'sign', target, '-s', k('d.sec')]),
                    ('minisign -S', [MINISIGN, '-S', '-s', k('m.sec'), '-m', target, '-x', k('m.minisig')])]
            for name, args in (pair if i % 2 == 0 else pair[::-1]):
                times[name].append(timed(args, env, b''))
            pair = [('deskpack verify-signature', [a.deskpack, 'verify-signature', target, '-p', k('d.pub')]),
                    ('minisign -V', [MINISIGN, '-V', '-q', '-m', target, '-p', k('m.pub'), '-x', k('m.minisig')])]
            for name, args in (pair if i % 2 == 0 else pair[::-1]):
                times[name].append(timed(args, env))
        pw_env = dict(env, DESKPACK_KEY_PASSWORD='bench')
        keygen = {
            'deskpack keygen (scrypt 1 GiB)': timed([a.deskpack, 'keygen', '-p', k('e.pub'), '-s', k('e.sec')], pw_env),
            'minisign -G (scrypt 1 GiB)': timed([MINISIGN, '-G', '-p', k('f.pub'), '-s', k('f.sec')], env, b'bench\nbench\n'),
        }
        size = os.path.getsize(path)
    rows = {n: statistics.median(t) for n, t in times.items()}
    mib = size / (1 << 20)
    if a.json:
        print(json.dumps({'file': origin, 'bytes': size, 'repeat': a.repeat,
                          'median_seconds': rows, 'mib_per_second': {n: mib / s for n, s in rows.items()},
                          'keygen_seconds': keygen}, indent=2))
        return
    print(f'{origin}: {mib:.1f} MiB, median of {a.repeat}')
    print(f'{"":28} {"seconds":>8} {"MiB/s":>8}')
    for n, s in rows.items():
        print(f'{n:28} {s:8.3f} {mib / s:8.0f}')
    for n, s in keygen.items():
        print(f'{n:28} {s:8.2f}')


if __name__ == '__main__':
    main()
