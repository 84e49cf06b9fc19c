"""Fuzzing the analysis: any text, any publication date, through the whole Python pipeline
(read -> analyse -> assemble -> render in every format) gives a Brief or a BriefingError,
never anything else (the CLI would exit 70 on anything else)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.brief import BriefOptions, build_brief
from briefing.errors import BriefingError
from briefing.models import Brief
from briefing.render import FORMATS, render
from briefing.sources import parse_text

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TEMPORAL = [
    "the winter of 2015",
    "last spring",
    "this winter",
    "Q3",
    "the third quarter",
    "the 1990s",
    "Feb. 30",
    "10,000 BC",
    "the weekend",
    "999999 days ago",
    "next weekend",
    "the year 99999",
    "99999 years from now",
    "yesterday morning",
    "tonight",
    "last week",
    "every Monday",
    "the first half",
    "the 21st century",
    "March 2022",
    "Friday evening",
    "at 10:30 p.m. Sunday",
]
SENTENCES = [
    "The council met {t} and said it would act.",
    "Prices rose sharply {t}, officials said.",
    "“We will respond {t},” the minister told reporters.",
    "{t} the talks in Geneva resumed.",
]
FRAGMENTS = [
    "# Heading\n",
    "**bold** and _em_",
    "[link](http://x.test)",
    "![img](a.png)\n",
    "| a | b |\n",
    "---\n",
    "> quoted\n",
    "<p>para</p>",
    "<script>alert(1)</script>",
    "<b>bold",
    "</div>",
    "&amp; &#x27; &nbsp;",
    "<html><body><article><h1>T</h1><p>Body text here.</p></article></body></html>",
    "\x00\x07\x1b[31m",
    "\r\n",
    "\u202e\u200f",
    "\ufeff",
    "\u2028",
]

arabic = st.text(st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), min_size=1, max_size=40)
hebrew = st.text(st.characters(min_codepoint=0x05D0, max_codepoint=0x05EA), min_size=1, max_size=40)
cjk = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1, max_size=60)
any_unicode = st.text(st.characters(), max_size=300)  # lone surrogates too (JSON escapes)
controls = st.text(st.characters(max_codepoint=0x1F), max_size=50)
digits = st.text("0123456789 ", min_size=1, max_size=300)
punctuation = st.text(".,;:!?-—–\"'“”‘’()[]{}…/\\*#_|<>&", min_size=1, max_size=300)
temporal = st.builds(lambda s, t: s.format(t=t), st.sampled_from(SENTENCES), st.sampled_from(TEMPORAL))
words = st.sampled_from(
    [
        "The",
        "minister",
        "said",
        "Paris",
        "on",
        "Friday",
        "NATO",
        "talks",
        ".",
        ",",
        "\n",
        "\n\n",
        "Mr.",
        "U.S.",
        "Biden",
        "“",
        "”",
        '"',
    ]
)
prose = st.lists(words, min_size=1, max_size=80).map(" ".join)
piece = st.one_of(
    any_unicode, controls, digits, punctuation, arabic, hebrew, cjk, temporal, prose, st.sampled_from(FRAGMENTS)
)
article_text = st.lists(piece, min_size=1, max_size=8).map(lambda ps: " ".join(ps))
published = st.one_of(
    st.none(),
    st.dates(min_value=date.min, max_value=date.max),
    st.sampled_from([date.min, date.max, date(1, 1, 1), date(9999, 12, 31)]),
)
fmt = st.sampled_from([None, "text", "markdown", "html"])


def run_pipeline(text: str, fmt_: str | None, published_: date | None, **opts) -> Brief | None:
    """The pipeline as the CLI runs it; None when it refused the input with a BriefingError."""
    try:
        article = parse_text(text, fmt=fmt_, name="fuzz")
        brief = build_brief(article, BriefOptions(published=published_, **opts))
        for f in FORMATS:
            assert isinstance(render(brief, f), str)
    except BriefingError as e:
        assert "\n" not in str(e)
        return None
    assert isinstance(brief, Brief)
    return brief


def run_pipeline_article(article) -> Brief:
    brief = build_brief(article, BriefOptions())
    for f in FORMATS:
        assert isinstance(render(brief, f), str)
    return brief


@pytest.mark.slow
@FUZZ
@given(article_text, fmt, published)
def test_any_text_gives_a_brief_or_a_briefing_error(text, fmt_, published_):
    run_pipeline(text, fmt_, published_)


@pytest.mark.slow
@FUZZ
@given(
    st.lists(temporal, min_size=1, max_size=12).map(" ".join),
    published,
    st.sampled_from([{}, {"explain": True}, {"ratio": 0.5}, {"words": 30}, {"algorithm": "lead"}]),
)
def test_temporal_phrases_and_any_publication_date(text, published_, opts):
    brief = run_pipeline(text, "text", published_, **opts)
    assert brief is not None  # real sentences: always a brief
    for t in brief.when:
        assert text[t.start : t.end] == t.text
    assert all(e.label for e in brief.timeline)


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(
    st.sampled_from(
        ["\u0645\u0631\u062d\u0628\u0627 ", "\u05e9\u05dc\u05d5\u05dd ", "\u6570\u636e", "7", "!?", "word "]
    ),
    st.integers(2_000, 20_000),
    fmt,
)
def test_long_runs_of_one_script_digit_or_punctuation(unit, size, fmt_):
    run_pipeline(unit * (size // len(unit)), fmt_, None)


@pytest.mark.slow
def test_a_200000_character_line_without_full_stops():
    """One line, no sentence punctuation (a scraped page that lost it): bounded sentences and title."""
    clause = "officials in the capital met union leaders and farmers to discuss prices wages and fuel"
    text = " ".join(f"{clause} {i}" for i in range(2_200))[:200_000]
    brief = run_pipeline(text, "text", date(2024, 3, 14))
    assert brief is not None
    assert len(brief.title) <= 101
    assert all(len(s.text) <= 2_000 for s in brief.summary)
    assert brief.source["sentences"] > 100


@pytest.mark.parametrize(
    "text",
    [
        "The council will vote on the new budget next week, the mayor said.\n\n"
        "The council will vote on the new budget next week, the mayor said.\n",
        "Officials inspect the damaged bridge on Tuesday morning.\nOfficials inspect the damaged bridge on Tuesday morning.\n",
    ],
)
def test_an_article_of_one_paragraph_printed_twice_is_summarised(text):
    brief = run_pipeline(text, None, None)
    assert brief is not None and len(brief.summary) == 1


def test_lone_surrogates_from_json_escapes_are_replaced():
    """A JSON line may escape half a surrogate pair ("\\ud800"): such text cannot be encoded."""
    import json

    text = json.loads('"The minister said \\ud800 on Friday that talks in Geneva went on. \\udfff Prices rose."')
    article = parse_text(text, name="surrogates")
    article.title = json.loads('"Talks \\ud83d go on"')
    brief = run_pipeline_article(article)
    for fmt_ in FORMATS:
        render(brief, fmt_).encode("utf-8")
    assert brief.summary[0].text.startswith("The minister said \ufffd on Friday")
