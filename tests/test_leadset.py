"""Short summaries: the best set of k among the first k + 2 usable sentences (leadset.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.summarize import Budget, RankInput
from briefing.summarize.features import features
from briefing.summarize.leadset import SET_FEATURES, SetFeaturizer, best_set, candidates, load_set_weights, window
from briefing.summarize.news import NewsSummarizer
from briefing.text import clean_for_analysis, split_sentences, word_count
from briefing.text.budget import WordBudget

ROOT = Path(__file__).resolve().parents[1]

# 20 sentences, so 3 of them are well under 20% of the article: the lead-set path decides
LONG = [
    "The city council approved a new bridge over the river on Tuesday, ending a decade of debate.",
    "Scroll down for video",
    "But the vote was close, with seven members against the plan.",
    "The bridge will cost 40 million pounds and open to traffic in 2027.",
    "Mayor Anna Reed said the vote was a turning point for the town and its businesses.",
    "Critics argued the money should go to schools and the hospital instead.",
] + [
    f"Residents of district {n} will be able to comment on the design at the library until the spring."
    for n in range(14)
]


def doc_of(sentences: list[str]) -> RankInput:
    analysis = clean_for_analysis(" ".join(sentences))
    return RankInput(text=analysis, sentences=split_sentences(analysis))


def test_shipped_weights_cover_every_set_feature():
    weights = load_set_weights()
    assert weights is not None
    assert set(weights["weights"]) == set(SET_FEATURES)
    assert weights["held_out"]["random_halves_gain_mean"]["rouge1"] > 0  # trained, with held-out figures


def test_window_skips_captions_and_takes_k_plus_two():
    texts = [s.text for s in doc_of(LONG).sentences]
    pool = window(texts, 3)
    assert len(pool) == 5
    assert 1 not in pool and texts[1].startswith("Scroll down")
    assert pool == [0, 2, 3, 4, 5]


def test_candidates_never_leave_a_but_without_its_antecedent():
    doc = doc_of(LONG)
    texts = [s.text for s in doc.sentences]
    sets = candidates(texts, [s.paragraph for s in doc.sentences], 3)
    assert sets and all(len(c) == 3 for c in sets)
    but = texts.index(LONG[2])
    # "But the vote was close" needs the sentence before it; a caption sits between, so the
    # first sentence (same paragraph, within reach) is what resolves it
    assert all(0 in c for c in sets if but in c)
    assert any(but in c for c in sets)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_sentence_budget_is_exact_and_no_caption_is_chosen(k):
    doc = doc_of(LONG)
    chosen, scored = NewsSummarizer().summarize(doc, Budget(sentences=k))
    assert len(chosen) == k
    assert all(not s.text.startswith("Scroll down") for s in chosen)
    assert all(s.reason for s in scored)
    if k <= 3:  # the short-summary path: every choice says which set it came from
        assert all("best of" in s.reason for s in chosen)


def test_the_set_model_decides_which_sentences():
    doc = doc_of(LONG)
    texts = [s.text for s in doc.sentences]
    rows = features(doc).rows
    paragraphs = [s.paragraph for s in doc.sentences]
    model = [0.5] * len(texts)
    first, _, _ = best_set(texts, paragraphs, rows, model, 3, {"weights": {"lead": 1.0, "sumi": -1.0}})
    assert first == (0, 2, 3)
    shortest, _, compared = best_set(texts, paragraphs, rows, model, 3, {"weights": {"words": -1.0}})
    lengths = {c: sum(word_count(texts[j]) for j in c) for c in candidates(texts, paragraphs, 3)}
    assert lengths[shortest] == min(lengths.values())
    assert shortest != first and compared == len(lengths)


def test_coverage_features_reward_the_thread_the_article_goes_on_with():
    texts = [
        "The bridge vote passed on Tuesday.",
        "Fireworks lit the sky over a lake.",
        "Engineers tested the steel cables.",
        "The engineers say the bridge cables and steel are safe.",
    ]
    rows = [{"centrality": 0.0, "entities": 0.0, "numbers": 0.0}] * 4
    feat = SetFeaturizer(texts, rows, [0.0] * 4)
    on_thread = dict(zip(SET_FEATURES, feat.features((0, 2))))
    aside = dict(zip(SET_FEATURES, feat.features((0, 1))))
    assert on_thread["prec"] > aside["prec"]
    assert on_thread["cov"] > aside["cov"]


def test_word_budgets_still_use_best_first_selection():
    doc = doc_of(LONG)
    chosen, scored = NewsSummarizer().summarize(doc, Budget(words=30))
    assert sum(word_count(s.text) for s in chosen) <= 30
    assert not any("best of" in (s.reason or "") for s in scored)


@pytest.mark.slow
@pytest.mark.e2e
def test_the_trainer_writes_weights_with_held_out_figures(tmp_path):
    rows = []
    for n in range(8):
        body = [
            f"Team {n} won the regional final on Saturday after a late goal from striker Lee Park {n}.",
            f"The victory sends club {n} to the national cup for the first time in twenty years.",
            "Fans celebrated in the town square until midnight.",
            f"Coach Maria Diaz said club {n} had earned the national cup place with hard work.",
            "Tickets for the next round go on sale on Monday.",
            "The stadium holds twelve thousand people.",
            f"Lee Park {n} has scored nine goals this season.",
        ]
        rows.append(
            {
                "id": str(n),
                "text": " ".join(body),
                "summary": f"Team {n} won the regional final. Club {n} goes to the national cup.",
            }
        )
    data = tmp_path / "mini.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "sets.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "train_lead_sets.py"),
            "--data",
            str(data),
            "--out",
            str(out),
            "--alpha",
            "1.0",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    model = json.loads(out.read_text(encoding="utf-8"))
    assert set(model["weights"]) == set(SET_FEATURES)
    assert set(model["held_out"]["two_fold_gain"]) == {"rouge1", "rouge2", "rougeLsum"}
    assert "random halves" in proc.stdout


@pytest.mark.slow
@pytest.mark.e2e
def test_the_trainer_refuses_missing_data(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "train_lead_sets.py"),
            "--data",
            str(tmp_path / "absent.jsonl"),
            "--out",
            str(tmp_path / "x.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and "not found" in proc.stderr


def test_lead_sets_answer_headline_sizes_only():
    from briefing.summarize.leadset import applies

    assert applies(3, 20) and applies(4, 20) and applies(1, 4)
    assert not applies(5, 40)  # beyond the sizes the model was trained on
    assert applies(4, 14) and not applies(4, 13)  # over 30% of the article is an extract ...
    assert applies(3, 8) and not applies(3, 7)  # ... but 3 sentences of a short story are its headline summary


def test_a_quotation_is_never_cut_in_half():
    from briefing.summarize.leadset import quote_balance, readable

    texts = [
        "The mayor spoke on Monday.",
        "Mayor Anna Reed said the plan “will change the town.",
        "It will bring jobs and homes,” she told reporters.",
        "The council votes next week.",
    ]
    assert quote_balance(texts[1]) > 0 and quote_balance(texts[2]) < 0 and quote_balance(texts[0]) == 0
    paragraphs = [0, 0, 0, 0]
    assert not readable((0, 1), texts, paragraphs)  # the quote runs on into sentence 2
    assert not readable((0, 2), texts, paragraphs)  # sentence 2 ends a quote begun in sentence 1
    assert readable((1, 2), texts, paragraphs) and readable((0, 3), texts, paragraphs)
    assert all(1 not in c or 2 in c for c in candidates(texts, paragraphs, 2))


def test_a_summariser_can_carry_its_own_set_model():
    doc = doc_of(LONG)
    texts = [s.text for s in doc.sentences]
    paragraphs = [s.paragraph for s in doc.sentences]
    lengths = {c: sum(word_count(texts[j]) for j in c) for c in candidates(texts, paragraphs, 3)}
    chosen, _ = NewsSummarizer(set_weights={"weights": {"words": -1.0}}).summarize(doc, Budget(sentences=3))
    assert sum(word_count(s.text) for s in chosen) == min(lengths.values())
    chosen, _ = NewsSummarizer(set_weights={"weights": {"lead": 1.0, "sumi": -1.0}}).summarize(doc, Budget(sentences=3))
    assert [s.sentence.index for s in chosen] == [0, 2, 3]


def test_sets_are_offered_through_the_selection_cores_word_budget():
    """Lead sets build on text/budget.py: a set over the word limit is never a candidate, and when
    no set fits there is none (the caller then selects best first, never empty)."""
    doc = doc_of(LONG)
    texts = [s.text for s in doc.sentences]
    rows = features(doc).rows
    paragraphs = [s.paragraph for s in doc.sentences]
    n_words = [word_count(t) for t in texts]
    every = candidates(texts, paragraphs, 3)
    sizes = sorted(sum(n_words[j] for j in c) for c in every)
    limit = sizes[len(sizes) // 2]
    fitting = candidates(texts, paragraphs, 3, WordBudget(n_words, max_sentences=3, max_words=limit))
    assert fitting and len(fitting) < len(every)
    assert all(sum(n_words[j] for j in c) <= limit for c in fitting)
    chosen, _, compared = best_set(
        texts, paragraphs, rows, [0.5] * len(texts), 3, {"weights": {"words": 1.0}}, max_words=limit
    )
    assert compared == len(fitting) and sum(n_words[j] for j in chosen) <= limit
    assert best_set(texts, paragraphs, rows, [0.5] * len(texts), 3, {"weights": {}}, max_words=sizes[0] - 1) is None
