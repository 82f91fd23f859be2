#!/usr/bin/env python3
"""Hold the ERRORS sections of man/ to the -errno values the tests observe.

Usage: check-errors.py --log FILE         (a log written by a test run)
       check-errors.py --run BUILD_DIR    (runs `meson test` to write one)
       [-v]                               (list, per page, who observed what)

How the observations are made: tests/helpers.h includes uring-errlog.h,
generated from include/uring.h, which wraps every public function that
returns -errno (and io_uring_setup_buf_ring(), which reports it through a
pointer) in a macro.  When URING_ERRLOG=FILE is set, each negative result a
test or test helper gets is appended to FILE as "function errno program".
No test has to be written in a special way to be counted, and a test that
was skipped observes nothing.

The rules, for every page that documents a function (its NAME line, or an
alias page ".so"-ing to it):
  1. a page whose functions returned a negative value in some test has an
     ERRORS section;
  2. each (function, errno) observed is listed in that page's ERRORS, or in
     the ERRORS of a page the section names in a comment line
     ".\\" errors-also: io_uring_enter(2)" (errors passed back unchanged);
  3. each errno the ERRORS section itself lists was observed from at least
     one of the page's functions by some test.
  4. uring_errors(7), the overview, explains every errno that some
     ERRORS section lists (in its "Errors of the ring functions" list);
  5. a page that documents a function returning -errno (the functions
     uring-errlog.h wraps, found in include/uring.h the same way) and
     names an error in its RETURN VALUE has an ERRORS section, so that
     errors only a RETURN VALUE mentions do not escape rules 2 and 3.
Errors are compared as numbers (EAGAIN and EWOULDBLOCK are one error).

man/tools/errors-waived lists the exceptions, one a line with its reason:
  PAGE  -EXXX  untested  REASON   (rule 3: no test on this machine can
                                   make the kernel give it)
  PAGE  -EXXX  unlisted  REASON   (rule 2: observed, and the page is
                                   being changed elsewhere)
A waived problem is reported but does not fail the check; a waiver that no
longer matches a problem does, so the list only shrinks.
"""
import argparse
import collections
import errno
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import manpages  # noqa: E402


def errnum(name):
    v = getattr(errno, name, None)
    if v is None:
        raise SystemExit('unknown errno name %s' % name)
    return v


def ename(num):
    return errno.errorcode.get(num, str(num))


def read_waivers(path):
    out = {}
    if not os.path.exists(path):
        return out
    for n, line in enumerate(open(path), 1):
        line = line.split('#', 1)[0].strip() if line.lstrip().startswith('#') else line.strip()
        if not line:
            continue
        parts = line.split(None, 3)
        if len(parts) < 4 or parts[2] not in ('untested', 'unlisted') \
                or not parts[1].startswith('-E'):
            raise SystemExit('%s:%d: want "PAGE -EXXX untested|unlisted REASON"' % (path, n))
        out[(parts[0], parts[1][1:], parts[2])] = parts[3]
    return out


def errno_functions(header):
    """Public functions of the header that return -errno (as errlog-gen.py
    finds them: int or ssize_t io_uring_* / uring_* functions)."""
    if not os.path.exists(header):
        return set()
    proto = re.compile(r'^(?:IOURINGINLINE\s+|static\s+inline\s+|extern\s+)?'
                       r'(?:int|ssize_t)\s+((?:__)?io_uring_[a-z0-9_]+|uring_[a-z0-9_]+)\(',
                       re.M)
    return {m.group(1) for m in proto.finditer(open(header).read())} | \
        {'io_uring_setup_buf_ring'}


def read_log(path):
    seen = collections.defaultdict(lambda: collections.defaultdict(set))
    for line in open(path):
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            continue
        fn, num = parts[0], int(parts[1])
        prog = parts[2] if len(parts) > 2 else '?'
        seen[fn][num].add(prog)
    return seen


