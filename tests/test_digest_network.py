"""The digest's network rules: private addresses need an explicit opt-in (option, config, or one
source), and the run has a deadline after which whatever is still pending is listed as failed."""

from __future__ import annotations

import json

import pytest
from conftest import run_briefing
from digest_server import NOW_ISO, hours_ago, rss


def _feed(name: str) -> str:
    return rss(
        name,
        [
            {
                "title": f"{name} reports a new harbour bridge",
                "link": f"https://{name.lower()}.example/1",
                "published": hours_ago(1),
                "text": f"{name}: the city opened a new harbour bridge on Tuesday after four years of work.",
            }
        ],
    )


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
            "--timeout",
            "5",
        )

    return run


def test_private_feeds_are_refused_by_default(http_server, run_digest):
    url = http_server.add("/globe.rss", _feed("Globe"), content_type="application/rss+xml")
    code, out, err = run_digest(url)
    assert code == 1 and out == ""
    assert f"{url}: 127.0.0.1 is a loopback address; use --allow-private to fetch from your own network" in err
    assert http_server.requests == []
    code, out, err = run_digest(url, "--allow-private")
    assert code == 0, err
    assert json.loads(out)["n_stories"] == 1


def test_config_allows_private_globally_or_per_source(http_server, run_digest, tmp_path):
    globe = http_server.add("/globe.rss", _feed("Globe"), content_type="application/rss+xml")
    wire = http_server.add("/wire.rss", _feed("Wire"), content_type="application/rss+xml")
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[[sources]]\nurl = "{globe}"\nallow_private = true\n[[sources]]\nurl = "{wire}"\n')
    code, out, err = run_digest("-c", cfg)
    assert code == 3, err
    d = json.loads(out)
    assert [f["spec"] for f in d["failures"]] == [wire] and "--allow-private" in d["failures"][0]["reason"]
    assert {a["source"] for st in d["stories"] for a in st["articles"]} == {"Globe"}
    cfg.write_text(
        f'allow_private = true\n[[sources]]\nurl = "{globe}"\n[[sources]]\nurl = "{wire}"\nallow_private = false\n'
    )
    code, out, err = run_digest("-c", cfg)
    assert code == 3 and [f["spec"] for f in json.loads(out)["failures"]] == [wire]  # a source may say no


def test_opml_children_inherit_the_opt_in(http_server, run_digest, tmp_path):
    globe = http_server.add("/globe.rss", _feed("Globe"), content_type="application/rss+xml")
    opml = http_server.add(
        "/subs.opml",
        f'<opml version="2.0"><body><outline text="G" xmlUrl="{globe}"/></body></opml>',
        content_type="text/x-opml",
    )
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[[sources]]\nurl = "{opml}"\nallow_private = true\n')
    code, out, err = run_digest("-c", cfg)
    assert code == 0, err
    assert json.loads(out)["n_stories"] == 1


@pytest.mark.slow
def test_run_deadline_lists_pending_sources_as_failed(http_server, tmp_path):
    """A feed that trickles for a minute and a per-source timeout of a minute: the run's deadline (2 s)
    ends the reading, the trickling feed is listed as failed, the digest is made from the rest."""
    slow = http_server.add("/slow.rss", _feed("Slow").encode() * 2, content_type="application/rss+xml", trickle=0.1)
    good = tmp_path / "good.xml"
    good.write_text(_feed("Globe"), encoding="utf-8")
    p = run_briefing(
        "digest",
        slow,
        good,
        "--deadline",
        "2",
        "--timeout",
        "60",
        "--allow-private",
        "--now",
        NOW_ISO,
        "--state",
        tmp_path / "s.sqlite",
        "--dry-run",
        "--no-entities",
        "-f",
        "json",
        timeout=60,
    )
    assert p.returncode == 3, p.stderr
    d = json.loads(p.stdout)
    [failure] = d["failures"]
    assert failure["spec"] == slow and failure["reason"] == "not read before the run's deadline (2s)"
    assert d["n_stories"] == 1


@pytest.mark.slow
def test_deadline_from_the_config(http_server, tmp_path):
    slow = http_server.add("/slow.rss", _feed("Slow").encode() * 2, content_type="application/rss+xml", trickle=0.1)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'deadline = 1.5\ntimeout = 60\nallow_private = true\n[[sources]]\nurl = "{slow}"\n')
    p = run_briefing(
        "digest",
        "-c",
        cfg,
        "--now",
        NOW_ISO,
        "--state",
        tmp_path / "s.sqlite",
        "--dry-run",
        "--no-entities",
        timeout=60,
    )
    assert p.returncode == 1
    assert "not read before the run's deadline (1.5s)" in p.stderr and "no digest: all 1 source(s) failed" in p.stderr
