"""``digest --output-dir``: every run is archived under its own name; the index and the feed list every run."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC
from html.parser import HTMLParser
from pathlib import Path

import pytest

ATOM = {"a": "http://www.w3.org/2005/Atom"}
NOW = "2026-03-10T12:00:07+00:00"


@pytest.fixture
def jsonl(tmp_path) -> Path:
    rows = [
        {
            "id": "a1",
            "title": "Dam opens in Kessler",
            "source": "Globe",
            "url": "https://globe.example/dam",
            "published": "2026-03-10T08:00:00Z",
            "text": "The new dam in Kessler opened on Tuesday. It cost 40 million dollars, officials said.",
        },
        {
            "id": "b1",
            "title": "Bridge closes in Lindholm",
            "source": "Wire",
            "published": "2026-03-10T09:00:00Z",
            "text": "The old bridge in Lindholm closed on Monday. Repairs will take a year, the council said.",
        },
    ]
    p = tmp_path / "news.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return p


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])


def archive_run(main_run, jsonl, tmp_path, site, now=NOW, extra=()):
    return main_run(
        "digest",
        jsonl,
        "--since",
        "all",
        "--include-seen",
        "--no-entities",
        "--output-dir",
        site,
        "--state",
        tmp_path / "state.sqlite",
        "--now",
        now,
        "--quiet",
        *extra,
    )


@pytest.mark.slow
def test_three_runs_at_the_same_time_are_three_archived_digests(main_run, jsonl, tmp_path):
    site = tmp_path / "site"
    for _ in range(3):
        code, _, err = archive_run(main_run, jsonl, tmp_path, site)
        assert code == 0, err
    htmls = sorted(p.name for p in site.glob("digest-*.html"))
    # the first keeps the minute's name (links to earlier archives stay valid); later ones add seconds, then a count
    assert htmls == ["digest-2026-03-10-1200.html", "digest-2026-03-10-120007-2.html", "digest-2026-03-10-120007.html"]
    for stem in (h[:-5] for h in htmls):
        assert (site / f"{stem}.md").is_file() and (site / f"{stem}.json").is_file()

    entries = json.loads((site / "digests.json").read_text(encoding="utf-8"))
    assert len(entries) == 3
    assert sorted(e["files"]["html"] for e in entries) == htmls

    index = Links()
    index.feed((site / "index.html").read_text(encoding="utf-8"))
    assert sorted({h for h in index.links if h.endswith(".html")}) == htmls
    assert all((site / h).exists() for h in index.links if h != "feed.atom")

    feed = ET.parse(site / "feed.atom").getroot()
    items = feed.findall("a:entry", ATOM)
    assert len(items) == 3
    ids = [e.find("a:id", ATOM).text for e in items]
    assert len(set(ids)) == 3
    assert sorted(e.find("a:link", ATOM).get("href") for e in items) == htmls


@pytest.mark.slow
def test_a_name_left_by_a_deleted_archive_entry_is_not_reused_while_listed(main_run, jsonl, tmp_path):
    site = tmp_path / "site"
    assert archive_run(main_run, jsonl, tmp_path, site)[0] == 0
    first = site / "digest-2026-03-10-1200.html"
    first.unlink()  # the user tidied up the files, not the list
    assert archive_run(main_run, jsonl, tmp_path, site)[0] == 0
    entries = json.loads((site / "digests.json").read_text(encoding="utf-8"))
    assert len({e["files"]["html"] for e in entries}) == 2


@pytest.mark.slow
def test_runs_in_different_minutes_keep_their_minute_names(main_run, jsonl, tmp_path):
    site = tmp_path / "site"
    assert archive_run(main_run, jsonl, tmp_path, site, "2026-03-10T12:00:00+00:00")[0] == 0
    assert archive_run(main_run, jsonl, tmp_path, site, "2026-03-10T12:01:00+00:00")[0] == 0
    assert sorted(p.name for p in site.glob("digest-*.html")) == [
        "digest-2026-03-10-1200.html",
        "digest-2026-03-10-1201.html",
    ]


def test_write_archive_twice_keeps_both(tmp_path):
    from datetime import datetime

    from briefing.digest.archive import write_archive
    from briefing.digest.models import Digest, Section

    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    d = Digest(id="d1", title="T", generated_at=now, window_start=None, window_end=now, sections=[Section("Top", [])])
    write_archive(tmp_path, d, {"html": "<p>one</p>"})
    write_archive(tmp_path, d, {"html": "<p>two</p>"})
    entries = json.loads((tmp_path / "digests.json").read_text())
    assert [(tmp_path / e["files"]["html"]).read_text() for e in entries] == ["<p>two</p>", "<p>one</p>"]
    ids = [e.find("a:id", ATOM).text for e in ET.parse(tmp_path / "feed.atom").getroot().findall("a:entry", ATOM)]
    assert len(ids) == 2 and len(set(ids)) == 2


def test_an_archive_list_edited_by_hand_is_read_as_far_as_it_makes_sense(tmp_path):
    from datetime import datetime

    from briefing.digest.archive import write_archive
    from briefing.digest.models import Digest, Section

    (tmp_path / "digests.json").write_text(
        json.dumps(
            [
                "junk",
                {"date": 5},
                {"title": "no date"},
                {"date": "2026-03-09T07:00:00+00:00", "title": None},
                {
                    "id": "old",
                    "title": "Yesterday",
                    "date": "2026-03-09T07:00:00+00:00",
                    "files": {"html": "digest-2026-03-09-0700.html"},
                    "stories": ["Dam opens"],
                },
            ]
        ),
        encoding="utf-8",
    )
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    d = Digest(id="d1", title="T", generated_at=now, window_start=None, window_end=now, sections=[Section("Top", [])])
    write_archive(tmp_path, d, {"html": "<p>one</p>"})
    entries = json.loads((tmp_path / "digests.json").read_text())
    assert [e["title"] for e in entries] == ["T", "Yesterday"]
    assert len(ET.parse(tmp_path / "feed.atom").getroot().findall("a:entry", ATOM)) == 2


def write_config(tmp_path, **settings) -> Path:
    cfg = tmp_path / "digest.toml"
    cfg.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()), encoding="utf-8")
    return cfg


@pytest.mark.slow
def test_the_feed_is_worth_subscribing_to(main_run, jsonl, tmp_path):
    """feedparser reads the config's title, the self and alternate links on base_url, and each entry's
    digest as HTML content, older entries included."""
    import feedparser

    site = tmp_path / "site"
    cfg = write_config(tmp_path, title="Harbour & <Friends> daily", base_url="https://news.example/briefings")
    for now in (NOW, "2026-03-11T07:30:00+00:00"):
        code, _, err = archive_run(main_run, jsonl, tmp_path, site, now, extra=("--config", cfg))
        assert code == 0, err
    feed = feedparser.parse((site / "feed.atom").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Harbour & <Friends> daily"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {
        "self": "https://news.example/briefings/feed.atom",
        "alternate": "https://news.example/briefings/index.html",
    }
    assert len(feed.entries) == 2
    for entry, stem in zip(feed.entries, ("digest-2026-03-11-0730", "digest-2026-03-10-1200")):
        assert entry.link == f"https://news.example/briefings/{stem}.html"
        [content] = entry.content
        assert content.type == "text/html"
        for title in ("Dam opens in Kessler", "Bridge closes in Lindholm"):
            assert title in content.value
        assert "The new dam in Kessler opened" in content.value  # the summary itself, not only titles
        assert "<style" not in content.value and "<head>" not in content.value and "<html" not in content.value
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<h1>Harbour &amp; &lt;Friends&gt; daily</h1>" in index


@pytest.mark.slow
def test_without_base_url_the_feed_links_are_relative_and_escaped_content_stays_xml(main_run, tmp_path):
    import feedparser

    rows = [
        {
            "id": "x1",
            "title": "Bridge <script>alert(1)</script> & \x01 closes",
            "source": "Wire",
            "published": "2026-03-10T09:00:00Z",
            "text": "The old bridge in Lindholm closed on Monday <b>at noon</b>. Repairs will take a year.",
        }
    ]
    src = tmp_path / "news.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    site = tmp_path / "site"
    code, _, err = archive_run(main_run, src, tmp_path, site)
    assert code == 0, err
    raw = (site / "feed.atom").read_bytes()
    root = ET.fromstring(raw)  # well-formed for a strict parser: no \x01, markup escaped
    [content] = root.findall("a:entry/a:content", ATOM)
    assert content.get("type") == "html" and "<script>" not in content.text
    assert "Bridge &lt;script&gt;alert(1)&lt;/script&gt; &amp;  closes" in content.text
    assert {ln.get("rel"): ln.get("href") for ln in root.findall("a:link", ATOM)} == {
        "self": "feed.atom",
        "alternate": "index.html",
    }
    feed = feedparser.parse(raw)
    assert feed.feed.title == "Briefing archive"
    assert "Lindholm" in feed.entries[0].content[0].value