def run_suites(build):
    fd, path = tempfile.mkstemp(prefix='uring-errlog.', suffix='.txt')
    os.close(fd)
    env = dict(os.environ, URING_ERRLOG=path)
    r = subprocess.run(['meson', 'test', '-C', build, '--num-processes', '2',
                        '--no-rebuild', '--quiet'], env=env)
    if r.returncode:
        print('check-errors: meson test failed (%d); checking what was logged'
              % r.returncode)
    return path


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--log')
    g.add_argument('--run', metavar='BUILD_DIR')
    ap.add_argument('--man', default=manpages.MANDIR)
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()

    log = a.log or run_suites(a.run)
    seen = read_log(log)
    if not seen:
        sys.exit('check-errors: %s holds no records: was the suite built with '
                 'tests/uring-errlog.h and run with URING_ERRLOG set?' % log)
    pages = manpages.load(a.man)
    fpages = manpages.function_pages(pages)
    returns_errno = errno_functions(os.path.join(a.man, '..', 'include', 'uring.h'))

    waivers = read_waivers(os.path.join(a.man, 'tools', 'errors-waived'))
    used = set()
    problems = []
    waived = []

    def problem(page, err, kind, text):
        key = (page, err, kind)
        if key in waivers:
            used.add(key)
            waived.append('%s [waived: %s]' % (text, waivers[key]))
        else:
            problems.append(text)

    by_page = collections.defaultdict(dict)	# page file -> {fn: {errno: progs}}
    for fn, errs in seen.items():
        p = fpages.get(fn)
        if p is None:
            problems.append('%s: returned %s in tests but has no man page'
                            % (fn, ', '.join('-' + ename(e) for e in sorted(errs))))
            continue
        by_page[p.file][fn] = errs

    checked = entries = 0
    for f, p in sorted(pages.items()):
        if p.alias_of:
            continue
        listed, also = p.errors()
        obs = by_page.get(f, {})
        if listed is None and set(p.names()) & returns_errno:
            rv = '\n'.join(p.sections().get('RETURN VALUE', []))
            named = sorted(set(re.findall(r'\\-(E[A-Z0-9]+)', rv)))
            if named:
                problems.append('%s: RETURN VALUE names %s, but there is no ERRORS '
                                'section to list it' % (f, ', '.join('-' + n for n in named)))
        if listed is None:
            if obs:
                problems.append('%s: no ERRORS section, but tests saw %s' % (f, '; '.join(
                    '%s() -> %s' % (fn, ', '.join('-' + ename(e) for e in sorted(errs)))
                    for fn, errs in sorted(obs.items()))))
            continue
        checked += 1
        entries += len(listed)
        allowed = {errnum(n) for n in listed}
        for ref, sect in also:
            q = pages.get('%s.%s' % (ref, sect))
            if q is None or q.errors()[0] is None:
                problems.append('%s: errors-also names %s(%s), which has no ERRORS section'
                                % (f, ref, sect))
                continue
            allowed |= {errnum(n) for n in q.errors()[0]}
        observed = collections.defaultdict(set)
        for fn, errs in obs.items():
            for e, progs in errs.items():
                observed[e] |= {'%s in %s' % (fn, prog) for prog in progs}
                if e not in allowed:
                    problem(f, ename(e), 'unlisted', '%s: %s() returned -%s (%s) but ERRORS does not list it'
                                    % (f, fn, ename(e), ', '.join(sorted(progs))))
        for n in sorted(listed):
            if errnum(n) not in observed:
                problem(f, n, 'untested', '%s: ERRORS lists -%s but no test observed it from %s'
                                % (f, n, ', '.join(p.names())))
        if a.verbose:
            print('%s:' % f)
            for n in sorted(listed):
                print('  -%-12s %s' % (n, '; '.join(sorted(observed.get(errnum(n), ['-'])))))

    overview = pages.get('uring_errors.7')
    if overview is not None:
        text = overview.text
        start = text.find('.SS Errors of the ring functions')
        end = text.find('.SS ', start + 4)
        part = text[start:end] if start >= 0 else ''
        explained = {errnum(n) for n in re.findall(r'\\-(E[A-Z0-9]+)', part)}
        everywhere = set()
        for q in pages.values():
            if not q.alias_of and q.errors()[0]:
                everywhere |= {errnum(n) for n in q.errors()[0]}
        for e in sorted(everywhere - explained):
            problems.append('uring_errors.7: -%s appears in ERRORS sections but not '
                            'under "Errors of the ring functions"' % ename(e))
    for key in sorted(set(waivers) - used):
        problems.append('errors-waived: %s %s %s no longer matches a problem: remove it'
                        % (key[0], '-' + key[1], key[2]))
    for line in waived:
        print(line)
    for line in problems:
        print(line)
    print('check-errors: %d pages with ERRORS, %d entries, %d functions observed '
          'failing, %d waived, %d problems'
          % (checked, entries, len(seen), len(waived), len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
