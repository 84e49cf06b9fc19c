"""The one state database: schema versions in PRAGMA user_version, migrations that keep rows, and
a file from a newer briefing refused with one line. Real SQLite files, the real CLI."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing.errors import StateError
from briefing.store import SCHEMA_VERSION, CachedFeed, Ledger, ReportedStory, SeenItem, StateDB, digest_key

# Schema 1 exactly as briefing 0.x wrote it (briefing/digest/state.py, SCHEMA_VERSION = 1), with the
# rows of one digest run that was mailed: what a user's state file looks like before the upgrade.
V1_FILE = """
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
INSERT INTO meta VALUES ('schema', '1');
INSERT INTO runs VALUES (1, '2026-03-10T12:00:00+00:00', '2026-03-10T12:00:05+00:00', NULL,
    '2026-03-10T12:00:00+00:00', 'd-2026-03-10', 2, 1, 0);
INSERT INTO items VALUES ('url:https://globe.example/quake', 'q1', 'Globe', 'https://globe.example/quake',
    'Valdoria earthquake injures 40', '2026-03-10T05:00:00+00:00', '2026-03-10T12:00:05+00:00',
    '2026-03-10T12:00:05+00:00', 1, 's-quake');
INSERT INTO items VALUES ('id:t1', 't1', 'Tech Daily', NULL, 'Orbitex unveils folding tablet', NULL,
    '2026-03-10T12:00:05+00:00', '2026-03-10T12:00:05+00:00', NULL, NULL);
INSERT INTO stories VALUES ('s-quake', 'Valdoria earthquake injures 40', 'abc', 1,
    '2026-03-10T12:00:05+00:00', '2026-03-10T12:00:05+00:00', 1);
