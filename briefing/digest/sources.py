"""Reading many sources for a digest: files, globs, folders, URL lists, RSS/Atom, OPML, JSONL.

The readers are ``briefing.sources`` (its ``registry`` picks one per source); this module is the
run that calls them. Every source is read in a bounded thread pool with its own timeout, and the run
has a deadline: what is still pending when it passes is listed as failed and the
digest is made from the rest. A source can expand into more sources (a folder
into files, an OPML list into feeds, a feed with ``fetch_full`` into article
pages); those go into the same pool. Every source is read at most once a run
(lists that name themselves or each other do not loop), and lists may name at
most ``MAX_LISTED_SOURCES`` sources in all. A source that fails becomes a
``SourceFailure`` and the others carry on: nothing that was already read is lost.
A JSONL source with bad lines is one failure that names the first (the good lines are read).

Being a good citizen on feeds:

- Conditional GET: a feed URL (kind auto, feed or opml) is fetched with the ``ETag`` /
  ``Last-Modified`` its last recorded response carried (``feed_cache`` in the state database,
  looked up through ``read_sources(feed_cache=...)``). On ``304 Not Modified`` the body kept
  with those validators is read again: the source costs one request and yields what it yielded
  last time (the state's seen items keep repeats out of the digest). What a run fetched goes to
  ``ReadResult.feeds``; the run records it with its items, in one transaction.
- Autodiscovery: a source of kind auto that turns out to be an HTML homepage advertising a feed
  (``<link rel="alternate" type="application/rss+xml" href=...>``) is read as that feed: one hop,
  same fetch rules, within the source's own timeout. A page that says it is an article
  (``og:type`` article, a schema.org Article) and is not a site's root stays that article;
  ``kind = "page"`` always reads the page itself.
- Filters: a source's ``include`` / ``exclude`` words (whole words or phrases, any case, in an
  item's title and text) decide which of its items are kept; sources a list names inherit them.

Every article carries ``key`` (stable identity for the state database),
``section`` (from the source's config) and ``spec`` (where it came from).
"""

from __future__ import annotations

import os
import re
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BriefingError, FetchError, InputError
from ..models import Article
from ..sources.base import MAX_LISTED, Listed, Origin, Reading, hostname, is_url, item_key, read_file_bytes
from ..sources.base import parse_published as parse_published  # `digest --now` reads it here
from ..store import CachedFeed
from .models import SourceFailure

if TYPE_CHECKING:
    from ..sources.fetch import Fetched

MAX_DEPTH = 3  # an OPML list may name feeds; a list naming lists naming lists stops here
MAX_LISTED_SOURCES = MAX_LISTED  # sources that OPML and URL lists may name in one run, all lists together
DEADLINE_GRACE = 1.0  # a download may outlive the run's deadline by this much, so the run notices first
FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,"
    "application/xml;q=0.8,text/xml;q=0.8,text/html;q=0.7,*/*;q=0.5"
)
PAGE_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"
FEED_KINDS = ("auto", "feed", "opml")  # kinds fetched as feeds: conditional GET applies to them
FeedCache = Callable[[str], CachedFeed | None]  # a feed URL -> what the last recorded run kept of it


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
    include: tuple[str, ...] = ()  # keep only items that mention one of these (words or phrases)
    exclude: tuple[str, ...] = ()  # drop items that mention any of these

    @property
    def label(self) -> str:
        return self.name or self.spec


@dataclass
class ReadResult:
    articles: list[Article] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    sources_ok: int = 0  # top-level and expanded sources read without error
    warnings: list[str] = field(default_factory=list)  # read, but not quite whole (one line each)
    feeds: list[CachedFeed] = field(default_factory=list)  # feeds fetched: for the next run's conditional GET
    filtered: dict[str, int] = field(default_factory=dict)  # source label -> items its filters left out
    not_modified: int = 0  # feeds that answered 304 Not Modified (read from the cache)


@dataclass
class _Outcome:
    articles: list[Article] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    children: list[SourceSpec] = field(default_factory=list)
    pages: list[tuple[Article, SourceSpec]] = field(default_factory=list)  # teasers to complete
    warnings: list[str] = field(default_factory=list)
    listed: bool = False  # the children were named by a list (OPML, URL list), not a folder or glob
    left_out: int = 0  # sources the list named beyond what one list may
    feeds: list[CachedFeed] = field(default_factory=list)
    filtered: dict[str, int] = field(default_factory=dict)  # "include"/"exclude" -> items that filter left out
    not_modified: bool = False  # the feed answered 304: its kept body was read again
    via: str | None = None  # the feed a homepage advertised, read in its place


