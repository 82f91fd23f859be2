#!/usr/bin/env python3
"""Check the links of the HTML manual built by build-html.py (TAP).

Usage: check-links.py HTML_DIR [--offline-ok]

For every .html file in HTML_DIR:
  - every relative href names a file of HTML_DIR, and its #fragment (if
    any) an id in that file;
  - every external href is a Linux man-pages link (man7.org) to a page
    that exists in this machine's manual (/usr/share/man: a reference to a
    page nobody has is a typo); when the machine has no manual for that
    section the link is only counted (install manpages-dev to check it);
  - no page reference (<b>NAME</b>(S), <i>NAME</i>(S), or a plain
    io_uring_NAME(S)) is left without a link;
  - index.html links to every page of the manual.
"""
import argparse
import os
import re
import sys
from html.parser import HTMLParser

MAN7 = re.compile(r'^https://man7\.org/linux/man-pages/man(\d)/([^/]+)\.(\d)\.html$')


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()
        self.depth_a = 0

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if 'id' in d:
            self.ids.add(d['id'])
        if tag == 'a':
            if 'href' in d:
                self.hrefs.append(d['href'])
            if 'name' in d:
                self.ids.add(d['name'])


def system_page(name, sect):
    base = '/usr/share/man/man%s/%s.%s' % (sect, name, sect)
    return any(os.path.exists(base + e) for e in ('', '.gz', '.xz', '.bz2'))


def unlinked_refs(text):
    """Page references outside any <a>...</a>: <b>NAME</b>(S), and the
    forms build-html.py does not link, <i>NAME</i>(S) and a plain
    io_uring_NAME(S) or uring_NAME(S)."""
    out = []
    parts = re.split(r'<a [^>]*>.*?</a>', text, flags=re.S)
    for part in parts:
        out += re.findall(r'<[bi]>([A-Za-z_][A-Za-z0-9_.:+-]*)(?:</[bi]>)?\((\d)\)', part)
        out += re.findall(r'(?<![\w>-])((?:io_)?uring[_-][a-z0-9_]+)\((\d)\)', part)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('htmldir')
    a = ap.parse_args()
    files = sorted(f for f in os.listdir(a.htmldir) if f.endswith('.html'))
    if 'index.html' not in files:
        print('1..1\nnot ok 1 - index.html\n# missing')
        return 1
    parsed = {}
    for f in files:
        p = Links()
        text = open(os.path.join(a.htmldir, f), encoding='utf-8').read()
        p.feed(text)
        parsed[f] = (p, text)

    print('1..%d' % len(files))
    failed = internal = external = unchecked = 0
    for i, f in enumerate(files, 1):
        p, text = parsed[f]
        bad = []
        for href in p.hrefs:
            if href.startswith(('http://', 'https://')):
                external += 1
                m = MAN7.match(href)
                if not m or m.group(1) != m.group(3):
                    bad.append('external link that is not a man page: %s' % href)
                elif os.path.isdir('/usr/share/man/man%s' % m.group(1)) and \
                        os.listdir('/usr/share/man/man%s' % m.group(1)):
                    if not system_page(m.group(2), m.group(1)):
                        bad.append('%s(%s) is neither in this manual nor in the '
                                   "system's" % (m.group(2), m.group(1)))
                else:
                    unchecked += 1
                continue
            if href.startswith(('mailto:', 'javascript:')):
                bad.append('unexpected link %s' % href)
                continue
            internal += 1
            target, _, frag = href.partition('#')
            target = target or f
            if target not in parsed:
                bad.append('broken link %s' % href)
            elif frag and frag not in parsed[target][0].ids:
                bad.append('no id "%s" in %s' % (frag, target))
        for name, sect in unlinked_refs(text):
            if '%s.%s.html' % (name, sect) != f:
                bad.append('reference %s(%s) has no link' % (name, sect))
        if f == 'index.html':
            linked = {h.partition('#')[0] for h in p.hrefs}
            for g in files:
                if g != 'index.html' and g not in linked:
                    bad.append('index.html does not list %s' % g)
        print('%s %d - %s' % ('not ok' if bad else 'ok', i, f))
        for line in bad:
            print('# ' + line)
        failed += bool(bad)
    print('# %d files, %d internal links, %d external links (%d not checked: no '
          'system manual for their section)' % (len(files), internal, external, unchecked))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
