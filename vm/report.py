#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Read the serial log of a vm/run.sh guest (see init) and report it.

usage: report.py SERIAL_LOG [LABEL]

Prints each suite's counts, every failed test, every skipped test with the
reason its suite printed ("# skip: ..."), and a closing line
"LABEL: N passed, N failed, N skipped" (LABEL such as "vm aarch64 6.1").
Exits 0 only when the guest finished (URING-DONE), at least one suite ran,
and nothing failed.  A suite during which the kernel logged a warning or a
bug (vm/init passes those on as "URING-KMSG ..." lines) has failed.
"""
import re
import sys

RESULT = re.compile(r'^(not )?ok (\d+)(?: - (.*?))?(?: # SKIP ?(.*))?$')


def parse(lines):
    suites, cur, done, kernel = [], None, None, None
    for raw in lines:
        line = raw.rstrip('\r\n')
        if line.startswith('URING-KERNEL '):
            kernel = line.split(' ', 1)[1]
        elif line.startswith('URING-SUITE-BEGIN '):
            cur = {'name': line.split()[1], 'pass': [], 'fail': [],
                   'skip': [], 'plan': None, 'end': None, 'notes': [],
                   'reason': None, 'kmsg': []}
            suites.append(cur)
        elif line.startswith('URING-SUITE-END ') and cur:
            cur['end'] = dict(kv.split('=', 1) for kv in line.split()[2:])
            cur = None
        elif line.startswith('URING-DONE'):
            done = dict(kv.split('=', 1) for kv in line.split()[1:])
        elif cur is not None:
            take_tap(cur, line)
    return kernel, suites, done


def take_tap(s, line):
    if line.startswith('URING-KMSG '):
        s['kmsg'].append(line[len('URING-KMSG '):])
        return
    if line.startswith('# skip: '):
        s['reason'] = line[len('# skip: '):]
        return
    if line.startswith('# '):
        s['notes'].append(line)
        return
    m = re.match(r'^1\.\.(\d+)', line)
    if m:
        s['plan'] = int(m.group(1))
        return
    m = RESULT.match(line)
    if not m:
        return
    neg, num, desc, skipdesc = m.groups()
    if ' # SKIP' in line:
        name = (skipdesc or desc or num).strip()
        s['skip'].append((name, s['reason'] or 'no reason printed'))
    elif neg:
        s['fail'].append(desc or num)
    else:
        s['pass'].append(desc or num)
    s['reason'] = None


def suite_problem(s):
    """Why a suite failed beyond its 'not ok' lines (crash, timeout), or None."""
    if s['end'] is None:
        return 'no end marker (guest died or hung inside the suite)'
    rc = int(s['end'].get('rc', '1'))
    ran = len(s['pass']) + len(s['fail']) + len(s['skip'])
    if rc == 137:
        return 'killed by the per-suite timeout (rc=137)'
    if rc != 0 and not s['fail']:
        return 'exited %d with no failed test (crash?)' % rc
    if s['plan'] is not None and ran < s['plan']:
        return 'only %d of %d planned tests reported' % (ran, s['plan'])
    if s['plan'] is None:
        return 'no TAP plan line (suite did not start?)'
    if s['kmsg']:
        return 'the kernel warned while it ran (its log below)'
    return None


def main():
    path = sys.argv[1]
    label = sys.argv[2] if len(sys.argv) > 2 else 'vm'
    with open(path, errors='replace') as f:
        kernel, suites, done = parse(f)
    npass = nfail = nskip = 0
    print('== uring on Linux %s: %d suites' % (kernel or '(no kernel line)',
                                              len(suites)))
    for s in suites:
        problem = suite_problem(s)
        p, f, k = len(s['pass']), len(s['fail']), len(s['skip'])
        f_total = f + (1 if problem and not f else 0)
        npass, nfail, nskip = npass + p, nfail + f_total, nskip + k
        secs = s['end'].get('secs', '?') if s['end'] else '?'
        state = 'FAIL' if f_total else 'ok'
        print('%-4s %-24s pass=%-3d fail=%-3d skip=%-3d %ss' %
              (state, s['name'], p, f_total, k, secs))
        for name in s['fail']:
            print('       failed: %s' % name)
        if problem:
            print('       problem: %s' % problem)
        for kmsg in s['kmsg'][:20]:
            print('       kernel: %s' % kmsg)
        if f_total:
            for note in s['notes'][-20:]:
                print('       %s' % note)
    skipped = [(s['name'], n, r) for s in suites for n, r in s['skip']]
    if skipped:
        print('== skipped on this kernel (%d):' % len(skipped))
        for suite, name, reason in skipped:
            print('   %s/%s: %s' % (suite, name, reason))
    if done is None:
        print('== ERROR: no URING-DONE line: the guest hung, crashed or timed out')
        nfail += 1
    elif (int(done.get('pass', -1)), int(done.get('fail', -1)),
          int(done.get('skip', -1))) != (npass, nfail, nskip):
        print('== note: guest counted pass=%s fail=%s skip=%s' %
              (done.get('pass'), done.get('fail'), done.get('skip')))
    if not suites:
        print('== ERROR: no suite ran')
        nfail += 1
    print('%s: %d passed, %d failed, %d skipped' % (label, npass, nfail, nskip))
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main())
