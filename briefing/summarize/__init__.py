"""Extractive summarisation: algorithms behind one interface that returns scored sentences."""

from __future__ import annotations

from ..errors import UsageError
from .base import Budget, RankInput, Summarizer, select_greedy

DEFAULT_ALGORITHM = "news"


def algorithm_names() -> list[str]:
    from .sumy_adapter import SUMY_ALGORITHMS

    return [DEFAULT_ALGORITHM, "lead", *SUMY_ALGORITHMS]


# The ranker for articles not in English when no algorithm is asked for: the news ranker's cues are
# English words, LexRank needs only the language's stemmer and stop words (sumy's).
FOREIGN_ALGORITHM = "lexrank"


def get_summarizer(name: str | None = None, *, language: str | None = None) -> Summarizer:
    """The summariser called ``name``; ``language`` (sumy's name, e.g. "german") for text not in English."""
    if language and language != "english":
        from .sumy_adapter import SUMY_ALGORITHMS, SumySummarizer

        wanted = (name or FOREIGN_ALGORITHM).lower()
        if wanted in ("default", DEFAULT_ALGORITHM):
            wanted = FOREIGN_ALGORITHM
        if wanted in SUMY_ALGORITHMS:
            return SumySummarizer(wanted, language)
    name = (name or DEFAULT_ALGORITHM).lower()
    if name in ("default", DEFAULT_ALGORITHM):
        from .news import NewsSummarizer

        return NewsSummarizer()
    if name == "lead":
        from .lead import LeadSummarizer

        return LeadSummarizer()
    from .sumy_adapter import SUMY_ALGORITHMS, SumySummarizer

    if name in SUMY_ALGORITHMS:
        return SumySummarizer(name)
    raise UsageError(f"unknown algorithm {name!r}; choose from: {', '.join(algorithm_names())}")


def describe_algorithms() -> list[tuple[str, str]]:
    return [(n, get_summarizer(n).description) for n in algorithm_names()]


__all__ = [
    "Budget",
    "RankInput",
    "Summarizer",
    "select_greedy",
    "get_summarizer",
    "algorithm_names",
    "describe_algorithms",
    "DEFAULT_ALGORITHM",
]
