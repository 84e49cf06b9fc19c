"""`briefing eval entities FILE`: reading CoNLL rows, scoring name sets, and the command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.eval.cli import eval_group
from briefing.eval.entities import Counts, normalise_name, read_conll

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ner_small.jsonl"
CONLL_DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ner" / "conll2003_dev.jsonl"


def test_read_conll_rebuilds_documents_with_gold_spans():
    docs = read_conll(str(FIXTURE))
    assert [d.doc_id for d in docs] == ["0", "1"]
    first = docs[0]
    assert first.text.splitlines()[1] == "TOKYO 1996-12-06"  # one sentence a line, tokens by spaces
    gold = first.gold()
    assert gold["LOC"] == {"japan", "syria", "tokyo"}
    assert gold["PER"] == {"shu kamo", "kamo", "kazuyoshi miura"}
    assert gold["ORG"] == {"verdy kawasaki"}
    # every span points at its words
    assert all(first.text[a:b].replace(" ", "") for a, b, _ in first.spans)
    assert {first.text[a:b] for a, b, t in first.spans if t == "MISC"} == {"ASIAN CUP"}


def test_names_compare_without_case_article_or_possessive():
    assert normalise_name("The Kremlin") == normalise_name("kremlin")
    assert normalise_name("Putin 's") == "putin" == normalise_name("Putin’s")


def test_counts_give_precision_recall_f1():
    c = Counts()
    c.add({"a", "b", "x"}, {"a", "b", "c", "d"})
    assert (c.tp, c.fp, c.fn) == (2, 1, 2)
    p, r, f = c.prf()
    assert p == pytest.approx(2 / 3) and r == pytest.approx(0.5) and f == pytest.approx(4 / 7)


def test_eval_entities_command_on_fixture():
    result = CliRunner().invoke(eval_group, ["entities", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert "2 documents" in result.output
    for t in ("PER", "ORG", "LOC", "macro", "spaCy-sm"):
        assert t in result.output


def test_eval_entities_json_on_fixture():
    result = CliRunner().invoke(eval_group, ["entities", str(FIXTURE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    ours, base = data["ours"], data["spacy_small"]
    for table in (ours, base):
        assert set(table) == {"PER", "ORG", "LOC", "macro_f1"}
        assert table["PER"]["tp"] + table["PER"]["fn"] == 5  # gold PER names over both documents
    # the headline in capitals and the team names are where plain spaCy fails and we should not
    assert ours["LOC"]["f1"] >= base["LOC"]["f1"]
    assert ours["PER"]["recall"] >= 80


def test_eval_entities_bad_input(tmp_path):
    missing = CliRunner().invoke(eval_group, ["entities", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1 and "cannot read" in missing.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no tokens here"}\n')
    result = CliRunner().invoke(eval_group, ["entities", str(bad)])
    assert result.exit_code == 1 and "not a CoNLL row" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
@pytest.mark.data
@pytest.mark.skipif(not CONLL_DEV.exists(), reason="CoNLL-2003 dev not in ../shared/data (research data, not shipped)")
def test_beats_plain_spacy_on_conll_dev_sample():
    result = CliRunner().invoke(eval_group, ["entities", str(CONLL_DEV), "--json", "--limit", "40"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ours"]["macro_f1"] >= 78
    assert data["ours"]["macro_f1"] > data["spacy_small"]["macro_f1"] + 10
    assert min(data["ours"][t]["f1"] for t in ("PER", "ORG", "LOC")) >= 65
