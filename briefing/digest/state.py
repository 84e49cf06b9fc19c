"""What earlier digest runs saw and reported, in SQLite (stdlib ``sqlite3``).

Tables: ``runs`` (one row per successful run), ``items`` (every article seen,
with the run and story that reported it), ``stories`` (every story reported,
with a fingerprint of its members, so a story that grew is an update) and
``sent`` (digests delivered by email, keyed by digest id and recipient).

A run reads what it needs at the start and writes everything in ONE transaction
at the end (``record_run``): a run that crashes half-way leaves the database as
it was, and the next run reports the same news again rather than losing it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..errors import StateError

SCHEMA_VERSION = 1
KEEP_DAYS = 120  # items not seen for this long are forgotten, so the file stays small
_CHUNK = 500  # SQLite's limit on bound parameters is 999 in old builds

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    window_start TEXT,
    window_end TEXT NOT NULL,
    digest_id TEXT,
    n_articles INTEGER NOT NULL DEFAULT 0,
    n_stories INTEGER NOT NULL DEFAULT 0,
    n_failures INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
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
);
CREATE INDEX IF NOT EXISTS items_last_seen ON items(last_seen);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    title TEXT,
    fingerprint TEXT NOT NULL,
    n_articles INTEGER NOT NULL,
    first_reported TEXT NOT NULL,
    last_reported TEXT NOT NULL,
    last_run INTEGER REFERENCES runs(id)
);
CREATE TABLE IF NOT EXISTS sent (
    digest_id TEXT NOT NULL,
    recipient TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (digest_id, recipient)
);
"""


def default_state_path() -> Path:
    from platformdirs import user_state_dir

    return Path(user_state_dir("briefing", appauthor=False)) / "digest.sqlite"


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
class ReportedStory:
    id: str  # the story's identity: kept when it grows
    title: str | None
    member_keys: list[str]


class StateDB:
    """The digest's memory. Open it, read, then ``record_run`` once; ``close`` at the end."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), timeout=10)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")  # readers (a --dry-run) never block the writer
            with self.conn:
                self.conn.executescript(_SCHEMA)
                row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if row is None:
                    self.conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                elif int(row[0]) > SCHEMA_VERSION:
                    raise StateError(f"{self.path}: made by a newer version of briefing (schema {row[0]})")
        except sqlite3.DatabaseError as e:
            raise StateError(f"{self.path}: cannot use the state database ({e})") from None
        except OSError as e:
            raise StateError(f"{self.path}: cannot create the state database ({e.strerror})") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> StateDB:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _query(self, sql: str, params=()) -> list[tuple]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as e:
            raise StateError(f"{self.path}: state database error ({e})") from None

    def _chunked(self, sql: str, keys: list[str]) -> list[tuple]:
        rows: list[tuple] = []
        for i in range(0, len(keys), _CHUNK):
            part = keys[i : i + _CHUNK]
            rows += self._query(sql.format(marks=",".join("?" * len(part))), part)
        return rows

    # ------------------------------------------------------------ reading

    def last_run(self) -> datetime | None:
        """When the last successful run started (its window ends there)."""
        rows = self._query("SELECT window_end FROM runs ORDER BY id DESC LIMIT 1")
        return _parse(rows[0][0]) if rows else None

    def run_count(self) -> int:
        return self._query("SELECT count(*) FROM runs")[0][0]

    def first_seen(self, keys: Iterable[str]) -> dict[str, datetime]:
        keys = list(dict.fromkeys(keys))
        return {
            k: _parse(t) for k, t in self._chunked("SELECT key, first_seen FROM items WHERE key IN ({marks})", keys)
        }

    def reported(self, keys: Iterable[str]) -> dict[str, str]:
        """{item key: story id} for the items an earlier run reported."""
        keys = list(dict.fromkeys(keys))
        return {
            k: s
            for k, s in self._chunked(
                "SELECT key, story_id FROM items WHERE key IN ({marks}) AND reported_run IS NOT NULL", keys
            )
        }

    def story_titles(self, ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(ids))
        return dict(self._chunked("SELECT id, title FROM stories WHERE id IN ({marks})", ids))

    def runs(self, limit: int = 20) -> list[dict]:
        rows = self._query(
            "SELECT id, started_at, finished_at, window_start, window_end, digest_id, n_articles,"
            " n_stories, n_failures FROM runs ORDER BY id DESC LIMIT ?",
            (limit,),
        )
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
        return [dict(zip(cols, r)) for r in rows]

    # ------------------------------------------------------------ writing (one transaction)

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
    ) -> int:
        """Record a successful run: items seen, stories reported, the run itself. All or nothing."""
        now = _iso(finished_at)
        try:
            with self.conn:  # BEGIN ... COMMIT, or ROLLBACK on any exception
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
                cutoff = _iso(finished_at - timedelta(days=KEEP_DAYS))
                self.conn.execute("DELETE FROM items WHERE last_seen < ?", (cutoff,))
            return run_id
        except sqlite3.DatabaseError as e:
            raise StateError(f"{self.path}: cannot record the run ({e})") from None

    # ------------------------------------------------------------ email (issue #6)

    def record_sent(self, digest_id: str, message_id: str, recipient: str = "", when: datetime | None = None) -> None:
        """Remember that ``digest_id`` went to ``recipient`` (``""``: the whole list) as ``message_id``."""
        try:
            with self.conn:
                self.conn.execute(
                    "INSERT INTO sent (digest_id, recipient, message_id, sent_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(digest_id, recipient) DO UPDATE SET message_id = excluded.message_id,"
                    " sent_at = excluded.sent_at",
                    (digest_id, recipient, message_id, _iso(when or datetime.now(UTC))),
                )
        except sqlite3.DatabaseError as e:
            raise StateError(f"{self.path}: cannot record the sent message ({e})") from None

    def sent_to(self, digest_id: str) -> list[str]:
        """Every recipient ``digest_id`` was recorded as sent to (not the ``""`` whole-list row)."""
        return [
            r[0]
            for r in self._query(
                "SELECT recipient FROM sent WHERE digest_id = ? AND recipient != '' ORDER BY recipient", (digest_id,)
            )
        ]

    def was_sent(self, digest_id: str, recipient: str | None = None) -> str | None:
        """The Message-ID ``digest_id`` was sent with (to ``recipient``, or to anyone), else None."""
        if recipient is None:
            rows = self._query("SELECT message_id FROM sent WHERE digest_id = ? LIMIT 1", (digest_id,))
        else:
            rows = self._query(
                "SELECT message_id FROM sent WHERE digest_id = ? AND recipient = ?", (digest_id, recipient)
            )
        return rows[0][0] if rows else None
