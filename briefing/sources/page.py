"""One article from decoded text: HTML (trafilatura), Markdown or plain text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError
from ..models import Article
from .base import Origin, Reading, clean_surrogates, plausible_date
from .decode import decode_bytes

ARTICLE_FORMATS = ("html", "markdown", "text")


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return (
        head.startswith(("<!doctype html", "<html", "<?xml"))
        and "<html" in text[:4096].lower()
        or ("<body" in head or "<head" in head or "<article" in head)
    )


def parse_text(text: str, *, fmt: str | None = None, name: str = "input", **meta: Any) -> Article:
    """Turn decoded text into an Article with the right reader (html, markdown or plain text)."""
    from . import html, markdown, plain

    if fmt is None:
        fmt = "html" if looks_like_html(text) else "text"
    if fmt == "html":
        article = html.read_html(text, name=name)
    elif fmt == "markdown":
        article = markdown.read_markdown(text, name=name)
    else:
        article = plain.read_plain(text, name=name)
    for key, value in meta.items():
        if value is not None:
            setattr(article, key, value)
    if article.published is not None and not plausible_date(article.published):
        article.published = None  # a page's "0001-01-01" is no date to resolve "next year" against
        article.published_at = None
    if not article.text.strip():
        raise InputError(f"{name}: empty text, nothing to summarise")
    return article


def read_page(content: bytes, origin: Origin, fmt: str | None = None) -> Reading:
    """The article a page or a file holds; ``fmt`` None: HTML if it looks like HTML, else text."""
    text = decode_bytes(content, origin.name, declared=origin.charset)
    if origin.url is not None:
        url = clean_surrogates(origin.url)
        article = parse_text(text, fmt=fmt, name=origin.url, url=url, id=url)
    else:
        path = origin.name  # as the user wrote it: the brief's "path"
        article = parse_text(
            text, fmt=fmt, name=path, path=clean_surrogates(path), id=clean_surrogates(Path(path).stem)
        )
    return Reading(articles=[article])
