"""The one state database (SQLite, stdlib ``sqlite3``): every table, every SQL statement, every migration.

Tables: ``runs`` (one row per successful digest run), ``items`` (every article seen, with the
run and story that reported it), ``stories`` (every story reported, with a fingerprint of its
members, so a story that grew is an update) and ``sent`` (the mail ledger: what was mailed
under a dedupe key, one row per recipient plus a row ``""`` for the whole list) and ``feed_cache``
(per feed URL: the ``ETag`` / ``Last-Modified`` its last good response carried, and that response's
body, so the next run can ask "changed since?" and, on ``304 Not Modified``, read the body it kept).

The digest (``briefing.digest.run``) and delivery (``briefing.deliver``) both use this module
and neither knows the other's tables: one schema, one file, one ``default_state_path``.

A digest run reads what it needs at the start and writes everything in ONE transaction at the
end (``record_run``): a run that crashes half-way leaves the database as it was, and the next
run reports the same news again rather than losing it. The feed cache is written in that same
transaction: validators are never kept without the body they stand for, so a 304 can never
hide items that a run read but did not record.

Versions live in SQLite's ``PRAGMA user_version``. Schema 1 (before this module) kept its
version in the ``meta`` table only and left ``user_version`` at 0; it is recognised by that
row. Opening a file of an older schema upgrades it in place, in one transaction, keeping its
rows (``MIGRATIONS``); a file made by a newer briefing is refused with one line
(``StateError``), never half-used. ``meta``'s ``schema`` row is kept equal to the version, so
a briefing from before this module (which reads only that row) refuses a newer file too.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from .errors import StateError

SCHEMA_VERSION = 3
KEEP_DAYS = 120  # items not seen for this long are forgotten, so the file stays small
_CHUNK = 500  # SQLite's limit on bound parameters is 999 in old builds

# Schema 1, exactly as briefing wrote it before migrations existed. A new file is made by
# creating it and then applying every migration, so a new file and an upgraded one are the same.
_SCHEMA_1 = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    window_start TEXT,
    window_end TEXT NOT NULL,
    digest_id TEXT,
    n_articles INTEGER NOT NULL DEFAULT 0,
    n_stories INTEGER NOT NULL DEFAULT 0,
    n_failures INTEGER NOT NULL DEFAULT 0
)""",
    """CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY NOT NULL,  -- SQLite would otherwise allow NULL keys
    article_id TEXT,
    source TEXT,
    url TEXT,
    title TEXT,
    published TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    reported_run INTEGER REFERENCES runs(id),
    story_id TEXT
)""",
    "CREATE INDEX IF NOT EXISTS items_last_seen ON items(last_seen)",
    """CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    title TEXT,
    fingerprint TEXT NOT NULL,
    n_articles INTEGER NOT NULL,
    first_reported TEXT NOT NULL,
    last_reported TEXT NOT NULL,
    last_run INTEGER REFERENCES runs(id)
)""",
    """CREATE TABLE IF NOT EXISTS sent (
    digest_id TEXT NOT NULL,
    recipient TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (digest_id, recipient)
)""",
    "INSERT OR IGNORE INTO meta VALUES ('schema', '1')",
)

# version N -> the statements that make it N + 1 (run in one transaction with the version bump)
MIGRATIONS: dict[int, tuple[str, ...]] = {
    # 2: the ledger's column holds a dedupe key (``digest:<job>:<day>``), not a digest's id;
    #    the version moves to PRAGMA user_version.
    1: ("ALTER TABLE sent RENAME COLUMN digest_id TO key",),
    # 3: conditional GET for feeds: each feed URL's validators and the body they stand for.
    2: (
        """CREATE TABLE feed_cache (
    url TEXT PRIMARY KEY NOT NULL,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT NOT NULL,
    body BLOB NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    charset TEXT
)""",
    ),
}


def default_state_path() -> Path:
    """The state file when none is named: the same database whoever opens it (digest or mail)."""
    from platformdirs import user_state_dir

    return Path(user_state_dir("briefing", appauthor=False)) / "digest.sqlite"


