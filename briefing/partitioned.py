"""A batch over many inputs, in partitions: resumable, exactly once, on one machine or a Dask cluster.

The inputs (``.jsonl``, ``.jsonl.gz``, Parquet) are read in order by this process and cut into
partitions of ``partition_size`` non-blank lines; a partition never spans two inputs. Each partition is
one task: the same function (``process_partition``) turns its lines into JSON briefs whatever runs it
(this process, a local fork pool, or a Dask worker). The results come back here and each partition is
written atomically as ``part-NNNNN.jsonl`` (or ``.parquet``): a partition file either exists complete or
not at all. ``_manifest.json`` records the inputs (path, size, modification time), the options, and per
partition its input, first line, articles and errors.

Resuming: a re-run with the same inputs, options and output folder reads the inputs again (cheap next to
the analysis), and skips every partition whose file already holds exactly its number of lines; the rest
run again. A run killed at any moment therefore finishes by running the same command again, and every
input line appears in exactly one partition, once. A Dask worker that dies mid-task has its task
rescheduled by Dask; since only this process writes partitions, a task that ran twice is still written
once.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import InputError, OutputError, UsageError
from .fileio import atomic_open, write_atomic

MANIFEST = "_manifest.json"
DEFAULT_PARTITION_SIZE = 256
PARQUET_COLUMNS = ("id", "text", "title", "published", "url", "sentences", "words")


# ---------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class InputFile:
    path: str
    size: int
    mtime_ns: int
    kind: str  # "jsonl" | "jsonl.gz" | "parquet"

    def describe(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "mtime_ns": self.mtime_ns, "kind": self.kind}


def _kind(path: str) -> str:
    low = path.lower()
    if low.endswith((".jsonl.gz", ".json.gz", ".ndjson.gz", ".gz")):
        return "jsonl.gz"
    if low.endswith((".parquet", ".pq")):
        return "parquet"
    return "jsonl"


def expand_inputs(specs: Iterable[str]) -> list[InputFile]:
    """Files and globs, in the order given (each glob sorted); a spec that matches nothing is an error."""
    out: list[InputFile] = []
    seen: set[str] = set()
    for spec in specs:
        if spec == "-":
            raise UsageError("standard input cannot be partitioned: give files (or use -o without --output-dir)")
        matches = sorted(glob.glob(spec)) if glob.has_magic(spec) else [spec]
        if not matches:
            raise InputError(f"{spec}: no file matches")
        for m in matches:
            p = Path(m)
            if not p.exists():
                raise InputError(f"{m}: no such file")
            if not p.is_file():
                raise InputError(f"{m}: not a regular file")
            real = os.path.realpath(m)
            if real in seen:
                continue
            seen.add(real)
            st = p.stat()
            out.append(InputFile(path=str(p), size=st.st_size, mtime_ns=st.st_mtime_ns, kind=_kind(m)))
    return out


def _json_value(v: Any) -> Any:
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def iter_lines(inp: InputFile) -> Iterator[tuple[int, str | None]]:
    """(line number, JSON line) for every non-blank line or Parquet row of one input; a text of None is a
    line too long to read (it becomes that line's error)."""
    if inp.kind == "parquet":
        yield from _parquet_lines(inp.path)
        return
    if inp.kind == "jsonl":
        from .sources.lines import read_lines

        for ln in read_lines(inp.path):  # BOMs, binary input, endless lines: handled as for one file
            if ln.text is None or ln.text.strip():
                yield ln.number, ln.text
        return
    try:
        with gzip.open(inp.path, "rt", encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    yield n, line
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise InputError(f"{inp.path}: cannot read ({getattr(e, 'strerror', None) or e})") from None


def _parquet_lines(path: str) -> Iterator[tuple[int, str]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow comes with the [dask] extra
        raise UsageError("Parquet input needs pyarrow: pip install 'news-briefing[dask]'") from None
    try:
        pf = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises its own ArrowInvalid etc. for a file that is not Parquet
        raise InputError(f"{path}: not a readable Parquet file ({type(e).__name__}: {e})") from None
    names = [c for c in PARQUET_COLUMNS if c in pf.schema_arrow.names]
    if "text" not in names:
        raise InputError(f"{path}: Parquet input needs a 'text' column (has: {', '.join(pf.schema_arrow.names)})")
    n = 0
    for batch in pf.iter_batches(columns=names, batch_size=1024):
        for row in batch.to_pylist():
            n += 1
            rec = {k: _json_value(v) for k, v in row.items() if v is not None}
            yield n, json.dumps(rec, ensure_ascii=False)


def count_lines(inp: InputFile) -> int:
    """Articles in one input (for a progress bar's length)."""
    if inp.kind == "parquet":
        try:
            import pyarrow.parquet as pq

            return pq.ParquetFile(inp.path).metadata.num_rows
        except Exception:
            return 0
    return sum(1 for _ in iter_lines(inp))


# ------------------------------------------------------------------------------------------ partitions


@dataclass
class Partition:
    index: int
    input: int  # index into the inputs
    first_line: int
    lines: list[tuple[int, str | None]] = field(repr=False)

    @property
    def count(self) -> int:
        return len(self.lines)


def plan(inputs: list[InputFile], size: int) -> Iterator[Partition]:  # noqa: D401
    """Cut the inputs into partitions of at most ``size`` lines, in input order."""
    index = 0
    for i, inp in enumerate(inputs):
        buf: list[tuple[int, str | None]] = []
        for item in iter_lines(inp):
            buf.append(item)
            if len(buf) >= size:
                yield Partition(index, i, buf[0][0], buf)
                index += 1
                buf = []
        if buf:
            yield Partition(index, i, buf[0][0], buf)
            index += 1


def part_name(index: int, fmt: str) -> str:
    return f"part-{index:05d}.{'parquet' if fmt == 'parquet' else 'jsonl'}"


def process_partition(
    lines: list[tuple[int, str | None]], options, article_timeout: float | None = None, record: str | None = None
) -> tuple[list[str], int]:
    """The task: JSON lines in; one JSON brief (or ``{"id", "error"}``) per line out, in order, and how
    many are errors. The same function whatever engine runs it.

    In a process's main thread (``--jobs``) a timer signal bounds each article. In another thread (a
    Dask worker's) a watchdog does: it stops Python code on time, and ends the worker process when an
    article is stuck in C for longer (Dask then replaces the worker and runs the task again). ``record``
    (a path prefix in a folder shared with the workers) lets the attempts of one task tell each other
    which article was running when their worker died: see ``_process_recorded``."""
    from .batch import process_lines

    if not article_timeout or threading.current_thread() is threading.main_thread():
        items = process_lines(lines, options, article_timeout=article_timeout)
        return [i.line for i in items], sum(1 for i in items if i.error)
    from .guard import thread_deadlines

    grace = hard_grace(article_timeout)
    if not record or not os.path.isdir(os.path.dirname(record)):  # no shared folder: bounded, not recorded
        with open(os.devnull, "w") as dump, thread_deadlines(grace, dump):
            items = process_lines(lines, options, article_timeout=article_timeout)
        return [i.line for i in items], sum(1 for i in items if i.error)
    return _process_recorded(lines, options, article_timeout, grace, record)


def hard_grace(article_timeout: float) -> float:
    """How long past ``--article-timeout`` an article stuck in C may run before its Dask worker process
    is ended."""
    return max(10.0, article_timeout / 2)


def _process_recorded(
    lines: list[tuple[int, str | None]], options, article_timeout: float, grace: float, record: str
) -> tuple[list[str], int]:
    """One attempt of a Dask task, with ``RECORD.inflight`` saying what it is doing. The first attempt
    writes ``{"line": null}`` and analyses the partition as one batch. If its worker dies, the next
    attempt finds the record and goes one article at a time, writing each article's line number before
    it starts; an article that was running when a worker died again is not tried a third time: it
    becomes ``{"id", "error"}`` (a timeout when the worker ended itself: ``faulthandler`` wrote its
    stacks to ``RECORD.stacks``). Any other article is analysed, so each line has one result."""
    from .batch import parse_line, process_lines
    from .guard import thread_deadlines, timeout_error

    state, stacks = Path(record + ".inflight"), Path(record + ".stacks")
    previous = _read_record(state)
    timed_out = stacks.is_file() and stacks.stat().st_size > 0
    with open(stacks, "w") as dump, thread_deadlines(grace, dump):
        if previous is None:
            write_atomic(state, json.dumps({"line": None, "failed": {}}))
            items = process_lines(lines, options, article_timeout=article_timeout)
            out, errors = [i.line for i in items], sum(1 for i in items if i.error)
        else:
            failed: dict[str, str] = dict(previous.get("failed") or {})
            if previous.get("line") is not None:
                if timed_out:
                    message = (
                        f"{timeout_error('line ' + str(previous['line']), article_timeout)}; it did not stop within "
                        f"{grace:g} s more, so its Dask worker process was ended"
                    )
                else:
                    message = (
                        "internal error: WorkerDied: the worker process died on this article "
                        "(killed, out of memory, or a crash in native code)"
                    )
                failed[str(previous["line"])] = message
            out, errors = [], 0
            for n, line in lines:
                if str(n) in failed:
                    out.append(json.dumps({"id": parse_line(line, n)[0], "error": failed[str(n)]}, ensure_ascii=False))
                    errors += 1
                    continue
                write_atomic(state, json.dumps({"line": n, "failed": failed}))
                items = process_lines([(n, line)], options, article_timeout=article_timeout)
                out.extend(i.line for i in items)
                errors += sum(1 for i in items if i.error)
    state.unlink(missing_ok=True)
    stacks.unlink(missing_ok=True)
    return out, errors


def _read_record(path: Path) -> dict | None:
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) else None


def count_errors(results: list[str]) -> int:
    n = 0
    for r in results:
        obj = json.loads(r)
        n += isinstance(obj, dict) and "error" in obj and "summary" not in obj
    return n


def _write_partition(path: Path, results: list[str], fmt: str) -> None:
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        ids, errors = [], []
        for r in results:
            obj = json.loads(r)
            ids.append(str(obj.get("id")))
            errors.append(obj.get("error") if "summary" not in obj else None)
        table = pa.table(
            {
                "id": pa.array(ids, pa.string()),
                "error": pa.array(errors, pa.string()),
                "brief": pa.array(results, pa.string()),
            }
        )
        with atomic_open(path, "wb") as fh:
            pq.write_table(table, fh)
        return
    with atomic_open(path, "w") as fh:
        for r in results:
            fh.write(r + "\n")


def _existing_count(path: Path, fmt: str) -> int | None:
    """Lines (rows) in a partition file, or None when there is none or it is unreadable."""
    if not path.is_file():
        return None
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        with open(path, "rb") as fh:
            return sum(1 for _ in fh)
    except Exception:  # a damaged file is redone, not trusted
        return None


# -------------------------------------------------------------------------------------------- engines


class _SerialExecutor:
    """Runs each task here, now: ``--jobs 1``."""

    slots = 1

    def submit(self, fn, *args):
        from concurrent.futures import Future

        fut: Future = Future()
        try:
            fut.set_result(fn(*args))
        except BaseException as e:  # the same contract as a pool: the error surfaces at .result()
            fut.set_exception(e)
        return fut

    def wait_first(self, futures):
        return list(futures)

    def recover(self) -> None:
        pass

    def close(self) -> None:
        pass


class _PoolExecutor:
    """The local worker pool of ``briefing.batch`` (``--engine local --jobs N``, N capped at the CPUs),
    one model per worker process."""

    def __init__(self, jobs: int):
        from .batch import _Pool, usable_jobs

        self.pool = _Pool(usable_jobs(jobs))
        self.slots = 2 * self.pool.jobs

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)

    def wait_first(self, futures):
        from concurrent.futures import FIRST_COMPLETED, wait

        return list(wait(futures, return_when=FIRST_COMPLETED).done)

    def recover(self) -> None:
        """A worker that died (killed, out of memory) breaks the whole pool: start a new one."""
        if getattr(self.pool.executor, "_broken", False):
            self.pool.restart()

    def close(self) -> None:
        self.pool.close()


# Dask's defaults, set for the run of a local cluster (the driver, its scheduler and nannies, and through
# the nannies the workers). Measured on one worker with 256 articles: the worker's process used 8 % more
# CPU than its task thread and the driver 3 % of a core; with these, under 1 % each.
DASK_CONFIG: dict[str, Any] = {
    # its statistical profiler samples the task's stack every 10 ms holding the interpreter lock
    "distributed.worker.profile.enabled": False,
    # MALLOC_TRIM_THRESHOLD_=65536 makes glibc hand memory back on nearly every free; spaCy allocates
    # constantly
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    # the event loops' health check (every 20 ms), system monitor (every 500 ms, for the dashboard) and
    # memory monitor (every 100 ms) wake threads that take the interpreter lock from the task each time
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    # partitions are queued on the scheduler and handed to whichever worker is free: nothing to steal
    # or to rebalance, only periodic work for the scheduler
    "distributed.scheduler.work-stealing": False,
    "distributed.scheduler.active-memory-manager.start": False,
    # one partition at a time on a worker, the next sent when it is free: a worker that dies (an article
    # stuck past --article-timeout ends its process) only costs, and counts against, the partition it
    # was running; Dask gives up on a task after its 4th dead worker otherwise (then the partition is
    # tried one article per task)
    "distributed.scheduler.worker-saturation": 1.0,
}


class _DaskExecutor:
    def __init__(self, *, scheduler: str | None, workers: int | None, log: Callable[[str], None]):
        try:
            import dask
            import distributed
        except ImportError:
            raise UsageError("--engine dask needs Dask: pip install 'news-briefing[dask]'") from None
        self.distributed = distributed
        self.cluster = None
        self.config = None
        try:
            if scheduler:
                self.client = distributed.Client(scheduler, timeout="30s", direct_to_workers=True)
            else:
                # set for the run only: undone in close()
                self.config = dask.config.set(DASK_CONFIG)
                self.cluster = distributed.LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    silence_logs=40,
                )
                # results come from the workers straight to this process, not through the scheduler
                self.client = distributed.Client(self.cluster, direct_to_workers=True)
                log(
                    f"dask: started a local cluster of {workers or os.cpu_count()} worker(s); "
                    f"dashboard: {self.cluster.dashboard_link}"
                )
        except (OSError, TimeoutError) as e:
            self._undo_config()
            raise InputError(f"dask: cannot reach the scheduler {scheduler or ''} ({e})") from None
        from ._dask_plugin import ModelPreload

        self.client.register_plugin(ModelPreload())
        threads = sum(self.client.nthreads().values()) or 1
        self.slots = max(4, 2 * threads)

    def _undo_config(self) -> None:
        if self.config is not None:
            self.config.__exit__(None, None, None)
            self.config = None

    def submit(self, fn, *args):
        # pure=False: two partitions with equal lines are still two tasks; retries cover a task's own
        # transient failure, and Dask reschedules a task whose worker died without counting it here
        return self.client.submit(fn, *args, pure=False, retries=2)

    def wait_first(self, futures):
        done = self.distributed.wait(list(futures), return_when="FIRST_COMPLETED").done
        return list(done)

    def recover(self) -> None:
        pass  # Dask replaces dead workers itself

    def close(self) -> None:
        try:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()
        finally:
            self._undo_config()


