"""RSS, Atom and RDF feeds (feedparser): one article per entry.

A feed that is not one (malformed XML, an HTML page, an empty body) fails with a short reason,
unless the parser recovered whole entries: those are used, with a warning. Every article carries
``key``, its stable identity: its link, or else its guid within the feed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..errors import FeedError
from ..models import Article
from .base import Origin, Reading, hostname, item_key


def _struct_to_dt(t: Any) -> datetime | None:
    if not t:
        return None
    try:
        year, month, day, hour, minute, second = t[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def read_feed(content: bytes, origin: Origin) -> Reading:
    """Every entry that has a title, a text or a link; ``FeedError`` when the bytes are no feed."""
    import feedparser

    url = origin.url
    problem = _not_a_feed(content, remote=url is not None)
    if problem:
        raise FeedError(f"{origin.name}: {problem}")
    headers = {"content-type": origin.content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    parsed = feedparser.parse(content, response_headers=headers)
    entries = parsed.get("entries") or []
    malformed = _malformed_xml(parsed, content)
    if malformed:
        # the parser recovers what it can; an entry cut off by the error would be half an article
        entries = entries[: _closed_entries(content)]
    elif not entries and not parsed.get("version"):
        exc = parsed.get("bozo_exception")
        raise FeedError(f"{origin.name}: not an RSS or Atom feed" + (f" ({_one_line(exc)})" if exc else ""))
    feed_title = html_to_text(parsed.feed.get("title", "")) if parsed.get("feed") else ""
    source_name = origin.source_name or feed_title or hostname(url) or Path(origin.name).stem
    articles = [a for a in (_entry_article(e, origin, source_name) for e in entries) if a is not None]
    out = Reading(articles=articles)
    if malformed:
        if not articles:
            raise FeedError(f"{origin.name}: {malformed}")
        n = len(articles)
        out.warnings.append(
            f"{origin.label}: {malformed}; used the {n} entr{'y' if n == 1 else 'ies'} that were complete"
        )
    return out


_CLOSED_ENTRY = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>", re.I)
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")


def _closed_entries(content: bytes) -> int:
    return len(_CLOSED_ENTRY.findall(content))


def _not_a_feed(content: bytes, *, remote: bool) -> str | None:
    """Why ``content`` cannot be a feed, before any parsing; None when it may be one."""
    if not content.strip():
        return f"empty {'response' if remote else 'file'}, not a feed"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16: the parser knows it
    head = content.lstrip(b"\xef\xbb\xbf").lstrip()[:4096].lower()
    if not head.startswith(b"<"):
        return "not an RSS or Atom feed"
    if head.startswith(b"<!doctype html") or (b"<html" in head and not any(r in head for r in _FEED_ROOTS)):
        return "an HTML page, not a feed"
    return None


def _malformed_xml(parsed: Any, content: bytes) -> str | None:
    """ "malformed XML at line 3, column 7: ..." when the XML parser gave up (feedparser's ``bozo``);
    other complaints (a wrong declared encoding, an odd content type) leave the entries whole."""
    from xml.sax import SAXParseException

    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or not isinstance(exc, SAXParseException):
        return None
    # feedparser parses a re-encoded copy with its own declaration: its line numbers are not the file's
    return (
        _locate_xml_error(content)
        or f"malformed XML at line {exc.getLineNumber()}, column {(exc.getColumnNumber() or 0) + 1}: {exc.getMessage()}"
    )


def _locate_xml_error(content: bytes) -> str | None:
    """Where expat stops in the bytes as they came; None if it cannot tell (an encoding it lacks)."""
    import xml.parsers.expat as expat

    parser = expat.ParserCreate(namespace_separator=" ")
    try:
        parser.Parse(content, True)
    except expat.ExpatError as e:
        if e.code == expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING]:
            return None
        return f"malformed XML at line {e.lineno}, column {e.offset + 1}: {expat.ErrorString(e.code)}"
    return None


def _one_line(exc: object) -> str:
    return " ".join(str(exc).split())[:160]


def _entry_article(entry: Any, origin: Origin, source_name: str) -> Article | None:
    title = html_to_text(entry.get("title", "")).strip() or None
    body = ""
    for content in entry.get("content") or []:
        if content.get("value"):
            body = content["value"]
            break
    body = html_to_text(body or entry.get("summary", "") or entry.get("description", "")).strip()
    link = entry.get("link")
    if not body and not title and not link:
        return None
    published_at = _struct_to_dt(entry.get("published_parsed") or entry.get("updated_parsed"))
    guid = entry.get("id") or link or item_key(title, body[:500])
    text = body or title or ""  # headline-only feeds still say what happened
    article = Article(
        text=text,
        title=title,
        id=str(guid),
        url=link,
        published=published_at.date() if published_at else None,
        published_at=published_at,
        author=entry.get("author"),
        source_name=source_name,
        format="text",
    )
    article.key = item_key("url", link) if link else item_key("guid", origin.url or origin.name, str(guid))
    article.categories = [t.get("term") for t in entry.get("tags") or [] if t.get("term")]
    return article


# ---------------------------------------------------------------- feed HTML


class _TextExtractor(HTMLParser):
    _BLOCK = {
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "tr",
        "section",
        "article",
        "ul",
        "ol",
        "pre",
        "figure",
        "table",
    }
    _SKIP = {"script", "style", "noscript", "iframe", "svg", "figcaption"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self.skip:
            self.skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Feed summaries and titles are HTML fragments: keep the words and paragraph breaks only."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split())
    parser = _TextExtractor()
    try:
        parser.feed(fragment)
        parser.close()
    except Exception:  # html.parser is lenient; this is belt and braces for odd input
        return " ".join(re.sub(r"<[^>]*>", " ", fragment).split())
    paragraphs = (" ".join(p.split()) for p in "".join(parser.parts).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


# ---------------------------------------------------------------- autodiscovery

FEED_LINK_TYPES = ("application/rss+xml", "application/atom+xml")
_DISCOVERY_CHARS = 512 * 1024  # the <head> is at the top: a homepage's link tags are found in far less
_ARTICLE_LD = re.compile(
    r'"@type"\s*:\s*\[?\s*"(?:\w*Article|BlogPosting|Report)"', re.I
)  # schema.org types of one story: NewsArticle, BlogPosting, ReportageNewsArticle...


class _FeedLinks(HTMLParser):
    """``<link rel="alternate" type="application/rss+xml" href=...>`` in document order, the page's
    ``<base href>``, and whether the page says it is one article (``og:type`` article)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.base: str | None = None
        self.article = False

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "link":
            rel = a.get("rel", "").lower().split()
            kind = a.get("type", "").split(";")[0].strip().lower()
            if "alternate" in rel and kind in FEED_LINK_TYPES and a.get("href", "").strip():
                self.links.append(a["href"].strip())
        elif tag == "base" and self.base is None and a.get("href", "").strip():
            self.base = a["href"].strip()
        elif tag == "meta" and a.get("property", a.get("name", "")).lower() == "og:type":
            self.article = self.article or a.get("content", "").strip().lower() == "article"

    handle_startendtag = handle_starttag


_SLUG = re.compile(r"[^\W_]+(?:[-_][^\W_]+){2,}")  # "harbour-board-approves-pier": three words or more
_DATED = re.compile(r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])(?:/|$)|/(?:19|20)\d\d-\d\d-\d\d")
_STORY_ID = re.compile(r"\d{5,}")


