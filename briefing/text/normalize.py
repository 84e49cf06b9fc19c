"""Normalisation that keeps offsets.

The analysis text has exactly the length of the input, character for character,
so every span found in it is a span of the user's text: odd spaces become plain
spaces, and lines that must never reach a brief (page furniture, photo credits,
captions printed twice) are blanked out with spaces rather than deleted.
"""

from __future__ import annotations

import re
import unicodedata

from .lexicon import COMMON_SPEECH_VERBS

# Space-like characters that break tokenisers and sentence splitters.
_ODD_SPACES = dict.fromkeys(
    map(ord, "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000"), " "
)
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), " ")

# Whole lines that are page furniture, never article text (matched on the line's key).
_FURNITURE = re.compile(
    r"^(?:"
    r"post a comment|leave a (?:comment|reply)|\d+ comments?|comments?|show comments|view comments|"
    r"previous post(?: next post)?|next post|previous article|next article|older posts?|newer posts?|"
    r"share(?: this)?(?: (?:article|story|post))?|share on (?:facebook|twitter|x|linkedin|whatsapp)|"
    r"tweet|email|print|facebook|twitter|linkedin|whatsapp|pinterest|reddit|"
    r"advertisement|advertising|sponsored(?: content)?|ad|"
    r"read more|read next|read also|continue reading|see also|related(?: articles| stories| posts)?|"
    r"more from .{0,40}|recommended(?: for you)?|most (?:read|popular)|trending(?: now)?|"
    r"subscribe(?: now| to .{0,40})?|sign up(?: for .{0,40})?|newsletter|log ?in|sign in|register|"
    r"follow us(?: on .{0,30})?|click here.{0,40}|skip to (?:main )?content|menu|home|search|"
    r"cookie(?:s)? (?:policy|settings)|privacy policy|terms(?: of (?:use|service))?|contact us|about us|"
    r"all rights reserved.*|copyright.{0,80}|\(c\).{0,80}|"
    r"(?:photo|image|picture|video|credit|source)s?(?: credit)?: .{0,80}|"
    r"(?:getty images|reuters|ap|afp|shutterstock|epa|ap photo|reuters photo|afp via getty images)"
    r")$"
)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def line_key(line: str) -> str:
    """A comparison key: lower case, straight quotes, single spaces, no edge punctuation."""
    s = unicodedata.normalize("NFKC", line).translate(_QUOTES).lower()
    s = re.sub(r"\s+", " ", s).strip()
    return s.strip(" .:|-_*#>•·")


def _is_credit(line: str) -> bool:
    """Photo credits and agency tags on a line of their own: 'REUTERS', 'AP Photo/Evan Vucci'."""
    s = line.strip()
    if not s or len(s) > 60:
        return False
    if re.fullmatch(r"[A-Z][A-Z .&/'-]{1,40}", s) and not s.endswith("."):
        return len(s.split()) <= 4
    return bool(
        re.fullmatch(r"\(?(?:AP|AFP|Reuters|Getty|EPA|Shutterstock)(?: Photo| Images)?(?:/[\w .'-]+)?\)?", s, re.I)
    )


_SPEAKS = re.compile(rf"\b(?:{'|'.join(COMMON_SPEECH_VERBS)}|according to)\b|[\"“”]")
_SENTENCE_INSIDE = re.compile(r"[.!?][\"')]*\s+\W?\w")  # on the lower-cased key: any stop inside
CAPTION_MAX_WORDS = 20


CAPTION_MAX_CHARS = 600  # longer lines are compared for equality only (the fuzzy match is quadratic)


def _caption_pair(key: str, prev_key: str) -> bool:
    """Two lines in a row that are a caption printed twice (alt text and caption): the same words
    with small edits ("President Joe Biden ..." / "President Biden ..."), or the very same short
    line that reads like a caption (one sentence, nobody speaking). A story paragraph printed
    twice is the very same text, longer or quoting someone: that one keeps its first copy."""
    if key == prev_key:
        return len(key.split()) <= CAPTION_MAX_WORDS and not _SPEAKS.search(key) and not _SENTENCE_INSIDE.search(key)
    return max(len(key), len(prev_key)) <= CAPTION_MAX_CHARS and _near_same(key, prev_key)


def _near_same(a: str, b: str) -> bool:
    """Two lines that say the same thing with small edits ("President Biden" / "President Joe Biden")."""
    if a == b:
        return True
    from difflib import SequenceMatcher

    if abs(len(a) - len(b)) > 0.2 * max(len(a), len(b)):
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.9


# Markdown structure that is not prose: headings, rules, images on their own line, tables.
_MARKDOWN_NOT_PROSE = re.compile(r"^\s{0,3}(?:#{1,6}\s.*|(?:[-*_]\s*){3,}|!\[[^\]]*\]\([^)]*\)|\|.*\|)\s*$")


def clean_for_analysis(text: str, *, keep_from: int = 0, markdown: bool = False) -> str:
    """Return a same-length copy of ``text`` ready for segmentation and ranking.

    Lines before ``keep_from`` (a title line) are blanked too, so the title is
    never picked as a summary sentence; with ``markdown``, so are headings,
    rules, image lines and tables.
    """
    out = text.translate(_ODD_SPACES).translate(_ZERO_WIDTH)
    chars = list(out)

    def blank(a: int, b: int) -> None:
        for i in range(a, b):
            if chars[i] not in "\n":
                chars[i] = " "

    if keep_from:
        blank(0, keep_from)
    seen: dict[str, int] = {}
    prev_key = None
    prev_span: tuple[int, int] | None = None
    caption_firsts: list[tuple[int, int]] = []
    pos = 0
    for raw in out.splitlines(keepends=True):
        a, b = pos, pos + len(raw.rstrip("\r\n"))
        pos += len(raw)
        line = out[a:b]
        if markdown and _MARKDOWN_NOT_PROSE.match(line):
            blank(a, b)
            continue
        key = line_key(line)
        if not key:
            continue  # blank lines do not break a run of duplicates
        if _FURNITURE.match(key) or _is_credit(line):
            blank(a, b)
            prev_key = key
            prev_span = (a, b)
            continue
        long_enough = len(key) >= 25
        if long_enough and prev_key is not None and prev_span is not None and _caption_pair(key, prev_key):
            # A caption printed twice in a row (alt text and caption): drop both copies.
            blank(*prev_span)
            blank(a, b)
            caption_firsts.append(prev_span)
        elif long_enough and key in seen:
            blank(a, b)  # a paragraph printed again keeps only its first occurrence
        seen.setdefault(key, a)
        prev_key, prev_span = key, (a, b)
    if caption_firsts and not any(ch.isalnum() for ch in chars):
        # nothing but that line twice: it is the article, not a caption
        for a, b in caption_firsts:
            chars[a:b] = out[a:b]
    return "".join(chars)
