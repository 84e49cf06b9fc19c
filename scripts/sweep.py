"""Run every text of the development data through `briefing batch` and `briefing digest`, as users do.

Real news never stops or hangs a run: this sweep is how we check it. Each corpus in ../shared/data
becomes JSON lines and goes through the real command line in a subprocess (`python -m briefing
batch`), then through `briefing digest` (JSONL sources, `--since all`, a fresh state, no mail,
JSON output) in groups of a few hundred articles. Per corpus it prints the articles, the error
lines (each distinct message counted), the internal errors (exit 70, or "internal error" in an
error line or on stderr: bugs of ours, the target is 0) and the time taken.

    python scripts/sweep.py                      # everything (takes a while)
    python scripts/sweep.py --sample 5 --jobs 2  # the first 5 articles of each file
    python scripts/sweep.py --only bbc --only uci --no-digest
    python scripts/sweep.py --sample 2 --together  # a quick check: one batch run for all corpora

Exit status: 0 when no run had an internal error, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"

Article = dict  # {"id", "text", "title"?, "published"?}


# ---------------------------------------------------------------- the corpora as articles


def _rows(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _take(rows: Iterator[Article], sample: int | None) -> Iterator[Article]:
    for i, row in enumerate(rows):
        if sample is not None and i >= sample:
            return
        yield row


def _summaries(path: Path, sample: int | None) -> Iterator[Article]:
    for r in _take(_rows(path), sample):
        yield {"id": r["id"], "title": r.get("title") or None, "text": r["text"]}


def _conll(path: Path, sample: int | None) -> Iterator[Article]:
    """One article per `doc`: its sentences' tokens joined by spaces, one sentence a line."""

    def docs() -> Iterator[Article]:
        current, lines = None, []
        for r in _rows(path):
            if r["doc"] != current and lines:
                yield {"id": f"{path.stem}-doc-{current}", "text": "\n".join(lines)}
                lines = []
            current = r["doc"]
            lines.append(" ".join(r["tokens"]))
        if lines:
            yield {"id": f"{path.stem}-doc-{current}", "text": "\n".join(lines)}

    yield from _take(docs(), sample)


def _dated(path: Path, sample: int | None) -> Iterator[Article]:
    """TimeBank/AQUAINT and MEANTIME: the document creation time is the publication date."""
    for r in _take(_rows(path), sample):
        yield {"id": r["id"], "title": r.get("title") or None, "text": r["text"], "published": r.get("dct") or None}


def _ecbplus(path: Path, sample: int | None) -> Iterator[Article]:
    for r in _take(_rows(path), sample):
        yield {
            "id": r["id"],
            "title": r.get("title") or None,
            "text": r["text"],
            "published": r.get("published") or None,
            "url": r.get("url") or None,
        }


def _headlines(path: Path, sample: int | None) -> Iterator[Article]:
    """UCI: a headline is a one-line article."""
    for r in _take(_rows(path), sample):
        yield {"id": r["id"], "text": r["title"], "published": r.get("published") or None, "url": r.get("url") or None}


def _msrp(path: Path, sample: int | None) -> Iterator[Article]:
    """MSRP: every distinct sentence is a tiny article."""

    def sentences() -> Iterator[Article]:
        seen: set[str] = set()
        for r in _rows(path):
            for key in ("1", "2"):
                sid = r[f"id{key}"]
                if sid not in seen:
                    seen.add(sid)
                    yield {"id": f"msrp-{sid}", "text": r[f"text{key}"]}

    yield from _take(sentences(), sample)


@dataclass
class Corpus:
    name: str
    files: list[str]
    read: Callable[[Path, int | None], Iterator[Article]]


CORPORA = [
    Corpus("bbc", ["summarization/bbc_dev.jsonl"], _summaries),
    Corpus("cnndm", ["summarization/cnndm_dev.jsonl"], _summaries),
    Corpus("conll", ["ner/conll2003_dev.jsonl", "ner/conll2003_train.jsonl"], _conll),
    Corpus("timebank", ["timex/timebank_aquaint.jsonl"], _dated),
    Corpus("meantime", ["multidoc/meantime_dev.jsonl"], _dated),
    Corpus("ecbplus", ["clustering/ecbplus_dev.jsonl"], _ecbplus),
    Corpus("uci", ["clustering/uci_headlines_dev.jsonl"], _headlines),
    Corpus("msrp", ["multidoc/msrp_train.jsonl"], _msrp),
]


