"""JSON lines: one article a line, ``{"id", "title", "text", "published", "url", "author", ...}``.

One parser for every command that reads JSONL articles (``batch``, ``digest``). A line is good or it
is ``BadLine`` with a one-line message that starts ``line N:``; the caller decides what a bad line
costs (``batch`` writes ``{"id", "error"}`` for it, ``digest`` counts it as the source's failure).

The rules:

- the line is a JSON object;
- ``id``: a string or an integer (kept as given); absent: ``line-N``;
- ``text``: a non-empty string; a caller may accept a line with only a ``title`` (a headline: its text);
- ``title``, ``url``, ``author``: strings when present;
- ``published``: an ISO date or date-time string (see ``parse_published``);
- ``sentences``, ``words``: positive integers when present (the line's own summary length);
- ``source``, ``section`` or ``category``: used when they are strings, otherwise ignored.

Lone surrogates (``"\\ud800"`` is valid JSON) become U+FFFD.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..models import Article
from .base import Origin, Reading, clean_surrogates, hostname, item_key, parse_published
from .decode import decode_bytes

TEXT_FIELDS = ("title", "url", "author")
BUDGET_FIELDS = ("sentences", "words")


class BadLine(ValueError):
    """A line that is no article; ``id`` is what its error is reported under."""

    def __init__(self, message: str, id: str | int) -> None:
        super().__init__(message)
        self.id = id


@dataclass
class JsonlLine:
    id: str | int  # as the line gave it, or "line-N"
    article: Article
    options: dict[str, int] = field(default_factory=dict)  # the line's "sentences" / "words"
    source: str | None = None
    section: str | None = None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_line(line: str | None, lineno: int, *, headline_only: bool = False) -> JsonlLine:
    """One line -> ``JsonlLine``; ``BadLine`` if it breaks a rule. ``line`` None: a line too long
    to read. ``headline_only``: a line with a title and no text is an article (its text is the title)."""
    fallback = f"line-{lineno}"

    def bad(message: str, id: str | int = fallback) -> BadLine:
        return BadLine(f"line {lineno}: {message}", id)

    if line is None:
        from .lines import MAX_LINE_CHARS

        raise bad(f"longer than {MAX_LINE_CHARS:,} characters")
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        raise bad(f"invalid JSON ({e.msg})") from None
    except (ValueError, RecursionError) as e:  # a 5,000-digit number, arrays nested 100,000 deep
        why = "nested too deeply" if isinstance(e, RecursionError) else " ".join(str(e).split())[:120]
        raise bad(f"invalid JSON ({why})") from None
    if not isinstance(rec, dict):
        raise bad("expected a JSON object")
    rid = rec.get("id")
    if rid is None:
        rid = fallback
    elif isinstance(rid, str):
        rid = clean_surrogates(rid)
    elif not _is_int(rid):
        raise bad('"id" must be a string or an integer')
    text = rec.get("text")
    has_text = isinstance(text, str) and bool(text.strip())
    if not has_text and not headline_only:
        raise bad('missing or empty "text"', rid)
    fields: dict[str, str | None] = {}
    for key in TEXT_FIELDS:
        value = rec.get(key)
        if value is not None and not isinstance(value, str):
            raise bad(f'"{key}" must be a string', rid)
        fields[key] = clean_surrogates(value) if value is not None else None
    if not has_text:
        if not (fields["title"] or "").strip():
            raise bad('no "text" and no "title"', rid)
        text = fields["title"]
    published = published_at = None
    value = rec.get("published")
    if value is not None and value != "":
        if not isinstance(value, str):
            raise bad('"published" must be a date string (YYYY-MM-DD)', rid)
        try:
            published, published_at = parse_published(value)
        except ValueError as e:
            raise bad(f'"published": {e}', rid) from None
    options: dict[str, int] = {}
    for key in BUDGET_FIELDS:
        if rec.get(key) is not None:
            if not _is_int(rec[key]) or rec[key] < 1:
                raise bad(f'"{key}" must be a positive integer', rid)
            options[key] = rec[key]
    article = Article(
        text=clean_surrogates(text or ""),
        title=fields["title"],
        id=str(rid),
        url=fields["url"],
        author=fields["author"],
        published=published,
        published_at=published_at,
        format="jsonl",
    )
    section = rec.get("section") or rec.get("category")
    return JsonlLine(
        rid,
        article,
        options,
        source=_string(rec.get("source")),
        section=_string(section),
    )


def _string(value: Any) -> str | None:
    return clean_surrogates(value) if isinstance(value, str) else None


def read_jsonl(content: bytes, origin: Origin) -> Reading:
    """Every good line's article (a headline alone is one); the bad lines' messages in ``bad``.
    Each article has its ``key`` (its identity: the file and the line's id) and ``section``; its source name is the line's ``source``, its URL's host, or the file's name."""
    text = decode_bytes(content, origin.where, declared=origin.charset)
    where = origin.where
    default_source = origin.source_name or Path(urllib.parse.urlsplit(where).path).stem
    out = Reading()
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            got = parse_line(line, lineno, headline_only=True)
        except BadLine as e:
            out.bad.append(str(e))
            continue
        article = got.article
        article.title = article.title or None
        article.source_name = got.source or hostname(article.url) or default_source
        article.section, article.key = got.section, item_key("jsonl", where, article.id)
        out.articles.append(article)
    return out
