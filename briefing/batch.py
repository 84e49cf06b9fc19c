"""Many articles -> one JSON brief each, in input order.

The NER model is loaded once per process and texts are streamed through it in
batches (``nlp.pipe``); ``jobs > 1`` spreads chunks over worker processes.
A bad line yields ``{"id", "error"}`` and the run goes on.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from .brief import BriefOptions, build_brief, prepare
from .errors import BriefingError
from .models import Article

CHUNK = 32


def parse_line(line: str, lineno: int) -> tuple[Any, Article | None, dict | None, str | None]:
    """(id, article, per-line options, error)."""
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        return f"line-{lineno}", None, None, f"line {lineno}: invalid JSON ({e.msg})"
    if not isinstance(rec, dict):
        return f"line-{lineno}", None, None, f"line {lineno}: expected a JSON object"
    rid = rec.get("id", f"line-{lineno}")
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        return rid, None, None, f"line {lineno}: missing or empty \"text\""
    published = None
    if rec.get("published"):
        try:
            published = date.fromisoformat(str(rec["published"])[:10])
        except ValueError:
            return rid, None, None, f"line {lineno}: \"published\" is not a YYYY-MM-DD date"
    over = {}
    for key in ("sentences", "words"):
        if rec.get(key) is not None:
            if not isinstance(rec[key], int) or isinstance(rec[key], bool) or rec[key] < 1:
                return rid, None, None, f"line {lineno}: \"{key}\" must be a positive integer"
            over[key] = rec[key]
    article = Article(text=text, title=rec.get("title"), id=str(rid), url=rec.get("url"),
                      published=published, format="jsonl")
    return rid, article, over, None


def _process_chunk(chunk: list[tuple[int, str]], options: BriefOptions) -> list[str]:
    from dataclasses import replace

    from .extract.nlp import parse_many

    parsed = [parse_line(line, n) for n, line in chunk]
    ready: list[tuple[int, Article, dict, tuple]] = []
    results: list[dict | None] = [None] * len(parsed)
    for i, (rid, article, over, err) in enumerate(parsed):
        if err:
            results[i] = {"id": rid, "error": err}
            continue
        try:
            prepared = prepare(article)
        except BriefingError as e:
            results[i] = {"id": rid, "error": str(e)}
            continue
        ready.append((i, article, over, prepared))
    docs = parse_many([r[3][0] for r in ready], batch_size=CHUNK)
    for (i, article, over, prepared), doc in zip(ready, docs):
        opts = replace(options, **over) if over else options
        if "words" in over and "sentences" not in over:
            opts = replace(opts, sentences=None)
        try:
            results[i] = build_brief(article, opts, doc=doc, prepared=prepared).to_dict()
        except BriefingError as e:
            results[i] = {"id": parsed[i][0], "error": str(e)}
    return [json.dumps(r, ensure_ascii=False) for r in results]


def _chunks(lines: Iterable[str], size: int) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        chunk.append((n, line))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _worker_init() -> None:
    # one BLAS thread per worker: the workers already use every core
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass
    from .extract.nlp import get_nlp

    get_nlp()


def run_batch(lines: Iterable[str], options: BriefOptions, *, jobs: int = 1,
              on_progress=None) -> Iterator[str]:
    """Yield one JSON line per non-blank input line, in input order."""
    # smaller chunks when several workers share the work, so none idles at the end
    chunks = _chunks(lines, CHUNK if jobs <= 1 else CHUNK // 4)
    if jobs <= 1:
        for chunk in chunks:
            out = _process_chunk(chunk, options)
            if on_progress:
                on_progress(len(out))
            yield from out
        return
    import multiprocessing as mp
    from functools import partial

    ctx = mp.get_context("fork") if hasattr(__import__("os"), "fork") else mp.get_context()
    with ctx.Pool(jobs, initializer=_worker_init) as pool:
        for out in pool.imap(partial(_process_chunk, options=options), chunks):
            if on_progress:
                on_progress(len(out))
            yield from out


def process_lines(lines: list[tuple[int, str]], options: BriefOptions) -> list[str]:
    """JSON lines (with their line numbers) -> one JSON brief or ``{"id", "error"}`` each, in order.
    The unit of work of every engine: the local pool, a partition task on Dask."""
    return _process_chunk(lines, options)


worker_init = _worker_init
