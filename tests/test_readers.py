"""The reader registry: one reader per format, picked by the kind given, the extension, the content type
a server sends, or the bytes. Real files and a real HTTP server on localhost."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from briefing.errors import FeedError, InputError
from briefing.sources import read_url
from briefing.sources.base import Origin, is_url, parse_published
from briefing.sources.fetch import fetch
from briefing.sources.registry import CONTENT_TYPES, EXTENSIONS, pick_file, pick_remote, read, sniff

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Metro Herald</title><link>http://example.invalid/</link>
<description>news</description>
<item><title>Dam opens in Kessler</title><link>http://example.invalid/dam</link>
<guid>http://example.invalid/dam</guid><pubDate>Tue, 10 Mar 2026 08:00:00 GMT</pubDate>
<description>The new dam in Kessler opened on Tuesday. It cost 40 million dollars.</description></item>
<item><title>Bridge closes in Lindholm</title><link>http://example.invalid/bridge</link>
<description>The old bridge in Lindholm closed on Monday.</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:wire</id>
<updated>2026-03-10T08:00:00Z</updated>
<entry><title>Dam opens</title><link href="http://example.invalid/a"/><id>urn:a</id>
<updated>2026-03-10T08:00:00Z</updated><content type="html">&lt;p&gt;The dam opened.&lt;/p&gt;</content></entry>
</feed>
"""

OPML = """<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="World">
  <outline text="Herald" type="rss" xmlUrl="herald.xml"/>
  <outline text="Wire" type="rss" xmlUrl="https://wire.example/atom"/>
</outline>
</body></opml>
"""

PAGE = (
    "<!DOCTYPE html><html><head><title>Dam opens in Kessler</title></head><body><article>"
    "<h1>Dam opens in Kessler</h1><p>The new dam in Kessler opened on Tuesday after six years of work.</p>"
    "<p>It cost 40 million dollars, officials said on Tuesday evening.</p></article></body></html>"
)
MARKDOWN = "---\ntitle: Dam opens\ndate: 2026-03-10\n---\n\nThe new dam in Kessler opened on Tuesday.\n"
PROSE = "Dam opens in Kessler\n\nThe new dam in Kessler opened on Tuesday. It cost 40 million dollars.\n"
URLS = "# my sources\nhttps://a.example/feed.xml\n\nhttps://b.example/news.rss\n"
JSONL = (
    json.dumps({"id": "a1", "title": "Dam opens", "text": "The dam opened.", "published": "2026-03-10T08:00:00Z"})
    + "\n"
    + json.dumps({"id": 2, "title": "Headline only", "published": "2026-03-09", "source": "Globe"})
    + "\n"
)


def _write(tmp_path: Path, name: str, body: str) -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def _read_file(p: Path, kind: str = "auto"):
    data = p.read_bytes
    fmt = pick_file(p, kind, data)
    if fmt == "article":
        return fmt, None
    return fmt, read(data(), Origin(name=str(p), path=p), fmt)


# ---------------------------------------------------------------- by extension and by the bytes


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("feed.xml", RSS, "feed"),
        ("feed.rss", RSS, "feed"),
        ("wire.atom", ATOM, "feed"),
        ("subs.opml", OPML, "opml"),
        ("subscriptions.xml", OPML, "opml"),  # an OPML list named .xml: its bytes say what it is
        ("news.jsonl", JSONL, "jsonl"),
        ("news.ndjson", JSONL, "jsonl"),
        ("sources.txt", URLS, "urls"),
        ("sources.list", URLS, "urls"),
        ("sources", URLS, "urls"),  # no extension: the lines say it is a list
        ("story.txt", PROSE, "article"),
        ("story.md", MARKDOWN, "article"),
        ("story.html", PAGE, "article"),
        ("story.htm", PAGE, "article"),
    ],
)
def test_a_local_file_gets_the_reader_its_extension_or_content_says(tmp_path, name, body, expected):
    fmt, _ = _read_file(_write(tmp_path, name, body))
    assert fmt == expected


