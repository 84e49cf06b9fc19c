"""Facts a reader can trust (issue #13): dates against the right day or a visible note, languages the
models cannot read left honest, a quotation over two sentences kept whole, unnamed speakers said so.
Each in every format a user reads: Markdown, HTML, email (plain text) and JSON."""

from __future__ import annotations

import json

import pytest
from conftest import run_briefing

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FORMATS = ("markdown", "html", "email")

UNDATED = (
    "The city council met on Thursday and agreed next year's budget after a long debate.\n\n"
    "The mayor said the plan was fair to every district and would be reviewed next month.\n\n"
    "Opposition members said they would keep pressing for more money for schools.\n"
)
STAMPED = "PUBLISHED: THURSDAY, MAY 2, 2013, 1:32 PM\n\n" + UNDATED
GERMAN = (
    "Der Bundestag hat am Donnerstag ein neues Gesetz zum Klimaschutz beschlossen. Im nächsten Monat soll es "
    "in Kraft treten.\n\nDie Opposition kritisierte das Vorhaben scharf und kündigte eine Klage vor dem "
    "Bundesverfassungsgericht an. Der Minister sagte, das Gesetz sei notwendig, weil die Preise seit Monaten "
    "steigen.\n\nDie Abstimmung fiel knapp aus. Mehrere Abgeordnete der Regierungsparteien stimmten dagegen.\n"
)
QUOTE = (
    "Anna Berg spoke to reporters outside the court on Monday after the verdict was read.\n\n"
    "Berg “welcomed the decision of the court. She made clear that the family would not appeal and wanted "
    "only quiet,” her lawyer Tom Lind said in a statement.\n\n"
    "“We will need time to think about what comes next for all of us,” a spokesman said later.\n"
)


def brief(tmp_path, text, *args, fmt="json", name="a.txt"):
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    p = run_briefing("summarize", src, "-f", fmt, *args)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout) if fmt == "json" else p.stdout


def test_an_undated_article_says_what_its_dates_are_relative_to(tmp_path):
    data = brief(tmp_path, UNDATED)
    assert data["source"]["published"] is None and data["source"]["published_from"] is None
    note = [n for n in data["notes"] if "publication date unknown" in n]
    assert note and note[0].startswith("dates are relative to " + data["source"]["reference_date"])
    for fmt in FORMATS:
        assert "publication date unknown" in brief(tmp_path, UNDATED, fmt=fmt)


def test_a_date_printed_at_the_head_anchors_the_relative_dates(tmp_path):
    data = brief(tmp_path, STAMPED)
    assert data["source"]["published"] == "2013-05-02" and data["source"]["published_from"] == "text"
    assert not any("publication date unknown" in n for n in data["notes"])
    assert {t["text"]: t["value"] for t in data["when"]}["next month"] == "2013-06"
    assert all("2013" not in t["text"] for t in data["timeline"])  # the stamp is no event
    assert "2026" not in json.dumps(data["when"])  # nothing resolved against today


def test_the_option_wins_over_the_text_and_the_metadata(tmp_path):
    data = brief(tmp_path, STAMPED, "--published", "2020-01-10")
    assert data["source"]["published"] == "2020-01-10" and data["source"]["published_from"] == "option"


