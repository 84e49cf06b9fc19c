"""Real news never stops or hangs a run: one article's failure is that article's, every article has a
time budget, and what a run has written survives a crash or a kill.

How an unexpected error is caused here, without mocking anything we ship: a fault injected into a
dependency. With ``BRIEFING_TEST_FAULT=MARKER`` set and ``tests/faults`` on PYTHONPATH (its
``sitecustomize`` runs at start-up), pysbd's sentence splitter (``Segmenter.processor``) raises ``RuntimeError`` on any text that
holds the marker; in-process tests patch the same pysbd method with ``monkeypatch``. Real inputs that once
crashed the analysis (a "winter", an absurd reference date) are fixed and guarded by their own tests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, SAMPLE_TXT, SAMPLES, run_briefing

BODY = SAMPLE_TXT.read_text(encoding="utf-8").split("\n", 1)[1]
LIBRARY = (SAMPLES / "library-reopening.md").read_text(encoding="utf-8")
SHORT = "The council approved the budget on Monday. The mayor said the plan would fund two new schools."
UNDATED = "The council approved the new budget. The mayor said the plan would fund two new schools."

FAULTS = ROOT / "tests" / "faults"
MARKER = "Zanzibar-fault-marker"
CRASH = f"Snow fell heavily across the north. {MARKER} said the roads were closed. More snow is coming."


def _fault_env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(FAULTS), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path, "BRIEFING_TEST_FAULT": MARKER}


@pytest.fixture
def pysbd_fault(monkeypatch):
    """In-process: pysbd raises on texts holding MARKER (forked pool workers inherit it)."""
    import pysbd

    processor = pysbd.Segmenter.processor

    def faulty(self, text):
        if MARKER in text:
            raise RuntimeError("injected fault in pysbd")
        return processor(self, text)

    monkeypatch.setattr(pysbd.Segmenter, "processor", faulty)
    return CRASH


@pytest.fixture
def crashing_text():
    return CRASH


def test_the_injected_fault_really_crashes_the_analysis_outside_the_boundary(pysbd_fault):
    from briefing.brief import build_brief
    from briefing.models import Article

    with pytest.raises(RuntimeError, match="injected fault"):
        build_brief(Article(text=pysbd_fault))


# ---------------------------------------------------------------- the boundary, through the Python API


def test_an_unexpected_error_is_that_lines_error_and_the_run_goes_on(pysbd_fault):
    from briefing.batch import iter_batch, run_batch
    from briefing.brief import BriefOptions

    published, crash = None, pysbd_fault
    lines = [
        json.dumps({"id": "before", "text": UNDATED}),
        json.dumps({"id": "boom", "text": crash}),
        json.dumps({"id": "after", "text": UNDATED + " Work starts soon."}),
    ]
    items = [i for chunk in iter_batch(enumerate(lines, 1), BriefOptions(published=published)) for i in chunk]
    rows = [json.loads(i.line) for i in items]
    assert [r["id"] for r in rows] == ["before", "boom", "after"]
    assert rows[1]["error"].startswith("internal error: ") and set(rows[1]) == {"id", "error"}
    assert rows[1]["error"] == "internal error: RuntimeError: injected fault in pysbd", rows[1]
    assert items[1].internal and "Traceback" in items[1].details
    assert rows[0]["summary"] and rows[2]["summary"] and not items[0].error
    # the old interface yields the same lines
    assert list(run_batch(lines, BriefOptions(published=published))) == [i.line for i in items]


def test_a_line_of_the_wrong_type_is_isolated_too():
    from briefing.batch import run_batch
    from briefing.brief import BriefOptions

    rows = [json.loads(x) for x in run_batch([json.dumps({"id": 1, "text": SHORT}), 12345], BriefOptions())]
    assert rows[0]["id"] == "1" and rows[0]["summary"]  # a brief's id is a string, as it always was
    assert rows[1]["error"].startswith("internal error: TypeError")


# ---------------------------------------------------------------- the boundary, through the command line


@pytest.mark.slow
@pytest.mark.e2e
def test_batch_keeps_going_after_a_crash_and_exits_3(tmp_path, crashing_text):
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": SHORT}),
                json.dumps({"id": "boom", "text": crashing_text}),
                json.dumps({"id": "c", "text": LIBRARY}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    res = run_briefing("batch", src, "-o", out, env=_fault_env())
    assert res.returncode == 3, res.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "boom", "c"]
    assert rows[1]["error"].startswith("internal error: ") and rows[0]["summary"] and rows[2]["summary"]
    assert "Traceback" not in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("briefing: 3 articles, 1 error (1 internal")
    # -v and BRIEFING_DEBUG=1 show where it happened
    for args, env in (([src, "-v"], {}), ([src], {"BRIEFING_DEBUG": "1"})):
        res = run_briefing("batch", *args, env={**_fault_env(), **env})
        assert res.returncode == 3 and "Traceback (most recent call last)" in res.stderr, res.stderr
        assert len(res.stdout.splitlines()) == 3


@pytest.mark.slow
@pytest.mark.e2e
def test_summarize_reports_a_crashing_source_in_one_line_and_writes_the_others(tmp_path, crashing_text):
    bad = tmp_path / "bad.txt"
    bad.write_text(crashing_text, encoding="utf-8")
    res = run_briefing("summarize", SAMPLE_TXT, bad, SAMPLES / "library-reopening.md", "-f", "json", env=_fault_env())
    assert res.returncode == 3, res.stderr
    assert [b["title"][:5] for b in map(json.loads, res.stdout.splitlines())] == ["Biden", "River"]
    errors = [line for line in res.stderr.splitlines() if line.startswith("briefing: error:")]
    assert len(errors) == 1 and "Traceback" not in res.stderr
    assert errors[0].startswith(f"briefing: error: {bad}: could not be summarised (")
    assert errors[0].endswith("could not be summarised (RuntimeError: injected fault in pysbd)"), errors
    alone = run_briefing("summarize", bad, env=_fault_env())
    assert alone.returncode == 1 and alone.stdout == "" and len(alone.stderr.strip().splitlines()) == 1
    verbose = run_briefing("summarize", bad, "-v", env=_fault_env())
    assert "Traceback (most recent call last)" in verbose.stderr


# ---------------------------------------------------------------- the time budget


def test_deadline_stops_python_code_even_if_it_swallows_exceptions():
    from briefing.guard import ArticleTimeout, deadline, isolate

    def stubborn():
        end = time.monotonic() + 30
        while time.monotonic() < end:
            try:
                while time.monotonic() < end:
                    pass
            except Exception:  # noqa: BLE001 - library code that hides errors must not hide the deadline
                pass
        return "finished"

    with pytest.raises(ArticleTimeout, match="took longer than 0.2 s"):
        with deadline(0.2, "spin"):
            stubborn()
    value, failure = isolate(stubborn, name="line 7", timeout=0.2)
    assert value is None and not failure.internal and failure.message.startswith("line 7: took longer than")
    # nothing is left armed afterwards
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert isolate(lambda: 42, name="x", timeout=5) == (42, None)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.slow
def test_nested_deadlines_restore_the_outer_one():
    from briefing.guard import ArticleTimeout, deadline

    with pytest.raises(ArticleTimeout, match="outer"):
        with deadline(0.5, "outer"):
            with deadline(10, "inner"):
                pass
            left, _ = signal.getitimer(signal.ITIMER_REAL)
            assert 0 < left <= 0.5
            while True:
                pass


def _long_article(chars: int = 900_000) -> str:
    """The sample's paragraphs over and over, each copy numbered: repeated paragraphs are page furniture
    the analysis blanks out (caption and boilerplate removal), numbered ones are text it must read."""
    paragraphs = [p for p in BODY.split("\n") if p.strip()]
    out: list[str] = []
    size, i = 0, 0
    while size < chars:
        line = f"{paragraphs[i % len(paragraphs)]} (Part {i + 1}.)"
        out.append(line)
        size += len(line) + 2
        i += 1
    return "\n\n".join(out)


@pytest.mark.slow
@pytest.mark.e2e
def test_batch_article_over_its_budget_fails_alone(tmp_path):
    # the long article needs far more than 2 s on any machine (NER alone over 900,000 characters);
    # the short ones need a small fraction of it
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps({"id": "short", "text": SHORT}),
                json.dumps({"id": "long", "text": _long_article()}),
                json.dumps({"id": "also-short", "text": LIBRARY}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    res = run_briefing("batch", src, "--article-timeout", "2", timeout=300)
    assert res.returncode == 3, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["short", "long", "also-short"]
    assert rows[1]["error"] == "line 2: took longer than 2 s (the per-article limit, --article-timeout)"
    assert rows[0]["summary"] and rows[2]["summary"]


@pytest.mark.slow
@pytest.mark.e2e
def test_summarize_article_over_its_budget_is_one_line(tmp_path):
    long = tmp_path / "long.txt"
    long.write_text(_long_article(), encoding="utf-8")
    res = run_briefing("summarize", long, "--article-timeout", "1", timeout=300)
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.strip() == (
        f"briefing: error: {long}: took longer than 1 s (the per-article limit, --article-timeout)"
    )


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "1e400", "soon"])
def test_article_timeout_must_be_a_usable_number(value):
    for command in (["summarize", SAMPLE_TXT], ["batch", "-"]):
        res = run_briefing(*command, "--article-timeout", value, input="")
        assert res.returncode == 2 and "Traceback" not in res.stderr
        assert "Invalid value for '--article-timeout'" in res.stderr, res.stderr


# ---------------------------------------------------------------- nothing written is lost


def _lines_file(path, n: int) -> None:
    texts = [SHORT, LIBRARY, BODY]
    path.write_text(
        "".join(json.dumps({"id": f"a{i}", "text": texts[i % 3]}) + "\n" for i in range(n)), encoding="utf-8"
    )


def _wait_for(predicate, proc, limit: float = 240.0) -> None:
    end = time.monotonic() + limit
    while not predicate():
        if proc.poll() is not None:
            pytest.fail(f"the run ended (exit {proc.returncode}) before the moment the test waits for")
        if time.monotonic() > end:
            proc.kill()
            pytest.fail("the run never reached the moment the test waits for")
        time.sleep(0.05)


def _briefing_proc(*args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "briefing", *map(str, args)], cwd="/", **kw)


@pytest.mark.slow
@pytest.mark.e2e
def test_a_killed_batch_leaves_the_old_output_and_every_finished_line(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _lines_file(src, 200)
    out.write_text("yesterday's briefs\n", encoding="utf-8")
    partial = tmp_path / "out.jsonl.partial"
    proc = _briefing_proc("batch", src, "-o", out, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: partial.exists() and partial.stat().st_size > 0, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert out.read_text(encoding="utf-8") == "yesterday's briefs\n", "a killed run never replaces the output"
    data = partial.read_text(encoding="utf-8")
    lines = data.split("\n")
    complete = lines[:-1]  # whatever follows the last newline may be cut
    assert 1 <= len(complete) < 200
    for i, line in enumerate(complete):
        row = json.loads(line)
        assert row["id"] == f"a{i}" and row["summary"]


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_a_stopped_batch_says_where_its_lines_are(tmp_path, how):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _lines_file(src, 200)
    partial = tmp_path / "out.jsonl.partial"
    sig = getattr(signal, how)
    proc = _briefing_proc(
        "batch",
        src,
        "-o",
        out,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # as in a terminal
    _wait_for(lambda: partial.exists() and partial.stat().st_size > 0, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    assert not out.exists()
    done = len(partial.read_text(encoding="utf-8").splitlines())
    assert f"stopped before the end; the {done} lines done are in {out}.partial" in err, err
    assert "Traceback" not in err and "Aborted" not in err


@pytest.mark.slow
@pytest.mark.e2e
def test_batch_to_stdout_streams_each_chunk_as_it_is_done(tmp_path):
    src = tmp_path / "in.jsonl"
    _lines_file(src, 200)
    proc = _briefing_proc("batch", src, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        first = proc.stdout.readline()  # arrives long before the 200th article is done
        assert proc.poll() is None
        assert json.loads(first)["id"] == "a0"
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()


@pytest.mark.slow
@pytest.mark.e2e
def test_a_run_that_completes_replaces_the_output_and_leaves_no_partial(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _lines_file(src, 3)
    out.write_text("old\n", encoding="utf-8")
    os.chmod(out, 0o640)
    (tmp_path / "out.jsonl.partial").write_text("stale from a killed run\n", encoding="utf-8")
    res = run_briefing("batch", src, "-o", out)
    assert res.returncode == 0, res.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    assert os.stat(out).st_mode & 0o777 == 0o640, "an existing output keeps its mode"
    assert not (tmp_path / "out.jsonl.partial").exists()


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry))
    return kids


@pytest.mark.slow
@pytest.mark.e2e
def test_a_worker_killed_mid_run_costs_nothing(tmp_path):
    from briefing.batch import usable_jobs

    if usable_jobs(2) < 2:
        pytest.skip("one CPU: --jobs 2 starts no worker processes")
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _lines_file(src, 120)
    partial = tmp_path / "out.jsonl.partial"
    proc = _briefing_proc(
        "batch", src, "-o", out, "--jobs", "2", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _wait_for(lambda: partial.exists() and partial.stat().st_size > 0 and len(_children(proc.pid)) >= 2, proc)
    os.kill(_children(proc.pid)[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [f"a{i}" for i in range(120)]
    assert all("summary" in r for r in rows)
