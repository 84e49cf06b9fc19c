"""Story clustering: which articles tell the same story.

Each article becomes a sparse TF-IDF vector of its title (weighted up) and the
lead of its text, with name-like tokens (capitalised words inside a sentence,
numbers) weighted up: two earthquakes or two rehab stays share the topic words,
and only the names, places and figures tell the events apart.

Cost stays about linear in the number of articles:

1. *Blocking*: candidate neighbours are found through shared terms that are
   rare in the batch (document frequency capped), so a term every second
   article uses never makes an all-pairs product. Each article keeps its ``k``
   best candidates, re-scored with the full vectors.
2. *Merging*: agglomerative clustering over that sparse candidate graph, always
   merging the two clusters whose centroids are most alike (cosine of the sum
   vectors), while that cosine is above a threshold. A centroid collects the
   words of all its members, so a story told in many short headlines still
   holds together although most pairs of its headlines share no word.
3. *Time*: when both sides carry publication times, a merged cluster may not
   span more than ``time_window_hours`` (events far apart in time are
   different stories).
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ..models import Article
from ..text.lexicon import light_stem, story_stop_words

_TOKEN = re.compile(r"[^\W_](?:[\w’'.&-]*[^\W_])?", re.UNICODE)


@dataclass
class ClusterOptions:
    # Full articles merge by *average link* (mean cosine over all cross pairs): it keeps two events
    # of the same kind apart, as their many detailed pairs disagree. Headline-only items merge by
    # *cosine of centroids*: a story's headlines are short and share few words pairwise, but their
    # centroid gathers the story's vocabulary. Mixed clusters interpolate by their share of headlines.
    threshold: float = 0.18  # full articles, average link (with the event check below)
    headline_threshold: float = 0.15  # headline-only items, centroid cosine (0.12-0.18 flat on both UCI folds)
    headline_words: int = 25  # an item whose text (title aside) is shorter counts as headline-only
    title_weight: int = 2
    lead_words: int = 150  # the lead tells the event; later paragraphs drift into background
    name_weight: int = 3  # capitalised words inside a sentence and numbers
    min_df: int = 2  # terms of a single article only dilute its vector (applied from 20 articles on)
    neighbours: int = 20  # candidate neighbours kept per article
    block_df: int = 100  # terms in more articles than this do not make candidate pairs
    time_window_hours: float | None = 96.0
    # Event check before two clusters of full articles (>= event_min_size each) merge: re-weight
    # their terms with IDF from the two clusters alone, so the words both events share (the
    # champion's name, "heavyweight title") count little and what tells them apart (the opponent,
    # the arena, the round) counts much; merge only if the mean cross cosine is at least
    # event_ratio x the geometric mean of the two clusters' own mean cosines. 0 switches it off.
    event_ratio: float = 0.45
    event_min_size: int = 3
    event_sample: int = 30  # members per side the check reads at most (keeps its cost bounded)


def cluster_articles(articles: list[Article], options: ClusterOptions | None = None) -> list[int]:
    """A story label per article (same label = same story), labels numbered 0.. in first-seen order."""
    options = options or ClusterOptions()
    n = len(articles)
    if n == 0:
        return []
    docs = [story_terms(a, options) for a in articles]
    vectors = story_vectors(articles, options, docs)
    edges = candidate_pairs(vectors, options)
    times = [_timestamp(a) for a in articles]
    heads = [is_headline_only(a, options) for a in articles]
    groups = _agglomerate(vectors, edges, times, heads, options, docs)
    return _relabel(groups)


# -- features ---------------------------------------------------------------


def story_terms(article: Article, options: ClusterOptions | None = None) -> list[str]:
    """The weighted bag of terms that describes an article's event (a term repeated = weighted up)."""
    options = options or ClusterOptions()
    title = article.title or ""
    text = article.text or ""
    if article.body_start and article.body_start < len(text):
        text = text[article.body_start :]
    lead = " ".join(text.split()[: options.lead_words]) if options.lead_words else text
    terms = _terms(title, options.title_weight, options.name_weight)
    terms += _terms(lead, 1, options.name_weight)
    return terms


def _terms(text: str, weight: int, name_weight: int) -> list[str]:
    out: list[str] = []
    sentence_start = True
    for m in _TOKEN.finditer(text):
        tok = m.group()
        term = _term(tok.lower())
        if term is not None:
            # a capital after a sentence end is grammar, not a name
            name_like = tok[0].isdigit() or (tok[0].isupper() and not sentence_start)
            out.extend([term] * (weight * (name_weight if name_like else 1)))
        nxt = text[m.end() : m.end() + 1]
        sentence_start = nxt in (".", "!", "?", ":", "\n")
    return out


