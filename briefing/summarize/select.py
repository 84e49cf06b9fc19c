"""Choosing sentences under a budget: MMR redundancy removal and dangling references.

Best-first by score, but a sentence that mostly repeats one already chosen loses
(maximal marginal relevance, Carbonell & Goldstein 1998), captions and page
furniture are never chosen while anything else is left, and a sentence that
opens with an unresolved "He", "But" or "That is why" either brings the
sentence before it along (when both fit the budget) or is passed over.
Budgets are hard limits: never more sentences or words than allowed, and never
an empty summary.
"""
from __future__ import annotations

import numpy as np

from ..models import ScoredSentence
from ..text.segment import word_count
from .base import Budget
from .features import is_caption, is_dangling, is_furniture

REDUNDANT = 0.65  # cosine above which a sentence adds nothing new
# an antecedent this close (same paragraph), already in the summary, resolves a reference: the reader
# has just seen who "he" is; 4 instead of 2 gained ~0.1 ROUGE-1 on both halves of both dev sets
WINDOW = 4
MAX_ANTECEDENTS = 2  # "He said" after "But he ..." may need two sentences of context


def excluded_reason(s: ScoredSentence) -> str | None:
    if is_caption(s.text):
        return "skipped: caption"
    if is_furniture(s.text):
        return "skipped: byline, dateline or page furniture"
    return None


def select_news(scored: list[ScoredSentence], budget: Budget, vectors: np.ndarray | None,
                mmr_lambda: float = 0.8, redundant: float = REDUNDANT,
                dangling: bool = True) -> list[ScoredSentence]:
    n = len(scored)
    if not n:
        return []
    max_n = budget.max_sentences(n) or n
    max_w = budget.words
    n_words = [word_count(s.text) for s in scored]
    rank = {s.sentence.index: r for r, s in enumerate(sorted(scored, key=lambda s: (-s.score, s.sentence.index)), 1)}
    for s in scored:
        s.chosen, s.reason = False, None
    excluded = {i for i, s in enumerate(scored) if excluded_reason(s)}
    if len(excluded) == n:  # an article of nothing but captions still gets a summary
        excluded = set()
    for i in excluded:
        scored[i].reason = excluded_reason(scored[i])

    chosen: list[int] = []
    used = 0
    considered = set(excluded)

    def sim(i: int, j: int) -> float:
        return float(vectors[i] @ vectors[j]) if vectors is not None and vectors.size else 0.0

    def resolved(j: int) -> bool:
        # the reader has just seen what "he" or "but" points back to: one of the WINDOW
        # sentences before it, in the same paragraph, is in the summary too
        return j == 0 or any(0 <= j - d and j - d in chosen and
                             scored[j - d].sentence.paragraph == scored[j].sentence.paragraph
                             for d in range(1, 1 + WINDOW))

    def fits(extra: list[int]) -> bool:
        if len(chosen) + len(extra) > max_n:
            return False
        return max_w is None or used + sum(n_words[j] for j in extra) <= max_w

    while len(chosen) < max_n:
        best, best_val = None, -np.inf
        for i in range(n):
            if i in considered:
                continue
            redundancy = max((sim(i, j) for j in chosen), default=0.0)
            val = mmr_lambda * scored[i].score - (1 - mmr_lambda) * redundancy
            if val > best_val:
                best, best_val = i, val
        if best is None:
            break
        considered.add(best)
        s = scored[best]
        similar = max(chosen, key=lambda j: sim(best, j), default=None)
        if similar is not None and sim(best, similar) >= redundant:
            s.reason = f"skipped: redundant with #{scored[similar].sentence.index}"
            continue
        group = [best]
        j = best
        while (dangling and is_dangling(scored[j].text) and not resolved(j) and j - 1 not in excluded
               and len(group) <= MAX_ANTECEDENTS):
            group.insert(0, j - 1)
            j -= 1
        needs_context = len(group) > 1
        if dangling and is_dangling(scored[j].text) and not resolved(j):
            s.reason = "skipped: dangling reference with no clear antecedent in reach"
            continue
        if not fits(group):
            if needs_context:
                s.reason = "skipped: dangling reference, no room for its antecedent"
            else:
                s.reason = "skipped: over the word budget"
            continue
        for j in group:
            chosen.append(j)
            used += n_words[j]
            considered.add(j)
            scored[j].chosen = True
            scored[j].reason = (f"chosen: rank {rank[scored[j].sentence.index]}" if j == best
                                else f"added: antecedent of #{s.sentence.index}")
    if not chosen:
        # nothing fits the word budget: the shortest sentence is the closest we can get verbatim
        pool = [i for i in range(n) if i not in excluded] or list(range(n))
        i = min(pool, key=lambda i: (n_words[i], -scored[i].score))
        chosen = [i]
        scored[i].chosen = True
        scored[i].reason = "chosen: shortest sentence (nothing fits the word budget)"
    for i, s in enumerate(scored):
        if s.reason is None:
            s.reason = f"not chosen: rank {rank[s.sentence.index]}"
            similar = max(chosen, key=lambda j: sim(i, j))
            if sim(i, similar) >= redundant:
                s.reason += f", redundant with #{scored[similar].sentence.index}"
    return [scored[i] for i in chosen]
