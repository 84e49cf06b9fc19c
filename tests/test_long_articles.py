"""Long texts: the model reads them in pieces that join back into one Doc with the same offsets,
and the rankers see a bounded number of sentences (speed itself is measured in
benchmarks/bench_article_size.py, never asserted here)."""

from __future__ import annotations

import pytest

from briefing.brief import BriefOptions, build_brief
from briefing.extract import nlp
from briefing.sources import parse_text

PARAGRAPH = (
    "Chancellor Angela Merkel met President Emmanuel Macron in Paris on Friday, officials said. "
    "The leaders discussed trade with the European Commission and NATO."
)


@pytest.mark.slow
def test_long_text_is_parsed_in_pieces_with_the_offsets_of_the_whole():
    text = "\n\n".join(f"{PARAGRAPH} Item {i}." for i in range(200))  # ~32,000 characters
    assert len(nlp.chunk_spans(nlp.ner_text(text))) > 1
    doc = nlp.parse(text)
    assert doc.text == nlp.ner_text(text)
    names = [(e.start_char, e.end_char, e.text) for e in doc.ents if e.label_ in ("PERSON", "ORG", "GPE")]
    assert len(names) >= 200 * 4
    assert all(text[a:b] == t for a, b, t in names)
    whole = nlp.get_nlp()(nlp.ner_text(text))
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [
        (e.start_char, e.end_char, e.label_) for e in whole.ents
    ], "pieces end at paragraph breaks"


def test_chunk_spans_cover_the_text_within_the_size():
    text = "word " * 5_000 + "\n\n" + "x" * 30_000 + "tail. " * 100
    spans = nlp.chunk_spans(text, 4_000)
    assert "".join(text[a:b] for a, b in spans) == text
    assert all(0 < b - a <= 4_000 for a, b in spans)


@pytest.mark.slow
def test_parse_many_keeps_order_across_short_and_long_texts():
    texts = ["Short one about Paris.", "\n\n".join([PARAGRAPH] * 120), "Another short one, in Berlin.", ""]
    docs = list(nlp.parse_many(texts, batch_size=4))
    assert [d.text for d in docs] == [nlp.ner_text(t) for t in texts]


@pytest.mark.slow
def test_rankers_see_the_first_sentences_of_a_very_long_text():
    text = " ".join(f"Sentence number {i} says the talks in Geneva went on." for i in range(1_200))
    brief = build_brief(parse_text(text, name="long"), BriefOptions(explain=True))
    assert len(brief.explain) == 500
    assert any("first 500 of 1,200 sentences" in n for n in brief.notes)
    # KL-Sum's cost is cubic: it sees fewer
    kl = build_brief(
        parse_text(" ".join(f"Talks {i % 7} went on." for i in range(260)), name="kl"),
        BriefOptions(algorithm="kl", explain=True),
    )
    assert len(kl.explain) == 250 and kl.summary


def test_runs_of_marks_are_spaces_to_the_model_and_offsets_hold():
    """spaCy's tokenizer peels a run of marks one prefix at a time (200,000 "[" took 27 s): the
    model sees spaces there instead, and nothing else of the text changes."""
    runs = ["[" * 5000, "$" * 30, "(" * 24, "*-" * 40]
    text = "Angela Merkel met Emmanuel Macron in Paris. " + " ".join(runs) + " Olaf Scholz ... -- *** !!"
    seen = nlp.ner_text(text)
    assert len(seen) == len(text)
    for run in runs:
        at = text.index(run)
        assert seen[at : at + len(run)] == " " * len(run)
    assert seen.endswith(" Olaf Scholz ... -- *** !!") and seen.startswith("Angela Merkel met")
    doc = nlp.parse(text)
    assert doc.text == seen
    assert {e.text for e in doc.ents if e.label_ == "PERSON"} >= {"Angela Merkel", "Emmanuel Macron"}
