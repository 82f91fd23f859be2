#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A promise in the README is a test case: hold README.md to the tree.

    check-readme.py [--build BUILD] [--abi DIR]

Prints TAP, one line per promise:
- the quick start is exactly the two commands scripts/setup and
  scripts/test, both there and executable, and CI (.ci/run) runs exactly
  those two;
- scripts/setup installs the build dependencies and runs every example,
  and the examples the README names are the ones examples/meson.build builds;
- scripts/test ends with the summary line the README shows
  ("tests: N passed, N failed, N skipped");
- every path of the tree the README names (in backquotes) exists;
- the headers the README says are installed are the ones meson installs;
- the number of ring configurations it gives for tests/ring_config.c is
  that of the table there;
- the benchmark paragraph (workload count, instruction ratio range, where
  uring was faster, same system calls) says what bench/compare.txt, the
  last run, says;
- the Status figures are api-check's (with --build and a contract
  directory, by default ../shared/abi beside the tree; skipped without).
"""
import argparse
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))


def read(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return f.read()


def section(text, title):
    m = re.search(r'^## %s\n(.*?)(?=^## |\Z)' % re.escape(title), text, re.M | re.S)
    return m.group(1) if m else ''


def commands(block):
    """Commands of a shell block, comments and blank lines dropped."""
    out = []
    for line in block.splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            out.append(line)
    return out


def check_quick_start(readme):
    bad = []
    qs = section(readme, 'Quick start')
    blocks = re.findall(r'```sh\n(.*?)```', qs, re.S)
    if len(blocks) != 1:
        return ['the Quick start has %d sh blocks, not one' % len(blocks)]
    cmds = commands(blocks[0])
    if cmds != ['scripts/setup', 'scripts/test']:
        bad.append('the Quick start commands are %s, not scripts/setup and scripts/test' % cmds)
    for c in cmds:
        p = os.path.join(ROOT, c)
        if not (os.path.isfile(p) and os.access(p, os.X_OK)):
            bad.append('%s is not an executable file' % c)
    ci = [c for c in commands(read('.ci/run')) if 'scripts/' in c]
    ran = [re.search(r'(scripts/\S+)', c).group(1) for c in ci]
    if ran != cmds:
        bad.append('.ci/run runs %s, not the Quick start commands %s' % (ran, cmds))
    return bad


def check_setup_examples(readme):
    bad = []
    setup = read('scripts/setup')
    if 'scripts/install-deps' not in setup:
        bad.append('scripts/setup does not run scripts/install-deps')
    built = re.findall(r"^\s*'([a-z_]+)'\s*:", read('examples/meson.build'), re.M)
    m = re.search(r'^\| `examples/` \| (.*?) \|$', readme, re.M)
    named = re.findall(r'`([a-z_]+)`', m.group(1)) if m else []
    if sorted(named) != sorted(built):
        bad.append('the README names the examples %s; examples/meson.build builds %s'
                   % (named, built))
    for b in built:
        if './build/examples/%s ' % b not in setup + ' ' and \
                './build/examples/%s\n' % b not in setup:
            bad.append('scripts/setup does not run examples/%s' % b)
    return bad


def check_summary_line(readme):
    bad = []
    m = re.search(r'ends with one line such as `(tests: \d+ passed, \d+ failed, \d+ skipped)`',
                  readme)
    if not m:
        return ['the README shows no "tests: N passed, N failed, N skipped" line']
    test = read('scripts/test')
    last = [c for c in commands(test) if c not in ('fi', 'done')][-2:]
    if not any('summary.py tests ' in c for c in last):
        bad.append('scripts/test does not end with scripts/summary.py tests ...')
    if "'%s: %d passed, %d failed, %d skipped'" not in read('scripts/summary.py'):
        bad.append('scripts/summary.py no longer prints "LABEL: N passed, N failed, N skipped"')
    return bad


TOP = ('src', 'include', 'tests', 'man', 'scripts', 'cross', 'vm', 'bench', 'abi',
       'debian', 'examples', 'fuzz', 'tools', '.ci')


def check_paths(readme):
    bad = []
    for tok in sorted(set(re.findall(r'`([^`\s]+)`', readme))):
        tok = tok.rstrip('.,:;')
        if tok.split('/', 1)[0] not in TOP or '/' not in tok:
            continue
        if re.search(r'[A-Z]{3,}', tok.replace('README', '').replace('CHANGELOG', '')):
            continue    # a placeholder: cross/ARCH.txt, build-cross/NAME
        if not glob.glob(os.path.join(ROOT, tok)):
            bad.append('%s does not exist' % tok)
    return bad


def check_headers(readme):
    m = re.search(r'`meson install` installs the headers \((.*?)\), `liburing\.so\.2`',
                  readme, re.S)
    if not m:
        return ['the README no longer lists the installed headers']
    text = m.group(1)
    named = set(re.findall(r'`([a-z_/]+\.h)`', text))
    top = {'liburing.h', 'uring.h'}
    said = {h if h in top else 'liburing/' + h for h in named}
    build = read('meson.build')
    inst = set()
    for args, sub in re.findall(r"install_headers\((.*?)(?:,\s*subdir\s*:\s*'([^']*)')?\)",
                                build, re.S):
        for h in re.findall(r"'include/([^']+\.h)'", args):
            inst.add(h)
    bad = []
    if said != inst:
        bad.append('the README lists %s; meson installs %s' % (sorted(said), sorted(inst)))
    words = {'six': 6, 'seven': 7, 'eight': 8}
    n = re.search(r'under `liburing/` the (\w+)\s+(?:other\s+)?headers', text)
    under = len([h for h in inst if h.startswith('liburing/')])
    if n and words.get(n.group(1)) != under:
        bad.append('the README says %s headers under liburing/; there are %d'
                   % (n.group(1), under))
    return bad


def check_ring_configs(readme):
    m = re.search(r'over (\d+) ring configurations', readme)
    src = read('tests/ring_config.c')
    table = re.search(r'static const struct rcfg configs\[\] = \{(.*?)\n\};', src, re.S)
    n = len(re.findall(r'\{ "', table.group(1))) if table else -1
    if not m:
        return ['the README gives no count of ring_config configurations']
    if int(m.group(1)) != n:
        return ['the README says %s ring configurations; tests/ring_config.c has %d'
                % (m.group(1), n)]
    return []


def check_bench(readme):
    rows = []
    for line in read('bench/compare.txt').splitlines():
        f = line.split()
        if len(f) == 12 and re.match(r'^\d', f[1]) and f[0] != 'workload':
            rows.append(f)
    ours = [r for r in rows if not r[0].startswith('raw-')]
    bad = []
    m = re.search(r'There are (\d+)\s+workloads', readme)
    if not m or int(m.group(1)) != len(ours):
        bad.append('the README says %s workloads; bench/compare.txt has %d'
                   % (m.group(1) if m else 'no number of', len(ours)))
    ratios = [float(r[6]) / float(r[7]) for r in ours]
    m = re.search(r'\(([\d.]+) to ([\d.]+) of\s+2\.3\'s\)', readme)
    want = ('%.2f' % min(ratios), '%.2f' % max(ratios))
    if not m or (m.group(1), m.group(2)) != want:
        bad.append('instructions per op: the README says %s to %s, bench/compare.txt gives %s to %s'
                   % ((m.group(1), m.group(2)) if m else ('?', '?')) + want)
    if 'fewer user-space instructions per op than 2.3 on every workload' in \
            ' '.join(readme.split()) and max(ratios) >= 1:
        bad.append('the README says fewer instructions on every workload; '
                   'bench/compare.txt has a ratio of %.2f' % max(ratios))
    if not all(r[8] == r[9] and r[10] == r[11] for r in ours):
        bad.append('bench/compare.txt has workloads with other system call counts; '
                   'the README says the same')
    m = re.search(r'faster on ([\w\s,-]+?), where the 95% intervals', readme)
    said = set(re.split(r',\s*|\s+and\s+', m.group(1).strip())) if m else set()
    faster = {r[0] for r in ours if r[5] == 'faster'}
    slower = {r[0] for r in ours if r[5] == 'slower'}
    if said != faster:
        bad.append('the README says faster on %s; bench/compare.txt on %s'
                   % (sorted(said), sorted(faster)))
    if slower:
        bad.append('bench/compare.txt has slower workloads: %s' % sorted(slower))
    return bad


def check_status(readme, build, abi):
    if not build or not os.path.isdir(abi):
        return None
    out = subprocess.run([sys.executable, os.path.join(abi, 'api-check.py'), '-I',
                          os.path.join(ROOT, 'include'), '-L', os.path.join(build, 'src'),
                          '--man', os.path.join(ROOT, 'man')],
                         capture_output=True, text=True).stdout
    m = re.search(r'api: functions (\d+)/\d+, constants (\d+)/\d+, macros (\d+)/\d+, '
                  r'headers (\d+)/\d+, liburing\.so\.2 (\d+)/\d+, liburing-ffi\.so\.2 (\d+)/\d+',
                  out)
    if not m:
        return ['api-check printed no figures:\n' + out[-500:]]
    st = section(readme, 'Status')
    s = re.search(r'All (\d+) functions .*?, (\d+) constants, (\d+) macros and (\d+) installed\s+'
                  r'headers .*?`liburing\.so\.2` exports its (\d+) functions and\s+'
                  r'`liburing-ffi\.so\.2` its (\d+)', st, re.S)
    if not s:
        return ['the Status section no longer gives the figures']
    if s.groups() != m.groups():
        return ['Status says %s; api-check %s' % (s.groups(), m.groups())]
    return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build')
    ap.add_argument('--abi', default=os.path.join(ROOT, '..', 'shared', 'abi'))
    a = ap.parse_args()
    readme = read('README.md')
    checks = [
        ('quick start: scripts/setup and scripts/test, as CI runs them', check_quick_start),
        ('scripts/setup runs the examples the README names', check_setup_examples),
        ('scripts/test ends with the summary line', check_summary_line),
        ('the paths the README names exist', check_paths),
        ('the installed headers', check_headers),
        ('the ring_config configuration count', check_ring_configs),
        ('the benchmark paragraph against bench/compare.txt', check_bench),
    ]
    print('1..%d' % (len(checks) + 1))
    failed = 0
    for i, (name, fn) in enumerate(checks, 1):
        bad = fn(readme)
        print('%s %d - %s' % ('not ok' if bad else 'ok', i, name))
        for b in bad:
            print('# ' + b)
        failed += bool(bad)
    n = len(checks) + 1
    bad = check_status(readme, a.build, os.path.normpath(a.abi))
    if bad is None:
        print('ok %d - the Status figures # SKIP no build or no %s' % (n, a.abi))
    else:
        print('%s %d - the Status figures against api-check' % ('not ok' if bad else 'ok', n))
        for b in bad:
            print('# ' + b)
        failed += bool(bad)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
