"""Many articles -> one JSON brief each, in input order.

The NER model is loaded once per process and texts are streamed through it in
batches (``nlp.pipe``); ``jobs > 1`` spreads chunks over worker processes.

Every line is its own item: whatever goes wrong with one (bad JSON, a field of the wrong type, an
article that trips a bug of ours or runs past its time budget) gives ``{"id", "error"}`` for that
line and the run goes on. Each article gets ``article_timeout`` seconds of wall-clock time for its
whole analysis, its share of the batched NER included (see ``briefing.guard``). A worker process
that dies (killed, out of memory, a crash in native code) costs only the article it was working
on: its chunk is redone one article at a time in a fresh worker.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from .brief import BriefOptions, build_brief, prepare
from .guard import DEFAULT_ARTICLE_TIMEOUT, Failure, isolate, timeout_error
from .models import Article
from .sources.jsonl import BadLine
from .sources.jsonl import parse_line as parse_jsonl_line

CHUNK = 32


@dataclass
class Item:
    """One output line and what it says about the run."""

    line: str  # the JSON line (without its newline)
    error: str | None = None
    internal: bool = False  # the error is a bug of ours, not bad input
    details: str | None = None  # traceback of an internal error, for -v


# ---------------------------------------------------------------- one input line


def parse_line(line: str | None, lineno: int) -> tuple[Any, Article | None, dict | None, str | None]:
    """(id, article, per-line options, error) for one input line (the rules: ``briefing.sources.jsonl``).
    ``line`` None: a line too long to read."""
    try:
        got = parse_jsonl_line(line, lineno)
    except BadLine as e:
        return e.id, None, None, str(e)
    return got.id, got.article, got.options, None


# ---------------------------------------------------------------- a chunk of lines


class _Clock:
    """One article's time budget, spent over its steps."""

    def __init__(self, budget: float | None) -> None:
        self.budget = budget
        self.spent = 0.0

    def left(self) -> float | None:
        return None if self.budget is None else self.budget - self.spent

    def run(self, fn: Callable[[], Any], name: str) -> tuple[Any, Failure | None]:
        left = self.left()
        if left is not None and left <= 0:
            return None, Failure(str(timeout_error(name, self.budget)))
        start = time.monotonic()
        try:
            return isolate(fn, name=name, timeout=left, limit=self.budget)
        finally:
            self.spent += time.monotonic() - start


@dataclass
class _Ready:
    index: int
    rid: Any
    name: str  # "line N", as every message about an input line begins
    article: Article
    over: dict
    prepared: tuple
    clock: _Clock


def _error_item(rid: Any, failure: Failure) -> Item:
    message = f"internal error: {failure.message}" if failure.internal else failure.message
    return Item(
        json.dumps({"id": rid, "error": message}, ensure_ascii=False),
        error=message,
        internal=failure.internal,
        details=failure.details,
    )


def _options_for(options: BriefOptions, over: dict) -> BriefOptions:
    if not over:
        return options
    opts = replace(options, **over)
    if "words" in over and "sentences" not in over:
        opts = replace(opts, sentences=None)
    return opts


def _parse_docs(ready: list[_Ready]) -> list[Any]:
    """The spaCy Docs of the ready articles (or a Failure each): batched through ``nlp.pipe`` under
    the sum of their budgets, each charged its share of the time by its share of the text; if the
    batch fails or runs out of time, article by article, so the failure lands on the one that
    caused it (the long article that used up the batch's time has little of its own left)."""
    from .extract.nlp import parse, parse_many

    if not ready:
        return []
    budgets = [r.clock.left() for r in ready]
    known = [b for b in budgets if b is not None]
    total = None if len(known) < len(budgets) else sum(max(b, 0.0) for b in known)
    start = time.monotonic()
    docs, failure = isolate(
        lambda: list(parse_many([r.prepared[0] for r in ready], batch_size=CHUNK)),
        name=f"a batch of {len(ready)} articles",
        timeout=total,
    )
    used = time.monotonic() - start
    chars = sum(len(r.prepared[0]) for r in ready) or 1
    for r in ready:
        r.clock.spent += used * len(r.prepared[0]) / chars
    if failure is None and docs is not None and len(docs) == len(ready):
        return docs
    out = []
    for r in ready:
        doc, failure = r.clock.run(partial(parse, r.prepared[0]), r.name)
        out.append(failure if failure else doc)
    return out


