"""`briefing eval stories FILE`: story clustering against gold `story` labels.

Each row is ``{"id", "title", "text"?, "published"?, "url"?, "source"?, "story"}``.
The articles are clustered exactly as the digest clusters them
(``briefing.digest.cluster.cluster_articles``) and scored with B-cubed and
pairwise precision/recall/F1, next to a plain baseline: cosine of TF-IDF
vectors of title+text (scikit-learn's vectorizer, from the eval extra: English
stop words, sublinear tf), single-link at a threshold. The baseline is printed at its best threshold on the file itself
(chosen with the gold labels, so it is an optimistic baseline).

`--paraphrase FILE` measures the near-duplicate sentence detector instead, on
pairs ``{"text1", "text2", "label"}`` (label 1 = same meaning, as in MSRP).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import click

from ..errors import InputError
from ..models import Article

BASELINE_THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 20)]


@dataclass
class Scores:
    b3_precision: float
    b3_recall: float
    b3_f1: float
    pair_precision: float
    pair_recall: float
    pair_f1: float
    clusters: int

    def to_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def load_stories(path: str) -> tuple[list[Article], list[str]]:
    """Articles and their gold story labels from a JSONL file."""
    articles: list[Article] = []
    gold: list[str] = []
    from .data import iter_jsonl

    for n, d in iter_jsonl(path):
        if "story" not in d:
            raise InputError(f"{path}:{n}: each row needs a 'story' field (the gold story label)")
        raw_title, raw_text = d.get("title"), d.get("text")
        title = raw_title if isinstance(raw_title, str) else ""
        text = raw_text if isinstance(raw_text, str) else ""
        if not title.strip() and not text.strip():
            raise InputError(f"{path}:{n}: the row has neither 'title' nor 'text'")
        published_at = _parse_time(d.get("published"))
        articles.append(
            Article(
                text=text,
                title=title or None,
                id=str(d.get("id", n)),
                url=d.get("url") or None,
                source_name=d.get("source") or None,
                published_at=published_at,
                published=published_at.date() if published_at else None,
                format="jsonl",
            )
        )
        gold.append(str(d["story"]))
    if not articles:
        raise InputError(f"{path}: no articles to evaluate")
    return articles, gold


def _parse_time(value) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(v)
    except ValueError:
        try:
            d = date.fromisoformat(v[:10])
        except ValueError:
            return None
        return datetime(d.year, d.month, d.day, 12)


# -- metrics ----------------------------------------------------------------


def score_clustering(gold: list, predicted: list) -> Scores:
    """B-cubed (per item, averaged) and pairwise (over same-cluster pairs) precision/recall/F1."""
    n = len(gold)
    joint = Counter(zip(gold, predicted))
    g = Counter(gold)
    p = Counter(predicted)
    b3p = sum(c * c / p[b] for (_, b), c in joint.items()) / n
    b3r = sum(c * c / g[a] for (a, _), c in joint.items()) / n

    def pairs(c: int) -> int:
        return c * (c - 1) // 2

    both = sum(pairs(c) for c in joint.values())
    pred_pairs = sum(pairs(c) for c in p.values())
    gold_pairs = sum(pairs(c) for c in g.values())
    pp = both / pred_pairs if pred_pairs else 1.0
    pr = both / gold_pairs if gold_pairs else 1.0
    return Scores(b3p, b3r, _f1(b3p, b3r), pp, pr, _f1(pp, pr), len(p))


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# -- baseline ---------------------------------------------------------------


def baseline_labels(articles: list[Article], threshold: float) -> list[int]:
    return baseline_sweep(articles, [threshold])[threshold]


def baseline_sweep(articles: list[Article], thresholds: list[float]) -> dict[float, list[int]]:
    """Plain TF-IDF (title + text) cosine, single-link (connected components) at each threshold."""
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [f"{a.title or ''}\n{a.text or ''}" for a in articles]
    try:
        X = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(docs)
    except ValueError:  # nothing but stop words
        return {t: list(range(len(articles))) for t in thresholds}
    S = (X @ X.T).tocsr()
    out = {}
    for t in thresholds:
        A = S.copy()
        A.data = (A.data >= t - 1e-12).astype("int8")
        A.eliminate_zeros()
        _, labels = connected_components(A, directed=False)
        out[t] = labels.tolist()
    return out


# -- command ----------------------------------------------------------------


@click.command(name="stories")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--predictions",
    "predictions_path",
    type=click.Path(dir_okay=False, writable=True),
    help='Write {"id", "story"} per line: the clustering the digest uses.',
)
@click.option(
    "--paraphrase",
    is_flag=True,
    help="FILE holds sentence pairs {text1, text2, label}: measure the near-duplicate detector.",
)
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="Merge threshold for our clustering (default: the digest's), or for --paraphrase.",
)
@click.option(
    "--event-ratio",
    type=float,
    default=None,
    help="Event check before two clusters of full articles merge (default: the digest's; 0 = off).",
)
@click.option(
    "--folds",
    is_flag=True,
    help="Also score two halves of FILE clustered separately (by `topic` if rows have it, "
    "else by a hash of the story label).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def command(file, predictions_path, paraphrase, threshold, event_ratio, folds, as_json):
    """Cluster FILE's articles into stories and score against its gold `story` labels."""
    if paraphrase:
        return _paraphrase(file, threshold, as_json)
    from ..digest.cluster import ClusterOptions, cluster_articles
    from .extra import require_eval_extra

    require_eval_extra("briefing eval stories", "sklearn")  # the baseline's vectorizer

    articles, gold = load_stories(file)
    overrides = {}
    if threshold is not None:
        overrides["threshold"] = threshold
    if event_ratio is not None:
        overrides["event_ratio"] = event_ratio
    options = ClusterOptions(**overrides)
    started = time.perf_counter()
    predicted = cluster_articles(articles, options)
    seconds = time.perf_counter() - started
    ours = score_clustering(gold, predicted)

    sweep = baseline_sweep(articles, BASELINE_THRESHOLDS)
    scored = {t: score_clustering(gold, labels) for t, labels in sweep.items()}
    best_t = max(scored, key=lambda t: (scored[t].b3_f1, -t))
    base = scored[best_t]

    if predictions_path:
        with open(predictions_path, "w", encoding="utf-8") as out:
            for a, story in zip(articles, predicted):
                out.write(json.dumps({"id": a.id, "story": story}) + "\n")

    result: dict[str, Any] = {
        "file": file,
        "articles": len(articles),
        "gold_stories": len(set(gold)),
        "ours": {
            **ours.to_dict(),
            "threshold": options.threshold,
            "headline_threshold": options.headline_threshold,
            "seconds": round(seconds, 3),
        },
        "baseline": {**base.to_dict(), "threshold": best_t, "threshold_choice": "best on this file"},
    }
    if folds:
        result["folds"] = []
        for k, idx in enumerate(fold_indices(file, gold)):
            if not idx:
                result["folds"].append({"fold": k, "articles": 0})
                continue
            fold_pred = cluster_articles([articles[i] for i in idx], options)
            result["folds"].append(
                {"fold": k, "articles": len(idx), **score_clustering([gold[i] for i in idx], fold_pred).to_dict()}
            )
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"{file}: {len(articles)} articles, {len(set(gold))} gold stories")
    click.echo(f"{'':28}{'ours':>10}{'baseline':>10}")
    for label, key in [
        ("B-cubed precision", "b3_precision"),
        ("B-cubed recall", "b3_recall"),
        ("B-cubed F1", "b3_f1"),
        ("pairwise precision", "pair_precision"),
        ("pairwise recall", "pair_recall"),
        ("pairwise F1", "pair_f1"),
    ]:
        click.echo(f"{label:28}{100 * getattr(ours, key):10.1f}{100 * getattr(base, key):10.1f}")
    click.echo(f"{'clusters':28}{ours.clusters:10d}{base.clusters:10d}")
    click.echo(
        f"ours: average link at {options.threshold}, event check at {options.event_ratio} "
        f"(headline-only items: centroid cosine at {options.headline_threshold}), {seconds:.2f}s; "
        f"baseline: TF-IDF single-link at its best threshold on this file, {best_t}"
    )
    for f in result.get("folds", []):
        if not f["articles"]:
            click.echo(f"fold {f['fold']}: no articles")
            continue
        click.echo(
            f"fold {f['fold']} ({f['articles']} articles, clustered alone): B-cubed F1 "
            f"{100 * f['b3_f1']:.1f}, pairwise F1 {100 * f['pair_f1']:.1f}"
        )


