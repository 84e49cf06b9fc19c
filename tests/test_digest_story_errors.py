"""One story whose analysis fails never takes the digest down: it is listed as a failure and the rest goes on.

Two ways to make one story's analysis fail:

- a genuine input: a JSONL line whose text holds a lone surrogate (``"\\ud800"`` is valid JSON);
  spaCy's tokenizer raises UnicodeEncodeError on it, and the NER batch took every story down with it.
  Other engineers are hardening the readers, so this input may stop failing; the test then checks
  only that the digest is whole.
- a fault in a dependency (not in our code): pysbd, the sentence segmenter, made to raise for
  the articles of one story. This keeps the error boundary itself under test whatever the
  analysis bugs fixed elsewhere, and needs no change to anything we ship.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

MARKER = "Zyxquorvale"  # a place no real article names: only this story's articles carry it
NOW = "2026-03-10T12:00:00+00:00"


def _rows(bad_text: str) -> list[dict]:
    return [
        {
            "id": "a1",
            "title": "Dam opens in Kessler",
            "source": "Globe",
            "published": "2026-03-10T08:00:00Z",
            "text": "The new dam in Kessler opened on Tuesday. It cost 40 million dollars, officials said.",
        },
        {
            "id": "a2",
            "title": "Kessler dam opens after six years",
            "source": "Wire",
            "published": "2026-03-10T09:00:00Z",
            "text": "Kessler's new dam opened on Tuesday after six years of work. It cost 40 million dollars.",
        },
        {
            "id": "b1",
            "title": "Bridge closes in Lindholm",
            "source": "Herald",
            "published": "2026-03-10T07:00:00Z",
            "text": "The old bridge in Lindholm closed on Monday. Repairs will take a year, the council said.",
        },
        {
            "id": "c1",
            "title": "Floods hit the harbour town",
            "source": "Courier",
            "published": "2026-03-10T10:00:00Z",
            "text": bad_text,
        },
    ]


def _jsonl(tmp_path: Path, bad_text: str) -> Path:
    p = tmp_path / "news.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in _rows(bad_text)) + "\n", encoding="utf-8")
    return p


def _digest(main_run, src, tmp_path, *extra):
    return main_run(
        "digest",
        src,
        "--since",
        "all",
        "--state",
        tmp_path / "s.sqlite",
        "--now",
        NOW,
        "--dry-run",
        "-f",
        "json",
        *extra,
    )


@pytest.fixture
def faulty_segmenter(monkeypatch):
    """pysbd raises for any text that names MARKER, as a bug in it would for some input."""
    import pysbd

    real = pysbd.Segmenter.processor  # what briefing.text.segment calls

    def processor(self, text):
        if MARKER in text:
            raise RuntimeError(f"segmenter fault on {MARKER}")
        return real(self, text)

    monkeypatch.setattr(pysbd.Segmenter, "processor", processor)


FLOOD = (
    f"Floods hit the harbour town of {MARKER} on Monday. Hundreds of homes were evacuated, "
    "the mayor said. Rescue teams worked through the night."
)


def test_a_story_whose_summary_fails_is_a_failure_and_the_rest_is_the_digest(main_run, tmp_path, faulty_segmenter):
    code, out, err = _digest(main_run, _jsonl(tmp_path, FLOOD), tmp_path, "--no-entities")
    assert code == 3, err  # something failed, a digest was made
    d = json.loads(out)
    titles = [st["title"] for st in d["stories"]]
    assert any("dam" in t.lower() for t in titles) and any("Lindholm" in t for t in titles)
    assert not any("Flood" in t for t in titles)
    [failure] = [f for f in d["failures"] if f.get("kind") == "story"]
    assert failure["source"] == "Floods hit the harbour town"
    assert failure["spec"] == "c1"
    assert failure["reason"] == f"could not be summarised (RuntimeError: segmenter fault on {MARKER})"
    assert d["stats"]["stories_failed"] == 1
    assert not any("left out" in n for n in d["notes"])  # it failed; it was not cut for length
    # one warning line, no traceback, unless asked for
    assert "could not be summarised" in err and "Traceback" not in err
    assert len([ln for ln in err.splitlines() if "could not be summarised" in ln]) == 1


@pytest.mark.parametrize("how", ["-v", "BRIEFING_DEBUG"])
def test_the_traceback_is_shown_with_verbose_or_debug(main_run, tmp_path, faulty_segmenter, monkeypatch, how):
    extra = ["--no-entities"]
    if how == "-v":
        extra.append("-v")
    else:
        monkeypatch.setenv("BRIEFING_DEBUG", "1")
    code, _, err = _digest(main_run, _jsonl(tmp_path, FLOOD), tmp_path, *extra)
    assert code == 3, err
    assert "Traceback" in err and "segmenter fault" in err


def test_every_format_lists_the_story_that_failed(main_run, tmp_path, faulty_segmenter):
    src = _jsonl(tmp_path, FLOOD)
    for fmt, heading in (
        ("markdown", "## Stories that could not be summarised"),
        ("email", "STORIES THAT COULD NOT BE SUMMARISED"),
        ("html", "<h2>Stories that could not be summarised</h2>"),
    ):
        code, out, err = main_run(
            "digest",
            src,
            "--since",
            "all",
            "--state",
            tmp_path / "s.sqlite",
            "--now",
            NOW,
            "--dry-run",
            "--no-entities",
            "-f",
            fmt,
        )
        assert code == 3, err
        assert heading in out and "Floods hit the harbour town" in out
        assert "Sources that failed" not in out and "SOURCES THAT FAILED" not in out


def test_genuine_input_that_breaks_entity_recognition_spares_the_other_stories(main_run, tmp_path):
    bad = "Floods hit the harbour town on Monday \ud800. Hundreds of homes were evacuated, the mayor said."
    code, out, err = _digest(main_run, _jsonl(tmp_path, bad), tmp_path)
    assert code in (0, 3), err  # never 70
    d = json.loads(out)
    titles = [st["title"] for st in d["stories"]]
    assert any("dam" in t.lower() for t in titles) and any("Lindholm" in t for t in titles)
    assert any(st["who"] or st["where"] for st in d["stories"])  # entities still found for the others
    if code == 3:  # the surrogate still reaches the analysis: that one story is listed, with its error
        [failure] = d["failures"]
        assert failure["kind"] == "story"
        assert failure["reason"].startswith("could not be summarised (UnicodeEncodeError")
    else:  # a reader cleaned the text: the story is simply there
        assert any("Flood" in t for t in titles)
