"""Reading many sources for a digest: files, globs, folders, URL lists, RSS/Atom, OPML, JSONL.

Every source is read in a bounded thread pool with its own timeout, and the run
has a deadline: what is still pending when it passes is listed as failed and the
digest is made from the rest. A source can expand into more sources (a folder
into files, an OPML list into feeds, a feed with ``fetch_full`` into article
pages); those go into the same pool. Every source is read at most once a run
(lists that name themselves or each other do not loop), and lists may name at
most ``MAX_LISTED_SOURCES`` sources in all. A source that fails becomes a
``SourceFailure`` and the others carry on: nothing that was already read is lost.
A feed that is not one (malformed XML, an HTML page, an empty body) fails with a
short reason, unless the parser recovered whole entries: those are used, with a
warning.

Every article carries ``key`` (stable identity for the state database),
``section`` (from the source's config) and ``spec`` (where it came from).
"""

from __future__ import annotations

import glob as _glob
import hashlib
import io
import json
import os
import re
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

from ..errors import BriefingError, FeedError, InputError
from ..models import Article
from .models import SourceFailure

SOURCE_KINDS = ("auto", "feed", "page", "opml", "jsonl", "urls", "folder", "file")
MAX_DEPTH = 3  # an OPML list may name feeds; a list naming lists naming lists stops here
MAX_LISTED_SOURCES = 1000  # sources that OPML and URL lists may name in one run, all lists together
DEADLINE_GRACE = 1.0  # a download may outlive the run's deadline by this much, so the run notices first
FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,"
    "application/xml;q=0.8,text/xml;q=0.8,text/html;q=0.7,*/*;q=0.5"
)
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
    allow_private: bool | None = None  # fetch from private addresses; None: as the run says

    @property
    def label(self) -> str:
        return self.name or self.spec


@dataclass
class ReadResult:
    articles: list[Article] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    sources_ok: int = 0  # top-level and expanded sources read without error
    warnings: list[str] = field(default_factory=list)  # read, but not quite whole (one line each)


@dataclass
class _Outcome:
    articles: list[Article] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    children: list[SourceSpec] = field(default_factory=list)
    pages: list[tuple[Article, SourceSpec]] = field(default_factory=list)  # teasers to complete
    warnings: list[str] = field(default_factory=list)
    listed: bool = False  # the children were named by a list (OPML, URL list), not a folder or glob
    left_out: int = 0  # sources the list named beyond what one list may


@dataclass(frozen=True)
class _Budget:
    """What one task may spend: its timeout, cut to the run's deadline, and where it may connect."""

    timeout: float
    end: float | None  # time.monotonic() of the run's deadline
    allow_private: bool

    def fetch_timeout(self) -> float:
        if self.end is None:
            return self.timeout
        return min(self.timeout, max(0.1, self.end - time.monotonic() + DEADLINE_GRACE))


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


_DEFAULT_PORTS = {"http": 80, "https": 443}


