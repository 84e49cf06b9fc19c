"""Markdown: front matter (title, date, author) and the first heading as title.

The text keeps its markup (offsets stay the user's); the analysis step only
sees prose because headings start paragraphs of their own and front matter is
skipped through ``body_start``.
"""

from __future__ import annotations

import re
from datetime import date

from ..models import Article

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_HEADING = re.compile(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", re.M)


def _parse_date(value: str) -> date | None:
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def read_markdown(text: str, *, name: str = "input") -> Article:
    meta: dict[str, str] = {}
    body_start = 0
    m = _FRONT.match(text)
    if m:
        for line in m.group(1).splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                meta[k.strip().lower()] = v.strip().strip("'\"")
        body_start = m.end()
    title = meta.get("title")
    h = _HEADING.search(text, body_start)
    if h and not text[body_start : h.start()].strip():
        title = title or h.group(1).strip()
        body_start = h.end()
    published = _parse_date(meta.get("date", "")) if meta.get("date") else None
    return Article(
        text=text, title=title, body_start=body_start, format="markdown", author=meta.get("author"), published=published
    )
