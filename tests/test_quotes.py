"""Direct quotes and their speakers, resolved to the entities found in the same text."""

from __future__ import annotations

from pathlib import Path

from briefing.extract.entities import extract_entities
from briefing.extract.quotes import find_quotes
from briefing.text import clean_for_analysis

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "biden-putin-call.txt"
SHARED_SAMPLE = Path(__file__).resolve().parent.parent.parent / "shared" / "samples" / "biden-putin-call.txt"


def quotes_of(text: str):
    who, _ = extract_entities(text)
    return find_quotes(text, who)


def speaker_of(quotes, words: str):
    for q in quotes:
        if words in q.text:
            return q.speaker
    raise AssertionError(f"no quote with {words!r} in {[q.text for q in quotes]}")


def test_offsets_point_at_the_quoted_words():
    text = 'Anna Berg said: "We will open the new library in May this year." Nobody objected.'
    quotes = quotes_of(text)
    assert len(quotes) == 1
    q = quotes[0]
    assert text[q.start : q.end] == q.text == "We will open the new library in May this year."


def test_speaker_after_the_quote_by_name_title_or_inverted_verb():
    text = (
        "“We are ready to talk about everything,” White House Press Secretary Jen Psaki said.\n\n"
        "“The answer will come next week,” said Vladimir Putin."
    )
    quotes = quotes_of(text)
    assert speaker_of(quotes, "ready to talk") == "Jen Psaki"
    assert speaker_of(quotes, "next week") == "Vladimir Putin"


def test_speaker_before_the_quote_is_the_subject_of_the_speech_verb():
    # the spokesman is not named; what Putin told Biden is Putin's
    text = (
        "Vladimir Putin and Joe Biden spoke on Thursday.\n\n"
        "A Kremlin spokesman told reporters that Putin told Biden that “Russia needs legally "
        "binding agreements on security guarantees,” apparently a reference to NATO."
    )
    quotes = quotes_of(text)
    assert speaker_of(quotes, "legally binding") == "Vladimir Putin"


def test_quote_spanning_sentences_and_its_continuation():
    text = (
        "Angela Merkel spoke in Berlin on Monday.\n\n"
        "“There is an impression that they are preparing. Do not intervene, do not protect these "
        "people,” Merkel said. “Perhaps, we should prepare for that.”"
    )
    quotes = quotes_of(text)
    assert len(quotes) == 2
    first, second = quotes
    assert "preparing. Do not intervene" in first.text  # one quote, two sentences
    assert first.speaker == "Angela Merkel"  # the surname resolves to the entity's full name
    assert second.speaker == "Angela Merkel"  # same paragraph, nobody else named in between


def test_pronoun_speaker_is_the_last_person_named():
    text = "Mayor Sadiq Khan visited the site on Monday.\n\n“This bridge will be rebuilt within a year,” he said."
    assert speaker_of(quotes_of(text), "rebuilt") == "Sadiq Khan"


def test_unattributed_and_unnamed_speakers_are_none():
    text = (
        "Residents were angry. “Nobody told us anything about the plans,” one woman said.\n\n"
        "A sign on the door read “Closed until further notice, sorry for the trouble”."
    )
    quotes = quotes_of(text)
    assert speaker_of(quotes, "Nobody told us") is None
    assert speaker_of(quotes, "Closed until") is None


def test_scare_quotes_are_not_quotes():
    text = "Joe Biden warned of “strong measures” if Russia attacked."
    assert quotes_of(text) == []


def test_sample_quotes():
    path = SAMPLE if SAMPLE.exists() else SHARED_SAMPLE
    raw = path.read_text(encoding="utf-8")
    text = clean_for_analysis(raw, keep_from=raw.index("\n"))
    quotes = quotes_of(text)
    assert speaker_of(quotes, "urged Russia to de-escalate") == "Jen Psaki"
    assert speaker_of(quotes, "legally binding") == "Vladimir Putin"
    assert speaker_of(quotes, "colossal mistake") == "Yuri Ushakov"
    assert speaker_of(quotes, "third military operation") == "Vladimir Putin"
    assert speaker_of(quotes, "Perhaps, we should prepare") == "Vladimir Putin"
    assert speaker_of(quotes, "prepared for diplomacy") is None  # "the official said"