def _brief_line(r: _Ready, doc: Any, options: BriefOptions) -> str:
    brief = build_brief(r.article, _options_for(options, r.over), doc=doc, prepared=r.prepared)
    line = json.dumps(brief.to_dict(), ensure_ascii=False)
    line.encode("utf-8")  # every line must be writable as UTF-8: fail here, for this article only
    return line


def _process_items(
    chunk: list[tuple[int, str | None]],
    options: BriefOptions,
    *,
    article_timeout: float | None = DEFAULT_ARTICLE_TIMEOUT,
) -> list[Item]:
    _warm_up(options.algorithm)
    results: list[Item | None] = [None] * len(chunk)
    ready: list[_Ready] = []
    for i, (n, line) in enumerate(chunk):
        clock, name = _Clock(article_timeout), f"line {n}"
        parsed, failure = clock.run(partial(parse_line, line, n), name)
        if failure or parsed is None:
            results[i] = _error_item(f"line-{n}", failure or Failure("no result", internal=True))
            continue
        rid, article, over, err = parsed
        if err or article is None or over is None:
            results[i] = _error_item(rid, Failure(err or "no article"))
            continue
        prepared, failure = clock.run(partial(prepare, article), name)
        if failure:
            results[i] = _error_item(rid, failure)
            continue
        ready.append(_Ready(i, rid, name, article, over, prepared, clock))
    for r, doc in zip(ready, _parse_docs(ready), strict=True):
        if isinstance(doc, Failure):
            results[r.index] = _error_item(r.rid, doc)
            continue
        line, failure = r.clock.run(partial(_brief_line, r, doc, options), r.name)
        results[r.index] = _error_item(r.rid, failure) if failure else Item(line)
    done = [item for item in results if item is not None]
    assert len(done) == len(results), "every line has its item"
    return done


def _process_chunk(
    chunk: list[tuple[int, str | None]],
    options: BriefOptions,
    *,
    article_timeout: float | None = DEFAULT_ARTICLE_TIMEOUT,
) -> list[str]:
    """JSON lines (with their line numbers) -> one JSON brief or ``{"id", "error"}`` each, in order."""
    return [item.line for item in _process_items(chunk, options, article_timeout=article_timeout)]


_WARMED: set[str | None] = set()
_WARM_TEXT = (
    "The city council approved the new budget on Monday. "
    "Mayor Jane Smith said the plan would fund two new schools in Springfield."
)


def _warm_up(algorithm: str | None) -> None:
    """Load the model, weights and tables once per process, before any article's clock runs: the
    first article must not pay for them (nor be stopped half-way through loading them)."""
    if algorithm in _WARMED:
        return
    _WARMED.add(algorithm)
    from .errors import BriefingError

    try:
        build_brief(Article(text=_WARM_TEXT, id="warm-up"), BriefOptions(algorithm=algorithm))
    except BriefingError:
        raise  # the model is missing: no article can be done, say so once
    except Exception:  # noqa: BLE001 - a bug here shows up again, isolated, on the articles themselves
        pass


# ---------------------------------------------------------------- the run


def _chunks(items: Iterable[tuple[int, str | None]], size: int) -> Iterator[list[tuple[int, str | None]]]:
    chunk: list[tuple[int, str | None]] = []
    for n, line in items:
        if isinstance(line, str) and not line.strip():
            continue
        chunk.append((n, line))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _worker_init() -> None:
    import signal

    # Ctrl-C is the parent's to handle: it stops the pool and keeps what was written; SIGTERM (how the
    # parent stops a worker) must kill, whatever handler the parent had when it forked us
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # one BLAS thread per worker: the workers already use every core
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl is a declared dependency
        pass
    from .errors import BriefingError
    from .extract.nlp import get_nlp

    try:
        get_nlp()
    except BriefingError:
        pass  # the first task says it again, as an error the parent reports (a failed initializer
        # would look like a worker dying over and over)


