"""The eval extra: without its packages an eval command says which extra to install, in one line.

The packages are installed here, so each run blocks them the way a missing distribution looks to
Python: ``sys.modules[name] = None`` makes ``import name`` raise ImportError, before briefing starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_without(blocked: list[str], *args: str) -> subprocess.CompletedProcess:
    code = (
        "import sys\n"
        f"for name in {blocked!r}:\n"
        "    sys.modules[name] = None\n"
        "from briefing.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("BRIEFING_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300, cwd=ROOT
    )


def test_blocking_works():
    # the simulation itself: a blocked package cannot be imported
    r = subprocess.run([sys.executable, "-c", "import sys; sys.modules['rouge_score'] = None; import rouge_score"])
    assert r.returncode != 0


def test_eval_summaries_without_rouge_score_names_the_extra():
    r = run_without(["rouge_score"], "eval", "summaries", str(FIXTURES / "summaries_small.jsonl"), "--jobs", "1")
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "briefing: error: 'briefing eval summaries' needs the eval extra (rouge-score not installed): "
        "pip install 'news-briefing[eval]'"
    ]


def test_eval_dates_without_dateparser_names_the_extra_or_no_baseline():
    r = run_without(["dateparser"], "eval", "dates", str(FIXTURES / "timex_small.jsonl"))
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines() == [
        "briefing: error: 'briefing eval dates' needs the eval extra (dateparser not installed): "
        "pip install 'news-briefing[eval]' (or run with --no-baseline)"
    ]
    # our own scores need no extra
    r = run_without(["dateparser"], "eval", "dates", str(FIXTURES / "timex_small.jsonl"), "--no-baseline", "--json")
    assert r.returncode == 0, r.stderr
    assert '"ours"' in r.stdout


def test_eval_stories_without_scikit_learn_names_the_extra(tmp_path):
    # the clustering itself needs no scikit-learn (the digest runs without it); the baseline does
    r = run_without(["sklearn"], "eval", "stories", str(FIXTURES / "stories_small.jsonl"))
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "briefing: error: 'briefing eval stories' needs the eval extra (scikit-learn not installed): "
        "pip install 'news-briefing[eval]'"
    ]
    state = str(tmp_path / "state.db")
    r = run_without(
        ["sklearn"], "digest", str(FIXTURES / "stories_small.jsonl"), "--since", "all", "--dry-run", "--state", state
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# ")  # the stories, clustered and summarised without scikit-learn
