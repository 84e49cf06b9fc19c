"""Markdown: the prose of the file, through the ``markdown`` package; front matter and the first heading.

The file is rendered to HTML with the ``markdown`` package (tables, fenced code, definition
lists, abbreviations; no typographic changes: every character stays as typed) and the HTML
becomes plain text: one paragraph per block (paragraph, heading, list item, quote, table row,
code block), no markup left (links keep their text, images go, entities and escapes become the
characters they stand for). That text is ``Article.text``: markup never reaches a brief, and a
bold name followed by a role ("**Anna Berg**, chair of the board") reads as prose.

Offsets stay the file's own: ``Article.source_map`` maps the plain text back to the original
(found by a forward alignment of the plain text's words to the file, kept as runs, not a list
per character), and the brief's JSON gives original offsets through it. Headings, code blocks,
tables and rules are kept as paragraphs but marked ``not_prose``: never a summary sentence.

Front matter (``---`` ... ``---``: title, date, author) is read as before, and a first-level
heading that opens the body is the title when the front matter gives none.

Hostile input: the ``markdown`` package is quadratic in the links, raw HTML and emphasis of
one paragraph ('[' * 8000 takes 6 s, '[' * 200000 hours) and recurses on deep nesting. A cheap
linear screen (``_too_costly``) estimates that cost first; a file over the estimate, over
``MAX_RENDER_CHARS``, or one the package still fails on, is read the old way: its text as it
is, markup and all, with headings, rules, images and tables kept out of the summary by the
analysis (``clean_for_analysis(markdown=True)``).
"""

from __future__ import annotations

import re
from array import array
from datetime import date
from html.parser import HTMLParser

from ..models import Article, SourceMap

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_HEADING = re.compile(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", re.M)

# A file longer than this is not rendered (a brief refuses an article of over 1,000,000 characters
# anyway: briefing.brief.MAX_ARTICLE_CHARS).
MAX_RENDER_CHARS = 1_000_000
# ``markdown`` extensions: no "smarty" (quotes and dashes stay as typed), no footnotes (they would
# move text to the end, where no forward alignment finds it).
EXTENSIONS = ("tables", "fenced_code", "def_list", "abbr", "sane_lists")


def _parse_date(value: str) -> date | None:
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def read_markdown(text: str, *, name: str = "input") -> Article:
    meta: dict[str, str] = {}
    body_start = 0
    m = _FRONT.match(text)
    if m:
        for line in m.group(1).splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                meta[k.strip().lower()] = v.strip().strip("'\"")
        body_start = m.end()
    title = meta.get("title")
    published = _parse_date(meta.get("date", "")) if meta.get("date") else None
    author = meta.get("author")
    prose = to_prose(text, body_start)
    if prose is not None:
        plain, source_map, heading = prose
        start = 0
        if heading is not None:  # the body opens with a first-level heading: the title
            title = title or plain[heading[0] : heading[1]].strip() or None
            start = heading[1]
        return Article(
            text=plain,
            title=title,
            body_start=start,
            format="markdown",
            author=author,
            published=published,
            source_map=source_map,
        )
    # the old way, for input too large or too hostile to render (see the module's docstring)
    h = _HEADING.search(text, body_start)
    if h and not text[body_start : h.start()].strip():
        title = title or h.group(1).strip()
        body_start = h.end()
    return Article(text=text, title=title, body_start=body_start, format="markdown", author=author, published=published)


def to_prose(text: str, start: int = 0) -> tuple[str, SourceMap, tuple[int, int] | None] | None:
    """The prose of ``text[start:]`` (Markdown), its map to ``text``'s offsets and the span of the
    first-level heading that opens it (None: it opens otherwise); None when rendering it would cost
    too much (see ``_too_costly``)."""
    body = text[start:]
    if len(body) > MAX_RENDER_CHARS or _too_costly(body):
        return None
    import markdown

    try:
        html = markdown.markdown(body, extensions=list(EXTENSIONS), output_format="html")
    except RecursionError:  # nesting deeper than the screen foresaw
        return None
    parser = _Prose()
    parser.feed(html)
    parser.close()
    plain = "".join(parser.parts).rstrip()
    source_map = _align(plain, text, start)
    source_map.not_prose = [(a, min(b, len(plain))) for a, b in parser.not_prose if a < len(plain)]
    return plain, source_map, parser.first_heading


# ---------------------------------------------------------------- the cost screen

# Measured with markdown 3.11 on a shared 2-core machine: one paragraph of k '[' or '<' takes about
# 1e-7 * k**2 s ('![' 1.8e-7); of k '*', '_', '`', '&' or '\\' (emphasis, code, entities, escapes)
# up to 1.5e-9 * k**2 s ('&amp; ' * 100000: 15 s); deep nesting recurses (a line indented 1,200
# characters deep in lists fails, 800 takes 0.25 s).
_BRACKET_COST = 2e-7
_INLINE_COST = 2e-9
MAX_COST_SECONDS = 1.0
MAX_NESTING_CHARS = 400  # the leading run of spaces, '>' and list markers of one line
_BLOCK = re.compile(r"\n[ \t]*\n")
_DEEP = re.compile(rf"^[ \t>*+\-0-9.)]{{{MAX_NESTING_CHARS}}}", re.M)


def _too_costly(body: str) -> bool:
    """An estimate, in linear time, of what the ``markdown`` package would take, over the budget."""
    if _DEEP.search(body):
        return True
    cost = 0.0
    for block in _BLOCK.split(body):
        brackets = block.count("[") + block.count("<")
        inline = sum(block.count(c) for c in "*_`&\\")
        cost += _BRACKET_COST * brackets * brackets + _INLINE_COST * inline * inline
        if cost > MAX_COST_SECONDS:
            return True
    return False


# ---------------------------------------------------------------- HTML -> prose

_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 ul ol li blockquote pre table thead tbody tfoot tr hr dl dt dd section article "
    "header footer aside nav figure figcaption main details summary address form fieldset".split()
)
_NOT_PROSE = frozenset("h1 h2 h3 h4 h5 h6 pre table".split())
_SKIP = frozenset("script style template noscript iframe object svg math head title textarea select".split())


