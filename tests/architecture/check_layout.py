#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The architecture as a test (docs/architecture.md): configures the project
with `cmake --graphviz` into a private directory and checks that
  - the Deskpack libraries link each other without a cycle;
  - no library links one of a component above it (the allowed direction);
  - only the ui libraries and the installer link Qt Widgets;
  - every library folder with a CMakeLists.txt has a test folder of the same path.
Prints one line per finding and 'N passed, N failed'; exits 1 on any failure."""
import os, re, subprocess, sys, tempfile

source = sys.argv[1]
LAYER = {  # lower layers first; a library may link only its own layer or lower
    'base': 0, 'formats': 1, 'lock': 1, 'archive': 1, 'signing': 1, 'python': 2, 'sbom': 2,
    'delta': 2, 'feed': 2, 'release': 5,
    'runtime': 3,
    'kernel': 3, 'supervisor': 3, 'plugins': 3, 'bundle': 4, 'package': 4, 'runcli': 5,
    'cli': 6, 'launcher_core': 5, 'launcher_ui': 6,
    'installlayout': 2, 'installer_core': 2, 'installer_ui': 3,
}
WIDGETS_ALLOWED = {'launcher_ui', 'installer_ui'}

with tempfile.TemporaryDirectory() as build:
    dot = os.path.join(build, 'deps.dot')
    subprocess.run(['cmake', '-S', source, '-B', build, '-G', 'Ninja', '-DDESKPACK_BUILD_TESTS=OFF',
                    '--graphviz=' + dot], check=True, stdout=subprocess.DEVNULL)
    text = open(dot).read()

names = {n: l.split('\\n')[0] for n, l in re.findall(r'"(node\d+)" \[ label = "([^"]+)"', text)}
edges = [(names[a], names[b]) for a, b in re.findall(r'"(node\d+)" -> "(node\d+)"', text)]
libs = {n for n in names.values() if n.startswith('deskpack_') and n != 'deskpack_policy'}
short = lambda n: n[len('deskpack_'):]
graph = {}
for a, b in edges:
    graph.setdefault(a, set()).add(b)

passed = failed = 0
def check(ok, what):
    global passed, failed
    print(('PASS ' if ok else 'FAIL ') + what)
    passed += ok
    failed += not ok

unknown = sorted(short(l) for l in libs if short(l) not in LAYER)
check(not unknown, 'every library has a place in the layering: ' + (', '.join(unknown) or 'yes'))

state, cycles = {}, []
def visit(u, stack):
    state[u] = 1; stack.append(u)
    for v in graph.get(u, ()):
        if v not in libs: continue
        if state.get(v) == 1: cycles.append(stack[stack.index(v):] + [v])
        elif not state.get(v): visit(v, stack)
    stack.pop(); state[u] = 2
for lib in sorted(libs):
    if not state.get(lib): visit(lib, [])
check(not cycles, 'no cycle between libraries' + ''.join('\n  ' + ' -> '.join(c) for c in cycles))

upward = [(a, b) for a in libs for b in graph.get(a, ()) if b in libs
          and LAYER.get(short(b), 0) > LAYER.get(short(a), 99)]
check(not upward, 'no library links one of a higher layer' +
      ''.join(f'\n  {a} -> {b}' for a, b in upward))

def reaches(lib, target, seen=None):
    seen = seen or set()
    for v in graph.get(lib, ()):
        if v == target: return True
        if v not in seen:
            seen.add(v)
            if reaches(v, target, seen): return True
    return False
widgets = [l for l in sorted(libs) if reaches(l, 'Qt6::Widgets') and short(l) not in WIDGETS_ALLOWED]
check(not widgets, 'only launcher/ui and installer/ui link Qt Widgets' + ''.join('\n  ' + w for w in widgets))

missing = []
for comp in ('packager', 'runner', 'launcher', 'installer'):
    for sub in sorted(os.listdir(os.path.join(source, comp))):
        if os.path.isfile(os.path.join(source, comp, sub, 'CMakeLists.txt')) and sub != 'stub':
            if not os.path.isdir(os.path.join(source, 'tests', comp, sub)):
                missing.append(f'{comp}/{sub}')
check(not missing, 'every library folder has tests/<same path>' + ''.join('\n  ' + m for m in missing))

print(f'{passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