@lru_cache(maxsize=65536)
def _term(low: str) -> str | None:
    """The indexed form of a lower-cased token, or None for stop words and single letters."""
    if low.isdigit():
        return low
    if low in story_stop_words() or len(low) < 2:
        return None
    return light_stem(low)


def is_headline_only(article: Article, options: ClusterOptions | None = None) -> bool:
    """A feed item with a title and no real text (or a teaser only)."""
    options = options or ClusterOptions()
    text = article.text or ""
    return len(text[article.body_start :].split()) < options.headline_words


def story_vectors(articles: list[Article], options: ClusterOptions, docs=None):
    """L2-normalised TF-IDF rows (sublinear tf, IDF from the batch itself) as a CSR matrix; one column
    of zeros when no term is left (no words, or none in ``min_df`` articles)."""
    import scipy.sparse as sp

    from ..text.vectors import sparse_tfidf

    if docs is None:
        docs = [story_terms(a, options) for a in articles]
    X = sparse_tfidf(docs, min_df=options.min_df if len(docs) >= 20 else 1)
    if X.shape[1] == 0:
        return sp.csr_matrix((len(articles), 1))
    return X


# -- candidates -------------------------------------------------------------


def candidate_pairs(X, options: ClusterOptions, chunk: int = 1000) -> dict[tuple[int, int], float]:
    """(i, j) with i < j -> exact cosine, for each article's best candidates through rare shared terms."""
    import numpy as np
    import scipy.sparse as sp

    n = X.shape[0]
    df = np.diff(X.tocsc().indptr)
    # terms in a single article cannot pair anything; very common terms pair everything
    keep = (df >= 2) & (df <= max(options.block_df, 2))
    B = (X @ sp.diags(keep.astype(X.dtype))).tocsr()
    B.eliminate_zeros()
    BT = B.T.tocsr()
    k = options.neighbours
    pairs: dict[tuple[int, int], float] = {}
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        P = (B[lo:hi] @ BT).tocsr()
        for r in range(hi - lo):
            i = lo + r
            a, b = P.indptr[r], P.indptr[r + 1]
            cols, vals = P.indices[a:b], P.data[a:b]
            if len(cols) > k + 1:
                top = np.argpartition(-vals, k + 1)[: k + 1]
                cols = cols[top]
            for j in cols:
                j = int(j)
                if j != i:
                    pairs[(i, j) if i < j else (j, i)] = 0.0
    if not pairs:
        return pairs
    ii = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    jj = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    sims = np.asarray(X[ii].multiply(X[jj]).sum(axis=1)).ravel()
    return {(int(a), int(b)): float(s) for a, b, s in zip(ii, jj, sims)}


# -- merging ----------------------------------------------------------------


def event_ratio(docs_a: list[list[str]], docs_b: list[list[str]]) -> float:
    """How alike two groups of articles are across, relative to within, with IDF from them alone.

    Mean cross-group cosine over the geometric mean of the two groups' own mean pairwise cosines
    (each group needs two articles or more); terms need to occur in two of the articles.
    Two reports of one event score near 1; two events of the same kind score far lower,
    as the terms they share are in most articles and so weigh little here.
    """
    from collections import Counter

    tfs = [Counter(d) for d in docs_a + docs_b]
    n = len(tfs)
    df: Counter = Counter()
    for tf in tfs:
        df.update(tf.keys())
    # smoothed IDF with +1, as TfidfVectorizer: shared terms keep some weight
    idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items() if c >= 2}
    vecs = []
    for tf in tfs:
        v = {t: (1 + math.log(c)) * idf[t] for t, c in tf.items() if t in idf}
        norm = math.sqrt(sum(x * x for x in v.values()))
        vecs.append({t: x / norm for t, x in v.items()} if norm else {})
    na, nb = len(docs_a), len(docs_b)

    def total(vs):
        out: dict[str, float] = {}
        for v in vs:
            for t, x in v.items():
                out[t] = out.get(t, 0.0) + x
        return out

    def cohesion(vs, s):
        m = len(vs)
        self_dots = sum(1.0 for v in vs if v)
        return (_dot(s, s) - self_dots) / (m * (m - 1))

    sa, sb = total(vecs[:na]), total(vecs[na:])
    ca, cb = cohesion(vecs[:na], sa), cohesion(vecs[na:], sb)
    cross = _dot(sa, sb) / (na * nb)
    return cross / math.sqrt(max(ca, 1e-9) * max(cb, 1e-9))


def _sample(items: list, k: int) -> list:
    """At most k items, evenly spread (deterministic)."""
    if len(items) <= k:
        return items
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]


