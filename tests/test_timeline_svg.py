"""The timeline picture in the HTML brief and digest: placed by date, escaped, kept by the mail
sanitiser, and laid out in a real browser (headless Chromium, a 375 px wide screen) with no label
over another and none outside the picture."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from chromium_helpers import Browser, browser, needs_chromium  # noqa: F401

from briefing.deliver.message import email_html
from briefing.render_timeline import ROW, dated_events, row_positions, timeline_svg

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SVG = "{http://www.w3.org/2000/svg}"

EVENTS = [
    {"value": "2024-04-02", "label": "Tue 2 April 2024", "text": "April 2", "what": "The bridge will close."},
    {"value": "P6M", "label": "six months", "text": "six months", "what": "Repairs take six months."},
    {"value": "2024-01", "label": "January 2024", "text": "January", "what": "Cracks were found."},
    {"value": "2024-03-14", "label": "Thu 14 March 2024", "text": "Thursday", "what": "It was announced."},
]


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_events_in_time_order_and_undated_ones_left_to_the_list():
    got = texts(str(timeline_svg(EVENTS)))
    assert got == [
        "January 2024",
        "Cracks were found.",
        "Thu 14 March 2024",
        "It was announced.",
        "Tue 2 April 2024",
        "The bridge will close.",
    ]
    assert [label for _, label, _ in dated_events(EVENTS)] == ["January 2024", "Thu 14 March 2024", "Tue 2 April 2024"]
    # one date is no timeline: the list says it alone
    assert str(timeline_svg(EVENTS[:2])) == ""
    assert str(timeline_svg([])) == "" and str(timeline_svg(None)) == ""


def test_rows_never_closer_than_a_row_and_far_dates_further_apart():
    ys = row_positions([0.0, 1.0, 2.0, 300.0])
    gaps = [b - a for a, b in zip(ys, ys[1:])]
    assert min(gaps) >= ROW
    assert gaps[2] > gaps[0] + 10 and gaps[0] == pytest.approx(gaps[1])
    same_day = row_positions([5.0, 5.0, 5.0])
    assert [b - a for a, b in zip(same_day, same_day[1:])] == [ROW, ROW]


def test_article_text_is_escaped_and_the_picture_is_well_formed_xml():
    hostile = [
        {"value": "2024-01-02", "label": '</text><script>alert(1)</script>"', "what": "a & b <img src=x onerror=y>"},
        {"value": "2024-01-05", "label": "Zoë\x00\x1b[31m", "what": "]]><!-- -->"},
    ]
    svg = str(timeline_svg(hostile))
    assert "<script" not in svg and "<img" not in svg
    root = ET.fromstring(svg)  # well-formed: no control character, nothing unescaped
    assert root.tag == f"{SVG}svg"
    joined = " ".join(texts(svg))
    assert "<script>alert(1)</script>" in joined and "<img src=x onerror=y>" in joined  # shown as text
    assert "Zoë[31m" in joined


def test_the_mail_sanitiser_keeps_the_picture_and_nothing_that_runs_or_loads():
    page = f"<html><body><p>x</p>{timeline_svg(EVENTS)}</body></html>"
    mailed = email_html(page)
    start, end = mailed.index("<svg"), mailed.index("</svg>") + len("</svg>")
    assert texts(mailed[start:end].replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1)) == texts(
        str(timeline_svg(EVENTS))
    )
    hostile = (
        '<html><body><svg viewBox="0 0 10 10" onload="alert(1)" fill="url(https://evil.example/x)">'
        '<a href="javascript:alert(2)"><text x="expression(1)" y="2" fill="red;behavior:url(x)">t</text></a>'
        '<foreignObject><img src="https://evil.example/p.png"></foreignObject><use href="#a"/>'
        '<image href="https://evil.example/i.png"/><animate attributeName="href" to="javascript:x"/>'
        "<style>text{fill:url(https://evil.example/s)}</style><script>alert(3)</script></svg></body></html>"
    )
    out = email_html(hostile).lower()
    for bad in ("onload", "javascript", "evil.example", "expression", "foreignobject", "<use", "<image", "<animate"):
        assert bad not in out, bad
    assert "<script" not in out and "<style" not in out and "alert" not in out
    assert '<svg viewbox="0 0 10 10">' in out and '<text y="2">t</text>' in out


# --- in the browser ---------------------------------------------------------------------------------------

MEASURE = """
const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
return [...document.querySelectorAll('svg.timeline')].map((svg) => ({
  svg: box(svg),
  text: svg.textContent,
  labels: [...svg.querySelectorAll('text')].map((t) => ({box: box(t), text: t.textContent})),
  fill: getComputedStyle(svg.querySelector('text')).fill,
  colour: getComputedStyle(svg).color,
  background: getComputedStyle(document.body).backgroundColor,
}));
"""


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_pictures(pictures: list[dict], events_per_picture: list[list[dict]]) -> None:
    """Each picture renders (a box of its own size), shows its events' labels, and no label box overlaps
    another or sticks out of the picture."""
    assert len(pictures) == len(events_per_picture) and pictures
    for pic, events in zip(pictures, events_per_picture):
        left, top, right, bottom = pic["svg"]
        assert right - left > 200 and bottom - top > 2 * ROW, pic["svg"]  # not blank, not squashed
        assert right <= 375  # fits the phone's screen
        for e in dated_events(events):
            assert e[1][:20] in pic["text"], (e[1], pic["text"])
        boxes = [lab["box"] for lab in pic["labels"]]
        assert len(boxes) >= 4
        for i, a in enumerate(boxes):
            assert a[2] - a[0] > 10 and a[3] - a[1] > 5, pic["labels"][i]  # the text was laid out
            assert left - 0.5 <= a[0] and a[2] <= right + 0.5 and top - 0.5 <= a[1] and a[3] <= bottom + 0.5, (
                pic["labels"][i],
                pic["svg"],
            )
            for j in range(i + 1, len(boxes)):
                assert not overlap(a, boxes[j]), (pic["labels"][i], pic["labels"][j])


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The sample article's HTML brief, its mailed HTML part, and the sample digest's HTML page
    (made once: the language model is loaded by the first of them)."""
    from briefing import BriefOptions, build_brief, read_source
    from briefing.cli import main
    from briefing.deliver import MailSettings, compose_for
    from briefing.render import render

    folder = tmp_path_factory.mktemp("timeline")
    brief = build_brief(read_source(str(SAMPLES / "harbour-bridge.html")), BriefOptions())
    (folder / "brief.html").write_text(render(brief, "html"), encoding="utf-8")
    msg = compose_for(brief, MailSettings(sender="zoe@example.org", to=["j@example.com"]))
    (folder / "brief-mail.html").write_text(msg.get_body(("html",)).get_content(), encoding="utf-8")
    shutil.copy(SAMPLES / "articles.jsonl", folder / "articles.jsonl")
    args = ["digest", folder / "articles.jsonl", "--since", "all", "--state", folder / "state.sqlite"]
    args += ["--now", "2026-03-10T12:00:00+00:00", "--quiet"]
    for fmt, name in (("html", "digest.html"), ("json", "digest.json")):
        try:
            main([str(a) for a in [*args, "--include-seen", "-f", fmt, "-o", folder / name]])
        except SystemExit as e:
            assert not e.code, e.code
    digest = json.loads((folder / "digest.json").read_text(encoding="utf-8"))
    return folder, brief.to_dict(), digest


