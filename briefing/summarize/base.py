"""The one interface every summarisation algorithm implements.

An algorithm *scores every sentence* (so scores can be shown, explained and
combined) and then *selects* under a budget. Selection is shared: greedy by
score, never over the budget, never empty for a non-empty article (the one budgeted
selection core, ``text.budget``), printed in document order. Algorithms that need more (redundancy removal, dangling
references) override ``select``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace

from ..errors import UsageError
from ..models import ScoredSentence, Sentence
from ..text.budget import WordBudget, select_within
from ..text.segment import word_count


@dataclass
class Budget:
    """How long a summary may be: sentences, words or a ratio of the article's sentences."""

    sentences: int | None = None
    words: int | None = None
    ratio: float | None = None

    def __post_init__(self) -> None:
        if self.sentences is not None and self.sentences < 1:
            raise UsageError("--sentences must be at least 1")
        if self.words is not None and self.words < 1:
            raise UsageError("--words must be at least 1")
        if self.ratio is not None and not (0 < self.ratio <= 1):
            raise UsageError("--ratio must be greater than 0 and at most 1")
        if self.sentences is None and self.words is None and self.ratio is None:
            self.sentences = 3

    def max_sentences(self, n_sentences: int) -> int | None:
        limits = []
        if self.sentences is not None:
            limits.append(self.sentences)
        if self.ratio is not None:
            limits.append(max(1, math.ceil(self.ratio * n_sentences)))
        return min(limits) if limits else None


@dataclass
class RankInput:
    """What an algorithm sees: the analysis text and its sentences, plus context."""

    text: str
    sentences: list[Sentence]
    title: str | None = None
    # names of the article's most salient entities, when known (for entity overlap)
    entities: list[str] = field(default_factory=list)


# Rankers compare sentences pairwise (similarity graphs, redundancy): time and memory grow with
# the square of their number. They see a text's first MAX_RANKED sentences, twice the longest of
# 1,700 real BBC, CNN/DM and ECB+ articles (248); news puts its point first.
MAX_RANKED = 500


class Summarizer(ABC):
    name: str = ""
    description: str = ""
    max_ranked: int = MAX_RANKED

    @abstractmethod
    def score(self, doc: RankInput) -> list[ScoredSentence]:
        """Score every sentence of ``doc``, in document order."""

    def select(self, scored: list[ScoredSentence], budget: Budget, doc: RankInput) -> list[ScoredSentence]:
        return select_greedy(scored, budget)

    def summarize(self, doc: RankInput, budget: Budget) -> tuple[list[ScoredSentence], list[ScoredSentence]]:
        """Return (chosen sentences in document order, every sentence scored)."""
        if not doc.sentences:
            return [], []
        if len(doc.sentences) > self.max_ranked:
            doc = replace(doc, sentences=doc.sentences[: self.max_ranked])
        scored = self.score(doc)
        chosen = self.select(scored, budget, doc)
        return sorted(chosen, key=lambda s: s.sentence.start), scored


def select_greedy(scored: list[ScoredSentence], budget: Budget) -> list[ScoredSentence]:
    """Best-first under the budget (``text.budget``): a sentence that would break a word budget
    is skipped, and when none fits the shortest sentence is returned (summaries stay verbatim,
    so we never cut a sentence) and the caller notes the overrun. Chosen best first."""
    if not scored:
        return []
    order = sorted(range(len(scored)), key=lambda i: (-scored[i].score, scored[i].sentence.index))
    limits = WordBudget([word_count(s.text) for s in scored], budget.max_sentences(len(scored)), budget.words)
    picked, _ = select_within(order, limits, [s.score for s in scored])
    for s in scored:
        s.chosen = False
    chosen = [scored[i] for i in picked]
    for s in chosen:
        s.chosen = True
    return chosen
