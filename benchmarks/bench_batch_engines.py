"""`briefing batch` throughput: the local pool against Dask, side by side in one run.

BBC dev articles (repeated, each copy with its own id) to --articles N, through the real CLI with
``--output-dir``. Rows: local ``--jobs 1`` (the baseline), local ``--jobs 2``, Dask with 1 and 2 worker
processes (a LocalCluster started for the run; cluster start and model loading included, as a user pays
them). Printed: seconds, articles/s, CPU seconds of the whole process tree (the driver, Dask's scheduler and
nannies, the workers), the peak memory of the largest worker process, the scaling efficiency of 2 workers
over 1, and Dask's overhead over the local pool with the same number of processes, in wall-clock time and
in CPU time (the CPU figure hardly moves when other programs share the machine; the wall-clock one does).

With --repeat N the rows run N times, interleaved (local1, local2, dask1, dask2, local1, ...), so a busy
spell hits every row alike; the medians are printed.

Usage: python benchmarks/bench_batch_engines.py [--articles 4000] [--partition-size 256] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "summarization" / "bbc_dev.jsonl"


def make_input(path: Path, n: int) -> None:
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            r = rows[i % len(rows)]
            fh.write(
                json.dumps(
                    {"id": f"{r['id']}#{i // len(rows)}", "title": r.get("title"), "text": r["text"]},
                    ensure_ascii=False,
                )
                + "\n"
            )


def peak_rss_watch(pid: int, stop: threading.Event, out: dict) -> None:
    """The largest resident set of any descendant (a worker) while the run lasts, sampled 5 times a second."""
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        try:
            for p in [root, *root.children(recursive=True)]:
                try:
                    rss = p.memory_info().rss
                except psutil.Error:
                    continue
                key = "driver" if p.pid == pid else "worker"
                out[key] = max(out.get(key, 0), rss)
        except psutil.Error:
            pass
        stop.wait(0.2)


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)  # every descendant reaped so far, workers included
    return ru.ru_utime + ru.ru_stime


def run(args: list[str]) -> tuple[float, float, dict]:
    peaks: dict = {}
    stop = threading.Event()
    cpu = _children_cpu()
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "batch", *args],
        cwd="/",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watcher = threading.Thread(target=peak_rss_watch, args=(proc.pid, stop, peaks), daemon=True)
    watcher.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - t
    stop.set()
    watcher.join()
    if proc.returncode not in (0, 3):
        raise SystemExit(f"batch {' '.join(args)} failed ({proc.returncode}): {err.strip()[-500:]}")
    return elapsed, _children_cpu() - cpu, peaks


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=4000)
    ap.add_argument("--partition-size", type=int, default=256)
    ap.add_argument(
        "--only",
        action="append",
        choices=["local1", "local2", "dask1", "dask2"],
        help="run only these rows (the comparisons need all four)",
    )
    ap.add_argument("--repeat", type=int, default=1, help="run the rows this many times, interleaved; medians")
    args = ap.parse_args()
    if not DATA.is_file():
        raise SystemExit(f"needs {DATA}")
    configs = [
        ("local1", "local --jobs 1", ["--jobs", "1"], 1),
        ("local2", "local --jobs 2", ["--jobs", "2"], 2),
        ("dask1", "dask, 1 worker", ["--engine", "dask", "--workers", "1"], 1),
        ("dask2", "dask, 2 workers", ["--engine", "dask", "--workers", "2"], 2),
    ]
    configs = [c for c in configs if not args.only or c[0] in args.only]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        make_input(src, args.articles)
        runs: dict[str, list[tuple[float, float, float]]] = {c[0]: [] for c in configs}
        print(f"== batch on {args.articles} BBC articles, partitions of {args.partition_size}, {args.repeat} run(s)")
        head = f"{'engine':<18}{'seconds':>9}{'art/s':>9}{'art/s/proc':>12}{'CPU s':>9}{'peak worker MB':>16}"
        print(head)
        for _ in range(args.repeat):
            for key, label, extra, procs in configs:
                out = Path(tmp) / "out"
                shutil.rmtree(out, ignore_errors=True)
                secs, cpu, peaks = run(
                    [
                        str(src),
                        "--output-dir",
                        str(out),
                        "--partition-size",
                        str(args.partition_size),
                        "--no-progress",
                        *extra,
                    ]
                )
                worker_mb = (peaks.get("worker") or peaks.get("driver", 0)) / 2**20
                runs[key].append((secs, cpu, worker_mb))
                rate = args.articles / secs
                print(f"{label:<18}{secs:9.1f}{rate:9.2f}{rate / procs:12.2f}{cpu:9.1f}{worker_mb:16.0f}", flush=True)
        med = {k: tuple(statistics.median(r[i] for r in v) for i in range(3)) for k, v in runs.items()}
        if args.repeat > 1:
            print("\nmedians")
            print(head)
            for key, label, _, procs in configs:
                secs, cpu, mb = med[key]
                rate = args.articles / secs
                print(f"{label:<18}{secs:9.1f}{rate:9.2f}{rate / procs:12.2f}{cpu:9.1f}{mb:16.0f}")
        if len(med) < 4:
            return
        eff = med["dask1"][0] / (2 * med["dask2"][0])
        print(f"\nscaling efficiency, dask 2 workers / (2 x 1 worker): {eff:.0%}")
        for n in (1, 2):
            local, dask = med[f"local{n}"], med[f"dask{n}"]
            print(
                f"dask overhead over the local pool, {n} process(es): {dask[0] / local[0] - 1:+.1%} time, "
                f"{dask[1] / local[1] - 1:+.1%} CPU (target: within 10 %)"
            )


if __name__ == "__main__":
    main()
