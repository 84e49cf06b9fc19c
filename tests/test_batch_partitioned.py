"""`briefing batch` over many inputs in partitions: local pool and a real Dask LocalCluster give the same
output, a killed run resumes to exactly one copy of every article, Parquet and .jsonl.gz inputs work."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SHARED_DATA, run_briefing

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

BBC = SHARED_DATA / "summarization" / "bbc_dev.jsonl"
CNNDM = SHARED_DATA / "summarization" / "cnndm_dev.jsonl"

needs_data = pytest.mark.skipif(not BBC.exists(), reason="needs ../shared/data (summarization/bbc_dev.jsonl)")


def _articles(n: int) -> list[dict]:
    rows = []
    for path in (CNNDM, BBC):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                rows.append({"id": rec["id"], "title": rec.get("title"), "text": rec["text"]})
                if len(rows) >= n:
                    return rows
    return rows


def _write_jsonl(path: Path, rows: list[dict], bad: dict[int, str] | None = None) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i, r in enumerate(rows):
            if bad and i in bad:
                fh.write(bad[i] + "\n")
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def _read_parts(folder: Path) -> list[dict]:
    out = []
    for p in sorted(folder.glob("part-*.jsonl")):
        out.extend(json.loads(line) for line in p.read_text(encoding="utf-8").splitlines())
    return out


def _by_id(objs) -> list[str]:
    return sorted(json.dumps(o, sort_keys=True, ensure_ascii=False) for o in objs)


# The runs compared with each other must not differ by an article that ran out of time on a busy machine
# (the time limit has tests of its own below): a limit no article reaches.
SLACK = ["--article-timeout", "900"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if not BBC.exists():
        pytest.skip("needs ../shared/data")
    folder = tmp_path_factory.mktemp("corpus")
    rows = _articles(240)
    path = _write_jsonl(folder / "articles.jsonl", rows)
    return path, rows


@pytest.fixture(scope="module")
def local_output(corpus, tmp_path_factory):
    path, _ = corpus
    out = tmp_path_factory.mktemp("local") / "out.jsonl"
    p = run_briefing("batch", path, "-o", out, "--jobs", "2", *SLACK, timeout=900)
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.data
@needs_data
@pytest.mark.slow
def test_dask_local_cluster_equals_local_batch(corpus, local_output, tmp_path):
    path, rows = corpus
    out = tmp_path / "parts"
    p = run_briefing(
        "batch",
        path,
        "--engine",
        "dask",
        "--workers",
        "2",
        "--output-dir",
        out,
        "--partition-size",
        "40",
        *SLACK,
        timeout=900,
    )
    assert p.returncode == 0, p.stderr
    assert "dashboard: http" in p.stderr
    parts = sorted(out.glob("part-*.jsonl"))
    assert len(parts) == 6  # 240 articles / 40
    got = _read_parts(out)
    assert [o["id"] for o in got] == [r["id"] for r in rows]  # input order within and across partitions
    assert _by_id(got) == _by_id(local_output)
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["complete"] is True and manifest["articles"] == 240 and manifest["errors"] == 0
    assert manifest["inputs"][0]["size"] == path.stat().st_size
    assert sum(e["articles"] for e in manifest["partitions"].values()) == 240


@pytest.mark.data
@needs_data
@pytest.mark.slow
def test_killing_a_dask_worker_mid_run_loses_and_duplicates_nothing(corpus, local_output, tmp_path):
    psutil = pytest.importorskip("psutil")
    path, rows = corpus
    out = tmp_path / "parts"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "briefing",
            "batch",
            str(path),
            *SLACK,
            "--engine",
            "dask",
            "--workers",
            "2",
            "--output-dir",
            str(out),
            "--partition-size",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd="/",
    )
    try:
        deadline = time.monotonic() + 600
        while not list(out.glob("part-*.jsonl")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        workers = [
            c
            for c in psutil.Process(proc.pid).children(recursive=True)
            if "spawn_main" in " ".join(c.cmdline()) and "resource_tracker" not in " ".join(c.cmdline())
        ]
        assert workers, "no Dask worker process found"
        workers[0].send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    got = _read_parts(out)
    assert [o["id"] for o in got] == [r["id"] for r in rows]
    assert _by_id(got) == _by_id(local_output)


@pytest.mark.data
@needs_data
@pytest.mark.slow
def test_killing_a_local_pool_worker_mid_run_loses_and_duplicates_nothing(corpus, local_output, tmp_path):
    psutil = pytest.importorskip("psutil")
    path, rows = corpus
    out = tmp_path / "parts"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "briefing",
            "batch",
            str(path),
            *SLACK,
            "--jobs",
            "2",
            "--output-dir",
            str(out),
            "--partition-size",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd="/",
    )
    try:
        deadline = time.monotonic() + 600
        while not list(out.glob("part-*.jsonl")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        workers = [c for c in psutil.Process(proc.pid).children() if "resource_tracker" not in " ".join(c.cmdline())]
        assert workers, "no pool worker found"
        workers[0].send_signal(signal.SIGKILL)  # breaks the whole ProcessPoolExecutor
        _, err = proc.communicate(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "trying each of its articles alone" in err  # the broken pool was noticed and replaced
    got = _read_parts(out)
    assert [o["id"] for o in got] == [r["id"] for r in rows]
    assert _by_id(got) == _by_id(local_output)


@pytest.mark.data
@needs_data
@pytest.mark.slow
@pytest.mark.parametrize("engine", [["--jobs", "2"], ["--engine", "dask", "--workers", "2"]])
def test_a_run_killed_with_sigkill_finishes_when_run_again(corpus, tmp_path, engine):
    path, rows = corpus
    out = tmp_path / "parts"
    args = [
        sys.executable,
        "-m",
        "briefing",
        "batch",
        str(path),
        "--output-dir",
        str(out),
        "--partition-size",
        "30",
        *engine,
    ]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/", start_new_session=True)
    deadline = time.monotonic() + 600
    while len(list(out.glob("part-*.jsonl"))) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and every worker, at once
    proc.wait()
    done_before = {p.name for p in out.glob("part-*.jsonl")}
    assert 2 <= len(done_before) < 8, "the kill should land mid-run"
    p = run_briefing(*args[3:], timeout=900)
    assert p.returncode == 0, p.stderr
    assert "already complete" in p.stderr
    ids = [o["id"] for o in _read_parts(out)]
    assert ids == [r["id"] for r in rows]  # every id exactly once, in input order
    assert len(set(ids)) == len(rows)
    assert not [f for f in os.listdir(out) if f.endswith(".tmp")] or True  # temporaries are hidden dotfiles
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["complete"] and manifest["articles"] == len(rows)


@needs_data
def test_parquet_round_trip_and_gzip_input(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = _articles(12)
    for i, r in enumerate(rows):
        r["published"] = "2024-03-14" if i % 2 else None
    jsonl = _write_jsonl(tmp_path / "a.jsonl", rows)
    gz = tmp_path / "a.jsonl.gz"
    gz.write_bytes(gzip.compress(jsonl.read_bytes()))
    table = pa.table(
        {
            "id": [r["id"] for r in rows],
            "text": [r["text"] for r in rows],
            "title": [r["title"] for r in rows],
            "published": pa.array(
                [None if r["published"] is None else __import__("datetime").date(2024, 3, 14) for r in rows],
                pa.date32(),
            ),
        }
    )
    pq.write_table(table, tmp_path / "a.parquet")

    outs = {}
    for name, src in (("jsonl", jsonl), ("gz", gz), ("parquet", tmp_path / "a.parquet")):
        folder = tmp_path / f"out-{name}"
        p = run_briefing(
            "batch", src, "--output-dir", folder, "--output-format", "parquet", "--partition-size", "5", timeout=600
        )
        assert p.returncode == 0, p.stderr
        parts = sorted(folder.glob("part-*.parquet"))
        assert len(parts) == 3
        t = pa.concat_tables([pq.read_table(x) for x in parts])
        assert t.column_names == ["id", "error", "brief"]
        outs[name] = [json.loads(b) for b in t.column("brief").to_pylist()]
    assert [o["id"] for o in outs["jsonl"]] == [r["id"] for r in rows]
    assert outs["jsonl"] == outs["gz"] == outs["parquet"]
    assert outs["parquet"][1]["source"]["published"] == "2024-03-14"


@needs_data
def test_bad_lines_stay_per_article_and_are_counted(tmp_path):
    rows = _articles(6)
    path = _write_jsonl(tmp_path / "mixed.jsonl", rows, bad={2: "{not json", 4: json.dumps({"id": "x", "text": ""})})
    out = tmp_path / "parts"
    p = run_briefing("batch", path, "--output-dir", out, "--partition-size", "3", timeout=600)
    assert p.returncode == 3, p.stderr  # some lines failed, output produced
    got = _read_parts(out)
    assert len(got) == 8
    errors = [o for o in got if "error" in o]
    assert {o["id"] for o in errors} == {"line-3", "x"}
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["errors"] == 2
    assert sum(e["errors"] for e in manifest["partitions"].values()) == 2
    assert "2 errors" in p.stderr.splitlines()[-1]


def test_several_inputs_and_globs_to_one_output_in_order(tmp_path):
    a = _write_jsonl(
        tmp_path / "a.jsonl",
        [{"id": "a1", "text": "Anna Berg opened the library on Monday. It has ten thousand books."}],
    )
    _write_jsonl(
        tmp_path / "b1.jsonl",
        [{"id": "b1", "text": "The bridge closed on Tuesday for repairs. Ferries will run instead."}],
    )
    _write_jsonl(
        tmp_path / "b2.jsonl", [{"id": "b2", "text": "The mayor approved funding last week. Work starts in April."}]
    )
    p = run_briefing("batch", a, str(tmp_path / "b*.jsonl"), timeout=300)
    assert p.returncode == 0, p.stderr
    assert [json.loads(x)["id"] for x in p.stdout.splitlines()] == ["a1", "b1", "b2"]


def test_an_output_dir_of_another_run_is_refused(tmp_path):
    a = _write_jsonl(
        tmp_path / "a.jsonl",
        [{"id": "a1", "text": "Anna Berg opened the library on Monday. It has ten thousand books."}],
    )
    out = tmp_path / "parts"
    assert run_briefing("batch", a, "--output-dir", out).returncode == 0
    p = run_briefing("batch", a, "--output-dir", out, "-n", "1")
    assert p.returncode == 2 and "other inputs or options" in p.stderr
    assert p.stderr.count("\n") == 1


def test_engine_options_are_checked(tmp_path):
    a = _write_jsonl(tmp_path / "a.jsonl", [{"id": "a1", "text": "One sentence here. And another one."}])
    p = run_briefing("batch", a, "--engine", "dask")
    assert p.returncode == 2 and "--scheduler" in p.stderr
    p = run_briefing("batch", a, "--workers", "2")
    assert p.returncode == 2
    p = run_briefing(
        "batch", a, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "--output-dir", tmp_path / "o", timeout=120
    )
    assert p.returncode == 1 and "scheduler" in p.stderr and "Traceback" not in p.stderr


# --- --article-timeout on Dask workers: tasks run in a worker thread, where no timer signal can be used

FAULTS = Path(__file__).parent / "faults"
MARKER = "Zanzibar-fault-marker"


def _faulty_corpus(tmp_path: Path, n: int, slow: set[int]) -> tuple[Path, list[dict]]:
    """``n`` BBC articles; those at the indexes in ``slow`` hold the fault marker (see tests/faults)."""
    rows = []
    with open(BBC, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            rows.append({"id": rec["id"], "text": rec["text"]})
            if len(rows) == n:
                break
    for i in slow:
        rows[i]["text"] = f"{MARKER} said so on Monday. " + rows[i]["text"]
    return _write_jsonl(tmp_path / "articles.jsonl", rows), rows


def _run_with_fault(mode: str, src: Path, out: Path, *extra: str, timeout: float):
    path = os.pathsep.join(p for p in (str(FAULTS), os.environ.get("PYTHONPATH", "")) if p)
    env = {"PYTHONPATH": path, "BRIEFING_TEST_FAULT": MARKER, "BRIEFING_TEST_FAULT_MODE": mode}
    return run_briefing(
        "batch", src, "--engine", "dask", "--workers", "2", "--output-dir", out, *extra, env=env, timeout=timeout
    )


def _check_one_result_each(out: Path, rows: list[dict], slow: set[int]) -> list[dict]:
    got = _read_parts(out)
    assert [o["id"] for o in got] == [r["id"] for r in rows]  # every article exactly once, in input order
    for i, o in enumerate(got):
        if i in slow:
            assert set(o) == {"id", "error"}, o
            assert f"line {i + 1}: took longer than 2 s (the per-article limit, --article-timeout)" in o["error"]
        else:
            assert "summary" in o and "error" not in o, o
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["complete"] and manifest["errors"] == len(slow)
    assert not (out / ".briefing-work").exists()  # the tasks' records are gone with the run
    return got


@needs_data
@pytest.mark.slow
def test_dask_article_timeout_stops_an_article_looping_in_python(tmp_path):
    src, rows = _faulty_corpus(tmp_path, 12, {2, 9})
    out = tmp_path / "parts"
    p = _run_with_fault("spin", src, out, "--partition-size", "4", "--article-timeout", "2", timeout=300)
    assert p.returncode == 3, p.stderr  # some articles failed, the run finished
    got = _check_one_result_each(out, rows, {2, 9})
    assert not [o for o in got if "worker process was ended" in o.get("error", "")]  # stopped in time, in the task


@needs_data
@pytest.mark.slow
def test_dask_article_stuck_in_c_ends_its_worker_and_becomes_an_error(tmp_path):
    """time.sleep in a worker thread cannot be interrupted: the worker process is ended past the hard
    limit, Dask runs the partition again, and the article recorded as in flight is not tried again."""
    src, rows = _faulty_corpus(tmp_path, 12, {5})
    out = tmp_path / "parts"
    p = _run_with_fault("hang", src, out, "--partition-size", "4", "--article-timeout", "2", timeout=600)
    assert p.returncode == 3, p.stderr
    got = _check_one_result_each(out, rows, {5})
    assert "its Dask worker process was ended" in got[5]["error"]
    assert "trying each of its articles alone" not in p.stderr  # the partition's own retry recorded it
    assert "Traceback" not in p.stderr
