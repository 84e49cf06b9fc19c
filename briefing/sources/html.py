"""HTML: main text, title, author and date with trafilatura; boilerplate never reaches the brief."""

from __future__ import annotations

from datetime import date

from ..errors import InputError
from ..models import Article
from ..text.normalize import line_key


def read_html(html: str, *, name: str = "input", url: str | None = None) -> Article:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
        )
    except Exception as e:  # trafilatura raises assorted lxml errors on broken markup
        raise InputError(f"{name}: cannot parse HTML ({type(e).__name__})") from None
    if doc is None:
        raise InputError(f"{name}: no article text found in the page")
    get = (lambda k: doc.get(k)) if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
    text = (get("text") or "").strip()
    if not text:
        raise InputError(f"{name}: no article text found in the page")
    # paragraphs from trafilatura are separated by single newlines: make them real paragraphs
    text = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
    published = None
    raw_date = get("date")
    if raw_date:
        try:
            published = date.fromisoformat(str(raw_date)[:10])
        except ValueError:
            published = None
    title = get("title")
    body_start = 0
    first = text.split("\n", 1)[0]
    if title and line_key(first) == line_key(title):
        body_start = len(first)  # the headline repeated as the first paragraph is not body text
    return Article(
        text=text,
        title=title,
        author=get("author"),
        published=published,
        source_name=get("sitename"),
        format="html",
        body_start=body_start,
    )