@dataclass(frozen=True)
class _Budget:
    """What one task may spend: its timeout, cut to the run's deadline, and where it may connect."""

    timeout: float
    end: float | None  # time.monotonic() of the run's deadline
    allow_private: bool

    def fetch_timeout(self, spent: float = 0.0) -> float:
        """Seconds the next download may take, when ``spent`` of the task's own timeout is gone."""
        own = self.timeout - spent
        if own <= 0:
            raise FetchError(f"timed out after {self.timeout:g}s")
        if self.end is None:
            return own
        return min(own, max(0.1, self.end - time.monotonic() + DEADLINE_GRACE))


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
    feed_cache: FeedCache | None = None,
) -> ReadResult:
    """Read every source concurrently (at most ``jobs`` at a time); never raises for one bad source.

    ``on_progress(done, total, label)`` is called as each task finishes; ``total`` grows
    as sources expand (``label`` is the source's, with what happened to it when there is more
    to say: a 304, a discovered feed, items its filters left out). ``allow_private`` lets
    sources without their own setting fetch from private addresses. After ``deadline``
    seconds, sources still pending are listed as failed and reading stops. ``feed_cache``
    gives what the last recorded run kept of a feed URL, for conditional GETs.
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
        if teaser is not None:  # kind "page"
            fut = pool.submit(_complete_page, teaser, spec, budget)
        else:
            fut = pool.submit(_read_one, spec, depth, budget, feed_cache)
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
            if admission.take_page(teaser.url or ""):  # teasers come here with their URL
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
                result.feeds.extend(out.feeds)
                result.not_modified += out.not_modified
                if out.filtered:
                    result.filtered[spec.label] = result.filtered.get(spec.label, 0) + sum(out.filtered.values())
                if not out.failures:
                    result.sources_ok += 1
                expand(out, spec, depth)
                done += 1
                if on_progress:
                    on_progress(done, total, _progress_label(spec, out))
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


def _progress_label(spec: SourceSpec, out: _Outcome) -> str:
    said = []
    if out.via:
        said.append(f"its feed {out.via}")
    if out.not_modified:
        said.append("not modified (304): read the copy kept")
    if out.filtered:
        by = ", ".join(f"{n} by {name}" for name, n in sorted(out.filtered.items()))
        said.append(f"{sum(out.filtered.values())} item(s) left out by its filters: {by}")
    return spec.label + (f" ({'; '.join(said)})" if said else "")


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
        result.failures.append(SourceFailure(spec.name or teaser.source_name or spec.label, teaser.url or "", reason))
    else:
        result.failures.append(SourceFailure(spec.label, spec.spec, reason))


# ---------------------------------------------------------------- one source


def _read_one(spec: SourceSpec, depth: int, budget: _Budget, feed_cache: FeedCache | None = None) -> _Outcome:
    if is_url(spec.spec):
        return _read_remote(spec, budget, feed_cache)
    return _read_local(spec)


def _origin(spec: SourceSpec, **kw) -> Origin:
    return Origin(name=spec.spec, source_name=spec.name, max_listed=MAX_LISTED_SOURCES, **kw)


class _KeptCopyUnreadable(Exception):
    """A 304 said "read what you kept", and what was kept no longer reads (a stricter reader since)."""


def _read_remote(spec: SourceSpec, budget: _Budget, feed_cache: FeedCache | None = None) -> _Outcome:
    started = time.monotonic()
    try:
        return _read_fetched(spec, budget, feed_cache, started, fresh=False)
    except _KeptCopyUnreadable:  # ask again without validators: a 304 must never tie a feed to a bad copy
        return _read_fetched(spec, budget, feed_cache, started, fresh=True)


def _read_fetched(
    spec: SourceSpec, budget: _Budget, feed_cache: FeedCache | None, started: float, *, fresh: bool
) -> _Outcome:
    from ..sources.feed import discover_feed
    from ..sources.registry import pick_remote, read

    as_feed = spec.kind in FEED_KINDS
    got, kept = _fetch(
        spec.spec,
        budget,
        FEED_ACCEPT if as_feed else PAGE_ACCEPT,
        feed_cache if as_feed else None,
        spent=time.monotonic() - started,
        fresh=fresh,
    )
    origin = _origin(spec, url=got.url, content_type=got.content_type, charset=got.charset)
    via = None
    try:
        fmt = pick_remote(got.content, origin, spec.kind)
        if got.not_modified and fmt not in ("feed", "opml"):
            raise InputError(f"{spec.spec}: the copy kept for a 304 is no feed")  # only feeds are kept
        if fmt == "html" and spec.kind == "auto":
            via = discover_feed(got.content, got.url, got.charset)
            if via is not None:  # a homepage that names its feed: read the feed instead (one hop)
                got, kept = _fetch(via, budget, FEED_ACCEPT, feed_cache, spent=time.monotonic() - started, fresh=fresh)
                origin = _origin(spec, url=got.url, content_type=got.content_type, charset=got.charset)
                fmt = pick_remote(got.content, origin, "auto")
                if fmt != "feed":
                    raise InputError(f"{spec.spec}: no feed at {via} (the feed the page links to is not one)")
        reading = read(got.content, origin, fmt)
    except BriefingError:
        if got.not_modified and not fresh:
            raise _KeptCopyUnreadable() from None
        raise
    if fmt in ("html", "markdown", "text"):
        out = _Outcome(articles=[_page_article(a, spec, got.url) for a in reading.articles])
        out.articles = _keep_wanted(out.articles, spec, out)
        return out
    out = _outcome_of(reading, spec, fmt)
    out.via = via
    if fmt in ("feed", "opml") and kept is not None:
        out.feeds.append(kept)
        out.not_modified = got.not_modified
    return out


def _fetch(
    url: str, budget: _Budget, accept: str, feed_cache: FeedCache | None, *, spent: float, fresh: bool = False
) -> tuple[Fetched, CachedFeed | None]:
    """GET ``url`` (conditionally when ``feed_cache`` kept validators for it, unless ``fresh``): what
    to read, and what to keep for the next run (None: nothing worth keeping). On 304 what to read is
    the body kept with the validators, so the answer reads exactly as the response it stands for."""
    from ..sources.fetch import MAX_BYTES, fetch

    try:
        timeout = budget.fetch_timeout(spent)
    except FetchError as e:  # the homepage took the source's whole time: no time left for its feed
        raise FetchError(f"{url}: {e}") from None
    prior = feed_cache(url) if feed_cache is not None else None
    if fresh and prior is not None:  # replace the kept copy, whatever the response says
        prior = replace(prior, etag=None, last_modified=None)
    got = fetch(
        url,
        timeout=timeout,
        accept=accept,
        allow_private=budget.allow_private,
        etag=prior.etag if prior else None,
        last_modified=prior.last_modified if prior else None,
    )
    now = datetime.now(UTC)
    if got.not_modified and prior is not None:  # fetch() calls a 304 success only when validators went out
        kept = replace(
            prior,
            fetched_at=now,
            etag=got.etag or prior.etag,
            last_modified=got.last_modified or prior.last_modified,
        )
        return replace(got, content=prior.body, content_type=prior.content_type, charset=prior.charset), kept
    if feed_cache is None or len(got.content) > MAX_BYTES or not (got.etag or got.last_modified or prior):
        return got, None  # no validators to send back (and none kept to replace)
    return got, CachedFeed(url, got.etag, got.last_modified, now, got.content, got.content_type, got.charset)


def _read_local(spec: SourceSpec) -> _Outcome:
    from ..sources.folder import expand_glob, folder_files, is_glob
    from ..sources.registry import pick_file, read

    path = os.path.expandvars(os.path.expanduser(spec.spec))
    if spec.kind == "auto" and is_glob(path):
        matches = expand_glob(path)
        if not matches:
            raise InputError(f"{spec.spec}: no files match")
        return _Outcome(children=[replace(spec, spec=m, kind="auto") for m in matches])
    p = Path(path)
    if not p.exists():
        raise InputError(f"{spec.spec}: no such file or folder")
    if not (p.is_dir() or p.is_file()):
        raise InputError(f"{spec.spec}: not a file or folder (a pipe or a device never ends a run)")
    if p.is_dir() or spec.kind == "folder":
        files = folder_files(p) if p.is_dir() else []
        return _Outcome(children=[replace(spec, spec=str(f), kind="auto") for f in files])
    data = cache(lambda: read_file_bytes(p))
    fmt = pick_file(p, spec.kind, data)
    if fmt == "article":
        out = _Outcome()
        out.articles = _keep_wanted([_file_article(p, spec)], spec, out)
        return out
    return _outcome_of(read(data(), _origin(spec, path=p), fmt), spec, fmt)


def _outcome_of(reading: Reading, spec: SourceSpec, fmt: str) -> _Outcome:
    """A reader's ``Reading`` as the run keeps it: each article with its section and spec, the
    sources a list names as specs that inherit this one's settings, bad lines as one failure."""
    out = _Outcome(warnings=list(reading.warnings), left_out=reading.left_out)
    for article in _keep_wanted(reading.articles, spec, out):
        article.section = spec.section or article.section if fmt == "jsonl" else spec.section
        article.spec = spec.spec
        if fmt == "feed" and spec.fetch_full and article.url and is_url(article.url):
            out.pages.append((article, spec))
        elif article.text.strip():
            out.articles.append(article)
    if reading.listed:
        out.listed = True
        out.children = [_listed_spec(entry, spec) for entry in reading.listed]
    elif fmt in ("opml", "urls"):
        out.listed = True
    if reading.bad:
        more = f" (and {len(reading.bad) - 1} more)" if len(reading.bad) > 1 else ""
        out.failures.append(SourceFailure(spec.label, spec.spec, f"{reading.bad[0]}{more}"))
    return out


