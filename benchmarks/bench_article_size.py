"""Time and peak memory of one brief against article length: do they grow linearly?

Articles of 10k ... 1M characters are built from real BBC and CNN/DM texts joined by blank
lines, plus the same texts as one line with no sentence punctuation (a scraped page that lost
it). Each size runs in a fresh subprocess (the spaCy model loaded first, outside the timing) that
reports the wall time of parse_text + build_brief + render(json) and its peak RSS (ru_maxrss).
The baseline, measured in the same run on the same text, is plain spaCy NER on the whole text:
the floor of any NER-based brief. The article size limit (brief.MAX_ARTICLE_CHARS) is lifted in
the child so sizes past it can be measured.

A least-squares line through the points gives the slope (seconds and MB per 100,000 characters)
and the size a budget allows (default 60 s and 2 GB per article).

Usage: python benchmarks/bench_article_size.py [--sizes 10000,50000,...] [--runs 1]
       [--budget-seconds 60] [--budget-mb 2048] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "summarization"
SIZES = (10_000, 50_000, 100_000, 250_000, 500_000, 1_000_000)

CHILD = r"""
import json, resource, sys, time
from datetime import date
mode, path = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
from briefing.extract.nlp import get_nlp
nlp = get_nlp()
rss_model = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
if mode == "baseline":
    nlp.max_length = max(nlp.max_length, len(text) + 1)
    n = len(nlp(text).ents)
else:
    import briefing.brief as brief
    from briefing.render import render
    from briefing.sources import parse_text
    brief.MAX_ARTICLE_CHARS = 10 ** 9
    b = brief.build_brief(parse_text(text, name="bench"), brief.BriefOptions(published=date(2024, 3, 14)))
    n = len(render(b, "json"))
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "model_mb": rss_model / 1024, "out": n}))
"""


def news_text(size: int) -> str:
    """Real articles joined by blank lines until ``size`` characters (repeated if the data runs out)."""
    parts, total = [], 0
    for name in ("bbc_dev.jsonl", "cnndm_dev.jsonl"):
        for line in (DATA / name).open(encoding="utf-8"):
            parts.append(json.loads(line)["text"].strip())
            total += len(parts[-1]) + 2
            if total >= size:
                return "\n\n".join(parts)[:size]
    text = "\n\n".join(parts)
    return ((text + "\n\n") * (size // len(text) + 1))[:size]


def no_stop_line(size: int) -> str:
    """The same words on one line with no sentence punctuation and no line breaks."""
    return re.sub(r"\s+", " ", re.sub(r"[.!?;:\n]+", " ", news_text(size)))[:size]


def measure(mode: str, text: str, tmp: Path, runs: int) -> dict:
    tmp.write_text(text, encoding="utf-8")
    got = []
    for _ in range(runs):
        p = subprocess.run(
            [sys.executable, "-c", CHILD, mode, str(tmp)], capture_output=True, text=True, cwd=str(ROOT), check=True
        )
        got.append(json.loads(p.stdout.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(g["seconds"] for g in got),
        "peak_mb": max(g["peak_mb"] for g in got),
        "model_mb": got[0]["model_mb"],
    }


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares slope and intercept."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs) or 1.0
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return slope, my - slope * mx


def report(title: str, rows: list[tuple[int, dict, dict | None]], budget_s: float, budget_mb: float) -> None:
    print(f"\n== {title}")
    print(
        f"{'chars':>9} {'brief s':>8} {'µs/char':>8} {'peak MB':>8} {'model MB':>9}"
        f" {'NER s':>7} {'NER MB':>7} {'brief/NER':>9}"
    )
    for size, r, b in rows:
        base = f" {b['seconds']:7.1f} {b['peak_mb']:7.0f} {r['seconds'] / b['seconds']:8.2f}x" if b else ""
        print(
            f"{size:9,d} {r['seconds']:8.1f} {r['seconds'] / size * 1e6:8.1f} {r['peak_mb']:8.0f}"
            f" {r['model_mb']:9.0f}{base}"
        )
    xs = [float(s) for s, _, _ in rows]
    ts, ms = fit(xs, [r["seconds"] for _, r, _ in rows]), fit(xs, [r["peak_mb"] for _, r, _ in rows])
    print(
        f"slope: {ts[0] * 1e5:.2f} s and {ms[0] * 1e5:.0f} MB per 100,000 characters "
        f"(intercepts {ts[1]:.1f} s, {ms[1]:.0f} MB)"
    )
    if len(rows) >= 3:
        small, large = rows[1], rows[-1]
        print(
            f"time per character, largest vs {small[0]:,}: "
            f"{(large[1]['seconds'] / large[0]) / (small[1]['seconds'] / small[0]):.2f}x (1.0 = linear)"
        )
    allowed = min(
        (budget_s - ts[1]) / ts[0] if ts[0] > 0 else float("inf"),
        (budget_mb - ms[1]) / ms[0] if ms[0] > 0 else float("inf"),
    )
    print(f"a budget of {budget_s:.0f} s and {budget_mb:.0f} MB allows about {allowed:,.0f} characters")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--no-stop-sizes", default="100000,250000,500000")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--budget-seconds", type=float, default=60.0)
    ap.add_argument("--budget-mb", type=float, default=2048.0)
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    if not (DATA / "bbc_dev.jsonl").is_file():
        sys.exit(f"data not found: {DATA} (see ../shared/data/README.md)")
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d) / "article.txt"
        for title, make, sizes in (
            ("news articles joined (BBC, CNN/DM)", news_text, args.sizes),
            ("one line, no sentence punctuation", no_stop_line, args.no_stop_sizes),
        ):
            rows = []
            for size in (int(s) for s in sizes.split(",") if s):
                text = make(size)
                r = measure("brief", text, tmp, args.runs)
                b = None if args.no_baseline else measure("baseline", text, tmp, args.runs)
                rows.append((size, r, b))
                print(f"  {size:,}: {r['seconds']:.1f} s, {r['peak_mb']:.0f} MB", file=sys.stderr, flush=True)
            report(title, rows, args.budget_seconds, args.budget_mb)


if __name__ == "__main__":
    main()
