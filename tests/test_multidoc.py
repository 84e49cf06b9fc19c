"""Story summaries: verbatim, no sentence twice in other words, within budget, never empty."""

from __future__ import annotations

from pathlib import Path

from briefing.digest.dedup import is_near_duplicate
from briefing.digest.models import StoryLine
from briefing.digest.multidoc import summarize_story
from briefing.models import Article
from briefing.text import word_count

FIXTURE = Path(__file__).parent / "fixtures" / "stories_small.jsonl"

WIRE = (
    "Vantor Appliances is recalling about 40,000 portable space heaters because they can overheat "
    "and catch fire, the company said on Monday."
)
STORY = [
    Article(
        title="Vantor recalls 40,000 heaters",
        text=(
            WIRE + " The recall covers the HeatWave 200 model sold between 2021 and 2023. "
            "Vantor shares fell 3% in early trading."
        ),
    ),
    Article(
        title="Vantor heater recall",
        text=(
            "The company said on Monday that Vantor Appliances is recalling about 40,000 portable space heaters "
            "because they can overheat and catch fire. Owners should stop using the HeatWave 200 heaters and ask "
            "for a refund, regulators said. The recall covers the HeatWave 200 model sold between 2021 and 2023."
        ),
    ),
    Article(
        title="Fire risk: Vantor heaters recalled",
        text=(
            WIRE + " A company spokesman said no injuries had been reported. "
            "The heaters were sold in the United States and Canada."
        ),
    ),
]


def test_sentences_are_verbatim_with_offsets():
    out = summarize_story(STORY)
    assert out and all(isinstance(s, StoryLine) for s in out)
    for s in out:
        assert STORY[s.article_index].text[s.start : s.end] == s.text


def test_no_near_duplicates_in_a_story_summary():
    out = summarize_story(STORY, max_sentences=5)
    texts = [s.text for s in out]
    assert len(texts) >= 2
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            assert not is_near_duplicate(texts[i], texts[j]), (texts[i], texts[j])
    # the wire sentence all three outlets carry is the one the story leads with
    assert "recalling about 40,000 portable space heaters" in texts[0]


def test_stays_within_budget_and_never_empty():
    out = summarize_story(STORY, budget_words=40, max_sentences=3)
    assert 1 <= len(out) <= 3
    assert sum(word_count(s.text) for s in out) <= 40
    # a budget no sentence fits still gives the shortest sentence rather than nothing
    tiny = summarize_story(STORY, budget_words=3)
    assert len(tiny) == 1
    assert summarize_story([]) == []


def test_headline_only_items_use_their_headline():
    items = [
        Article(text="", title="Magnitude 6.8 earthquake shakes northern Chile"),
        Article(text="", title="Strong earthquake hits Antofagasta, Chile; no tsunami risk"),
    ]
    out = summarize_story(items, max_sentences=2)
    assert out
    assert all(s.start == -1 and s.text == items[s.article_index].title for s in out)


def test_support_across_sources_beats_a_detail_only_one_outlet_printed():
    out = summarize_story(STORY, max_sentences=1)
    assert "Vantor shares fell" not in out[0].text
    assert "40,000" in out[0].text