class _Prose(HTMLParser):
    """The text of the ``markdown`` package's HTML: a blank line between blocks, nothing of the markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pos = 0
        self.pending = False  # a block ended or began: the next text starts a paragraph
        self.skip = 0
        self.pre = 0
        self.np_depth = 0
        self.np_start: int | None = None
        self.not_prose: list[tuple[int, int]] = []
        self.first_heading: tuple[int, int] | None = None
        self.h1_start: int | None = None
        self.seen_text = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self._emit("\n")
        elif tag in ("td", "th"):
            self._emit(" ")
        if tag in _BLOCKS:
            self.pending = True
        if tag in _NOT_PROSE:
            self.np_depth += 1
            if self.np_depth == 1:
                self.np_start = None
        if tag == "pre":
            self.pre += 1
        if tag == "h1" and not self.seen_text:
            self.h1_start = -1  # the first text opens with a first-level heading

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        if tag in _NOT_PROSE and self.np_depth:
            self.np_depth -= 1
            if self.np_depth == 0 and self.np_start is not None:
                self.not_prose.append((self.np_start, self.pos))
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag == "h1" and self.h1_start is not None:
            if self.h1_start >= 0 and self.first_heading is None:
                self.first_heading = (self.h1_start, self.pos)
            self.h1_start = None
        if tag in _BLOCKS:
            self.pending = True

    def handle_data(self, data: str) -> None:
        if self.skip or not data:
            return
        if not self.pre:  # a line break inside a paragraph is a space (the same length: offsets stay)
            data = data.replace("\n", " ")
        if self.pending or not self.parts:
            if not data.strip():
                return
            if not self.pre:
                data = data.lstrip()
            if self.parts:
                self._break()
            self.pending = False
        self._emit(data)

    def _break(self) -> None:
        last = self.parts[-1]
        kept = last.rstrip()
        self.parts[-1] = kept
        self.pos -= len(last) - len(kept)
        self.parts.append("\n\n")
        self.pos += 2

    def _emit(self, data: str) -> None:
        if self.skip or (not self.parts and not data.strip()):
            return
        if self.np_depth and self.np_start is None:
            self.np_start = self.pos
        if self.h1_start == -1:
            self.h1_start = self.pos
        if data.strip():
            self.seen_text = True
        self.parts.append(data)
        self.pos += len(data)


# ---------------------------------------------------------------- plain text -> original offsets

_WORD = re.compile(r"\S+")
NEAR = 256  # how far past the last aligned character a word is looked for first
FAR = 16_384  # then, for a word no entity or escape can have made: a link's URL, a comment between


def _find_word(s: str, w: str, lo: int, hi: int) -> int:
    """The first occurrence of ``w`` in ``s[lo:hi]`` that is a word of its own there ("is" not in "this")."""
    left, right = w[0].isalnum(), w[-1].isalnum()
    n = len(s)
    while True:
        j = s.find(w, lo, hi)
        if j < 0:
            return j
        k = j + len(w)
        if (not left or j == 0 or not s[j - 1].isalnum()) and (not right or k >= n or not s[k].isalnum()):
            return j
        lo = j + 1


COMPACT_TRIES = 32


def _compact(s: str, w: str, lo: int, hi: int) -> list[int] | None:
    """The first place of ``w``'s characters in order, starting in ``s[lo:hi]`` and no more than
    twice as long as ``w`` (markup inside a word is short): its positions, or None. The first, not
    the tightest: a later one may be the same word said again."""
    limit = 2 * len(w) + 8
    left, right = w[0].isalnum(), w[-1].isalnum()
    for _ in range(COMPACT_TRIES):
        a = s.find(w[0], lo, hi)
        if a < 0:
            return None
        lo = a + 1
        if left and a and s[a - 1].isalnum():
            continue  # inside a word ("png" for "new")
        m = _subsequence(s, w, a, a + limit)
        if m is not None and not (right and m[-1] + 1 < len(s) and s[m[-1] + 1].isalnum()):
            return m
    return None


def _subsequence(s: str, w: str, lo: int, hi: int) -> list[int] | None:
    """Where each character of ``w`` is in ``s[lo:hi]``, in order (None: not all of them are)."""
    out = []
    for c in w:
        j = s.find(c, lo, hi)
        if j < 0:
            return None
        out.append(j)
        lo = j + 1
    return out


def _align(plain: str, source: str, start: int) -> SourceMap:
    """Each word of ``plain`` at its place in ``source`` (from ``start`` on), greedily forward: the
    plain text is the source with markup taken out, so its words come in the same order."""
    ps, os_, ln = array("q"), array("q"), array("q")
    pos = start
    budget = 4 * len(source) + FAR  # characters an unbounded search may scan, all searches together

    def add(p: int, o: int, n: int) -> None:
        if ps:
            gap_p, gap_o = p - (ps[-1] + ln[-1]), o - (os_[-1] + ln[-1])
            if gap_p == gap_o and gap_p >= 0:  # the same distance on both sides: one run
                ln[-1] = p + n - ps[-1]
                return
        ps.append(p)
        os_.append(o)
        ln.append(n)

    for m in _WORD.finditer(plain):
        w, p = m.group(), m.start()
        j = _find_word(source, w, pos, pos + len(w) + NEAR)
        if j < 0 and w.isascii() and w.isalnum():
            j = _find_word(source, w, pos, pos + len(w) + FAR)
            if j < 0 and len(w) >= 4 and budget > 0:
                j = _find_word(source, w, pos, len(source))
                budget -= (len(source) if j < 0 else j) - pos
        if j != pos and not (j > pos and source[pos:j].isspace()):
            # not found, or markup skipped on the way: the word may be right here with markup inside
            # it ("Berg**,", "new\\*"), and the same characters verbatim further on only a later
            # sentence saying them again ("Berg," or "**new**")
            near = _compact(source, w, pos, j if j >= 0 else pos + NEAR)
            if near is not None and (j < 0 or near[-1] < j):
                for k, o in enumerate(near):
                    add(p + k, o, 1)
                pos = near[-1] + 1
                continue
        if j >= 0:
            add(p, j, len(w))
            pos = j + len(w)
            continue
        for k, c in enumerate(w):  # markup inside the word, or an entity or escape: character by character
            j = source.find(c, pos, pos + NEAR)
            if j >= 0:
                add(p + k, j, 1)
                pos = j + 1
    return SourceMap(plain=ps, source=os_, length=ln, source_length=len(source))
