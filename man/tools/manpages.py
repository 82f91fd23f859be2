# SPDX-License-Identifier: MIT
"""Read the pages of man/: names, sections, aliases, EXAMPLES, ERRORS.

Shared by the checkers in this directory.  A page is a file NAME.S in man/
(S in 1, 2, 3, 7).  An alias page holds one line ".so manS/TARGET.S" and
stands for another name documented on TARGET.  Only the few roff requests
the pages use are understood; that is enough to find what the checkers need.
"""
import errno
import os
import re

SECTIONS = ('1', '2', '3', '7')
MANDIR = os.path.normpath(os.path.join(os.path.dirname(__file__), '..'))


class Page:
    def __init__(self, path):
        self.path = path
        self.file = os.path.basename(path)
        self.name, self.section = self.file.rsplit('.', 1)
        self.text = open(path, encoding='utf-8').read()
        self.lines = self.text.split('\n')
        m = re.match(r'\.so\s+man(\d)/(\S+)\s*$', self.text.strip())
        self.alias_of = m.group(2) if m else None

    @property
    def ref(self):
        return '%s(%s)' % (self.name, self.section)

    def sections(self):
        """{'NAME': [lines], 'SYNOPSIS': [...], ...} (.SH headings)."""
        out, cur = {}, None
        for line in self.lines:
            m = re.match(r'\.SH\s+"?([^"]*)"?\s*$', line)
            if m:
                cur = m.group(1).strip().upper()
                out.setdefault(cur, [])
            elif cur:
                out[cur].append(line)
        return out

    def names(self):
        """The names the NAME section documents (before the "\\-")."""
        body = ' '.join(self.sections().get('NAME', []))
        head = re.split(r'\s\\-\s', body, 1)[0]
        return [n.strip().replace('\\-', '-').replace('\\', '')
                for n in head.split(',') if n.strip()]

    def summary(self):
        body = ' '.join(self.sections().get('NAME', []))
        parts = re.split(r'\s\\-\s', body, 1)
        return strip_roff(parts[1]) if len(parts) > 1 else ''

    def errors(self):
        """ERRORS: ({'EINVAL', ...} listed in .TP tags, [also-pages]).

        An entry is a .TP paragraph whose tag line names one or more
        -errno values (".B \\-EINVAL" or ".BR \\-EMFILE \", \" \\-ENFILE").
        A comment line ".\\" errors-also: PAGE(S) ..." says that errors of
        those pages are passed back too (allowed, not required here).
        """
        body = self.sections().get('ERRORS')
        if body is None:
            return None, []
        listed, also = set(), []
        for i, line in enumerate(body):
            m = re.match(r'\.\\"\s*errors-also:\s*(.*)$', line)
            if m:
                also += re.findall(r'([\w.]+)\((\d)\)', m.group(1))
            if line.startswith('.TP') and i + 1 < len(body):
                tag = body[i + 1]
                listed |= set(re.findall(r'\\-(E[A-Z0-9]+)', tag))
        return listed, also


def strip_roff(s):
    s = re.sub(r'\\f[BIRP]|\\fC[BIR]?', '', s)
    s = s.replace('\\-', '-').replace('\\e', '\\').replace('\\(em', '--')
    s = re.sub(r'^\.[A-Z]+\s+', '', s)
    return s.replace('\\&', '').replace('"', '').strip()


def unescape_code(s):
    """roff text of an .EX block back to the C source it shows."""
    out = []
    for line in s.split('\n'):
        if line.startswith('.') and not line.startswith('..'):
            # requests inside a display (.PP, .in) carry no code
            continue
        line = line.replace('\\e', '\\').replace('\\-', '-').replace('\\(aq', "'")
        line = line.replace('\\(dq', '"').replace('\\&', '').replace('\\(ti', '~')
        line = line.replace('\\(ha', '^').replace('\\`', '`')
        out.append(line)
    return '\n'.join(out)


def load(mandir=MANDIR):
    """All pages: {file name: Page}."""
    pages = {}
    for f in sorted(os.listdir(mandir)):
        if f.rsplit('.', 1)[-1] in SECTIONS and not f.startswith('.'):
            pages[f] = Page(os.path.join(mandir, f))
    return pages


def function_pages(pages):
    """{function name: the Page (not an alias) that documents it}."""
    out = {}
    for p in pages.values():
        if p.alias_of:
            continue
        for n in p.names():
            out.setdefault(n, p)
    for p in pages.values():
        if p.alias_of and p.alias_of in pages:
            out.setdefault(p.name, pages[p.alias_of])
    return out


ERRNO_NAMES = {v: k for k, v in errno.errorcode.items()}
