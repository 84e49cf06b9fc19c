"""What every reader shares: URLs, publication dates, bounded file reads, and the shape of what a
reader returns (``Reading``) for the source it was given (``Origin``)."""

from __future__ import annotations

import hashlib
import os
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from ..models import Article

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_LISTED = 1000  # sources one list (OPML, URL list) may name; the rest are only counted

# Publication dates we believe. A page or a JSON line may claim 0001-01-01 or 9999-12-31; dates are
# resolved against the publication date ("next year"), and those would leave the calendar.
EARLIEST_PUBLISHED = date(1800, 1, 1)
LATEST_PUBLISHED = date(2199, 12, 31)

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_surrogates(value: str) -> str:
    """Lone surrogates -> U+FFFD. They come from file names that are not UTF-8 (Python keeps the raw
    bytes as surrogates) and from JSON escapes like "\\udc80"; no UTF-8 output can hold them. One
    code point for one, so offsets into a text stay right."""
    return _SURROGATE.sub("\ufffd", value)


def plausible_date(value: date | None) -> bool:
    return value is not None and EARLIEST_PUBLISHED <= value <= LATEST_PUBLISHED


def parse_published(value: str) -> tuple[date, datetime | None]:
    """How a ``published`` string becomes a date: an ISO date (``2021-12-30``) or date-time
    (``2021-12-30T10:00:00Z``; a time without a zone is UTC) in the plausible range, as
    (date, aware datetime or None for a bare date). ValueError with a one-line reason otherwise."""
    text = value.strip()
    at: datetime | None = None
    try:
        if len(text) <= 10:
            day = date.fromisoformat(text)
        else:
            at = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            if at.tzinfo is None:
                at = at.replace(tzinfo=UTC)
            day = at.date()
    except ValueError:
        raise ValueError(f"not an ISO date or date-time (YYYY-MM-DD): {text[:40]!r}") from None
    if not plausible_date(day):
        raise ValueError(f"{day.isoformat()} is out of range ({EARLIEST_PUBLISHED.year} to {LATEST_PUBLISHED.year})")
    return day, at


def is_url(spec: str) -> bool:
    return "://" in spec[:12]


def hostname(url: str | None) -> str | None:
    """The host of a URL without ``www.``; None for anything that is not a URL."""
    if not url or not is_url(url):
        return None
    host = urllib.parse.urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host or None


def item_key(*parts: str | None) -> str:
    """A stable identity for an article (the digest's state database keeps these)."""
    basis = "\x1f".join(p or "" for p in parts)
    return hashlib.sha1(basis.encode("utf-8", "replace")).hexdigest()[:20]


def read_at_most(fh: BinaryIO, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes (one more than the limit says "too large"), read in small pieces:
    ``read(limit + 1)`` would set aside the whole limit for every file, however small."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = fh.read(min(64 * 1024, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_file_bytes(p: Path) -> bytes:
    """At most ``MAX_FILE_BYTES``, whatever the file claims: /dev/zero, a FIFO or a growing log has
    no honest size. A FIFO nobody writes to reads as empty instead of blocking forever."""
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{p}: too large ({size} bytes, limit {MAX_FILE_BYTES})")
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except PermissionError:
        raise InputError(f"{p}: permission denied") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read ({e.strerror or e})") from None
    try:
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a writer on the FIFO: wait for its data as usual
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            data = read_at_most(fh, MAX_FILE_BYTES)
    except OSError as e:
        raise InputError(f"{p}: cannot read ({e.strerror or e})") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{p}: too large (over {MAX_FILE_BYTES} bytes)")
    return data


@dataclass(frozen=True)
class Origin:
    """Where the bytes a reader gets came from."""

    name: str  # the source as the user gave it: messages name it so
    url: str | None = None  # where it was fetched from, after redirects; None for a local file
    path: Path | None = None  # the local file
    content_type: str | None = None
    charset: str | None = None  # the charset the server declared
    source_name: str | None = None  # the user's name for the source, over what the data says
    max_listed: int = MAX_LISTED

    @property
    def label(self) -> str:
        return self.source_name or self.name

    @property
    def where(self) -> str:
        """The file's path, or the name for what came over the network."""
        return str(self.path) if self.path is not None else self.name

    @property
    def folder(self) -> Path | None:
        return self.path.parent if self.path is not None else None


@dataclass(frozen=True)
class Listed:
    """A source that a list (OPML, URL list) names."""

    target: str  # URL or path
    kind: str = "auto"
    name: str | None = None
    section: str | None = None


@dataclass
class Reading:
    """What one source held: articles, or the sources it names."""

    articles: list[Article] = field(default_factory=list)
    listed: list[Listed] = field(default_factory=list)
    left_out: int = 0  # sources the list named beyond ``Origin.max_listed``
    warnings: list[str] = field(default_factory=list)  # read, but not quite whole (one line each)
    bad: list[str] = field(default_factory=list)  # parts that could not be read ("line 3: ..."), the rest was


class ListBuilder:
    """A list's entries: each once (a list naming itself a thousand times names it once), and
    at most ``limit`` of them; the rest are only counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.reading = Reading()
        self._named: set[str] = set()

    def add(self, entry: Listed) -> None:
        if entry.target in self._named:
            return
        if len(self.reading.listed) >= self.limit:
            self.reading.left_out += 1
            return
        self._named.add(entry.target)
        self.reading.listed.append(entry)
