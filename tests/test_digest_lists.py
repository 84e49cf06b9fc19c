"""OPML and URL lists: every source is read at most once a run, lists nest but never loop, and the
number of sources lists may name is capped (with one warning, not one per source)."""

from __future__ import annotations

import json

import pytest
from digest_server import NOW_ISO, hours_ago, rss

from briefing.digest.sources import MAX_LISTED_SOURCES, SourceSpec, read_sources, source_identity


def _feed(name: str, n: int = 1) -> str:
    return rss(
        name,
        [
            {
                "title": f"{name} story {i}",
                "link": f"https://{name.lower()}.example/{i}",
                "published": hours_ago(1),
                "text": f"Something happened in {name} on Tuesday, number {i}.",
            }
            for i in range(n)
        ],
    )


def _opml(*urls: str) -> str:
    outlines = "".join(f'<outline text="o{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls))
    return f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>'


def _read(*specs, **kw):
    return read_sources([SourceSpec(spec=str(s)) for s in specs], **kw)


def test_identity_normalises_urls_and_paths(tmp_path):
    same = ["http://Example.ORG/feed.xml", "HTTP://example.org:80/feed.xml#top", "http://example.org/feed.xml"]
    assert len({source_identity(u) for u in same}) == 1
    assert source_identity("https://example.org:443/a") == source_identity("https://example.org/a")
    assert source_identity("https://example.org/A") != source_identity("https://example.org/a")  # paths keep case
    assert source_identity("http://example.org/a?x=1") != source_identity("http://example.org/a?x=2")
    (tmp_path / "d").mkdir()
    f = tmp_path / "f.xml"
    f.write_text("x")
    assert source_identity(str(tmp_path / "d" / ".." / "f.xml")) == source_identity(str(f))


def test_opml_file_listing_itself_is_read_once(tmp_path):
    (tmp_path / "world.xml").write_text(_feed("World"))
    me = tmp_path / "subs.opml"
    me.write_text(_opml("subs.opml", str(me), "world.xml", "./world.xml"))
    res = _read(me)
    assert res.failures == [] and res.warnings == []
    assert [a.title for a in res.articles] == ["World story 0"]


def test_opml_naming_itself_a_thousand_times(tmp_path):
    (tmp_path / "world.xml").write_text(_feed("World", 2))
    me = tmp_path / "subs.opml"
    me.write_text(_opml(*(["subs.opml"] * 1000), "world.xml"))
    done = []
    res = _read(me, on_progress=lambda d, t, label: done.append(t))
    assert res.failures == [] and res.warnings == []
    assert sorted(a.title for a in res.articles) == ["World story 0", "World story 1"]
    assert max(done) == 2  # the list and the feed, nothing else was ever queued


def test_two_lists_naming_each_other(tmp_path):
    (tmp_path / "a.xml").write_text(_feed("Alpha"))
    (tmp_path / "b.xml").write_text(_feed("Beta"))
    (tmp_path / "a.opml").write_text(_opml("b.opml", "a.xml"))
    (tmp_path / "b.opml").write_text(_opml("a.opml", "b.xml"))
    urls = tmp_path / "list.txt"  # a URL list (of paths) that names both lists and itself
    urls.write_text(f"{tmp_path / 'a.opml'}\n{tmp_path / 'b.opml'}\n{urls}\n")
    res = read_sources([SourceSpec(spec=str(urls), kind="urls")])
    assert res.failures == [] and res.warnings == []
    assert sorted(a.title for a in res.articles) == ["Alpha story 0", "Beta story 0"]


def test_the_same_source_given_twice_is_read_once(tmp_path):
    (tmp_path / "w.xml").write_text(_feed("World"))
    res = _read(tmp_path / "w.xml", tmp_path / "." / "w.xml", tmp_path / "w.xml")
    assert [a.title for a in res.articles] == ["World story 0"] and res.failures == []


def test_self_listing_opml_over_http_is_fetched_once(http_server):
    base = http_server.base
    port = http_server.httpd.server_address[1]
    http_server.add("/world.rss", _feed("World"), content_type="application/rss+xml")
    http_server.add(
        "/subs.opml",
        _opml(
            f"{base}/subs.opml",
            "/subs.opml",
            "subs.opml#again",
            f"HTTP://127.0.0.1:{port}/subs.opml",
            f"{base}/world.rss",
            "world.rss",
        ),
        content_type="text/x-opml",
    )
    res = _read(f"{base}/subs.opml", allow_private=True)
    assert res.failures == [] and res.warnings == []
    assert [a.title for a in res.articles] == ["World story 0"]
    assert sorted(http_server.requests) == ["/subs.opml", "/world.rss"]


@pytest.mark.slow
def test_lists_name_at_most_the_cap_with_one_warning(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    n = MAX_LISTED_SOURCES + 25
    for i in range(n):
        (notes / f"n{i}.txt").write_text(f"Note {i}\n\nSomething happened on Tuesday, number {i}.\n")
    half = n // 2  # two lists share the allowance: it is for the run, not for each list
    (tmp_path / "a.txt").write_text("\n".join(f"notes/n{i}.txt" for i in range(half)))
    (tmp_path / "b.txt").write_text("\n".join(f"notes/n{i}.txt" for i in range(half, n)))
    res = read_sources([SourceSpec(spec=str(tmp_path / name), kind="urls") for name in ("a.txt", "b.txt")])
    assert len(res.articles) == MAX_LISTED_SOURCES
    assert res.failures == []
    [warning] = res.warnings
    assert f"{n - MAX_LISTED_SOURCES} more" in warning and str(MAX_LISTED_SOURCES) in warning


def test_remote_url_list_cannot_name_local_files(http_server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Secret\n\nThe password is hunter2 and this must never be read.\n")
    (tmp_path / "safe.md").write_text("# Safe\n\nNothing here.\n")
    url = http_server.add("/list.txt", f"{secret}\n~/.ssh/id_rsa\nsafe.md\n/etc/hostname\n", content_type="text/plain")
    res = read_sources([SourceSpec(spec=url, kind="urls")], allow_private=True)
    assert not any("hunter2" in a.text for a in res.articles)
    # a remote list's lines are links on the web, resolved against the list's URL: never local paths
    base = http_server.base
    assert {f.spec for f in res.failures} == {
        f"{base}{secret}",
        f"{base}/~/.ssh/id_rsa",
        f"{base}/safe.md",
        f"{base}/etc/hostname",
    }
    assert all("404" in f.reason for f in res.failures)


@pytest.mark.parametrize("kind", ["opml", "urls"])
def test_cli_self_listing_list_is_quiet(tmp_path, main_run, kind):
    (tmp_path / "w.xml").write_text(_feed("World"))
    if kind == "opml":
        lst = tmp_path / "subs.opml"
        lst.write_text(_opml(*(["subs.opml"] * 10), "w.xml"))
    else:  # a list of paths is a URL list when the config says so
        lst = tmp_path / "subs.txt"
        lst.write_text("\n".join([str(lst)] * 10 + [str(tmp_path / "w.xml")]))
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[[sources]]\npath = "{lst.name}"\nkind = "{kind}"\n')
    code, out, err = main_run(
        "digest",
        "-c",
        cfg,
        "--now",
        NOW_ISO,
        "--state",
        tmp_path / "s.sqlite",
        "--dry-run",
        "--no-entities",
        "-f",
        "json",
    )
    assert code == 0, err
    assert "warning" not in err and len(err.splitlines()) == 1
    assert [a["title"] for st in json.loads(out)["stories"] for a in st["articles"]] == ["World story 0"]


@pytest.mark.slow
def test_a_huge_opml_is_streamed_and_capped(tmp_path):
    """30,000 outlines: the tree is never built whole, 1,000 are read, one warning counts the rest."""
    import tracemalloc

    n = 30_000
    big = tmp_path / "big.opml"
    big.write_text(
        '<opml version="2.0"><body><outline text="Folder">'
        + "".join(f'<outline xmlUrl="missing/f{i}.xml"/>' for i in range(n))
        + "</outline></body></opml>"
    )
    small = tmp_path / "small.opml"
    small.write_text(_opml("missing/x.xml"))
    _read(small)  # what the first read imports is no part of the measure
    tracemalloc.start()
    try:
        res = _read(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 1024 * 1024, peak  # the whole tree of 30,000 outlines alone takes 13 MB
    assert len(res.failures) == MAX_LISTED_SOURCES and all(f.reason == "no such file or folder" for f in res.failures)
    assert res.warnings == [
        f"source lists name more than {MAX_LISTED_SOURCES} sources: {n - MAX_LISTED_SOURCES} more were not read"
    ]
