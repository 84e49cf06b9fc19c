"""What the template sandbox costs: one brief rendered with the built-in Markdown template (in-process)
and with the same template given as `--template` (a bounded child process).

Figures: wall-clock time per render, and CPU time per render (this process plus its children).

Usage: python benchmarks/bench_render.py [--runs 20]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "samples" / "biden-putin-call.txt"


def cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(fn, runs: int) -> tuple[float, float]:
    fn()  # warm: Jinja2's compile cache, the first import of the child's modules from disk
    walls, c0 = [], cpu()
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t)
    return statistics.median(walls), (cpu() - c0) / runs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()

    from briefing import build_brief, read_source, render
    from briefing.brief import BriefOptions
    from briefing.render import templates_dir

    brief = build_brief(read_source(str(SAMPLE)), BriefOptions())
    with tempfile.TemporaryDirectory() as tmp:
        mine = Path(tmp) / "mine.md.j2"
        shutil.copy(templates_dir() / "brief.md.j2", mine)
        assert render(brief, "markdown") == render(brief, "markdown", template=mine)
        for label, fn in (
            ("built-in (in-process)", lambda: render(brief, "markdown")),
            ("--template (bounded child)", lambda: render(brief, "markdown", template=mine)),
        ):
            wall, per_cpu = measure(fn, args.runs)
            print(f"{label:28s} wall {wall * 1000:7.1f} ms   cpu {per_cpu * 1000:7.1f} ms   per render")


if __name__ == "__main__":
    main()
