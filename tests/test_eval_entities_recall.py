"""`briefing eval entities` on MEANTIME-style rows (text + annotated entities): mention recall."""

from __future__ import annotations

import json

from click.testing import CliRunner

from briefing.eval.cli import eval_group

TEXT = "Boeing lost the contract to Airbus on Friday, Jim McNerney said in Chicago."


def _row(text, spans):
    ents = [
        {"start": text.index(s), "end": text.index(s) + len(s), "text": s, "type": t, "syntactic_type": k}
        for s, t, k in spans
    ]
    return {"id": "1", "text": text, "entities": ents}


def test_meantime_rows_give_mention_recall(tmp_path):
    path = tmp_path / "meantime.jsonl"
    row = _row(
        TEXT,
        [
            ("Boeing", "ORG", "NAM"),
            ("Airbus", "ORG", "NAM"),
            ("Jim McNerney", "PER", "NAM"),
            ("Chicago", "LOC", "NAM"),
            ("the contract", "PRO", ""),  # not a name of a type we score: left out
        ],
    )
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    result = CliRunner().invoke(eval_group, ["entities", str(path), "--json"])
    assert result.exit_code == 0, result.output
    table = json.loads(result.output)["mention_recall"]
    assert table["all"]["gold"] == 4
    assert table["PER"] == {"recall": 100.0, "any_type": 100.0, "gold": 1}
    assert table["LOC"]["recall"] == 100.0
    assert table["ORG"]["gold"] == 2
    text = CliRunner().invoke(eval_group, ["entities", str(path)]).output
    assert "recall of annotated name mentions" in text and "ORG" in text


def test_meantime_row_without_text_is_a_one_line_error(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "1", "entities": []}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(eval_group, ["entities", str(path)])
    assert result.exit_code != 0
    assert "not a MEANTIME row" in result.output and "Traceback" not in result.output
