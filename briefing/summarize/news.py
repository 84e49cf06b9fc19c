"""The project's default ranker for news (first version: position + centrality + title overlap).

Issue #3 replaces this with a learned, explained ranker.
"""
from __future__ import annotations

from ..models import ScoredSentence
from .base import RankInput, Summarizer
from .sumy_adapter import SumySummarizer


class NewsSummarizer(Summarizer):
    name = "news"
    description = "Default: news-aware ranking (position prior, LexRank centrality, title overlap)."

    def score(self, doc: RankInput) -> list[ScoredSentence]:
        from ..text.segment import words

        central = SumySummarizer("lexrank").score(doc)
        cmax = max((c.score for c in central), default=1.0) or 1.0
        title_words = {w.lower() for w in words(doc.title or "") if len(w) > 3}
        out = []
        for i, (s, c) in enumerate(zip(doc.sentences, central)):
            position = 1.0 / (1.0 + i)
            ws = {w.lower() for w in words(s.text)}
            title = len(ws & title_words) / max(len(title_words), 1)
            parts = {"position": position, "centrality": c.score / cmax, "title": title}
            score = 0.6 * position + 0.25 * parts["centrality"] + 0.15 * title
            out.append(ScoredSentence(s, score=score, parts=parts))
        return out
