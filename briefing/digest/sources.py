"""Reading many sources for a digest: files, globs, folders, URL lists, RSS/Atom, OPML, JSONL.

Every source is read in a bounded thread pool with its own timeout. A source
can expand into more sources (a folder into files, an OPML list into feeds, a
feed with ``fetch_full`` into article pages); those go into the same pool. A
source that fails becomes a ``SourceFailure`` and the others carry on: nothing
that was already read is lost.

Every article carries in ``extra``: ``key`` (stable identity for the state
database), ``section`` (from the source's config) and ``spec`` (where it came from).
"""
from __future__ import annotations

import glob as _glob
import hashlib
import json
import os
import re
import urllib.parse
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable

from ..errors import BriefingError, FeedError, InputError
from ..models import Article
from .models import SourceFailure

SOURCE_KINDS = ("auto", "feed", "page", "opml", "jsonl", "urls", "folder", "file")
MAX_DEPTH = 3  # an OPML list may name feeds; a list naming lists naming lists stops here
FEED_ACCEPT = ("application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,"
               "application/xml;q=0.8,text/xml;q=0.8,text/html;q=0.7,*/*;q=0.5")
_ARTICLE_EXT = {".html", ".htm", ".xhtml", ".md", ".markdown", ".txt", ".text"}
_FOLDER_EXT = _ARTICLE_EXT | {".jsonl", ".ndjson", ".xml", ".rss", ".atom", ".opml"}
_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass
class SourceSpec:
    """One source as the user gave it (command line or ``[[sources]]`` in the config)."""

    spec: str  # URL, path, glob
    kind: str = "auto"
    name: str | None = None
    section: str | None = None
    fetch_full: bool = False  # teaser feeds: fetch and extract each entry's page
    timeout: float | None = None

    @property
    def label(self) -> str:
        return self.name or self.spec


@dataclass
class ReadResult:
    articles: list[Article] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    sources_ok: int = 0  # top-level and expanded sources read without error


@dataclass
class _Outcome:
    articles: list[Article] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    children: list[SourceSpec] = field(default_factory=list)
    pages: list[tuple[Article, SourceSpec]] = field(default_factory=list)  # teasers to complete


def is_url(spec: str) -> bool:
    return "://" in spec[:12]


def hostname(url: str | None) -> str | None:
    if not url or not is_url(url):
        return None
    host = urllib.parse.urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host or None


def item_key(*parts: str | None) -> str:
    basis = "\x1f".join(p or "" for p in parts)
    return hashlib.sha1(basis.encode("utf-8", "replace")).hexdigest()[:20]


# ---------------------------------------------------------------- the pool


def read_sources(specs: list[SourceSpec], *, timeout: float = 15.0, jobs: int = 4,
                 on_progress: Callable[[int, int, str], None] | None = None) -> ReadResult:
    """Read every source concurrently (at most ``jobs`` at a time); never raises for one bad source.

    ``on_progress(done, total, label)`` is called as each task finishes; ``total`` grows
    as sources expand.
    """
    result = ReadResult()
    done = total = 0
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="briefing-source") as pool:
        pending: dict[Future, tuple[str, SourceSpec, int]] = {}

        def submit(kind: str, spec: SourceSpec, depth: int = 0, teaser: Article | None = None) -> None:
            nonlocal total
            total += 1
            if kind == "page":
                fut = pool.submit(_complete_page, teaser, spec, spec.timeout or timeout)
            else:
                fut = pool.submit(_read_one, spec, depth, spec.timeout or timeout)
            pending[fut] = (kind, spec, depth)

        for spec in specs:
            submit("source", spec)
        while pending:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in finished:
                kind, spec, depth = pending.pop(fut)
                try:
                    out: _Outcome = fut.result()
                except BriefingError as e:
                    out = _Outcome(failures=[SourceFailure(spec.label, spec.spec, str(e))])
                except Exception as e:  # a reader bug must not cost the other sources
                    out = _Outcome(failures=[SourceFailure(spec.label, spec.spec,
                                                           f"unexpected error: {type(e).__name__}: {e}")])
                result.articles.extend(out.articles)
                result.failures.extend(out.failures)
                if not out.failures:
                    result.sources_ok += 1
                for child in out.children:
                    if depth + 1 > MAX_DEPTH:
                        result.failures.append(SourceFailure(child.label, child.spec, "lists nested too deeply"))
                    else:
                        submit("source", child, depth + 1)
                for teaser, page_spec in out.pages:
                    submit("page", page_spec, depth + 1, teaser)
                done += 1
                if on_progress:
                    on_progress(done, total, spec.label)
    result.failures.sort(key=lambda f: (f.source, f.spec))  # completion order is noise
    return result


