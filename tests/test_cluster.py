"""Story clustering on small handmade cases, plus the dev-set targets when the data is present."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing.digest.cluster import ClusterOptions, cluster_articles, event_ratio, is_headline_only, story_terms
from briefing.models import Article

FIXTURE = Path(__file__).parent / "fixtures" / "stories_small.jsonl"
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "clustering"


def load_fixture():
    from briefing.eval.stories import load_stories

    return load_stories(str(FIXTURE))


def same(labels, i, j):
    return labels[i] == labels[j]


def test_same_event_in_other_words_is_one_story():
    articles, gold = load_fixture()
    labels = cluster_articles(articles)
    ids = [a.id for a in articles]
    assert same(labels, ids.index("a1"), ids.index("a2"))
    # a headline-only item joins the full articles of its story
    assert same(labels, ids.index("a1"), ids.index("a3"))
    assert same(labels, ids.index("c1"), ids.index("c2"))


def test_two_events_about_the_same_company_stay_apart():
    articles, gold = load_fixture()
    labels = cluster_articles(articles)
    ids = [a.id for a in articles]
    assert not same(labels, ids.index("a1"), ids.index("b1"))
    assert not same(labels, ids.index("a2"), ids.index("b2"))
    assert same(labels, ids.index("b1"), ids.index("b2"))
    assert len(set(labels)) == 3


def test_labels_are_numbered_in_first_seen_order():
    articles, _ = load_fixture()
    labels = cluster_articles(articles)
    assert labels[0] == 0
    seen = []
    for label in labels:
        if label not in seen:
            seen.append(label)
    assert seen == list(range(len(seen)))


def test_events_far_apart_in_time_are_different_stories():
    base = datetime(2024, 3, 4, tzinfo=UTC)
    a = Article(title="Vantor recalls HeatWave space heaters over fire risk", text="", published_at=base)
    b = Article(
        title="Vantor recalls HeatWave space heaters over fire risk", text="", published_at=base + timedelta(days=30)
    )
    c = Article(
        title="Vantor recalls HeatWave space heaters over fire risk", text="", published_at=base + timedelta(hours=3)
    )
    assert cluster_articles([a, c]) == [0, 0]
    assert cluster_articles([a, b]) == [0, 1]
    assert cluster_articles([a, b], ClusterOptions(time_window_hours=None)) == [0, 0]


def test_empty_and_degenerate_inputs():
    assert cluster_articles([]) == []
    assert cluster_articles([Article(text="", title="Hello")]) == [0]
    # nothing but stop words: every item stays on its own
    assert cluster_articles([Article(text="", title="The"), Article(text="", title="And it")]) == [0, 1]


def test_headline_only_detection():
    assert is_headline_only(Article(text="", title="Quake hits Chile"))
    assert is_headline_only(Article(text="Short teaser only.", title="Quake hits Chile"))
    assert not is_headline_only(Article(text="word " * 60, title="Quake hits Chile"))


RAHMAN = [
    (
        "Klitschko stops Rahman in seventh round",
        "Wladimir Klitschko defended his heavyweight title belts by stopping Hasim Rahman in the seventh round at the "
        "SAP Arena in Mannheim on Saturday night. The champion knocked Rahman down once before the referee stopped the "
        "heavyweight title fight. Klitschko improved to 52-3 and Rahman fell to 45-7.",
    ),
    (
        "Klitschko retains heavyweight belts against Rahman",
        "Heavyweight champion Wladimir Klitschko retained his title belts with a seventh-round stoppage of Hasim Rahman "
        "in Mannheim on Saturday. Klitschko dominated the heavyweight title fight at the SAP Arena and the referee "
        "stopped it after Rahman was knocked down. Rahman, 45-7, had no answer to the champion's jab.",
    ),
    (
        "Rahman no match for Klitschko in Mannheim",
        "Hasim Rahman was no match for Wladimir Klitschko, who kept his heavyweight title belts with a seventh-round win "
        "at the SAP Arena in Mannheim on Saturday night. The referee stopped the heavyweight title fight as Klitschko, "
        "now 52-3, landed combination after combination on Rahman.",
    ),
]
THOMPSON = [
    (
        "Klitschko stops Thompson in sixth round",
        "Wladimir Klitschko defended his heavyweight title belts by stopping Tony Thompson in the sixth round at the "
        "Stade de Suisse in Bern on Saturday night. The champion knocked Thompson down once before the referee stopped "
        "the heavyweight title fight. Klitschko improved to 58-3 and Thompson fell to 36-3.",
    ),
    (
        "Klitschko retains heavyweight belts against Thompson",
        "Heavyweight champion Wladimir Klitschko retained his title belts with a sixth-round stoppage of Tony Thompson "
        "in Bern on Saturday. Klitschko dominated the heavyweight title fight at the Stade de Suisse and the referee "
        "stopped it after Thompson was knocked down. Thompson, 36-3, had no answer to the champion's jab.",
    ),
    (
        "Thompson no match for Klitschko in Bern",
        "Tony Thompson was no match for Wladimir Klitschko, who kept his heavyweight title belts with a sixth-round win "
        "at the Stade de Suisse in Bern on Saturday night. The referee stopped the heavyweight title fight as "
        "Klitschko, now 58-3, landed combination after combination on Thompson.",
    ),
]


def _fights(rows):
    return [Article(title=t, text=x) for t, x in rows]


def test_two_title_fights_of_one_champion_stay_two_stories():
    # same champion, same kind of event, much shared wording: average link alone merges them;
    # the event check (IDF from the two groups alone) sees opponent, venue and round disagree
    articles = _fights(RAHMAN + THOMPSON)
    assert cluster_articles(articles, ClusterOptions(event_ratio=0)) == [0] * 6
    assert cluster_articles(articles) == [0, 0, 0, 1, 1, 1]


def _rewrites():
    return [(f"{t} ({src})", f"{src} reports: {x}") for src in ("Reuters", "AP") for t, x in RAHMAN]


def test_event_ratio_separates_events_from_reports_of_one_event():
    docs = [story_terms(a) for a in _fights(RAHMAN + THOMPSON)]
    two_events = event_ratio(docs[:3], docs[3:])
    mixed_halves = event_ratio([docs[0], docs[3]], [docs[1], docs[4]])
    one = [story_terms(a) for a in _fights(_rewrites())]
    one_event_halves = event_ratio(one[:3], one[3:])
    assert two_events < ClusterOptions().event_ratio <= min(mixed_halves, one_event_halves)


def test_one_event_in_many_reports_passes_the_event_check():
    articles = _fights(_rewrites())
    assert cluster_articles(articles) == [0] * 6
    # a check that demanded more than reports of one event give would split them
    assert len(set(cluster_articles(articles, ClusterOptions(event_ratio=5.0, event_min_size=2)))) > 1


def _dev(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"evaluation data not present: {path}")
    from briefing.eval.stories import load_stories, score_clustering

    articles, gold = load_stories(str(path))
    return score_clustering(gold, cluster_articles(articles))


@pytest.mark.slow
@pytest.mark.data
def test_ecbplus_dev_target():
    assert _dev("ecbplus_dev.jsonl").b3_f1 >= 0.90


@pytest.mark.slow
@pytest.mark.data
def test_uci_headlines_dev_target():
    assert _dev("uci_headlines_dev.jsonl").b3_f1 >= 0.75
