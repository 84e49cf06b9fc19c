"""Sentence features for the news ranker: cheap, explainable, each in a small range.

Every feature is computed from the article alone (no NER, no downloads) so ranking
stays within a small multiple of LexRank's time. ``features(doc)`` returns one
dict per sentence plus the TF-IDF vectors, which selection reuses for redundancy.
The learned weights (``briefing/data/ranker_weights.json``) refer to these names;
``scripts/train_ranker.py`` trains them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..text.lexicon import (
    FUNCTION_WORDS,
    content_stop_words,
    is_caption,
    is_dangling,
    is_furniture,
    porter_stem,
)
from ..text.segment import words
from ..text.vectors import cosines, term_counts, tfidf_rows, unit_rows
from .base import RankInput

FEATURES = (
    # position prior: news puts the point first
    "first",
    "position",
    "relpos",
    "para_first",
    # length prior
    "length",
    "short",
    # content
    "centrality",
    "degree",
    "centroid",
    "overlap",
    "textrank",
    "title",
    "lead_sim",
    "entities",
    "frequency",
    "numbers",
    # penalties: things that make poor summary sentences
    "quote",
    "question",
    "fragment",
    "dangling",
    "caption",
    "furniture",
    # structure and ranks within the article (the trees use them; the logistic regression barely can)
    "index",
    "para_index",
    "para_pos",
    "doc_length",
    "overlap_rank",
    "degree_rank",
    "capitals",
    # TextRank over plain word counts (cosine, function words dropped, no stemming): the best
    # single predictor of which sentences BBC editors' extracts keep (precision 0.82 alone)
    "cos_rank",
    "cos_rank_order",
)

_QUOTE_OPEN = re.compile(r"^[\"'‘“]")
# capitalised words that do not open a sentence: names, places, organisations (a cheap stand-in for NER)
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+")


_LETTERS = re.compile(r"[A-Za-z]+")


def plain_words(text: str) -> list[str]:
    """Lower-cased letter runs that are not function words (no stemming): "U.S." -> ["u"]."""
    return [w for w in (m.lower() for m in _LETTERS.findall(text)) if w not in FUNCTION_WORDS]


def cosine_textrank(texts: list[str]) -> np.ndarray:
    """PageRank over the cosine similarity of sentences' plain word counts (TextRank with cosine
    edges, as most TextRank summarisers run it), normalised so the best sentence is 1."""
    n = len(texts)
    if n < 2:
        return np.ones(n)
    sim = cosines(unit_rows(term_counts([plain_words(t) for t in texts])))
    return _normalise(_lexrank(sim, threshold=0.0, weighted=True, iterations=100))


def content_terms(text: str) -> list[str]:
    """A sentence's content words, lower-cased and stemmed (no stop words, numbers or single letters)."""
    stops = content_stop_words()
    return [
        porter_stem(w) for w in (t.lower() for t in words(text)) if w not in stops and not w.isdigit() and len(w) > 1
    ]


@dataclass
class DocFeatures:
    rows: list[dict[str, float]]  # one per sentence, names from FEATURES
    vectors: np.ndarray  # unit TF-IDF rows (sentences x terms), for redundancy
    terms: list[list[str]] | None = None  # each sentence's content terms (stemmed), for set features


def _overlap_graph(term_lists: list[list[str]]) -> np.ndarray:
    """Shared words over summed log lengths (Mihalcea & Tarau's TextRank similarity, also
    sumy's Reduction): unlike cosine it rewards long sentences that share many words."""
    counts = term_counts(term_lists)
    shared = counts @ counts.T
    log_len = np.log(np.maximum(counts.sum(axis=1), 1.0))
    norm = log_len[:, None] + log_len[None, :]
    sim = np.divide(shared, norm, out=np.zeros_like(shared), where=norm > 0)
    np.fill_diagonal(sim, 0.0)
    return sim


def _lexrank(
    sim: np.ndarray, threshold: float = 0.1, damping: float = 0.85, weighted: bool = False, iterations: int = 50
) -> np.ndarray:
    """Eigenvector centrality of the thresholded similarity graph (Erkan & Radev 2004);
    ``weighted`` keeps edge weights (PageRank as TextRank runs it)."""
    n = sim.shape[0]
    adj = np.where(sim > threshold, sim if weighted else 1.0, 0.0)
    deg = adj.sum(axis=1, keepdims=True)
    trans = adj / np.where(deg == 0, 1.0, deg)
    p = np.full(n, 1.0 / n)
    for _ in range(iterations):
        nxt = (1 - damping) / n + damping * trans.T @ p
        if np.abs(nxt - p).sum() < 1e-6:
            p = nxt
            break
        p = nxt
    return p


def _normalise(x: np.ndarray) -> np.ndarray:
    top = x.max() if len(x) else 0.0
    return x / top if top > 0 else np.zeros_like(x)


