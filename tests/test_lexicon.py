"""The language core (``briefing.text.lexicon``, ``briefing.text.vectors``) and the budgeted
selection core (``briefing.text.budget``): one definition each, and every caller uses it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.models import Article, ScoredSentence, Sentence
from briefing.summarize import Budget, RankInput, Summarizer, select_greedy
from briefing.summarize.select import select_news
from briefing.text import lexicon, vectors
from briefing.text.budget import OVER_BUDGET, WordBudget, fill, select_within

# --- the selection core --------------------------------------------------------------------------


def test_takes_best_first_and_skips_what_would_break_the_word_budget():
    # the best candidate (0) is longer than the budget: skipped, never cut; the next ones fit
    budget = WordBudget([30, 10, 12, 9], max_sentences=3, max_words=25)
    rejected: dict[int, str] = {}
    assert fill([0, 1, 2, 3], budget, rejected=rejected) == [1, 2]
    assert rejected == {0: OVER_BUDGET, 3: OVER_BUDGET}


def test_never_empty_when_nothing_fits_the_shortest_candidate_is_the_summary():
    # today's behaviour, kept: the shortest candidate, the better scored of equally short ones
    budget = WordBudget([30, 12, 20, 12], max_words=5)
    chosen, fallback = select_within([0, 2, 1, 3], budget, score=[0.9, 0.2, 0.5, 0.4])
    assert (chosen, fallback) == ([3], True)


def test_the_sentence_limit_stops_reading_the_order():
    pulled = []

    def order():
        for i in range(10):
            pulled.append(i)
            yield i

    assert fill(order(), WordBudget([1] * 10, max_sentences=2)) == [0, 1]
    assert pulled == [0, 1]  # a lazy order (MMR) is not asked for more than there is room for


def test_accept_sees_the_chosen_and_its_reason_is_kept():
    rejected: dict[int, str] = {}
    chosen = fill(
        [0, 1, 2], WordBudget([1, 1, 1]), lambda i, pool: "repeat" if i == 1 and 0 in pool else None, rejected=rejected
    )
    assert chosen == [0, 2] and rejected == {1: "repeat"}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 40), st.floats(0, 1)), min_size=1, max_size=25),
    st.one_of(st.none(), st.integers(1, 60)),
    st.one_of(st.none(), st.integers(1, 6)),
)
def test_never_empty_and_never_over_the_budget(cands, max_words, max_sentences):
    n_words = [w for w, _ in cands]
    score = [s for _, s in cands]
    order = sorted(range(len(cands)), key=lambda i: (-score[i], i))
    budget = WordBudget(n_words, max_sentences, max_words)
    chosen, fallback = select_within(order, budget, score)
    assert chosen
    assert len(set(chosen)) == len(chosen)
    if fallback:
        assert len(chosen) == 1 and n_words[chosen[0]] == min(n_words)
        assert max_words is not None and min(n_words) > max_words
    else:
        assert budget.fits(chosen)


def _scored(lengths: list[int], scores: list[float]) -> list[ScoredSentence]:
    out, pos = [], 0
    for i, (n, score) in enumerate(zip(lengths, scores)):
        text = " ".join(f"w{i}x{k}" for k in range(n)) + "."
        out.append(ScoredSentence(Sentence(text, pos, pos + len(text), i, paragraph=i), score=score))
        pos += len(text) + 1
    return out


class _LastFirst(Summarizer):
    """Ranks later sentences higher, so picking order and document order differ."""

    name = "last-first"

    def score(self, doc: RankInput) -> list[ScoredSentence]:
        return [ScoredSentence(s, score=float(s.index)) for s in doc.sentences]


def test_summaries_are_printed_in_document_order():
    sentences = [s.sentence for s in _scored([5, 6, 7, 8, 9], [0.0] * 5)]
    chosen, _ = _LastFirst().summarize(RankInput("", sentences), Budget(sentences=3))
    assert [s.sentence.index for s in chosen] == [2, 3, 4]
    picked = select_news(_scored([5, 6, 7, 8, 9], [0.1, 0.9, 0.2, 0.8, 0.3]), Budget(words=14), None)
    assert [s.sentence.index for s in picked] == [1, 3]


def test_select_greedy_and_select_news_keep_the_core_fallback():
    scored = _scored([30, 12, 20], [0.9, 0.2, 0.5])
    assert [s.sentence.index for s in select_greedy(scored, Budget(words=5))] == [1]
    scored = _scored([30, 12, 20], [0.9, 0.2, 0.5])
    chosen = select_news(scored, Budget(words=5), None)
    assert [s.sentence.index for s in chosen] == [1]
    assert chosen[0].reason == "chosen: shortest sentence (nothing fits the word budget)"
    assert scored[0].reason == "skipped: over the word budget"


def test_multidoc_summary_is_never_empty_and_within_budget():
    from briefing.digest.multidoc import summarize_story

    articles = [
        Article(
            text="The harbour bridge reopened to traffic on Monday after a week of repairs by the city.", title="A"
        ),
        Article(text="Engineers said the harbour bridge was safe again after the long week of repair work.", title="B"),
    ]
    assert len(summarize_story(articles, budget_words=3)) == 1  # nothing fits: the shortest, not nothing
    story = summarize_story(articles, budget_words=40)
    assert story and sum(len(s.text.split()) for s in story) <= 40


# --- one definition, every caller uses it ---------------------------------------------------------


def test_the_news_ranker_uses_the_shared_lists_and_stemmer():
    from briefing.summarize import features, leadset, select

    assert features.content_stop_words is lexicon.content_stop_words
    assert features.FUNCTION_WORDS is lexicon.FUNCTION_WORDS
    assert features.porter_stem is lexicon.porter_stem is lexicon.stemmer("content")
    assert features.is_caption is leadset.is_caption is select.is_caption is lexicon.is_caption
    assert features.is_furniture is leadset.is_furniture is select.is_furniture is lexicon.is_furniture
    assert features.is_dangling is select.is_dangling is lexicon.is_dangling
    assert leadset.quote_balance is select.quote_balance is lexicon.quote_balance
    assert features.tfidf_rows is vectors.tfidf_rows
    assert lexicon.content_stop_words() == lexicon.sumy_stop_words() | lexicon.REPORTING_WORDS


def test_sumy_algorithms_get_the_shared_stop_words_and_stemmer():
    from briefing.summarize.sumy_adapter import SumySummarizer

    built = SumySummarizer("lexrank")._build()
    assert built._stemmer is lexicon.stemmer("sumy")
    assert built.stop_words == lexicon.sumy_stop_words()


def test_quotes_use_the_shared_speech_verbs():
    from briefing.extract import quotes

    assert quotes.SPEECH_VERB is lexicon.SPEECH_VERB
    assert all(lexicon.SPEECH_VERB.fullmatch(v) for v in lexicon.SPEECH_VERBS)
    assert set(lexicon.COMMON_SPEECH_VERBS) <= set(lexicon.SPEECH_VERBS)


def test_stories_use_the_shared_light_stemmer_and_story_stop_words():
    from briefing.digest import cluster, dedup

    assert dedup.light_stem is cluster.light_stem is lexicon.light_stem is lexicon.stemmer("light")
    assert cluster.story_stop_words is lexicon.story_stop_words
    assert lexicon.story_stop_words() is lexicon.STORY_STOP_WORDS
    assert dedup.counter_cosine is vectors.counter_cosine
    assert [lexicon.light_stem(w) for w in ("recalls", "recalled", "recall", "uses")] == [
        "recall",
        "recall",
        "recall",
        "use",
    ]


def test_story_stop_words_are_scikit_learns_english_list():
    # written out in lexicon.py so the runtime needs no scikit-learn; the eval/test extras have it
    text = pytest.importorskip("sklearn.feature_extraction.text")

    assert lexicon.story_stop_words() == text.ENGLISH_STOP_WORDS
    assert len(lexicon.STORY_STOP_WORDS) == 318


def test_dangling_and_pronoun_openings_share_one_pronoun_list():
    assert lexicon.opens_with_pronoun("He said so.") and lexicon.is_dangling("He said so.")
    assert lexicon.opens_with_pronoun("“The latter agreed.") and lexicon.is_dangling("“The latter agreed.")
    assert not lexicon.opens_with_pronoun("But the talks failed.") and lexicon.is_dangling("But the talks failed.")
    assert not lexicon.is_dangling("This week the talks failed.")


def test_vectors_cosines_of_unit_rows():
    unit = vectors.tfidf_rows([["bridg", "open"], ["bridg", "open"], ["rain"], []])
    sim = vectors.cosines(unit)
    assert abs(sim[0, 1] - 1.0) < 1e-12 and sim[0, 2] == 0.0 and sim[0, 0] == 0.0
    assert not unit[3].any()


def test_every_timex_rule_carries_its_gate():
    from briefing.extract import timex_rules as t

    assert [r.name for r in t.GRAMMAR] == [name for name, _, _ in t.RULES] == list(t.PRIORITY)
    assert all(r.gate is None or (r.gate and all(k == k.lower() for k in r.gate)) for r in t.GRAMMAR)
    assert t.GATES == {r.name: r.gate for r in t.GRAMMAR if r.gate is not None}


def test_the_typer_and_the_segmenter_take_their_verb_lists_from_the_lexicon():
    from briefing.extract import entity_typer
    from briefing.text import lexicon, segment

    assert entity_typer._SPEECH_VERBS is lexicon.NAME_SPEECH_CUES
    assert lexicon.NAME_SPEECH_CUES <= set(lexicon.SPEECH_VERBS)  # a named subset, not a second list
    assert all(segment._LABEL_VERBS.search(v) for v in lexicon.CAPTION_LABEL_VERBS)
    assert not segment._LABEL_VERBS.search("denied")