def _listed_spec(entry: Listed, spec: SourceSpec) -> SourceSpec:
    return SourceSpec(
        spec=entry.target,
        kind=entry.kind,
        name=entry.name,
        section=spec.section or entry.section,
        fetch_full=spec.fetch_full,
        timeout=spec.timeout,
        allow_private=spec.allow_private,
        include=spec.include,
        exclude=spec.exclude,
    )


# ---------------------------------------------------------------- include / exclude filters


@lru_cache(maxsize=256)
def word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a filter's words: each a whole word or phrase (any spacing between its
    words), in any case; None for no words."""
    alternatives = [r"\s+".join(re.escape(w) for w in word.split()) for word in words if word.split()]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.I)


def unwanted(article: Article, spec: SourceSpec) -> str | None:
    """Which of the source's filters leaves the article out ("include": it mentions none of those
    words; "exclude": it mentions one of these), or None: kept. Words are looked for in its title
    and its text (for a feed entry: its content or summary)."""
    include, exclude = word_pattern(spec.include), word_pattern(spec.exclude)
    if include is None and exclude is None:
        return None
    text = f"{article.title or ''}\n{article.text}"
    if include is not None and not include.search(text):
        return "include"
    if exclude is not None and exclude.search(text):
        return "exclude"
    return None


def _keep_wanted(articles: list[Article], spec: SourceSpec, out: _Outcome) -> list[Article]:
    kept = []
    for article in articles:
        why = unwanted(article, spec)
        if why is None:
            kept.append(article)
        else:
            out.filtered[why] = out.filtered.get(why, 0) + 1
    return kept


def _file_article(p: Path, spec: SourceSpec) -> Article:
    """A file in a watched folder. Its date: what the file says of itself (Markdown front matter's
    ``date:``, an HTML page's metadata), else a date printed at its head (a dateline), else when
    it arrived (its modification time)."""
    from ..extract.dateline import find_dateline
    from ..sources import plausible_date, read_path

    article = read_path(p)
    if article.published is None and article.published_at is None:
        stamp = find_dateline(article.text[article.body_start :])  # after front matter and headline
        if stamp is not None and plausible_date(stamp.date):
            article.published = stamp.date
    if article.published is None and article.published_at is None:
        # a file dropped in a watched folder: when it arrived is the best "published" we have
        article.published_at = datetime.fromtimestamp(p.stat().st_mtime, tz=UTC)
        article.published = article.published_at.date()
    article.source_name = spec.name or article.source_name or p.parent.name or None
    article.id = str(p)
    article.key, article.section, article.spec = item_key("file", str(p.resolve())), spec.section, spec.spec
    return article


def _page_article(article: Article, spec: SourceSpec, url: str) -> Article:
    article.source_name = spec.name or article.source_name or hostname(url)
    article.key, article.section, article.spec = item_key("url", url), spec.section, spec.spec
    return article


def _complete_page(teaser: Article, spec: SourceSpec, budget: _Budget) -> _Outcome:
    """A teaser feed's entry: fetch its page for the full text; on failure keep the teaser."""
    from ..sources import read_url

    url = teaser.url or ""  # a teaser is only sent here with a URL
    try:
        page = read_url(url, timeout=budget.fetch_timeout(), allow_private=budget.allow_private)
    except BriefingError as e:
        kept = [teaser] if teaser.text.strip() else []
        return _Outcome(
            articles=kept, failures=[SourceFailure(spec.name or teaser.source_name or spec.label, url, str(e))]
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
