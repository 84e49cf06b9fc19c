"""One model for a brief and a digest story, and one publication time.

A brief (``briefing summarize -f json``) and a digest story (``briefing digest -f json``)
write their ``who``/``where`` entries in one shape (``Entity``), and a story's ``when``
entries in the shape of a brief's ``timeline`` entries (``TimelineEvent``). A date-only
item counts as published at noon UTC everywhere (``Article.publication_time``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from briefing.models import Article

TEXT = (
    "President Anna Kessler of Veloria met Prime Minister Tomas Brandt in Geneva on Thursday. "
    "Kessler said the talks with the Northern Trade Council had gone well. "
    "Brandt will travel to Paris on Jan. 10 to meet the council again, his office said. "
    "The Northern Trade Council said in a statement that both leaders agreed to meet again next month."
)


def _same_shape(a: dict, b: dict) -> None:
    """The same keys, and the same JSON type for each value (null goes with any type)."""
    assert set(a) == set(b), f"keys differ: {sorted(set(a) ^ set(b))}"
    for k in a:
        if a[k] is not None and b[k] is not None:
            assert type(a[k]) is type(b[k]), k


def test_a_brief_and_a_digest_story_write_who_where_when_in_one_shape(tmp_path, main_run):
    article = tmp_path / "talks.txt"
    article.write_text("Leaders meet in Geneva\n\n" + TEXT + "\n", encoding="utf-8")
    code, out, err = main_run("summarize", article, "--published", "2026-03-12", "-f", "json")
    assert code == 0, err
    brief = json.loads(out)

    items = tmp_path / "items.jsonl"
    rows = [
        {"id": "a1", "title": "Leaders meet in Geneva", "source": "Globe", "published": "2026-03-12", "text": TEXT},
        {
            "id": "a2",
            "title": "Kessler and Brandt meet in Geneva",
            "source": "Wire",
            "published": "2026-03-12",
            "text": TEXT,
        },
    ]
    items.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    args = ("--since", "all", "--now", "2026-03-12T18:00:00+00:00", "--state", tmp_path / "s.sqlite")
    code, out, err = main_run("digest", items, "-f", "json", *args)
    assert code == 0, err
    (story,) = json.loads(out)["stories"]

    assert brief["who"] and story["who"] and brief["where"] and story["where"]
    for field in ("who", "where"):
        for b in brief[field]:
            for s in story[field]:
                _same_shape(b, s)
    # who and where entries are one type: the same keys in both fields
    assert set(brief["who"][0]) == set(brief["where"][0]) == set(story["where"][0])
    # the entries that existed before keep their keys (the JSON contract: extend, never drop)
    assert {"name", "type", "mentions", "aliases", "role"} <= set(brief["who"][0])
    assert {"name", "mentions", "aliases"} <= set(brief["where"][0])
    assert {"name", "type", "mentions", "aliases", "articles"} <= set(story["who"][0])
    # a story's "when" is a list of dated events, as a brief's "timeline"
    assert brief["timeline"] and story["when"]
    _same_shape(brief["timeline"][0], story["when"][0])
    assert {"value", "label", "what", "articles"} <= set(story["when"][0])
    # the same names found in both: one article told once as a brief and twice as a story
    kessler = next(e for e in story["who"] if "Kessler" in e["name"])
    assert kessler["articles"] == 2 and kessler["type"] == "person"
    assert all(e["articles"] == 1 for e in brief["who"] + brief["where"] + brief["timeline"])


# ---------------------------------------------------------------- one publication time


@pytest.mark.parametrize(
    ("published", "published_at", "expected"),
    [
        (None, None, None),
        (date(2026, 3, 9), None, datetime(2026, 3, 9, 12, 0, tzinfo=UTC)),  # date only: noon UTC
        (None, datetime(2026, 3, 9, 23, 30), datetime(2026, 3, 9, 23, 30, tzinfo=UTC)),  # naive: UTC
        (
            date(2026, 3, 10),
            datetime(2026, 3, 10, 8, 0, tzinfo=timezone(timedelta(hours=2))),
            datetime(2026, 3, 10, 6, 0, tzinfo=UTC),  # the moment wins over the day
        ),
    ],
)
def test_publication_time_is_one_rule(published, published_at, expected):
    a = Article(text="x", published=published, published_at=published_at)
    t = a.publication_time
    assert t == expected
    if t is not None:
        assert t.tzinfo is not None  # always aware: comparable with any other item's time


def test_date_only_noon_stays_on_its_day_in_every_usual_zone():
    t = Article(text="x", published=date(2026, 3, 9)).publication_time
    assert t is not None
    for hours in range(-11, 12):
        assert t.astimezone(timezone(timedelta(hours=hours))).date() == date(2026, 3, 9), hours


def test_digest_shows_a_date_only_item_at_noon_and_keeps_it_in_the_window(tmp_path, main_run):
    """Date-only items: published at noon UTC in the digest's JSON (it was midnight before), and
    the window still takes the whole day: yesterday's item is in a 24h window, today's item is
    not "in the future" for a run at 09:00, tomorrow's is."""
    items = tmp_path / "items.jsonl"
    rows = [
        ("old", "2026-03-08", "Harbour crane collapses in Marlow port"),
        ("yday", "2026-03-09", "Orchestra cancels its winter tour of Velna"),
        ("today", "2026-03-10", "City council approves the new tram line to Oster"),
        ("tomorrow", "2026-03-11", "Astronomers announce a comet visible from Brill"),
        ("timed", "2026-03-10T07:30:00+01:00", "Farmers protest against water levy in Dunmore"),
    ]
    items.write_text(
        "".join(
            json.dumps({"id": i, "title": t, "source": f"Source {i}", "published": p, "text": t + ". " + t + "."})
            + "\n"
            for i, p, t in rows
        ),
        encoding="utf-8",
    )
    args = ("--since", "24h", "--now", "2026-03-10T09:00:00+00:00", "--no-entities", "--state", tmp_path / "s.db")
    code, out, err = main_run("digest", items, "-f", "json", *args)
    assert code == 0, err
    d = json.loads(out)
    published = {a["id"]: a["published"] for st in d["stories"] for a in st["articles"]}
    assert published == {
        "yday": "2026-03-09T12:00:00+00:00",
        "today": "2026-03-10T12:00:00+00:00",
        "timed": "2026-03-10T06:30:00+00:00",
    }
    today = next(st for st in d["stories"] if st["articles"][0]["id"] == "today")
    assert today["earliest"] == today["latest"] == "2026-03-10T12:00:00+00:00"


