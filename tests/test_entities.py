"""Who and where: alias merging, roles, salience, cleanup, ALL-CAPS text, and the sample article."""

from __future__ import annotations

from pathlib import Path

from briefing.extract.entities import extract_entities
from briefing.extract.entity_roles import apposition_after, honorific_prefix, title_before
from briefing.extract.nlp import ner_text
from briefing.text import clean_for_analysis

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "biden-putin-call.txt"
SHARED_SAMPLE = Path(__file__).resolve().parent.parent.parent / "shared" / "samples" / "biden-putin-call.txt"


def sample_text() -> str:
    path = SAMPLE if SAMPLE.exists() else SHARED_SAMPLE
    raw = path.read_text(encoding="utf-8")
    return clean_for_analysis(raw, keep_from=raw.index("\n"))


def by_name(entities):
    return {e.name: e for e in entities}


def find(entities, alias):
    for e in entities:
        if alias in e.aliases or e.name == alias:
            return e
    return None


def test_sample_who_and_where():
    who, where = extract_entities(sample_text())
    for name in ("Biden", "Vladimir Putin", "Jen Psaki", "Yuri Ushakov", "Volodymyr Zelensky", "NATO"):
        assert find(who, name) is not None, name
    for name in ("Ukraine", "Russia", "Geneva"):
        assert find(where, name) is not None, name
    assert find(who, "Biden").type == "person"
    assert find(who, "NATO").type == "organisation"
    putin = find(who, "Putin")
    assert putin is find(who, "Vladimir Putin")  # "Putin" joined the full name
    assert putin.name == "Vladimir Putin" and putin.mentions >= 10
    # the two leaders are the most salient people; the agency that reported the story is not
    assert {who[0].name, who[1].name} == {"Vladimir Putin", "Biden"}
    assert who[-1].name == "Associated Press" or find(who, "Associated Press") is None
    assert not any(e.name in ("REUTERS", "Getty Images") for e in who + where)


def test_sample_roles():
    who, _ = extract_entities(sample_text())
    assert find(who, "Jen Psaki").role == "White House Press Secretary"
    assert find(who, "Yuri Ushakov").role == "Putin aide"
    assert find(who, "Volodymyr Zelensky").role == "Ukrainian President"


def test_surname_and_title_forms_join_the_full_name():
    text = (
        "President Joe Biden spoke to reporters on Monday in Washington.\n"
        "Biden said the talks had gone well. Later, President Biden left for Delaware.\n"
        "Mr. Biden will return on Friday."
    )
    who, where = extract_entities(text)
    people = [e for e in who if e.type == "person"]
    biden = [e for e in people if "Biden" in e.name]
    assert len(biden) == 1
    joe = biden[0]
    assert joe.name == "Joe Biden"
    assert {"Joe Biden", "Biden"} <= set(joe.aliases)
    assert joe.mentions == 4
    assert joe.role == "President"
    assert find(where, "Washington") is not None


def test_initials_and_known_short_forms_merge():
    text = (
        "The North Atlantic Treaty Organization met in Brussels. NATO said the United States "
        "would send troops. The US and NATO agreed."
    )
    who, where = extract_entities(text)
    nato = find(who, "NATO")
    assert nato is not None and nato is find(who, "North Atlantic Treaty Organization")
    assert nato.mentions == 3
    us = find(where, "US")
    assert us is not None and "United States" in us.aliases and us.mentions == 2


def test_kremlin_and_moscow_stay_apart():
    text = "The Kremlin said on Monday that Moscow would not back down. Moscow is calm."
    who, where = extract_entities(text)
    kremlin, moscow = find(who + where, "Kremlin"), find(who + where, "Moscow")
    assert kremlin is not None and moscow is not None and kremlin is not moscow
    assert moscow.type == "place" and moscow.mentions == 2


def test_agencies_and_photo_credits_are_not_people():
    text = (
        "Reuters reported that the minister resigned on Tuesday.\n"
        "Getty Images photographers were at the scene, Reuters said.\n"
        "It wasn't clear why, the Associated Press said. The dispute isn't over."
    )
    who, where = extract_entities(text)
    for e in who + where:
        if e.name in ("Reuters", "Getty Images", "Associated Press"):
            assert e.type == "organisation", e
    assert not any("n't" in a for e in where for a in e.aliases)
    assert all(any(ch.isupper() for ch in e.name) for e in who + where)


