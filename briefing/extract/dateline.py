"""The publication date an article states about itself, read from its first lines.

News text often carries its own date where metadata has none: a date on a line of its own under the
headline ("May 03, 2013", "Fri., May. 3, 2013 11:45 AM PDT"), a labelled stamp ("PUBLISHED: THURSDAY,
MAY 2, 2013, 1:32 PM", "Originally published 05 / 03 / 2013"), a wire dateline ("WASHINGTON (AP) —
Dec. 30, 2021 —", "NEW YORK, March 5, 2024 /PRNewswire/ --") or a byline ("By Anna Berg | 12 March 2024").

Only those places count. A date inside a sentence of the story ("On March 5, 2015, the court ruled") is
an event, not the publication date, so a line is taken only when the date is all it says besides
weekdays, times, time zones and a label. When a text carries both a publication and an update stamp, the
publication stamp wins: relative dates in the story were written against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["Dateline", "find_dateline"]

HEAD_LINES = 8  # a stamp sits under the headline, before the story: the first few non-empty lines
HEAD_CHARS = 1200
MIN_YEAR, MAX_YEAR = 1900, 2199

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20|21)\d\d)"
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\.?"

# One date, in the shapes news sites print. Numeric dates are read month first (the US habit, and the
# one the sites that print them with spaces use) unless the first number cannot be a month.
_DATES = [
    re.compile(rf"\b{_MONTH}\s+{_DAY}\s*[,-]?\s*{_YEAR}\b", re.I),  # May 2, 2013 / Dec. 30, 2021
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\s*,?\s*{_YEAR}\b", re.I),  # 16 December 2008
    re.compile(r"\b(?P<year>(?:19|20|21)\d\d)\s*([-./])\s*(?P<m>[01]?\d)\s*\2\s*(?P<d>[0-3]?\d)\b"),  # 2024-03-12
    re.compile(r"(?<![\d/.])(?P<a>[0-3]?\d)\s*([/.])\s*(?P<b>[0-3]?\d)\s*\2\s*(?P<y>(?:19|20|21)?\d\d)(?![\d/.])"),
]

# What may surround the date on a line of its own.
_FILLER = re.compile(
    rf"""
    \b{_WEEKDAY}(?=\W|$)
    | \b\d{{1,2}}\s*[:.]\s*\d{{2}}(?:\s*[:.]\s*\d{{2}})?(?:\s*[ap]\.?(?:\s*m\b\.?)?)?(?:\s*hrs\b)?
    | \b\d{{1,2}}\s*[ap]\.?\s*m\b\.?
    | \b[ap]\.\s*m\.
    | \b(?:GMT|UTC)\s*[+-]\s*\d{{1,2}}(?:\s*:\s*\d{{1,2}})?
    | \b(?:[ECMP][SD]?T|ET|CT|PT|GMT|UTC|BST|CET|CEST|IST|AEST|AEDT|UK|US|noon|midnight)\b
    | \b(?:at|on|of|the|by)\b
    | \b(?:first|originally|last)\b
    | \b(?:published|posted|updated|modified|edited|created|date|dated|filed|issued|story|time)\b
    """,
    re.I | re.X,
)
_ZONE = re.compile(
    r"\b(?:GMT|UTC)\s*[+-]\s*\d{1,2}(?:\s*:\s*\d{1,2})?|\b(?:\d{3,4}\s+)?[A-Z]{1,3}[SD]?T\b"
)  # AKDT, HKT, 1052 GMT: upper case only
_PUBLISHED = re.compile(r"\b(?:published|posted|created|date|dated|filed|issued)\b", re.I)
_UPDATED = re.compile(r"\b(?:updated|modified|edited)\b", re.I)
_WIRE = re.compile(
    r"""^\s*(?:[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+){0,3})   # WASHINGTON / NEW YORK / ST. LOUIS
        (?:,\s*[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+){0,2})?     # , Calif.
        \s*(?:\((?:AP|Reuters|AFP|UPI|dpa|Bloomberg|CNN|BBC)\)|/[A-Za-z]+/)?\s*[,—–-]*\s*$""",
    re.X,
)
_BYLINE = re.compile(r"^\s*by\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*[|,·•–—-]+\s*", re.I)
_PR_WIRE = re.compile(r"/\s*[A-Za-z][\w -]{1,30}/\s*-*\s*$")  # /PRNewswire/ --


@dataclass(frozen=True)
class Dateline:
    """A publication date found in the text: ``text[start:end]`` is the date as printed."""

    date: date
    start: int
    end: int
    kind: str  # "published" | "updated" | "date line" | "dateline" | "byline"

    def describe(self, text: str) -> str:
        return f"{self.kind} {text[self.start : self.end]!r}"


def find_dateline(text: str, *, lines: int = HEAD_LINES) -> Dateline | None:
    """The publication date printed at the head of ``text``, or None when it prints none."""
    found: list[Dateline] = []
    pos, seen = 0, 0
    head = text[:HEAD_CHARS]
    for raw in head.split("\n"):
        line_start, pos = pos, pos + len(raw) + 1
        if not raw.strip():
            continue
        seen += 1
        if seen > lines:
            break
        hit = _line_date(raw)
        if hit is not None:
            d, a, b, kind = hit
            found.append(Dateline(d, line_start + a, line_start + b, kind))
            if kind != "updated":
                break
    if not found:
        return None
    published = [d for d in found if d.kind != "updated"]
    return published[0] if published else found[0]


def _line_date(line: str) -> tuple[date, int, int, str] | None:
    for m, d in _dates_in(line):
        before, after = line[: m.start()], line[m.end() :]
        if _only_filler(before) and _only_filler(after, dates=True):
            kind = "updated" if _UPDATED.search(before) and not _PUBLISHED.search(before) else "published"
            if not (_PUBLISHED.search(before) or _UPDATED.search(before)):
                kind = "date line"
            return d, m.start(), m.end(), kind
        if _WIRE.match(before) and len(before.strip()) >= 3:  # WASHINGTON (AP) — Dec. 30, 2021 — ...
            return d, m.start(), m.end(), "dateline"
        if _BYLINE.match(before) and _only_filler(before[_BYLINE.match(before).end() :]):  # type: ignore[union-attr]
            if _only_filler(after) or len(line) < 120:
                return d, m.start(), m.end(), "byline"
        if (
            _WIRE.match(before) is None
            and _PR_WIRE.match(after.strip())
            and re.match(r"^\s*[A-Z][A-Z .'’-]+,\s*$", before)
        ):  # NEW YORK, March 5, 2024 /PRNewswire/ --
            return d, m.start(), m.end(), "dateline"
        break  # the first date of a line decides: a date in a sentence is an event, not a stamp
    return None


def _only_filler(s: str, *, dates: bool = False) -> bool:
    if dates:  # "PUBLISHED: 12 March 2013 | UPDATED: 13 March 2013": a second stamp may follow the first
        for rx in _DATES:
            s = rx.sub(" ", s)
    rest = _FILLER.sub(" ", _ZONE.sub(" ", s))
    rest = re.sub(r"[\s|,;:.·•()\[\]\-–—/@]+", " ", rest).strip()
    return not rest


def _dates_in(line: str):
    hits = []
    for i, rx in enumerate(_DATES):
        for m in rx.finditer(line):
            d = _to_date(m, i)
            if d is not None:
                hits.append((m.start(), -(m.end() - m.start()), m, d))
    hits.sort(key=lambda h: (h[0], h[1]))
    last_end = -1
    for start, _neg, m, d in hits:
        if start < last_end:
            continue
        last_end = m.end()
        yield m, d


def _to_date(m: re.Match[str], shape: int) -> date | None:
    g = m.groupdict()
    try:
        if shape in (0, 1):
            y, mo, dd = int(g["year"]), _MONTHS[g["mon"].lower().rstrip(".")], int(g["day"])
        elif shape == 2:
            y, mo, dd = int(g["year"]), int(g["m"]), int(g["d"])
        else:
            a, b, yy = int(g["a"]), int(g["b"]), g["y"]
            y = int(yy) if len(yy) == 4 else (2000 + int(yy) if int(yy) < 70 else 1900 + int(yy))
            mo, dd = (a, b) if a <= 12 else (b, a)
        if not MIN_YEAR <= y <= MAX_YEAR:
            return None
        return date(y, mo, dd)
    except (KeyError, ValueError):
        return None
