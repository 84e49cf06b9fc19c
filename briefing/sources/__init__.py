"""Readers: every input format becomes one ``Article``.

A registry maps file extensions to readers (as Pelican's readers do); files
without a known extension are sniffed.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import date, datetime
from pathlib import Path

from ..errors import InputError
from ..models import Article
from .decode import decode_bytes

MAX_FILE_BYTES = 20 * 1024 * 1024

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


def parse_published(value: str) -> date:
    """An ISO date or date-time (``2021-12-30``, ``2021-12-30T10:00:00Z``) as a date in the plausible
    range; ValueError with a one-line reason otherwise."""
    text = value.strip()
    try:
        day = (
            date.fromisoformat(text)
            if len(text) <= 10
            else datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).date()
        )
    except ValueError:
        raise ValueError(f"not an ISO date or date-time (YYYY-MM-DD): {text[:40]!r}") from None
    if not plausible_date(day):
        raise ValueError(f"{day.isoformat()} is out of range ({EARLIEST_PUBLISHED.year} to {LATEST_PUBLISHED.year})")
    return day


def _is_url(spec: str) -> bool:
    return "://" in spec[:12]


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return (
        head.startswith(("<!doctype html", "<html", "<?xml"))
        and "<html" in text[:4096].lower()
        or ("<body" in head or "<head" in head or "<article" in head)
    )


def parse_text(text: str, *, fmt: str | None = None, name: str = "input", **meta) -> Article:
    """Turn decoded text into an Article with the right reader (html, markdown or plain text)."""
    from . import html, markdown, plain

    if fmt is None:
        fmt = "html" if looks_like_html(text) else "text"
    reader = {"html": html.read_html, "markdown": markdown.read_markdown, "text": plain.read_plain}[fmt]
    article = reader(text, name=name)
    for key, value in meta.items():
        if value is not None:
            setattr(article, key, value)
    if article.published is not None and not plausible_date(article.published):
        article.published = None  # a page's "0001-01-01" is no date to resolve "next year" against
        article.published_at = None
    if not article.text.strip():
        raise InputError(f"{name}: empty text, nothing to summarise")
    return article


def read_at_most(fh, limit: int) -> bytes:
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


_EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}


def read_path(path: str | Path) -> Article:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    text = decode_bytes(_read_limited(p), str(path))
    fmt = _EXTENSIONS.get(p.suffix.lower())
    return parse_text(text, fmt=fmt, name=str(path), path=clean_surrogates(str(path)), id=clean_surrogates(p.stem))


def _read_limited(p: Path) -> bytes:
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


def read_url(url: str, *, timeout: float | None = None, allow_private: bool = False) -> Article:
    """An article page. Only public addresses unless ``allow_private`` (see ``fetch``)."""
    from .fetch import DEFAULT_TIMEOUT, fetch

    got = fetch(url, timeout=DEFAULT_TIMEOUT if timeout is None else timeout, allow_private=allow_private)
    if got.content_type in ("text/html", "application/xhtml+xml"):
        fmt = "html"
    elif got.content_type in ("text/plain", "text/markdown"):
        fmt = "markdown" if got.content_type == "text/markdown" else "text"
    else:
        raise InputError(f"{url}: not an article (content type {got.content_type})")
    text = decode_bytes(got.content, url, declared=got.charset)
    return parse_text(text, fmt=fmt, name=url, url=clean_surrogates(got.url), id=clean_surrogates(url))


def read_stdin() -> Article:
    if sys.stdin is None:
        raise InputError("stdin: no standard input")
    try:
        data = read_at_most(sys.stdin.buffer, MAX_FILE_BYTES)
    except OSError as e:
        raise InputError(f"stdin: cannot read ({e.strerror or e})") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"stdin: too large (over {MAX_FILE_BYTES} bytes)")
    return parse_text(decode_bytes(data, "stdin"), name="stdin", id="stdin")


def read_source(
    spec: str, *, published: date | None = None, timeout: float | None = None, allow_private: bool = False
) -> Article:
    """Read one SOURCE: a path, an http(s) URL, or ``-`` for stdin.

    URLs on private, loopback or link-local addresses are refused unless ``allow_private``.
    """
    if spec == "-":
        article = read_stdin()
    elif _is_url(spec):
        article = read_url(spec, timeout=timeout, allow_private=allow_private)
    else:
        article = read_path(spec)
    if published is not None:
        article.published = published
    return article


from .lines import count_lines, read_lines  # noqa: E402 - light, and part of this package's API

__all__ = [
    "read_source",
    "read_path",
    "read_url",
    "read_stdin",
    "read_lines",
    "count_lines",
    "parse_text",
    "looks_like_html",
    "parse_published",
    "plausible_date",
    "clean_surrogates",
    "EARLIEST_PUBLISHED",
    "LATEST_PUBLISHED",
]
