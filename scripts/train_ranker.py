"""Train the news ranker (gradient-boosted trees, or a logistic regression) and write briefing/data/ranker_weights.json.

    .venv/bin/python scripts/train_ranker.py [--bbc ../shared/data/summarization/bbc_dev.jsonl] [--model trees|logistic]

Labels: BBC News Summary's ``summary_sentences`` are article sentences; an
article sentence of ours is positive when it is one of them (or a piece of one,
where our splitter cut a reference sentence in two). The regularisation strength
is chosen by 5-fold cross-validation grouped by article (sentences of one article
never straddle train and test), and the held-out figures are printed and stored
with the weights so anyone can see what the model was judged on.

The default model is scikit-learn's HistGradientBoostingClassifier (100 trees of
depth <= 4), exported as plain arrays; inference walks them in numpy
(``briefing/summarize/news.py``), never scikit-learn or pickle. Each internal
node's value is stored too (scaled like the leaves), so a sentence's score splits
into per-feature path contributions (Saabas) for ``--explain``. Its settings were
chosen on two folds (even / odd rows) of bbc_dev by the ROUGE-1 of the final
summaries: see docs/eval-summaries.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefing.summarize.base import RankInput  # noqa: E402
from briefing.summarize.features import FEATURES, features  # noqa: E402
from briefing.text import clean_for_analysis, split_sentences  # noqa: E402

DEFAULT_BBC = ROOT.parent / "shared" / "data" / "summarization" / "bbc_dev.jsonl"
OUT = ROOT / "briefing" / "data" / "ranker_weights.json"


def _key(s: str) -> str:
    return re.sub(r"\W+", " ", s.lower()).strip()


def label_sentences(sentences: list[str], reference: list[str]) -> list[int]:
    refs = [_key(r) for r in reference]
    ref_set = set(refs)
    labels = []
    for s in sentences:
        k = _key(s)
        hit = (
            k in ref_set
            or (len(k) >= 20 and any(k in r for r in refs))
            or any(len(r) >= 0.5 * len(k) and r in k for r in refs if r)
        )
        labels.append(int(hit))
    return labels


def bbc_examples(path: Path):
    X, y, groups = [], [], []
    for g, line in enumerate(open(path, encoding="utf-8")):
        row = json.loads(line)
        analysis = clean_for_analysis(row["text"])
        sents = split_sentences(analysis)
        if not sents:
            continue
        doc = RankInput(text=analysis, sentences=sents, title=row.get("title"))
        feats = features(doc).rows
        labels = label_sentences([s.text for s in sents], row.get("summary_sentences") or [])
        for f, lab in zip(feats, labels):
            X.append([f[name] for name in FEATURES])
            y.append(lab)
            groups.append(g)
    return np.array(X), np.array(y), np.array(groups)


TREES = dict(
    max_iter=100,
    learning_rate=0.1,
    max_depth=4,
    min_samples_leaf=80,
    l2_regularization=1.0,
    early_stopping=False,
    random_state=0,
)


def make_model(kind: str, C: float = 0.1):
    if kind == "trees":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(**TREES)
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=3000)


def export_trees(model) -> tuple[float, list[dict]]:
    """(bias, trees) of a fitted HistGradientBoostingClassifier: per tree, parallel lists of each
    node's feature (-1 for a leaf), threshold (go left when x <= threshold), children and value.
    Internal values are scaled by the learning rate like the leaves', so that walking a path the
    change of value at each split is that feature's contribution; the bias absorbs the roots."""
    lr = model.learning_rate
    trees, bias = [], float(np.ravel(model._baseline_prediction)[0])
    for (pred,) in model._predictors:
        nodes = pred.nodes
        leaf = nodes["is_leaf"].astype(bool)
        value = np.where(leaf, nodes["value"], nodes["value"] * lr)
        bias += float(value[0])
        trees.append(
            {
                "feature": [int(f) if not lf else -1 for f, lf in zip(nodes["feature_idx"], leaf)],
                "threshold": [float(t) if not lf else 0.0 for t, lf in zip(nodes["num_threshold"], leaf)],
                "left": [int(c) for c in nodes["left"]],
                "right": [int(c) for c in nodes["right"]],
                "value": [round(float(v), 6) for v in value],
            }
        )
    return bias, trees