INSERT INTO sent VALUES ('digest:morning:2026-03-10', 'a@example.com', '<m1@example.org>', '2026-03-10T12:00:06+00:00');
INSERT INTO sent VALUES ('digest:morning:2026-03-10', '', '<m1@example.org>', '2026-03-10T12:00:06+00:00');
"""

NOW = datetime(2026, 3, 11, 7, 0, tzinfo=UTC)


def make_v1(path):
    with sqlite3.connect(path) as db:
        db.executescript(V1_FILE)
    db.close()
    return path


def user_version(path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def columns(path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: db.execute(f"PRAGMA table_info({t})").fetchall() for t in tables}
    finally:
        db.close()


def test_a_schema_1_file_is_upgraded_in_place_keeping_its_rows(tmp_path):
    path = make_v1(tmp_path / "digest.sqlite")
    assert user_version(path) == 0  # schema 1 never set it
    with StateDB(path) as db:
        assert db.schema_version() == SCHEMA_VERSION == 3
        assert db.run_count() == 1
        assert db.last_run() == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
        assert db.reported(["url:https://globe.example/quake", "id:t1"]) == {
            "url:https://globe.example/quake": "s-quake"
        }
        assert set(db.first_seen(["id:t1", "nope"])) == {"id:t1"}
        assert db.story_titles(["s-quake"]) == {"s-quake": "Valdoria earthquake injures 40"}
        key = digest_key("morning", "2026-03-10")
        assert db.was_sent(key) == "<m1@example.org>" and db.sent_to(key) == ["a@example.com"]
        # and it goes on working: a new run on the upgraded file
        db.record_run(
            started_at=NOW,
            finished_at=NOW,
            window_start=None,
            window_end=NOW,
            digest_id="d-2026-03-11",
            seen=[SeenItem("id:t1", "t1", "Tech Daily", None, "Orbitex", None)],
            stories=[ReportedStory("s-tablet", "Orbitex", ["id:t1"])],
        )
        assert db.run_count() == 2 and db.reported(["id:t1"]) == {"id:t1": "s-tablet"}
    rec = Ledger(path).was_sent(digest_key("morning", "2026-03-10"))
    assert rec is not None and rec.message_id == "<m1@example.org>" and rec.recipients == ["a@example.com"]
    assert user_version(path) == SCHEMA_VERSION
    db = sqlite3.connect(path)
    try:  # a briefing from before user_version reads only this row: it must refuse the upgraded file
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == str(SCHEMA_VERSION)
    finally:
        db.close()


def test_a_new_file_and_an_upgraded_one_have_the_same_tables(tmp_path):
    with StateDB(tmp_path / "new.sqlite"):
        pass
    with StateDB(make_v1(tmp_path / "old.sqlite")):
        pass
    assert columns(tmp_path / "new.sqlite") == columns(tmp_path / "old.sqlite")
    assert user_version(tmp_path / "new.sqlite") == user_version(tmp_path / "old.sqlite") == SCHEMA_VERSION
    with StateDB(tmp_path / "new.sqlite") as db:  # opening again changes nothing
        assert db.schema_version() == SCHEMA_VERSION and db.run_count() == 0


def make_v2(path):
    """A schema-2 file (the ledger's column renamed, the version in user_version), with v1's rows."""
    make_v1(path)
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE sent RENAME COLUMN digest_id TO key")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    return path


def test_a_schema_2_file_gains_the_feed_cache_and_keeps_its_rows(tmp_path):
    path = make_v2(tmp_path / "digest.sqlite")
    assert "feed_cache" not in columns(path)
    with StateDB(path) as db:
        assert db.schema_version() == SCHEMA_VERSION
        assert db.run_count() == 1 and db.reported(["url:https://globe.example/quake"])
        assert db.was_sent(digest_key("morning", "2026-03-10")) == "<m1@example.org>"
        assert db.cached_feed("https://globe.example/rss") is None
    assert user_version(path) == SCHEMA_VERSION
    with StateDB(tmp_path / "new.sqlite"):
        pass
    assert columns(path) == columns(tmp_path / "new.sqlite")  # upgraded and new files alike


def test_feeds_are_kept_with_the_run_they_were_read_for(tmp_path):
    path = tmp_path / "digest.sqlite"
    body = b"<rss>" + bytes(range(256)) + b"</rss>"  # a body is bytes, kept as they came
    feed = CachedFeed(
        "https://globe.example/rss", '"v1"', "Tue, 10 Mar 2026 11:00:00 GMT", NOW, body, "text/xml", "utf-8"
    )

    def record(db, when, feeds):
        db.record_run(
            started_at=when, finished_at=when, window_start=None, window_end=when, digest_id=None, seen=[],
            stories=[], feeds=feeds,
        )  # fmt: skip

    with StateDB(path) as db:
        assert db.cached_feed(feed.url) is None
        record(db, NOW, [feed])
        assert db.cached_feed(feed.url) == feed
        newer = CachedFeed(feed.url, '"v2"', None, NOW, b"<rss/>", "application/rss+xml", None)
        record(db, NOW, [newer])  # the next run's response replaces the last
        assert db.cached_feed(feed.url) == newer
        record(db, NOW + timedelta(days=121), [])  # a feed not fetched for KEEP_DAYS is forgotten
        assert db.cached_feed(feed.url) is None


def test_an_upgrade_that_fails_leaves_the_file_as_it_was(tmp_path):
    path = make_v1(tmp_path / "digest.sqlite")
    db = sqlite3.connect(path)
    # a file whose ledger is already half-changed: the rename cannot be done, nothing may be
    db.execute("ALTER TABLE sent ADD COLUMN key TEXT")
    db.commit()
    db.close()
    before = columns(path)
    with pytest.raises(StateError) as err:
        StateDB(path)
    assert "cannot use the state database" in str(err.value) and "\n" not in str(err.value)
    assert columns(path) == before and user_version(path) == 0


@pytest.mark.parametrize("how", ["user_version", "meta"])
def test_a_file_from_a_newer_briefing_is_refused_and_left_alone(tmp_path, how):
    path = tmp_path / "digest.sqlite"
    with StateDB(path):
        pass
    db = sqlite3.connect(path)
    if how == "user_version":
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    else:  # a schema-1-style file whose meta row says newer
        db.execute("PRAGMA user_version = 0")
        db.execute("UPDATE meta SET value = '7' WHERE key = 'schema'")
    db.commit()
    db.close()
    before = columns(path)
    with pytest.raises(StateError) as err:
        StateDB(path)
    assert "newer version of briefing" in str(err.value)
    assert columns(path) == before


def test_the_cli_refuses_a_newer_state_file_with_one_line(tmp_path, main_run, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state-home"))
    src = tmp_path / "news.jsonl"
    src.write_text(json.dumps({"id": "a", "title": "A title", "text": "Some text. More text here."}) + "\n")
    state = tmp_path / "digest.sqlite"
    db = sqlite3.connect(state)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    code, out, err = main_run("digest", src, "--since", "all", "--state", state, "--no-entities")
    assert code == 1 and out == ""
    assert err.startswith("briefing: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert "newer version of briefing (schema 99" in err
    assert user_version(state) == 99  # never touched


def test_an_old_file_upgrades_through_the_cli_and_the_run_goes_on(tmp_path, main_run, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state-home"))
    src = tmp_path / "news.jsonl"
    src.write_text(
        json.dumps({"id": "t1", "title": "Orbitex unveils folding tablet", "text": "Orbitex unveiled a tablet."}) + "\n"
    )
    state = make_v1(tmp_path / "digest.sqlite")
    code, out, err = main_run(
        "digest", src, "--since", "all", "--state", state, "--no-entities", "--now", "2026-03-11T07:00:00+00:00"
    )
    assert code == 0, err
    assert user_version(state) == SCHEMA_VERSION
    with StateDB(state) as db:
        assert db.run_count() == 2  # the old run kept, the new one added
        assert db.was_sent(digest_key("morning", "2026-03-10")) == "<m1@example.org>"


def _imports(path: Path, package: str) -> set[str]:
    """Every module a source file imports, lazily or not, as absolute names."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            found.add(".".join([*base, node.module or ""]).rstrip("."))
    return found


def test_deliver_does_not_import_digest_and_digest_does_not_import_the_main_cli():
    root = Path(__file__).resolve().parents[1] / "briefing"
    for path in (root / "deliver").glob("*.py"):
        bad = {m for m in _imports(path, "briefing.deliver") if m.startswith("briefing.digest")}
        assert not bad, f"{path.name} imports {bad}: both packages use briefing.store"
    for path in (root / "digest").glob("*.py"):
        assert "briefing.cli" not in _imports(path, "briefing.digest"), f"{path.name} imports briefing.cli (a circle)"
