"""Offline sentence segmentation with character offsets.

``pysbd`` (rule-based, no downloaded data) splits each paragraph; paragraphs are
split first so a sentence never runs across a blank line or a heading. It
handles "Jan. 10", "U.S.", "Mr." and quotes.

Scraped text that lost its line breaks (photo captions run into the story with
no punctuation: "... on Saturday Wright (centre) is now ...", "Scroll down for
video Flying high: Half of ...") and long quotations that pysbd keeps whole are
cut again by ``_run_on_breaks``: a few conservative patterns, each of which only
fires where no sentence punctuation separates two clauses.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..models import Sentence
from .lexicon import CAPTION_LABEL_VERBS, CONTINUATION_WORDS

_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•#]|\d+\.)\s)")
_WORD = re.compile(r"\w+(?:[’'.-]\w+)*", re.UNICODE)


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


_FUNCTION_WORDS = CONTINUATION_WORDS
# Lower-case words that end in a full stop without ending a sentence.
_DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday today yesterday tonight".split())
_LOWER_ABBREVIATIONS = frozenset("vs approx cf al etc no nos op ed eds vol pp ca est fig".split())
_CAPTION_MARK = (
    r"\((?:pictured|left|right|centre|center|above|below|top|bottom|inset|front|back|second (?:left|right))\)"
)
_BREAKS = re.compile(
    # a full stop after a lower-case word (or a closing quote after it) and a capital: pysbd keeps
    # sentences inside long quotations together ("... enjoyed it. I'm fortunate ...")
    r"(?P<stop>(?<=[a-z]{2}[.!?])|(?<=[.!?][’”'\"]))\s+(?=[‘“'\"]?[A-Z])"
    # "Scroll down for video" is page furniture glued to whatever follows or precedes it
    r"|(?P<scroll>\s*\b(?=[Ss]croll down for (?:video|more)\b)|(?<=[Ss]croll down for video)\s+|(?<=[Ss]croll down for more)\s+)"
    # an opening quote with a capital straight after a word with no punctuation: "on Friday 'I'd be ..."
    r"|(?P<quote>(?<=[a-z0-9)])\s+(?=[‘“'\"][A-Z]))"
    # a caption label: "last Saturday Skilful: The kite ..."
    r"|(?P<label>(?<=[a-z0-9)])\s+(?=[A-Z][\w'’-]*(?: [\w'’-]+){0,3}: [A-Z‘“'\"]))"
    # a caption's subject: "on Saturday Wright (centre) is now ..."; and what follows "(pictured)"
    r"|(?P<mark>(?<=[a-z0-9)])\s+(?=(?:[A-Z][\w'’.-]* ){0,3}[A-Z][\w'’-]* " + _CAPTION_MARK + r"))"
    r"|(?P<aftermark>(?<=\))\s+(?=[A-Z]))"
    # a sentence-opening pronoun or article straight after a lower-case word: "the club He has ..."
    r"|(?P<pronoun>(?<=[a-z0-9])\s+(?=(?:He|She|They|It|The|This|His|Her|Their|There|We) [a-z]|However,))"
)
_LABEL_VERBS = re.compile(rf"\b(?:{'|'.join(CAPTION_LABEL_VERBS)})\b", re.I)


def _words_to_quote_end(after: str) -> int:
    """Words from the opening quote up to the next closing quote (or the end)."""
    m = re.match(r"^.[^’”'\"]*", after)
    return len(m.group(0).split()) if m else 0


def _previous_word(text: str, pos: int) -> str:
    # a bounded look back: searching all of text[:pos] made long sentences quadratic
    m = re.search(r"([\w'’.-]+)\W*$", text[max(0, pos - _LOOK) : pos])
    return m.group(1) if m else ""


_LOOK = 200  # characters: longer than any word and its trailing punctuation


def _at_least_words(text: str, a: int, b: int, k: int = 3) -> bool:
    """Whether text[a:b] holds k words, reading only as far as needed."""
    found = 0
    for _ in _WORD.finditer(text, a, b):
        found += 1
        if found >= k:
            return True
    return False


def _run_on_breaks(text: str) -> list[int]:
    """Offsets in ``text`` (one sentence as pysbd found it) where a new sentence starts."""
    cuts: list[int] = []
    for m in _BREAKS.finditer(text):
        start, kind = m.end(), m.lastgroup
        if start <= 0 or start >= len(text):
            continue
        # bounded windows around the break, so a long sentence costs linear time
        before, after = text[max(0, m.start() - _LOOK) : m.start()], text[start : start + _LOOK]
        word = _previous_word(text, m.start())
        prev = word.lower()
        # a caption's last word is lower case, a number or a day ("... last Saturday Skilful: The kite")
        ends_caption = word[:1].islower() or word[:1].isdigit() or prev in _DAYS
        if kind == "stop":
            if prev.rstrip(".!?") in _LOWER_ABBREVIATIONS:
                continue
        elif kind == "quote":
            # a real opening quote runs on for a few words ('Titanic' is a title, not a sentence)
            if (
                prev in _FUNCTION_WORDS
                or re.match(r"^.[^‘“'\"’”]*?[’”'\"](?:\W|$)", after)
                and _words_to_quote_end(after) < 4
            ):
                continue
        elif kind == "label":
            label = after.split(":", 1)[0]
            if (
                prev in _FUNCTION_WORDS
                or not ends_caption
                or _LABEL_VERBS.search(label)
                or any(w[:1].isupper() for w in label.split()[1:])
            ):
                continue
        elif kind == "aftermark":
            if not re.search(_CAPTION_MARK + r"$", before):
                continue
        elif kind in ("mark", "pronoun"):
            if prev in _FUNCTION_WORDS or not ends_caption:
                continue
        if kind != "scroll" and not (
            _at_least_words(text, cuts[-1] if cuts else 0, m.start()) and _at_least_words(text, start, len(text))
        ):
            continue
        if not cuts or start > cuts[-1]:
            cuts.append(start)
    return cuts


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


# pysbd's time grows with the square of what it is given (80,000 characters: 20 s): longer
# paragraphs are cut into windows at a sure sentence end first. News paragraphs stay whole
# (the longest in BBC and CNN/DM data: 5,824 characters, a whole CNN article on one line).
SEGMENT_WINDOW = 6_000
_SURE_END = re.compile(r"(?<=[a-z]{2}[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z])")
# A "sentence" longer than any in real news (the longest of 1,700 BBC, CNN/DM and ECB+ articles:
# 138 words, 1,063 characters) is a text without sentence punctuation: it is cut into pieces
# of about PIECE_WORDS words, at a comma or another pause where there is one.
MAX_SENTENCE_WORDS = 150
MAX_SENTENCE_CHARS = 2_000
PIECE_WORDS = 60
PIECE_CHARS = 600
_PAUSE = re.compile(r"[,;:，、；：。！？!?)\]]+\s*|\s+[-–—]+\s+")


def _windows(text: str, a: int, b: int):
    """Cut text[a:b] into spans of at most SEGMENT_WINDOW characters, at sure sentence ends
    (else a line break, else a space) so the segmenter sees whole sentences."""
    while b - a > SEGMENT_WINDOW:
        limit = a + SEGMENT_WINDOW
        cut = None
        for m in _SURE_END.finditer(text, a + SEGMENT_WINDOW // 2, limit):
            cut = m.end()
        if cut is None:
            nl, sp = text.rfind("\n", a + 1, limit), text.rfind(" ", a + 1, limit)
            cut = nl + 1 if nl > a else (sp + 1 if sp > a else limit)
        yield a, cut
        a = cut
    yield a, b


def _pieces(text: str, s: int, e: int):
    """A sentence-sized span as is; a longer one (no sentence punctuation) in pieces of about
    PIECE_WORDS words or PIECE_CHARS characters, cut after a pause, else at a space."""
    if e - s <= MAX_SENTENCE_CHARS and not _at_least_words(text, s, e, MAX_SENTENCE_WORDS + 1):
        yield s, e
        return
    word_ends = [m.end() for m in _WORD.finditer(text, s, e)]
    k = 0  # index of the first word at or after the current start
    while s < e:
        while k < len(word_ends) and word_ends[k] <= s:
            k += 1
        target = min(word_ends[k + PIECE_WORDS - 1] if k + PIECE_WORDS - 1 < len(word_ends) else e, s + PIECE_CHARS)
        if e - s <= PIECE_CHARS * 1.5 and len(word_ends) - k <= PIECE_WORDS * 1.5:
            yield s, e
            return
        cut = None
        for m in _PAUSE.finditer(text, s + (target - s) * 2 // 3, target):
            cut = m.end()
        if cut is None:
            sp = text.rfind(" ", s + (target - s) // 2, target)
            cut = sp + 1 if sp > s else target
        yield s, cut
        s = cut


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences whose ``text`` is exactly ``text[start:end]`` (trimmed)."""
    out: list[Sentence] = []
    for p, (pa, pb) in enumerate(_paragraph_spans(text)):
        for la, lb in _split_lines_if_list(text, pa, pb):
            for a, b in _windows(text, la, lb):
                for s0, e0 in _segment(text, a, b):
                    bounds = [s0, *(s0 + c for c in _run_on_breaks(text[s0:e0])), e0]
                    for s1, e1 in zip(bounds, bounds[1:]):
                        for s, e in _pieces(text, s1, e1):
                            _add(out, text, s, e, p)
    return out


def _segment(text: str, a: int, b: int):
    """pysbd's sentences of text[a:b], as offsets of ``text``."""
    chunk = text[a:b]
    if not chunk.strip():
        return
    if not any(c in chunk for c in ".!?\n"):
        yield a, b  # nothing for pysbd to split (a line with no full stop: it would take long)
        return
    cursor = 0
    for sent in _segmenter().processor(chunk).process():
        # pysbd's own char spans search the text from its start again for every sentence
        # (quadratic when a line repeats: 25,000 one-word lines took 25 s); sentences come in
        # text order, so each is looked for after the previous one
        i = chunk.find(sent, cursor)
        if i < 0:
            continue  # as pysbd does: a sentence it rewrote is not a span of the text
        j = i + len(sent)
        while j < len(chunk) and chunk[j].isspace():
            j += 1
        yield a + i, a + j
        cursor = i + len(sent)


def _add(out: list[Sentence], text: str, s: int, e: int, paragraph: int) -> None:
    # trim whitespace so offsets point at the sentence itself
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s and _WORD.search(text, s, e):
        out.append(Sentence(text=text[s:e], start=s, end=e, index=len(out), paragraph=paragraph))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
