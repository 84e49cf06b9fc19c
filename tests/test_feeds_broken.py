"""Feeds that are not feeds: truncated, malformed, HTML, empty. Each is a failed source with a short
reason, unless the parser recovered whole entries: those are used and the source gets a warning.

A small valid feed is cut at every byte (as files: fast) and at a sample of bytes over HTTP, through
the real CLI, to check the failures list, the exit code and the one-line messages.
"""

from __future__ import annotations

import json
import re

import pytest
from digest_server import NOW_ISO, hours_ago, rss

from briefing.digest.sources import SourceSpec, read_sources

ITEMS = [
    {
        "title": "Kessler dam opens",
        "link": "https://news.example/dam",
        "published": hours_ago(3),
        "text": "The Kessler dam opened on Tuesday. It powers 40,000 homes.",
    },
    {
        "title": "Café owners protest",
        "link": "https://news.example/cafe",
        "published": hours_ago(2),
        "text": "Café owners in Lindholm protested the city’s “terrace tax” on Tuesday.",
    },
    {
        "title": "Riverton sign Ekdahl",
        "link": "https://news.example/ekdahl",
        "published": hours_ago(1),
        "text": "Riverton United signed the striker Tomas Ekdahl on Tuesday.",
    },
]
FEED = rss("Kessler Courier", ITEMS).encode("utf-8")
TEXTS = [it["text"] for it in ITEMS]
_END = re.compile(rb"</item\s*>")


def _complete_items(prefix: bytes) -> int:
    return len(_END.findall(prefix))


def _read(path, kind="auto"):
    res = read_sources([SourceSpec(spec=str(path), kind=kind)])
    return res, sorted(res.articles, key=lambda a: TEXTS.index(a.text) if a.text in TEXTS else -1)


@pytest.mark.slow
def test_every_truncation_of_a_file_is_a_failure_or_whole_entries_with_a_warning(tmp_path):
    assert len(_read_ok(tmp_path)[1]) == 3
    cuts = {}
    for n in range(len(FEED.rstrip())):
        path = tmp_path / f"cut-{n:05d}.xml"
        path.write_bytes(FEED[:n])
        cuts[str(path)] = n
    res = read_sources([SourceSpec(spec=p) for p in cuts], jobs=2)  # one run: the pool starts once
    failures = {f.spec: f.reason for f in res.failures}
    warnings = {w.split(": ", 1)[0]: w for w in res.warnings}
    texts: dict[str, list[str]] = {}
    for a in res.articles:
        texts.setdefault(a.spec, []).append(a.text)
    assert len(failures) == len(res.failures)  # one failure a file at most
    for spec, n in cuts.items():
        prefix = FEED[:n]
        complete = _complete_items(prefix)
        got = sorted(texts.get(spec, []), key=TEXTS.index)  # ValueError: half an article
        where = f"cut at byte {n}: {prefix[-40:]!r}"
        if complete == 0:
            assert got == [] and spec not in warnings, where
            reason = failures[spec]
            assert "\n" not in reason and len(reason) < 200, reason
            assert reason.startswith(("empty", "malformed XML at line", "not an RSS or Atom feed")), (where, reason)
        else:
            assert got == TEXTS[:complete], where
            assert spec not in failures, (where, failures.get(spec))
            assert "malformed XML at line" in warnings[spec], (where, warnings.get(spec))
            assert f"{complete} entr" in warnings[spec], warnings[spec]
    assert res.sources_ok == len(cuts) - len(failures)


def _read_ok(tmp_path):
    path = tmp_path / "whole.xml"
    path.write_bytes(FEED)
    res, arts = _read(path)
    assert not res.failures and not res.warnings
    return res, arts


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"<<<&&& not xml", "malformed XML at line 1"),
        (b"<?xml version='1.0'?><rss><channel><title>Broken</ti<item>>><<<&&& not xml", "malformed XML at line 1"),
        (
            b"<?xml version='1.0'?>\n<rss version='2.0'>\n<channel><title>T</title>\n<item><title>A",
            "malformed XML at line",
        ),
        (b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>", "HTML page"),
        (b'{"items": [{"title": "not a feed"}]}', "not an RSS or Atom feed"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not an RSS or Atom feed"),
    ],
)
def test_broken_feed_files_fail_with_a_short_reason(tmp_path, body, reason):
    path = tmp_path / "feed.xml"
    path.write_bytes(body)
    res, arts = _read(path, kind="feed")
    assert arts == [] and res.sources_ok == 0
    assert len(res.failures) == 1
    got = res.failures[0].reason
    assert reason in got and "\n" not in got and len(got) < 200, got


