"""Offline sentence segmentation with character offsets.

``pysbd`` (rule-based, no downloaded data) splits each paragraph; paragraphs are
split first so a sentence never runs across a blank line or a heading. It
handles "Jan. 10", "U.S.", "Mr." and quotes.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..models import Sentence

_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•#]|\d+\.)\s)")
_WORD = re.compile(r"\w+(?:[’'.-]\w+)*", re.UNICODE)


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _paragraph_spans(text: str):
    pos = 0
    for m in _PARAGRAPH.finditer(text):
        yield pos, m.start()
        pos = m.end()
    yield pos, len(text)


def _split_lines_if_list(text: str, a: int, b: int):
    """Single newlines inside a paragraph: keep lines apart when they look like separate items
    (each line ends a sentence or has no sentence end at all); otherwise the newline is wrapping."""
    chunk = text[a:b]
    lines = chunk.split("\n")
    if len(lines) > 1 and all(re.search(r"[.!?\"”’)\]:]\s*$", l) or not l.strip() for l in lines[:-1]):
        pos = a
        for l in lines:
            yield pos, pos + len(l)
            pos += len(l) + 1
    else:
        yield a, b


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences whose ``text`` is exactly ``text[start:end]`` (trimmed)."""
    seg = _segmenter()
    out: list[Sentence] = []
    for p, (pa, pb) in enumerate(_paragraph_spans(text)):
        for a, b in _split_lines_if_list(text, pa, pb):
            chunk = text[a:b]
            if not chunk.strip():
                continue
            for span in seg.segment(chunk):
                s, e = a + span.start, a + span.end
                # trim whitespace so offsets point at the sentence itself
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                if e > s and _WORD.search(text[s:e]):
                    out.append(Sentence(text=text[s:e], start=s, end=e, index=len(out), paragraph=p))
    return out


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