def make_executor(
    engine: str,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    workers: int | None = None,
    log: Callable[[str], None] = lambda s: None,
):
    if engine == "dask":
        return _DaskExecutor(scheduler=scheduler, workers=workers, log=log)
    if engine != "local":
        raise UsageError(f"unknown engine {engine!r} (choose local or dask)")
    return _SerialExecutor() if jobs <= 1 else _PoolExecutor(jobs)


# ------------------------------------------------------------------------------------------- the run


def _result(
    executor,
    fut,
    part: Partition,
    options,
    article_timeout: float | None,
    log: Callable[[str], None],
    work: Path | None = None,
) -> tuple[list[str], int]:
    """A partition's results; when its task failed as a whole (its worker process died, again and again
    on Dask, or once in the local pool), every article is tried alone, one after the other, so a poison
    article costs only itself: it becomes ``{"id", "error"}``."""
    try:
        return fut.result()
    except Exception as first:  # KilledWorker, BrokenProcessPool, a lost connection...
        failure = first
    log(
        f"warning: the task of {part_name(part.index, 'jsonl')[:-6]} failed ({type(failure).__name__}); "
        "trying each of its articles alone"
    )
    out: list[str] = []
    errors = 0
    for n, line in part.lines:
        executor.recover()
        try:
            record = str(work / f"{part_name(part.index, 'jsonl')[:-6]}-line-{n}") if work else None
            lines, n_err = executor.submit(process_partition, [(n, line)], options, article_timeout, record).result()
            out.extend(lines)
            errors += n_err
        except Exception as e:
            errors += 1
            from .batch import parse_line

            rid = parse_line(line, n)[0]
            out.append(
                json.dumps(
                    {
                        "id": rid,
                        "error": "internal error: the worker process died while analysing "
                        f"this article ({type(e).__name__}; the partition's task: "
                        f"{type(failure).__name__})",
                    },
                    ensure_ascii=False,
                )
            )
    return out, errors


