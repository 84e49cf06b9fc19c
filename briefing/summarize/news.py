"""The default ranker for news: a learned model over explainable features.

Each sentence's score is the probability, from gradient-boosted trees over the
features in ``features.py`` (position, length, centrality, title and entity
overlap, paragraph structure, penalties), that it belongs in the summary. The
trees are trained by ``scripts/train_ranker.py`` and shipped as plain arrays in
``briefing/data/ranker_weights.json``; inference walks every tree for every
sentence at once in numpy (no scikit-learn, no pickle). ``parts`` holds each
feature's contribution: the change of value at every split on that feature along
the sentence's paths (Saabas), so bias + parts is exactly the log-odds and
``--explain`` shows why a sentence ranked where it did. A model file with
``weights`` instead of ``trees`` is a logistic regression (a dot product).

Selection: short summaries (1-4 sentences, a small part of the article) are the
best *set* among the story's first sentences (``leadset.py``); longer extracts
are best-first by score with redundancy removed and dangling references
repaired (``select.py``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np

from ..models import ScoredSentence
from .base import Budget, RankInput, Summarizer
from .features import FEATURES, DocFeatures, features, logistic


@lru_cache(maxsize=1)
def load_weights() -> dict:
    text = resources.files("briefing").joinpath("data/ranker_weights.json").read_text(encoding="utf-8")
    return json.loads(text)


class NewsSummarizer(Summarizer):
    name = "news"
    description = (
        "Default: learned news ranker (position, length, centrality, title and entity overlap, "
        "caption/byline/question penalties); short summaries are the best set of the story's first "
        "sentences, longer ones best-first with redundancy removal and dangling-reference repair."
    )

    def __init__(
        self,
        weights: dict | None = None,
        mmr_lambda: float = 1.0,
        lead_prior: bool = True,
        lead_sets: bool = True,
        set_weights: dict | None = None,
    ):
        self.model = weights or load_weights()
        self.set_weights = set_weights  # the lead-set model (default: the shipped one)
        self.mmr_lambda = mmr_lambda
        self.use_lead_prior = lead_prior
        self.use_lead_sets = lead_sets
        self._last: tuple[RankInput, DocFeatures] | None = None
        self._forest: Forest | None = None

    def _features(self, doc: RankInput) -> DocFeatures:
        if self._last is None or self._last[0] is not doc:
            self._last = (doc, features(doc))
        return self._last[1]

    def score(self, doc: RankInput) -> list[ScoredSentence]:
        if "trees" in self.model:
            return self._score_trees(doc)
        weights = self.model["weights"]
        bias = float(self.model.get("bias", 0.0))
        out = []
        for s, row in zip(doc.sentences, self._features(doc).rows):
            parts = {name: weights.get(name, 0.0) * row[name] for name in FEATURES if row[name] and weights.get(name)}
            out.append(ScoredSentence(s, score=logistic(bias + sum(parts.values())), parts=parts))
        return out

    def _score_trees(self, doc: RankInput) -> list[ScoredSentence]:
        if self._forest is None:
            self._forest = Forest(self.model)
        forest = self._forest
        rows = self._features(doc).rows
        names = forest.names
        X = np.array([[row[name] for name in names] for row in rows])
        contrib = forest.contributions(X)
        bias = float(self.model["bias"])
        out = []
        for s, c in zip(doc.sentences, contrib):
            parts = {names[f]: float(c[f]) for f in np.flatnonzero(np.abs(c) > 1e-9)}
            out.append(ScoredSentence(s, score=logistic(bias + float(c.sum())), parts=parts))
        return out

    def select(self, scored: list[ScoredSentence], budget: Budget, doc: RankInput) -> list[ScoredSentence]:
        from .select import select_news

        feats = self._features(doc)
        m = lead_weight(budget, doc) if self.use_lead_prior else 0.0
        model_scores = [s.score for s in scored]  # the learned model's alone, before any blend
        if m > 0:
            # Short summaries of news are mostly its lead: the learned model (trained on 40%
            # extracts) is blended with a lead prior as the summary gets shorter.
            for i, (s, row) in enumerate(zip(scored, feats.rows)):
                prior = lead_prior(i, row)
                s.parts["lead_prior"] = m * prior
                s.score = (1 - m) * s.score + m * prior
        if self.use_lead_sets and self.use_lead_prior:  # _select_lead_set decides whether a set applies
            chosen = self._select_lead_set(scored, budget, feats, model_scores)
            if chosen is not None:
                return chosen
        return select_news(scored, budget, feats.vectors, self.mmr_lambda)

    def _select_lead_set(
        self, scored: list[ScoredSentence], budget: Budget, feats: DocFeatures, model: list[float]
    ) -> list[ScoredSentence] | None:
        """Short sentence budgets: the best set of k among the first k + 2 usable sentences
        (``leadset.py``); None hands over to best-first selection."""
        from .leadset import applies, best_set, load_set_weights, window
        from .select import excluded_reason, score_ranks

        weights = self.set_weights or load_set_weights()
        k = budget.max_sentences(len(scored))
        if weights is None or budget.words is not None or k is None or not applies(k, len(scored)):
            return None
        texts = [s.text for s in scored]
        paragraphs = [s.sentence.paragraph for s in scored]
        found = best_set(texts, paragraphs, feats.rows, model, k, weights, feats.terms, max_words=budget.words)
        if found is None:
            return None
        combo, margin, compared = found
        pool = set(window(texts, k))
        rank = score_ranks(scored)
        for i, s in enumerate(scored):
            s.chosen = i in combo
            if s.chosen:
                s.reason = (
                    f"chosen: in the best of {compared} candidate sets of the first {len(pool)} usable "
                    f"sentences (predicted ROUGE-1 {margin:+.2f} over the next best set)"
                )
            elif i in pool:
                s.reason = (
                    f"not chosen: rank {rank[s.sentence.index]}, left out of the best set of the first {len(pool)}"
                )
            else:
                s.reason = excluded_reason(s) or f"not chosen: rank {rank[s.sentence.index]}"
        return [scored[i] for i in combo]


class Forest:
    """Every tree's nodes concatenated, walked level by level for all sentences and trees at once."""

    def __init__(self, model: dict):
        self.names = list(model.get("features") or FEATURES)
        feature: list[int] = []
        threshold: list[float] = []
        left: list[int] = []
        right: list[int] = []
        value: list[float] = []
        roots: list[int] = []
        for tree in model["trees"]:
            base = len(feature)
            roots.append(base)
            feature += tree["feature"]
            threshold += tree["threshold"]
            left += [base + c for c in tree["left"]]
            right += [base + c for c in tree["right"]]
            value += tree["value"]
        self.feature = np.array(feature, dtype=np.int64)
        self.leaf = self.feature < 0
        self.split_on = np.where(self.leaf, 0, self.feature)
        self.threshold = np.array(threshold)
        self.left = np.array(left, dtype=np.int64)
        self.right = np.array(right, dtype=np.int64)
        self.value = np.array(value)
        self.roots = np.array(roots, dtype=np.int64)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """(sentences x features): the summed change of node value at each split on that feature."""
        n = X.shape[0]
        out = np.zeros((n, len(self.names)))
        node = np.broadcast_to(self.roots, (n, len(self.roots))).copy()
        rows = np.broadcast_to(np.arange(n)[:, None], node.shape)
        while True:
            inner = ~self.leaf[node]
            if not inner.any():
                return out
            f = self.split_on[node]
            nxt = np.where(X[rows, f] <= self.threshold[node], self.left[node], self.right[node])
            nxt = np.where(inner, nxt, node)
            np.add.at(out, (rows[inner], f[inner]), self.value[nxt[inner]] - self.value[node[inner]])
            node = nxt


