"""`briefing batch`: JSON lines in, one brief per line out, in order; bad lines don't stop the run."""
from __future__ import annotations

import json

from conftest import SAMPLE_TXT, SAMPLES, run_briefing

SAMPLE = SAMPLE_TXT.read_text(encoding="utf-8")
BODY = SAMPLE.split("\n", 1)[1]
LIBRARY = (SAMPLES / "library-reopening.md").read_text(encoding="utf-8")


def _lines():
    return [
        json.dumps({"id": "a1", "text": BODY, "title": "Biden and Putin talk", "published": "2021-12-30"}),
        "{not json",
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"id": "b2", "text": LIBRARY, "words": 40}),
        json.dumps({"id": "badbudget", "text": BODY, "sentences": 0}),
        json.dumps({"id": "c3", "text": BODY, "sentences": 1, "url": "https://example.com/a"}),
    ]


def test_batch_file_in_order_with_errors(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = run_briefing("batch", src, "-o", out)
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a1", "line-2", "empty", "b2", "badbudget", "c3"]
    assert "error" in rows[1] and "error" in rows[2] and "error" in rows[4]
    a1 = rows[0]
    assert a1["title"] == "Biden and Putin talk"
    assert a1["source"]["published"] == "2021-12-30"
    assert len(a1["summary"]) == 3
    for s in a1["summary"]:
        assert BODY[s["start"]:s["end"]] == s["text"]
    assert {e["name"] for e in a1["who"]} and {e["name"] for e in a1["where"]}
    assert any(t["value"] == "2022-01-10" for t in a1["when"])
    from briefing.text import word_count

    assert sum(word_count(s["text"]) for s in rows[3]["summary"]) <= 40
    assert len(rows[5]["summary"]) == 1 and rows[5]["source"]["url"] == "https://example.com/a"


def test_batch_stdin_stdout_and_jobs_agree(tmp_path):
    data = "\n".join(_lines()) + "\n"
    one = run_briefing("batch", "-", input=data)
    two = run_briefing("batch", "-", "--jobs", "2", input=data)
    assert one.returncode == 0 and two.returncode == 0, (one.stderr, two.stderr)
    assert one.stdout == two.stdout
    assert len(one.stdout.splitlines()) == 6
    assert one.stderr == "", "no progress bar when output is piped"


def test_batch_missing_input_file(tmp_path):
    res = run_briefing("batch", tmp_path / "nope.jsonl")
    assert res.returncode == 1 and "no such file" in res.stderr and "Traceback" not in res.stderr


def test_progress_bar_on_a_terminal_only(tmp_path):
    """stderr on a terminal and output to a file: a bar; output piped: silence (checked above)."""
    import os
    import pty
    import subprocess
    import sys

    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    master, slave = pty.openpty()
    try:
        p = subprocess.run([sys.executable, "-m", "briefing", "batch", str(src), "-o", str(tmp_path / "o.jsonl")],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, timeout=120, cwd="/")
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    assert p.returncode == 0
    assert b"100%" in seen and b"briefing" in seen