@dataclass
class PartitionReport:
    partitions: int = 0
    skipped: int = 0  # complete before this run
    articles: int = 0
    errors: int = 0
    seconds: float = 0.0


def _options_record(options, partition_size: int, fmt: str) -> dict[str, Any]:
    opts = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(options).items()}
    return {"brief": opts, "partition_size": partition_size, "output_format": fmt}


class Manifest:
    """``_manifest.json``: what this folder holds; rewritten atomically, at most once a second."""

    def __init__(self, folder: Path, inputs: list[InputFile], options: dict[str, Any]):
        self.path = folder / MANIFEST
        self.data: dict[str, Any] = {
            "version": __version__,
            "options": options,
            "inputs": [i.describe() for i in inputs],
            "partitions": {},
            "complete": False,
        }
        self._last = 0.0

    def check_compatible(self) -> None:
        if not self.path.exists():
            return
        try:
            old = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise InputError(f"{self.path}: unreadable manifest ({e}); use a new --output-dir") from None
        if old.get("inputs") != self.data["inputs"] or old.get("options") != self.data["options"]:
            raise UsageError(
                f"{self.path.parent}: holds a run of other inputs or options; "
                "use a new --output-dir to start another run"
            )
        self.data["partitions"] = old.get("partitions") or {}

    def record(self, name: str, entry: dict[str, Any]) -> None:
        self.data["partitions"][name] = entry
        self.save(force=False)

    def save(self, *, force: bool = True) -> None:
        now = time.monotonic()
        if force or now - self._last >= 1.0:
            write_atomic(self.path, json.dumps(self.data, ensure_ascii=False, indent=1) + "\n")
            self._last = now


