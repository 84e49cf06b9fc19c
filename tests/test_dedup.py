"""Near-duplicate sentences: the same thing in other words is found, different facts are not."""

from __future__ import annotations

from briefing.digest.dedup import is_near_duplicate, near_duplicates, similarity


def test_rewritten_wire_sentence_is_a_near_duplicate():
    a = "Vantor Appliances is recalling about 40,000 space heaters because they can overheat, the company said on Monday."
    b = "The company said Monday that Vantor Appliances is recalling some 40,000 space heaters because they can overheat."
    assert is_near_duplicate(a, b)


def test_unrelated_sentences_are_not():
    a = "Vantor Appliances is recalling about 40,000 space heaters because they can overheat."
    b = "A magnitude 6.8 earthquake struck northern Chile early on Tuesday."
    assert not is_near_duplicate(a, b)
    assert similarity(a, b) < similarity(a, a)


def test_different_numbers_make_different_facts():
    a = "Yucaipa sold the chain to Safeway in 1998 for $2.5 billion."
    b = "Yucaipa sold the chain to Safeway in 1998 for $1.8 billion."
    c = "Yucaipa sold the chain to Safeway for $2.5 billion in 1998."
    # the same words reordered keep the numbers; a changed figure costs the number penalty
    assert similarity(a, b) < similarity(a, c) - 0.05
    assert is_near_duplicate(a, c)


def test_grouping_is_transitive_and_leaves_singletons_out():
    sentences = [
        "Maria Olsen resigned as chief executive of Vantor on Tuesday.",
        "A magnitude 6.8 earthquake struck northern Chile.",
        "On Tuesday Maria Olsen resigned as Vantor's chief executive.",
        "Maria Olsen has resigned as chief executive of Vantor, it said on Tuesday.",
        "The navy said there was no risk of a tsunami.",
    ]
    assert near_duplicates(sentences) == [[0, 2, 3]]
    assert near_duplicates([]) == []
