"""Offline segmentation and offset-keeping normalisation."""

from __future__ import annotations

import pytest

from briefing.text import clean_for_analysis, split_sentences


def texts(s: str) -> list[str]:
    return [x.text for x in split_sentences(s)]


def test_abbreviations_and_dates_do_not_split():
    s = (
        "The meeting is on Jan. 10 in Geneva. Mr. Smith of the U.S. State Department will attend. "
        "He lives in the U.S. He works for Acme Inc. in Boston."
    )
    assert texts(s) == [
        "The meeting is on Jan. 10 in Geneva.",
        "Mr. Smith of the U.S. State Department will attend.",
        "He lives in the U.S.",
        "He works for Acme Inc. in Boston.",
    ]


def test_quotes_stay_with_their_sentence():
    s = "“We will respond,” he said. “Perhaps, we should prepare for that.” Officials agreed."
    assert texts(s) == ["“We will respond,” he said.", "“Perhaps, we should prepare for that.”", "Officials agreed."]


def test_offsets_are_exact_and_paragraphs_never_merge():
    s = "Title line\n\nFirst paragraph ends here\n\nSecond one. It has two sentences."
    sents = split_sentences(s)
    assert [x.text for x in sents] == [
        "Title line",
        "First paragraph ends here",
        "Second one.",
        "It has two sentences.",
    ]
    for x in sents:
        assert s[x.start : x.end] == x.text
    assert sents[2].paragraph == sents[3].paragraph != sents[1].paragraph


def test_clean_keeps_length_and_blanks_furniture_and_repeats():
    s = (
        "Headline here\n\nA sentence with\u00a0a non-breaking space.\n"
        "Officials inspect the damaged bridge on Tuesday morning.\n"
        "Officials inspect the damaged bridge on Tuesday morning.\n"
        "REUTERS\n\nThe real story goes on here.\n\nPost a Comment\n\nPrevious Post Next Post\n"
    )
    c = clean_for_analysis(s, keep_from=len("Headline here"))
    assert len(c) == len(s)
    assert "\u00a0" not in c and "a non-breaking space" in c
    assert "Headline" not in c
    assert "Officials inspect" not in c, "a caption printed twice is dropped (both copies)"
    assert "REUTERS" not in c and "Post a Comment" not in c and "Previous Post" not in c
    assert "The real story goes on here." in c


def test_near_identical_caption_pair_is_dropped():
    s = (
        "President Joe Biden and Russian President Vladimir Putin speaking on December 7, 2021.\n"
        "President Biden and Russian President Vladimir Putin speaking on December 7, 2021.\n\n"
        "Body text that stays.\n"
    )
    c = clean_for_analysis(s)
    assert "Putin speaking" not in c and "Body text that stays." in c


def test_repeated_paragraph_keeps_first_copy():
    para = "The council will vote on the new budget next week, the mayor said."
    s = f"{para}\n\nSomething else happened in between.\n\n{para}\n"
    c = clean_for_analysis(s)
    assert c.count(para) == 1 and c.index(para) == 0


def test_markdown_structure_is_not_prose():
    s = "Intro sentence here.\n\n## A new collection\n\n---\n\n![photo](a.jpg)\n\n| a | b |\n\nMore prose follows.\n"
    c = clean_for_analysis(s, markdown=True)
    assert len(c) == len(s)
    assert "A new collection" not in c and "---" not in c and "photo" not in c and "| a |" not in c
    assert "Intro sentence here." in c and "More prose follows." in c
    assert "A new collection" in clean_for_analysis(s), "plain text keeps its lines"


# A story paragraph printed twice (a scraping or layout artefact) keeps its first copy; only a
# caption-like line (short, one sentence, nobody speaking) printed twice in a row loses both.
LEAD = (
    "The clashes broke out as candlelit vigils were being held to mark a week since the police "
    "shooting of a 15-year-old boy, which triggered the riots, officials said."
)


@pytest.mark.parametrize("sep", ["\n", "\n\n"])
def test_paragraph_printed_twice_keeps_first_copy(sep):
    s = f"{LEAD}{sep}{LEAD}{sep}Police fired tear gas at the crowd.\n"
    c = clean_for_analysis(s)
    assert c.count(LEAD) == 1 and c.startswith(LEAD)
    assert "Police fired tear gas" in c


def test_article_of_one_paragraph_twice_still_has_sentences():
    from briefing.brief import build_brief
    from briefing.sources import parse_text

    short = "Officials inspect the damaged bridge on Tuesday morning."
    for para in (LEAD, short):
        brief = build_brief(parse_text(f"{para}\n\n{para}\n", name="t"))
        assert [s.text for s in brief.summary] == [para]


def _check_offsets(s: str, sents) -> None:
    for x in sents:
        assert s[x.start : x.end] == x.text
    assert [x.start for x in sents] == sorted(x.start for x in sents)


def test_line_without_full_stops_becomes_sentence_sized_pieces():
    from briefing.text.segment import words

    clause = "officials in the capital met with union leaders and farmers to discuss prices, wages and fuel"
    s = " ".join(f"{clause} {i}," if i % 3 else f"{clause} {i}" for i in range(300))  # ~28,000 chars
    sents = split_sentences(s)
    _check_offsets(s, sents)
    assert len(sents) >= len(words(s)) // 100
    assert all(len(words(x.text)) <= 150 and len(x.text) <= 2000 for x in sents)
    assert sum(len(words(x.text)) for x in sents) == len(words(s)), "no word is lost"


@pytest.mark.parametrize("text", ["数" * 20_000, "7" * 20_000, "مرحبا بالعالم " * 2_000])
def test_scripts_without_spaces_or_stops_are_cut_too(text):
    sents = split_sentences(text)
    _check_offsets(text, sents)
    assert sents and all(len(x.text) <= 2000 for x in sents)


@pytest.mark.slow
def test_long_paragraph_is_segmented_like_its_sentences():
    sentence = "The minister said on Friday that the talks in Geneva would resume next week."
    s = " ".join([sentence] * 1500)  # one 115,000-character paragraph
    sents = split_sentences(s)
    _check_offsets(s, sents)
    assert [x.text for x in sents] == [sentence] * 1500
