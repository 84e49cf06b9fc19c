"""One article on the web: fetched (public addresses only, unless allowed), then read as its
content type says."""

from __future__ import annotations

from ..models import Article
from .base import clean_surrogates
from .decode import decode_bytes
from .page import parse_text
from .registry import article_format_for


def read_url(url: str, *, timeout: float | None = None, allow_private: bool = False) -> Article:
    """An article page. Only public addresses unless ``allow_private`` (see ``fetch``)."""
    from .fetch import DEFAULT_TIMEOUT, fetch

    got = fetch(url, timeout=DEFAULT_TIMEOUT if timeout is None else timeout, allow_private=allow_private)
    fmt = article_format_for(got.content_type, url)
    text = decode_bytes(got.content, url, declared=got.charset)
    return parse_text(text, fmt=fmt, name=url, url=clean_surrogates(got.url), id=clean_surrogates(url))
