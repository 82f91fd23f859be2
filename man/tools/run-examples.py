#!/usr/bin/env python3
"""Compile and run every example of the manual and of the README (TAP).

Usage: run-examples.py BUILD_DIR [--sanitize SAN] [--keep DIR] [--list]

What counts as an example:
  - each .EX/.EE block in the EXAMPLES section of a page in man/;
  - each ```c block of README.md.
A C example must be a complete program (it has a main()).  It is written
to NAME.c, compiled with `cc -std=gnu11 -Wall -Wextra -Werror` against
include/ and BUILD_DIR/src/liburing.so, and run in an empty directory that
holds one file, input.txt (the script's own source text), with stdin
/dev/null and a 30 s limit; it passes when it exits 0.
A roff comment line before the block gives the command line arguments:
  .\\" run: input.txt
one that says
  .\\" output
marks the next block as the output of an example, not code (when it comes
right after a program, the program must print the same words, in any
order and line breaking), and
  .\\" lang: python
marks a Python program, run with python3 and the built libraries on
LD_LIBRARY_PATH.
Examples in section 1 are shell sessions: every line starting with "$ "
(with its "\\" continuation lines) runs in bash -o pipefail with the
built tools first in PATH, and must exit 0.
Blocks of pages listed in man/tools/examples-waived (page, reason) are
reported as skipped.  An EXAMPLES section without an .EX/.EE program, or
with a .nf/.fi display, fails: code there would not be run.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import manpages  # noqa: E402

ROOT = os.path.normpath(os.path.join(manpages.MANDIR, '..'))


# label -> the output block shown right after that example's program
EXPECTED = {}


def page_examples(page):
    """[(label, kind, code, args)] for a page's EXAMPLES blocks.

    A page whose EXAMPLES section shows no .EX/.EE program, or shows text
    in a .nf/.fi display (which this script would not see), gets an entry
    of kind 'bad' instead, so that no example escapes the run unnoticed.
    """
    out = []
    body = page.sections().get('EXAMPLES')
    if body is None:
        return out
    if any(re.match(r'\.nf\b', line) for line in body):
        out.append((page.file, 'bad', 'EXAMPLES holds a .nf/.fi display: put '
                    'programs in .EX/.EE (output after a .\\" output line)', ''))
    args, cur, n, output, lang = '', None, 0, False, None
    after_output = False
    for line in body:
        m = re.match(r'\.\\"\s*lang:\s*(\w+)\s*$', line)
        if m:
            lang = m.group(1)
            continue
        m = re.match(r'\.\\"\s*run:\s*(.*)$', line)
        if m:
            args = m.group(1).strip()
        elif re.match(r'\.\\"\s*output\s*$', line):
            output = True
        elif line.startswith('.EX'):
            cur = []
        elif line.startswith('.EE') and cur is not None and output:
            last = out[-1][0] if out and out[-1][1] == 'c' else None
            if last and last not in EXPECTED and not after_output:
                EXPECTED[last] = manpages.unescape_code('\n'.join(cur))
            cur, output, after_output = None, False, True
        elif line.startswith('.EE') and cur is not None:
            n += 1
            code = manpages.unescape_code('\n'.join(cur)) + '\n'
            kind = lang or ('sh' if page.section == '1' else 'c')
            label = page.file if n == 1 else '%s#%d' % (page.file, n)
            out.append((label, kind, code, args))
            cur, args, lang, after_output = None, '', None, False
        elif cur is not None and not line.startswith('.\\"'):
            cur.append(line)
    if not any(kind != 'bad' for _, kind, _, _ in out):
        out.append((page.file, 'bad', 'EXAMPLES shows no program in .EX/.EE', ''))
    return out


def readme_examples():
    out, n = [], 0
    path = os.path.join(ROOT, 'README.md')
    if not os.path.exists(path):
        return out
    for m in re.finditer(r'^```c\n(.*?)^```', open(path).read(), re.M | re.S):
        n += 1
        out.append(('README.md#%d' % n, 'c', m.group(1), ''))
    return out


def shell_commands(code):
    cmds, cur = [], None
    for line in code.split('\n'):
        if cur is not None:
            cur += '\n' + line
            if not line.rstrip().endswith('\\'):
                cmds.append(cur)
                cur = None
        elif line.startswith('$ '):
            cur = line[2:]
            if not cur.rstrip().endswith('\\'):
                cmds.append(cur)
                cur = None
    return cmds


def run_c(label, code, args, build, san, work):
    if not re.search(r'\bmain\s*\(', code):
        return False, 'not a complete program (no main())'
    name = re.sub(r'[^A-Za-z0-9_]', '_', label)
    src = os.path.join(work, name + '.c')
    exe = os.path.join(work, name)
    with open(src, 'w') as f:
        f.write(code)
    libdir = os.path.join(build, 'src')
    # CC: the build's compiler, maybe with arguments (clang --target=...)
    cc = shlex.split(os.environ.get('CC', 'cc'))
    cmd = cc + ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-g', '-O2'] + san + \
        ['-I', os.path.join(ROOT, 'include'), src, '-o', exe,
         '-L', libdir, '-Wl,-rpath,' + os.path.abspath(libdir), '-luring']
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        return False, 'compile failed:\n' + r.stderr
    rundir = os.path.join(work, name + '.d')
    os.makedirs(rundir, exist_ok=True)
    shutil.copy(os.path.abspath(__file__), os.path.join(rundir, 'input.txt'))
    try:
        r = subprocess.run([exe] + args.split(), cwd=rundir, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, LD_LIBRARY_PATH=os.path.abspath(libdir)))
    except subprocess.TimeoutExpired:
        return False, 'timed out after 30 s'
    if r.returncode:
        return False, 'exit status %d\nstdout:\n%s\nstderr:\n%s' % (
            r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    want = EXPECTED.get(label)
    if want is not None and sorted(want.split()) != sorted(r.stdout.split()):
        return False, ('the output differs from what the page shows (compared as '
                       'words, in any order):\npage:\n%s\nprogram:\n%s' % (want, r.stdout))
    return True, r.stdout


def run_sh(label, code, build, work):
    cmds = shell_commands(code)
    if not cmds:
        return False, 'no "$ " command lines'
    env = dict(os.environ)
    env['PATH'] = os.path.join(os.path.abspath(build), 'tools') + os.pathsep + env['PATH']
    env['LD_LIBRARY_PATH'] = os.path.join(os.path.abspath(build), 'src')
    out = ''
    for c in cmds:
        r = subprocess.run(['bash', '-o', 'pipefail', '-c', c], cwd=work, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=30)
        out += '$ %s\n%s' % (c, r.stdout)
        if r.returncode:
            return False, '%s: exit status %d\n%s' % (c, r.returncode, r.stderr[-2000:])
    return True, out


def same_elf_class(build):
    """Is the built library of this python's word size (not a cross build)?"""
    with open(os.path.join(build, 'src', 'liburing.so.2'), 'rb') as f:
        elf_class = f.read(5)[4]
    return elf_class == (2 if sys.maxsize > 2 ** 32 else 1)