def articles_of(corpus: Corpus, data: Path, sample: int | None) -> list[Article]:
    out = []
    for name in corpus.files:
        path = data / name
        if path.exists():
            out.extend({k: v for k, v in a.items() if v is not None} for a in corpus.read(path, sample))
    return out


# ---------------------------------------------------------------- running the real CLI


@dataclass
class Tally:
    articles: int = 0
    errors: int = 0
    internal: int = 0
    seconds: float = 0.0
    runs: int = 0
    exits: Counter = field(default_factory=Counter)
    messages: Counter = field(default_factory=Counter)
    internal_messages: Counter = field(default_factory=Counter)


_LINE_PREFIX = re.compile(r"^line \d+: ")


def normalise(message: str, rid: str | None = None) -> str:
    """An error message without what changes from article to article (line numbers, ids, URLs, counts)."""
    text = _LINE_PREFIX.sub("", message)
    if rid is not None and text.startswith(f"{rid}: "):
        text = "ID: " + text[len(str(rid)) + 2 :]
    text = _SOURCE_PREFIX.sub("SOURCE: ", text)
    text = re.sub(r"\d[\d,.]*", "N", text)
    return text[:160]


_SOURCE_PREFIX = re.compile(r"^(?:https?://|/)\S*: ")


def _briefing(args: list[str], *, timeout: float, cwd: str) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    start = time.monotonic()
    try:
        p = subprocess.run(
            [sys.executable, "-m", "briefing", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as e:
        p = subprocess.CompletedProcess(e.cmd, returncode=-9, stdout="", stderr=f"hung: no exit after {timeout:g} s")
    return p, time.monotonic() - start


def _stderr_internal(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "internal error" in line or line.startswith("Traceback")]


def run_batch(
    articles: list[Article], work: Path, *, jobs: int, timeout: float, parts: list[tuple[str, int]] | None = None
) -> dict[str, Tally]:
    """One `briefing batch` run over ``articles``; ``parts`` ((name, count) in order) splits the
    tallies by corpus (input order is kept, so lines are attributed by position)."""
    parts = parts or [("all", len(articles))]
    src, out = work / "in.jsonl", work / "out.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    p, seconds = _briefing(
        ["batch", str(src), "-o", str(out), "--jobs", str(jobs), "-q"], timeout=timeout, cwd=str(work)
    )
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    tallies, offset = {}, 0
    if len(parts) > 1:
        whole = tallies["all"] = Tally(runs=1, articles=len(articles), seconds=seconds)
        whole.exits[p.returncode] += 1
    for name, count in parts:
        t = tallies[name] = Tally(runs=1, articles=count, seconds=seconds if len(parts) == 1 else 0.0)
        t.exits[p.returncode] += 1
        _count_rows(t, rows[offset : offset + count])
        offset += count
    if len(parts) > 1:
        whole.errors = sum(t.errors for name, t in tallies.items() if name != "all")
    if p.returncode not in (0, 1, 3) or len(rows) != len(articles):
        t = tallies["all" if len(parts) > 1 else parts[0][0]]
        t.internal += 1
        why = f"exit {p.returncode}, {len(rows)} of {len(articles)} lines"
        t.internal_messages[f"batch run: {why}: {' | '.join(p.stderr.strip().splitlines()[-3:])}"] += 1
    return tallies


def _count_rows(tally: Tally, rows: list[dict]) -> None:
    for row in rows:
        if "error" not in row:
            continue
        tally.errors += 1
        tally.messages[normalise(row["error"], row.get("id"))] += 1
        if "internal error" in row["error"]:
            tally.internal += 1
            tally.internal_messages[f"{row.get('id')}: {row['error']}"] += 1


def run_digests(articles: list[Article], work: Path, *, size: int, timeout: float) -> Tally:
    tally = Tally()
    for start in range(0, len(articles), size):
        group = articles[start : start + size]
        src, out = work / f"digest-{start}.jsonl", work / f"digest-{start}.json"
        src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in group), encoding="utf-8")
        state = work / f"state-{start}.db"
        p, seconds = _briefing(
            [
                "digest",
                str(src),
                "--since",
                "all",
                "--no-email",
                "--state",
                str(state),
                "-f",
                "json",
                "-o",
                str(out),
                "-q",
            ],
            timeout=timeout,
            cwd=str(work),
        )
        tally.runs += 1
        tally.seconds += seconds
        tally.articles += len(group)
        tally.exits[p.returncode] += 1
        problems = [line for line in p.stderr.splitlines() if line.startswith("briefing:")]
        for line in problems:
            tally.errors += 1
            tally.messages[normalise(line.replace(str(src), "SOURCE"))] += 1
        internal = _stderr_internal(p.stderr)
        if p.returncode not in (0, 1, 3, 75) or internal:
            tally.internal += 1
            tally.internal_messages[
                f"digest of {len(group)} (from #{start}): exit {p.returncode}: "
                f"{' | '.join((internal or p.stderr.strip().splitlines() or [''])[-3:])}"
            ] += 1
    return tally