def salient_terms(doc: RankInput, term_lists: list[list[str]]) -> dict[str, float]:
    """Weights of the article's salient names: the given entities, else capitalised words
    that recur and are not merely sentence openers (a cheap stand-in for NER)."""
    if doc.entities:
        weights: dict[str, float] = {}
        for rank, name in enumerate(doc.entities):
            for t in content_terms(name):
                weights[t] = max(weights.get(t, 0.0), 1.0 / (1.0 + 0.3 * rank))
        return weights
    counts: dict[str, int] = {}
    stops = content_stop_words()
    for s in doc.sentences:
        toks = words(s.text)
        for j, w in enumerate(toks):
            if j == 0 or not w[:1].isupper() or w.lower() in stops or len(w) < 2:
                continue
            t = porter_stem(w.lower())
            counts[t] = counts.get(t, 0) + 1
    ranked = sorted((c, t) for t, c in counts.items() if c >= 2)[::-1][:10]
    if not ranked:
        return {}
    top = ranked[0][0]
    return {t: c / top for c, t in ranked}


def features(doc: RankInput) -> DocFeatures:
    sents = doc.sentences
    n = len(sents)
    term_lists = [content_terms(s.text) for s in sents]
    vec = tfidf_rows(term_lists)
    sim = cosines(vec)
    central = _normalise(_lexrank(sim)) if n > 1 else np.ones(n)
    degree = _normalise(sim.sum(axis=1)) if n > 1 else np.ones(n)
    overlap_sim = _overlap_graph(term_lists)
    overlap = _normalise(overlap_sim.sum(axis=1)) if n > 1 else np.ones(n)
    textrank = _normalise(_lexrank(overlap_sim, threshold=0.0, weighted=True)) if n > 1 else np.ones(n)
    centroid_vec = vec.sum(axis=0)
    cn = np.linalg.norm(centroid_vec)
    centroid = vec @ (centroid_vec / cn) if cn > 0 else np.zeros(n)
    title_terms = set(content_terms(doc.title or ""))
    salient = salient_terms(doc, term_lists)
    sal_total = sum(salient.values()) or 1.0
    tf: dict[str, int] = {}
    for terms in term_lists:
        for t in terms:
            tf[t] = tf.get(t, 0) + 1
    total_terms = sum(tf.values()) or 1
    first_para = -1
    paragraphs = {p: k for k, p in enumerate(dict.fromkeys(s.paragraph for s in sents))}
    overlap_rank = (-overlap).argsort(kind="stable").argsort(kind="stable")
    degree_rank = (-degree).argsort(kind="stable").argsort(kind="stable")
    cos_rank = cosine_textrank([s.text for s in sents])
    cos_order = (-cos_rank).argsort(kind="stable").argsort(kind="stable")
    in_para = 0
    rows = []
    for i, (s, terms) in enumerate(zip(sents, term_lists)):
        n_words = len(words(s.text))
        text = s.text.strip()
        tset = set(terms)
        para_first = s.paragraph != first_para
        in_para = 0 if para_first else in_para + 1
        first_para = s.paragraph
        freq = (sum(tf[t] for t in terms) / len(terms) / total_terms * 50.0) if terms else 0.0
        rows.append(
            {
                "first": 1.0 if i == 0 else 0.0,
                "position": 1.0 / (1.0 + i),
                "relpos": i / max(n - 1, 1),
                "para_first": 1.0 if para_first and i > 0 else 0.0,
                "length": min(n_words, 60) / 60.0,
                "short": 1.0 if n_words < 8 else 0.0,
                "centrality": float(central[i]),
                "degree": float(degree[i]),
                "centroid": float(centroid[i]),
                "overlap": float(overlap[i]),
                "textrank": float(textrank[i]),
                "title": len(tset & title_terms) / len(title_terms) if title_terms else 0.0,
                "lead_sim": float(vec[i] @ vec[0]) if i > 0 else 0.0,
                "entities": min(1.0, sum(salient.get(t, 0.0) for t in tset) / sal_total * 2.0),
                "frequency": min(1.0, freq),
                "numbers": 1.0 if re.search(r"\d", text) else 0.0,
                "quote": 1.0 if _QUOTE_OPEN.match(text) else 0.0,
                "question": 1.0 if text.rstrip("\"'’” )").endswith("?") else 0.0,
                "fragment": 1.0
                if (n_words < 5 or text[:1].islower() or not re.search(r"[.!?][\"'’”)\]]*$", text))
                else 0.0,
                "dangling": 1.0 if is_dangling(text) else 0.0,
                "caption": 1.0 if is_caption(text) else 0.0,
                "furniture": 1.0 if is_furniture(text) else 0.0,
                "index": min(i, 40) / 40.0,
                "para_index": paragraphs[s.paragraph] / max(len(paragraphs) - 1, 1),
                "para_pos": min(in_para, 5) / 5.0,
                "doc_length": min(n, 100) / 100.0,
                "overlap_rank": float(overlap_rank[i]) / n,
                "degree_rank": float(degree_rank[i]) / n,
                "capitals": min(len(_CAPITALISED.findall(text)), 10) / 10.0,
                "cos_rank": float(cos_rank[i]),
                "cos_rank_order": float(cos_order[i]) / n,
            }
        )
    return DocFeatures(rows=rows, vectors=vec, terms=term_lists)


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))