# ---------------------------------------------------------------- one source


def _read_one(spec: SourceSpec, depth: int, timeout: float) -> _Outcome:
    if is_url(spec.spec):
        return _read_remote(spec, timeout)
    return _read_local(spec)


def _read_remote(spec: SourceSpec, timeout: float) -> _Outcome:
    from ..sources.decode import decode_bytes
    from ..sources.fetch import fetch

    accept = FEED_ACCEPT if spec.kind in ("auto", "feed", "opml") else \
        "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"
    got = fetch(spec.spec, timeout=timeout, accept=accept)
    kind = spec.kind if spec.kind != "auto" else _sniff_remote(got.content, got.content_type, got.url)
    if kind in ("feed", "opml"):
        if kind == "opml" or _is_opml(got.content):
            return _Outcome(children=_read_opml(got.content, spec, base=got.url))
        return _read_feed(got.content, spec, url=got.url, content_type=got.content_type)
    text = decode_bytes(got.content, spec.spec, declared=got.charset)
    if kind == "jsonl":
        return _read_jsonl_text(text, spec, name=spec.spec)
    if kind == "urls":
        return _Outcome(children=_read_url_list(text, spec, base=None))
    if kind == "page" or got.content_type in ("text/html", "application/xhtml+xml"):
        return _Outcome(articles=[_page_article(text, spec, got.url, "html")])
    if got.content_type in ("text/plain", "text/markdown"):
        if _looks_like_url_list(text):
            return _Outcome(children=_read_url_list(text, spec, base=None))
        fmt = "markdown" if got.content_type == "text/markdown" else "text"
        return _Outcome(articles=[_page_article(text, spec, got.url, fmt)])
    raise InputError(f"{spec.spec}: not a feed or an article (content type {got.content_type})")


def _sniff_remote(content: bytes, ctype: str, url: str) -> str:
    head = content[:2048].lstrip().lower()
    if _is_opml(content):
        return "opml"
    if ctype in ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
                 "text/xml") or head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        if b"<html" in content[:4096].lower() and b"<rss" not in head and b"<feed" not in head:
            return "page"
        return "feed"
    path = urllib.parse.urlsplit(url).path.lower()
    if ctype in ("application/x-ndjson", "application/jsonl", "application/json") or path.endswith(
            (".jsonl", ".ndjson")):
        return "jsonl"
    return "page"


def _is_opml(content: bytes) -> bool:
    return b"<opml" in content[:1024].lower()


def _read_local(spec: SourceSpec) -> _Outcome:
    path = os.path.expandvars(os.path.expanduser(spec.spec))
    if spec.kind == "auto" and _GLOB_CHARS.search(path) and not os.path.exists(path):
        matches = sorted(m for m in _glob.glob(path, recursive=True) if os.path.isfile(m))
        if not matches:
            raise InputError(f"{spec.spec}: no files match")
        return _Outcome(children=[replace(spec, spec=m, kind="auto") for m in matches])
    p = Path(path)
    if not p.exists():
        raise InputError(f"{spec.spec}: no such file or folder")
    if p.is_dir() or spec.kind == "folder":
        files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in _FOLDER_EXT
                       and not any(part.startswith(".") for part in f.relative_to(p).parts))
        return _Outcome(children=[replace(spec, spec=str(f), kind="auto") for f in files])
    kind = spec.kind if spec.kind not in ("auto", "file") else _kind_from_extension(p)
    if kind in ("feed", "opml"):
        data = _read_bytes(p)
        if kind == "opml" or _is_opml(data):
            return _Outcome(children=_read_opml(data, spec, base=None, folder=p.parent))
        return _read_feed(data, spec, url=None, content_type="application/xml")
    if kind == "jsonl":
        from ..sources.decode import decode_bytes

        return _read_jsonl_text(decode_bytes(_read_bytes(p), str(p)), spec, name=str(p))
    if kind in ("urls", "auto") and p.suffix.lower() in (".txt", ".list", ".urls", ""):
        from ..sources.decode import decode_bytes

        text = decode_bytes(_read_bytes(p), str(p))
        if kind == "urls" or _looks_like_url_list(text):
            return _Outcome(children=_read_url_list(text, spec, base=p.parent))
    return _Outcome(articles=[_file_article(p, spec)])


