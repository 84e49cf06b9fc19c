"""Held-out ROUGE of the whole `news` pipeline: the shipped models learn from the dev files, so the
honest figure trains on one part and scores the other.

    .venv/bin/python scripts/heldout_summaries.py [--bbc PATH] [--cnndm PATH] [--random 20]

BBC (``--k ref``): the sentence ranker's trees are trained on the even rows and
summarise the odd rows, and the reverse (the set model is left as shipped; it
learns from CNN/DailyMail). CNN/DailyMail (3 sentences): the lead-set model is
trained on one half and summarises the other, over the even / odd halves and
over ``--random`` random halves (the trees are left as shipped; they learn from
BBC). Every summary goes through the full pipeline (`briefing eval`'s code:
cleaning, splitting, selection rules), and each figure is printed beside the
baseline the issue names, scored on the same rows in the same run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from briefing.eval import summaries as S  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "summarization"
METRICS = ("rouge1", "rouge2", "rougeLsum")


def _fmt(v) -> str:
    return " / ".join(f"{x:.2f}" for x in v)


def _run(rows, names, k, news=None):
    """Mean scores of ``names`` on ``rows`` (in this process), with ``news`` as the news summariser."""
    S._SUMMARIZERS.clear()
    if news is not None:
        S._SUMMARIZERS["news"] = news
    means = S.evaluate(rows, names, k, jobs=1)
    return {n: np.array([means[n][m] for m in METRICS]) for n in names}


def bbc(path: Path) -> None:
    import train_ranker as tr

    from briefing.summarize.features import FEATURES
    from briefing.summarize.news import NewsSummarizer

    X, y, groups = tr.bbc_examples(path)
    rows = S.load_rows(str(path))
    out = {}
    for fold in (0, 1):
        train = (groups % 2) != fold
        bias, trees = tr.export_trees(tr.make_model("trees").fit(X[train], y[train]))
        news = NewsSummarizer(weights={"bias": bias, "trees": trees, "features": list(FEATURES)})
        test = [r for i, r in enumerate(rows) if i % 2 == fold]
        out[fold] = (_run(test, ["news", "reduction", "lead"], "ref", news), len(test))
        print(
            f"BBC {'even' if fold == 0 else 'odd'} rows ({len(test)}), trees trained on the other half: "
            f"news {_fmt(out[fold][0]['news'])}; reduction {_fmt(out[fold][0]['reduction'])}; "
            f"lead {_fmt(out[fold][0]['lead'])}",
            flush=True,
        )
    total = sum(n for _, n in out.values())
    for name in ("news", "reduction", "lead"):
        mean = sum(out[f][0][name] * out[f][1] for f in out) / total
        print(f"BBC held-out mean, {name:9s} {_fmt(mean)}")


def cnndm(path: Path, splits: int) -> None:
    import train_lead_sets as tls

    from briefing.summarize.leadset import SET_FEATURES, load_set_weights
    from briefing.summarize.news import NewsSummarizer

    data, lead = tls.examples(path)
    rows = S.load_rows(str(path))
    alpha = float((load_set_weights() or {}).get("alpha", 10.0))
    articles = list(range(len(rows)))

    def held_out(train, test):
        w = tls.fit(data, [key for key in data if key[0] in set(train)], alpha)
        # this run's set model, trained without the test rows
        news = NewsSummarizer(set_weights={"weights": dict(zip(SET_FEATURES, w.tolist()))})
        return _run([rows[i] for i in test], ["news", "lead"], 3, news)

    halves = []
    for fold in (0, 1):
        test = articles[fold::2]
        scores = held_out(articles[1 - fold :: 2], test)
        halves.append((scores, len(test)))
        print(
            f"CNN/DM {'even' if fold == 0 else 'odd'} rows ({len(test)}), lead sets trained on the other half: "
            f"news {_fmt(scores['news'])}; lead {_fmt(scores['lead'])}; "
            f"gain {_fmt(scores['news'] - scores['lead'])}",
            flush=True,
        )
    total = sum(n for _, n in halves)
    news = sum(s["news"] * n for s, n in halves) / total
    lead3 = sum(s["lead"] * n for s, n in halves) / total
    print(f"CNN/DM two folds: news {_fmt(news)}; Lead-3 {_fmt(lead3)}; gain {_fmt(news - lead3)}")
    if splits:
        gains = []
        for train, test in tls.random_halves(articles, splits):
            scores = held_out(train, test)
            gains.append(scores["news"] - scores["lead"])
        gains = np.array(gains)
        print(
            f"CNN/DM {splits} random halves: mean gain over Lead-3 {_fmt(gains.mean(axis=0))}; "
            f"R-1 gain >= 1.0 in {np.mean(gains[:, 0] >= 1.0):.0%} of halves, below Lead-3 in "
            f"{np.mean(gains[:, 0] < 0):.0%}"
        )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bbc", type=Path, default=DATA / "bbc_dev.jsonl")
    ap.add_argument("--cnndm", type=Path, default=DATA / "cnndm_dev.jsonl")
    ap.add_argument("--random", type=int, default=20, help="Random half splits for CNN/DM (0: none).")
    ap.add_argument("--only", choices=("bbc", "cnndm"), default=None)
    args = ap.parse_args(argv)
    missing = [
        p for p, name in ((args.bbc, "bbc"), (args.cnndm, "cnndm")) if args.only in (None, name) and not p.exists()
    ]
    if missing:
        print(f"evaluation data not found: {', '.join(map(str, missing))}", file=sys.stderr)
        return 1
    print("ROUGE-1 / ROUGE-2 / ROUGE-Lsum F1 x 100")
    if args.only in (None, "cnndm"):
        cnndm(args.cnndm, args.random)
    if args.only in (None, "bbc"):
        bbc(args.bbc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
