#!/usr/bin/env python3
"""Count test cases across meson test logs and print one closing line.

Usage: summary.py LABEL BUILD_DIR [BUILD_DIR ...]
URING_EXTRA_COUNTS="P,F,S ..." adds counts from runs outside meson.
TAP suites count each case (ok / not ok / # SKIP); other tests count once by
their meson result (OK, FAIL, SKIP, TIMEOUT...).  Prints skipped cases with
their reason, then e.g. "tests: 312 passed, 0 failed, 9 skipped".
"""
import json, os, re, sys

label, dirs = sys.argv[1], sys.argv[2:]
passed = failed = skipped = 0
# counts from runs outside meson (the Linux 6.1 VM): "P,F,S" each
for extra in filter(None, os.environ.get('URING_EXTRA_COUNTS', '').split()):
    p, f, s = (int(x) for x in extra.split(','))
    passed, failed, skipped = passed + p, failed + f, skipped + s
skips, fails = [], []
for d in dirs:
    log = os.path.join(d, 'meson-logs', 'testlog.json')
    if not os.path.exists(log):
        print('%s: no test log in %s' % (label, d))
        failed += 1
        continue
    tag = os.path.basename(os.path.normpath(d))
    for line in open(log):
        t = json.loads(line)
        out = t.get('stdout') or ''
        cases = re.findall(r'^(not ok|ok)\b[^\n]*', out, re.M)
        if not cases:
            r = t['result']
            if r in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif r == 'SKIP':
                skipped += 1
                skips.append('%s/%s' % (tag, t['name']))
            else:
                failed += 1
                fails.append('%s/%s (%s)' % (tag, t['name'], r))
            continue
        reason = ''
        for m in re.finditer(r'^(# skip: (.*)|(not ok|ok)\b(.*))$', out, re.M):
            if m.group(2):
                reason = m.group(2)
                continue
            ok, rest = m.group(3), m.group(4)
            if '# SKIP' in rest:
                skipped += 1
                name = rest.split('# SKIP', 1)[1].strip()
                skips.append('%s/%s: %s%s' % (tag, t['name'], name,
                                              ' (%s)' % reason if reason else ''))
            elif ok == 'ok':
                passed += 1
            else:
                failed += 1
                fails.append('%s/%s:%s' % (tag, t['name'], rest))
            reason = ''
        if t['result'] not in ('OK', 'SKIP', 'EXPECTEDFAIL') and not re.search(r'^not ok', out, re.M):
            failed += 1
            fails.append('%s/%s (%s)' % (tag, t['name'], t['result']))
for s in skips:
    print('skipped: ' + s)
for f in fails:
    print('FAILED: ' + f)
print('%s: %d passed, %d failed, %d skipped' % (label, passed, failed, skipped))
sys.exit(1 if failed else 0)