PAGE = """<!doctype html><html><head><title>Tram line to Oster approved</title>
<meta property="article:published_time" content="2026-03-09">
</head><body><article><h1>Tram line to Oster approved</h1>
<p>The city council of Marlow approved the new tram line to Oster on Monday after a long debate.</p>
<p>Work on the line starts in the spring and the first trams should run in two years, the council said.</p>
<p>Residents of Oster had asked for a tram connection for more than a decade.</p>
</article></body></html>"""


def test_a_page_dated_by_day_only_follows_the_same_rule(http_server, tmp_path, main_run):
    """A web page whose metadata gives a day only was put at that day's midnight as if it were a
    moment, so a 24h window at 09:00 left out yesterday's page; now it is date-only like any other."""
    url = http_server.add("/tram.html", PAGE)
    urls = tmp_path / "reading.txt"
    urls.write_text(url + "\n", encoding="utf-8")
    args = ("--since", "24h", "--now", "2026-03-10T09:00:00+00:00", "--no-entities", "--allow-private")
    code, out, err = main_run("digest", urls, "-f", "json", *args, "--state", tmp_path / "s.db")
    assert code == 0, err
    (story,) = json.loads(out)["stories"]
    assert story["articles"][0]["published"] == "2026-03-09T12:00:00+00:00"