def source_identity(spec: str) -> str:
    """What makes two specs the same source: for URLs the lower-case scheme and host, without
    the default port and the fragment; for paths the resolved absolute path."""
    if not is_url(spec):
        return "path:" + os.path.realpath(os.path.expandvars(os.path.expanduser(spec)))
    parts = urllib.parse.urlsplit(spec.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port
    except ValueError:  # not a valid URL: its fetch fails and says so; identity is the text
        return spec
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    return urllib.parse.urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


class _Admission:
    """Which sources a run reads: each once, and at most ``MAX_LISTED_SOURCES`` named by lists."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.pages: set[str] = set()
        self.listed = 0
        self.left_out = 0

    def seen_before(self, spec: str) -> bool:
        return source_identity(spec) in self.seen

    def take(self, spec: str, *, listed: bool = False) -> bool:
        """Admit a source not seen before; False when the lists' allowance is spent."""
        if listed:
            if self.listed >= MAX_LISTED_SOURCES:
                self.left_out += 1
                return False
            self.listed += 1
        self.seen.add(source_identity(spec))
        return True

    def take_page(self, url: str) -> bool:
        key = source_identity(url)
        if key in self.pages:
            return False
        self.pages.add(key)
        return True


# ---------------------------------------------------------------- the pool


def read_sources(
    specs: list[SourceSpec],
    *,
    timeout: float = 15.0,
    jobs: int = 4,
    on_progress: Callable[[int, int, str], None] | None = None,
    allow_private: bool = False,
    deadline: float | None = None,
) -> ReadResult:
    """Read every source concurrently (at most ``jobs`` at a time); never raises for one bad source.

    ``on_progress(done, total, label)`` is called as each task finishes; ``total`` grows
    as sources expand. ``allow_private`` lets sources without their own setting fetch from
    private addresses. After ``deadline`` seconds, sources still pending are listed as
    failed and reading stops.
    """
    result = ReadResult()
    end = None if deadline is None else time.monotonic() + deadline
    admission = _Admission()
    done = total = 0
    # Not a `with` block: leaving it would wait for every running task, deadline or not.
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="briefing-source")
    pending: dict[Future, tuple[str, SourceSpec, int, Article | None]] = {}

    def submit(kind: str, spec: SourceSpec, depth: int = 0, teaser: Article | None = None) -> None:
        nonlocal total
        total += 1
        budget = _Budget(
            spec.timeout or timeout, end, allow_private if spec.allow_private is None else spec.allow_private
        )
        if kind == "page":
            fut = pool.submit(_complete_page, teaser, spec, budget)
        else:
            fut = pool.submit(_read_one, spec, depth, budget)
        pending[fut] = (kind, spec, depth, teaser)

    def expand(out: _Outcome, spec: SourceSpec, depth: int) -> None:
        admission.left_out += out.left_out
        too_deep = 0
        for child in out.children:
            if admission.seen_before(child.spec):
                continue  # read already, or on its way: a list naming itself or another list
            if depth + 1 > MAX_DEPTH:
                too_deep += 1
            elif admission.take(child.spec, listed=out.listed):
                submit("source", child, depth + 1)
        if too_deep:
            result.failures.append(
                SourceFailure(
                    spec.label,
                    spec.spec,
                    f"lists nested too deeply (more than {MAX_DEPTH} levels): {too_deep} source(s) it names not read",
                )
            )
        for teaser, page_spec in out.pages:
            if admission.take_page(teaser.url):
                submit("page", page_spec, depth + 1, teaser)
            elif teaser.text.strip():
                result.articles.append(teaser)  # the page is fetched once, for another feed's copy

    try:
        for spec in specs:
            if not admission.seen_before(spec.spec) and admission.take(spec.spec):
                submit("source", spec)
        while pending:
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                break
            finished, _ = wait(list(pending), timeout=left, return_when=FIRST_COMPLETED)
            for fut in finished:
                kind, spec, depth, _teaser = pending.pop(fut)
                out = _outcome(fut, spec)
                result.articles.extend(out.articles)
                result.failures.extend(out.failures)
                result.warnings.extend(out.warnings)
                if not out.failures:
                    result.sources_ok += 1
                expand(out, spec, depth)
                done += 1
                if on_progress:
                    on_progress(done, total, spec.label)
        for kind, spec, _, teaser in pending.values():
            _missed_deadline(result, kind, spec, teaser, deadline)
    finally:
        pool.shutdown(wait=not pending, cancel_futures=True)
    if admission.left_out:
        result.warnings.append(
            f"source lists name more than {MAX_LISTED_SOURCES} sources: {admission.left_out} more were not read"
        )
    result.failures.sort(key=lambda f: (f.source, f.spec))  # completion order is noise
    return result


def _outcome(fut: Future, spec: SourceSpec) -> _Outcome:
    try:
        return fut.result()
    except BriefingError as e:
        return _Outcome(failures=[SourceFailure(spec.label, spec.spec, str(e))])
    except Exception as e:  # a reader bug must not cost the other sources
        return _Outcome(failures=[SourceFailure(spec.label, spec.spec, f"unexpected error: {type(e).__name__}: {e}")])


def _missed_deadline(
    result: ReadResult, kind: str, spec: SourceSpec, teaser: Article | None, deadline: float | None
) -> None:
    reason = f"not read before the run's deadline ({deadline:g}s)"
    if kind == "page" and teaser is not None:
        if teaser.text.strip():
            result.articles.append(teaser)  # as when the page fails: the teaser is kept
        result.failures.append(SourceFailure(spec.name or teaser.source_name or spec.label, teaser.url, reason))
    else:
        result.failures.append(SourceFailure(spec.label, spec.spec, reason))


# ---------------------------------------------------------------- one source


def _read_one(spec: SourceSpec, depth: int, budget: _Budget) -> _Outcome:
    if is_url(spec.spec):
        return _read_remote(spec, budget)
    return _read_local(spec)


