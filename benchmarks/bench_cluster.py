"""How story clustering's cost grows: 100, 1,000 and 10,000 articles.

Articles are sampled (with replacement) from ../shared/data: UCI headlines
(headline-only items with times), ECB+ and CNN/DailyMail full texts. Each
repeated draw is perturbed (words dropped, a tag added) so no two are
identical, as in a real day of feeds where outlets rewrite the same story.

The baseline in the same run is the all-pairs TF-IDF single-link used by
`briefing eval stories` (a full sparse similarity matrix, vectorised in
numpy): fast at these sizes, but its cost and memory grow with the square of
the batch, where ours grows about linearly.

    .venv/bin/python benchmarks/bench_cluster.py [--sizes 100,1000,10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SOURCES = ["clustering/uci_headlines_dev.jsonl", "clustering/ecbplus_dev.jsonl", "summarization/cnndm_dev.jsonl"]
BASELINE_MAX = 10000  # its similarity matrix grows with the square of the batch


def load_pool():
    from briefing.models import Article

    pool = []
    for rel in SOURCES:
        path = DATA / rel
        if not path.exists():
            continue
        for line in path.open(encoding="utf-8"):
            d = json.loads(line)
            published = None
            if d.get("published"):
                try:
                    published = datetime.fromisoformat(d["published"].replace("Z", "+00:00"))
                except ValueError:
                    published = None
            pool.append(
                Article(
                    text=d.get("text") or "", title=d.get("title") or None, id=str(d.get("id")), published_at=published
                )
            )
    return pool


def sample(pool, n, rng):
    from briefing.models import Article

    out = []
    for i in range(n):
        a = rng.choice(pool)
        if i >= len(pool):  # a repeat: perturb it so it is a rewrite, not a copy
            words = a.text.split()
            text = " ".join(w for w in words if rng.random() > 0.1)
            title = a.title and " ".join(w for w in a.title.split() if rng.random() > 0.1) + f" #{i}"
            a = Article(text=text, title=title, id=f"{a.id}-{i}", published_at=a.published_at)
        out.append(a)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    pool = load_pool()
    if not pool:
        print(f"skipped: no evaluation data under {DATA}")
        return 0
    from briefing.digest.cluster import cluster_articles
    from briefing.eval.stories import baseline_labels

    warm = sample(pool, 50, random.Random(0))  # imports and warm-up outside the timings
    cluster_articles(warm)
    baseline_labels(warm, 0.25)  # scikit-learn (the baseline's vectorizer) is no longer loaded by ours
    rng = random.Random(args.seed)
    print(f"pool: {len(pool)} articles from {', '.join(SOURCES)}")
    print(f"{'articles':>9} {'ours s':>8} {'ms/article':>11} {'stories':>8} {'baseline s':>11} {'ms/article':>11}")
    for n in [int(s) for s in args.sizes.split(",")]:
        articles = sample(pool, n, rng)
        t = time.perf_counter()
        labels = cluster_articles(articles)
        ours = time.perf_counter() - t
        if n <= BASELINE_MAX:
            t = time.perf_counter()
            baseline_labels(articles, 0.25)
            base = time.perf_counter() - t
            base_cols = f"{base:11.2f} {1000 * base / n:11.2f}"
        else:
            base_cols = f"{'(skipped: all pairs)':>23}"
        print(f"{n:9d} {ours:8.2f} {1000 * ours / n:11.2f} {len(set(labels)):8d} {base_cols}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
