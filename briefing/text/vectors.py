"""Term vectors and their cosines: the one implementation the rankers, the redundancy checks
and the multi-document summary share.

Dense vectors (``term_counts``, ``unit_rows``, ``tfidf_rows``) are for one article's sentences
(a few hundred rows at most); sparse ones (``sparse_tfidf``) for many texts at once: a story's
sentences from many articles (``tfidf_cosines``) and the articles of a digest (story clustering);
``Counter`` vectors (``counter_norm``, ``counter_cosine``) are for comparing two short texts without
building a matrix. numpy and scipy load on first use.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import scipy.sparse as sp

# scikit-learn's default token pattern: words of two or more word characters
WORD = re.compile(r"(?u)\b\w\w+\b")


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


def sparse_tfidf(term_lists: Sequence[Sequence[str]], min_df: int = 1) -> sp.csr_matrix:
    """Unit TF-IDF rows as a CSR matrix, the weighting scikit-learn's ``TfidfVectorizer`` gives with
    ``sublinear_tf=True`` (and its defaults otherwise), to the last bit.

    tf is ``1 + ln(count)``, idf the smoothed ``ln((1 + n) / (1 + df)) + 1``, rows are scaled to
    length 1 (empty rows stay zero). Columns are the terms found in ``min_df`` texts or more, in
    sorted order; within a row the entries run in order of the terms' first appearance in the batch,
    as scikit-learn leaves them, so every sum adds in the same order. No term left: zero columns.
    """
    import numpy as np
    import scipy.sparse as sp

    first_seen: dict[str, int] = {}  # term -> its column in first-seen order
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for terms in term_lists:
        row = Counter(terms)
        for t in row:
            j = first_seen.get(t)
            if j is None:
                j = first_seen[t] = len(first_seen)
            indices.append(j)
        counts.extend(row.values())
        indptr.append(len(indices))
    n = len(term_lists)
    C = sp.csr_matrix((np.asarray(counts, dtype=np.float64), indices, indptr), shape=(n, len(first_seen)))
    C.sort_indices()  # each row's entries by the terms' first appearance in the batch
    col, data, ptr = C.indices, C.data, C.indptr
    df = np.bincount(col, minlength=len(first_seen))
    keep = df >= min_df
    if not keep.all():
        kept = keep[col]
        rows = np.repeat(np.arange(n), np.diff(ptr))[kept]
        col, data = col[kept], data[kept]
        ptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
    # the kept terms in sorted order become the columns; entries keep their order within a row
    terms = list(first_seen)
    by_name = np.asarray(sorted(np.flatnonzero(keep).tolist(), key=terms.__getitem__), dtype=np.int64)
    new_col = np.zeros(len(terms), dtype=np.int64)
    new_col[by_name] = np.arange(len(by_name))
    col = new_col[col]
    idf = np.full(len(by_name), n + 1.0)
    idf /= df[by_name] + 1.0
    np.log(idf, out=idf)
    idf += 1.0
    data = np.log(data)
    data += 1.0
    data *= idf[col]
    # l2 norm per row, each sum of squares added in row order (a CSR product), as scikit-learn does
    shape = (n, len(by_name))
    norms = np.sqrt(sp.csr_matrix((data * data, col, ptr), shape=shape) @ np.ones(shape[1]))
    norms[norms == 0.0] = 1.0
    data /= np.repeat(norms, np.diff(ptr))
    return sp.csr_matrix((data, col, ptr), shape=shape)


def tfidf_cosines(texts: list[str]) -> np.ndarray:
    """TF-IDF cosine between every two texts (sublinear tf, scikit-learn's default tokens: words of
    two or more letters, lower-cased, without the story stop list); all zeros when the texts hold
    nothing but stop words."""
    from .lexicon import story_stop_words

    stops = story_stop_words()
    X = sparse_tfidf([[w for w in WORD.findall(text.lower()) if w not in stops] for text in texts])
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
    "sparse_tfidf",
    "term_counts",
    "tfidf_cosines",
    "tfidf_rows",
    "unit_rows",
    "vocabulary",
]
