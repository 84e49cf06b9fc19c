"""The news ranker: each scoring part on small handmade texts, selection rules, budgets."""

from __future__ import annotations

import math

import pytest

from briefing.summarize import Budget, RankInput, get_summarizer
from briefing.summarize.features import FEATURES, features, is_caption, is_dangling, is_furniture
from briefing.summarize.news import NewsSummarizer, lead_weight, load_weights
from briefing.text import clean_for_analysis, split_sentences, word_count

ARTICLE = (
    "The city council approved a new bridge over the river on Tuesday, ending a decade of debate.\n\n"
    "The bridge will cost 40 million pounds and open in 2027. "
    "Scroll down for video Pictured: the old ferry crossing at dawn. "
    "Mayor Anna Reed said the vote was a turning point for the town. "
    "She said traffic on the old road had doubled since 2015. "
    "Critics argued the money should go to schools instead. "
    "Would residents accept the tolls? "
    "Construction of the bridge starts next spring, the council said."
)


def doc_of(text: str, title: str | None = None, entities=None) -> RankInput:
    analysis = clean_for_analysis(text)
    return RankInput(text=analysis, sentences=split_sentences(analysis), title=title, entities=entities or [])


def rows_of(text: str, **kw):
    doc = doc_of(text, **kw)
    return doc, features(doc).rows


def index_of(doc: RankInput, start: str) -> int:
    return next(s.index for s in doc.sentences if s.text.startswith(start))


# --- scoring parts -----------------------------------------------------------------------------


def test_position_prior_falls_with_position():
    _, rows = rows_of(ARTICLE)
    pos = [r["position"] for r in rows]
    assert pos == sorted(pos, reverse=True) and rows[0]["first"] == 1.0 and rows[1]["first"] == 0.0


def test_title_overlap_rewards_sentences_sharing_title_words():
    doc, rows = rows_of(ARTICLE, title="Council approves bridge")
    assert rows[0]["title"] > 0.5
    assert rows[index_of(doc, "Critics")]["title"] == 0.0
    _, no_title = rows_of(ARTICLE)
    assert all(r["title"] == 0.0 for r in no_title)


def test_entity_overlap_uses_given_entities_or_capitalised_words():
    doc, rows = rows_of(ARTICLE, entities=["Anna Reed"])
    mayor = index_of(doc, "Mayor Anna Reed")
    assert rows[mayor]["entities"] > 0 and rows[index_of(doc, "Critics")]["entities"] == 0.0
    # no entities given: recurring capitalised words stand in for names
    text = (
        "Acme Corp said profits rose. Analysts at Zenith expected less. "
        "Acme Corp shares rose 5%. The weather was mild. Acme Corp will report again in May."
    )
    doc, rows = rows_of(text)
    assert rows[index_of(doc, "Acme Corp shares")]["entities"] > rows[index_of(doc, "The weather")]["entities"]


def test_centrality_prefers_the_sentence_that_shares_the_most():
    text = (
        "Flooding hit the valley towns after record rain. "
        "Record rain caused flooding in valley towns and farms. "
        "Flooding in the valley closed roads after the rain. "
        "A cat show was held in the capital."
    )
    doc, rows = rows_of(text)
    cat = index_of(doc, "A cat show")
    for name in ("centrality", "degree", "centroid", "overlap"):
        assert rows[cat][name] < min(rows[i][name] for i in range(3)), name


def test_length_question_fragment_quote_penalty_flags():
    text = (
        "Prices rose sharply in March across the country, the statistics office said. "
        "Why did prices rise? "
        '"We are worried," said one shopper. '
        "Too short."
    )
    doc, rows = rows_of(text)
    assert rows[0]["length"] > rows[1]["length"]
    assert rows[1]["question"] == 1.0 and rows[0]["question"] == 0.0
    assert rows[2]["quote"] == 1.0
    assert rows[3]["fragment"] == 1.0 and rows[3]["short"] == 1.0 and rows[0]["fragment"] == 0.0


@pytest.mark.parametrize(
    "text,caption",
    [
        ("Scroll down for video Pictured: the old ferry crossing at dawn.", True),
        ("Flying high: Half of the kite took to the skies.", True),
        ("Jamie Silvonek (left), 14, and her boyfriend at a concert.", True),
        ("The council approved the bridge on Tuesday.", False),
    ],
)
def test_caption_detection(text, caption):
    assert is_caption(text) is caption


@pytest.mark.parametrize(
    "text,furniture",
    [
        ("By John Smith", True),
        ("PUBLISHED: 12:01 GMT, 3 April 2015", True),
        ("LONDON (Reuters) -", True),
        ("By the end of the year, prices had doubled.", False),
    ],
)
def test_byline_and_dateline_detection(text, furniture):
    assert is_furniture(text) is furniture


