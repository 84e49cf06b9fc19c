"""Time expressions normalised to TIMEX3 values against the publication date.

First version: a stub. Issue #4 writes the real tagger.
"""
from __future__ import annotations

from datetime import date

from ..models import Sentence, TimeExpression, TimelineEvent


def find_time_expressions(text: str, published: date, doc=None) -> list[TimeExpression]:
    """Every time expression in ``text``, in text order, with TIMEX3 ``value`` relative to ``published``."""
    return []


def build_timeline(text: str, sentences: list[Sentence], timexes: list[TimeExpression],
                   published: date, limit: int = 6) -> list[TimelineEvent]:
    """The dated events that matter, for the brief's "When" heading."""
    return []
