"""Being a good citizen on feeds (issue #14): conditional GETs answered 304 cost one request and read
the body kept with the validators; include/exclude filters per source; a homepage that names its feed
is read as that feed; a file's own date beats its modification time. A real HTTP server on localhost
that honours If-None-Match / If-Modified-Since, the real CLI, real SQLite state."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from digest_server import NOW_ISO, hours_ago, page, rss

from briefing.errors import FetchError
from briefing.sources.fetch import fetch

pytestmark = pytest.mark.e2e


class FeedServer:
    """Routes with validators: a request whose If-None-Match (or, without one, If-Modified-Since)
    matches gets 304. ``log`` has (path, status, If-None-Match, If-Modified-Since) per request."""

    def __init__(self) -> None:
        self.routes: dict[str, dict] = {}
        self.log: list[tuple[str, int, str | None, str | None]] = []
        routes, log = self.routes, self.log

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                route = routes.get(self.path)
                if route is not None and route["delay"]:
                    time.sleep(route["delay"])
                inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
                if route is None:
                    log.append((self.path, 404, inm, ims))
                    self.send_error(404)
                    return
                etag, modified = route["etag"], route["last_modified"]
                fresh = route["always_304"] or (
                    (inm is not None and inm == etag) or (inm is None and ims is not None and ims == modified)
                )
                status = 304 if fresh else 200
                log.append((self.path, status, inm, ims))
                self.send_response(status)
                if etag:
                    self.send_header("ETag", etag)
                if modified:
                    self.send_header("Last-Modified", modified)
                if fresh:
                    self.end_headers()
                    return
                self.send_header("Content-Type", route["content_type"])
                self.send_header("Content-Length", str(len(route["body"])))
                self.end_headers()
                self.wfile.write(route["body"])

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def add(
        self,
        path: str,
        body: str,
        *,
        content_type: str = "application/rss+xml",
        etag: str | None = None,
        last_modified: str | None = None,
        always_304: bool = False,
        delay: float = 0.0,
    ) -> str:
        self.routes[path] = dict(
            body=body.encode(),
            content_type=content_type,
            etag=etag,
            last_modified=last_modified,
            always_304=always_304,
            delay=delay,
        )
        return self.base + path

    def requests(self, path: str) -> list[tuple[str, int, str | None, str | None]]:
        return [r for r in self.log if r[0] == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = FeedServer()
    yield s
    s.close()


@pytest.fixture
def digest(main_run, tmp_path):
    """`briefing digest ... -f json` at NOW on one state file; (exit code, JSON or None, stderr)."""

    def run(*args):
        code, out, err = main_run(
            "digest",
            *args,
            "--now",
            NOW_ISO,
            "--state",
            tmp_path / "state.sqlite",
            "--no-entities",
            "--allow-private",
            "-f",
            "json",
            "--timeout",
            "5",
        )
        return code, (json.loads(out) if out.strip() else None), err

    return run


def _item(n: int, title: str | None = None, text: str | None = None, h: float = 1) -> dict:
    return {
        "title": title or f"Harbour news number {n}",
        "link": f"https://globe.example/{n}",
        "published": hours_ago(h + n / 10),
        "text": text or f"The harbour authority said on Tuesday that ship number {n} docked safely.",
    }


LIGHTHOUSE = "The old lighthouse on Gull Point reopened to visitors after a two-year restoration by volunteers."


def _titles(d: dict) -> set[str]:
    return {a["title"] for st in d["stories"] for a in st["articles"]}


# ---------------------------------------------------------------- conditional GET


def test_second_run_is_one_conditional_request_answered_304(server, digest):
    url = server.add("/globe.rss", rss("Globe", [_item(1), _item(2)]), etag='"v1"')
    code, first, err = digest(url)
    assert code == 0, err
    assert server.requests("/globe.rss") == [("/globe.rss", 200, None, None)]  # nothing kept yet: no validators
    assert _titles(first) == {"Harbour news number 1", "Harbour news number 2"}

    code, second, err = digest(url, "-v")
    assert code == 0, err
    assert server.requests("/globe.rss")[1:] == [("/globe.rss", 304, '"v1"', None)]  # one request, answered 304
    assert second["stats"]["feeds_not_modified"] == 1
    assert second["stats"]["items_read"] == first["stats"]["items_read"] == 2  # the kept body, read again
    assert second["stories"] == []  # reported already: the state keeps repeats out
    assert "not modified (304)" in err

    # the feed changes: a new ETag, one more item, and the new item is news
    server.add(
        "/globe.rss", rss("Globe", [_item(1), _item(2), _item(3, "Lighthouse reopens", LIGHTHOUSE)]), etag='"v2"'
    )
    code, third, err = digest(url)
    assert code == 0, err
    assert server.requests("/globe.rss")[2:] == [("/globe.rss", 200, '"v1"', None)]
    assert _titles(third) == {"Lighthouse reopens"}
    assert "feeds_not_modified" not in third["stats"]

    code, fourth, err = digest(url)  # and the validators moved on with it
    assert server.requests("/globe.rss")[3:] == [("/globe.rss", 304, '"v2"', None)]
    assert fourth["stats"]["items_read"] == 3


def test_last_modified_alone_is_sent_back(server, digest):
    stamp = "Tue, 10 Mar 2026 10:00:00 GMT"
    url = server.add("/wire.rss", rss("Wire", [_item(1)]), last_modified=stamp)
    assert digest(url)[0] == 0
    code, d, err = digest(url, "--include-seen")
    assert code == 0, err
    assert server.requests("/wire.rss")[1:] == [("/wire.rss", 304, None, stamp)]
    assert _titles(d) == {"Harbour news number 1"}  # --include-seen: the kept copy's item, shown again


def test_a_run_that_is_not_recorded_keeps_no_validators(server, digest, tmp_path):
    url = server.add("/globe.rss", rss("Globe", [_item(1), _item(2)]), etag='"v1"')
    code, d, err = digest(url, "--dry-run")
    assert code == 0 and len(_titles(d)) == 2, err
    # a run that fails before it is recorded (its output cannot be written)
    (tmp_path / "a-file").write_text("")
    code, _, err = digest(url, "-o", tmp_path / "a-file" / "out.json")
    assert code != 0 and "Traceback" not in err
    assert [r[2] for r in server.requests("/globe.rss")] == [None, None]  # nothing was kept by either
    code, d, err = digest(url)
    assert code == 0, err
    assert server.requests("/globe.rss")[-1] == ("/globe.rss", 200, None, None)
    assert _titles(d) == {"Harbour news number 1", "Harbour news number 2"}  # nothing hidden by a 304
    code, d, err = digest(url, "--dry-run")  # a dry run may use what was kept, and changes nothing
    assert server.requests("/globe.rss")[-1] == ("/globe.rss", 304, '"v1"', None) and code == 0


def test_a_kept_copy_that_no_longer_reads_is_fetched_again_whole(server, digest, tmp_path):
    url = server.add("/globe.rss", rss("Globe", [_item(1), _item(2)]), etag='"v1"')
    assert digest(url)[0] == 0
    db = sqlite3.connect(tmp_path / "state.sqlite")
    db.execute("UPDATE feed_cache SET body = ? WHERE url = ?", (b"<html><body>not a feed</body></html>", url))
    db.commit()
    db.close()
    code, d, err = digest(url, "--include-seen")
    assert code == 0, err
    assert [r[1:3] for r in server.requests("/globe.rss")] == [(200, None), (304, '"v1"'), (200, None)]
    assert d["stats"]["items_read"] == 2 and "feeds_not_modified" not in d["stats"]
    code, d, err = digest(url)  # the good copy is kept again
    assert server.requests("/globe.rss")[-1] == ("/globe.rss", 304, '"v1"', None)
    assert code == 0 and d["stats"]["items_read"] == 2


def test_pages_fetched_for_full_text_are_never_conditional(server, digest, tmp_path):
    article = page("Harbour news number 1", "The harbour authority said on Tuesday that a ship docked. " * 5)
    server.add("/story.html", article, content_type="text/html", etag='"p1"')
    item = {**_item(1), "link": server.base + "/story.html", "text": "A ship docked."}
    url = server.add("/teasers.rss", rss("Teasers", [item]), etag='"t1"')
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[[sources]]\nurl = "{url}"\nfetch_full = true\n')
    assert digest("-c", cfg)[0] == 0
    code, _, err = digest("-c", cfg)
    assert code == 0, err
    assert [r[1:3] for r in server.requests("/teasers.rss")] == [(200, None), (304, '"t1"')]
    assert [r[1:3] for r in server.requests("/story.html")] == [(200, None), (200, None)]


def test_fetch_takes_304_as_success_only_when_validators_were_sent(server):
    url = server.add("/odd.rss", rss("Odd", [_item(1)]), etag='"x"', always_304=True)
    with pytest.raises(FetchError, match="HTTP 304"):
        fetch(url, allow_private=True)
    got = fetch(url, allow_private=True, etag='"x"')
    assert got.not_modified and got.content == b"" and got.etag == '"x"'
    assert server.log[-1][2] == '"x"'
    # a validator that could smuggle a header line is never sent
    fetch(server.add("/ok.rss", rss("Ok", [_item(1)])), allow_private=True, etag='"a"\r\nX-Evil: 1')
    assert server.log[-1] == ("/ok.rss", 200, None, None)


# ---------------------------------------------------------------- include / exclude


FILTERED = [
    _item(1, "Quake hits Kessler province", "Dozens were hurt on Tuesday."),
    _item(2, "Rates rise again", "The Central Bank lifted its rate to 4.5 percent on Tuesday."),
    _item(3, "Quake aftershock rattles Marrow Falls", "Residents fled their homes on Tuesday night."),
    _item(4, "Earthquakes: a study", "Scientists published a study of earthquakes on Tuesday."),
    _item(5, "CENTRAL\n BANK governor speaks", "The governor spoke in Lindholm on Tuesday."),
    _item(6, "Football results", "Riverton United won on Tuesday, two goals to nil."),
]
KEPT = {"Quake hits Kessler province", "Rates rise again", "CENTRAL BANK governor speaks"}


def test_include_and_exclude_words_pick_a_sources_items(tmp_path, digest):
    (tmp_path / "news.xml").write_text(rss("Globe", FILTERED))
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[[sources]]\npath = "news.xml"\ninclude = ["quake", "central bank"]\nexclude = "aftershock"\n',
        encoding="utf-8",
    )
    code, d, err = digest("-c", cfg, "-v")
    assert code == 0, err
    assert _titles(d) == KEPT  # whole words: "Earthquakes" is not "quake"; any case and spacing
    assert d["stats"]["items_filtered"] == 3 and d["stats"]["items_read"] == 3
    assert "3 item(s) left out by its filters: 1 by exclude, 2 by include" in err

    cfg.write_text('[[sources]]\npath = "news.xml"\nexclude = ["quake", "bank"]\n', encoding="utf-8")
    code, d, err = digest("-c", cfg, "--dry-run", "--include-seen")
    assert code == 0, err
    assert _titles(d) == {"Earthquakes: a study", "Football results"}


def test_sources_a_list_names_inherit_its_filters(tmp_path, server, digest):
    url = server.add("/globe.rss", rss("Globe", FILTERED))
    (tmp_path / "subs.opml").write_text(
        f'<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="G" xmlUrl="{url}"/></body></opml>'
    )
    cfg = tmp_path / "c.toml"
    cfg.write_text('[[sources]]\npath = "subs.opml"\ninclude = ["quake", "central bank"]\nexclude = ["aftershock"]\n')
    code, d, err = digest("-c", cfg)
    assert code == 0, err
    assert _titles(d) == KEPT and d["stats"]["items_filtered"] == 3


# ---------------------------------------------------------------- autodiscovery


def _homepage(feed_href: str | None, *, article: bool = False, title: str = "Globe: the front page") -> str:
    head = f'<link rel="alternate" type="application/rss+xml" title="Globe" href="{feed_href}">' if feed_href else ""
    if article:
        head += '<meta property="og:type" content="article">'
    text = (
        "Welcome to the Globe, the harbour town's newspaper since 1901. Our reporters cover the port, the "
        "council and the football club. Subscribers get the morning edition at their door before six."
    )
    return page(title, text).replace("<head>", "<head>" + head, 1)


def test_a_homepage_is_read_as_the_feed_it_names(server, digest, tmp_path):
    server.add("/feeds/main.xml", rss("Globe", [_item(1), _item(2)]), etag='"f1"')
    home = server.add("/", _homepage("feeds/main.xml"), content_type="text/html")
    code, d, err = digest(home, "-v")
    assert code == 0, err
    assert _titles(d) == {"Harbour news number 1", "Harbour news number 2"}
    assert f"its feed {server.base}/feeds/main.xml" in err
    assert [r[0] for r in server.log] == ["/", "/feeds/main.xml"]  # one hop
    code, d, err = digest(home)  # the discovered feed is conditional too
    assert server.log[-1] == ("/feeds/main.xml", 304, '"f1"', None) and code == 0

    cfg = tmp_path / "c.toml"  # kind = "page": the page itself, as before
    cfg.write_text(f'[[sources]]\nurl = "{home}"\nkind = "page"\n')
    code, d, err = digest("-c", cfg, "--dry-run")
    assert code == 0, err
    assert _titles(d) == {"Globe: the front page"}


def test_an_article_page_is_read_as_the_article_it_is(server, digest):
    server.add("/feeds/main.xml", rss("Globe", [_item(1)]))
    url = server.add("/2026/03/10/fair.html", _homepage("/feeds/main.xml", article=True, title="Fair opens"))
    code, d, err = digest(url, "--dry-run")
    assert code == 0, err
    assert _titles(d) == {"Fair opens"} and "/feeds/main.xml" not in [r[0] for r in server.log]


@pytest.mark.parametrize("path", ["/news/harbour-fair-opens-on-the-quay", "/2026/03/10/fair", "/world-68501234"])
def test_a_page_whose_url_is_a_storys_is_read_as_that_story(server, digest, path):
    """No og:type, no schema.org Article (many blogs): the URL's shape (a slug, a date, a story id)
    still says it is one story, and its site's feed link must not turn it into the whole site."""
    server.add("/feeds/main.xml", rss("Globe", [_item(1)]))
    url = server.add(path, _homepage("/feeds/main.xml", title="Fair opens"), content_type="text/html")
    code, d, err = digest(url, "--dry-run")
    assert code == 0, err
    assert _titles(d) == {"Fair opens"} and "/feeds/main.xml" not in [r[0] for r in server.log]


