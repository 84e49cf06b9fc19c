"""Train the news ranker's logistic regression and write briefing/data/ranker_weights.json.

    .venv/bin/python scripts/train_ranker.py [--bbc ../shared/data/summarization/bbc_dev.jsonl]

Labels: BBC News Summary's ``summary_sentences`` are article sentences; an
article sentence of ours is positive when it is one of them (or a piece of one,
where our splitter cut a reference sentence in two). The regularisation strength
is chosen by 5-fold cross-validation grouped by article (sentences of one article
never straddle train and test), and the held-out figures are printed and stored
with the weights so anyone can see what the model was judged on. Inference needs
only the JSON (a dot product), never scikit-learn.
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
        hit = k in ref_set or (len(k) >= 20 and any(k in r for r in refs)) \
            or any(len(r) >= 0.5 * len(k) and r in k for r in refs if r)
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


def cross_validate(X, y, groups, C: float, folds: int = 5) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss, roc_auc_score
    from sklearn.model_selection import GroupKFold

    aucs, losses, precs = [], [], []
    for train, test in GroupKFold(n_splits=folds).split(X, y, groups):
        model = LogisticRegression(C=C, max_iter=2000).fit(X[train], y[train])
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
    args = ap.parse_args(argv)
    if not args.bbc.exists():
        print(f"training data not found: {args.bbc}", file=sys.stderr)
        return 1
    from sklearn.linear_model import LogisticRegression

    X, y, groups = bbc_examples(args.bbc)
    print(f"{len(np.unique(groups))} articles, {len(y)} sentences, {y.mean():.1%} positive")
    results = {}
    for C in (0.01, 0.1, 1.0, 10.0):
        results[C] = cross_validate(X, y, groups, C)
        print(f"C={C:<5} held-out " + ", ".join(f"{k}={v:.4f}" for k, v in results[C].items()))
    # the strongest regularisation whose held-out log-loss is within 0.001 of the best: simpler
    # weights generalise better to other news than the last decimal on this set
    best_loss = min(r["log_loss"] for r in results.values())
    best_c = min(c for c, r in results.items() if r["log_loss"] <= best_loss + 0.001)
    model = LogisticRegression(C=best_c, max_iter=2000).fit(X, y)
    weights = {name: round(float(w), 5) for name, w in zip(FEATURES, model.coef_[0])}
    payload = {
        "model": "logistic regression over briefing.summarize.features.FEATURES",
        "trained_on": f"{args.bbc.name} summary_sentences ({len(np.unique(groups))} articles, {len(y)} sentences)",
        "trained": date.today().isoformat(),
        "C": best_c,
        "cross_validation": {k: round(v, 4) for k, v in results[best_c].items()},
        "bias": round(float(model.intercept_[0]), 5),
        "weights": weights,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"C={best_c}; weights written to {args.out}")
    for name, w in sorted(weights.items(), key=lambda kv: -abs(kv[1])):
        print(f"  {name:12s} {w:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
