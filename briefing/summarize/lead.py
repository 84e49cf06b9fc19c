from __future__ import annotations

from ..models import ScoredSentence
from .base import RankInput, Summarizer


class LeadSummarizer(Summarizer):
    name = "lead"
    description = "The article's first sentences (Lead-N), the classic news baseline."

    def score(self, doc: RankInput) -> list[ScoredSentence]:
        n = len(doc.sentences)
        return [
            ScoredSentence(s, score=1.0 - i / max(n, 1), parts={"position": 1.0 - i / max(n, 1)})
            for i, s in enumerate(doc.sentences)
        ]
