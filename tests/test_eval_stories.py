"""`briefing eval stories FILE` end to end on a small handmade file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.eval.cli import eval_group
from briefing.eval.stories import score_clustering

FIXTURE = Path(__file__).parent / "fixtures" / "stories_small.jsonl"
MSRP = Path(__file__).resolve().parents[2] / "shared" / "data" / "multidoc" / "msrp_train.jsonl"


def test_prints_both_metrics_for_ours_and_baseline():
    result = CliRunner().invoke(eval_group, ["stories", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert "B-cubed F1" in result.output and "pairwise F1" in result.output
    assert "baseline" in result.output
    b3 = [line for line in result.output.splitlines() if line.startswith("B-cubed F1")][0].split()
    assert float(b3[2]) == 100.0  # ours on the handmade stories


def test_json_and_predictions(tmp_path):
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(eval_group, ["stories", str(FIXTURE), "--json", "--predictions", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["articles"] == 7 and figures["gold_stories"] == 3
    assert figures["ours"]["b3_f1"] == 1.0
    preds = [json.loads(line) for line in out.read_text().splitlines()]
    assert [p["id"] for p in preds] == ["a1", "a2", "a3", "b1", "b2", "c1", "c2"]
    by_id = {p["id"]: p["story"] for p in preds}
    assert by_id["a1"] == by_id["a3"] != by_id["b1"]


def test_bad_input_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "title": "no story field"}\n')
    result = CliRunner().invoke(eval_group, ["stories", str(bad)])
    assert result.exit_code != 0
    assert "story" in str(result.exception) or "story" in result.output


def test_metrics_on_a_known_case():
    gold = ["a", "a", "b", "b"]
    s = score_clustering(gold, [0, 0, 0, 1])
    # B-cubed precision: items in the 3-cluster score 2/3, 2/3, 1/3; the singleton 1
    assert s.b3_precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert s.b3_recall == pytest.approx((1 + 1 + 0.5 + 0.5) / 4)
    assert s.pair_precision == pytest.approx(1 / 3)
    assert s.pair_recall == pytest.approx(1 / 2)


@pytest.mark.slow
@pytest.mark.data
def test_paraphrase_measurement_on_msrp():
    if not MSRP.exists():
        pytest.skip(f"evaluation data not present: {MSRP}")
    result = CliRunner().invoke(eval_group, ["stories", "--paraphrase", str(MSRP), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["accuracy"] > figures["majority_accuracy"]
    assert figures["f1"] >= 0.8


def test_folds_split_by_story_and_score_each_half():
    result = CliRunner().invoke(eval_group, ["stories", str(FIXTURE), "--json", "--folds"])
    assert result.exit_code == 0, result.output
    folds = json.loads(result.output)["folds"]
    assert len(folds) == 2
    assert sum(f["articles"] for f in folds) == 7
    from briefing.eval.stories import fold_indices, load_stories

    _, gold = load_stories(str(FIXTURE))
    halves = fold_indices(str(FIXTURE), gold)
    # a story never spans both folds
    assert not {gold[i] for i in halves[0]} & {gold[i] for i in halves[1]}
