"""`briefing eval DATA.jsonl` end to end on a small handmade fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.errors import UsageError
from briefing.eval.cli import eval_group
from briefing.eval.rouge import oracle_indices, rouge
from briefing.eval.summaries import default_algorithms

FIXTURE = Path(__file__).parent / "fixtures" / "summaries_small.jsonl"
METRICS = ("rouge1", "rouge2", "rougeLsum")


@pytest.fixture(scope="module")
def scores():
    result = CliRunner().invoke(eval_group, [str(FIXTURE), "--k", "3", "--jobs", "1", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.slow
def test_json_has_every_algorithm_lead_and_oracle(scores):
    assert scores["rows"] == 3 and scores["k"] == 3
    assert set(scores["scores"]) == set(default_algorithms())
    assert {"news", "lead", "oracle", "lexrank", "textrank", "lsa"} <= set(scores["scores"])


def test_oracle_is_at_least_every_algorithm(scores):
    oracle = scores["scores"]["oracle"]
    for name, s in scores["scores"].items():
        for m in METRICS:
            assert oracle[m] >= s[m], (name, m)


def test_table_lists_them_all():
    result = CliRunner().invoke(eval_group, [str(FIXTURE), "--k", "ref", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "ROUGE-1 | ROUGE-2 | ROUGE-Lsum" in result.output
    rows = [line.split("|")[1].strip() for line in result.output.splitlines() if line.startswith("| ")]
    assert set(rows[1:]) == set(default_algorithms())
    assert rows[-1] == "oracle"


def test_chosen_algorithms_only():
    result = CliRunner().invoke(eval_group, [str(FIXTURE), "--algorithms", "lead,news", "--jobs", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)["scores"]) == {"lead", "news"}


@pytest.mark.parametrize("args", [["--k", "zero"], ["--k", "0"], ["--algorithms", "nonsense"]])
def test_bad_options_are_usage_errors(args):
    result = CliRunner().invoke(eval_group, [str(FIXTURE), *args])
    assert isinstance(result.exception, UsageError)


def test_bad_rows_are_reported(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "No summary here."}\n')
    result = CliRunner().invoke(eval_group, [str(bad)])
    assert result.exception is not None and "'summary'" in str(result.exception)


def test_rouge_is_the_rouge_score_package_with_stemming():
    from rouge_score import rouge_scorer

    cand, ref = ["The cats were running home."], ["A cat runs home.", "It was late."]
    expected = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True).score("\n".join(ref), "\n".join(cand))
    got = rouge(cand, ref)
    for m in METRICS:
        assert got[m] == pytest.approx(100 * expected[m].fmeasure)


def test_oracle_picks_the_sentences_that_match_the_reference():
    sents = ["The weather was mild.", "The council approved the bridge.", "Work starts in spring."]
    assert oracle_indices(sents, ["Council approves bridge; work starts in spring."], 2) == [1, 2]
