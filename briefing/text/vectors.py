"""Term vectors and their cosines: the one implementation the rankers, the redundancy checks
and the multi-document summary share.

Dense vectors (``term_counts``, ``unit_rows``, ``tfidf_rows``) are for one article's sentences
(a few hundred rows at most); ``tfidf_cosines`` runs scikit-learn's vectorizer for a story's
sentences from many articles; ``Counter`` vectors (``counter_norm``, ``counter_cosine``) are for
comparing two short texts without building a matrix. numpy and scikit-learn load on first use.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def vocabulary(term_lists: Sequence[Sequence[str]]) -> dict[str, int]:
    """Term -> column, numbered in first-seen order."""
    vocab: dict[str, int] = {}
    for terms in term_lists:
        for t in terms:
            vocab.setdefault(t, len(vocab))
    return vocab


def term_counts(term_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """(texts x terms) raw counts; at least one column, so an empty vocabulary still has a shape."""
    import numpy as np

    vocab = vocabulary(term_lists)
    m = np.zeros((len(term_lists), max(len(vocab), 1)))
    for i, terms in enumerate(term_lists):
        for t in terms:
            m[i, vocab[t]] += 1.0
    return m


def unit_rows(m: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (rows of zeros stay zero)."""
    import numpy as np

    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1.0, norms)


def tfidf_rows(term_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """Unit TF-IDF rows (raw tf, smoothed idf ``ln((1 + n) / (1 + df)) + 1``), one per text."""
    import numpy as np

    m = term_counts(term_lists)
    n = len(term_lists)
    df = (m > 0).sum(axis=0)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    return unit_rows(m * idf)


def cosines(unit: np.ndarray) -> np.ndarray:
    """Every pair's cosine of unit rows, with 0 on the diagonal (a text is not its own neighbour)."""
    import numpy as np

    sim = unit @ unit.T
    np.fill_diagonal(sim, 0.0)
    return sim


def tfidf_cosines(texts: list[str]) -> np.ndarray:
    """TF-IDF cosine between every two texts (scikit-learn's vectorizer, sublinear tf, the story
    stop list); all zeros when the texts hold nothing but stop words."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from .lexicon import story_stop_word_list

    try:
        X = TfidfVectorizer(stop_words=story_stop_word_list(), sublinear_tf=True).fit_transform(texts)
    except ValueError:  # nothing but stop words
        return np.zeros((len(texts), len(texts)))
    return (X @ X.T).toarray()


def counter_norm(c: Counter) -> float:
    return math.sqrt(sum(v * v for v in c.values()))


def counter_cosine(a: Counter, b: Counter, norm_a: float, norm_b: float) -> float:
    """Cosine of two sparse count vectors given their norms (0 when either is empty)."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(v * large[g] for g, v in small.items() if g in large)
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


__all__ = [
    "cosines",
    "counter_cosine",
    "counter_norm",
    "term_counts",
    "tfidf_cosines",
    "tfidf_rows",
    "unit_rows",
    "vocabulary",
]
