"""`briefing digest` end to end: real feeds and pages over HTTP on localhost, real SQLite, the real CLI.

The CLI runs in-process through ``briefing.cli.main`` (the same entry point as the
console script, with its exit-code mapping) so the spaCy model loads once.
"""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from digest_server import NEXT_RUN_ISO, NOW_ISO, serve_news, update_wire


@pytest.fixture
def run_digest(main_run):
    return lambda *args: main_run("digest", *args)


@pytest.fixture
def news(http_server):
    return http_server, serve_news(http_server)


def _config(tmp_path: Path, urls: dict, *, failing: bool = True, extra: str = "") -> Path:
    parts = [
        f'title = "Morning test"\nsections = ["World", "Local"]\n{extra}',
        f'[[sources]]\nurl = "{urls["globe"]}"\nsection = "World"\n',
        f'[[sources]]\nurl = "{urls["wire"]}"\nname = "World Wire"\n',
        f'[[sources]]\nurl = "{urls["herald"]}"\nsection = "Local"\nfetch_full = true\n',
    ]
    if failing:
        parts += [f'[[sources]]\nurl = "{urls[k]}"\n' for k in ("slow", "broken", "dead")]
        parts.append(f'[[sources]]\nurl = "{urls["charts"]}"\nfetch_full = true\n')
    p = tmp_path / "digest.toml"
    p.write_text("\n".join(parts), encoding="utf-8")
    return p


def _common(tmp_path):
    # the test server is on 127.0.0.1: fetching from it needs the opt-in
    return ["--now", NOW_ISO, "--timeout", "1", "--allow-private", "--state", tmp_path / "state.sqlite"]


def _story_with(digest: dict, words: str) -> dict:
    for st in digest["stories"]:
        if words.lower() in st["title"].lower():
            return st
    raise AssertionError(f"no story about {words!r} in {[s['title'] for s in digest['stories']]}")


@pytest.mark.slow
def test_failing_sources_still_give_a_digest_with_stories_from_all_outlets(news, tmp_path, run_digest):
    server, urls = news
    code, out, err = run_digest("--config", _config(tmp_path, urls), "-f", "json", *_common(tmp_path))
    assert code == 3, err  # some sources failed, a digest was produced
    d = json.loads(out)
    quake = _story_with(d, "quake")
    # three outlets, three wordings, one story; the teaser's full page was fetched and used
    assert quake["n_sources"] == 3
    assert {a["source"] for a in quake["articles"]} == {"Daily Globe", "World Wire", "Metro Herald"}
    assert {a["id"] for a in quake["articles"]} == {
        f"{server.base}/globe/quake",
        f"{server.base}/wire/quake",
        f"{server.base}/herald/quake.html",
    }
    assert quake["earliest"] < quake["latest"]
    assert all(a["url"] and a["title"] for a in quake["articles"])
    # the bank story is separate from the quake, and the tablet and the transfer are stories of their own
    bank = _story_with(d, "bank")
    assert set(a["id"] for a in bank["articles"]).isdisjoint(a["id"] for a in quake["articles"])
    transfer = _story_with(d, "Ekdahl")
    assert any("Malmo Rovers" in s["text"] for s in transfer["summary"]), "full article text was not fetched"
    # what failed, and why, in a short section; nothing fetched before the failures was lost
    reasons = {f["spec"]: f["reason"] for f in d["failures"]}
    assert "timed out" in reasons[urls["slow"]]
    assert "malformed" in reasons[urls["broken"]]
    assert "404" in reasons[urls["dead"]]
    assert "not an article" in reasons[f"{server.base}/herald/chart.png"]
    assert any("chart" in st["title"].lower() for st in d["stories"])  # the teaser is kept, not lost
    # the 5-day-old item is outside the 24h window
    assert all("fair" not in st["title"].lower() for st in d["stories"])
    assert d["stats"]["items_outside_window"] == 1
    # sections in the configured order, story ids pointing at stories
    names = [s["name"] for s in d["sections"]]
    assert names.index("World") < names.index("Local")
    assert quake["section"] == "World" and transfer["section"] == "Local"
    for line in err.strip().splitlines():
        assert line.startswith("briefing: ")  # log-friendly: one line per event, no traceback


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["markdown", "html", "email"])
def test_every_format_renders_stories_sources_and_failures(news, tmp_path, run_digest, fmt):
    _, urls = news
    code, out, err = run_digest("--config", _config(tmp_path, urls), "-f", fmt, "--dry-run", *_common(tmp_path))
    assert code == 3, err
    assert "Marrow Falls" in out and "Daily Globe" in out and "World Wire" in out
    assert ("Sources that failed" in out) or ("SOURCES THAT FAILED" in out)
    assert "timed out" in out
    if fmt == "html":
        assert "<img src=x" not in out and "&lt;img src=x" in out  # article text is escaped
        assert "<h2>World</h2>" in out
    if fmt == "email":
        assert all(len(line) <= 72 or line.strip().startswith("http") for line in out.splitlines())


