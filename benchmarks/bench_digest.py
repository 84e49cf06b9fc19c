"""How the digest's cost grows: 100, 1,000 and 10,000 articles, end to end and stage by stage.

Articles are sampled from ../shared/data (BBC and CNN/DailyMail full texts, ECB+
full texts, UCI headlines), written to a temporary JSONL file with times spread
over the last 20 hours and one of 40 outlet names, and read back as a digest
source, exactly as `briefing digest FILE.jsonl` would (dry run, fresh state).
Repeated draws (at 10,000 there are not enough unique articles) are perturbed
rewrites with their own id, like one wire story reprinted by many outlets.

Baseline in the same run: the obvious design, a full brief's NER for every
article (spaCy over each whole text, batched with parse_many), timed up to
--baseline-max articles and extrapolated per article beyond. Our digest runs NER
only on the leads of the shortlisted stories, so its NER cost stays flat.

    .venv/bin/python benchmarks/bench_digest.py [--sizes 100,1000,10000] [--baseline-max 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SOURCES = [
    "summarization/bbc_dev.jsonl",
    "summarization/cnndm_dev.jsonl",
    "clustering/ecbplus_dev.jsonl",
    "clustering/uci_headlines_dev.jsonl",
]
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
OUTLETS = [f"Outlet {i:02d}" for i in range(40)]


def load_pool() -> list[dict]:
    pool = []
    for rel in SOURCES:
        path = DATA / rel
        if not path.exists():
            continue
        for line in path.open(encoding="utf-8"):
            d = json.loads(line)
            if (d.get("text") or d.get("title") or "").strip():
                pool.append(
                    {
                        "id": str(d["id"]),
                        "title": d.get("title") or "",
                        "text": d.get("text") or "",
                        "category": d.get("category"),
                    }
                )
    return pool


def sample_jsonl(pool: list[dict], n: int, rng: random.Random, path: Path) -> None:
    order = rng.sample(range(len(pool)), min(n, len(pool)))
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            d = dict(pool[order[i]] if i < len(order) else rng.choice(pool))
            if i >= len(order):  # a rewrite: some words dropped, its own id
                d["text"] = " ".join(w for w in d["text"].split() if rng.random() > 0.1)
                d["title"] = " ".join(w for w in d["title"].split() if rng.random() > 0.1)
                d["id"] = f"{d['id']}-r{i}"
            d["published"] = (NOW - timedelta(minutes=rng.randrange(20 * 60))).isoformat()
            d["source"] = rng.choice(OUTLETS)
            fh.write(json.dumps(d) + "\n")


def run_digest(path: Path, state: Path) -> tuple[float, dict[str, float], int]:
    from briefing.digest.run import RunOptions, prepare_run
    from briefing.digest.sources import SourceSpec

    marks: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    run = prepare_run(
        RunOptions(sources=[SourceSpec(spec=str(path))], state_path=state, now=NOW, since="24h"),
        on_stage=lambda name: marks.append((name, time.perf_counter())),
    )
    end = time.perf_counter()
    stages, prev = {}, ("reading sources", t0)
    for name, t in marks[1:] + [("end", end)]:
        stages[prev[0]] = t - prev[1]
        prev = (name, t)
    from briefing.render import render

    t = time.perf_counter()
    render(run.digest, "html", kind="digest")
    stages["render"] = time.perf_counter() - t
    return end - t0 + stages["render"], stages, len(run.digest.stories)


def baseline_ner(path: Path) -> float:
    """NER over every article's full analysis text: what building a brief per article costs at least."""
    from briefing.brief import prepare
    from briefing.extract.nlp import parse_many
    from briefing.sources.jsonl import parse_line

    t = time.perf_counter()
    lines = enumerate(path.open(encoding="utf-8"), 1)
    texts = [prepare(parse_line(line, i, headline_only=True).article)[0] for i, line in lines]
    for _ in parse_many(texts, batch_size=32):
        pass
    return time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--baseline-max", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    pool = load_pool()
    if not pool:
        print(f"skipped: no evaluation data under {DATA}")
        return 0
    from briefing.extract.nlp import get_nlp

    get_nlp()  # model loading is a one-off per run, not part of any size's figure
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:  # warm-up: imports (scipy, pysbd...) outside the timings
        sample_jsonl(pool, 50, random.Random(0), Path(tmp) / "warm.jsonl")
        run_digest(Path(tmp) / "warm.jsonl", Path(tmp) / "warm.sqlite")
    print(f"pool: {len(pool)} unique articles; NOW={NOW.isoformat()}; model and imports loaded before timing")
    head = (
        f"{'articles':>9} {'digest s':>9} {'ms/art':>7} {'read':>6} {'cluster':>8} {'entities':>9} "
        f"{'summ.':>6} {'render':>7} {'stories':>8} {'baseline NER s':>15} {'ms/art':>7}"
    )
    print(head)
    base_per_article = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(s) for s in args.sizes.split(",")]:
            path = Path(tmp) / f"sample-{n}.jsonl"
            sample_jsonl(pool, n, rng, path)
            total, st, n_stories = run_digest(path, Path(tmp) / f"state-{n}.sqlite")
            if n <= args.baseline_max:
                base = baseline_ner(path)
                base_per_article = base / n
                base_cols = f"{base:15.2f} {1000 * base / n:7.1f}"
            elif base_per_article:
                base_cols = f"{'~%.0f (extrap.)' % (base_per_article * n):>15} {1000 * base_per_article:7.1f}"
            else:
                base_cols = f"{'(skipped)':>15} {'':>7}"
            print(
                f"{n:9d} {total:9.2f} {1000 * total / n:7.1f} {st.get('reading sources', 0):6.2f} "
                f"{st.get('clustering', 0):8.2f} {st.get('entities', 0):9.2f} {st.get('summarising', 0):6.2f} "
                f"{st.get('render', 0):7.2f} {n_stories:8d} {base_cols}"
            )
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