def _kind_from_extension(p: Path) -> str:
    ext = p.suffix.lower()
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext == ".opml":
        return "opml"
    if ext in (".xml", ".rss", ".atom"):
        return "feed"
    return "auto"


def _read_bytes(p: Path) -> bytes:
    from ..sources import MAX_FILE_BYTES

    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{p}: too large (limit {MAX_FILE_BYTES} bytes)")
        return p.read_bytes()
    except PermissionError:
        raise InputError(f"{p}: permission denied") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read ({e.strerror})") from None


# ---------------------------------------------------------------- readers


def _file_article(p: Path, spec: SourceSpec) -> Article:
    from ..sources import read_path

    article = read_path(p)
    if article.published_at is None:
        # a file dropped in a watched folder: when it arrived is the best "published" we have
        article.published_at = datetime.fromtimestamp(p.stat().st_mtime, tz=timezone.utc)
        if article.published is None:
            article.published = article.published_at.date()
    article.source_name = spec.name or article.source_name or p.parent.name or None
    article.id = str(p)
    article.extra.update(key=item_key("file", str(p.resolve())), section=spec.section, spec=spec.spec)
    return article


def _page_article(text: str, spec: SourceSpec, url: str, fmt: str) -> Article:
    from ..sources import parse_text

    article = parse_text(text, fmt=fmt, name=url, url=url, id=url)
    article.source_name = spec.name or article.source_name or hostname(url)
    if article.published and article.published_at is None:
        article.published_at = datetime(article.published.year, article.published.month,
                                        article.published.day, tzinfo=timezone.utc)
    article.extra.update(key=item_key("url", url), section=spec.section, spec=spec.spec)
    return article


def _complete_page(teaser: Article, spec: SourceSpec, timeout: float) -> _Outcome:
    """A teaser feed's entry: fetch its page for the full text; on failure keep the teaser."""
    from ..sources import read_url

    try:
        page = read_url(teaser.url, timeout=timeout)
    except BriefingError as e:
        kept = [teaser] if teaser.text.strip() else []
        return _Outcome(articles=kept, failures=[SourceFailure(spec.name or teaser.source_name or spec.label,
                                                               teaser.url, str(e))])
    # the feed knows title, date and identity better than the page's metadata
    page.title = teaser.title or page.title
    page.id = teaser.id
    page.published = teaser.published or page.published
    page.published_at = teaser.published_at
    page.source_name = teaser.source_name
    page.author = teaser.author or page.author
    page.extra.update(teaser.extra)
    return _Outcome(articles=[page])


