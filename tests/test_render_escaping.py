"""Every renderer escapes for its own format, whatever an article, a feed or a JSONL line puts in a field.

Markdown: rendered through the `markdown` package, hostile text adds no element, attribute or raw
HTML, and a link's URL has nothing raw that could end it. HTML: no script, no event handler, no
javascript:/data: link. Atom: well-formed for a strict XML parser. Plain-text email: no control
characters, no line a URL did not ask for. Every output is valid UTF-8.
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
import xml.dom.minidom
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.digest.models import Digest, Section, SourceFailure, Story, StoryArticle, StoryLine
from briefing.models import Brief, Entity, Quote, ScoredSentence, Sentence, TimeExpression, TimelineEvent
from briefing.render import clean_text, md_escape, md_url, one_line, render, text_url

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

FRAGMENTS = [
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b[2J\x1b]0;pwned\x07",
    "\x7f",
    "\x85",
    "\x9b",
    "\u2028",
    "\u2029",
    "\u202e",
    "\u2066",
    "\u200f",
    "\ufeff",
    "\u200b",
    "\ud800",
    "\udfff",
    "\ufffe",
    "\uffff",
    "<div onmouseover=alert(1)>",
    "</div>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<?xml",
    "&lt;",
    "&#60;",
    "&#x3C;",
    "&amp;",
    "&",
    "&copy;",
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "# ",
    "## ",
    "- ",
    "* ",
    "+ ",
    "1. ",
    "1986. ",
    "3) ",
    "> ",
    "    ",
    "\t",
    "```",
    "~~~",
    "---",
    "***",
    "===",
    "|",
    "| a | b |",
    "[x](javascript:alert(1))",
    "![i](http://e.example/x.png)",
    "<http://e.example>",
    "[ref]: http://e.example",
    "*",
    "_",
    "`",
    "\\",
    "(",
    ")",
    "[",
    "]",
    '"',
    "'",
    "{",
    "}",
    "x",
    "Zoë",
    " ",
    "word",
    "%0A",
]
hostile = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), min_size=1, max_size=8).map("".join)
URL_PREFIXES = [
    "https://e.example/",
    "http://e.example/?q=",
    "javascript:",
    "data:text/html,",
    "HTTPS://e.example/",
    "",
    "//e.example/",
]
hostile_url = st.tuples(st.sampled_from(URL_PREFIXES), hostile).map("".join)
N_STRINGS = 24

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def benign(strings: list[str], urls: list[str]) -> tuple[list[str], list[str]]:
    """The same shape with harmless words: what the structure must look like."""

    def calm(i: int, s: str) -> str:  # empty stays empty and blank stays blank: templates test truthiness
        s = clean_text(s)
        return s if not s.strip() else f"word{i}"

    return (
        [calm(i, s) for i, s in enumerate(strings)],
        [
            u if not clean_text(u).strip() else next((p for p in URL_PREFIXES if p and u.startswith(p)), "") + "plain"
            for u in urls
        ],
    )


def benign_brief(strings: list[str], urls: list[str]) -> tuple[list[str], list[str]]:
    """``benign`` for ``make_brief``: a quote the brief leaves out because its words are already in
    the summary ("1" inside "alert(1)") stays left out in the harmless copy, so both have one shape."""
    calm, calm_urls = benign(strings, urls)
    first, second = (one_line(clean_text(strings[i])) for i in (3, 4))  # the summary's sentences
    for q in (12, 13):  # the quotes' texts
        text = one_line(clean_text(strings[q]))
        if not any(c.isalnum() for c in text) or text not in f"{first} {second}":
            continue
        calm[q] = calm[3] if text in first else calm[4] if text in second else f"{calm[3]} {calm[4]}"
    return calm, calm_urls


def make_brief(s: list[str], urls: list[str]) -> Brief:
    def sent(text, i):
        return ScoredSentence(
            Sentence(text, i * 10, i * 10 + 5, i), 0.9 - i / 10, parts={"lead": 0.5}, chosen=True, reason=s[20]
        )

    return Brief(
        id="b1",
        title=s[0],
        algorithm="news",
        source={
            "path": None,
            "url": urls[0],
            "name": s[1],
            "author": s[2],
            "published": "2026-03-10",
            "reference_date": "2026-03-10",
            "format": "html",
            "words": 100,
            "sentences": 5,
        },
        summary=[sent(s[3], 0), sent(s[4], 1)],
        who=[Entity(s[5], "person", 2, aliases=[s[6], s[5]], role=s[7]), Entity(s[8], "organisation", 1)],
        where=[Entity(s[9], "place", 1)],
        when=[TimeExpression(s[10], 0, 5, "DATE", "2026-03-10")],
        quotes=[Quote(s[11], s[12]), Quote(None, s[13])],
        timeline=[TimelineEvent("2026-03-10", s[14], s[10], s[15])],
        notes=[s[16]],
        explain=[sent(s[17], 0), sent(s[18], 1)],
    )


def make_digest(s: list[str], urls: list[str]) -> Digest:
    def story(i, title, section):
        return Story(
            id=f"st{i}",
            title=title,
            section=section,
            score=1.0 - i / 10,
            summary=[StoryLine(s[3], "a1", s[4], urls[0], 0, 5, 0.5), StoryLine(s[5], "a2", s[6], urls[1], 0, 5, 0.4)],
            articles=[StoryArticle("a1", s[7], s[4], urls[0], NOW), StoryArticle("a2", s[8], s[6], urls[1], None)],
            sources=[s[4], s[6]],
            earliest=NOW,
            latest=NOW,
            who=[Entity(s[9], "person", 2, aliases=[], articles=2)],
            where=[Entity(s[10], "place", 1, aliases=[], articles=1)],
            when=[TimelineEvent("2026-03-10", s[11], s[11], s[12], articles=1)],
            update=i == 2,
        )

    return Digest(
        id="d1",
        title=s[0],
        generated_at=NOW,
        window_start=NOW,
        window_end=NOW,
        sections=[Section(s[1], [story(1, s[2], s[1])]), Section(s[13], [story(2, s[14], s[13])])],
        failures=[SourceFailure(s[15], urls[2], s[16])],
        notes=[s[17]],
    )


# ---------------------------------------------------------------- checking each format


class Elements(HTMLParser):
    """Every element with its attribute names; comments, declarations and processing instructions too."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.shape: list[tuple] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.shape.append((tag, tuple(sorted(k for k, _ in attrs))))
        self.attrs += [(tag, k, v) for k, v in attrs]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data):
        self.other.append("comment")

    def handle_decl(self, decl):
        self.other.append("decl:" + decl.split()[0].lower())

    def handle_pi(self, data):
        self.other.append("pi")

    def unknown_decl(self, data):
        self.other.append("cdata")