@pytest.mark.parametrize(
    "href, reason",
    [
        ("/feeds/not-a-feed.html", "no feed at {base}/feeds/not-a-feed.html"),
        ("ftp://127.0.0.1/feed.xml", "only http:// and https:// URLs can be fetched"),
        ("/feeds/missing.xml", "HTTP 404"),
        ("http://0.0.0.0/feed.xml", "0.0.0.0 is an unspecified address, which is never fetched"),  # the address rule
    ],
)
def test_a_discovered_link_that_is_no_feed_is_one_failure(server, digest, href, reason):
    server.add("/feeds/not-a-feed.html", _homepage("/feeds/elsewhere.xml"), content_type="text/html")
    server.add("/feeds/elsewhere.xml", rss("Elsewhere", [_item(1)]))
    home = server.add("/", _homepage(href), content_type="text/html")
    ok = server.add("/ok.rss", rss("Ok", [_item(7)]))
    code, d, err = digest(home, ok, "--dry-run")
    assert code == 3, err  # the other source still makes a digest
    assert [f["spec"] for f in d["failures"]] == [home]
    assert reason.format(base=server.base) in d["failures"][0]["reason"]
    assert "/feeds/elsewhere.xml" not in [r[0] for r in server.log]  # one hop only


def test_the_hop_to_the_feed_counts_in_the_sources_timeout(server, digest, tmp_path):
    server.add("/feed.xml", rss("Globe", [_item(1)]), delay=1.2)
    home = server.add("/", _homepage("/feed.xml"), content_type="text/html", delay=1.2)
    cfg = tmp_path / "c.toml"  # each download alone fits in 2 s; both together do not
    cfg.write_text(f'[[sources]]\nurl = "{home}"\ntimeout = 2\n')
    code, d, err = digest("-c", cfg, "--dry-run")
    assert code == 1 and d is None and "timed out" in err, err


