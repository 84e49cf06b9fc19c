"""One digest run as a Python API: read sources -> window -> state -> build. The CLI is a thin layer on it.

``prepare_run`` does all the work and touches nothing on disk except reading the
state; ``DigestRun.commit`` records the run in ONE transaction, and is called by
the CLI only after the digest was written (and, when it is mailed, once the message
is safe in the outbox, before the first attempt to send it). A crash between the
two means the next run reports the same news again: never lost, at worst twice.
The feeds' validators and bodies (for the next run's conditional GET) are recorded in that
same transaction, so a run that is not committed leaves the feed cache as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..errors import UsageError
from ..models import Article
from ..store import CachedFeed, ReportedStory, SeenItem, StateDB
from .build import DigestOptions, article_key, article_time, build_digest
from .models import Digest, SourceFailure
from .sources import SourceSpec, read_sources

DEFAULT_SINCE = "24h"
DEFAULT_DEADLINE = 300.0  # seconds for reading every source: a cron job never hangs on one slow server
_SINCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.I)
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
FUTURE_SLACK = timedelta(hours=2)  # feeds with wrong time zones date items slightly ahead
LAST_RUN = ("last-run", "since-last-run", "last")


def parse_since(value: str | None, now: datetime, last_run: datetime | None) -> tuple[datetime | None, str | None]:
    """(window start, note). ``24h``/``90m``/``7d``/``2w``, an ISO date or time, ``last-run``, or ``all``."""
    value = (value or DEFAULT_SINCE).strip()
    if value.lower() == "all":
        return None, None
    if value.lower() in LAST_RUN:
        if last_run is None:
            start, _ = parse_since(DEFAULT_SINCE, now, None)
            return start, f"no earlier run recorded: window is the last {DEFAULT_SINCE}"
        return last_run, None
    m = _SINCE.match(value)
    if m:
        seconds = float(m.group(1)) * _UNITS[m.group(2).lower()]
        earliest = datetime.min.replace(tzinfo=UTC)
        if seconds >= (now - earliest).total_seconds() - 86400:  # a day short of year 1: no date arithmetic overflows
            return None, f"--since {value} reaches back beyond any date: every article is in the window"
        return now - timedelta(seconds=seconds), None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--since {value!r}: expected 24h, 90m, 7d, 2w, an ISO date/time, last-run or all") from None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)), None


@dataclass
class RunOptions:
    sources: list[SourceSpec]
    state_path: Path
    since: str | None = None
    now: datetime | None = None
    words: int | None = None
    max_stories: int | None = None
    title: str | None = None
    section_order: list[str] = field(default_factory=list)
    include_seen: bool = False
    timeout: float = 15.0
    jobs: int = 4
    ner: bool = True
    allow_private: bool = False  # for sources that do not say themselves
    deadline: float = DEFAULT_DEADLINE


@dataclass
class DigestRun:
    digest: Digest
    started_at: datetime
    seen: list[SeenItem]
    reported: list[ReportedStory]
    sources_ok: int
    state_path: Path
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # sources read only in part (also in the digest's notes)
    feeds: list[CachedFeed] = field(default_factory=list)  # recorded with the run, for conditional GETs

    @property
    def failures(self) -> list[SourceFailure]:
        return self.digest.failures

    @property
    def produced(self) -> bool:
        """False when nothing could be read at all: every source failed."""
        return self.sources_ok > 0 or self.digest.stats.get("items_read", 0) > 0 or not self.failures

    def commit(self) -> int:
        """Record the run (items seen, stories reported) in one transaction."""
        with StateDB(self.state_path) as db:
            return db.record_run(
                started_at=self.started_at,
                finished_at=datetime.now(UTC),
                window_start=self.digest.window_start,
                window_end=self.digest.window_end,
                digest_id=self.digest.id,
                seen=self.seen,
                stories=self.reported,
                n_failures=len(self.failures),
                feeds=self.feeds,
            )


def prepare_run(
    opts: RunOptions,
    *,
    on_fetch: Callable[[int, int, str], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_story: Callable[[int, int], None] | None = None,
) -> DigestRun:
    started = datetime.now(UTC)
    now = opts.now or started
    stage = on_stage or (lambda s: None)
    with StateDB(opts.state_path) as db:
        window_start, note = parse_since(opts.since, now, db.last_run())
        stage("reading sources")
        read = read_sources(
            opts.sources,
            timeout=opts.timeout,
            jobs=opts.jobs,
            on_progress=on_fetch,
            allow_private=opts.allow_private,
            deadline=opts.deadline,
            feed_cache=db.cached_feed,
        )
        articles = _dedupe(read.articles)
        first_seen = db.first_seen(article_key(a) for a in articles)
        for a in articles:
            a.seen_at = first_seen.get(article_key(a), now)
        in_window = [a for a in articles if _in_window(a, window_start, now)]
        reported = {} if not in_window else db.reported(article_key(a) for a in in_window)
    _unique_ids(in_window)
    digest, to_record = build_digest(
        in_window,
        DigestOptions(
            now=now,
            window_start=window_start,
            words=opts.words,
            max_stories=opts.max_stories,
            title=opts.title,
            section_order=opts.section_order,
            include_seen=opts.include_seen,
            ner=opts.ner,
        ),
        reported=reported,
        failures=read.failures,
        on_progress=stage,
        on_story=on_story,
    )
    if note:
        digest.notes.insert(0, note)
    digest.notes.extend(read.warnings)
    left_out = len(articles) - len(in_window)
    digest.stats.update(items_read=len(read.articles), items_outside_window=left_out)
    if read.filtered:
        digest.stats["items_filtered"] = sum(read.filtered.values())
    if read.not_modified:
        digest.stats["feeds_not_modified"] = read.not_modified
    seen = [
        SeenItem(
            key=article_key(a),
            article_id=a.id,
            source=a.source_name,
            url=a.url,
            title=a.title,
            published=a.publication_time,
        )
        for a in articles
    ]
    return DigestRun(
        digest=digest,
        started_at=started,
        seen=seen,
        reported=to_record,
        sources_ok=read.sources_ok,
        state_path=opts.state_path,
        warnings=list(read.warnings),
        feeds=read.feeds,
    )


def _in_window(article: Article, start: datetime | None, end: datetime) -> bool:
    if start is None:
        return True
    t = article_time(article)
    if t is None:
        return True
    if article.date_only and article.published is not None:
        # date-only items: the whole day counts, so yesterday's dated item is in a 24h window,
        # and an item dated today is not "in the future" at 09:00 because it counts as noon
        return start.date() <= article.published <= (end + FUTURE_SLACK).astimezone(UTC).date()
    if t > end + FUTURE_SLACK:  # a run for an earlier --now leaves out what came after it
        return False
    return t >= start


def _dedupe(articles: list[Article]) -> list[Article]:
    """The same item from two feeds (or a feed and a URL list): keep the fullest copy."""
    best: dict[str, Article] = {}
    for a in articles:
        key = article_key(a)
        if key not in best or len(a.text) > len(best[key].text):
            best[key] = a
    return list(best.values())


def _unique_ids(articles: list[Article]) -> None:
    """Member ids must tell articles apart in the JSON digest; two files may share a name."""
    seen: dict[str, int] = {}
    for a in articles:
        aid = str(a.id or article_key(a))
        if aid in seen:
            seen[aid] += 1
            aid = f"{aid}#{seen[aid]}"
        else:
            seen[aid] = 1
        a.id = aid
