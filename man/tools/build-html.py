#!/usr/bin/env python3
"""Render man/ as an HTML manual with working cross-links and an index.

Usage: build-html.py OUTDIR [--man DIR] [--stamp FILE]

Every page NAME.S becomes OUTDIR/NAME.S.html (mandoc -Thtml, with
uring.css); an alias page (".so") becomes a page that sends the browser on
to the page it names.  mandoc does not link man(7) cross-references, so
this script does, in the HTML it gets back:
  <b>NAME</b>(S)   a page reference: to NAME.S.html when the manual has
                   it, else to the Linux man-pages project's copy
                   (https://man7.org/linux/man-pages/manS/NAME.S.html);
  <b>NAME</b>()    a function named in the text: to the page that
                   documents NAME, when there is one.
index.html lists every page by section and topic with its one-line
summary.  man/tools/check-links.py checks the result.
"""
import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import manpages  # noqa: E402

EXTERNAL = 'https://man7.org/linux/man-pages/man%s/%s.%s.html'

SECTION_TITLES = {
    '7': 'Concepts and overviews (section 7)',
    '3': 'Library functions (section 3)',
    '2': 'System call wrappers (section 2)',
    '1': 'Commands (section 1)',
}

# section 3, by topic: (title, test on the page's first name)
TOPICS = [
    ('Rings: setup, teardown, memory', lambda n: re.match(
        r'io_uring_(queue_|mlock|memory|ring_dontfork|resize|enable|close_ring|'
        r'check_version|major|minor|set_iowait)', n)),
    ('Submission', lambda n: re.match(
        r'(__)?io_uring_(get_sqe|sqe_|sq_|submit|sqring|get_events)', n)),
    ('Completion', lambda n: re.match(
        r'(__)?io_uring_(wait|peek|cqe|cq_|for_each|buf_ring_cq)', n)),
    ('Preparing requests', lambda n: re.match(r'(__)?io_uring_prep_', n)),
    ('Provided buffers and buffer rings', lambda n: re.match(
        r'io_uring_(buf_ring|setup_buf_ring|free_buf_ring|register_buf_ring|recvmsg)', n)),
    ('Registered resources and other registrations', lambda n: re.match(
        r'(__)?io_uring_(register|unregister|clone)', n)),
    ('Probing the kernel', lambda n: re.match(r'io_uring_(get_probe|opcode)', n)),
    ('uring extensions', lambda n: n.startswith('uring_')),
    ('Other', lambda n: True),
]


def render(tree, page):
    r = subprocess.run(['mandoc', '-Thtml', '-Ostyle=uring.css',
                        'man%s/%s' % (page.section, page.file)],
                       cwd=tree, capture_output=True, text=True)
    if r.returncode > 1:    # mandoc exits 1 for warnings
        raise SystemExit('mandoc failed on %s: %s' % (page.file, r.stderr))
    return r.stdout


def link_refs(text, self_file, have, fpages):
    """Turn <b>NAME</b>(S) and <b>NAME</b>() into links."""
    def ref(m):
        name, sect = html.unescape(m.group(1)), m.group(2)
        f = '%s.%s' % (name, sect)
        if f in have:
            if f == self_file:
                return m.group(0)
            return '<a class="Xr" href="%s.html">%s</a>' % (html.escape(f), m.group(0))
        return '<a class="Xr external" href="%s">%s</a>' % (
            EXTERNAL % (sect, html.escape(name), sect), m.group(0))

    def func(m):
        name = html.unescape(m.group(1))
        p = fpages.get(name)
        if p is None or p.file == self_file:
            return m.group(0)
        return '<a class="Fn" href="%s.html">%s</a>' % (html.escape(p.file), m.group(0))

    # only outside existing links
    parts = re.split(r'(<a [^>]*>.*?</a>)', text, flags=re.S)
    for i in range(0, len(parts), 2):
        s = re.sub(r'<b>([A-Za-z_][A-Za-z0-9_.:+-]*)</b>\((\d)\)', ref, parts[i])
        s = re.sub(r'<b>([A-Za-z_][A-Za-z0-9_]*)</b>\(\)', func, s)
        parts[i] = s
    return ''.join(parts)


def keep_signs(text):
    """-EINVAL and the like: the browser may not break after the minus."""
    return re.sub(r'<([bi])>(-[A-Za-z0-9_]+)</\1>', r'<\1 class="nowrap">\2</\1>', text)