# ---------------------------------------------------------------- the report


def report(name: str, kind: str, t: Tally, *, show: int = 8) -> None:
    runs = f", {t.runs} runs" if t.runs > 1 else ""
    exits = ", ".join(f"{code}×{n}" for code, n in sorted(t.exits.items()))
    print(
        f"{name:<10} {kind:<6} {t.articles:>6} articles  {t.errors:>5} errors  {t.internal:>3} internal  "
        f"{t.seconds:>7.1f} s  (exit {exits}{runs})",
        flush=True,
    )
    for message, n in t.messages.most_common(show):
        print(f"{'':<18}{n:>6} × {message}")
    if len(t.messages) > show:
        print(f"{'':<18}  ... {len(t.messages) - show} more distinct messages")
    for message, n in t.internal_messages.most_common(show):
        print(f"{'':<18}INTERNAL {n} × {message[:300]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="the shared data folder (default: %(default)s)")
    ap.add_argument("--sample", type=int, default=None, metavar="N", help="only the first N articles of each file")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="batch worker processes")
    ap.add_argument("--only", action="append", choices=[c.name for c in CORPORA], help="these corpora only")
    ap.add_argument("--digest-size", type=int, default=300, metavar="N", help="articles per digest run")
    ap.add_argument("--no-digest", action="store_true", help="batch only")
    ap.add_argument(
        "--together",
        action="store_true",
        help="one batch run (and one set of digests) for all corpora; times are then shared",
    )
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds before a run counts as hung")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"sweep: {args.data}: no such folder", file=sys.stderr)
        return 2
    total_internal = 0
    start = time.monotonic()
    chosen = [c for c in CORPORA if not args.only or c.name in args.only]
    corpora = [(c.name, articles_of(c, args.data, args.sample)) for c in chosen]
    for name, articles in corpora:
        if not articles:
            print(f"{name:<10} (no data)")
    corpora = [(name, articles) for name, articles in corpora if articles]
    # --together: one batch run and one set of digests for everything (a quick check: model loads once)
    groups = [corpora] if args.together else [[c] for c in corpora]
    for group in groups:
        articles = [a for _, arts in group for a in arts]
        with tempfile.TemporaryDirectory(prefix="sweep-") as tmp:
            work = Path(tmp)
            tallies = run_batch(
                articles, work, jobs=args.jobs, timeout=args.timeout, parts=[(name, len(arts)) for name, arts in group]
            )
            for name, t in tallies.items():
                report(name, "batch", t)
                total_internal += t.internal  # "all" holds only what went wrong with the run itself
            if not args.no_digest:
                d = run_digests(articles, work, size=args.digest_size, timeout=args.timeout)
                report(group[0][0] if len(group) == 1 else "all", "digest", d)
                total_internal += d.internal
    print(f"total: {total_internal} internal errors, {time.monotonic() - start:.0f} s")
    return 1 if total_internal else 0


if __name__ == "__main__":
    sys.exit(main())
