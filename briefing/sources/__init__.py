"""Readers: every input format, and the registry that picks one.

One module per format: ``plain`` (text), ``markdown``, ``html`` and ``page`` (one article from
text), ``url`` (an article on the web), ``feed`` (RSS/Atom), ``opml``, ``urllist``, ``folder``
(folders and globs) and ``jsonl`` (the one JSON-lines article parser). ``registry`` picks the
reader by the kind given, the extension, the content type or the bytes (as Pelican's readers do).
``base`` holds what they share: ``is_url``, ``parse_published``, bounded file reads.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from ..errors import InputError
from ..models import Article
from .base import (
    EARLIEST_PUBLISHED,
    LATEST_PUBLISHED,
    MAX_FILE_BYTES,
    clean_surrogates,
    hostname,
    is_url,
    item_key,
    parse_published,
    plausible_date,
    read_at_most,
    read_file_bytes,
)
from .base import Origin as Origin
from .decode import decode_bytes
from .page import looks_like_html, parse_text, read_page
from .registry import article_format
from .url import read_url


def read_path(path: str | Path) -> Article:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    reading = read_page(read_file_bytes(p), Origin(name=str(path), path=p), fmt=article_format(p))
    return reading.articles[0]


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
    elif is_url(spec):
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
    "is_url",
    "hostname",
    "item_key",
    "read_at_most",
    "read_file_bytes",
    "MAX_FILE_BYTES",
    "EARLIEST_PUBLISHED",
    "LATEST_PUBLISHED",
]