def fold_indices(path: str, gold: list[str]) -> list[list[int]]:
    """Two folds of a story file: by `topic` parity where rows carry a numeric topic (ECB+), else by a
    CRC32 hash of the story label; a story never spans both folds."""
    import zlib

    from .data import iter_jsonl

    topics = [row.get("topic") for _, row in iter_jsonl(path)]
    use_topic = all(isinstance(t, (str, int)) and str(t).isdigit() for t in topics)
    fold = [int(str(t)) % 2 if use_topic else zlib.crc32(g.encode()) % 2 for t, g in zip(topics, gold)]
    return [[i for i, f in enumerate(fold) if f == k] for k in (0, 1)]


def _paraphrase(file, threshold, as_json):
    from ..digest.dedup import DEFAULT_THRESHOLD, similarity
    from .data import iter_jsonl

    pairs = []
    for n, d in iter_jsonl(file):
        if not all(k in d for k in ("text1", "text2", "label")):
            raise InputError(f"{file}:{n}: each row needs 'text1', 'text2' and 'label'")
        pairs.append((d["text1"], d["text2"], int(d["label"])))
    if not pairs:
        raise InputError(f"{file}: no sentence pairs")
    t = DEFAULT_THRESHOLD if threshold is None else threshold
    sims = [similarity(a, b) for a, b, _ in pairs]
    gold = [y for _, _, y in pairs]
    pred = [int(s >= t) for s in sims]
    tp = sum(1 for p, y in zip(pred, gold) if p and y)
    fp = sum(1 for p, y in zip(pred, gold) if p and not y)
    fn = sum(1 for p, y in zip(pred, gold) if not p and y)
    acc = sum(1 for p, y in zip(pred, gold) if p == y) / len(pairs)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    majority = max(sum(gold), len(gold) - sum(gold)) / len(gold)
    result: dict[str, Any] = {
        "file": file,
        "pairs": len(pairs),
        "threshold": t,
        "accuracy": round(acc, 4),
        "precision": round(prec, 4),
        "recall": round(rec, 4),
        "f1": round(_f1(prec, rec), 4),
        "majority_accuracy": round(majority, 4),
    }
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"{file}: {len(pairs)} pairs, threshold {t}")
    click.echo(
        f"accuracy {100 * acc:.1f}  precision {100 * prec:.1f}  recall {100 * rec:.1f}  "
        f"F1 {100 * _f1(prec, rec):.1f}  (always 'same meaning': accuracy {100 * majority:.1f})"
    )
