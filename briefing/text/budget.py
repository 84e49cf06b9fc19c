"""The one budgeted selection core: never empty, never over the budget.

Every summary here (one article's, by any algorithm; a story's, from many articles) is chosen
the same way: candidates are offered best first; each is taken if the caller accepts it (not a
repeat, not a caption...) and it fits the budget, until the sentence limit is reached. A
sentence that would break the word budget is skipped, never cut (summaries stay verbatim).
When nothing fits at all, the summary is still never empty: it is the shortest candidate (the
closest a verbatim summary can get to the budget), and the caller notes the overrun.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class WordBudget:
    """Limits on a set of candidates, by index: at most ``max_sentences`` of them (None: any
    number) and at most ``max_words`` words in all (None: no word limit)."""

    n_words: Sequence[int]  # each candidate's length in words
    max_sentences: int | None = None
    max_words: int | None = None

    def words(self, pool: Iterable[int]) -> int:
        return sum(self.n_words[i] for i in pool)

    def fits(self, pool: Collection[int]) -> bool:
        """``pool`` is within both limits."""
        if self.max_sentences is not None and len(pool) > self.max_sentences:
            return False
        return self.max_words is None or self.words(pool) <= self.max_words

    def full(self, pool: Collection[int]) -> bool:
        """No further sentence may be added to ``pool``."""
        return self.max_sentences is not None and len(pool) >= self.max_sentences


# accept(candidate, chosen so far) -> None to take it, else why it is left out
Accept = Callable[[int, Sequence[int]], str | None]
OVER_BUDGET = "over the word budget"


def fill(
    order: Iterable[int],
    budget: WordBudget,
    accept: Accept | None = None,
    chosen: list[int] | None = None,
    rejected: dict[int, str] | None = None,
) -> list[int]:
    """Take candidates from ``order`` (best first) while the sentence limit allows: each one
    ``accept`` takes and that keeps the chosen words within the budget. Returns the chosen
    indices in the order taken (appended to ``chosen`` when given, so a lazy ``order``, e.g.
    MMR, can look at them). Why each refused candidate was left out goes into ``rejected``:
    ``accept``'s reason, or ``OVER_BUDGET``. ``order`` is read only while there is room."""
    picked: list[int] = [] if chosen is None else chosen
    used = budget.words(picked)
    candidates = iter(order)
    while not budget.full(picked):
        i = next(candidates, None)
        if i is None:
            break
        reason = accept(i, picked) if accept is not None else None
        if reason is None and budget.max_words is not None and used + budget.n_words[i] > budget.max_words:
            reason = OVER_BUDGET
        if reason is not None:
            if rejected is not None:
                rejected[i] = reason
            continue
        picked.append(i)
        used += budget.n_words[i]
    return picked


def shortest(pool: Iterable[int], n_words: Sequence[int], score: Sequence[float]) -> int:
    """The fallback when nothing fits: the shortest candidate of ``pool``, the better scored of
    equally short ones, the first of equals."""
    return min(pool, key=lambda i: (n_words[i], -score[i]))


def never_empty(
    chosen: list[int], pool: Iterable[int], n_words: Sequence[int], score: Sequence[float]
) -> tuple[list[int], bool]:
    """``chosen``, or when it is empty the shortest candidate of ``pool``; and whether that
    fallback was taken (the summary then runs over the word budget)."""
    if chosen:
        return chosen, False
    return [shortest(pool, n_words, score)], True


def select_within(
    order: Iterable[int],
    budget: WordBudget,
    score: Sequence[float],
    accept: Accept | None = None,
    pool: Iterable[int] | None = None,
) -> tuple[list[int], bool]:
    """``fill`` then ``never_empty``: the chosen indices in the order taken, and whether the
    summary is the shortest-candidate fallback. ``pool`` (default: every candidate, in index
    order) is where the fallback is looked for."""
    chosen = fill(order, budget, accept)
    return never_empty(chosen, range(len(budget.n_words)) if pool is None else pool, budget.n_words, score)