@pytest.mark.parametrize(
    "text,dangling",
    [
        ("He said the plan would fail.", True),
        ("But the vote was close.", True),
        ("That is why the council acted.", True),
        ('"It was wrong," she said.', True),
        ("This week the council voted.", False),
        ("Heathrow is busy.", False),
        ("Theresa May spoke.", False),
    ],
)
def test_dangling_detection(text, dangling):
    assert is_dangling(text) is dangling


def test_score_is_the_shipped_trees_and_parts_explain_it():
    model = load_weights()
    assert model["features"] == list(FEATURES)
    assert all(f < len(FEATURES) for tree in model["trees"] for f in tree["feature"])
    doc = doc_of(ARTICLE)
    scored = NewsSummarizer().score(doc)
    assert len(scored) == len(doc.sentences)
    for s in scored:
        # path contributions per feature: bias + parts is exactly the log-odds
        assert set(s.parts) <= set(FEATURES)
        z = model["bias"] + sum(s.parts.values())
        assert s.score == pytest.approx(1 / (1 + math.exp(-z)))
    assert any(len(s.parts) > 3 for s in scored)


def test_tree_walker_matches_a_hand_computed_tree():
    # one stump on "first" and one two-level tree on "length" then "numbers"
    model = {
        "bias": -1.0,
        "features": list(FEATURES),
        "trees": [
            {
                "feature": [FEATURES.index("first"), -1, -1],
                "threshold": [0.5, 0, 0],
                "left": [1, 0, 0],
                "right": [2, 0, 0],
                "value": [0.0, -0.5, 2.0],
            },
            {
                "feature": [FEATURES.index("length"), FEATURES.index("numbers"), -1, -1, -1],
                "threshold": [0.5, 0.5, 0, 0, 0],
                "left": [1, 2, 0, 0, 0],
                "right": [4, 3, 0, 0, 0],
                "value": [0.0, 0.1, 0.0, 0.4, -0.3],
            },
        ],
    }
    doc = doc_of("The bridge opens in 2027 after years of delay. Work starts soon.")
    scored = NewsSummarizer(weights=model, lead_prior=False).score(doc)
    # first sentence: first=1 -> +2.0; short with a number -> length +0.1, numbers +0.3
    assert scored[0].parts == pytest.approx({"first": 2.0, "length": 0.1, "numbers": 0.3})
    assert scored[0].score == pytest.approx(1 / (1 + math.exp(-(-1.0 + 2.4))))
    # second: first=0 -> -0.5; short, no number -> length +0.1, numbers -0.1
    assert scored[1].parts == pytest.approx({"first": -0.5, "length": 0.1, "numbers": -0.1})


def test_a_logistic_model_is_still_a_dot_product():
    model = {"bias": 0.5, "weights": {"first": 1.0, "length": -2.0}}
    doc = doc_of(ARTICLE)
    for s in NewsSummarizer(weights=model, lead_prior=False).score(doc):
        assert s.score == pytest.approx(1 / (1 + math.exp(-(0.5 + sum(s.parts.values())))))
        assert set(s.parts) <= {"first", "length"}


# --- selection -------------------------------------------------------------------------------


def test_caption_is_never_chosen_even_with_room_for_everything():
    doc = doc_of(ARTICLE)
    cap = index_of(doc, "Scroll down")
    for budget in (Budget(sentences=3), Budget(ratio=1.0), Budget(words=500)):
        chosen, scored = NewsSummarizer().summarize(doc, budget)
        assert cap not in [s.sentence.index for s in chosen]
        assert scored[cap].reason == "skipped: caption"


def _numbers_only_model():
    # a model that ranks by one feature, so the test controls which sentence comes first
    return {"bias": 0.0, "weights": {"numbers": 5.0, "position": 0.1}}


DANGLING_TEXT = (
    "Mayor Anna Reed opened the new library on Monday. "
    "Local children read poems at the opening ceremony. "
    "The library has a cafe and a garden. "
    "Anna Reed thanked the volunteers who raised money. "
    "She said 4,000 people had donated books."
)


def test_dangling_he_pulls_in_its_antecedent():
    doc = doc_of(DANGLING_TEXT)
    she = index_of(doc, "She said")
    chosen, scored = NewsSummarizer(weights=_numbers_only_model(), lead_prior=False).summarize(doc, Budget(sentences=2))
    assert [s.sentence.index for s in chosen] == [she - 1, she]
    assert scored[she - 1].reason == f"added: antecedent of #{she}"
    assert scored[she].reason.startswith("chosen: rank 1")