def test_all_caps_headline_and_results_table():
    text = (
        "SOCCER - JAPAN BEAT SYRIA IN ASIAN CUP .\n"
        "AL-AIN , United Arab Emirates 1996-12-06\n"
        "Japan beat Syria 2-1 in their Asian Cup group match on Friday .\n"
        "Results :\n"
        "Japan 2 Syria 1\n"
        "Uzbekistan 0 China 2\n"
    )
    who, where = extract_entities(text)
    names = {a.lower() for e in who + where for a in e.aliases}
    assert {"japan", "syria"} <= names
    assert not ({"beat", "in", "soccer", "results"} & names)  # headline words are not names
    assert find(who + where, "China") is not None and find(who + where, "Uzbekistan") is not None


def test_ner_text_title_cases_shouting_lines_and_keeps_offsets():
    text = "LEICESTERSHIRE TAKE OVER AT TOP\nThe NATO summit opened.\nİSTANBUL DERBY ENDS"
    out = ner_text(text)
    assert len(out) == len(text)
    assert out.splitlines()[0] == "Leicestershire Take Over At Top"
    assert out.splitlines()[1] == "The NATO summit opened."  # normal lines untouched


def test_salience_uses_mentions_position_and_the_summary():
    text = (
        "Alice Walker met Tom Hanks in Paris on Monday.\n"
        "Much later, Alice Walker flew to Rome, where Maria Lopez waited."
    )
    who, _ = extract_entities(text)
    rank = [e.name for e in who]
    assert rank[0] == "Alice Walker"  # two mentions, first named
    assert rank.index("Tom Hanks") < rank.index("Maria Lopez")  # earlier
    start = text.index("Much later")
    who2, _ = extract_entities(text, summary_spans=[(start, len(text))])
    rank2 = [e.name for e in who2]
    assert rank2.index("Maria Lopez") < rank2.index("Tom Hanks")  # only she is in the summary


def test_title_before_and_apposition_rules():
    t = "Yesterday White House Press Secretary Jen Psaki said"
    assert title_before(t, t.index("Jen")) == "White House Press Secretary"
    t = "President Biden and Russian President Vladimir Putin spoke"
    assert title_before(t, t.index("Vladimir")) == "Russian President"
    assert title_before(t, t.index("Biden")) == "President"
    t = "When Biden was vice president"
    assert title_before(t, t.index("Biden")) is None
    t = "Tim Cook, the chief executive of Apple, said on Monday"
    assert apposition_after(t, len("Tim Cook")) == "chief executive of Apple"
    t = "Tim Cook, who arrived late, said"
    assert apposition_after(t, len("Tim Cook")) is None
    # news style drops the article: a bare apposition counts when it starts with its role word
    t = "said Anna Berg, chair of the board. The bridge"
    assert apposition_after(t, t.index(",")) == "chair of the board"
    t = "Lars Lund, deputy mayor, welcomed it"
    assert apposition_after(t, len("Lars Lund")) == "deputy mayor"
    for t in (
        "Anna Berg, Lars Lund and Peter Holm met",
        "Anna Berg, 45, said",
        "Anna Berg, speaking on Monday, said",
        "the Kite Festival, including representatives from China, opened",
    ):
        assert apposition_after(t, t.index(",")) is None, t
    assert honorific_prefix("Mr. Biden") == ("Biden", None)
    assert honorific_prefix("President Biden") == ("Biden", "President")
    assert honorific_prefix("Councillor Jonas Ek") == ("Jonas Ek", "Councillor")  # samples/library-reopening.md


def test_a_name_ends_where_its_sentence_ends():
    from briefing.extract.entities import _before_sentence_end

    assert _before_sentence_end("Jay-Z. Soul") == "Jay-Z"
    for kept in ("J. K. Rowling", "St. Louis", "U.S. Army", "Mr. Smith", "Rio de Janeiro"):
        assert _before_sentence_end(kept) == kept
