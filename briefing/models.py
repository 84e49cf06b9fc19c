"""Plain data passed between the stages: read -> analyse -> assemble -> render -> deliver.

Every stage takes and returns these dataclasses, so each can be tested alone and
batches can ship them to worker processes.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

DATE_ONLY_HOUR = 12  # a date-only item counts as published at noon UTC (see ``Article.publication_time``)


@dataclass
class SourceMap:
    """Where the characters of a reader's plain text (``Article.text``) stand in the original file.

    Set by a reader that turns markup into prose (Markdown: ``briefing.sources.markdown``). Runs of
    characters: ``text[plain[i] : plain[i] + length[i]]`` is ``original[source[i] : source[i] +
    length[i]]`` (whitespace aside); a character outside every run (a paragraph break the reader
    made, a character an entity or escape stood for) has no place of its own. ``not_prose`` holds
    the spans of ``text`` that are no prose (headings, code blocks, tables): the analysis blanks
    them, so they are never summary sentences. Compact arrays, not a list per character.
    """

    plain: array = field(default_factory=lambda: array("q"), repr=False)
    source: array = field(default_factory=lambda: array("q"), repr=False)
    length: array = field(default_factory=lambda: array("q"), repr=False)
    source_length: int = 0
    not_prose: list[tuple[int, int]] = field(default_factory=list, repr=False)

    def start(self, pos: int) -> int:
        """The original offset of the text's character at ``pos`` (or just before it, when it has none)."""
        i = bisect_right(self.plain, pos) - 1
        if i < 0:
            return self.source[0] if self.source else 0
        off = pos - self.plain[i]
        return self.source[i] + min(off, self.length[i])

    def end(self, pos: int) -> int:
        """The original offset just after the text's character at ``pos - 1`` (or after its markup)."""
        last = pos - 1
        i = bisect_right(self.plain, last) - 1
        if i >= 0 and last - self.plain[i] < self.length[i]:
            return self.source[i] + (last - self.plain[i]) + 1
        return self.source[i + 1] if i + 1 < len(self.source) else self.source_length

    def span(self, start: int, end: int) -> tuple[int, int]:
        """``text[start:end]`` as an original span: it holds the same words, with the markup among them."""
        a = self.start(start)
        return (a, max(a, self.end(end))) if end > start else (a, a)


@dataclass
class Article:
    """One input article, whatever it was read from.

    ``text`` is the text every offset refers to: the file's decoded text for
    text input, the extracted main text for HTML, the prose of a Markdown file (its markup
    rendered away). ``source_map`` (Markdown only) maps offsets in ``text`` back to the
    original file: a brief's JSON offsets are the file's own (see ``SourceMap``).

    ``published`` is the day and ``published_at`` the moment, as the input gave them (a reader
    that knows the moment sets both). Use ``publication_time`` / ``publication_date`` to read them.

    The fields after ``body_start`` are set only for a digest's items (``briefing digest``):
    ``key`` is the item's identity across runs (the state keys on it), ``section`` the digest
    section its source assigned, ``spec`` the source spec it was read from, ``categories`` a
    feed entry's tags, and ``seen_at`` when a digest run first saw it.
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
    key: str | None = None
    section: str | None = None
    spec: str | None = None
    categories: list[str] = field(default_factory=list)
    seen_at: datetime | None = None
    source_map: SourceMap | None = field(default=None, repr=False)

    @property
    def publication_time(self) -> datetime | None:
        """When the article was published, timezone-aware; None when unknown. The one definition.

        - ``published_at`` when the input gave a moment (a naive one is taken as UTC);
        - a date-only item (``published`` without ``published_at``) counts as published at
          12:00 UTC that day. Noon, not midnight: noon UTC is the same calendar day in every
          zone from UTC-11 to UTC+11, so showing or comparing it in another zone does not move
          the item to the day before, and it is half a day from either neighbouring day.
        """
        if self.published_at is not None:
            t = self.published_at
            return t if t.tzinfo is not None else t.replace(tzinfo=UTC)
        if self.published is not None:
            d = self.published
            return datetime(d.year, d.month, d.day, DATE_ONLY_HOUR, tzinfo=UTC)
        return None

    @property
    def publication_date(self) -> date | None:
        """The day it was published, as the input dated it (relative dates are resolved against it)."""
        if self.published is not None:
            return self.published
        return self.published_at.date() if self.published_at is not None else None

    @property
    def date_only(self) -> bool:
        """Dated to the day only: a window takes the whole day, not the noon ``publication_time``."""
        return self.published_at is None and self.published is not None


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

    def to_dict(self) -> dict[str, Any]:
        """A summary sentence in JSON: the brief's ``summary[]`` (a digest's ``StoryLine`` extends it)."""
        return {
            "text": self.text,
            "start": self.sentence.start,
            "end": self.sentence.end,
            "score": round(self.score, 6),
        }


@dataclass
class Entity:
    """A person, organisation or place: a brief's ``who``/``where`` entry and a digest story's."""

    name: str
    type: str  # person | organisation | place
    mentions: int = 1
    aliases: list[str] = field(default_factory=list)
    role: str | None = None
    salience: float = 0.0
    spans: list[tuple[int, int]] = field(default_factory=list)
    articles: int = 1  # how many articles name it (a brief's: 1; a digest story's: of its members)

    def to_dict(self) -> dict[str, Any]:
        """One JSON shape for every ``who`` and ``where`` entry, in a brief and in a digest story."""
        return {
            "name": self.name,
            "type": self.type,
            "mentions": self.mentions,
            "aliases": self.aliases,
            "role": self.role,
            "articles": self.articles,
        }


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
    articles: int = 1  # how many articles date it so (a brief's: 1; a digest story's: of its members)

    def to_dict(self) -> dict[str, Any]:
        """A brief's ``timeline[]`` entry, and a digest story's ``when[]`` entry."""
        return asdict(self)


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
    language: str = "en"  # ISO 639-1, detected or given with --language

    def to_dict(self) -> dict[str, Any]:
        """The JSON form. Field names here are a public contract (see README)."""
        d: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "algorithm": self.algorithm,
            "language": self.language,
            "source": self.source,
            "summary": [s.to_dict() for s in self.summary],
            "who": [e.to_dict() for e in self.who],
            "where": [e.to_dict() for e in self.where],
            "when": [asdict(t) for t in self.when],
            "quotes": [{"speaker": q.speaker, "text": q.text} for q in self.quotes],
            "timeline": [t.to_dict() for t in self.timeline],
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
