#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compile tests/header_modes.c in every supported language mode with
-Wall -Wextra -Werror -Wcast-align, link it against the built liburing.so and run it.
Reports TAP: one case per compiler and mode; a missing compiler is a skip.

usage: header_modes.py SRC INCLUDE_DIR LIBURING_SO OUTDIR [SANITIZE]
"""
import os
import shutil
import subprocess
import sys

C_MODES = [['-std=gnu99'], ['-std=gnu11'], ['-std=c99', '-D_GNU_SOURCE'],
           ['-std=c11', '-D_GNU_SOURCE']]
CXX_MODES = [['-std=c++11'], ['-std=c++14'], ['-std=c++17'], ['-std=c++20']]
# -O2: some warnings (bounds, uninitialised use) need the optimiser
WARN = ['-O2', '-Wall', '-Wextra', '-Werror']
# and no cast that raises alignment (clang warns on x86 too; gcc's =strict
# checks as if on a strict-alignment target)
CAST_ALIGN = {'gcc': '-Wcast-align=strict', 'g++': '-Wcast-align=strict',
              'clang': '-Wcast-align', 'clang++': '-Wcast-align'}


def cases():
    for cc, cxx in (('gcc', 'g++'), ('clang', 'clang++')):
        for m in C_MODES:
            yield cc, 'gcc', ['-x', 'c'], m
        for m in CXX_MODES:
            yield cxx, 'g++', ['-x', 'c++'], m


def run(cmd, what, log):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors='replace', timeout=120)
    if p.returncode:
        log.append('%s failed (%d): %s' % (what, p.returncode, ' '.join(cmd)))
        log.extend(p.stdout.splitlines())
    return p


def main():
    src, incdir, lib, outdir = sys.argv[1:5]
    sanitize = sys.argv[5] if len(sys.argv) > 5 else 'none'
    san = [] if sanitize in ('', 'none') else ['-fsanitize=' + sanitize]
    libdir = os.path.dirname(os.path.abspath(lib))
    os.makedirs(outdir, exist_ok=True)
    all_cases = list(cases())
    print('1..%d' % len(all_cases))
    failed = 0
    for n, (comp, gnu_driver, lang, mode) in enumerate(all_cases, 1):
        name = '%s %s' % (comp, ' '.join(mode))
        if not shutil.which(comp):
            print('ok %d - %s # SKIP %s not installed' % (n, name, comp))
            continue
        tag = '%s%s' % (comp.replace('+', 'x'), mode[0].replace('-std=', '-'))
        obj = os.path.join(outdir, tag + '.o')
        exe = os.path.join(outdir, tag)
        log = []
        # gcc-built sanitizer runtimes do not mix with clang's: clang
        # compiles uninstrumented and gcc's driver links against the
        # instrumented library.
        cflags = san if comp in ('gcc', 'g++') else []
        linker = comp if not san else gnu_driver
        ok = run([comp] + lang + mode + WARN + [CAST_ALIGN[comp]] + cflags +
                 ['-I', incdir, '-c', src,
                 '-o', obj], 'compile', log).returncode == 0
        ok = ok and run([linker] + san + [obj, lib, '-Wl,-rpath,' + libdir,
                        '-o', exe], 'link', log).returncode == 0
        if ok:
            p = run([exe], 'run', log)
            ok = p.returncode == 0 and p.stdout.strip() == 'ok'
            if p.returncode == 0 and not ok:
                log.append('unexpected output: ' + p.stdout.strip())
        print('%s %d - %s' % ('ok' if ok else 'not ok', n, name))
        for line in log:
            print('# ' + line)
        failed += not ok
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