def test_dangling_sentence_is_passed_over_when_its_antecedent_does_not_fit():
    doc = doc_of(DANGLING_TEXT)
    she = index_of(doc, "She said")
    chosen, scored = NewsSummarizer(weights=_numbers_only_model(), lead_prior=False).summarize(doc, Budget(sentences=1))
    assert [s.sentence.index for s in chosen] == [0]
    assert "dangling" in scored[she].reason


def test_redundant_sentence_is_skipped():
    text = (
        "The council approved the new bridge over the river on Tuesday. "
        "On Tuesday the council approved the new bridge over the river. "
        "Work starts in spring and will take two years."
    )
    chosen, scored = NewsSummarizer(weights={"bias": 0.0, "weights": {"position": 1.0}}, lead_prior=False).summarize(
        doc_of(text), Budget(sentences=2)
    )
    assert [s.sentence.index for s in chosen] == [0, 2]
    assert "redundant with #0" in scored[1].reason


def test_every_sentence_gets_a_reason():
    _, scored = NewsSummarizer().summarize(doc_of(ARTICLE), Budget(sentences=3))
    assert all(s.reason for s in scored)
    assert sum(s.chosen for s in scored) == 3


# --- budgets -----------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_sentence_budget_is_exact(k):
    chosen, _ = get_summarizer("news").summarize(doc_of(ARTICLE), Budget(sentences=k))
    assert len(chosen) == k


@pytest.mark.parametrize("ratio", [0.1, 0.3, 0.5])
def test_ratio_budget_is_exact(ratio):
    doc = doc_of(ARTICLE)
    chosen, _ = get_summarizer("news").summarize(doc, Budget(ratio=ratio))
    assert len(chosen) == max(1, math.ceil(ratio * len(doc.sentences)))


@pytest.mark.parametrize("words", [12, 20, 30, 45, 80])
def test_word_budget_is_never_exceeded(words):
    chosen, _ = get_summarizer("news").summarize(doc_of(ARTICLE), Budget(words=words))
    assert chosen and sum(word_count(s.text) for s in chosen) <= words


def test_never_empty_when_nothing_fits():
    doc = doc_of(ARTICLE)
    chosen, _ = get_summarizer("news").summarize(doc, Budget(words=1))
    assert len(chosen) == 1
    assert word_count(chosen[0].text) == min(word_count(s.text) for s in doc.sentences if not is_caption(s.text))


def test_article_of_only_captions_still_gets_a_summary():
    chosen, _ = get_summarizer("news").summarize(doc_of("Pictured: the mayor at the opening."), Budget(sentences=3))
    assert len(chosen) == 1


def test_lead_prior_weight_follows_compression():
    doc = doc_of(ARTICLE)  # 8 sentences
    assert lead_weight(Budget(sentences=1), doc) == 1.0
    assert lead_weight(Budget(ratio=1.0), doc) == 0.0


def test_lead_prior_costs_length_short_sentences_and_opening_quotes():
    from briefing.summarize.news import lead_prior

    base = {"length": 0.4, "short": 0.0, "quote": 0.0, "fragment": 0.0, "question": 0.0}
    assert lead_prior(1, base) > lead_prior(1, {**base, "length": 0.8})
    assert lead_prior(1, base) > lead_prior(1, {**base, "short": 1.0})
    assert lead_prior(1, base) > lead_prior(1, {**base, "quote": 1.0})
    assert lead_prior(0, base) > lead_prior(1, base)


def test_lead_prior_is_off_for_long_extracts():
    doc = doc_of(ARTICLE)  # 8 sentences: 3 of them (37.5%) is an extract, not a headline summary
    assert lead_weight(Budget(sentences=3), doc) == 0.0
    assert lead_weight(Budget(sentences=1), doc) == 1.0


def test_a_sentence_closing_a_quotation_brings_its_opening():
    text = (
        "The council met on Monday to discuss the harbour. "
        "Mayor Anna Reed said the plan “will change the town for good. "
        "It brings 4,000 jobs and 900 homes,” the mayor told reporters. "
        "Work on the harbour walls starts in spring. "
        "The ferry keeps running during the works. "
        "A public meeting is planned for May."
    )
    doc = doc_of(text)
    closer = index_of(doc, "It brings")
    chosen, scored = NewsSummarizer(weights=_numbers_only_model(), lead_prior=False).summarize(doc, Budget(sentences=2))
    assert [s.sentence.index for s in chosen] == [closer - 1, closer]
    assert scored[closer - 1].reason == f"added: antecedent of #{closer}"
