"""Near-duplicate sentences: two sentences that say the same thing in other words.

Outlets rewrite the same wire copy, so a story's articles repeat each other
with small changes ("said on Tuesday" / "said Tuesday", reordered clauses).
The similarity is lexical and cheap, so a story's sentences can be compared
pairwise:

- Dice overlap of the (lightly stemmed) word sets, function words included, as
  they carry the sentence's structure;
- cosine of character trigram counts, which forgives inflections and spelling
  ("Sbarro's" / "Sbarro", "U.S." / "US");
- minus a penalty when both sentences carry numbers and the numbers differ:
  "sold for $1.8 billion" and "sold for $2.5 billion" are different facts.

The threshold is calibrated on MSRP news sentence pairs (`briefing eval stories
--paraphrase`), where it gives about 73% accuracy, 82% F1 (see docs/eval-stories.md).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..text.lexicon import light_stem
from ..text.vectors import counter_cosine, counter_norm

DEFAULT_THRESHOLD = 0.54
NUMBER_PENALTY = 0.1

_TOKEN = re.compile(r"\w+(?:[.,'’]\w+)*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class SentenceKey:
    """What the comparison needs, computed once per sentence."""

    words: frozenset[str]
    trigrams: Counter
    trigram_norm: float
    numbers: frozenset[str]


def sentence_key(text: str) -> SentenceKey:
    toks = [light_stem(w.lower().replace("’", "'")) for w in _TOKEN.findall(text)]
    joined = " ".join(toks)
    grams = Counter(joined[i : i + 3] for i in range(len(joined) - 2))
    numbers = frozenset(n.replace(",", "") for n in _NUMBER.findall(text))
    return SentenceKey(frozenset(toks), grams, counter_norm(grams), numbers)


def key_similarity(a: SentenceKey, b: SentenceKey) -> float:
    if not a.words or not b.words:
        return 0.0
    dice = 2 * len(a.words & b.words) / (len(a.words) + len(b.words))
    cosine = counter_cosine(a.trigrams, b.trigrams, a.trigram_norm, b.trigram_norm)
    score = 0.5 * dice + 0.5 * cosine
    if a.numbers and b.numbers and a.numbers != b.numbers:
        score -= NUMBER_PENALTY
    return score


def similarity(a: str, b: str) -> float:
    """How alike two sentences are in wording, about 0 (unrelated) to 1 (identical)."""
    return key_similarity(sentence_key(a), sentence_key(b))


def is_near_duplicate(a: str, b: str, threshold: float | None = None) -> bool:
    return similarity(a, b) >= (DEFAULT_THRESHOLD if threshold is None else threshold)


def near_duplicates(sentences: list[str], threshold: float | None = None) -> list[list[int]]:
    """Groups (of two or more indexes, ascending) of sentences that say the same thing.

    Grouping is transitive (a~b and b~c put a, b, c together), as a summary
    should show one sentence of each group.
    """
    t = DEFAULT_THRESHOLD if threshold is None else threshold
    keys = [sentence_key(s) for s in sentences]
    parent = list(range(len(sentences)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            if key_similarity(keys[i], keys[j]) >= t:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(sentences)):
        groups.setdefault(find(i), []).append(i)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])