def _agglomerate(X, edges, times, heads, options: ClusterOptions, docs=None) -> list[int]:
    """Agglomeration over the candidate graph; returns a group id per article.

    Clusters keep the sum of their members' unit vectors, so both linkages are
    exact over all member pairs, not only over candidate pairs: the mean
    pairwise cosine is ``sum_a . sum_b / (n_a n_b)``, the centroid cosine
    ``sum_a . sum_b / (|sum_a| |sum_b|)``. The pair whose similarity is
    furthest above its threshold merges first.
    """
    n = X.shape[0]
    X = X.tocsr()
    rows: list[dict[int, float]] = []
    for i in range(n):
        a, b = X.indptr[i], X.indptr[i + 1]
        rows.append(dict(zip(X.indices[a:b].tolist(), X.data[a:b].tolist())))
    norm2 = [sum(v * v for v in s.values()) for s in rows]
    sums: list[dict[int, float] | None] = list(rows)  # None once merged into another cluster
    size = [1] * n
    n_heads = [1 if h else 0 for h in heads]
    tmin: list[float | None] = list(times)
    tmax: list[float | None] = list(times)
    members: list[list[int] | None] = [[i] for i in range(n)]
    nbrs: list[set[int]] = [set() for _ in range(n)]
    version = [0] * n
    window = options.time_window_hours * 3600 if options.time_window_hours else None
    heap: list[tuple[float, int, int, int, int]] = []

    def too_far(a: int, b: int) -> bool:
        lo_a, lo_b, hi_a, hi_b = tmin[a], tmin[b], tmax[a], tmax[b]
        if window is None or lo_a is None or lo_b is None or hi_a is None or hi_b is None:
            return False
        return max(hi_a, hi_b) - min(lo_a, lo_b) > window

    def push(a: int, b: int, dot: float) -> None:
        h = (n_heads[a] + n_heads[b]) / (size[a] + size[b])  # share of headline-only items
        centroid = dot / (math.sqrt(norm2[a] * norm2[b]) or 1.0)
        average = dot / (size[a] * size[b])
        sim = h * centroid + (1 - h) * average
        threshold = h * options.headline_threshold + (1 - h) * options.threshold
        if sim >= threshold and not too_far(a, b):
            heapq.heappush(heap, (-sim / threshold, a, b, version[a], version[b]))

    for (i, j), sim in edges.items():
        nbrs[i].add(j)
        nbrs[j].add(i)
        push(i, j, sim)

    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        mem_a, mem_b = members[a], members[b]
        if mem_a is None or mem_b is None or version[a] != va or version[b] != vb:
            continue
        if (
            options.event_ratio
            and docs is not None
            and min(size[a], size[b]) >= options.event_min_size
            and 2 * (n_heads[a] + n_heads[b]) < size[a] + size[b]
        ):
            k = options.event_sample
            ratio = event_ratio([docs[i] for i in _sample(mem_a, k)], [docs[i] for i in _sample(mem_b, k)])
            if ratio < options.event_ratio:
                continue  # two events of the same kind: this pair stays apart (until either changes)
        if size[a] < size[b]:
            a, b = b, a
            mem_a, mem_b = mem_b, mem_a
        # merge b into a
        sa, sb = sums[a], sums[b]
        assert sa is not None and sb is not None  # both are live clusters (checked above)
        cross = _dot(sa, sb)
        for t, v in sb.items():
            sa[t] = sa.get(t, 0.0) + v
        norm2[a] = norm2[a] + norm2[b] + 2 * cross
        size[a] += size[b]
        n_heads[a] += n_heads[b]
        mem_a.extend(mem_b)
        tb_min, tb_max, ta_min, ta_max = tmin[b], tmax[b], tmin[a], tmax[a]
        if tb_min is not None and tb_max is not None:
            tmin[a] = tb_min if ta_min is None else min(ta_min, tb_min)
            tmax[a] = tb_max if ta_max is None else max(ta_max, tb_max)
        members[b] = None
        sums[b] = None
        version[a] += 1
        merged = (nbrs[a] | nbrs[b]) - {a, b}
        nbrs[a] = merged
        nbrs[b] = set()
        for c in merged:
            nbrs[c].discard(b)
            nbrs[c].add(a)
            sc = sums[c]
            if sc is not None:
                push(a, c, _dot(sa, sc))

    group = [0] * n
    for g, m in enumerate(members):
        if m is not None:
            for i in m:
                group[i] = g
    return group


def _dot(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    get = b.get
    return sum(v * get(t, 0.0) for t, v in a.items())


def _relabel(groups: list[int]) -> list[int]:
    seen: dict[int, int] = {}
    return [seen.setdefault(g, len(seen)) for g in groups]


def _timestamp(article: Article) -> float | None:
    when = article.publication_time
    return when.timestamp() if when is not None else None