@pytest.mark.slow
def test_second_run_reports_nothing_new_then_include_seen_then_update(news, tmp_path, run_digest):
    server, urls = news
    cfg = _config(tmp_path, urls, failing=False)
    code, out, err = run_digest("--config", cfg, "-f", "json", *_common(tmp_path))
    assert code == 0, err
    first = json.loads(out)
    assert first["n_stories"] >= 4

    code, out, _ = run_digest("--config", cfg, "-f", "json", *_common(tmp_path))
    assert code == 0
    assert json.loads(out)["stories"] == []

    code, out, _ = run_digest("--config", cfg, "-f", "json", "--include-seen", *_common(tmp_path))
    again = json.loads(out)
    assert {s["id"] for s in again["stories"]} == {s["id"] for s in first["stories"]}
    assert not any(s["is_update"] for s in again["stories"])

    update_wire(server)  # the next morning: one more article about the quake
    later = [
        "--now",
        NEXT_RUN_ISO,
        "--since",
        "48h",
        "--timeout",
        "1",
        "--allow-private",
        "--state",
        tmp_path / "state.sqlite",
    ]
    code, out, err = run_digest("--config", cfg, "-f", "json", *later)
    assert code == 0, err
    d = json.loads(out)
    assert len(d["stories"]) == 1
    quake = d["stories"][0]
    assert quake["is_update"] is True
    assert quake["id"] == _story_with(first, "quake")["id"]  # the same story, grown
    new = [a for a in quake["articles"] if a["new"]]
    assert [a["id"] for a in new] == [f"{server.base}/wire/quake-update"]
    assert len(quake["articles"]) == 4

    code, out, _ = run_digest("--config", cfg, "-f", "markdown", "--include-seen", *later)
    assert "*(update)*" not in out  # nothing grew since the update was reported


@pytest.mark.slow
def test_since_last_run_window(news, tmp_path, run_digest):
    _, urls = news
    cfg = _config(tmp_path, urls, failing=False)
    code, out, _ = run_digest("--config", cfg, "-f", "json", "--since", "last-run", *_common(tmp_path))
    d = json.loads(out)
    assert code == 0 and d["notes"][0].startswith("no earlier run recorded")
    # a later run: the window starts where the last one ended, and there is nothing new
    code, out, _ = run_digest(
        "--config",
        cfg,
        "-f",
        "json",
        "--since",
        "last-run",
        "--include-seen",
        "--now",
        "2026-03-10T13:00:00+00:00",
        "--allow-private",
        "--state",
        tmp_path / "state.sqlite",
    )
    d = json.loads(out)
    assert d["window"]["start"] == "2026-03-10T12:00:00+00:00"
    assert d["stories"] == []


@pytest.mark.slow
def test_dry_run_records_nothing(news, tmp_path, run_digest):
    _, urls = news
    cfg = _config(tmp_path, urls, failing=False)
    code, out, _ = run_digest("--config", cfg, "-f", "json", "--dry-run", *_common(tmp_path))
    assert code == 0 and json.loads(out)["n_stories"] >= 4
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        assert db.execute("select count(*) from runs").fetchone()[0] == 0
        assert db.execute("select count(*) from items").fetchone()[0] == 0
    code, out, _ = run_digest("--config", cfg, "-f", "json", *_common(tmp_path))
    assert json.loads(out)["n_stories"] >= 4  # the real run still reports everything


@pytest.mark.slow
def test_a_run_that_fails_half_way_leaves_state_as_it_was(news, tmp_path, run_digest):
    _, urls = news
    cfg = _config(tmp_path, urls, failing=False)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code, _, err = run_digest("--config", cfg, "-o", blocker / "digest.md", *_common(tmp_path))
    assert code == 1 and "cannot write" in err and "Traceback" not in err
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        assert db.execute("select count(*) from runs").fetchone()[0] == 0
        assert db.execute("select count(*) from items where reported_run is not null").fetchone()[0] == 0
    code, out, _ = run_digest("--config", cfg, "-f", "json", *_common(tmp_path))
    assert code == 0 and json.loads(out)["n_stories"] >= 4  # nothing was lost


@pytest.mark.slow
def test_lock_stops_a_second_run(news, tmp_path, run_digest):
    from briefing.digest.lock import RunLock, lock_path_for

    _, urls = news
    state = tmp_path / "state.sqlite"
    with RunLock(lock_path_for(state)):
        code, out, err = run_digest("--config", _config(tmp_path, urls, failing=False), *_common(tmp_path))
    assert code == 75
    assert out == ""
    assert err.count("\n") == 1 and "another digest run is in progress" in err
    code, _, _ = run_digest("--config", _config(tmp_path, urls, failing=False), *_common(tmp_path))
    assert code == 0  # released: the next run goes ahead


def test_nothing_readable_exits_1(http_server, tmp_path, run_digest):
    urls = serve_news(http_server)
    code, out, err = run_digest(urls["dead"], urls["broken"], *_common(tmp_path))
    assert code == 1
    assert out == ""
    assert "no digest: all 2 source(s) failed" in err and "Traceback" not in err


