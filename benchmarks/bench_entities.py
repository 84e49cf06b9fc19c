"""Entity + date extraction time per article vs plain spaCy-small NER time, on the same texts.

    .venv/bin/python benchmarks/bench_entities.py [--data ../shared/data/summarization/cnndm_dev.jsonl]

Baseline: ``nlp(text)`` with the NER-only pipeline. Ours: ``parse`` (title-casing ALL-CAPS lines,
then the same NER) + ``extract_entities`` + ``find_quotes`` + ``find_time_expressions``.
Both runs are repeated and the best of the repeats is reported (the machine is shared).
Target: ours <= 1.5x the baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared" / "data" / "summarization" / "cnndm_dev.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(DEFAULT))
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if not Path(args.data).exists():
        sys.exit(f"skipped: {args.data} not found (research data in ../shared/data)")
    texts = [json.loads(line)["text"] for line in open(args.data, encoding="utf-8") if line.strip()]

    from briefing.extract.entities import extract_entities
    from briefing.extract.nlp import get_nlp, parse
    from briefing.extract.quotes import find_quotes
    from briefing.extract.when import find_time_expressions

    nlp = get_nlp()
    nlp(texts[0])  # warm up
    published = date(2015, 4, 20)

    def plain():
        for t in texts:
            nlp(t)

    post = [0.0]

    def ours():
        for t in texts:
            doc = parse(t)
            t0 = time.perf_counter()
            who, _ = extract_entities(t, doc)
            find_quotes(t, who, doc)
            find_time_expressions(t, published, doc)
            post[0] += time.perf_counter() - t0

    def best(fn):
        times = []
        for _ in range(args.repeats):
            post[0] = 0.0
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    base = best(plain)
    mine = best(ours)
    n = len(texts)
    words = sum(len(t.split()) for t in texts) / n
    print(f"{n} articles (mean {words:.0f} words) from {Path(args.data).name}")
    print(f"plain spaCy-small NER:            {1000 * base / n:7.1f} ms/article")
    print(
        f"ours (entities+quotes+dates):     {1000 * mine / n:7.1f} ms/article"
        f"  (of which after NER {1000 * post[0] / n:.1f} ms)"
    )
    print(f"ratio: {mine / base:.2f}x  (target <= 1.50x)")


if __name__ == "__main__":
    main()
