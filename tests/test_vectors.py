"""The sparse TF-IDF rows the runtime computes itself (numpy + scipy) equal scikit-learn's.

scikit-learn is no runtime dependency any more; it is in the eval/train extras (and so in the test
extra), and here it is the reference: ``TfidfVectorizer`` with sublinear tf, as story clustering
and the multi-document summary used it, on real texts from ../shared/data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from briefing.digest.cluster import ClusterOptions, cluster_articles, story_terms, story_vectors
from briefing.models import Article
from briefing.text.lexicon import story_stop_words
from briefing.text.vectors import sparse_tfidf, tfidf_cosines

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TOLERANCE = 1e-12


def _rows(rel: str, limit: int) -> list[dict]:
    path = DATA / rel
    if not path.exists():
        pytest.skip(f"evaluation data not present: {path}")
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for _, line in zip(range(limit), f)]


def _sentences(limit: int = 400) -> list[str]:
    """Real sentences of several articles (what the multi-document summary compares)."""
    out: list[str] = []
    for row in _rows("multidoc/meantime_dev.jsonl", 40):
        out += [s for s in re.split(r"(?<=[.!?])\s+", row.get("text") or "") if s.strip()]
    return out[:limit]


def _articles(limit: int = 300) -> list[Article]:
    return [
        Article(text=r.get("text") or "", title=r.get("title") or None, id=str(r.get("id")))
        for r in _rows("clustering/ecbplus_dev.jsonl", limit)
    ]


def _sklearn_cosines(texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    X = TfidfVectorizer(stop_words=sorted(story_stop_words()), sublinear_tf=True).fit_transform(texts)
    return (X @ X.T).toarray()


def _sklearn_rows(docs: list[list[str]], min_df: int):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer=lambda d: d, lowercase=False, sublinear_tf=True, min_df=min_df)
    return vec.fit_transform(docs), vec.get_feature_names_out()


@pytest.mark.data
def test_tfidf_cosines_equal_scikit_learns_on_real_sentences():
    pytest.importorskip("sklearn")
    texts = _sentences()
    # an empty text, one of stop words only, one-letter words, accents and case, digits, underscores
    texts += ["", "The and of it is", "a b c I", "Café DÉJÀ-VU naïve école, 2021 x_y x-y", "CAFÉ déjà"]
    ours = tfidf_cosines(texts)
    ref = _sklearn_cosines(texts)
    assert ours.shape == ref.shape == (len(texts), len(texts))
    assert np.abs(ours - ref).max() <= TOLERANCE
    assert ours[-1, -2] > 0.5  # "CAFÉ déjà" ~ "Café DÉJÀ-VU ...": lower-cased and unicode words
    assert not ours[len(texts) - 5 : len(texts) - 2].any()  # nothing to compare in the empty/stop-word ones


@pytest.mark.data
@pytest.mark.parametrize("min_df", [1, 2, 3])
def test_story_rows_equal_scikit_learns_with_min_df_and_empty_docs(min_df):
    pytest.importorskip("sklearn")
    docs = [story_terms(a) for a in _articles()]
    docs[5:5] = [[], []]  # articles without a term
    docs.append(["only-here", "only-here"])  # a term of one article: gone from min_df 2 on
    ref, names = _sklearn_rows(docs, min_df)
    ours = sparse_tfidf(docs, min_df=min_df)
    assert ours.shape == ref.shape
    assert ("only-here" in names) == (min_df == 1)
    assert np.abs(ours.toarray() - ref.toarray()).max() <= TOLERANCE
    # the rows the clustering reads entry by entry: same terms, same order, same values
    for i in range(ours.shape[0]):
        a, b = ours.indptr[i], ours.indptr[i + 1]
        c, d = ref.indptr[i], ref.indptr[i + 1]
        assert sorted(ours.indices[a:b]) == sorted(ref.indices[c:d])
    assert not ours[5].toarray().any() and not ours[6].toarray().any()


@pytest.mark.data
def test_story_vectors_equal_scikit_learns_as_the_clustering_used_them():
    pytest.importorskip("sklearn")
    from sklearn.preprocessing import normalize

    articles = _articles(120)
    options = ClusterOptions()
    docs = [story_terms(a, options) for a in articles]
    ref, _ = _sklearn_rows(docs, options.min_df)  # 120 articles >= 20: min_df applies
    ref = normalize(ref)
    ours = story_vectors(articles, options, docs)
    assert ours.shape == ref.shape
    assert np.abs(ours.toarray() - ref.toarray()).max() <= TOLERANCE


def test_columns_are_the_sorted_vocabulary_and_weights_are_sublinear_smoothed_idf():
    X = sparse_tfidf([["b", "a", "a"], ["c", "b"], []])
    # columns a, b, c; n = 3: idf(a) = idf(c) = ln(4/2) + 1, idf(b) = ln(4/3) + 1; tf(a) = 1 + ln 2
    idf_a, idf_b = np.log(2.0) + 1, np.log(4 / 3) + 1
    row0 = np.array([(1 + np.log(2.0)) * idf_a, idf_b, 0.0])
    row1 = np.array([0.0, idf_b, idf_a])
    expected = np.vstack([row0 / np.linalg.norm(row0), row1 / np.linalg.norm(row1), np.zeros(3)])
    assert np.abs(X.toarray() - expected).max() <= TOLERANCE


def test_nothing_but_stop_words_gives_zero_cosines():
    assert tfidf_cosines(["The and of it.", "It is what it is", ""]).tolist() == [[0.0] * 3] * 3
    assert tfidf_cosines([]).shape == (0, 0)
    assert sparse_tfidf([[], []]).shape == (2, 0)


def test_no_term_in_min_df_articles_leaves_every_article_its_own_story():
    # 20 articles (min_df applies) that share no word: no term is left, every article is a story
    words = "zebra yak walrus vole urchin tapir shrew raven quail puffin ocelot newt marmot lynx koala jackal ibis"
    words += " heron gecko ferret"
    articles = [Article(text="", title=w.capitalize(), id=str(i)) for i, w in enumerate(words.split())]
    assert story_vectors(articles, ClusterOptions()).shape == (20, 1)
    assert cluster_articles(articles) == list(range(20))
