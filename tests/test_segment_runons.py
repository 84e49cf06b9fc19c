"""Run-on sentences in scraped news (captions and quotes glued to the story) are cut apart,
ordinary prose is left alone, and offsets stay exact."""

from __future__ import annotations

import pytest

from briefing.text import split_sentences


def texts(s: str) -> list[str]:
    return [x.text for x in split_sentences(s)]


@pytest.mark.parametrize(
    "text,expected",
    [
        # an opening quote straight after a word with no punctuation
        (
            "Kilmarnock will confirm Gary Locke as manager on Friday ‘I’d be over the moon to get it,’ said Locke.",
            [
                "Kilmarnock will confirm Gary Locke as manager on Friday",
                "‘I’d be over the moon to get it,’ said Locke.",
            ],
        ),
        # "Scroll down for video", a caption label, and a caption's subject with "(centre)"
        (
            "Scroll down for video Flying high: Half of the kite took to the sky in Chongqing last Saturday "
            "Skilful: The kite weighs 200 kilograms and needs three flyers.",
            [
                "Scroll down for video",
                "Flying high: Half of the kite took to the sky in Chongqing last Saturday",
                "Skilful: The kite weighs 200 kilograms and needs three flyers.",
            ],
        ),
        (
            "McCoy will be presented with his trophy by Ian Wright at Sandown on Saturday Wright (centre) "
            "is now a television pundit.",
            [
                "McCoy will be presented with his trophy by Ian Wright at Sandown on Saturday",
                "Wright (centre) is now a television pundit.",
            ],
        ),
        (
            "Police traced the car to the family home in Upper Macungie Township (pictured) Her attorney said "
            "the girl missed her mother.",
            [
                "Police traced the car to the family home in Upper Macungie Township (pictured)",
                "Her attorney said the girl missed her mother.",
            ],
        ),
        # a pronoun opening a new clause after a lower-case word
        (
            "Kilmarnock went unbeaten in his first six games in charge of the club He has impressed the chairman.",
            ["Kilmarnock went unbeaten in his first six games in charge of the club", "He has impressed the chairman."],
        ),
        # sentences inside a long quotation
        (
            "It’s a fantastic opportunity. ‘But I’ve said all along, it’s not about me. It’s about players.",
            ["It’s a fantastic opportunity.", "‘But I’ve said all along, it’s not about me.", "It’s about players."],
        ),
    ],
)
def test_run_ons_are_split(text, expected):
    assert texts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "He starred in 'Titanic' and won an Oscar for the role.",
        "The case of Smith vs. Jones was heard in London on Friday.",
        "The memo was seen by The Mail on Sunday and by officials in Washington.",
        "Manager Arsene Wenger said that Arsenal would sign a striker.",
        "A Sandown spokesman said: ‘Tony wanted to do it but could not get back in time.’",
        "Jamie Silvonek (left), 14, and her boyfriend were charged on Thursday.",
        "Officials in the city said Mr Wang had been told about the plan.",
    ],
)
def test_ordinary_sentences_are_not_split(text):
    assert texts(text) == [text]


def test_offsets_stay_exact_after_run_on_splits():
    s = (
        "Intro paragraph here.\n\nThe kite flew in Chongqing last Saturday Skilful: The kite weighs 200 "
        "kilograms ‘It was amazing to see it fly,’ said Wang."
    )
    sents = split_sentences(s)
    assert len(sents) == 4
    for x in sents:
        assert s[x.start : x.end] == x.text
    assert [x.index for x in sents] == list(range(4))


def test_a_name_particle_does_not_end_a_sentence_before_a_colon():
    text = 'Rinaldi told BBC Sport from Rio de Janeiro: "I can assure you that Chelsea have had no talks."'
    assert texts(text) == [text]