def cross_validate(X, y, groups, C: float, folds: int = 5, kind: str = "logistic") -> dict[str, float]:
    from sklearn.metrics import log_loss, roc_auc_score
    from sklearn.model_selection import GroupKFold

    aucs, losses, precs = [], [], []
    for train, test in GroupKFold(n_splits=folds).split(X, y, groups):
        model = make_model(kind, C).fit(X[train], y[train])
        p = model.predict_proba(X[test])[:, 1]
        aucs.append(roc_auc_score(y[test], p))
        losses.append(log_loss(y[test], p))
        # precision of each article's top-k, k = its number of reference sentences (as `--k ref` does)
        hits = total = 0
        for g in np.unique(groups[test]):
            idx = np.where(groups[test] == g)[0]
            k = int(y[test][idx].sum())
            if k == 0:
                continue
            top = idx[np.argsort(-p[idx])[:k]]
            hits += int(y[test][top].sum())
            total += k
        precs.append(hits / max(total, 1))
    return {"auc": float(np.mean(aucs)), "log_loss": float(np.mean(losses)), "precision_at_ref": float(np.mean(precs))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bbc", type=Path, default=DEFAULT_BBC)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--model", choices=("trees", "logistic"), default="trees")
    args = ap.parse_args(argv)
    if not args.bbc.exists():
        print(f"training data not found: {args.bbc}", file=sys.stderr)
        return 1
    X, y, groups = bbc_examples(args.bbc)
    n_articles = len(np.unique(groups))
    print(f"{n_articles} articles, {len(y)} sentences, {y.mean():.1%} positive")
    results = {}
    for C in (0.01, 0.1, 1.0, 10.0):
        results[C] = cross_validate(X, y, groups, C)
        print(f"logistic C={C:<5} held-out " + ", ".join(f"{k}={v:.4f}" for k, v in results[C].items()))
    # the strongest regularisation whose held-out log-loss is within 0.001 of the best: simpler
    # weights generalise better to other news than the last decimal on this set
    best_loss = min(r["log_loss"] for r in results.values())
    best_c = min(c for c, r in results.items() if r["log_loss"] <= best_loss + 0.001)
    trained_on = f"{args.bbc.name} summary_sentences ({n_articles} articles, {len(y)} sentences)"
    if args.model == "trees":
        cv = cross_validate(X, y, groups, best_c, kind="trees")
        print("trees held-out " + ", ".join(f"{k}={v:.4f}" for k, v in cv.items()))
        bias, trees = export_trees(make_model("trees").fit(X, y))
        payload = {
            "model": "gradient-boosted trees (HistGradientBoostingClassifier) over "
            "briefing.summarize.features.FEATURES; parts are path contributions",
            "trained_on": trained_on,
            "trained": date.today().isoformat(),
            "params": {k: v for k, v in TREES.items() if k != "random_state"},
            "cross_validation": {k: round(v, 4) for k, v in cv.items()},
            "logistic_cross_validation": {k: round(v, 4) for k, v in results[best_c].items()},
            "features": list(FEATURES),
            "bias": round(bias, 6),
            "trees": trees,
        }
    else:
        model = make_model("logistic", best_c).fit(X, y)
        weights = {name: round(float(w), 5) for name, w in zip(FEATURES, model.coef_[0])}
        payload = {
            "model": "logistic regression over briefing.summarize.features.FEATURES",
            "trained_on": trained_on,
            "trained": date.today().isoformat(),
            "C": best_c,
            "cross_validation": {k: round(v, 4) for k, v in results[best_c].items()},
            "bias": round(float(model.intercept_[0]), 5),
            "weights": weights,
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=None if args.model == "trees" else 2, separators=None) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.model} written to {args.out} ({len(text) / 1024:.0f} KB)")
    if args.model == "logistic":
        for name, w in sorted(payload["weights"].items(), key=lambda kv: -abs(kv[1])):
            print(f"  {name:12s} {w:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