WORK_AREA = ".briefing-work"


def _work_area(engine: str, path: Path | None) -> Path | None:
    """A new, empty folder for the records of a Dask run's tasks (see ``_process_recorded``): in the
    output folder, or a temporary one; workers that cannot see it (another machine, no shared file
    system) run without records. Removed when the run ends."""
    if engine != "dask":
        return None
    if path is None:
        return Path(tempfile.mkdtemp(prefix="briefing-dask-")).resolve()
    shutil.rmtree(path, ignore_errors=True)  # a killed run's records describe tasks that are gone
    try:
        path.mkdir()
    except OSError:
        return None
    return path.resolve()


def _record(work: Path | None, part: Partition) -> str | None:
    return str(work / part_name(part.index, "jsonl")[:-6]) if work else None


def run_partitioned(
    inputs: list[InputFile],
    options,
    output_dir: str | os.PathLike,
    *,
    engine: str = "local",
    jobs: int = 1,
    scheduler: str | None = None,
    workers: int | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    output_format: str = "jsonl",
    on_partition: Callable[[str, dict, bool], None] | None = None,
    article_timeout: float | None = None,
    log: Callable[[str], None] = lambda s: None,
) -> PartitionReport:
    """Run the batch into ``output_dir``; see the module's docstring for the guarantees."""
    if partition_size < 1:
        raise UsageError("--partition-size must be at least 1")
    folder = Path(output_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{folder}: cannot create the output folder ({e.strerror})") from None
    if not folder.is_dir():
        raise OutputError(f"{folder}: not a directory")
    manifest = Manifest(folder, inputs, _options_record(options, partition_size, output_format))
    manifest.check_compatible()
    report = PartitionReport()
    started = time.monotonic()
    work = _work_area(engine, folder / WORK_AREA)
    executor = make_executor(engine, jobs=jobs, scheduler=scheduler, workers=workers, log=log)
    pending: dict[Any, Partition] = {}

    def finish(part: Partition, outcome: tuple[list[str], int]) -> None:
        results, n_errors = outcome
        name = part_name(part.index, output_format)
        if len(results) != part.count:  # pragma: no cover - process_lines promises one result per line
            raise RuntimeError(f"{name}: {len(results)} results for {part.count} lines")
        _write_partition(folder / name, results, output_format)
        entry = {"input": part.input, "first_line": part.first_line, "articles": part.count, "errors": n_errors}
        manifest.record(name, entry)
        report.partitions += 1
        report.articles += entry["articles"]
        report.errors += entry["errors"]
        if on_partition:
            on_partition(name, entry, False)

    def drain(block_until: int) -> None:
        while len(pending) > block_until:
            for fut in executor.wait_first(pending):
                part = pending.pop(fut)
                finish(part, _result(executor, fut, part, options, article_timeout, log, work))

    try:
        for part in plan(inputs, partition_size):
            name = part_name(part.index, output_format)
            have = _existing_count(folder / name, output_format)
            if have == part.count:
                entry = manifest.data["partitions"].get(name)
                if not entry or entry.get("articles") != part.count:  # written, then killed before the manifest
                    if output_format == "parquet":
                        import pyarrow.parquet as pq

                        errs = [e for e in pq.read_table(folder / name, columns=["error"]).column(0).to_pylist()]
                        n_err = sum(1 for e in errs if e is not None)
                    else:
                        n_err = count_errors((folder / name).read_text(encoding="utf-8").splitlines())
                    entry = {
                        "input": part.input,
                        "first_line": part.first_line,
                        "articles": part.count,
                        "errors": n_err,
                    }
                    manifest.record(name, entry)
                report.skipped += 1
                report.partitions += 1
                report.articles += entry["articles"]
                report.errors += entry["errors"]
                if on_partition:
                    on_partition(name, entry, True)
                continue
            pending[executor.submit(process_partition, part.lines, options, article_timeout, _record(work, part))] = (
                part
            )
            drain(executor.slots)
        drain(0)
        manifest.data["complete"] = True
        manifest.data["articles"] = report.articles
        manifest.data["errors"] = report.errors
    finally:
        executor.close()
        manifest.save()
        if work:
            shutil.rmtree(work, ignore_errors=True)
    report.seconds = time.monotonic() - started
    return report


def run_ordered(
    inputs: list[InputFile],
    options,
    *,
    engine: str = "local",
    jobs: int = 1,
    scheduler: str | None = None,
    workers: int | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    article_timeout: float | None = None,
    log: Callable[[str], None] = lambda s: None,
) -> Iterator[tuple[list[str], int]]:
    """The same partitions, their results yielded in input order (for ``-o FILE`` / standard output)."""
    work = _work_area(engine, None)
    executor = make_executor(engine, jobs=jobs, scheduler=scheduler, workers=workers, log=log)
    queue: list[Any] = []
    try:
        for part in plan(inputs, partition_size):
            task = executor.submit(process_partition, part.lines, options, article_timeout, _record(work, part))
            queue.append((task, part))
            while len(queue) > executor.slots:
                fut, done = queue.pop(0)
                yield _result(executor, fut, done, options, article_timeout, log, work)
        while queue:
            fut, done = queue.pop(0)
            yield _result(executor, fut, done, options, article_timeout, log, work)
    finally:
        executor.close()
        if work:
            shutil.rmtree(work, ignore_errors=True)


__all__ = [
    "InputFile",
    "expand_inputs",
    "iter_lines",
    "plan",
    "process_partition",
    "run_partitioned",
    "run_ordered",
    "make_executor",
    "PartitionReport",
    "MANIFEST",
    "DEFAULT_PARTITION_SIZE",
]