def _read_remote(spec: SourceSpec, budget: _Budget) -> _Outcome:
    from ..sources.decode import decode_bytes
    from ..sources.fetch import fetch

    accept = (
        FEED_ACCEPT
        if spec.kind in ("auto", "feed", "opml")
        else "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"
    )
    got = fetch(spec.spec, timeout=budget.fetch_timeout(), accept=accept, allow_private=budget.allow_private)
    kind = spec.kind if spec.kind != "auto" else _sniff_remote(got.content, got.content_type, got.url)
    if kind in ("feed", "opml"):
        if kind == "opml" or _is_opml(got.content):
            return _read_opml(got.content, spec, base=got.url)
        return _read_feed(got.content, spec, url=got.url, content_type=got.content_type)
    text = decode_bytes(got.content, spec.spec, declared=got.charset)
    if kind == "jsonl":
        return _read_jsonl_text(text, spec, name=spec.spec)
    if kind == "urls":
        return _read_url_list(text, spec, base_url=got.url)
    if kind == "page" or got.content_type in ("text/html", "application/xhtml+xml"):
        return _Outcome(articles=[_page_article(text, spec, got.url, "html")])
    if got.content_type in ("text/plain", "text/markdown"):
        if _looks_like_url_list(text):
            return _read_url_list(text, spec, base_url=got.url)
        fmt = "markdown" if got.content_type == "text/markdown" else "text"
        return _Outcome(articles=[_page_article(text, spec, got.url, fmt)])
    raise InputError(f"{spec.spec}: not a feed or an article (content type {got.content_type})")