# Lead prior for short summaries; its constants were set on cnndm_dev (3-sentence highlights) and
# each helps on both halves (even/odd rows): earlier is better, long sentences cost precision, very
# short ones (< 8 words) carry little, sentences opening with a quote are rarely the point, and
# fragments and questions are poor summaries.
LENGTH_COST = 0.3
SHORT_COST = 0.2
QUOTE_COST = 0.05
# Compression (summary / article sentences) at which the prior is fully on / off. 3 of a CNN/DM
# article's sentences are < 0.2 of it for 90% of rows; BBC references (the learned model's labels)
# are >= 0.3 for 90% of rows, where the blend cost 1.3 ROUGE-1 at the old 0.3 / 0.4.
SHORT, LONG = 0.2, 0.3


def lead_prior(i: int, row: dict[str, float]) -> float:
    return (
        1.0 / (1.0 + i)
        - LENGTH_COST * row["length"]
        - SHORT_COST * row["short"]
        - QUOTE_COST * row["quote"]
        - row["fragment"]
        - row["question"]
    )


def lead_weight(budget: Budget, doc: RankInput) -> float:
    """1 for short summaries (<= 20% of the article), 0 for long ones (>= 30%), linear between."""
    from ..text.segment import word_count

    n = len(doc.sentences)
    ratios = []
    max_n = budget.max_sentences(n)
    if max_n is not None:
        ratios.append(max_n / max(n, 1))
    if budget.words is not None:
        total = sum(word_count(s.text) for s in doc.sentences) or 1
        ratios.append(budget.words / total)
    r = min(ratios) if ratios else 1.0
    return max(0.0, min(1.0, (LONG - r) / (LONG - SHORT)))
