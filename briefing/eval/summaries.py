"""`briefing eval DATA.jsonl`: ROUGE of every summarisation algorithm, side by side.

Each row is ``{"id", "text", "summary"[, "summary_sentences"], ["title"]}``. Every
algorithm sees the same sentences (the text cleaned and split exactly as for a
brief) and picks ``--k`` of them: a fixed number, or ``ref`` = as many as the
reference has. ``oracle`` is the greedy extractive upper bound, ``lead`` the
first sentences.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

import click

from ..errors import InputError, UsageError

ORACLE = "oracle"


@dataclass
class Row:
    id: str
    text: str
    summary: str
    summary_sentences: list[str] = field(default_factory=list)
    title: str | None = None


def load_rows(path: str, limit: int | None = None) -> list[Row]:
    from .data import iter_jsonl

    rows: list[Row] = []
    for n, d in iter_jsonl(path):
        if not isinstance(d.get("text"), str) or not isinstance(d.get("summary"), str):
            raise InputError(f"{path}:{n}: each row needs string fields 'text' and 'summary'")
        rows.append(
            Row(
                id=str(d.get("id", n)),
                text=d["text"],
                summary=d["summary"],
                summary_sentences=[s for s in d.get("summary_sentences") or [] if isinstance(s, str)],
                title=d.get("title") if isinstance(d.get("title"), str) else None,
            )
        )
        if limit and len(rows) >= limit:
            break
    if not rows:
        raise InputError(f"{path}: no rows to evaluate")
    return rows


def default_algorithms() -> list[str]:
    from ..summarize import algorithm_names

    names = algorithm_names()
    if "lead" not in names:
        names.append("lead")
    return [*names, ORACLE]


def reference_sentences(row: Row) -> list[str]:
    from ..text.segment import split_sentences

    if row.summary_sentences:
        return row.summary_sentences
    return [s.text for s in split_sentences(row.summary)] or [row.summary]


def rank_input(row: Row):
    from ..summarize import RankInput
    from ..text import clean_for_analysis, split_sentences

    analysis = clean_for_analysis(row.text)
    return RankInput(text=analysis, sentences=split_sentences(analysis), title=row.title)


# per worker process: summariser objects are built once
_SUMMARIZERS: dict = {}


def _summarizer(name: str):
    from ..summarize import get_summarizer

    if name not in _SUMMARIZERS:
        _SUMMARIZERS[name] = get_summarizer(name)
    return _SUMMARIZERS[name]


def evaluate_row(row: Row, algorithms: list[str], k: int | str) -> dict[str, dict[str, float]]:
    """{algorithm: {rouge1, rouge2, rougeLsum, seconds}} for one row."""
    from ..summarize import Budget
    from .rouge import oracle_indices, rouge

    reference = reference_sentences(row)
    doc = rank_input(row)
    n = len(reference) if k == "ref" else int(k)
    texts = [s.text for s in doc.sentences]
    out: dict[str, dict[str, float]] = {}
    for name in algorithms:
        t0 = time.perf_counter()
        if not texts:
            chosen_texts: list[str] = []
        elif name == ORACLE:
            chosen_texts = [texts[i] for i in oracle_indices(texts, reference, n)]
        else:
            chosen, _ = _summarizer(name).summarize(doc, Budget(sentences=n))
            chosen_texts = [s.text for s in chosen]
        seconds = time.perf_counter() - t0
        out[name] = {**rouge(chosen_texts, reference), "seconds": seconds}
    return out


def _evaluate_star(args):
    return evaluate_row(*args)


def evaluate(rows: list[Row], algorithms: list[str], k: int | str, jobs: int = 1) -> dict[str, dict[str, float]]:
    """Mean scores per algorithm over ``rows`` (ROUGE F1 x 100; ``ms`` = milliseconds per article)."""
    tasks = [(r, algorithms, k) for r in rows]
    if jobs > 1 and len(rows) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_evaluate_star, tasks, chunksize=max(1, len(tasks) // (jobs * 8))))
    else:
        results = [evaluate_row(*t) for t in tasks]
    means: dict[str, dict[str, float]] = {}
    for name in algorithms:
        means[name] = {m: sum(r[name][m] for r in results) / len(results) for m in ("rouge1", "rouge2", "rougeLsum")}
        means[name]["ms"] = 1000.0 * sum(r[name]["seconds"] for r in results) / len(results)
    return means


def format_table(means: dict[str, dict[str, float]]) -> str:
    """A Markdown table, best first by ROUGE-1 (the oracle last: it is not an algorithm)."""
    names = sorted((n for n in means if n != ORACLE), key=lambda n: -means[n]["rouge1"])
    if ORACLE in means:
        names.append(ORACLE)
    lines = ["| algorithm | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | ms/article |", "|---|---:|---:|---:|---:|"]
    for n in names:
        m = means[n]
        lines.append(f"| {n} | {m['rouge1']:.2f} | {m['rouge2']:.2f} | {m['rougeLsum']:.2f} | {m['ms']:.1f} |")
    return "\n".join(lines)


def _parse_k(value: str) -> int | str:
    if value == "ref":
        return "ref"
    try:
        k = int(value)
    except ValueError:
        raise UsageError("--k must be a number of sentences or 'ref'") from None
    if k < 1:
        raise UsageError("--k must be at least 1")
    return k


def _parse_algorithms(value: str | None) -> list[str]:
    if not value:
        return default_algorithms()
    known = set(default_algorithms()) | {"default"}
    names = [a.strip().lower() for a in value.split(",") if a.strip()]
    unknown = [a for a in names if a not in known]
    if unknown or not names:
        raise UsageError(
            f"unknown algorithm(s) {', '.join(unknown) or '(none)'}; choose from: {', '.join(default_algorithms())}"
        )
    return list(dict.fromkeys(names))


@click.command(name="summaries")
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--k",
    "k",
    default="3",
    show_default=True,
    help="Sentences per summary: a number, or 'ref' for as many as the reference has.",
)
@click.option("--algorithms", default=None, help="Comma-separated algorithms (default: all, plus lead and oracle).")
@click.option("--jobs", type=int, default=None, help="Worker processes (default: all cores).")
@click.option("--limit", type=int, default=None, help="Only the first N rows.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def command(data, k, algorithms, jobs, limit, as_json):
    """ROUGE-1/2/Lsum F1 of every summarisation algorithm on DATA.jsonl, side by side."""
    from .extra import require_eval_extra

    require_eval_extra("briefing eval summaries", "rouge_score")
    k_value = _parse_k(k)
    names = _parse_algorithms(algorithms)
    rows = load_rows(data, limit)
    jobs = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    means = evaluate(rows, names, k_value, jobs=jobs)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "data": os.path.basename(data),
                    "rows": len(rows),
                    "k": k_value,
                    "scores": {n: {m: round(v, 4) for m, v in s.items()} for n, s in means.items()},
                },
                indent=2,
            )
        )
    else:
        click.echo(
            f"{os.path.basename(data)}: {len(rows)} articles, k={k_value}, ROUGE F1 x 100 (rouge-score, Porter stemming)"
        )
        click.echo(format_table(means))
