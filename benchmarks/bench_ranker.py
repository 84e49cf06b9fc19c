"""Speed of the default news ranker against LexRank, side by side on the same articles.

    .venv/bin/python benchmarks/bench_ranker.py [DATA.jsonl] [--k 3] [--repeat 3]

Issue #3: the default ranker may take at most 2x LexRank's time per article.
Both run on the same prepared sentences (cleaning and splitting are shared by
every algorithm and not timed); each gets one warm-up article first, so import
and cache costs are not counted against either.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT = ROOT.parent / "shared" / "data" / "summarization" / "cnndm_dev.jsonl"


def per_article_ms(name: str, docs, k: int, repeat: int) -> float:
    from briefing.summarize import Budget, get_summarizer

    summarizer = get_summarizer(name)
    summarizer.summarize(docs[0], Budget(sentences=k))  # warm-up
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for doc in docs:
            summarizer.summarize(doc, Budget(sentences=k))
        best = min(best, time.perf_counter() - t0)
    return 1000.0 * best / len(docs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="news ranker vs LexRank, ms per article")
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: {args.data} not found (evaluation data lives outside the repository)")
        return 0
    from briefing.eval.summaries import load_rows, rank_input

    docs = [d for d in (rank_input(r) for r in load_rows(str(args.data))) if d.sentences]
    lex = per_article_ms("lexrank", docs, args.k, args.repeat)
    news = per_article_ms("news", docs, args.k, args.repeat)
    print(f"{args.data.name}: {len(docs)} articles, {args.k} sentences, best of {args.repeat} runs")
    print(f"  lexrank  {lex:7.2f} ms/article")
    print(f"  news     {news:7.2f} ms/article")
    ratio = news / lex
    print(f"  ratio    {ratio:7.2f}x  (target: at most 2.00x) -> {'OK' if ratio <= 2.0 else 'TOO SLOW'}")
    return 0 if ratio <= 2.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