def elements(html: str) -> Elements:
    p = Elements()
    p.feed(html)
    p.close()
    return p


BAD_SCHEME = re.compile(r"^\s*(javascript|data|vbscript):", re.I)


def check_links(found: Elements, raw_allowed: bool = False) -> None:
    for tag, name, value in found.attrs:
        assert not name.startswith("on"), (tag, name, value)
        if name in ("href", "src", "action", "formaction"):
            assert not BAD_SCHEME.match(value or ""), (tag, name, value)


def md_to_html(text: str) -> str:
    return markdown.markdown(text, extensions=["tables"])


def check_markdown(out: str, reference: str) -> None:
    found, expected = elements(md_to_html(out)), elements(md_to_html(reference))
    # hostile text adds no element, no attribute, no raw HTML: the same shape as harmless words
    assert found.shape == expected.shape
    assert found.other == expected.other == []
    check_links(found)
    for _tag, name, value in found.attrs:
        if name == "href":
            assert not re.search(r"\s", value), value
            assert value.lower().startswith(("http://", "https://")), value
    # in the Markdown itself, a link destination has nothing raw that could end it or start markup
    for dest in re.findall(r"\]\(<(.*?)>\)", out):
        assert not re.search(r"[\s<>()\"'`\\]", dest), dest
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in out)