def article_url(path: str) -> bool:
    """A URL path shaped like one story's ("/2024/03/12/...", "/news/harbour-board-approves-pier",
    "/world-68501234"), not a homepage's or a section's ("/", "/news/", "/blog"): such a page is read
    as that article even when it carries its site's feed link, as nearly every article page does."""
    last = next((seg for seg in reversed(path.split("/")) if seg), "")
    last = last.rsplit(".", 1)[0] if "." in last else last
    return bool(_DATED.search(path) or _SLUG.search(last) or _STORY_ID.search(last))


def discover_feed(content: bytes, url: str, charset: str | None = None) -> str | None:
    """The feed an HTML homepage advertises (its first ``<link rel="alternate">`` of an RSS or Atom
    type, resolved against the page), or None: no such link, or the page says it is one article
    (``og:type`` article, a schema.org Article) and is not a site's root, so it is read as that article."""
    import urllib.parse

    from .decode import decode_bytes

    text = decode_bytes(content, url, declared=charset)[:_DISCOVERY_CHARS]
    parser = _FeedLinks()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # html.parser is lenient; odd markup means no link found, not a failure
        return None
    if not parser.links:
        return None
    path = urllib.parse.urlsplit(url).path
    root = path in ("", "/")
    if not root and (parser.article or _ARTICLE_LD.search(text) or article_url(path)):
        return None
    base = urllib.parse.urljoin(url, parser.base) if parser.base else url
    return urllib.parse.urljoin(base, parser.links[0])
