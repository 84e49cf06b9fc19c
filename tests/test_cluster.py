"""Story clustering on small handmade cases, plus the dev-set targets when the data is present."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from briefing.digest.cluster import ClusterOptions, cluster_articles, is_headline_only
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
    base = datetime(2024, 3, 4, tzinfo=timezone.utc)
    a = Article(title="Vantor recalls HeatWave space heaters over fire risk", text="", published_at=base)
    b = Article(title="Vantor recalls HeatWave space heaters over fire risk", text="",
                published_at=base + timedelta(days=30))
    c = Article(title="Vantor recalls HeatWave space heaters over fire risk", text="",
                published_at=base + timedelta(hours=3))
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


def _dev(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"evaluation data not present: {path}")
    from briefing.eval.stories import load_stories, score_clustering

    articles, gold = load_stories(str(path))
    return score_clustering(gold, cluster_articles(articles))


def test_ecbplus_dev_target():
    assert _dev("ecbplus_dev.jsonl").b3_f1 >= 0.90


def test_uci_headlines_dev_target():
    assert _dev("uci_headlines_dev.jsonl").b3_f1 >= 0.75