# ---------------------------------------------------------------- a file's own date


def test_a_files_front_matter_date_beats_its_mtime(tmp_path, main_run):
    watched = tmp_path / "inbox"
    watched.mkdir()
    note = watched / "note.md"
    note.write_text(
        "---\ntitle: Harbour master retires\ndate: 2026-03-01\n---\n\n"
        "The harbour master retired on Sunday after forty years at the port. The council thanked him.\n",
        encoding="utf-8",
    )
    now = time.time()
    os.utime(note, (now, now))  # arrived today

    def run(since: str):
        code, out, err = main_run(
            "digest", watched, "--now", NOW_ISO, "--since", since, "--state", tmp_path / "s.sqlite",
            "--no-entities", "-f", "json", "--dry-run",
        )  # fmt: skip
        assert code == 0, err
        return json.loads(out)

    d = run("14d")  # 2026-03-01 is in the two weeks before --now
    [article] = [a for st in d["stories"] for a in st["articles"]]
    assert article["title"] == "Harbour master retires"
    assert article["published"].startswith("2026-03-01")
    d = run("24h")  # judged by its own date, not by when it arrived
    assert d["stories"] == [] and d["stats"]["items_outside_window"] == 1


def test_a_date_printed_at_a_files_head_beats_its_mtime(tmp_path, main_run):
    watched = tmp_path / "inbox"
    watched.mkdir()
    (watched / "wire.txt").write_text(
        "Harbour master retires\n\nMarch 1, 2026\n\n"
        "The harbour master retired on Sunday after forty years at the port. The council thanked him.\n",
        encoding="utf-8",
    )
    code, out, err = main_run(
        "digest", watched, "--now", NOW_ISO, "--since", "14d", "--state", tmp_path / "s.sqlite",
        "--no-entities", "-f", "json", "--dry-run",
    )  # fmt: skip
    assert code == 0, err
    [article] = [a for st in json.loads(out)["stories"] for a in st["articles"]]
    assert article["published"].startswith("2026-03-01")
