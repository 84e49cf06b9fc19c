"""Readers: every input format becomes one ``Article``.

A registry maps file extensions to readers (as Pelican's readers do); files
without a known extension are sniffed.
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from ..errors import InputError
from ..models import Article
from .decode import decode_bytes

MAX_FILE_BYTES = 20 * 1024 * 1024


def _is_url(spec: str) -> bool:
    return "://" in spec[:12]


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:4096].lower() or \
        ("<body" in head or "<head" in head or "<article" in head)


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


_EXTENSIONS = {".html": "html", ".htm": "html", ".xhtml": "html", ".md": "markdown",
               ".markdown": "markdown", ".txt": "text", ".text": "text"}


def read_path(path: str | Path) -> Article:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path}: too large ({size} bytes, limit {MAX_FILE_BYTES})")
        with p.open("rb") as fh:  # devices and pipes have no size to check first: stop at the limit
            data = read_at_most(fh, MAX_FILE_BYTES)
        if len(data) > MAX_FILE_BYTES:
            raise InputError(f"{path}: too large (over {MAX_FILE_BYTES} bytes)")
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    text = decode_bytes(data, str(path))
    fmt = _EXTENSIONS.get(p.suffix.lower())
    return parse_text(text, fmt=fmt, name=str(path), path=str(path), id=p.stem)


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
    return parse_text(text, fmt=fmt, name=url, url=got.url, id=url)


def read_stdin() -> Article:
    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"stdin: too large (over {MAX_FILE_BYTES} bytes)")
    return parse_text(decode_bytes(data, "stdin"), name="stdin", id="stdin")


def read_source(spec: str, *, published: date | None = None, timeout: float | None = None,
                allow_private: bool = False) -> Article:
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


__all__ = ["read_source", "read_path", "read_url", "read_stdin", "parse_text", "looks_like_html"]