def digest_key(name: str, day: date | str) -> str:
    """The dedupe key of one digest run: its job's name and day (one digest per day per job)."""
    return f"digest:{name}:{day.isoformat() if isinstance(day, date) else day}"


def fingerprint(keys: Iterable[str]) -> str:
    """Identity of a set of items, whatever their order."""
    return hashlib.sha1("\n".join(sorted(set(keys))).encode()).hexdigest()[:16]


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None


def _parse(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


@dataclass
class SeenItem:
    key: str
    article_id: str | None
    source: str | None
    url: str | None
    title: str | None
    published: datetime | None


@dataclass
class CachedFeed:
    """A feed's last good response: what to send back (``etag``, ``last_modified``) and what to
    read again when the server answers ``304 Not Modified``."""

    url: str  # as the source names it (before redirects)
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    body: bytes
    content_type: str = ""
    charset: str | None = None


@dataclass
class ReportedStory:
    id: str  # the story's identity: kept when it grows
    title: str | None
    member_keys: list[str]


class StateDB:
    """The state database. Open it, read, write (each write is one transaction); ``close`` at the end."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # autocommit: every write below is an explicit BEGIN IMMEDIATE ... COMMIT (``_transaction``)
            # check_same_thread off: a digest's source threads look feeds up (``cached_feed``, under a lock)
            self.conn = sqlite3.connect(str(self.path), timeout=10, isolation_level=None, check_same_thread=False)
        except sqlite3.DatabaseError as e:
            raise StateError(f"{self.path}: cannot use the state database ({e})") from None
        except OSError as e:
            raise StateError(f"{self.path}: cannot create the state database ({e.strerror})") from None
        self._lock = threading.Lock()
        try:
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")  # readers (a --dry-run) never block the writer
            self._upgrade()
        except sqlite3.DatabaseError as e:
            self.conn.close()
            raise StateError(f"{self.path}: cannot use the state database ({e})") from None
        except BaseException:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> StateDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ versions

    def schema_version(self) -> int:
        """The file's schema: ``PRAGMA user_version``, or 1 for a file from before it was used, 0 for a new file."""
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version:
            return version
        has_meta = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if not has_meta:
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        try:
            return int(row[0]) if row else 1
        except (TypeError, ValueError):
            raise StateError(f"{self.path}: not a briefing state database (schema {row[0]!r})") from None

    def _refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StateError(
                f"{self.path}: made by a newer version of briefing (schema {version}; this one knows up to "
                f"{SCHEMA_VERSION}); upgrade briefing or use another --state"
            )

    def _upgrade(self) -> None:
        version = self.schema_version()
        self._refuse_newer(version)
        if version == SCHEMA_VERSION:
            return  # the usual case: no write lock taken
        with self._transaction():
            version = self.schema_version()  # again, under the write lock: another run may have done it
            self._refuse_newer(version)
            if version == 0:
                for sql in _SCHEMA_1:
                    self.conn.execute(sql)
                version = 1
            while version < SCHEMA_VERSION:
                for sql in MIGRATIONS[version]:
                    self.conn.execute(sql)
                version += 1
            self.conn.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(version),))
            self.conn.execute(f"PRAGMA user_version = {int(version)}")  # transactional: in the file's header

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception: all or nothing."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:  # SQLite may have rolled back already (a full disk, an I/O error)
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # ------------------------------------------------------------ reading

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as e:
            raise StateError(f"{self.path}: state database error ({e})") from None

    def _chunked(self, sql: str, keys: list[str]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for i in range(0, len(keys), _CHUNK):
            part = keys[i : i + _CHUNK]
            rows += self._query(sql.format(marks=",".join("?" * len(part))), part)
        return rows

    def last_run(self) -> datetime | None:
        """When the last successful run started (its window ends there)."""
        rows = self._query("SELECT window_end FROM runs ORDER BY id DESC LIMIT 1")
        return _parse(rows[0][0]) if rows else None

    def run_count(self) -> int:
        return int(self._query("SELECT count(*) FROM runs")[0][0])

    def first_seen(self, keys: Iterable[str]) -> dict[str, datetime]:
        wanted = list(dict.fromkeys(keys))
        rows = self._chunked("SELECT key, first_seen FROM items WHERE key IN ({marks})", wanted)
        return {k: datetime.fromisoformat(t) for k, t in rows}

    def reported(self, keys: Iterable[str]) -> dict[str, str]:
        """{item key: story id} for the items an earlier run reported."""
        wanted = list(dict.fromkeys(keys))
        rows = self._chunked(
            "SELECT key, story_id FROM items WHERE key IN ({marks}) AND reported_run IS NOT NULL", wanted
        )
        return {k: s for k, s in rows}

    def story_titles(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(ids))
        return {k: t for k, t in self._chunked("SELECT id, title FROM stories WHERE id IN ({marks})", wanted)}

    def cached_feed(self, url: str) -> CachedFeed | None:
        """What the last recorded run kept of the feed at ``url``; None when nothing. Thread-safe."""
        with self._lock:
            rows = self._query(
                "SELECT url, etag, last_modified, fetched_at, body, content_type, charset FROM feed_cache"
                " WHERE url = ?",
                (url,),
            )
        if not rows:
            return None
        url, etag, last_modified, fetched_at, body, content_type, charset = rows[0]
        return CachedFeed(
            url, etag, last_modified, datetime.fromisoformat(fetched_at), bytes(body), content_type, charset
        )

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        cols = (
            "id",
            "started_at",
            "finished_at",
            "window_start",
            "window_end",
            "digest_id",
            "n_articles",
            "n_stories",
            "n_failures",
        )
        rows = self._query(f"SELECT {', '.join(cols)} FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(zip(cols, r)) for r in rows]

    # ------------------------------------------------------------ writing a run (one transaction)

    def record_run(
        self,
        *,
        started_at: datetime,
        finished_at: datetime,
        window_start: datetime | None,
        window_end: datetime,
        digest_id: str | None,
        seen: list[SeenItem],
        stories: list[ReportedStory],
        n_failures: int = 0,
        feeds: Iterable[CachedFeed] = (),
    ) -> int:
        """Record a successful run: items seen, stories reported, the feeds it fetched (validators
        and bodies, for the next run's conditional GET), the run itself. All or nothing."""
        now = _iso(finished_at)
        try:
            with self._transaction():
                cur = self.conn.execute(
                    "INSERT INTO runs (started_at, finished_at, window_start, window_end, digest_id, n_articles,"
                    " n_stories, n_failures) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        _iso(started_at),
                        now,
                        _iso(window_start),
                        _iso(window_end),
                        digest_id,
                        len(seen),
                        len(stories),
                        n_failures,
                    ),
                )
                run_id = cur.lastrowid
                assert run_id is not None  # an INSERT into a rowid table always has one
                self.conn.executemany(
                    "INSERT INTO items (key, article_id, source, url, title, published, first_seen, last_seen)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT(key) DO UPDATE SET last_seen = excluded.last_seen",
                    [(i.key, i.article_id, i.source, i.url, i.title, _iso(i.published), now, now) for i in seen],
                )
                for story in stories:
                    self.conn.execute(
                        "INSERT INTO stories (id, title, fingerprint, n_articles, first_reported, last_reported,"
                        " last_run) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
                        " title = excluded.title, fingerprint = excluded.fingerprint,"
                        " n_articles = excluded.n_articles, last_reported = excluded.last_reported,"
                        " last_run = excluded.last_run",
                        (
                            story.id,
                            story.title,
                            fingerprint(story.member_keys),
                            len(story.member_keys),
                            now,
                            now,
                            run_id,
                        ),
                    )
                    self.conn.executemany(
                        "UPDATE items SET reported_run = ?, story_id = ? WHERE key = ?",
                        [(run_id, story.id, k) for k in story.member_keys],
                    )
                self.conn.executemany(
                    "INSERT INTO feed_cache (url, etag, last_modified, fetched_at, body, content_type, charset)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                    " last_modified = excluded.last_modified, fetched_at = excluded.fetched_at,"
                    " body = excluded.body, content_type = excluded.content_type, charset = excluded.charset",
                    [
                        (f.url, f.etag, f.last_modified, _iso(f.fetched_at), f.body, f.content_type, f.charset)
                        for f in feeds
                    ],
                )
                cutoff = _iso(finished_at - timedelta(days=KEEP_DAYS))
                self.conn.execute("DELETE FROM items WHERE last_seen < ?", (cutoff,))
                self.conn.execute("DELETE FROM feed_cache WHERE fetched_at < ?", (cutoff,))
            return run_id
        except sqlite3.DatabaseError as e:
            raise StateError(f"{self.path}: cannot record the run ({e})") from None

    # ------------------------------------------------------------ the mail ledger

    def record_sent(
        self,
        key: str,
        message_id: str,
        recipient: str = "",
        when: datetime | None = None,
        *,
        recipients: Iterable[str] = (),
    ) -> None:
        """Remember that ``key`` went to ``recipient`` (``""``: the whole list) as ``message_id``;
        with ``recipients``, to each of them as well. One transaction."""
        stamp = _iso(when or datetime.now(UTC))
        rows = [(key, r, message_id, stamp) for r in dict.fromkeys([*recipients, recipient])]
        try:
            with self._transaction():
                self.conn.executemany(
                    "INSERT INTO sent (key, recipient, message_id, sent_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(key, recipient) DO UPDATE SET message_id = excluded.message_id,"
                    " sent_at = excluded.sent_at",
                    rows,
                )
        except sqlite3.DatabaseError as e:
            raise StateError(f"{self.path}: cannot record the sent message ({e})") from None

    def sent_to(self, key: str) -> list[str]:
        """Every recipient ``key`` was recorded as sent to (not the ``""`` whole-list row)."""
        rows = self._query("SELECT recipient FROM sent WHERE key = ? AND recipient != '' ORDER BY recipient", (key,))
        return [r[0] for r in rows]

    def was_sent(self, key: str, recipient: str | None = None) -> str | None:
        """The Message-ID ``key`` was sent with (to ``recipient``, or to anyone), else None."""
        if recipient is None:
            rows = self._query("SELECT message_id FROM sent WHERE key = ? LIMIT 1", (key,))
        else:
            rows = self._query("SELECT message_id FROM sent WHERE key = ? AND recipient = ?", (key, recipient))
        return rows[0][0] if rows else None


# ---------------------------------------------------------------- the ledger, as delivery sees it


@dataclass
class SentRecord:
    key: str
    message_id: str
    recipients: list[str] = field(default_factory=list)


class SentLog(Protocol):
    """What delivery needs of a ledger: ``Ledger``, or anything with these two methods (tests, other stores)."""

    def was_sent(self, key: str) -> SentRecord | None: ...

    def record_sent(self, key: str, message_id: str, recipients: list[str] | None = None) -> None: ...


class Ledger:
    """What was already sent, by dedupe key (``digest_key(job, day)``), in the state database.

    The cron job that mails the daily digest may run twice (a retry, a manual run); the second
    run asks ``was_sent(key)`` and sends nothing unless ``--resend``. The key names what was
    sent, not the message: a re-rendered digest gets a new Message-ID but is the same briefing.
    Each call opens the database and closes it again: a ledger object may outlive many runs.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else default_state_path()

    def was_sent(self, key: str) -> SentRecord | None:
        with StateDB(self.path) as db:  # StateError (one line) when the file is unusable
            message_id = db.was_sent(key)
            if message_id is None:
                return None
            return SentRecord(key, message_id, db.sent_to(key))

    def record_sent(self, key: str, message_id: str, recipients: list[str] | None = None) -> None:
        with StateDB(self.path) as db:
            db.record_sent(key, message_id, "", recipients=recipients or ())
