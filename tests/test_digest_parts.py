"""The digest's parts on their own: config, local sources, state, lock, window, budget, archive.

No spaCy here (``ner=False``), so these run in well under a second each.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing.digest.config import load_config
from briefing.digest.lock import LockHeld, RunLock
from briefing.digest.run import parse_since
from briefing.digest.sources import SourceSpec, read_sources
from briefing.errors import StateError, UsageError
from briefing.sources.feed import html_to_text
from briefing.store import ReportedStory, SeenItem, StateDB

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


# ---------------------------------------------------------------- config


def test_sample_config_loads_with_paths_relative_to_it():
    cfg = load_config(ROOT / "samples" / "digest.toml")
    assert cfg.title == "Morning briefing" and cfg.max_stories == 12 and cfg.words == 900
    assert cfg.section_order == ["World", "Business", "Local"]
    first = cfg.sources[0]
    assert first.spec == str(ROOT / "samples" / "feeds" / "world.xml") and first.section == "World"
    assert first.name == "World Desk"


@pytest.mark.parametrize(
    "text, message",
    [
        ('titel = "x"', "unknown setting(s): titel"),
        ('[[sources]]\nurl = "http://a/"\nfetch_ful = true', "unknown key(s): fetch_ful"),
        ('[[sources]]\nname = "x"', "give exactly one of url or path"),
        ("words = -3", "words must be a positive integer"),
        ('words = "many"', "words must be a positive integer"),
        ('[[sources]]\nurl = "http://a/"\nfetch_full = "yes"', "fetch_full must be true or false"),
        ('title = "unterminated', "invalid TOML"),
    ],
)
def test_config_mistakes_are_one_line_errors(tmp_path, text, message):
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(UsageError) as err:
        load_config(p)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_email_table_is_kept_for_the_email_step(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[email]\nto = ["a@example.org"]\n')
    assert load_config(p).extra["email"] == {"to": ["a@example.org"]}


# ---------------------------------------------------------------- local sources


def _articles(specs, **kw):
    res = read_sources([SourceSpec(**s) if isinstance(s, dict) else SourceSpec(spec=str(s)) for s in specs], **kw)
    return res, sorted(res.articles, key=lambda a: a.title or "")


def test_folder_glob_and_url_list(tmp_path):
    news = tmp_path / "news"
    (news / "sub").mkdir(parents=True)
    (news / "one.md").write_text("# Dam opens\n\nThe new dam opened on Monday in the valley.\n")
    (news / "sub" / "two.txt").write_text("Bridge closes\n\nThe old bridge closed on Tuesday for repairs.\n")
    (news / ".hidden.txt").write_text("Secret\n\nNot for the digest.\n")
    (news / "picture.png").write_bytes(b"\x89PNG....")
    res, arts = _articles([news])
    assert [a.title for a in arts] == ["Bridge closes", "Dam opens"]
    assert not res.failures
    assert all(a.published_at is not None and a.key for a in arts)  # file time stands in for a date

    res, arts = _articles([str(news / "**" / "*.txt")])
    assert [a.title for a in arts] == ["Bridge closes"]

    urls = tmp_path / "list.txt"
    urls.write_text(f"# my reading list\n{news / 'one.md'}\n")  # a list of paths works like a list of URLs
    res, arts = _articles([{"spec": str(urls), "kind": "urls", "section": "Reading"}])
    assert [a.title for a in arts] == ["Dam opens"] and arts[0].section == "Reading"


def test_local_feeds_and_opml_sections():
    res, arts = _articles([ROOT / "samples" / "feeds" / "subscriptions.opml", ROOT / "samples" / "feeds" / "world.xml"])
    assert not res.failures
    port = next(a for a in arts if "Port operator" in a.title)
    assert port.source_name == "Business Brief" and port.section == "Business"  # OPML folder -> section
    assert port.published_at == datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    assert port.url == "https://example.org/business/port-delays"
    bridge = next(a for a in arts if a.url == "https://example.org/world/bridge-closes")
    assert bridge.source_name == "World Desk (sample)" and "<" not in bridge.text


def test_missing_things_fail_alone(tmp_path):
    good = tmp_path / "a.md"
    good.write_text("# Title here\n\nSome text that is a sentence.\n")
    res, arts = _articles([good, tmp_path / "nope.md", str(tmp_path / "*.rss")])
    assert len(arts) == 1
    reasons = sorted(f.reason for f in res.failures)
    assert reasons == ["no files match", "no such file or folder"]


def test_jsonl_dates_and_bad_lines(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text(
        "\n".join(
            [
                json.dumps({"id": 1, "title": "T1", "text": "Text one.", "published": "2026-03-10T08:00:00+02:00"}),
                json.dumps({"id": "x", "title": "Headline only", "published": "2026-03-09", "category": "Sport"}),
                json.dumps({"id": "y", "text": "", "title": ""}),
                json.dumps({"id": "z", "text": "t", "published": "yesterday"}),
                "[1, 2]",
            ]
        )
    )
    res, arts = _articles([p])
    assert [a.id for a in arts] == ["x", "1"]
    assert arts[1].published_at == datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    assert arts[0].text == "Headline only" and arts[0].published_at is None and arts[0].section == "Sport"
    assert len(res.failures) == 1 and "(and 2 more)" in res.failures[0].reason


def test_html_to_text_keeps_words_and_paragraphs():
    assert html_to_text("<p>One &amp; two</p><p>Three<script>x()</script></p>") == "One & two\n\nThree"
    assert html_to_text("plain   text") == "plain text"


# ---------------------------------------------------------------- window


def test_since_values():
    last = NOW - timedelta(hours=5)
    assert parse_since("24h", NOW, None)[0] == NOW - timedelta(hours=24)
    assert parse_since("90m", NOW, None)[0] == NOW - timedelta(minutes=90)
    assert parse_since("2w", NOW, None)[0] == NOW - timedelta(days=14)
    assert parse_since("last-run", NOW, last) == (last, None)
    assert parse_since("since-last-run", NOW, None)[1].startswith("no earlier run")
    assert parse_since("all", NOW, last) == (None, None)
    assert parse_since("2026-03-01", NOW, None)[0] == datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(UsageError):
        parse_since("yesterday-ish", NOW, None)


# ---------------------------------------------------------------- state


def _seen(*keys):
    return [SeenItem(key=k, article_id=k, source="S", url=None, title=k.upper(), published=NOW) for k in keys]


def test_state_records_a_run_in_one_transaction(tmp_path):
    path = tmp_path / "deep" / "state.sqlite"
    with StateDB(path) as db:
        assert db.last_run() is None
        db.record_run(
            started_at=NOW,
            finished_at=NOW,
            window_start=None,
            window_end=NOW,
            digest_id="d1",
            seen=_seen("a", "b", "c"),
            stories=[ReportedStory("s1", "Story", ["a", "b"])],
        )
        assert db.last_run() == NOW
        assert db.reported(["a", "b", "c", "zz"]) == {"a": "s1", "b": "s1"}
        assert set(db.first_seen(["a", "c", "zz"])) == {"a", "c"}
        # a failure half-way through recording rolls back everything of that run
        bad = _seen("d") + [SeenItem(key=None, article_id=None, source=None, url=None, title=None, published=None)]
        with pytest.raises(StateError):
            db.record_run(
                started_at=NOW,
                finished_at=NOW + timedelta(hours=1),
                window_start=None,
                window_end=NOW + timedelta(hours=1),
                digest_id="d2",
                seen=bad,
                stories=[],
            )
        assert db.run_count() == 1 and db.first_seen(["d"]) == {}
        assert db.last_run() == NOW


def test_sent_table_for_the_email_step(tmp_path):
    with StateDB(tmp_path / "s.sqlite") as db:
        assert db.was_sent("2026-03-10-abc") is None
        db.record_sent("2026-03-10-abc", "<m1@example.org>", recipient="a@example.org")
        assert db.was_sent("2026-03-10-abc") == "<m1@example.org>"
        assert db.was_sent("2026-03-10-abc", "a@example.org") == "<m1@example.org>"
        assert db.was_sent("2026-03-10-abc", "b@example.org") is None
        assert db.sent_to("2026-03-10-abc") == ["a@example.org"]


def test_state_that_is_not_a_database_is_a_clear_error(tmp_path):
    p = tmp_path / "state.sqlite"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError) as err:
        StateDB(p)
    assert "cannot use the state database" in str(err.value)


# ---------------------------------------------------------------- lock


def test_lock_is_exclusive_and_released(tmp_path):
    p = tmp_path / "s.lock"
    with RunLock(p):
        with pytest.raises(LockHeld) as err:
            RunLock(p).acquire()
        assert err.value.exit_code == 75 and "in progress" in str(err.value)
    RunLock(p).acquire().release()  # free again


# ---------------------------------------------------------------- building without NER


def _article(i, title, text, source, hours_old, key=None):
    from briefing.models import Article

    a = Article(text=text, title=title, id=f"id{i}", source_name=source, published_at=NOW - timedelta(hours=hours_old))
    a.key = key or f"k{i}"
    return a


def test_ranking_budget_and_already_reported():
    from briefing.digest.build import DigestOptions, build_digest

    quake = "A magnitude 6.4 earthquake struck Kessler province in Valdoria near Marrow Falls on Tuesday."
    arts = [
        _article(1, "Valdoria quake injures 40 in Kessler", quake, "Globe", 6),
        _article(2, "Kessler quake: 6.4 tremor hits Valdoria", quake.replace("struck", "hit"), "Wire", 5),
        _article(3, "Valdoria earthquake near Marrow Falls", quake.replace("Tuesday", "Tuesday morning"), "Herald", 4),
        _article(
            4,
            "Orbitex unveils folding tablet in Sunvale",
            "Orbitex unveiled a folding tablet in Sunvale. It costs 1,299 dollars and ships in June.",
            "Wire",
            1,
        ),
        _article(
            5,
            "Riverton United sign Ekdahl",
            "Riverton United signed striker Tomas Ekdahl from Malmo Rovers. The fee was a club record.",
            "Herald",
            30,
        ),
    ]
    digest, record = build_digest(arts, DigestOptions(now=NOW, ner=False, max_stories=2))
    titles = [s.title for s in digest.stories]
    assert len(titles) == 2 and "quake" in titles[0].lower()  # three independent sources beat one
    assert digest.stories[0].score_parts["sources"] > digest.stories[1].score_parts["sources"]
    assert "1 more story left out" in " ".join(digest.notes)
    assert sorted(record[0].member_keys) == ["k1", "k2", "k3"]

    reported = {"k1": record[0].id, "k2": record[0].id, "k3": record[0].id}
    digest2, _ = build_digest(arts, DigestOptions(now=NOW, ner=False), reported=reported)
    assert all("quake" not in s.title.lower() for s in digest2.stories)
    digest3, _ = build_digest(arts, DigestOptions(now=NOW, ner=False, words=80), reported={})
    used = sum(len(line.text.split()) for s in digest3.stories for line in s.summary)
    assert len(digest3.stories) == 2 and used <= 80 + 30  # 80 // 30 stories; every story gets one sentence


def test_archive_rerun_keeps_the_earlier_digest(tmp_path):
    """A re-run in the same minute is archived beside the first, never over it (tests/test_archive.py)."""
    from briefing.digest.archive import write_archive
    from briefing.digest.models import Digest, Section

    d = Digest(
        id="d1", title="T <1>", generated_at=NOW, window_start=None, window_end=NOW, sections=[Section("Top", [])]
    )
    write_archive(tmp_path, d, {"html": "<p>one</p>"})
    write_archive(tmp_path, d, {"html": "<p>two</p>"})
    entries = json.loads((tmp_path / "digests.json").read_text())
    assert [(tmp_path / e["files"]["html"]).read_text() for e in entries] == ["<p>two</p>", "<p>one</p>"]
    assert "T &lt;1&gt;" in (tmp_path / "index.html").read_text()
    import xml.etree.ElementTree as ET

    ET.parse(tmp_path / "feed.atom")  # well-formed with markup in titles
