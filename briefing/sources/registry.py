"""Which reader reads a source: by the kind the user gave, the file's extension, the content type
a server sent, or the bytes themselves (as Pelican's ``Readers`` picks a reader per extension).

``EXTENSIONS`` and ``CONTENT_TYPES`` are the only tables of formats; ``READERS`` maps each format
to its reader, a function ``(bytes, Origin) -> Reading``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ..errors import InputError
from .base import Origin, Reading
from .decode import decode_bytes
from .feed import read_feed
from .jsonl import read_jsonl
from .opml import is_opml, read_opml
from .page import ARTICLE_FORMATS, looks_like_html, read_page
from .urllist import looks_like_url_list, read_url_list

# What a source may be said to be (``kind`` in a digest's config): "page" is one article on the web,
# "file" one local file of whatever format its extension says, "folder" every file under it.
KINDS = ("auto", "feed", "page", "opml", "jsonl", "urls", "folder", "file")

EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".opml": "opml",  # an OPML list named .xml is found by its content (``sniff``)
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
}
URL_LIST_EXTENSIONS = (".txt", ".list", ".urls", "")  # a file that may be a URL list: its lines tell

CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json": "jsonl",
}

Reader = Callable[[bytes, Origin], Reading]

READERS: dict[str, Reader] = {
    "feed": read_feed,
    "opml": read_opml,
    "jsonl": read_jsonl,
    "urls": read_url_list,
    "html": partial(read_page, fmt="html"),
    "markdown": partial(read_page, fmt="markdown"),
    "text": partial(read_page, fmt="text"),
}


def sniff(content: bytes, content_type: str | None = None) -> str | None:
    """What the bytes are: "opml", "feed", or "html" (an XHTML page starts like a feed); None when
    they do not say. A content type that claims a feed is believed unless the bytes are a page."""
    if is_opml(content):
        return "opml"
    head = content[:2048].lstrip().lower()
    if CONTENT_TYPES.get(content_type or "") == "feed" or head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        if b"<html" in content[:4096].lower() and b"<rss" not in head and b"<feed" not in head:
            return "html"
        return "feed"
    return None


def _feed_or_opml(kind: str, content: bytes) -> str:
    return "opml" if kind == "opml" or is_opml(content) else "feed"


def pick_remote(content: bytes, origin: Origin, kind: str = "auto") -> str:
    """The format of what a server sent (a key of ``READERS``); ``InputError`` when no reader reads it."""
    content_type, url = origin.content_type or "", origin.url or origin.name
    if kind == "auto":
        sniffed = sniff(content, content_type)
        if sniffed == "html":
            kind = "page"
        elif sniffed is not None:
            kind = sniffed
        else:
            kind = "jsonl" if _jsonl_name_or_type(content_type, url) else "page"
    if kind in ("feed", "opml"):
        return _feed_or_opml(kind, content)
    if kind in ("jsonl", "urls"):
        return kind
    fmt = CONTENT_TYPES.get(content_type)
    if kind == "page" or fmt == "html":
        return "html"  # a page is HTML, whatever the server calls it
    if fmt in ("text", "markdown"):
        text = decode_bytes(content, origin.where, declared=origin.charset)
        return "urls" if looks_like_url_list(text) else fmt
    raise InputError(f"{origin.name}: not a feed or an article (content type {content_type})")


def _jsonl_name_or_type(content_type: str, url: str) -> bool:
    path = urllib.parse.urlsplit(url).path.lower()
    return CONTENT_TYPES.get(content_type) == "jsonl" or EXTENSIONS.get(Path(path).suffix) == "jsonl"


def pick_file(path: Path, kind: str = "auto", read: Callable[[], bytes] | None = None) -> str:
    """The format of a local file: "feed", "opml", "jsonl", "urls", or "article" (one article whose
    format its extension or its text tells). ``read`` gives the file's bytes when they must decide."""
    ext = path.suffix.lower()
    if kind in ("auto", "file"):
        kind = EXTENSIONS.get(ext, "auto")
        if kind in ARTICLE_FORMATS:
            kind = "auto"
    if kind in ("feed", "opml"):
        return _feed_or_opml(kind, read() if read is not None and kind == "feed" else b"")
    if kind == "jsonl":
        return "jsonl"
    if kind in ("urls", "auto") and ext in URL_LIST_EXTENSIONS and read is not None:
        if kind == "urls" or looks_like_url_list(decode_bytes(read(), str(path))):
            return "urls"
    return "article"


def article_format(path: Path | str) -> str | None:
    """html, markdown or text by the extension; None: the text decides (``looks_like_html``)."""
    fmt = EXTENSIONS.get(Path(path).suffix.lower())
    return fmt if fmt in ARTICLE_FORMATS else None


def article_format_for(content_type: str, name: str) -> str:
    """html, markdown or text by the content type; ``InputError`` for anything that is not an article."""
    fmt = CONTENT_TYPES.get(content_type)
    if fmt not in ARTICLE_FORMATS:
        raise InputError(f"{name}: not an article (content type {content_type})")
    return fmt


def read(content: bytes, origin: Origin, fmt: str) -> Reading:
    return READERS[fmt](content, origin)


__all__ = [
    "CONTENT_TYPES",
    "EXTENSIONS",
    "KINDS",
    "READERS",
    "article_format",
    "article_format_for",
    "looks_like_html",
    "pick_file",
    "pick_remote",
    "read",
    "sniff",
]
