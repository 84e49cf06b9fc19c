"""scripts/sweep.py: every corpus of the development data through the real `batch` and `digest`.

Target: no internal error on any article of real news. The sample here is small (two articles of
each file, in one batch run and one digest) so the suite stays quick; `python scripts/sweep.py` runs
everything.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT, SHARED_DATA

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SWEEP = ROOT / "scripts" / "sweep.py"
CORPORA = ("bbc", "cnndm", "conll", "timebank", "meantime", "ecbplus", "uci", "msrp")


def _sweep(*args, timeout=900, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SWEEP), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd="/",
        env={**os.environ, **(env or {})},
    )


@pytest.mark.data
@pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"development data {SHARED_DATA} absent (research data, not shipped)"
)
def test_a_sample_of_every_corpus_gives_no_internal_error():
    p = _sweep("--sample", "2", "--together")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "total: 0 internal errors" in p.stdout
    for corpus in CORPORA:
        m = re.search(rf"^{corpus}\s+batch\s+(\d+) articles\s+\d+ errors?\s+0 internal", p.stdout, re.M)
        assert m and int(m.group(1)) >= 2, (corpus, p.stdout)
    assert re.search(r"^all\s+digest\s+\d+ articles .* 0 internal", p.stdout, re.M), p.stdout


def test_the_sweep_counts_an_internal_error_when_there_is_one(tmp_path):
    """A corpus folder of our own with one article that crashes the analysis (a fault injected into
    pysbd, see tests/faults): the sweep must say so (and exit 1), or a clean sweep would mean nothing."""
    from test_isolation import CRASH, _fault_env

    crash = CRASH
    folder = tmp_path / "summarization"
    folder.mkdir()
    rows = [
        {"id": "fine", "title": "Budget", "text": "The council approved the budget. The mayor agreed."},
        {"id": "boom", "title": "Snow", "text": crash},
        {"id": "empty", "title": "Nothing", "text": "  "},
    ]
    (folder / "bbc_dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    p = _sweep("--data", tmp_path, "--only", "bbc", "--no-digest", env=_fault_env())
    assert p.returncode == 1, p.stdout + p.stderr
    assert re.search(r"^bbc\s+batch\s+3 articles\s+2 errors\s+1 internal", p.stdout, re.M), p.stdout
    assert "INTERNAL 1 × boom: internal error:" in p.stdout
    assert '1 × missing or empty "text"' in p.stdout
    assert "total: 1 internal errors" in p.stdout