def test_no_sources_is_a_usage_error(tmp_path, run_digest):
    code, _, err = run_digest("--state", tmp_path / "s.sqlite")
    assert code == 2 and "no sources" in err


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs).get("href"))


@pytest.mark.slow
def test_output_dir_archive_with_index_and_atom_feed(news, tmp_path, run_digest):
    server, urls = news
    cfg = _config(tmp_path, urls, failing=False, extra='base_url = "https://news.example.org/briefs/"\n')
    out_dir = tmp_path / "site"
    code, out, err = run_digest("--config", cfg, "--output-dir", out_dir, "--quiet", *_common(tmp_path))
    assert code == 0, err
    assert out == "" and err == ""  # cron: silent when all is well
    update_wire(server)
    code, out, err = run_digest(
        "--config",
        cfg,
        "--output-dir",
        out_dir,
        *_common(tmp_path)[:-2],
        "--state",
        tmp_path / "state.sqlite",
        "--now",
        NEXT_RUN_ISO,
        "--since",
        "last-run",
    )
    assert code == 0, err

    htmls = sorted(out_dir.glob("digest-*.html"))
    assert [p.name for p in htmls] == ["digest-2026-03-10-1200.html", "digest-2026-03-11-0700.html"]
    assert (out_dir / "digest-2026-03-11-0700.json").is_file() and (out_dir / "digest-2026-03-11-0700.md").is_file()
    parser = _Links()
    parser.feed((out_dir / "index.html").read_text())
    assert "digest-2026-03-11-0700.html" in parser.links and "digest-2026-03-10-1200.html" in parser.links
    assert parser.links.index("digest-2026-03-11-0700.html") < parser.links.index("digest-2026-03-10-1200.html")
    assert all((out_dir / href).exists() for href in parser.links)

    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(out_dir / "feed.atom").getroot()
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 2
    hrefs = [e.find("a:link", ns).get("href") for e in entries]
    assert hrefs[0] == "https://news.example.org/briefs/digest-2026-03-11-0700.html"
    assert all(e.find("a:id", ns).text and e.find("a:updated", ns).text for e in entries)
    assert "quake" in entries[0].find("a:summary", ns).text.lower()


@pytest.mark.slow
def test_jsonl_source_lists_member_ids(tmp_path, run_digest):
    rows = [
        {
            "id": "a1",
            "title": "Valdoria earthquake injures 40",
            "text": "A magnitude 6.4 earthquake hit Kessler "
            "province in Valdoria on Tuesday, injuring 40 people near Marrow Falls.",
            "published": "2026-03-10T05:00:00Z",
            "source": "Globe",
            "url": "https://globe.example/quake",
        },
        {
            "id": "a2",
            "title": "Quake of magnitude 6.4 shakes Kessler, Valdoria",
            "text": "Forty people were hurt "
            "when a 6.4-magnitude quake struck Kessler province in Valdoria near Marrow Falls on Tuesday.",
            "published": "2026-03-10T06:00:00Z",
            "source": "Wire",
        },
        {
            "id": "b1",
            "title": "Orbitex unveils folding tablet",
            "text": "Orbitex unveiled a folding tablet in Sunvale on Tuesday. It costs 1,299 dollars.",
            "published": "2026-03-10",
        },
        {
            "id": "old",
            "title": "Old news",
            "text": "Something happened long ago in Lindholm.",
            "published": "2026-02-01",
        },
    ]
    src = tmp_path / "articles.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n\nnot json\n", encoding="utf-8")
    code, out, err = run_digest(src, "-f", "json", *_common(tmp_path))
    assert code == 3  # the bad line is reported; the good lines make the digest
    d = json.loads(out)
    ids = sorted(sorted(a["id"] for a in st["articles"]) for st in d["stories"])
    assert ids == [["a1", "a2"], ["b1"]]
    assert d["failures"][0]["reason"].startswith("line 6: invalid JSON")


@pytest.mark.slow
@pytest.mark.e2e
def test_as_a_cron_job_would_run_it(tmp_path):
    """The real console entry point in a fresh process: file output, quiet, exit codes."""
    from conftest import run_briefing

    src = tmp_path / "a.jsonl"
    src.write_text(
        json.dumps(
            {
                "id": "n1",
                "title": "Dam opens in Kessler",
                "source": "Globe",
                "text": "The new dam in Kessler opened on Tuesday. It cost 40 million.",
            }
        )
        + "\n"
    )
    out = tmp_path / "out" / "digest.html"
    args = [src, "--since", "all", "-f", "html", "-o", out, "--state", tmp_path / "s.sqlite", "--quiet"]
    p = run_briefing("digest", *args)
    assert p.returncode == 0 and p.stdout == "" and p.stderr == "", p.stderr
    assert "Dam opens in Kessler" in out.read_text()
    p = run_briefing("digest", *args)
    assert p.returncode == 0 and "Nothing new since the last digest." in out.read_text()
