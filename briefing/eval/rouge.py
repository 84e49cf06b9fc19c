"""ROUGE as the literature reports it (the ``rouge-score`` package, Porter stemming), made fast.

Scores are those of ``rouge_score.RougeScorer(use_stemmer=True)`` exactly; the
only change is a memoised stemmer, because stemming every token afresh is most
of the package's run time. ROUGE-Lsum treats newlines as sentence breaks, so
callers join sentences with "\\n".

The greedy extractive oracle lives here too: it needs many ROUGE evaluations
per article, so it counts n-grams of pre-tokenised sentences itself.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

METRICS = ("rouge1", "rouge2", "rougeLsum")


class _MemoStemmer:
    def __init__(self) -> None:
        from nltk.stem import porter

        self._stem = lru_cache(maxsize=200_000)(porter.PorterStemmer().stem)

    def stem(self, word: str) -> str:
        return self._stem(word)


class _Tokenizer:
    """rouge-score's default tokenizer with a memoised Porter stemmer (identical tokens)."""

    def __init__(self) -> None:
        self._stemmer = _MemoStemmer()

    def tokenize(self, text: str) -> list[str]:
        from rouge_score import tokenize

        return tokenize.tokenize(text, self._stemmer)


@lru_cache(maxsize=1)
def _scorer():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True, tokenizer=_Tokenizer())


def tokenize(text: str) -> list[str]:
    return _scorer()._tokenizer.tokenize(text)


def rouge(candidate: list[str], reference: list[str]) -> dict[str, float]:
    """F1 (0-100) of each metric for a candidate and a reference given as lists of sentences."""
    result = _scorer().score("\n".join(reference), "\n".join(candidate))
    return {m: 100.0 * result[m].fmeasure for m in METRICS}


def _ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f1(overlap: int, n_cand: int, n_ref: int) -> float:
    if not overlap or not n_cand or not n_ref:
        return 0.0
    p, r = overlap / n_cand, overlap / n_ref
    return 2 * p * r / (p + r)


def oracle_indices(sentences: list[str], reference: list[str], k: int) -> list[int]:
    """Greedy extractive upper bound: add the sentence that most raises ROUGE-1 + ROUGE-2 F1,
    at most ``k`` sentences, stopping when nothing improves (the usual oracle construction)."""
    ref_tokens = tokenize(" ".join(reference))
    ref = [_ngrams(ref_tokens, 1), _ngrams(ref_tokens, 2)]
    ref_len = [sum(c.values()) for c in ref]
    sent_grams = []
    for s in sentences:
        toks = tokenize(s)
        sent_grams.append((_ngrams(toks, 1), _ngrams(toks, 2)))
    chosen: list[int] = []
    cur: list[Counter] = [Counter(), Counter()]
    best_score = 0.0
    while len(chosen) < k:
        best_i, best_new = None, best_score
        for i, grams in enumerate(sent_grams):
            if i in chosen:
                continue
            score = 0.0
            for n in range(2):
                cand = cur[n] + grams[n]
                overlap = sum((cand & ref[n]).values())
                score += _f1(overlap, sum(cand.values()), ref_len[n])
            if score > best_new:
                best_i, best_new = i, score
        if best_i is None:
            break
        chosen.append(best_i)
        cur = [cur[n] + sent_grams[best_i][n] for n in range(2)]
        best_score = best_new
    if not chosen and sentences:
        chosen = [0]
    return sorted(chosen)
