"""The digest's plain data: many articles -> stories -> one Digest every renderer consumes.

``Digest.to_dict()`` is the JSON form and a public contract: ``stories[].articles[].id``
lists each story's member articles (the ids the input gave them).

A story's ``who``/``where`` are the brief's ``Entity`` and its ``when`` the brief's
``TimelineEvent`` (dated events, like a brief's ``timeline``), so a brief and a story
write those entries in one JSON shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..models import Article, Entity, TimelineEvent


def _iso(dt: datetime | None) -> str | None:
    """Every time in the digest in UTC, so times from feeds in different zones compare at a glance."""
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None


@dataclass
class SourceFailure:
    """A source (or one page of it) that could not be read, or a story that could not be made from
    what was read (``kind="story"``); the digest says so in a short section."""

    source: str  # the source's name, or its spec when it has none; for a story, its headline
    spec: str  # what failed: the source's URL, path or glob, or one page of a feed; a story's first member
    reason: str  # one line
    kind: str = "source"  # "source" | "story"
    detail: str | None = field(default=None, repr=False, compare=False)  # a traceback, shown with -v only

    def __post_init__(self) -> None:
        # errors name what failed ("URL: timed out"); the digest shows the spec once, not twice
        for prefix in (f"{self.spec}: ", f"{self.source}: "):
            if self.reason.startswith(prefix):
                self.reason = self.reason[len(prefix) :]

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "spec": self.spec, "reason": self.reason, "kind": self.kind}

    def __str__(self) -> str:
        where = self.source if self.spec == self.source else f"{self.source} ({self.spec})"
        return f"{where}: {self.reason}"


@dataclass
class StoryArticle:
    """One member of a story, as the digest lists it ("N sources" with title and link)."""

    id: str
    title: str
    source: str | None
    url: str | None
    published: datetime | None
    new: bool = True  # False when an earlier run already reported it

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": _iso(self.published),
            "new": self.new,
        }


@dataclass
class StoryLine:
    """One summary sentence of a story, with the member article it was taken from: the one type
    from the multi-document summariser to the renderers.

    ``articles[article_index].text[start:end]`` is the sentence verbatim (the digest shows ``text``
    with its whitespace collapsed); a headline (for an item without text) has ``start == end == -1``.
    """

    text: str
    article_id: str
    source: str | None
    url: str | None
    start: int
    end: int
    score: float
    article_index: int = -1  # the member's index in the list the story was summarised from

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "article_id": self.article_id,
            "source": self.source,
            "url": self.url,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 6),
        }


@dataclass
class Story:
    id: str  # fingerprint of the story's first-reported members; stable across runs
    title: str
    section: str
    score: float
    summary: list[StoryLine]
    articles: list[StoryArticle]
    sources: list[str]  # independent source names, most-cited first
    earliest: datetime | None
    latest: datetime | None
    who: list[Entity] = field(default_factory=list)
    where: list[Entity] = field(default_factory=list)
    when: list[TimelineEvent] = field(default_factory=list)
    update: bool = False  # an earlier run reported this story; it has grown since
    score_parts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "section": self.section,
            "is_update": self.update,  # not "update": templates would see dict.update
            "score": round(self.score, 6),
            "score_parts": {k: round(v, 6) for k, v in self.score_parts.items()},
            "n_sources": len(self.sources),
            "sources": self.sources,
            "earliest": _iso(self.earliest),
            "latest": _iso(self.latest),
            "summary": [s.to_dict() for s in self.summary],
            "who": [e.to_dict() for e in self.who],
            "where": [e.to_dict() for e in self.where],
            "when": [t.to_dict() for t in self.when],
            "articles": [a.to_dict() for a in self.articles],
        }


@dataclass
class Section:
    name: str
    stories: list[Story]


@dataclass
class Digest:
    id: str  # stable for the same stories on the same day (the email step keys "sent" on it)
    title: str
    generated_at: datetime
    window_start: datetime | None
    window_end: datetime
    sections: list[Section]
    failures: list[SourceFailure] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def stories(self) -> list[Story]:
        return [s for sec in self.sections for s in sec.stories]

    def to_dict(self) -> dict[str, Any]:
        stories = self.stories
        return {
            "kind": "digest",
            "id": self.id,
            "title": self.title,
            "date": self.generated_at.date().isoformat(),
            "generated_at": _iso(self.generated_at),
            "window": {"start": _iso(self.window_start), "end": _iso(self.window_end)},
            "n_stories": len(stories),
            "sections": [{"name": s.name, "stories": [st.id for st in s.stories]} for s in self.sections],
            "stories": [s.to_dict() for s in stories],
            "failures": [f.to_dict() for f in self.failures],
            "stats": self.stats,
            "notes": self.notes,
        }


def source_of(article: Article) -> str:
    """The name a digest gives an article's source: the feed's name, else the site's host name."""
    from ..sources.base import hostname

    return article.source_name or hostname(article.url) or "unknown source"
