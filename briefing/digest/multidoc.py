"""One story, many articles -> one extractive summary.

Every candidate is a verbatim sentence of a member article (or, for an item
without text, its headline). A candidate's score mixes

- its *single-article* score from the default ranker (lead position, length,
  penalties for quotes, captions, dangling references...), and
- its *support*: how many of the other articles say something close to it.
  What several independent sources agree on is the core of the story; a
  detail only one outlet printed is not.

Selection is greedy by score under the word and sentence budgets (the shared budgeted
selection core, ``text.budget``) and skips
any sentence that is a near-duplicate of one already chosen (``dedup``), so
the same wire sentence reprinted by five outlets appears once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..models import Article, Sentence
from ..text import word_count
from .models import StoryLine

if TYPE_CHECKING:
    import numpy as np

    from .dedup import SentenceKey

LEAD_SENTENCES = 12  # candidates per article: the news is in the lead, and it bounds the cost
MAX_ARTICLES = 40  # a huge story is summarised from its first articles (the digest passes them ranked)
SUPPORT_SIMILARITY = 0.25  # TF-IDF cosine above which another article "says the same"
SUPPORT_WEIGHT = 0.5
REDUNDANT_SIMILARITY = 0.5  # TF-IDF cosine above which a candidate repeats a chosen sentence


def summarize_story(
    articles: list[Article], budget_words: int | None = None, max_sentences: int = 3
) -> list[StoryLine]:
    """The story's best sentences, best first; never empty when some article has a title or text."""
    candidates = _candidates(articles[:MAX_ARTICLES])
    if not candidates:
        return []
    sims = _similarities(candidates)
    _add_support(candidates, sims, n_articles=len({c.article_index for c in candidates}))
    return _select(candidates, sims, budget_words, max_sentences)


def _candidates(articles: list[Article]) -> list[StoryLine]:
    from ..brief import prepare
    from ..errors import InputError
    from ..summarize import RankInput, get_summarizer
    from .models import source_of

    summarizer = get_summarizer()
    out: list[StoryLine] = []
    for ai, article in enumerate(articles):
        aid, source = str(article.id), source_of(article)
        sentences: list[Sentence] = []
        if article.text and article.text.strip():
            try:
                analysis, sentences = prepare(article)
            except InputError:
                sentences = []
        if sentences:
            scored = summarizer.score(RankInput(text=analysis, sentences=sentences, title=article.title))
            for s in scored[:LEAD_SENTENCES]:
                st = s.sentence
                text = article.text[st.start : st.end]
                a, b = article.source_map.span(st.start, st.end) if article.source_map else (st.start, st.end)
                out.append(StoryLine(text, aid, source, article.url, a, b, s.score, article_index=ai))
        elif article.title and article.title.strip():
            # a feed item with a headline only: the headline is what it says
            out.append(StoryLine(article.title.strip(), aid, source, article.url, -1, -1, 0.5, article_index=ai))
    return out


def _similarities(candidates: list[StoryLine]) -> np.ndarray:
    """TF-IDF cosine between every two candidates (a story has at most a few hundred)."""
    from ..text.vectors import tfidf_cosines

    return tfidf_cosines([c.text for c in candidates])


def _add_support(candidates: list[StoryLine], S, n_articles: int) -> None:
    """Mix each score with the share of *other* articles that carry a similar sentence."""
    if n_articles < 2:
        return
    for i, c in enumerate(candidates):
        others = {
            candidates[j].article_index
            for j in S[i].nonzero()[0]
            if S[i, j] >= SUPPORT_SIMILARITY and candidates[j].article_index != c.article_index
        }
        support = len(others) / (n_articles - 1)
        c.score = (1 - SUPPORT_WEIGHT) * c.score + SUPPORT_WEIGHT * support


def _select(
    candidates: list[StoryLine], S: np.ndarray, budget_words: int | None, max_sentences: int
) -> list[StoryLine]:
    """Best first through the budgeted selection core (``text.budget``), skipping a sentence that
    repeats one already chosen: never empty, never over the budget."""
    from ..text.budget import WordBudget, select_within
    from .dedup import DEFAULT_THRESHOLD, key_similarity, sentence_key

    order = sorted(
        range(len(candidates)), key=lambda i: (-candidates[i].score, candidates[i].article_index, candidates[i].start)
    )
    budget = WordBudget([word_count(c.text) for c in candidates], max(1, max_sentences), budget_words)
    keys: dict[int, SentenceKey] = {}

    def key(i: int) -> SentenceKey:
        if i not in keys:
            keys[i] = sentence_key(candidates[i].text)
        return keys[i]

    def accept(i: int, chosen: Sequence[int]) -> str | None:
        k = key(i)
        if any(key_similarity(k, key(j)) >= DEFAULT_THRESHOLD or _contained(k, key(j)) for j in chosen):
            return "near-duplicate of a chosen sentence"
        # within one story every sentence is on topic, so a high content overlap already means "said that"
        if any(S[i, j] >= REDUNDANT_SIMILARITY for j in chosen):
            return "repeats a chosen sentence"
        return None

    # nothing fits the word budget: the shortest good sentence is the closest we can get verbatim
    picked, _ = select_within(order, budget, [c.score for c in candidates], accept)
    return [candidates[i] for i in picked]


def _contained(a: SentenceKey, b: SentenceKey) -> bool:
    """A sentence whose content words are mostly in another one adds little to it
    ("The navy has captured 23 pirates." next to a longer account of the capture)."""
    from ..text.lexicon import story_stop_words

    stops = story_stop_words()
    wa = a.words - stops
    wb = b.words - stops
    small, large = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return len(small) >= 3 and len(small & large) >= 0.75 * len(small)
