"""A user's ``--template FILE`` is contained and bounded, through the real CLI (summarize and digest).

Contained: it may include / extend / import only regular, non-hidden template files from its own
folder (and below), or a built-in template by name. Bounded: a runaway template stops at a CPU,
memory and output limit. Every template problem is exit 1 with one line, never a traceback or 70.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import SAMPLE_TXT, run_briefing

# Small limits keep the runaway cases short; the defaults are larger (docs/security.md).
LIMITS = {"BRIEFING_TEMPLATE_SECONDS": "2", "BRIEFING_TEMPLATE_MEMORY_MB": "256"}
SECRET = "TOP-SECRET-7f3a"


@pytest.fixture
def limits(monkeypatch):
    for k, v in LIMITS.items():
        monkeypatch.setenv(k, v)


@pytest.fixture
def jsonl(tmp_path) -> Path:
    rows = [
        {
            "id": "a1",
            "title": "Dam opens in Kessler",
            "source": "Globe",
            "url": "https://globe.example/dam",
            "text": "The new dam in Kessler opened on Tuesday. It cost 40 million dollars, officials said.",
        },
        {
            "id": "b1",
            "title": "Bridge closes in Lindholm",
            "source": "Wire",
            "text": "The old bridge in Lindholm closed on Monday. Repairs will take a year, the council said.",
        },
    ]
    p = tmp_path / "news.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return p


@pytest.fixture
def render_with(main_run, jsonl, tmp_path, limits):
    """(command, template path) -> (exit code, stdout, stderr) of the real CLI."""

    def run(command: str, template: Path, *extra):
        if command == "summarize":
            return main_run("summarize", SAMPLE_TXT, "--template", template, *extra)
        return main_run(
            "digest",
            jsonl,
            "--since",
            "all",
            "--state",
            tmp_path / "state.sqlite",
            "--dry-run",
            "--no-entities",
            "--template",
            template,
            *extra,
        )

    return run


def one_line_error(code, out, err, *words):
    assert code == 1, (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error: template"), err
    assert "Traceback" not in err and "internal error" not in err
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def make(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


COMMANDS = ["summarize", "digest"]


# ---------------------------------------------------------------- containment


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_a_template_may_include_its_own_folder_and_the_builtins(render_with, tmp_path, command):
    home = tmp_path / "tpl"
    make(home, "part.j2", "PART-OK {{ (brief.title or '')[:4] }}\n")
    make(home, "sub/deeper.md", "DEEPER-OK\n")
    make(home, "macros.jinja", "{% macro shout(s) %}{{ s | upper }}{% endmacro %}")
    os.symlink("part.j2", home / "alias.j2")  # a symlink that stays in the folder is fine
    main = make(
        home,
        "main.txt.j2",
        '{% include "part.j2" %}{% include "sub/deeper.md" %}'
        '{% include "alias.j2" %}{% from "macros.jinja" import shout %}{{ shout("ok") }}\n'
        '{% include "_style.css.j2" %}\n',
    )
    code, out, err = render_with(command, main)
    assert code == 0, err
    assert out.count("PART-OK") == 2 and "DEEPER-OK" in out and "OK" in out
    assert "color-scheme" in out  # the built-in stylesheet, by name


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "case", ["dotfile", "dot-folder", "symlink-out", "symlink-to-dotfile", "parent", "absolute", "extension", "fifo"]
)
def test_includes_outside_the_rule_are_refused(render_with, tmp_path, command, case):
    home = tmp_path / "home"
    home.mkdir()
    outside = make(tmp_path, "outside.j2", SECRET)
    if case == "dotfile":
        make(home, ".secret.j2", SECRET)
        target = ".secret.j2"
    elif case == "dot-folder":
        make(home, ".ssh/id_rsa.txt", SECRET)
        target = ".ssh/id_rsa.txt"
    elif case == "symlink-out":
        os.symlink("/etc/passwd", home / "pw.j2")
        os.symlink(outside, home / "out.j2")
        target = "pw.j2"
    elif case == "symlink-to-dotfile":
        make(home, ".env.txt", SECRET)
        os.symlink(".env.txt", home / "innocent.j2")
        target = "innocent.j2"
    elif case == "parent":
        home = home / "sub"
        home.mkdir()
        target = "../../outside.j2"
    elif case == "absolute":
        target = str(outside)
    elif case == "extension":
        make(home, "id_rsa", SECRET)
        make(home, "notes.csv", SECRET)
        target = "id_rsa"
    else:  # a FIFO must not hang the run
        os.mkfifo(home / "pipe.j2")
        target = "pipe.j2"
    main = make(home, "main.j2", f'before {{% include "{target}" %}} after\n')
    code, out, err = render_with(command, main)
    line = one_line_error(code, out, err)
    assert SECRET not in out + err and "root:" not in out + err
    assert "main.j2" in line
    if case == "symlink-out":  # the other link, and a csv, are refused the same way
        for name in ("out.j2",):
            main.write_text(f'{{% include "{name}" %}}', encoding="utf-8")
            code, out, err = render_with(command, main)
            one_line_error(code, out, err)
            assert SECRET not in out + err


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("tag", ['{% extends "X" %}', '{% import "X" as m %}', '{% from "X" import m %}'])
def test_extends_and_import_follow_the_same_rule(render_with, tmp_path, command, tag):
    home = tmp_path / "home"
    make(home, ".hidden.j2", "{% macro m() %}" + SECRET + "{% endmacro %}" + SECRET)
    main = make(home, "main.j2", tag.replace("X", ".hidden.j2") + "{{ 1 }}\n")
    code, out, err = render_with(command, main)
    one_line_error(code, out, err)
    assert SECRET not in out + err


# ---------------------------------------------------------------- bounds and errors


RUNAWAY = {
    "huge-string": ('{{ "x" * 3000000000 }}', "MB"),
    "nested-ranges": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", " s"),
    "huge-output": ('{% for i in range(100000) %}{{ "y" * 2000 }}{% endfor %}', "MB"),
    "doubling": (
        (
            "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
            "{% endfor %}{{ ns.s | length }}"
        ),
        "MB",
    ),
}
BROKEN = {
    "big-range": "{{ range(10**9) | list | length }}",
    "recursive-macro": "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
    "type-error": '{{ 1 + "a" }}',
    "syntax": "{% for x in %}",
    "undefined-call": "{{ nosuch.thing() }}",
    "unsafe": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "zero-division": "{{ 1 // 0 }}",
    "bad-format": '{{ "%d" | format("x") }}',
}


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", sorted(RUNAWAY))
def test_a_runaway_template_stops_at_its_limit(render_with, tmp_path, command, case):
    body, unit = RUNAWAY[case]
    main = make(tmp_path, f"{case}.j2", body)
    code, out, err = render_with(command, main)
    one_line_error(code, out, err, f"{case}.j2", "exceeded", unit)
    assert out == ""


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_every_template_error_is_one_line_and_exit_1(render_with, tmp_path, command, case):
    main = make(tmp_path, f"{case}.j2", BROKEN[case])
    code, out, err = render_with(command, main)
    one_line_error(code, out, err, f"{case}.j2")
    assert out == ""


@pytest.mark.slow
@pytest.mark.e2e
def test_runaway_template_as_a_user_runs_it(tmp_path, jsonl):
    """A fresh process, as cron would run it: the memory bomb is refused, the machine is left alone."""
    main = make(tmp_path, "bomb.j2", '{{ "x" * 3000000000 }}')
    env = dict(LIMITS)
    p = run_briefing("summarize", SAMPLE_TXT, "--template", main, env=env)
    one_line_error(p.returncode, p.stdout, p.stderr, "bomb.j2", "exceeded")
    p = run_briefing(
        "digest",
        jsonl,
        "--since",
        "all",
        "--state",
        tmp_path / "s.sqlite",
        "--no-entities",
        "--template",
        main,
        "-o",
        tmp_path / "out.txt",
        env=env,
    )
    one_line_error(p.returncode, p.stdout, p.stderr, "bomb.j2", "exceeded")
    assert not (tmp_path / "out.txt").exists()


def test_a_good_user_template_still_renders_everything(render_with, tmp_path):
    main = make(
        tmp_path,
        "good.md.j2",
        "# {{ digest.title }}\n{% for st in digest.stories %}- {{ st.title }}"
        " ({{ st.sources | join(', ') }})\n{% endfor %}",
    )
    code, out, err = render_with("digest", main)
    assert code == 0, err
    assert "- Dam opens in Kessler (Globe)" in out and "- Bridge closes in Lindholm (Wire)" in out
