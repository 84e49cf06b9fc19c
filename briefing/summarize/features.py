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
from functools import lru_cache

import numpy as np

from ..text.segment import words
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

# A sentence opening with one of these refers back to something the reader has not seen.
_DANGLING = re.compile(
    r"^[\"'‘“]?(?:(?:he|she|it|they|his|her|its|their|him|them|this|that|these|those|"
    r"but|and|so|yet|also|however|instead|therefore|thus|that is why|this is why|as a result|"
    r"the (?:latter|former))\b)",
    re.IGNORECASE,
)
# Words that make "This"/"That"... a determiner of a new, explicit noun phrase are still dangling
# ("This week" is fine though): the short list of time words keeps such openings.
_RESOLVED_AFTER_DEMONSTRATIVE = re.compile(
    r"^(?:this|that|these|those) (?:week|year|month|morning|afternoon|evening|summer|winter|spring|autumn|"
    r"season|weekend|time|is (?:the|a)\b)",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"(?i:scroll down for (?:video|more)|^\s*(?:pictured|photo|image|video|watch|click here|read more|"
    r"see more|related)\b|\((?:pictured|left|right|centre|center|above|below|top|bottom|inset)\))|"
    # a short label and a colon before a capital: "Flying high: Half of the kite..."
    r"^[A-Z][\w'’-]*(?: [\w'’-]+){0,4}: [A-Z]"
)
_FURNITURE = re.compile(
    r"^\s*(?:by\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}\s*\.?\s*$|by \. |"
    r"(?:published|updated|last updated)\s*:?|"
    r"[A-Z][A-Za-z .,'-]{1,40}\(\s*(?:reuters|ap|afp|cnn|upi|bloomberg)\s*\)\s*[-–—]*\s*$|"
    r"(?:follow|contact) (?:us|me|him|her)\b.*(?:twitter|@)|"
    r"e-?mail\s*:|copyright\b|all rights reserved)",
    re.IGNORECASE,
)
_QUOTE_OPEN = re.compile(r"^[\"'‘“]")
# capitalised words that do not open a sentence: names, places, organisations (a cheap stand-in for NER)
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+")


# Function words for the plain-word graph: the classic English stop list (the one NLTK ships as
# ``stopwords.words("english")``), written out here because NLTK's data cannot be downloaded offline.
FUNCTION_WORDS = frozenset(
    """
i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he him
his himself she she's her hers herself it it's its itself they them their theirs themselves what which who
whom this that that'll these those am is are was were be been being have has had having do does did doing
a an the and but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here there when
where why how all any both each few more most other some such no nor not only own same so than too very s
t can will just don don't should should've now d ll m o re ve y ain aren aren't couldn couldn't didn didn't
doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn
needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't
""".split()
)
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
    vocab: dict[str, int] = {}
    rows = [[vocab.setdefault(w, len(vocab)) for w in plain_words(t)] for t in texts]
    counts = np.zeros((n, max(len(vocab), 1)))
    for i, ids in enumerate(rows):
        np.add.at(counts[i], ids, 1.0)
    norms = np.linalg.norm(counts, axis=1, keepdims=True)
    unit = counts / np.where(norms == 0, 1.0, norms)
    sim = unit @ unit.T
    np.fill_diagonal(sim, 0.0)
    return _normalise(_lexrank(sim, threshold=0.0, weighted=True, iterations=100))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    from sumy.utils import get_stop_words

    return frozenset(get_stop_words("english")) | {"said", "says", "say", "mr", "mrs", "ms", "would", "could"}


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return _porter().stemWord(word)


@lru_cache(maxsize=1)
def _porter():
    # Snowball's Porter stemmer: pure Python, imports in milliseconds (NLTK took ~2 s of
    # the CLI's cold start). Evaluation keeps rouge-score's own NLTK stemming: that is the metric.
    import snowballstemmer

    return snowballstemmer.stemmer("porter")


def content_terms(text: str) -> list[str]:
    stops = stop_words()
    return [_stem(w) for w in (t.lower() for t in words(text)) if w not in stops and not w.isdigit() and len(w) > 1]


@dataclass
class DocFeatures:
    rows: list[dict[str, float]]  # one per sentence, names from FEATURES
    vectors: np.ndarray  # unit TF-IDF rows (sentences x terms), for redundancy
    terms: list[list[str]] | None = None  # each sentence's content terms (stemmed), for set features


def is_dangling(text: str) -> bool:
    s = text.lstrip()
    return bool(_DANGLING.match(s)) and not _RESOLVED_AFTER_DEMONSTRATIVE.match(s.lstrip("\"'‘“"))


def quote_balance(text: str) -> int:
    """Opening minus closing double quotation marks: > 0 when a quotation runs on into the next
    sentence, < 0 when the sentence ends one begun before it (straight quotes: odd = unbalanced)."""
    curly = text.count("“") - text.count("”")
    if curly:
        return curly
    straight = text.count('"')
    if straight % 2:
        return 1 if text.lstrip().startswith('"') or text.find('"') < len(text) / 2 else -1
    return 0


def is_caption(text: str) -> bool:
    return bool(_CAPTION.search(text))


def is_furniture(text: str) -> bool:
    return bool(_FURNITURE.match(text))


def _tfidf(term_lists: list[list[str]]) -> np.ndarray:
    vocab: dict[str, int] = {}
    for terms in term_lists:
        for t in terms:
            vocab.setdefault(t, len(vocab))
    n = len(term_lists)
    m = np.zeros((n, max(len(vocab), 1)))
    for i, terms in enumerate(term_lists):
        for t in terms:
            m[i, vocab[t]] += 1.0
    df = (m > 0).sum(axis=0)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    m = m * idf
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1.0, norms)


def _overlap_graph(term_lists: list[list[str]]) -> np.ndarray:
    """Shared words over summed log lengths (Mihalcea & Tarau's TextRank similarity, also
    sumy's Reduction): unlike cosine it rewards long sentences that share many words."""
    vocab: dict[str, int] = {}
    for terms in term_lists:
        for t in terms:
            vocab.setdefault(t, len(vocab))
    counts = np.zeros((len(term_lists), max(len(vocab), 1)))
    for i, terms in enumerate(term_lists):
        for t in terms:
            counts[i, vocab[t]] += 1.0
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
    stops = stop_words()
    for s in doc.sentences:
        toks = words(s.text)
        for j, w in enumerate(toks):
            if j == 0 or not w[:1].isupper() or w.lower() in stops or len(w) < 2:
                continue
            t = _stem(w.lower())
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
    vec = _tfidf(term_lists)
    sim = vec @ vec.T
    np.fill_diagonal(sim, 0.0)
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