def check_html(out: str, reference: str) -> None:
    found, expected = elements(out), elements(reference)
    assert found.shape == expected.shape
    assert [o for o in found.other] == [o for o in expected.other]  # the doctype only
    check_links(found)
    assert "<script" not in out.lower()


def check_email(out: str) -> None:
    assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in out), repr(out)
    assert not re.search("[\u2028\u2029]", out)
    for line in out.splitlines():
        assert len(line) <= 72 or re.fullmatch(r"\s*\S+", line), line


def check_utf8(out: str) -> None:
    out.encode("utf-8")  # no lone surrogate: every file and mail can carry it


# ---------------------------------------------------------------- the properties


@pytest.mark.slow
@SETTINGS
@given(
    strings=st.lists(hostile, min_size=N_STRINGS, max_size=N_STRINGS),
    urls=st.lists(hostile_url, min_size=3, max_size=3),
)
def test_brief_in_every_format_survives_hostile_fields(strings, urls):
    brief, calm = make_brief(strings, urls), make_brief(*benign_brief(strings, urls))
    out = {fmt: render(brief, fmt) for fmt in ("markdown", "html", "email", "json")}
    for text in out.values():
        check_utf8(text)
    check_markdown(out["markdown"], render(calm, "markdown"))
    check_html(out["html"], render(calm, "html"))
    check_email(out["email"])
    assert json.loads(out["json"])["id"] == "b1"


