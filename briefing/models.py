"""Plain data passed between the stages: read -> analyse -> assemble -> render -> deliver.

Every stage takes and returns these dataclasses, so each can be tested alone and
batches can ship them to worker processes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class Article:
    """One input article, whatever it was read from.

    ``text`` is the text every offset refers to: the file's decoded text for
    text and Markdown input, the extracted main text for HTML.
    """

    text: str
    title: str | None = None
    id: str | None = None
    url: str | None = None
    path: str | None = None
    published: date | None = None
    published_at: datetime | None = None
    author: str | None = None
    source_name: str | None = None
    format: str = "text"  # text | markdown | html | jsonl
    body_start: int = 0  # where the body starts in ``text`` (after a title line)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sentence:
    """A sentence of ``Article.text``: ``article.text[start:end] == text``."""

    text: str
    start: int
    end: int
    index: int
    paragraph: int = 0


@dataclass
class ScoredSentence:
    sentence: Sentence
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    chosen: bool = False
    reason: str | None = None

    @property
    def text(self) -> str:
        return self.sentence.text


@dataclass
class Entity:
    name: str
    type: str  # person | organisation | place
    mentions: int = 1
    aliases: list[str] = field(default_factory=list)
    role: str | None = None
    salience: float = 0.0
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class TimeExpression:
    text: str
    start: int
    end: int
    type: str  # DATE | TIME | DURATION | SET
    value: str | None


@dataclass
class Quote:
    speaker: str | None
    text: str
    start: int = -1
    end: int = -1


@dataclass
class TimelineEvent:
    """One dated event for the brief's "When" heading."""

    value: str  # TIMEX3 value
    label: str  # human-readable date
    text: str  # the expression as written
    what: str  # the sentence (or clause) that tells what happened


@dataclass
class Brief:
    """Everything a renderer needs for one article."""

    id: str
    title: str
    algorithm: str
    source: dict[str, Any]
    summary: list[ScoredSentence]
    who: list[Entity]
    where: list[Entity]
    when: list[TimeExpression]
    quotes: list[Quote]
    timeline: list[TimelineEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    explain: list[ScoredSentence] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form. Field names here are a public contract (see README)."""
        d: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "algorithm": self.algorithm,
            "source": self.source,
            "summary": [
                {"text": s.text, "start": s.sentence.start, "end": s.sentence.end, "score": round(s.score, 6)}
                for s in self.summary
            ],
            "who": [
                {"name": e.name, "type": e.type, "mentions": e.mentions, "aliases": e.aliases, "role": e.role}
                for e in self.who
            ],
            "where": [{"name": e.name, "mentions": e.mentions, "aliases": e.aliases} for e in self.where],
            "when": [asdict(t) for t in self.when],
            "quotes": [{"speaker": q.speaker, "text": q.text} for q in self.quotes],
            "timeline": [asdict(t) for t in self.timeline],
            "notes": self.notes,
        }
        if self.explain is not None:
            d["explain"] = [
                {
                    "index": s.sentence.index,
                    "text": s.text,
                    "start": s.sentence.start,
                    "end": s.sentence.end,
                    "score": round(s.score, 6),
                    "parts": {k: round(v, 6) for k, v in s.parts.items()},
                    "chosen": s.chosen,
                    "reason": s.reason,
                }
                for s in self.explain
            ]
        return d
