"""Rebuild briefing/data/entity_typer.json from CoNLL-style training rows.

    .venv/bin/python scripts/train_entity_typer.py ../shared/data/ner/conll2003_train.jsonl [-o OUT.json]

A candidate (see ``entity_typer.candidates``) is labelled with the gold type of the span it matches
exactly, else "O". A multinomial logistic regression (scikit-learn, training time only) learns the
weights; features seen fewer than ``min_count`` times are dropped so the shipped file stays small
and does not memorise one-off names.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefing.eval.entities import read_conll  # noqa: E402
from briefing.extract import entity_typer as typer  # noqa: E402
from briefing.extract.nlp import parse_many  # noqa: E402


def labelled_examples(path: str, batch_size: int = 16):
    docs = read_conll(path)
    X, y = [], []
    for d, doc in zip(docs, parse_many([d.text for d in docs], batch_size=batch_size)):
        gold = {(a, b): t for a, b, t in d.spans}
        cands = typer.candidates(doc, d.text)
        for c, f in zip(cands, typer.features(doc, d.text, cands)):
            X.append(f)
            y.append(gold.get((c.start_char, c.end_char), "O"))
    return X, y


def train(X: list[list[str]], y: list[str], *, C: float = 1.0, min_count: int = 2) -> dict:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for feats in X for f in set(feats))
    keep = {f for f, n in counts.items() if n >= min_count}
    vec = DictVectorizer()
    M = vec.fit_transform([{f: 1 for f in feats if f in keep} for feats in X])
    clf = LogisticRegression(C=C, max_iter=2000)
    clf.fit(M, y)
    order = [list(clf.classes_).index(c) for c in typer.CLASSES]
    weights = {}
    for j, name in enumerate(vec.get_feature_names_out()):
        w = [float(clf.coef_[k, j]) for k in order]
        if max(abs(v) for v in w) >= 0.01:
            weights[name] = [round(v, 3) for v in w]
    return {
        "classes": list(typer.CLASSES),
        "intercept": [round(float(clf.intercept_[k]), 3) for k in order],
        "weights": weights,
        "trained_on": "CoNLL-2003 train",
        "C": C,
        "min_count": min_count,
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train")
    ap.add_argument("-o", "--output", default=str(ROOT / "briefing" / "data" / "entity_typer.json"))
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--min-count", type=int, default=2)
    args = ap.parse_args(argv)
    X, y = labelled_examples(args.train)
    print(f"{len(X)} candidates, labels {Counter(y).most_common()}")
    model = train(X, y, C=args.C, min_count=args.min_count)
    Path(args.output).write_text(json.dumps(model, separators=(",", ":")), encoding="utf-8")
    print(f"{len(model['weights'])} features -> {args.output}")


if __name__ == "__main__":
    main()