def test_each_local_reader_reads_what_it_was_picked_for(tmp_path):
    _, feed = _read_file(_write(tmp_path, "feed.xml", RSS))
    assert [a.title for a in feed.articles] == ["Dam opens in Kessler", "Bridge closes in Lindholm"]
    assert feed.articles[0].published_at == datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    assert feed.articles[0].source_name == "Metro Herald" and feed.articles[0].key

    _, opml = _read_file(_write(tmp_path, "subscriptions.xml", OPML))
    assert [(e.target, e.kind, e.name, e.section) for e in opml.listed] == [
        (str(tmp_path / "herald.xml"), "feed", "Herald", "World"),  # relative to the list's folder
        ("https://wire.example/atom", "feed", "Wire", "World"),
    ]

    _, urls = _read_file(_write(tmp_path, "sources.txt", URLS))
    assert [e.target for e in urls.listed] == ["https://a.example/feed.xml", "https://b.example/news.rss"]

    _, jsonl = _read_file(_write(tmp_path, "news.jsonl", JSONL))
    assert [a.id for a in jsonl.articles] == ["a1", "2"]
    assert jsonl.articles[1].text == "Headline only" and jsonl.articles[1].source_name == "Globe"
    assert jsonl.articles[0].source_name == "news"  # no "source": the file's name


def test_a_kind_given_beats_the_extension(tmp_path):
    p = _write(tmp_path, "prose.txt", URLS)
    assert pick_file(p, "jsonl", p.read_bytes) == "jsonl"
    assert pick_file(p, "page", p.read_bytes) == "article"
    listed = _write(tmp_path, "mixed.txt", "https://a.example/feed.xml\nnot a url\n")
    assert pick_file(listed, "auto", listed.read_bytes) == "article"  # a line that is no URL: prose
    assert pick_file(listed, "urls", listed.read_bytes) == "urls"


