"""`briefing batch`: JSON lines in, one brief per line out, in order; bad lines don't stop the run."""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import SAMPLE_TXT, SAMPLES, run_briefing

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

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
    assert res.returncode == 3, res.stderr  # some lines failed, the others were written
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a1", "line-2", "empty", "b2", "badbudget", "c3"]
    assert "error" in rows[1] and "error" in rows[2] and "error" in rows[4]
    a1 = rows[0]
    assert a1["title"] == "Biden and Putin talk"
    assert a1["source"]["published"] == "2021-12-30"
    assert len(a1["summary"]) == 3
    for s in a1["summary"]:
        assert BODY[s["start"] : s["end"]] == s["text"]
    assert {e["name"] for e in a1["who"]} and {e["name"] for e in a1["where"]}
    assert any(t["value"] == "2022-01-10" for t in a1["when"])
    from briefing.text import word_count

    assert sum(word_count(s["text"]) for s in rows[3]["summary"]) <= 40
    assert len(rows[5]["summary"]) == 1 and rows[5]["source"]["url"] == "https://example.com/a"


def test_batch_stdin_stdout_and_jobs_agree(tmp_path):
    data = "\n".join(_lines()) + "\n"
    one = run_briefing("batch", "-", input=data)
    two = run_briefing("batch", "-", "--jobs", "2", input=data)
    assert one.returncode == 3 and two.returncode == 3, (one.stderr, two.stderr)
    assert one.stdout == two.stdout
    assert len(one.stdout.splitlines()) == 6
    # no progress bar when stderr is not a terminal: only the final count
    assert re.fullmatch(r"briefing: 6 articles, 3 errors, \d+\.\d s\n", one.stderr), one.stderr
    assert run_briefing("batch", "-", "-q", input=data).stderr == ""


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
        p = subprocess.run(
            [sys.executable, "-m", "briefing", "batch", str(src), "-o", str(tmp_path / "o.jsonl")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=slave,
            timeout=120,
            cwd="/",
        )
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
    assert p.returncode == 3  # three of the lines are errors
    assert b"100%" in seen and b"briefing" in seen


def _pty_stderr(args, *, stdout, stdin=None, input_bytes: bytes | None = None) -> tuple[int, bytes]:
    """Run `briefing ARGS` with stderr on a terminal; (exit code, what the terminal showed)."""
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(
            [sys.executable, "-m", "briefing", *map(str, args)],
            stdin=stdin or subprocess.DEVNULL,
            stdout=stdout,
            stderr=slave,
            cwd="/",
        )
        os.close(slave)
        if input_bytes is not None:
            p.stdin.write(input_bytes)
            p.stdin.close()
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        p.wait(timeout=120)
    finally:
        os.close(master)
    return p.returncode, seen


def test_progress_bar_when_the_briefs_go_down_a_pipe_and_from_stdin(tmp_path):
    import subprocess

    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    out = tmp_path / "piped.jsonl"
    with out.open("wb") as fh:  # stdout is a file: not the terminal the bar is drawn on
        code, seen = _pty_stderr(["batch", src], stdout=fh)
    assert code == 3 and b"100%" in seen and b"6 articles" in seen
    assert len(out.read_text(encoding="utf-8").splitlines()) == 6
    # from stdin the total is unknown: counts, no percentage, and no crash
    code, seen = _pty_stderr(
        ["batch", "-", "-o", tmp_path / "o.jsonl"],
        stdout=subprocess.DEVNULL,
        stdin=subprocess.PIPE,
        input_bytes=src.read_bytes(),
    )
    assert code == 3 and b"6 articles, 3 errors" in seen and b"Traceback" not in seen


GOOD = json.dumps({"id": "good", "text": BODY})

HOSTILE_LINES = {
    "title is a number": ({"id": "x", "text": BODY, "title": 123}, '"title" must be a string'),
    "url is an object": ({"id": "x", "text": BODY, "url": {"href": "a"}}, '"url" must be a string'),
    "author is a list": ({"id": "x", "text": BODY, "author": ["A"]}, '"author" must be a string'),
    "year 1": ({"id": "x", "text": BODY, "published": "0001-01-01"}, "0001-01-01 is out of range"),
    "year 9999": ({"id": "x", "text": BODY, "published": "9999-12-31T23:59:59Z"}, "9999-12-31 is out of range"),
    "published a number": ({"id": "x", "text": BODY, "published": 20211230}, '"published" must be a date string'),
    "published prose": ({"id": "x", "text": BODY, "published": "last Tuesday"}, "not an ISO date"),
    "published junk after the date": ({"id": "x", "text": BODY, "published": "2021-12-30 garbage"}, "not an ISO date"),
    "published NaN": ({"id": "x", "text": BODY, "published": float("nan")}, '"published" must be a date string'),
    "id a list": ({"id": [1], "text": BODY}, '"id" must be a string or an integer'),
    "id a float": ({"id": 1.5, "text": BODY}, '"id" must be a string or an integer'),
    "id a boolean": ({"id": True, "text": BODY}, '"id" must be a string or an integer'),
    "text a number": ({"id": "x", "text": 42}, 'missing or empty "text"'),
    "text null": ({"id": "x", "text": None}, 'missing or empty "text"'),
    "sentences a string": ({"id": "x", "text": BODY, "sentences": "3"}, '"sentences" must be a positive integer'),
    "sentences a float": ({"id": "x", "text": BODY, "sentences": 2.5}, '"sentences" must be a positive integer'),
    "sentences true": ({"id": "x", "text": BODY, "sentences": True}, '"sentences" must be a positive integer'),
    "words negative": ({"id": "x", "text": BODY, "words": -1}, '"words" must be a positive integer'),
    "words infinite": ({"id": "x", "text": BODY, "words": float("inf")}, '"words" must be a positive integer'),
}
HOSTILE_RAW = {
    "nested 100,000 deep": ("[" * 100_000, "invalid JSON (nested too deeply)"),
    "a 5,000-digit number": ('{"id": ' + "9" * 5000 + ', "text": "x"}', "invalid JSON"),
    "a JSON string": ('"just a string"', "expected a JSON object"),
    "NaN as the object": ("NaN", "expected a JSON object"),
}


def test_every_hostile_field_is_one_error_line_and_the_run_goes_on():
    cases = sorted(HOSTILE_LINES) + sorted(HOSTILE_RAW)
    lines = [json.dumps(HOSTILE_LINES[c][0]) if c in HOSTILE_LINES else HOSTILE_RAW[c][0] for c in cases]
    res = run_briefing("batch", "-", input="\n".join([GOOD, *lines, GOOD]) + "\n")
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr and "internal error" not in res.stdout
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(rows) == len(cases) + 2 and rows[0]["summary"] and rows[-1]["summary"]
    for n, (case, row) in enumerate(zip(cases, rows[1:-1], strict=True), 2):
        expected = HOSTILE_LINES[case][1] if case in HOSTILE_LINES else HOSTILE_RAW[case][1]
        assert set(row) == {"id", "error"} and row["error"].startswith(f"line {n}: "), (case, row)
        assert expected in row["error"], (case, row)


def test_odd_but_valid_values_give_briefs(tmp_path):
    lines = [
        {"id": 7, "text": BODY, "published": "2021-12-30T18:00:00Z", "author": "AP Staff", "title": None},
        {"id": "surrogate", "text": "The mayor \ud800 spoke on Monday. " + BODY, "title": "Lone \udc80 half"},
        {"id": "nul", "text": "The council met.\u0000 " + BODY},
        {"id": "huge budget", "text": BODY, "sentences": 10**12, "words": 10**12},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x) + "\r\n" for x in lines), encoding="utf-8")  # CRLF line ends too
    out = tmp_path / "out.jsonl"
    res = run_briefing("batch", src, "-o", out)
    assert res.returncode == 0, res.stderr
    data = out.read_bytes().decode("utf-8")  # every line is valid UTF-8, lone surrogates or not
    rows = [json.loads(x) for x in data.splitlines()]
    assert [r["id"] for r in rows] == ["7", "surrogate", "nul", "huge budget"]
    assert rows[0]["source"]["published"] == "2021-12-30" and rows[0]["source"]["author"] == "AP Staff"
    assert rows[1]["title"] == "Lone \ufffd half"
    assert len(rows[3]["summary"]) == rows[3]["source"]["sentences"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_input_encodings_with_a_byte_order_mark(tmp_path, encoding):
    text = "\n".join([GOOD, json.dumps({"id": "café", "text": BODY}, ensure_ascii=False)]) + "\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    src = tmp_path / "in.jsonl"
    src.write_bytes(data)
    res = run_briefing("batch", src)
    assert res.returncode == 0, res.stderr
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == ["good", "café"]


def test_truncated_utf16_input_file_and_stdin(tmp_path):
    data = ("\n".join([GOOD, GOOD]) + "\n").encode("utf-16") + b"{"  # an odd number of bytes
    src = tmp_path / "in.jsonl"
    src.write_bytes(data)
    for args, stdin in (([src], None), (["-"], data)):
        res = run_briefing("batch", *args, input=stdin)
        assert res.returncode == 3, res.stderr  # the cut-off last line is that line's error
        rows = [json.loads(x) for x in res.stdout.splitlines()]
        assert len(rows) == 3 and rows[0]["summary"] and rows[2]["error"].startswith("line 3: invalid JSON")


def test_bytes_that_are_not_utf8_become_replacement_characters(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        json.dumps({"id": "latin", "text": "Caf\u00e9 owners protest. " + BODY}).encode().replace(b"\\u00e9", b"\xe9")
        + b"\n"
    )
    res = run_briefing("batch", src)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["summary"]


def test_a_line_too_long_to_read_is_that_lines_error(tmp_path):
    from briefing.sources.lines import MAX_LINE_CHARS

    src = tmp_path / "in.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        fh.write(GOOD + "\n")
        fh.write('{"id": "big", "text": "' + "x" * (MAX_LINE_CHARS + 10) + '"}\n')
        fh.write(GOOD + "\n")
    res = run_briefing("batch", src)
    assert res.returncode == 3, res.stderr
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert rows[1] == {"id": "line-2", "error": f"line 2: longer than {MAX_LINE_CHARS:,} characters"}


@pytest.mark.parametrize("case", ["empty stdin", "blank lines", "binary stdin", "gzip file", "/dev/zero", "directory"])
def test_inputs_without_articles_are_one_line_and_exit_1(tmp_path, case):
    import gzip

    args, stdin = {
        "empty stdin": (["-"], b""),
        "blank lines": (["-"], b"\n \n\t\n"),
        "binary stdin": (["-"], bytes(range(256)) * 50),
        # a .jsonl.gz is read (tests/test_batch_partitioned.py); gzip bytes under a .jsonl name are binary
        "gzip file": ([_write(tmp_path / "in.jsonl", gzip.compress(GOOD.encode()))], None),
        "/dev/zero": (["/dev/zero"], None),
        "directory": ([tmp_path], None),
    }[case]
    out = tmp_path / "out.jsonl"
    res = run_briefing("batch", *args, "-o", out, "-q", input=stdin, timeout=60)
    assert res.returncode == 1, res.stderr
    assert res.stderr.startswith("briefing: error: ") and len(res.stderr.strip().splitlines()) == 1, res.stderr
    if case not in ("empty stdin", "blank lines"):
        assert not out.exists(), "nothing is written for an input that is not JSON lines"


def _write(path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def test_every_line_failing_is_exit_1_with_the_errors_written(tmp_path):
    out = tmp_path / "out.jsonl"
    res = run_briefing("batch", "-", "-o", out, input="{bad\n[1]\n")
    assert res.returncode == 1
    assert "no brief produced" in res.stderr and "Traceback" not in res.stderr
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["line-1", "line-2"]


def _unwritable_outputs(tmp_path):
    regular = tmp_path / "regular.txt"
    regular.write_text("x")
    yield "/proc/briefing-test/out.jsonl"  # refused even to root
    yield str(regular / "out.jsonl")  # a folder that is a regular file
    if os.geteuid() != 0:  # root writes into read-only folders
        ro = tmp_path / "ro"
        ro.mkdir()
        os.chmod(ro, 0o500)
        yield str(ro / "sub" / "out.jsonl")
        yield str(ro / "out.jsonl")


def test_output_that_cannot_be_written_is_one_line_before_any_work(tmp_path):
    for target in _unwritable_outputs(tmp_path):
        for command in (["batch", "-"], ["summarize", SAMPLE_TXT]):
            res = run_briefing(*command, "-o", target, input=GOOD + "\n")
            assert res.returncode == 1, (command, target, res.stderr)
            assert res.stderr.startswith(f"briefing: error: {target}: ") and "Traceback" not in res.stderr
            assert len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_options_at_their_extremes():
    res = run_briefing(
        "batch",
        "-",
        "--jobs",
        "1000",
        "-n",
        str(10**12),
        "-w",
        str(10**12),
        "--article-timeout",
        "86400",
        input=GOOD + "\n",
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["summary"]


@pytest.mark.parametrize(
    "args",
    [
        ["--ratio", "0"],
        ["--ratio", "1e308"],
        ["--ratio", "nan"],
        ["--ratio", "-inf"],
        ["-n", "0"],
        ["-w", "-5"],
        ["--jobs", "0"],
        ["--jobs", str(10**6)],
    ],
)
def test_options_out_of_range_are_usage_errors(args):
    res = run_briefing("batch", "-", *args, input=GOOD + "\n")
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