@pytest.mark.slow
@SETTINGS
@given(
    strings=st.lists(hostile, min_size=N_STRINGS, max_size=N_STRINGS),
    urls=st.lists(hostile_url, min_size=3, max_size=3),
)
def test_digest_in_every_format_survives_hostile_fields(strings, urls):
    digest, calm = make_digest(strings, urls), make_digest(*benign(strings, urls))
    out = {fmt: render(digest, fmt, kind="digest") for fmt in ("markdown", "html", "email", "json")}
    for text in out.values():
        check_utf8(text)
    check_markdown(out["markdown"], render(calm, "markdown", kind="digest"))
    check_html(out["html"], render(calm, "html", kind="digest"))
    check_email(out["email"])
    json.loads(out["json"])
    lines = out["email"].splitlines()
    for url in urls[:2]:  # each article's URL: one unbroken token on a line of its own
        if re.match(r"https?://", url, re.I):
            assert "     " + text_url(clean_text(url)) in lines
            assert len(text_url(clean_text(url)).split()) == 1


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    strings=st.lists(hostile, min_size=N_STRINGS, max_size=N_STRINGS),
    urls=st.lists(hostile_url, min_size=3, max_size=3),
    base=st.sampled_from([None, "https://n.example/b/"]),
)
def test_archive_feed_and_index_survive_hostile_titles(strings, urls, base):
    from briefing.digest.archive import write_archive

    digest = make_digest(strings, urls)
    with tempfile.TemporaryDirectory() as folder:
        rendered = {f: render(digest, f, kind="digest") for f in ("html", "markdown", "json")}
        write_archive(folder, digest, rendered, base_url=base)
        write_archive(folder, digest, rendered, base_url=base)
        feed = Path(folder, "feed.atom").read_bytes()
        root = ET.fromstring(feed)  # strict XML 1.0: a forbidden character makes this raise
        xml.dom.minidom.parseString(feed)
        ns = {"a": "http://www.w3.org/2005/Atom"}
        ids = [e.find("a:id", ns).text for e in root.findall("a:entry", ns)]
        assert len(ids) == 2 and len(set(ids)) == 2
        index = Path(folder, "index.html").read_text(encoding="utf-8")
        found = elements(index)
        check_links(found)
        assert "<script" not in index.lower()
        json.loads(Path(folder, "digests.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- examples, one rule each


@pytest.mark.parametrize(
    "text, safe",
    [
        ("1986. A good year", "1986\\. A good year"),
        ("- not a list", "\\- not a list"),
        ("+ not a list", "\\+ not a list"),
        ("> not a quote", "\\> not a quote"),
        ("3) not a list", "3\\) not a list"),
        ("~~~ not a fence", "&#126;~~ not a fence"),
        ("Q&A &amp; more &#60;b&#62;", "Q&A &amp;amp; more &amp;\\#60;b&amp;\\#62;"),
        ("a\n# b\n<div onmouseover=x>", "a \\# b &lt;div onmouseover=x>"),
        ("Jean-Pierre, 40, said *no*", "Jean-Pierre, 40, said \\*no\\*"),
    ],
)
def test_md_escape(text, safe):
    assert md_escape(text) == safe


def test_urls_are_percent_encoded_for_their_format():
    url = "https://e.example/a b\n\n<div onmouseover=alert(1)>(x)\u202e\u2028\"'\\`"
    md = md_url(url)
    assert md == (
        "https://e.example/a%20b%0A%0A%3Cdiv%20onmouseover=alert%281%29%3E%28x%29%E2%80%AE%E2%80%A8%22%27%5C%60"
    )
    assert text_url(url) == ("https://e.example/a%20b%0A%0A<div%20onmouseover=alert(1)>(x)%E2%80%AE%E2%80%A8\"'\\`")
    assert (
        md_url("https://de.wikipedia.org/wiki/Zürich?q=1&r=%20") == "https://de.wikipedia.org/wiki/Zürich?q=1&r=%20"
    )  # an ordinary URL is left alone


# ---------------------------------------------------------------- the CLI, as a reader gets it


@pytest.fixture
def hostile_jsonl(tmp_path) -> Path:
    rows = [
        {
            "id": "h1",
            "title": "Dam opens \u0001 in <b>Kessler</b>",
            "source": "Globe\n# injected",
            "url": "https://e.example/a\n\n<div\tonmouseover=alert(1)>hover me</div>\n\n",
            "text": "The new dam in Kessler opened on Tuesday. It cost 40 million dollars, officials said.",
        },
        {
            "id": "h2",
            "title": "Bridge closes in \ud800 Lindholm",
            "source": "Wire\x1b[2J",
            "url": "javascript:alert(1)",
            "text": "The old bridge in Lindholm closed on Monday. Repairs will take a year, the council said.",
        },
    ]
    p = tmp_path / "hostile.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("fmt", ["markdown", "html", "email", "json"])
def test_hostile_jsonl_digest_is_safe_in_every_format(main_run, hostile_jsonl, tmp_path, fmt):
    out = tmp_path / f"digest.{fmt}"
    code, _, err = main_run(
        "digest",
        hostile_jsonl,
        "--since",
        "all",
        "--state",
        tmp_path / "s.sqlite",
        "--no-entities",
        "-f",
        fmt,
        "-o",
        out,
        "--now",
        "2026-03-10T12:00:00+00:00",
        "--dry-run",
    )
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    if fmt == "markdown":
        found = elements(md_to_html(text))
        assert {t for t, _ in found.shape} <= {"h1", "h2", "p", "em", "ul", "li", "a", "strong"}, found.shape
        assert found.other == []
        check_links(found)
        assert "<div" not in text and "\n<" not in text
    elif fmt == "html":
        check_links(elements(text))
        assert "<div" not in text
    elif fmt == "email":
        check_email(text)
        assert "\x1b" not in text
    else:
        assert json.loads(text)["stories"]


def test_hostile_jsonl_archive_feed_is_well_formed(main_run, hostile_jsonl, tmp_path):
    # (a lone surrogate is left out here: recording the run in the state database is not the archive's part)
    hostile_jsonl.write_text(hostile_jsonl.read_text(encoding="utf-8").replace("\\ud800", "\\u0002"), encoding="utf-8")
    site = tmp_path / "site"
    code, _, err = main_run(
        "digest",
        hostile_jsonl,
        "--since",
        "all",
        "--state",
        tmp_path / "s.sqlite",
        "--no-entities",
        "--output-dir",
        site,
        "--now",
        "2026-03-10T12:00:00+00:00",
    )
    assert code == 0, err
    feed = (site / "feed.atom").read_bytes()
    ET.fromstring(feed)
    xml.dom.minidom.parseString(feed)
    md = next(site.glob("digest-*.md")).read_text(encoding="utf-8")
    assert "<div" not in md and "onmouseover=alert(1)>" not in md