def short_tags(text):
    """Lists whose tags are all short ("1.", "2."): tag and text side by side."""
    def fix(m):
        tags = re.findall(r'<dt>(.*?)</dt>', m.group(0), re.S)
        if tags and all(len(re.sub(r'<[^>]+>', '', t).strip()) <= 3 for t in tags):
            return m.group(0).replace('<dl class="Bl-tag">', '<dl class="Bl-tag Bl-short">', 1)
        return m.group(0)
    return re.sub(r'<dl class="Bl-tag">.*?</dl>', fix, text, flags=re.S)


def alias_html(page):
    target = '%s.html' % page.alias_of
    return ('<!DOCTYPE html>\n<html>\n<head>\n  <meta charset="utf-8"/>\n'
            '  <meta http-equiv="refresh" content="0; url=%s"/>\n'
            '  <link rel="stylesheet" href="uring.css" type="text/css"/>\n'
            '  <title>%s(%s)</title>\n</head>\n<body>\n'
            '<p><b>%s</b>(%s) is documented in <a class="Xr" href="%s">%s</a>.</p>\n'
            '</body>\n</html>\n') % (target, page.name, page.section, page.name,
                                    page.section, target,
                                    page.alias_of.replace('.', '(', 1) + ')')


def index_html(pages):
    real = [p for p in pages.values() if not p.alias_of]
    aliases = {}
    for p in pages.values():
        if p.alias_of:
            aliases.setdefault(p.alias_of, []).append(p.name)
    out = ['<!DOCTYPE html>', '<html>', '<head>', '  <meta charset="utf-8"/>',
           '  <meta name="viewport" content="width=device-width, initial-scale=1.0"/>',
           '  <link rel="stylesheet" href="uring.css" type="text/css"/>',
           '  <title>uring manual</title>', '</head>', '<body class="index">',
           '<h1>The uring manual</h1>',
           '<p>uring is a C library for Linux io_uring and a drop-in replacement for '
           'liburing 2.15. New to io_uring? Read <a class="Xr" href="uring.7.html">'
           '<b>uring</b>(7)</a> first, then the concept pages below; each function '
           'page says what it does, what it returns and which errors it gives.</p>',
           '<nav><ul class="toc">']
    for sect in ('7', '3', '2', '1'):
        out.append('<li><a href="#s%s">%s</a></li>' % (sect, SECTION_TITLES[sect]))
    out.append('</ul></nav>')

    def row(p):
        names = [p.name] + sorted(aliases.get(p.file, []))
        links = ', '.join('<a href="%s.html">%s</a>' % (
            html.escape(p.file if n == p.name else '%s.%s' % (n, p.section)), html.escape(n))
            for n in names)
        return '<tr><td class="names">%s</td><td>%s</td></tr>' % (
            links, html.escape(p.summary()))

    for sect in ('7', '3', '2', '1'):
        sp = sorted((p for p in real if p.section == sect), key=lambda p: p.name)
        if not sp:
            continue
        out.append('<h2 id="s%s">%s</h2>' % (sect, SECTION_TITLES[sect]))
        if sect != '3':
            out.append('<table class="pages">')
            out += [row(p) for p in sp]
            out.append('</table>')
            continue
        left = list(sp)
        for title, test in TOPICS:
            group = [p for p in left if test(p.name)]
            if not group:
                continue
            left = [p for p in left if p not in group]
            out.append('<h3>%s</h3>' % html.escape(title))
            out.append('<table class="pages">')
            out += [row(p) for p in group]
            out.append('</table>')
    out += ['<p class="foot">%d pages, %d names. Generated from the man pages by '
            'man/tools/build-html.py with mandoc.</p>' % (len(real), len(pages)),
            '</body>', '</html>', '']
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('outdir')
    ap.add_argument('--man', default=manpages.MANDIR)
    ap.add_argument('--stamp')
    a = ap.parse_args()
    if not shutil.which('mandoc'):
        sys.exit('build-html.py: mandoc is not installed')
    pages = manpages.load(a.man)
    fpages = manpages.function_pages(pages)
    have = set(pages)
    os.makedirs(a.outdir, exist_ok=True)
    tree = tempfile.mkdtemp(prefix='uring-html.')
    try:
        for p in pages.values():
            d = os.path.join(tree, 'man' + p.section)
            os.makedirs(d, exist_ok=True)
            shutil.copy(p.path, d)
        for f, p in sorted(pages.items()):
            if p.alias_of:
                text = alias_html(p)
            else:
                text = keep_signs(short_tags(link_refs(render(tree, p), f, have, fpages)))
            with open(os.path.join(a.outdir, f + '.html'), 'w') as out:
                out.write(text)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    with open(os.path.join(a.outdir, 'index.html'), 'w') as out:
        out.write(index_html(pages))
    shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'uring.css'),
                a.outdir)
    if a.stamp:
        open(a.stamp, 'w').close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
