"""Short summaries of news: the best *set* of sentences from the top of the article.

For a summary of a few sentences (a small part of the article) the point of a news story
is almost always in its first paragraphs, and the famously strong baseline is
simply its first k sentences. What beats it is choosing *which* k of the first
k + 2 sentences to keep, as a set: one unit up top may repeat another, be a
colourful scene-setter, or a run of quotes, while a later one carries the facts.

Every candidate set (at most C(k+2, k) of them: 10 for k = 3) is scored by a
linear model over set features: where its sentences sit, its length (a concave
reward: ROUGE-like coverage rises with words but precision falls), how much of
its vocabulary the rest of the article goes on to use (a story's main thread
recurs; asides do not), and the per-sentence features the learned ranker uses.
The weights are trained by ``scripts/train_lead_sets.py`` to predict each set's
ROUGE-1 against CNN/DailyMail highlights, and ship as ``briefing/data/lead_sets.json``.

Sets that would leave a dangling "He said" or "But" without its antecedent, cut
a quotation in half, or contain a caption or page furniture are never candidates.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from itertools import combinations

from ..text.budget import WordBudget
from ..text.lexicon import is_caption, is_furniture, quote_balance
from ..text.segment import word_count
from .features import content_terms
from .select import antecedent_reach, is_resolved

SET_FEATURES = (
    "lead",
    "has0",
    "has1",
    "has2",
    "has3",
    "maxi",
    "sumi",  # where the sentences sit
    "words",
    "logw",  # length: linear and log, so the model can learn a concave reward
    "cov",
    "prec",  # how much of the set's vocabulary the rest of the article goes on to use
    "noperiod",
    "short",
    "quote",  # unit types: caption-like lines, fragments, quotations
    "model",
    "centrality",
    "entities",
    "numbers",  # means of the per-sentence features
)
MAX_K = 4  # the sizes the model is trained on (2-4); longer summaries use best-first selection
MAX_RATIO = 0.3  # k / article sentences: beyond this a summary is an extract, not a headline summary
# ... except that up to 3 sentences of a short story (8-10 sentences) are still its headline summary:
# on CNN/DM the extract ranker lost 8 ROUGE-1 to Lead-3 on every such article
HEADLINE_K, HEADLINE_RATIO = 3, 0.4
EXTRA = 2  # candidates are the first k + EXTRA usable sentences
_QUOTE = re.compile(r"[\"“”‘]|(?:^|\s)'")
_END = re.compile(r"[.!?][\"'’”)\]]*$")


def applies(k: int, n_sentences: int) -> bool:
    """Whether a k-sentence summary of an article of n sentences is chosen as a lead set."""
    limit = HEADLINE_RATIO if k <= HEADLINE_K else MAX_RATIO
    return 1 <= k <= MAX_K and k <= limit * n_sentences + 1e-9


@lru_cache(maxsize=1)
def load_set_weights() -> dict | None:
    try:
        text = resources.files("briefing").joinpath("data/lead_sets.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return json.loads(text)


def window(texts: list[str], k: int) -> list[int]:
    """Indices of the first k + EXTRA sentences that could be in a summary (no captions or furniture)."""
    out = []
    for i, t in enumerate(texts):
        if is_caption(t) or is_furniture(t):
            continue
        out.append(i)
        if len(out) >= k + EXTRA:
            break
    return out


def readable(combo: tuple[int, ...], texts: list[str], paragraphs: list[int]) -> bool:
    """Every chosen sentence reads on its own (``select.antecedent_reach``: no "He"/"But" or
    quotation end without what it points back to), and no quotation is left open: a sentence
    whose quote runs on brings the next one."""
    chosen = set(combo)
    reach = {j: antecedent_reach(texts[j]) for j in combo}
    for j in combo:
        if quote_balance(texts[j]) > 0 and j + 1 < len(texts) and j + 1 not in chosen:
            return False
        if not is_resolved(j, chosen, reach[j], paragraphs):
            return False
    return True


def candidates(
    texts: list[str], paragraphs: list[int], k: int, budget: WordBudget | None = None
) -> list[tuple[int, ...]]:
    """The readable sets of k among the first k + EXTRA usable sentences that fit ``budget``
    (the selection core's ``WordBudget``: at most k sentences, and the word limit when there is
    one). An article with k usable sentences or fewer has one candidate: all of them, if it fits."""
    budget = budget or WordBudget([word_count(t) for t in texts], max_sentences=k)
    pool = window(texts, k)
    if len(pool) <= k:
        return [tuple(pool)] if pool and budget.fits(pool) else []
    return [c for c in combinations(pool, k) if budget.fits(c) and readable(c, texts, paragraphs)]


class SetFeaturizer:
    """Per-article state shared by every candidate set: terms and their counts."""

    def __init__(
        self,
        texts: list[str],
        rows: list[dict[str, float]],
        model_scores: list[float],
        terms: list[list[str]] | None = None,
    ):
        self.texts = texts
        self.rows = rows
        self.model = model_scores
        self.terms = terms if terms is not None else [content_terms(t) for t in texts]
        self.n_words = [word_count(t) for t in texts]
        self.total = Counter(t for terms in self.terms for t in terms)

    def features(self, combo: tuple[int, ...]) -> list[float]:
        k = len(combo)
        inside = Counter(t for j in combo for t in self.terms[j])
        rest = {t: self.total[t] - c for t, c in inside.items()}  # uses of each term outside the set
        n_terms = sum(inside.values())
        words = sum(self.n_words[j] for j in combo)
        texts = [self.texts[j] for j in combo]
        row = {
            "lead": sum(1 for j in combo if j < k) / k,
            "has0": float(0 in combo),
            "has1": float(1 in combo),
            "has2": float(2 in combo),
            "has3": float(3 in combo),
            "maxi": max(combo) / (k + EXTRA),
            "sumi": (sum(combo) - k * (k - 1) / 2) / k,
            "words": words / 80.0,
            "logw": math.log(words + 1.0),
            "cov": sum(math.log1p(r) for r in rest.values()) / 50.0,
            "prec": sum(c for t, c in inside.items() if rest[t] > 0) / n_terms if n_terms else 0.0,
            "noperiod": sum(1 for t in texts if not _END.search(t.strip())) / k,
            "short": sum(1 for j in combo if self.n_words[j] < 6) / k,
            "quote": sum(1 for t in texts if _QUOTE.search(t)) / k,
            "model": sum(self.model[j] for j in combo) / k,
            "centrality": sum(self.rows[j]["centrality"] for j in combo) / k,
            "entities": sum(self.rows[j]["entities"] for j in combo) / k,
            "numbers": sum(self.rows[j]["numbers"] for j in combo) / k,
        }
        return [row[name] for name in SET_FEATURES]


def best_set(
    texts: list[str],
    paragraphs: list[int],
    rows: list[dict[str, float]],
    model_scores: list[float],
    k: int,
    weights: dict,
    terms: list[list[str]] | None = None,
    max_words: int | None = None,
) -> tuple[tuple[int, ...], float, int] | None:
    """(chosen indices, their predicted ROUGE-1 margin over the runner-up set, how many sets were
    compared), or None when no set fits (the caller then selects best first, through the same
    core, which never returns an empty summary)."""
    feat = SetFeaturizer(texts, rows, model_scores, terms)
    combos = candidates(texts, paragraphs, k, WordBudget(feat.n_words, max_sentences=k, max_words=max_words))
    if not combos:
        return None
    w = [float(weights["weights"].get(name, 0.0)) for name in SET_FEATURES]
    scored = [(sum(a * b for a, b in zip(w, feat.features(c))), c) for c in combos]
    scored.sort(key=lambda vc: (vc[0], [-i for i in vc[1]]), reverse=True)
    value, combo = scored[0]
    margin = value - scored[1][0] if len(scored) > 1 else 0.0
    return combo, margin, len(combos)
