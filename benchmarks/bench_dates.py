"""Cost of date extraction per article, next to the plain spaCy NER it rides along with.

Issue #4: entity + date extraction must stay within 1.5x plain spaCy NER time, so dates
must cost a small fraction of NER. Both are timed on the same texts in the same run:

    .venv/bin/python benchmarks/bench_dates.py [FILE.jsonl] [--limit N] [--repeat R]

FILE defaults to ../shared/data/timex/timebank_aquaint.jsonl (rows with "text" and "dct"
or "published"); without it, the project sample is used.
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
DEFAULT = ROOT.parent / "shared" / "data" / "timex" / "timebank_aquaint.jsonl"
SAMPLE = ROOT.parent / "shared" / "samples" / "biden-putin-call.txt"


def load(path: Path, limit: int) -> list[tuple[str, date]]:
    if path.is_file():
        rows = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                stamp = str(r.get("dct") or r.get("published") or "2000-01-01")[:10]
                rows.append((r["text"], date.fromisoformat(stamp)))
                if len(rows) >= limit:
                    break
        return rows
    if SAMPLE.is_file():
        return [(SAMPLE.read_text(encoding="utf-8"), date(2021, 12, 30))]
    raise SystemExit(f"no data: {path} and {SAMPLE} are both absent")


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from briefing.extract.nlp import get_nlp
    from briefing.extract.when import find_time_expressions

    rows = load(Path(args.file), args.limit)
    texts = [t for t, _ in rows]
    chars = sum(len(t) for t in texts)
    nlp = get_nlp()
    nlp("warm up")
    find_time_expressions("warm up on Friday", date(2021, 12, 30))  # compile the grammar once

    ner = best_of(args.repeat, lambda: [nlp(t) for t in texts])
    dates = best_of(args.repeat, lambda: [find_time_expressions(t, d) for t, d in rows])
    n = len(rows)
    print(f"{n} articles, {chars / n:.0f} characters on average, best of {args.repeat}")
    print(f"plain spaCy NER (baseline)   {1000 * ner / n:8.2f} ms/article")
    print(f"our date extraction          {1000 * dates / n:8.2f} ms/article")
    print(f"dates / NER                  {dates / ner:8.1%}")
    print(f"NER + dates vs NER alone     {(ner + dates) / ner:8.2f}x")


if __name__ == "__main__":
    main()
