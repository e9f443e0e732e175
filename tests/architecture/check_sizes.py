#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Short functions and files as a test (docs/architecture.md): lists production
functions over LIMIT lines (default 60) and source files over FILELIMIT lines
(default 450; C++ and the Python shipped in resources/), outside tests/ and
benchmarks/, and exits 1 when there is any.
  check_sizes.py SOURCE_DIR [LIMIT [FILELIMIT]]
A function is a body whose '{' stands alone at column 0 (or at 4 inside a class
defined at column 0, as clang-format lays them out here), counted from its
signature to its closing brace; a class defined in a .cpp counts member by member."""
import sys, os, subprocess
root = sys.argv[1] if len(sys.argv) > 1 else '.'
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 60
filelimit = int(sys.argv[3]) if len(sys.argv) > 3 else 450
files = subprocess.check_output(['git','ls-files','-co','--exclude-standard'], cwd=root, text=True).split()
res = []; big = []
def sigstart(lines, i, ind):
    s = i - 1
    while s > 0:
        p = lines[s-1]
        if not p.strip() or p.rstrip().endswith((';','}','{',':')) and not p.rstrip().endswith('::') or p.lstrip().startswith(('//','#','public','private','protected')):
            break
        if len(p) - len(p.lstrip()) < ind: break
        s -= 1
    return s
for f in files:
    if f.startswith(('tests/','benchmarks/')) or not os.path.exists(os.path.join(root,f)): continue
    if not f.endswith(('.cpp','.h','.py')): continue
    if f.endswith('.py') and not f.startswith('resources/'): continue
    text = open(os.path.join(root,f), encoding='utf-8', errors='replace').read()
    lines = text.split('\n')
    if len(lines) > filelimit: big.append((len(lines), f))
    if f.endswith('.py'): continue
    for ind in (0, 4):
        pre = ' ' * ind
        i = 0
        while i < len(lines):
            if lines[i] == pre + '{':
                s = sigstart(lines, i, ind)
                sig = lines[s].strip()
                j = i + 1
                while j < len(lines) and not (lines[j].startswith(pre + '}') and len(lines[j]) - len(lines[j].lstrip()) == ind):
                    j += 1
                n = j - s + 1
                iscls = sig.startswith(('class ','struct ')) or ' class ' in sig or ' struct ' in sig
                if n > limit and not iscls:
                    res.append((n, f, s+1, sig[:90]))
                i = j
            i += 1
res.sort(reverse=True)
for n,f,l,sig in res: print(f"FAIL function of {n} lines: {f}:{l} {sig}")
for n,f in sorted(big, reverse=True): print(f"FAIL file of {n} lines: {f}")
failed = len(res) + len(big)
print(f"{2 - (1 if res else 0) - (1 if big else 0)} passed, {(1 if res else 0) + (1 if big else 0)} failed"
      f" ({len(res)} functions over {limit} lines, {len(big)} files over {filelimit})")
sys.exit(1 if failed else 0)