def usable_jobs(jobs: int) -> int:
    """Workers worth starting: more than the CPUs this process may use only costs memory (each
    worker holds its own copy of the model)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(jobs, cpus))


class _Pool:
    """Worker processes that can be replaced when one dies."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.executor = self._start()

    def _start(self):
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
        return ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_worker_init)

    def submit(self, fn, *args):
        return self.executor.submit(fn, *args)

    def restart(self) -> None:
        self.close(wait=False)
        self.executor = self._start()

    def close(self, *, wait: bool = True) -> None:
        if not wait:  # interrupted or broken: do not wait for chunks nobody will read
            for proc in list(getattr(self.executor, "_processes", {}).values()):
                if proc.is_alive():
                    proc.terminate()
        self.executor.shutdown(wait=wait, cancel_futures=True)


def _died(item: tuple[int, str | None]) -> Item:
    n, line = item
    rid, *_ = parse_line(line, n)
    failure = Failure(
        "WorkerDied: the worker process died on this article (killed, out of memory, or a crash in native code)",
        internal=True,
    )
    return _error_item(rid, failure)


def _salvage(pool: _Pool, chunk: list[tuple[int, str | None]], work) -> list[Item]:
    """Redo a chunk whose worker died, one article per task, so only the article that kills a
    worker again is lost."""
    from concurrent.futures.process import BrokenProcessPool

    out: list[Item] = []
    for item in chunk:
        try:
            out.extend(pool.submit(work, [item]).result())
        except BrokenProcessPool:
            pool.restart()
            out.append(_died(item))
    return out


def _parallel(chunks: Iterator[list], work, jobs: int) -> Iterator[list[Item]]:
    """``work`` over ``chunks`` in worker processes, results in input order, a bounded number in flight."""
    from concurrent.futures.process import BrokenProcessPool

    pool = _Pool(jobs)
    pending: deque = deque()
    clean = False

    def refill() -> None:
        while len(pending) < 2 * jobs:
            chunk = next(chunks, None)
            if chunk is None:
                return
            pending.append((chunk, pool.submit(work, chunk)))

    try:
        refill()
        while pending:
            chunk, future = pending.popleft()
            try:
                items = future.result()
            except BrokenProcessPool:
                redo = [chunk] + [c for c, _ in pending]
                pending.clear()
                pool.restart()
                for c in redo:
                    yield _salvage(pool, c, work)
                refill()
                continue
            yield items
            refill()
        clean = True
    finally:
        pool.close(wait=clean)


def iter_batch(
    items: Iterable[tuple[int, str | None]],
    options: BriefOptions,
    *,
    jobs: int = 1,
    article_timeout: float | None = DEFAULT_ARTICLE_TIMEOUT,
) -> Iterator[list[Item]]:
    """One list of ``Item`` per chunk of non-blank input lines ``(line number, text)``, in input order.
    A text of None stands for a line too long to read (it becomes that line's error)."""
    jobs = usable_jobs(jobs)
    # smaller chunks when several workers share the work, so none idles at the end
    chunks = _chunks(items, CHUNK if jobs <= 1 else CHUNK // 4)
    work = partial(_process_items, options=options, article_timeout=article_timeout)
    if jobs <= 1:
        for chunk in chunks:
            yield work(chunk)
        return
    yield from _parallel(chunks, work, jobs)


def run_batch(
    lines: Iterable[str],
    options: BriefOptions,
    *,
    jobs: int = 1,
    on_progress=None,
    article_timeout: float | None = DEFAULT_ARTICLE_TIMEOUT,
) -> Iterator[str]:
    """Yield one JSON line per non-blank input line, in input order."""
    for items in iter_batch(enumerate(lines, 1), options, jobs=jobs, article_timeout=article_timeout):
        if on_progress:
            on_progress(len(items))
        for item in items:
            yield item.line


def process_lines(
    lines: list[tuple[int, str | None]],
    options: BriefOptions,
    *,
    article_timeout: float | None = DEFAULT_ARTICLE_TIMEOUT,
) -> list[Item]:
    """JSON lines (with their line numbers) -> one ``Item`` (a JSON brief or ``{"id", "error"}``) each, in
    order: the unit of work of every engine (the local pool, a partition task on Dask)."""
    return _process_items(lines, options, article_timeout=article_timeout)


worker_init = _worker_init

__all__ = ["CHUNK", "Item", "iter_batch", "parse_line", "process_lines", "run_batch", "usable_jobs", "worker_init"]
