"""Choosing sentences under a budget: redundancy removal and dangling references.

Best-first by score, but a sentence that mostly repeats one already chosen is
skipped (a hard cosine threshold; a soft MMR term is available), captions and
page furniture are never chosen while anything else is left. Then every chosen
sentence that opens with an unresolved "He", "But" or "That is why" (nothing it
could point back to is in the summary: the sentence before it, or one of the few
before it in the same paragraph) is repaired, whichever keeps more of the
summary's total score: its antecedent comes along in place of the weakest chosen
sentences (the budget stays exact), or it is passed over for the best sentence
left that reads on its own.
Budgets are hard limits: never more sentences or words than allowed, and never
an empty summary.
"""

from __future__ import annotations

import re

import numpy as np

from ..models import ScoredSentence
from ..text.segment import word_count
from .base import Budget
from .features import is_caption, is_dangling, is_furniture, quote_balance

REDUNDANT = 0.65  # cosine above which a sentence adds nothing new
# an antecedent this close (same paragraph), already in the summary, resolves a reference: the reader
# has just seen who "he" is; 4 instead of 2 gained ~0.1 ROUGE-1 on both halves of both dev sets
WINDOW = 4
PRONOUN_WINDOW = 3
_PRONOUN = re.compile(
    r"^[\"'‘“]?(?:he|she|it|they|his|her|its|their|him|them|this|that|these|those|the (?:latter|former))\b",
    re.IGNORECASE,
)
MAX_ANTECEDENTS = 2  # "He said" after "But he ..." may need two sentences of context


def antecedent_reach(text: str, window: int = WINDOW, pronoun_window: int = PRONOUN_WINDOW) -> int:
    """How far back what a sentence points to may be: 0 when it reads on its own; 1 when it ends a
    quotation begun in the sentence before (only that one opens it); ``pronoun_window`` for "He",
    "This"...; ``window`` for connectives ("But", "However")."""
    if quote_balance(text) < 0:
        return 1
    if not is_dangling(text):
        return 0
    return pronoun_window if _PRONOUN.match(text.lstrip()) else window


def is_resolved(j: int, pool, reach: int, paragraphs: list[int]) -> bool:
    """Sentence ``j`` reads on its own beside ``pool`` (chosen indices): it needs nothing, is the
    article's first, or the sentence before it, or one within ``reach`` in its paragraph, is chosen."""
    return (
        reach == 0
        or j == 0
        or j - 1 in pool
        or any(j - d >= 0 and j - d in pool and paragraphs[j - d] == paragraphs[j] for d in range(2, 1 + reach))
    )


def score_ranks(scored: list[ScoredSentence]) -> dict[int, int]:
    """Sentence index -> its rank by score (1 = best; ties by position)."""
    order = sorted(scored, key=lambda s: (-s.score, s.sentence.index))
    return {s.sentence.index: r for r, s in enumerate(order, 1)}


def excluded_reason(s: ScoredSentence) -> str | None:
    if is_caption(s.text):
        return "skipped: caption"
    if is_furniture(s.text):
        return "skipped: byline, dateline or page furniture"
    return None