def test_a_bad_character_mid_feed_keeps_the_entries_with_a_warning(tmp_path):
    body = FEED.replace(b"40,000 homes.", b"40,000 homes & more.")
    path = tmp_path / "amp.xml"
    path.write_bytes(body)
    res, arts = _read(path)
    assert len(arts) == 3 and not res.failures
    assert len(res.warnings) == 1 and "malformed XML at line" in res.warnings[0]


def test_an_empty_but_valid_feed_is_not_a_failure(tmp_path):
    path = tmp_path / "quiet.xml"
    path.write_text(rss("Quiet Times", []), encoding="utf-8")
    res, arts = _read(path)
    assert arts == [] and res.failures == [] and res.warnings == [] and res.sources_ok == 1


# ---------------------------------------------------------------- over HTTP, through the CLI


@pytest.fixture
def run_digest(main_run, tmp_path):
    def run(*args):
        return main_run(
            "digest",
            *args,
            "--now",
            NOW_ISO,
            "--state",
            tmp_path / "state.sqlite",
            "--dry-run",
            "--no-entities",
            "-f",
            "json",
            "--allow-private",
            "--timeout",
            "5",
        )

    return run


@pytest.fixture
def good_jsonl(tmp_path):
    p = tmp_path / "good.jsonl"
    p.write_text(
        json.dumps(
            {
                "id": "g1",
                "title": "Lindholm opens a new bridge",
                "source": "Globe",
                "text": "A new bridge opened in Lindholm on Tuesday. It cost 40 million krone.",
                "published": "2026-03-10T09:00:00Z",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    return p


CUTS = [
    0,
    30,
    120,
    200,
    FEED.index(b"<item>") + 6,
    FEED.index(b"</item>") - 5,
    FEED.index(b"</item>") + 7,
    FEED.rindex(b"<item>") + 40,
    len(FEED) - 10,
]


@pytest.mark.parametrize("n", CUTS)
def test_truncated_feed_over_http(http_server, run_digest, good_jsonl, n):
    url = http_server.add("/courier.rss", FEED[:n], content_type="application/rss+xml")
    complete = _complete_items(FEED[:n])
    code, out, err = run_digest(url, good_jsonl)
    assert "Traceback" not in err
    d = json.loads(out)
    titles = {a["title"] for st in d["stories"] for a in st["articles"]}
    if complete == 0:
        assert code == 3, err  # one source failed, the other made the digest
        [failure] = d["failures"]
        assert failure["spec"] == url and "\n" not in failure["reason"]
        assert f"briefing: warning: {url}: " in err
        assert titles == {"Lindholm opens a new bridge"}
    else:
        assert code == 0, err
        assert d["failures"] == []
        assert titles == {"Lindholm opens a new bridge", *(it["title"] for it in ITEMS[:complete])}
        assert any("malformed XML at line" in note for note in d["notes"]), d["notes"]
        assert "briefing: warning: " in err and "malformed XML" in err
    # alone, a feed with nothing readable gives no digest at all
    code, out, err = run_digest(url)
    assert code == (1 if complete == 0 else 0), err
    if complete == 0:
        assert out == "" and "no digest: all 1 source(s) failed" in err


@pytest.mark.parametrize(
    "body, ctype, reason",
    [
        (b"<!DOCTYPE html><html><body><p>Our site moved.</p></body></html>", "application/rss+xml", "HTML page"),
        (b"", "application/rss+xml", "empty"),
        (b"<rss version='2.0'><channel><title>x</title><item><title>a</title>", "text/xml", "malformed XML at line 1"),
    ],
)
def test_opml_feeds_that_are_not_feeds_fail(http_server, run_digest, good_jsonl, tmp_path, body, ctype, reason):
    url = http_server.add("/feed", body, content_type=ctype)
    opml = tmp_path / "subs.opml"
    opml.write_text(f'<opml version="2.0"><body><outline text="X" xmlUrl="{url}"/></body></opml>')
    code, out, err = run_digest(opml, good_jsonl)
    assert code == 3, err
    [failure] = json.loads(out)["failures"]
    assert reason in failure["reason"] and failure["spec"] == url