def _sniff_remote(content: bytes, ctype: str, url: str) -> str:
    head = content[:2048].lstrip().lower()
    if _is_opml(content):
        return "opml"
    if ctype in (
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    ) or head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        if b"<html" in content[:4096].lower() and b"<rss" not in head and b"<feed" not in head:
            return "page"
        return "feed"
    path = urllib.parse.urlsplit(url).path.lower()
    if ctype in ("application/x-ndjson", "application/jsonl", "application/json") or path.endswith(
        (".jsonl", ".ndjson")
    ):
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
    if not (p.is_dir() or p.is_file()):
        raise InputError(f"{spec.spec}: not a file or folder (a pipe or a device never ends a run)")
    if p.is_dir() or spec.kind == "folder":
        files = sorted(
            f
            for f in p.rglob("*")
            if f.is_file()
            and f.suffix.lower() in _FOLDER_EXT
            and not any(part.startswith(".") for part in f.relative_to(p).parts)
        )
        return _Outcome(children=[replace(spec, spec=str(f), kind="auto") for f in files])
    kind = spec.kind if spec.kind not in ("auto", "file") else _kind_from_extension(p)
    if kind in ("feed", "opml"):
        data = _read_bytes(p)
        if kind == "opml" or _is_opml(data):
            return _read_opml(data, spec, base=None, folder=p.parent)
        return _read_feed(data, spec, url=None, content_type="application/xml")
    if kind == "jsonl":
        from ..sources.decode import decode_bytes

        return _read_jsonl_text(decode_bytes(_read_bytes(p), str(p)), spec, name=str(p))
    if kind in ("urls", "auto") and p.suffix.lower() in (".txt", ".list", ".urls", ""):
        from ..sources.decode import decode_bytes

        text = decode_bytes(_read_bytes(p), str(p))
        if kind == "urls" or _looks_like_url_list(text):
            return _read_url_list(text, spec, folder=p.parent)
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
    from ..sources import MAX_FILE_BYTES, read_at_most

    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{p}: too large (limit {MAX_FILE_BYTES} bytes)")
        with p.open("rb") as fh:  # the file may grow between stat and read: stop at the limit
            data = read_at_most(fh, MAX_FILE_BYTES)
    except PermissionError:
        raise InputError(f"{p}: permission denied") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read ({e.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{p}: too large (limit {MAX_FILE_BYTES} bytes)")
    return data


# ---------------------------------------------------------------- readers


def _file_article(p: Path, spec: SourceSpec) -> Article:
    from ..sources import read_path

    article = read_path(p)
    if article.published_at is None:
        # a file dropped in a watched folder: when it arrived is the best "published" we have
        article.published_at = datetime.fromtimestamp(p.stat().st_mtime, tz=UTC)
        if article.published is None:
            article.published = article.published_at.date()
    article.source_name = spec.name or article.source_name or p.parent.name or None
    article.id = str(p)
    article.key, article.section, article.spec = item_key("file", str(p.resolve())), spec.section, spec.spec
    return article


def _page_article(text: str, spec: SourceSpec, url: str, fmt: str) -> Article:
    from ..sources import parse_text

    article = parse_text(text, fmt=fmt, name=url, url=url, id=url)
    article.source_name = spec.name or article.source_name or hostname(url)
    article.key, article.section, article.spec = item_key("url", url), spec.section, spec.spec
    return article


def _complete_page(teaser: Article, spec: SourceSpec, budget: _Budget) -> _Outcome:
    """A teaser feed's entry: fetch its page for the full text; on failure keep the teaser."""
    from ..sources import read_url

    try:
        page = read_url(teaser.url, timeout=budget.fetch_timeout(), allow_private=budget.allow_private)
    except BriefingError as e:
        kept = [teaser] if teaser.text.strip() else []
        return _Outcome(
            articles=kept, failures=[SourceFailure(spec.name or teaser.source_name or spec.label, teaser.url, str(e))]
        )
    # the feed knows title, date and identity better than the page's metadata
    page.title = teaser.title or page.title
    page.id = teaser.id
    page.published = teaser.published or page.published
    page.published_at = teaser.published_at
    page.source_name = teaser.source_name
    page.author = teaser.author or page.author
    page.key, page.section, page.spec, page.categories = teaser.key, teaser.section, teaser.spec, teaser.categories
    return _Outcome(articles=[page])


def _struct_to_dt(t) -> datetime | None:
    if not t:
        return None
    try:
        return datetime(*t[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _read_feed(content: bytes, spec: SourceSpec, *, url: str | None, content_type: str) -> _Outcome:
    import feedparser

    problem = _not_a_feed(content, remote=url is not None)
    if problem:
        raise FeedError(f"{spec.spec}: {problem}")
    headers = {"content-type": content_type}
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
        raise FeedError(f"{spec.spec}: not an RSS or Atom feed" + (f" ({_one_line(exc)})" if exc else ""))
    feed_title = html_to_text(parsed.feed.get("title", "")) if parsed.get("feed") else ""
    source_name = spec.name or feed_title or hostname(url) or Path(spec.spec).stem
    articles = [a for a in (_entry_article(e, spec, source_name, url) for e in entries) if a is not None]
    out = _Outcome()
    if malformed:
        if not articles:
            raise FeedError(f"{spec.spec}: {malformed}")
        n = len(articles)
        out.warnings.append(
            f"{spec.label}: {malformed}; used the {n} entr{'y' if n == 1 else 'ies'} that were complete"
        )
    for article in articles:
        if spec.fetch_full and article.url and is_url(article.url):
            out.pages.append((article, spec))
        elif article.text.strip():
            out.articles.append(article)
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


def _malformed_xml(parsed, content: bytes) -> str | None:
    """ "malformed XML at line 3, column 7: ..." when the XML parser gave up (feedparser's ``bozo``);
    other complaints (a wrong declared encoding, an odd content type) leave the entries whole."""
    from xml.sax import SAXParseException

    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or not isinstance(exc, SAXParseException):
        return None
    # feedparser parses a re-encoded copy with its own declaration: its line numbers are not the file's
    return (
        _locate_xml_error(content)
        or f"malformed XML at line {exc.getLineNumber()}, column {exc.getColumnNumber() + 1}: {exc.getMessage()}"
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


def _one_line(exc) -> str:
    return " ".join(str(exc).split())[:160]


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
    article.key = item_key("url", link) if link else item_key("guid", feed_url or spec.spec, str(guid))
    article.section, article.spec = spec.section, spec.spec
    article.categories = [t.get("term") for t in entry.get("tags") or [] if t.get("term")]
    return article


class _Listed:
    """A list's entries: each once (a list naming itself a thousand times names it once), and
    at most ``MAX_LISTED_SOURCES`` of them; the rest are only counted."""

    def __init__(self) -> None:
        self.out = _Outcome(listed=True)
        self._named: set[str] = set()

    def add(self, child: SourceSpec) -> None:
        if child.spec in self._named:
            return
        if len(self.out.children) >= MAX_LISTED_SOURCES:
            self.out.left_out += 1
            return
        self._named.add(child.spec)
        self.out.children.append(child)


def _read_opml(content: bytes, spec: SourceSpec, *, base: str | None, folder: Path | None = None) -> _Outcome:
    """Every feed an OPML subscription list names; an outline folder's name becomes the section.

    Streamed, and at most ``MAX_LISTED_SOURCES`` feeds are kept (the rest only counted): a
    20 MB list of a million outlines costs neither a million-element tree nor a million specs.
    """
    import xml.etree.ElementTree as ET

    if not content.strip():
        raise FeedError(f"{spec.spec}: empty, not an OPML subscription list")
    listed = _Listed()
    outlines: list[tuple[bool, str | None]] = []  # open outlines: (a feed's?, the folder name it opens)
    parents: list[ET.Element] = []
    in_body = False
    try:
        for event, el in ET.iterparse(io.BytesIO(content), events=("start", "end")):
            tag = el.tag.lower() if isinstance(el.tag, str) else ""
            if event == "start":
                if not parents and tag != "opml":
                    raise FeedError(f"{spec.spec}: not an OPML subscription list")
                parents.append(el)
                in_body = in_body or tag == "body"
                if tag == "outline" and in_body:
                    outlines.append(_opml_outline(el, spec, outlines, listed, base, folder))
                continue
            parents.pop()
            if tag == "outline" and outlines:
                outlines.pop()
            if parents:
                del parents[-1][:]  # a finished element is never looked at again: keep memory flat
    except ET.ParseError as e:
        line, column = e.position
        what = str(e).split(":")[0]
        raise FeedError(f"{spec.spec}: malformed OPML at line {line}, column {column}: {what}") from None
    if not in_body:
        raise FeedError(f"{spec.spec}: not an OPML subscription list")
    return listed.out


def _opml_outline(
    el,
    spec: SourceSpec,
    outlines: list[tuple[bool, str | None]],
    listed: _Listed,
    base: str | None,
    folder: Path | None,
) -> tuple[bool, str | None]:
    """Add the feed an outline names to ``listed``; (is it a feed's, the folder name it opens)."""
    xml_url = el.get("xmlUrl") or el.get("xmlurl")
    label = el.get("title") or el.get("text")
    if any(is_feed for is_feed, _ in outlines):
        return True, None  # inside a feed's outline: not a subscription of its own
    if not xml_url:
        return False, label
    target = urllib.parse.urljoin(base, xml_url) if base else xml_url
    if not is_url(target) and folder is not None:
        target = str(folder / target)
    section = next((name for _, name in outlines if name), None)  # the outermost named folder
    listed.add(
        SourceSpec(
            spec=target,
            kind="feed",
            name=label,
            section=spec.section or section,
            fetch_full=spec.fetch_full,
            timeout=spec.timeout,
            allow_private=spec.allow_private,
        )
    )
    return True, None


def _looks_like_url_list(text: str) -> bool:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return bool(lines) and all(is_url(ln) and " " not in ln for ln in lines)


def _read_url_list(text: str, spec: SourceSpec, *, folder: Path | None = None, base_url: str | None = None) -> _Outcome:
    """One source a line (at most ``MAX_LISTED_SOURCES``, the rest counted). A list on the web
    names links, resolved against its URL: never a path on this machine. A local list may
    name paths, relative to its folder."""
    listed = _Listed()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if base_url is not None:
            target = urllib.parse.urljoin(base_url, line)
        elif is_url(line) or folder is None:
            target = line
        else:
            target = str(folder / os.path.expanduser(line))
        listed.add(
            SourceSpec(
                spec=target,
                kind="auto",
                name=None,
                section=spec.section,
                fetch_full=spec.fetch_full,
                timeout=spec.timeout,
                allow_private=spec.allow_private,
            )
        )
    return listed.out


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
        raise ValueError(f'"published" is not an ISO date or date-time: {s!r}') from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
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
        article.section = spec.section or article.section
        article.spec, article.key = spec.spec, item_key("jsonl", name, article.id)
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
        raise ValueError('no "text" and no "title"')
    published, published_at = parse_published(rec.get("published"))
    rid = rec.get("id")
    rid = str(rid) if rid not in (None, "") else f"line-{lineno}"
    source = rec.get("source") if isinstance(rec.get("source"), str) else None
    url = rec.get("url") if isinstance(rec.get("url"), str) else None
    section = rec.get("section") or rec.get("category")
    article = Article(
        text=text if text.strip() else title,
        title=title or None,
        id=rid,
        url=url,
        published=published,
        published_at=published_at,
        source_name=source or hostname(url) or default_source,
        format="jsonl",
    )
    article.section = section if isinstance(section, str) else None
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