def test_batch_published_is_a_default_for_lines_without_a_date(tmp_path):
    lines = [
        {"id": "none", "text": UNDATED},
        {"id": "own", "text": UNDATED, "published": "2019-06-01"},
        {"id": "stamp", "text": STAMPED},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    p = run_briefing("batch", src, "--published", "2024-03-01")
    assert p.returncode == 0, p.stderr
    got = {d["id"]: d["source"] for d in map(json.loads, p.stdout.splitlines())}
    assert (got["none"]["published"], got["none"]["published_from"]) == ("2024-03-01", "default")
    assert (got["own"]["published"], got["own"]["published_from"]) == ("2019-06-01", "metadata")
    assert (got["stamp"]["published"], got["stamp"]["published_from"]) == ("2013-05-02", "text")
    p = run_briefing("batch", src)
    notes = {d["id"]: d["notes"] for d in map(json.loads, p.stdout.splitlines())}
    assert any("publication date unknown" in n for n in notes["none"])


def test_a_german_article_gets_no_english_model_guesses(tmp_path):
    data = brief(tmp_path, GERMAN)
    assert data["language"] == "de"
    assert data["who"] == [] and data["where"] == [] and data["when"] == [] and data["timeline"] == []
    assert data["algorithm"] == "lexrank" and data["summary"]
    assert any("German" in n and "English only" in n for n in data["notes"])
    for fmt in FORMATS:
        out = brief(tmp_path, GERMAN, fmt=fmt)
        assert "English only" in out and "Bundestag (person)" not in out


def test_language_option_and_english_default(tmp_path):
    assert brief(tmp_path, UNDATED)["language"] == "en"
    forced = brief(tmp_path, GERMAN, "--language", "en")
    assert forced["language"] == "en" and forced["algorithm"] == "news"
    p = run_briefing("summarize", tmp_path / "a.txt", "--language", "klingon")
    assert p.returncode == 2 and "klingon" in p.stderr and "Traceback" not in p.stderr


def test_a_quotation_over_two_sentences_is_one_item(tmp_path):
    data = brief(tmp_path, QUOTE, "-n", "3")
    whole = [s["text"] for s in data["summary"] if "welcomed the decision" in s["text"]]
    assert whole and "She made clear" in whole[0] and whole[0].endswith("said in a statement.")
    md = brief(tmp_path, QUOTE, "-n", "3", fmt="markdown")
    item = [line for line in md.splitlines() if "welcomed the decision" in line]
    assert item and item[0].startswith("- ") and "She made clear" in item[0]


def test_a_quote_with_no_named_speaker_says_so(tmp_path):
    data = brief(tmp_path, QUOTE)
    unnamed = [q for q in data["quotes"] if "need time to think" in q["text"]]
    assert unnamed and unnamed[0]["speaker"] is None
    for fmt in FORMATS:  # one summary sentence, so the quotes are not already shown under "What"
        out = brief(tmp_path, QUOTE, "-n", "1", fmt=fmt)
        assert "speaker not named" in out


@pytest.mark.parametrize("text", [UNDATED, GERMAN])
def test_every_brief_states_its_language(tmp_path, text):
    assert brief(tmp_path, text)["language"] in ("en", "de")


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def test_a_digest_story_dates_each_event_from_one_article(tmp_path):
    """Two reports of one story, published on different days, each with its own weekdays: every date
    shown comes with words from the same article, resolved against that article's own date."""
    rows = [
        {
            "id": "early",
            "title": "Harbour bridge closed after ship strike",
            "published": "2026-03-09T18:00:00+00:00",  # a Monday
            "text": "The harbour bridge was closed to traffic on Monday after a cargo ship struck one of its "
            "pillars. Engineers inspected the pillar and said repairs would take two weeks. Ferries added "
            "extra sailings for commuters.",
        },
        {
            "id": "later",
            "title": "Harbour bridge to reopen after ship strike repairs",
            "published": "2026-03-12T09:00:00+00:00",  # a Thursday
            "text": "The harbour bridge will reopen on Saturday, engineers said on Wednesday, after repairs to "
            "the pillar a cargo ship struck. Ferries will keep their extra sailings for commuters until then.",
        },
    ]
    src = tmp_path / "news.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    p = run_briefing(
        "digest", src, "--since", "all", "--now", "2026-03-12T12:00:00+00:00",
        "--state", tmp_path / "state.sqlite", "-f", "json",
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    stories = json.loads(p.stdout)["stories"]
    events = [e for s in stories for e in s["when"]]
    assert events
    days = {}
    for e in events:
        assert e["text"] in e["what"]  # the words dated are in the clause shown
        day = next((d for d in WEEKDAYS if d in e["text"]), None)
        if day:  # the label names the weekday the article's words name
            assert e["label"].startswith(day[:3]), e
            days[day] = e["value"]
    assert days.get("Monday") == "2026-03-09" and days.get("Saturday") == "2026-03-14"
    assert days.get("Wednesday") == "2026-03-11"
    for fmt in ("markdown", "email", "html"):
        out = run_briefing(
            "digest", src, "--since", "all", "--now", "2026-03-12T12:00:00+00:00",
            "--state", tmp_path / f"{fmt}.sqlite", "-f", fmt,
        ).stdout  # fmt: skip
        assert "Sat 14 March 2026" in out and "Mon 9 March 2026" in out


CAPTION = (
    "Kevin Sinfield made his 500th appearance for Leeds Rhinos on Friday night at Headingley.\n\n"
    "Warrington forward Ben Harrison is tackled by Stevie Ward during a frantic contest at Headingley "
    "Sinfield stayed on the bench throughout the first half but came on after the break.\n\n"
    "Leeds coach Brian McDermott said Sinfield had earned the rest after a long season.\n"
)
CLUBS = (
    "Manchester City beat Borussia Dortmund 2-1 in the Champions League on Tuesday night.\n\n"
    "Dortmund had led through a penalty before City scored twice in the last ten minutes in Manchester.\n\n"
    "Borussia coach Jurgen Klopp said his players had deserved more from the game.\n"
)


def names(data, key):
    return {e["name"]: e for e in data[key]}


def test_a_caption_run_into_the_next_sentence_gives_no_invented_name(tmp_path):
    data = brief(tmp_path, CAPTION)
    every = [n for e in data["who"] + data["where"] for n in [e["name"], *e["aliases"]]]
    assert not any("Headingley Sinfield" in n for n in every), every
    assert "Headingley" in names(data, "where")
    assert any(e["name"].endswith("Sinfield") and e["type"] == "person" for e in data["who"])
    md, html, email = (brief(tmp_path, CAPTION, fmt=f) for f in FORMATS)
    sections = [
        md.split("## Who", 1)[1].split("## When", 1)[0] + md.split("## Where", 1)[1].split("##", 1)[0],
        html.split('<section class="who">', 1)[1].split('<section class="when">', 1)[0]
        + html.split('<section class="where">', 1)[1].split("</section>", 1)[0],
        email.split("WHO ", 1)[1].split("WHEN ", 1)[0],
    ]
    for who_where in sections:
        assert "Sinfield" in who_where and "Headingley Sinfield" not in who_where


def test_clubs_are_organisations_and_short_forms_are_aliases(tmp_path):
    data = brief(tmp_path, CLUBS)
    who, where = names(data, "who"), names(data, "where")
    assert who["Manchester City"]["type"] == "organisation" and who["Borussia Dortmund"]["type"] == "organisation"
    assert {"Dortmund", "Borussia"} <= set(who["Borussia Dortmund"]["aliases"])
    assert "Dortmund" not in who and "Borussia" not in who
    assert not {"Manchester City", "Borussia", "Borussia Dortmund", "Dortmund"} & set(where)
    md, html, email = (brief(tmp_path, CLUBS, fmt=f) for f in FORMATS)
    assert "**Manchester City** (organisation" in md and "**Borussia Dortmund** (organisation" in md
    assert "<strong>Borussia Dortmund</strong>" in html
    assert "Borussia Dortmund" in email.split("WHO", 1)[1].split("WHERE", 1)[0]