def run_python(label, code, build, work):
    name = re.sub(r'[^A-Za-z0-9_]', '_', label)
    src = os.path.join(work, name + '.py')
    with open(src, 'w') as f:
        f.write(code)
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(os.path.abspath(build), 'src'))
    try:
        r = subprocess.run([sys.executable, src], cwd=work, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=30)
    except subprocess.TimeoutExpired:
        return False, 'timed out after 30 s'
    if r.returncode:
        return False, 'exit status %d\n%s' % (r.returncode, r.stderr[-2000:])
    return True, r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('--sanitize', default='none')
    ap.add_argument('--keep', help='write the programs here and keep them')
    ap.add_argument('--list', action='store_true', help='list the examples and exit')
    ap.add_argument('--man', default=manpages.MANDIR)
    a = ap.parse_args()
    san = [] if a.sanitize in ('', 'none') else ['-fsanitize=' + a.sanitize]

    waived = {}
    wpath = os.path.join(a.man, 'tools', 'examples-waived')
    if os.path.exists(wpath):
        for line in open(wpath):
            if line.strip() and not line.startswith('#'):
                page, reason = line.split(None, 1)
                waived[page] = reason.strip()

    examples = []
    for p in manpages.load(a.man).values():
        if not p.alias_of:
            examples += page_examples(p)
    examples += readme_examples()
    if a.list:
        for label, kind, _, args in examples:
            print(label, kind, args)
        return 0

    work = a.keep or tempfile.mkdtemp(prefix='uring-examples.')
    os.makedirs(work, exist_ok=True)
    print('1..%d' % len(examples))
    failed = 0
    used = set()
    for i, (label, kind, code, args) in enumerate(examples, 1):
        page = label.split('#')[0]
        if page in waived:
            used.add(page)
            print('ok %d - %s # SKIP %s' % (i, label, waived[page]))
            continue
        if kind == 'bad':
            ok, msg = False, code
        elif kind == 'sh':
            ok, msg = run_sh(label, code, a.build, work)
        elif kind == 'python' and san:
            print('ok %d - %s # SKIP python3 cannot load sanitized libraries' % (i, label))
            continue
        elif kind == 'python' and not same_elf_class(a.build):
            print('ok %d - %s # SKIP python3 cannot load another ABI\'s library (a cross build)'
                  % (i, label))
            continue
        elif kind == 'python':
            ok, msg = run_python(label, code, a.build, work)
        else:
            ok, msg = run_c(label, code, args, a.build, san, work)
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, label))
        if not ok:
            failed += 1
            for line in msg.rstrip().split('\n'):
                print('# ' + line)
    for page in sorted(set(waived) - used):
        print('# examples-waived: %s has no examples: remove it' % page)
        failed += 1
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