def test_sniffing_the_bytes():
    assert sniff(OPML.encode()) == "opml"
    assert sniff(RSS.encode()) == "feed"
    assert sniff(ATOM.encode()) == "feed"
    assert sniff(b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>x</body></html>') == "html"
    assert sniff(b"plain words") is None
    assert sniff(b"anything", "application/rss+xml") == "feed"  # a feed's content type is believed


def test_one_table_each_for_extensions_and_content_types():
    assert {EXTENSIONS[e] for e in (".html", ".htm", ".xhtml")} == {"html"}
    assert CONTENT_TYPES["application/atom+xml"] == "feed" and CONTENT_TYPES["application/x-ndjson"] == "jsonl"
    assert CONTENT_TYPES["text/markdown"] == "markdown"


# ---------------------------------------------------------------- by content type, over HTTP


def _remote(url: str, kind: str = "auto"):
    got = fetch(url, timeout=10, allow_private=True)
    origin = Origin(name=url, url=got.url, content_type=got.content_type, charset=got.charset)
    fmt = pick_remote(got.content, origin, kind)
    return fmt, read(got.content, origin, fmt)


def test_a_feed_served_as_text_html_is_read_as_a_feed(http_server):
    fmt, reading = _remote(http_server.add("/news", RSS, content_type="text/html; charset=utf-8"))
    assert fmt == "feed" and len(reading.articles) == 2


@pytest.mark.parametrize(
    ("path", "body", "ctype", "kind", "expected"),
    [
        ("/rss", RSS, "application/rss+xml", "auto", "feed"),
        ("/atom", ATOM, "application/atom+xml", "auto", "feed"),
        ("/feed-as-plain", RSS, "text/plain", "auto", "feed"),  # the bytes say feed
        ("/subs.xml", OPML, "application/xml", "auto", "opml"),
        ("/subs", OPML, "text/xml", "feed", "opml"),  # said to be a feed, but an OPML list
        ("/news.jsonl", JSONL, "application/octet-stream", "auto", "jsonl"),  # by the URL's extension
        ("/export", JSONL, "application/x-ndjson", "auto", "jsonl"),  # by the content type
        ("/page", PAGE, "text/html", "auto", "html"),
        ("/list", URLS, "text/plain", "file", "urls"),
        ("/notes", MARKDOWN, "text/markdown", "file", "markdown"),
        ("/plain", PROSE, "text/plain", "file", "text"),
    ],
)
def test_a_remote_source_gets_the_reader_its_content_type_or_bytes_say(http_server, path, body, ctype, kind, expected):
    fmt, reading = _remote(http_server.add(path, body, content_type=ctype), kind)
    assert fmt == expected
    assert reading.articles or reading.listed


def test_a_list_on_the_web_names_links_against_its_url(http_server):
    url = http_server.add("/lists/mine.txt", "feed.xml\n../other.rss\n", content_type="text/plain")
    fmt, reading = _remote(url, "urls")
    assert fmt == "urls"
    assert [e.target for e in reading.listed] == [f"{http_server.base}/lists/feed.xml", f"{http_server.base}/other.rss"]


def test_what_no_reader_reads_is_one_line(http_server):
    url = http_server.add("/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    with pytest.raises(InputError, match=r"not a feed or an article \(content type image/png\)"):
        _remote(url, "file")
    with pytest.raises(InputError, match=r"not an article \(content type application/json\)"):
        read_url(http_server.add("/api", "{}", content_type="application/json"), allow_private=True)
    assert read_url(http_server.add("/n.md", MARKDOWN, content_type="text/markdown"), allow_private=True).format == (
        "markdown"
    )
    with pytest.raises(FeedError, match="an HTML page, not a feed"):
        _remote(http_server.add("/not-a-feed", PAGE, content_type="text/html"), "feed")


# ---------------------------------------------------------------- one JSONL parser, one date, one is_url


def test_batch_and_digest_parse_a_jsonl_line_by_the_same_rules(tmp_path):
    from briefing.batch import parse_line as batch_line
    from briefing.digest.sources import SourceSpec, read_sources

    lines = [
        {"id": "a", "text": "A text.", "published": "0001-01-01"},
        {"id": "b", "text": "A text.", "title": 5},
        {"id": "c", "text": "A text.", "published": "last Tuesday"},
        {"id": [1], "text": "A text."},
    ]
    batch_errors = [batch_line(json.dumps(rec), n)[3] for n, rec in enumerate(lines, 1)]
    assert all(batch_errors)
    for n, rec in enumerate(lines, 1):
        p = tmp_path / f"{n}.jsonl"
        p.write_text("\n" * (n - 1) + json.dumps(rec) + "\n")  # the record on line n
        res = read_sources([SourceSpec(str(p))])
        assert not res.articles and [f.reason for f in res.failures] == [batch_errors[n - 1]]


def test_parse_published_is_one_definition():
    assert parse_published("2021-12-30") == (date(2021, 12, 30), None)
    assert parse_published(" 2021-12-30T10:00:00z ") == (
        date(2021, 12, 30),
        datetime(2021, 12, 30, 10, 0, tzinfo=UTC),
    )
    assert parse_published("2021-12-30T10:00:00")[1] == datetime(2021, 12, 30, 10, 0, tzinfo=UTC)  # naive is UTC
    assert parse_published("2021-12-31T23:30:00-05:00")[0] == date(2021, 12, 31)  # the day where it was written
    with pytest.raises(ValueError, match="out of range"):
        parse_published("9999-12-31")
    with pytest.raises(ValueError, match="not an ISO date"):
        parse_published("yesterday")


def test_one_is_url():
    import briefing.digest.sources as digest_sources
    import briefing.sources as sources

    assert digest_sources.is_url is sources.is_url is is_url
    assert is_url("https://example.org/a") and not is_url("notes/https-guide.md")
