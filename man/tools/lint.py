#!/usr/bin/env python3
"""Lint every page of man/ with mandoc -Tlint (all levels) and check the
things mandoc cannot see (TAP, one case per page).

Usage: lint.py [--man DIR]

A page passes when
  - `mandoc -Tlint -Wall` reports nothing for it, except two messages
    that are ours by choice:
      "lower case character in document title": titles are function
      names, and C names are case-sensitive;
      ".so is fragile, better use ln(1)" on an alias page: one file per
      name that holds ".so manS/PAGE.S" is what man-db, mandoc and
      liburing's own pages use, and survives packaging that drops
      symbolic links;
  - its .TH title and section are its file name;
  - an alias page names an existing page, which is not an alias itself;
  - a real page has NAME, SYNOPSIS (sections 2 and 3), DESCRIPTION and
    SEE ALSO sections, each once, and every name on its NAME line that is
    not the page's own has an alias page pointing back to it;
  - no text line ends with a font escape (\\fB, \\fI) still open, which
    mandoc accepts and which sets the rest of the paragraph in that font;
  - code in .EX/.EE displays writes -, ' and ` as \\-, \\(aq and \\(ga:
    groff may print the plain characters as a hyphen and curly quotes,
    which break code copied from the page.
Pages are linted in a copy laid out as man1/ man2/ man3/ man7/, where
.so lines resolve.  man/tools/lint-waived lists pages (PAGE REASON) whose
overlong lines ("input text line longer than 80 bytes") are reported but
do not fail, until the line is removed; their other problems still fail,
and a line for a page without overlong lines fails.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import manpages  # noqa: E402

ACCEPTED = (
    'STYLE: lower case character in document title',
    'WARNING: .so is fragile, better use ln(1)',
)


def mandoc_messages(tree, rel):
    r = subprocess.run(['mandoc', '-Tlint', '-Wall', rel], cwd=tree,
                       capture_output=True, text=True)
    out = []
    for line in (r.stdout + r.stderr).splitlines():
        msg = re.sub(r'^mandoc: [^:]+:\d+:\d+: ', '', line)
        if msg.startswith(ACCEPTED[0]):
            continue
        if msg.startswith(ACCEPTED[1]) and '/' in rel and _is_alias(tree, rel):
            continue
        out.append(line)
    return out


WAIVABLE = 'STYLE: input text line longer than 80 bytes'


def open_fonts(p):
    """Text lines that end with a \\fB or \\fI font still in force."""
    out = []
    for n, line in enumerate(p.lines, 1):
        if line.startswith('.\\"'):
            continue
        font = 'R'
        for esc in re.findall(r'\\f(\[[^\]]*\]|\(..|.)', line):
            font = 'R' if esc in ('R', 'P', '[]', '[R]') else esc
        if font != 'R':
            out.append('line %d ends in font \\f%s (close it with \\fR)' % (n, font))
    return out


def raw_code_chars(p):
    out, inex = [], False
    for n, line in enumerate(p.lines, 1):
        if line.startswith('.EX'):
            inex = True
        elif line.startswith('.EE'):
            inex = False
        elif inex and not line.startswith(('.', "'")):
            bare = re.sub(r'\\(\(..|\[[^\]]*\]|.)', '', line)
            for ch, esc in (('-', '\\-'), ("'", '\\(aq'), ('`', '\\(ga')):
                if ch in bare:
                    out.append('line %d: write %s as %s in code' % (n, ch, esc))
    return out


def duplicate_sections(p):
    heads = [m.group(1).strip().upper() for m in
             re.finditer(r'^\.SH\s+"?([^"\n]*)"?\s*$', p.text, re.M)]
    return ['section %s appears %d times' % (h, heads.count(h))
            for h in sorted(set(heads)) if heads.count(h) > 1]


def _is_alias(tree, rel):
    return open(os.path.join(tree, rel)).read().startswith('.so ')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--man', default=manpages.MANDIR)
    a = ap.parse_args()
    if not shutil.which('mandoc'):
        # a TAP skip (exit 77 means nothing to meson's TAP protocol)
        print('1..0 # SKIP mandoc is not installed')
        return 0
    pages = manpages.load(a.man)
    tree = tempfile.mkdtemp(prefix='uring-man.')
    for p in pages.values():
        d = os.path.join(tree, 'man' + p.section)
        os.makedirs(d, exist_ok=True)
        shutil.copy(p.path, d)
    aliases = {}
    for p in pages.values():
        if p.alias_of:
            aliases.setdefault(p.alias_of, set()).add(p.name)

    waived = {}
    wpath = os.path.join(a.man, 'tools', 'lint-waived')
    if os.path.exists(wpath):
        for line in open(wpath):
            if line.strip() and not line.startswith('#'):
                page, reason = line.split(None, 1)
                waived[page] = reason.strip()
    print('1..%d' % len(pages))
    failed = 0
    for i, (f, p) in enumerate(sorted(pages.items()), 1):
        rel = 'man%s/%s' % (p.section, f)
        bad = mandoc_messages(tree, rel)
        if p.alias_of:
            q = pages.get(p.alias_of)
            if q is None:
                bad.append('.so names %s, which does not exist' % p.alias_of)
            elif q.alias_of:
                bad.append('.so names %s, which is an alias itself' % p.alias_of)
            elif p.name not in q.names():
                bad.append('%s is not on the NAME line of %s' % (p.name, p.alias_of))
        else:
            m = re.search(r'^\.TH\s+"?([^"\s]+)"?\s+(\S+)', p.text, re.M)
            if not m or (m.group(1).replace('\\-', '-'), m.group(2)) != (p.name, p.section):
                bad.append('.TH does not say %s %s' % (p.name, p.section))
            secs = p.sections()
            need = ['NAME', 'DESCRIPTION', 'SEE ALSO']
            if p.section in ('2', '3'):
                need.insert(1, 'SYNOPSIS')
            for s in need:
                if s not in secs:
                    bad.append('no %s section' % s)
            bad += open_fonts(p) + duplicate_sections(p) + raw_code_chars(p)
            for n in p.names():
                if n != p.name and n not in aliases.get(f, set()) \
                        and p.section != '7':
                    bad.append('%s is on the NAME line but %s.%s is no alias of it'
                               % (n, n, p.section))
        target = p.alias_of or f
        if target in waived:
            hard = [b for b in bad if WAIVABLE not in b]
            if hard:
                print('not ok %d - %s' % (i, f))
                failed += 1
            elif bad:
                print('ok %d - %s # SKIP %s' % (i, f, waived[target]))
            else:
                print('not ok %d - %s' % (i, f))
                print('# lint-waived lists %s, which has no problem left: remove it'
                      % target)
                failed += 1
        else:
            print('%s %d - %s' % ('not ok' if bad else 'ok', i, f))
            failed += bool(bad)
        for line in bad:
            print('# ' + line)
    shutil.rmtree(tree, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
