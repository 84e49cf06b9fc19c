"""Plain text: the first line is the title when it looks like one."""

from __future__ import annotations

import re

from ..models import Article

_DATELINE = re.compile(r"^(?:published|updated|posted)?\s*:?\s*\w+ \d{1,2},? \d{4}", re.I)


def _title_line(text: str) -> tuple[str | None, int]:
    """(title, offset where the body starts) if the first non-blank line is a headline."""
    # possessive: backing off into leading whitespace made a long line after it quadratic
    m = re.match(r"\s*+([^\n]+)\n", text)
    if not m:
        return None, 0
    line = m.group(1).strip()
    rest = text[m.end() :]
    words = line.split()
    if not rest.strip() or not (1 <= len(words) <= 25) or len(line) > 200:
        return None, 0
    # a headline does not end like a sentence (question/exclamation headlines do happen)
    if line.endswith((".", ",", ";", ":")) and not line.endswith("..."):
        return None, 0
    if line.startswith(("“", '"')) and line.endswith(("”", '"')) and len(words) > 12:
        return None, 0
    return line, m.end()


def read_plain(text: str, *, name: str = "input") -> Article:
    title, body_start = _title_line(text)
    return Article(text=text, title=title, body_start=body_start, format="text")