def _struct_to_dt(t) -> datetime | None:
    if not t:
        return None
    try:
        return datetime(*t[:6], tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


def _read_feed(content: bytes, spec: SourceSpec, *, url: str | None, content_type: str) -> _Outcome:
    import feedparser

    headers = {"content-type": content_type}
    if url:
        headers["content-location"] = url
    parsed = feedparser.parse(content, response_headers=headers)
    entries = parsed.get("entries") or []
    feed_title = html_to_text(parsed.feed.get("title", "")) if parsed.get("feed") else ""
    source_name = spec.name or feed_title or hostname(url) or Path(spec.spec).stem
    out = _Outcome()
    if parsed.get("bozo") and not entries:
        exc = parsed.get("bozo_exception")
        reason = " ".join(str(exc).split()) if exc else "not a feed"
        raise FeedError(f"{spec.spec}: malformed feed ({reason})")
    if not entries and not parsed.get("version"):
        raise FeedError(f"{spec.spec}: not an RSS or Atom feed")
    for entry in entries:
        article = _entry_article(entry, spec, source_name, url)
        if article is None:
            continue
        if spec.fetch_full and article.url and is_url(article.url):
            out.pages.append((article, spec))
        elif article.text.strip():
            out.articles.append(article)
    return out


def _entry_article(entry, spec: SourceSpec, source_name: str, feed_url: str | None) -> Article | None:
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
    article = Article(text=text, title=title, id=str(guid), url=link,
                      published=published_at.date() if published_at else None, published_at=published_at,
                      author=entry.get("author"), source_name=source_name, format="text")
    article.extra.update(key=item_key("url", link) if link else item_key("guid", feed_url or spec.spec, str(guid)),
                         section=spec.section, spec=spec.spec,
                         categories=[t.get("term") for t in entry.get("tags") or [] if t.get("term")])
    return article


def _read_opml(content: bytes, spec: SourceSpec, *, base: str | None, folder: Path | None = None) -> list[SourceSpec]:
    """Every feed an OPML subscription list names; an outline's parent text becomes the section."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(content)
    except ET.ParseError as e:
        raise FeedError(f"{spec.spec}: malformed OPML ({e})") from None
    body = root.find("body")
    if root.tag.lower() != "opml" or body is None:
        raise FeedError(f"{spec.spec}: not an OPML subscription list")
    children: list[SourceSpec] = []

    def walk(node, section: str | None) -> None:
        for outline in node.findall("outline"):
            xml_url = outline.get("xmlUrl") or outline.get("xmlurl")
            label = outline.get("title") or outline.get("text")
            if xml_url:
                target = urllib.parse.urljoin(base, xml_url) if base else xml_url
                if not is_url(target) and folder is not None:
                    target = str(folder / target)
                children.append(SourceSpec(spec=target, kind="feed", name=label,
                                           section=spec.section or section, fetch_full=spec.fetch_full,
                                           timeout=spec.timeout))
            else:
                walk(outline, section or label)

    walk(body, None)
    return children


def _looks_like_url_list(text: str) -> bool:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return bool(lines) and all(is_url(ln) and " " not in ln for ln in lines)


def _read_url_list(text: str, spec: SourceSpec, *, base: Path | None) -> list[SourceSpec]:
    children = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        target = line if is_url(line) or base is None else str(base / os.path.expanduser(line))
        children.append(SourceSpec(spec=target, kind="auto", name=None, section=spec.section,
                                   fetch_full=spec.fetch_full, timeout=spec.timeout))
    return children


def parse_published(value) -> tuple[date | None, datetime | None]:
    """(date, aware datetime or None) from an ISO date or date-time; naive times are taken as UTC."""
    if value in (None, ""):
        return None, None
    s = str(value).strip()
    try:
        if len(s) <= 10:
            return date.fromisoformat(s), None
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"\"published\" is not an ISO date or date-time: {s!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.date(), dt


def _read_jsonl_text(text: str, spec: SourceSpec, *, name: str) -> _Outcome:
    out = _Outcome()
    bad: list[str] = []
    default_source = spec.name or Path(urllib.parse.urlsplit(name).path).stem
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            article = jsonl_article(line, lineno, default_source)
        except ValueError as e:
            bad.append(f"line {lineno}: {e}")
            continue
        article.extra.update(section=spec.section or article.extra.get("section"), spec=spec.spec,
                             key=item_key("jsonl", name, article.id))
        out.articles.append(article)
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        out.failures.append(SourceFailure(spec.label, spec.spec, f"{bad[0]}{more}"))
    return out


def jsonl_article(line: str, lineno: int, default_source: str | None = None) -> Article:
    """One ``{"id", "title", "text", "published"?, "url"?, "source"?, "category"?}`` line; ValueError if bad."""
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"invalid JSON ({e.msg})") from None
    if not isinstance(rec, dict):
        raise ValueError("expected a JSON object")
    title = rec.get("title") if isinstance(rec.get("title"), str) else None
    text = rec.get("text") if isinstance(rec.get("text"), str) else ""
    if not text.strip() and not (title or "").strip():
        raise ValueError("no \"text\" and no \"title\"")
    published, published_at = parse_published(rec.get("published"))
    rid = rec.get("id")
    rid = str(rid) if rid not in (None, "") else f"line-{lineno}"
    source = rec.get("source") if isinstance(rec.get("source"), str) else None
    url = rec.get("url") if isinstance(rec.get("url"), str) else None
    section = rec.get("section") or rec.get("category")
    article = Article(text=text if text.strip() else title, title=title or None, id=rid, url=url,
                      published=published, published_at=published_at,
                      source_name=source or hostname(url) or default_source, format="jsonl")
    article.extra["section"] = section if isinstance(section, str) else None
    return article


# ---------------------------------------------------------------- feed HTML


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section",
              "article", "ul", "ol", "pre", "figure", "table"}
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