@needs_chromium
@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.parametrize("page", ["brief.html", "brief-mail.html"])
def test_brief_timeline_on_a_phone_screen(browser, pages, page):  # noqa: F811
    folder, brief, _ = pages
    assert len(dated_events(brief["timeline"])) >= 3  # the sample has a timeline worth drawing
    browser.open((folder / page).as_uri())
    check_pictures(browser.run(MEASURE), [brief["timeline"]])
    # the list stays, for mail clients that drop SVG
    listed = browser.run("return document.querySelector('section.when ul').innerText")
    for e in brief["timeline"]:
        assert e["label"] in listed


@needs_chromium
@pytest.mark.e2e
@pytest.mark.slow
def test_digest_timelines_on_a_phone_screen(browser, pages):  # noqa: F811
    folder, _, digest = pages
    drawn = [st["when"][:4] for st in digest["stories"] if len(dated_events(st["when"][:4])) >= 2]
    assert len(drawn) >= 2
    browser.open((folder / "digest.html").as_uri())
    check_pictures(browser.run(MEASURE), drawn)


@needs_chromium
@pytest.mark.e2e
@pytest.mark.slow
def test_dark_mode_draws_in_the_text_colour(tmp_path, pages):
    folder, _, _ = pages
    for dark in (False, True):
        b = Browser(tmp_path / f"profile-{dark}", dark=dark)
        try:
            b.open((folder / "brief.html").as_uri())
            [pic] = b.run(MEASURE)
        finally:
            b.close()
        assert pic["fill"] == pic["colour"] != pic["background"]
        ink = [int(x) for x in pic["colour"].split("(")[1].split(")")[0].split(",")[:3]]
        assert (sum(ink) > 600) if dark else (sum(ink) < 150), (dark, pic)