def select_news(
    scored: list[ScoredSentence],
    budget: Budget,
    vectors: np.ndarray | None,
    mmr_lambda: float = 1.0,
    redundant: float = REDUNDANT,
    dangling: bool = True,
    window: int = WINDOW,
    pronoun_window: int = PRONOUN_WINDOW,
) -> list[ScoredSentence]:
    n = len(scored)
    if not n:
        return []
    max_n = budget.max_sentences(n) or n
    max_w = budget.words
    n_words = [word_count(s.text) for s in scored]
    score = [s.score for s in scored]
    rank = score_ranks(scored)
    # how far back each sentence's "He", "But" or quotation end may find what it points to (0: nowhere)
    reach = [antecedent_reach(s.text, window, pronoun_window) if dangling else 0 for s in scored]
    dang = [r > 0 for r in reach]
    para = [s.sentence.paragraph for s in scored]
    for s in scored:
        s.chosen, s.reason = False, None
    excluded = {i for i, s in enumerate(scored) if excluded_reason(s)}
    if len(excluded) == n:  # an article of nothing but captions still gets a summary
        excluded = set()
    for i in excluded:
        scored[i].reason = excluded_reason(scored[i])

    chosen: set[int] = set()
    antecedent_of: dict[int, int] = {}  # sentence brought along -> the sentence that needed it

    def sim(i: int, j: int) -> float:
        return float(vectors[i] @ vectors[j]) if vectors is not None and vectors.size else 0.0

    def redundant_with(i: int, pool) -> int | None:
        similar = max(pool, key=lambda j: sim(i, j), default=None)
        return similar if similar is not None and sim(i, similar) >= redundant else None

    def resolved(j: int, pool) -> bool:
        # the reader has just seen what "he" or "but" points back to: the sentence before it, or
        # one of the `window` sentences before it in the same paragraph, is in the summary too
        return is_resolved(j, pool, reach[j], para)

    def used(pool) -> int:
        return sum(n_words[j] for j in pool)

    def fits(pool) -> bool:
        return len(pool) <= max_n and (max_w is None or used(pool) <= max_w)

    # 1. best-first by score (MMR when mmr_lambda < 1), skipping repeats and what does not fit
    considered = set(excluded)
    while len(chosen) < max_n:
        best, best_val = None, -np.inf
        for i in range(n):
            if i in considered:
                continue
            val = score[i]
            if mmr_lambda < 1.0:
                val = mmr_lambda * val - (1 - mmr_lambda) * max((sim(i, j) for j in chosen), default=0.0)
            if val > best_val:
                best, best_val = i, val
        if best is None:
            break
        considered.add(best)
        similar = redundant_with(best, chosen)
        if similar is not None:
            scored[best].reason = f"skipped: redundant with #{scored[similar].sentence.index}"
        elif not fits(chosen | {best}):
            scored[best].reason = "skipped: over the word budget"
        else:
            chosen.add(best)

    # 2. repair dangling references, strongest sentence first
    passed: set[int] = set()  # passed over or swapped out: never brought back
    while True:
        broken = [j for j in chosen if not resolved(j, chosen)]
        if not broken:
            break
        j = max(broken, key=lambda i: (score[i], -i))
        # (a) bring the antecedent along (and its own, for "He said" after "But he ..."),
        # dropping the weakest chosen sentences that nothing else leans on
        group, a = [], j
        while not resolved(a, chosen | set(group)) and a - 1 not in excluded and len(group) < MAX_ANTECEDENTS:
            a -= 1
            group.append(a)
        option_a, drop = None, []
        if resolved(a, chosen | set(group)) and group:
            pool = chosen | set(group)
            needed = (
                {j, *group}
                | {i for i in chosen if dang[i] and i - 1 in chosen}
                | {i - 1 for i in chosen if dang[i] and resolved(i, chosen)}
            )
            for w in sorted((i for i in chosen if i not in needed), key=lambda i: (score[i], -i)):
                if fits(pool):
                    break
                pool = pool - {w}
                drop.append(w)
            if fits(pool) and all(resolved(i, pool) or i not in chosen or i in broken for i in pool):
                option_a = sum(score[g] for g in group) - sum(score[w] for w in drop)
        # (b) pass it over for the best sentence left that reads on its own
        pool = chosen - {j}
        repl = None
        for i in sorted(range(n), key=lambda i: (-score[i], i)):
            if (
                i in chosen
                or i in excluded
                or i in passed
                or i == j
                or not resolved(i, pool)
                or redundant_with(i, pool) is not None
                or not fits(pool | {i})
            ):
                continue
            repl = i
            break
        option_b = (score[repl] if repl is not None else 0.0) - score[j]
        if option_a is not None and option_a >= option_b:
            for w in drop:
                chosen.discard(w)
                passed.add(w)
                scored[w].reason = (
                    f"not chosen: rank {rank[scored[w].sentence.index]}, "
                    f"made room for the antecedent of #{scored[j].sentence.index}"
                )
            for g in group:
                chosen.add(g)
                antecedent_of[g] = j
        else:
            chosen.discard(j)
            passed.add(j)
            scored[j].reason = (
                "skipped: dangling reference, no room for its antecedent"
                if group
                else "skipped: dangling reference with no clear antecedent in reach"
            )
            if repl is not None:
                chosen.add(repl)

    if not chosen:
        # nothing fits the word budget: the shortest sentence is the closest we can get verbatim
        pool = [i for i in range(n) if i not in excluded] or list(range(n))
        chosen = {min(pool, key=lambda i: (n_words[i], -scored[i].score))}
        i = next(iter(chosen))
        scored[i].reason = "chosen: shortest sentence (nothing fits the word budget)"
    for i in chosen:
        scored[i].chosen = True
        if i in antecedent_of:
            scored[i].reason = f"added: antecedent of #{scored[antecedent_of[i]].sentence.index}"
        elif not (scored[i].reason or "").startswith("chosen: shortest"):
            scored[i].reason = f"chosen: rank {rank[scored[i].sentence.index]}"
    out = sorted(chosen)
    for i, s in enumerate(scored):
        if s.reason is None or (not s.chosen and s.reason.startswith(("chosen", "added"))):
            s.reason = f"not chosen: rank {rank[s.sentence.index]}"
            similar = redundant_with(i, out)
            if similar is not None:
                s.reason += f", redundant with #{scored[similar].sentence.index}"
    return [scored[i] for i in out]
