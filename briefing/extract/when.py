"""Time expressions normalised to TIMEX3 values against the publication date, and the
brief's timeline.

The grammar lives in timex_rules.py and the calendar arithmetic in timex_normalize.py;
this module picks the non-overlapping matches (leftmost, then longest) and turns dated
expressions into a short timeline of events.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date

from ..models import Sentence, TimeExpression, TimelineEvent


def find_time_expressions(text: str, published: date, doc=None) -> list[TimeExpression]:
    """Every time expression in ``text``, in text order, with TIMEX3 ``value`` relative to ``published``.

    ``doc`` (a spaCy Doc of ``text``) is accepted for interface compatibility but not needed:
    the regex grammar is both more precise and far cheaper than anything derived from it.
    """
    from .timex_rules import GATES, PRIORITY, RULES, Context

    if isinstance(published, str):
        published = date.fromisoformat(published[:10])
    low = text.lower()
    n = len(text)
    candidates = []
    hits: dict[str, list[int]] = {}  # key word -> where it occurs, found once per article
    for name, pattern, handler in RULES:
        gate = GATES.get(name)
        if gate is None:
            windows = [(0, n)]
        else:
            # every match of the rule contains one of its key words: scan only around them
            # (str.find runs in C; the regexes, with optional words in front, are slow to
            # try at every position of a long article)
            starts: list[int] = []
            for k in gate:
                pos = hits.get(k)
                if pos is None:
                    pos = hits[k] = _find_all(low, k)
                starts.extend(pos)
            if not starts:
                continue  # none of the rule's key words: it cannot match
            windows = _merge_windows(starts, n)
        for lo, hi in windows:
            for m in pattern.finditer(text, lo, hi):
                if m.end() > m.start():
                    candidates.append((m.start(), m.start() - m.end(), PRIORITY[name], m, handler))
    candidates.sort(key=lambda c: c[:3])

    ctx = Context(dct=published, text=text)
    found: list[TimeExpression] = []
    taken_until = 0
    for start, _neg_len, _prio, m, handler in candidates:
        if start < taken_until:
            continue
        try:
            result = handler(m, ctx)
        except (OverflowError, ValueError):
            # calendar arithmetic beyond years 1-9999 ("999999 days ago", "tomorrow" on 9999-12-31):
            # no date to resolve to, so the expression is left out rather than the article
            continue
        if result is None or not _readable(result[1]):
            continue
        end = _trim_end(text, start, m.end())
        type_, value = result
        found.append(TimeExpression(text=text[start:end], start=start, end=end, type=type_, value=value))
        taken_until = end
    return found


def _readable(value: str) -> bool:
    """A value in TIMEX3's grammar (four-digit years): "-0042" or "1000123" from arithmetic far
    from the publication date ("999999 years ago") is no calendar year."""
    from .timex_values import read

    return read(value).known


# How far a match may reach before / after its key word (the longest prefix, "the first
# half of ... fiscal 1989 year-earlier", is under 80 characters). Windows are wider than
# any match can reach, so the matches are exactly those of a full scan: lookbehinds and
# word boundaries see the text before a window, and no match reaches a window's end.
_BACK, _AHEAD = 120, 120


def _find_all(low: str, key: str) -> list[int]:
    out, i = [], low.find(key)
    while i >= 0:
        out.append(i)
        i = low.find(key, i + 1)
    return out


def _merge_windows(starts: list[int], n: int) -> list[tuple[int, int]]:
    starts.sort()
    windows: list[tuple[int, int]] = []
    for p in starts:
        lo, hi = max(0, p - _BACK), min(n, p + _AHEAD)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    return windows


def _trim_end(text: str, start: int, end: int) -> int:
    # regexes may swallow trailing spaces or commas around optional parts
    while end > start and text[end - 1] in " ,\n\t":
        end -= 1
    return end


# --- timeline ---------------------------------------------------------------------------

_SPECIFIC = re.compile(r"^\d{4}(?:-(?:\d\d(?:-\d\d)?|W\d\d|Q\d|H\d|SP|SU|FA|WI))?(?:-WE)?(?:T.*)?$")


def label_for(value: str) -> str:
    """A date a person reads: '2021-12-30' -> 'Thu 30 December 2021', '2021-W51' -> 'week 51 of 2021'.

    Total over TIMEX3 values (seasons, weekends, decades, BC years, durations...): what cannot be
    read is shown as written.
    """
    from .timex_values import label

    return label(value)


def period_start(value: str) -> date:
    """The first day a TIMEX3 value covers, to put values of mixed granularity in time order."""
    from .timex_values import period_start as start

    return start(value)


def _granularity(value: str) -> int:
    """Finer values tell more: day/time 3, week 2, month/quarter/season 1, year 0."""
    if re.match(r"^\d{4}-\d\d-\d\d", value):
        return 3
    if "-W" in value:
        return 2
    if re.match(r"^\d{4}-", value):
        return 1
    return 0


def build_timeline(
    text: str, sentences: list[Sentence], timexes: list[TimeExpression], published: date, limit: int = 6
) -> list[TimelineEvent]:
    """The dated events that matter, for the brief's "When" heading.

    Only specific DATE/TIME values are events (not "now", durations or sets). One event per
    date: the first sentence that mentions it tells what happened (news puts the key fact
    first). The dates most worth showing are the precise ones mentioned early and often;
    the chosen ones are then shown in time order.
    """
    from .timex_values import sort_key

    if not timexes or not sentences:
        return []
    by_value: dict[str, dict] = {}
    starts = [s.start for s in sentences]
    for t in timexes:
        if t.type not in ("DATE", "TIME") or not t.value or not _SPECIFIC.match(t.value):
            continue
        # a time of day belongs to its day's event
        key = t.value.split("T")[0] if _granularity(t.value) == 3 else t.value
        sent = _sentence_at(sentences, starts, t.start)
        if sent is None:
            continue
        entry = by_value.setdefault(key, {"first": t, "sentence": sent, "count": 0})
        entry["count"] += 1
    if not by_value:
        return []

    n = max(len(sentences), 1)

    def score(item):
        key, e = item
        position = 1.0 - e["sentence"].index / n  # early in the article matters more
        return e["count"] + 2.0 * position + 0.5 * _granularity(key)

    chosen = sorted(by_value.items(), key=score, reverse=True)
    events: list[TimelineEvent] = []
    told: set[str] = set()
    for key, e in chosen:
        if len(events) >= limit:
            break
        what = clause_around(text, e["sentence"], e["first"])
        if what.casefold() in told:  # one clause dated twice ("Monday ... on Tuesday") is one event
            continue
        told.add(what.casefold())
        events.append(
            TimelineEvent(value=key, label=heading_for(key, e["first"].text), text=e["first"].text, what=what)
        )
    events.sort(key=lambda ev: sort_key(ev.value))
    return events


CLAUSE_WORDS = 12  # a "When" line shows the few words around its date, not the whole sentence
_CLAUSE_BREAK = re.compile(
    r"\s*(?:[,;:()\[\]]|\s[—–-]{1,2}\s)\s*|\s+(?=(?:but|while|whereas|although|forcing|after|before)\b)"
)
_OPEN_QUOTE, _CLOSE_QUOTE = '“‘"', '”’"'


def clause_around(text: str, sentence: Sentence, timex: TimeExpression) -> str:
    """The clause of ``sentence`` that holds ``timex``, short enough for one line of a timeline.

    Clauses break at commas, semicolons, colons, brackets, dashes and before "but", "while", "after"...;
    a clause under four words takes its neighbour; one over CLAUSE_WORDS is cut to the words around the
    expression, with "…" where words were left out. Verbatim from the text, whitespace folded.
    """
    a, b = sentence.start, sentence.end
    cuts = [a]
    for m in _CLAUSE_BREAK.finditer(text[a:b]):
        if 0 < m.start() and m.end() < b - a:
            cuts.extend([a + m.start(), a + m.end()])
    cuts.append(b)
    pieces = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    k = next((i for i, (x, y) in enumerate(pieces) if x <= timex.start < y), None)
    if k is None:
        lo, hi = a, b
    else:
        lo, hi = pieces[k]
        left = right = k
        while _words(text, lo, hi) < 4:  # a clause of a word or two takes its neighbours
            if right + 1 < len(pieces):
                right += 1
                hi = pieces[right][1]
            elif left > 0:
                left -= 1
                lo = pieces[left][0]
            else:
                break
    lo, hi = _window(text, lo, hi, timex.start, timex.end)
    clause = " ".join(text[lo:hi].split()).strip(" ,;:—–-")
    clause = _balance_quotes(clause)
    prefix = "…" if lo > a and text[a:lo].strip() else ""
    suffix = "…" if text[hi:b].strip(' .!?"”’') else ""
    return (prefix + clause + suffix) if clause else " ".join(text[a:b].split())


def _words(text: str, lo: int, hi: int) -> int:
    return len(text[lo:hi].split())


def _window(text: str, lo: int, hi: int, t0: int, t1: int) -> tuple[int, int]:
    """At most CLAUSE_WORDS words of text[lo:hi] holding text[t0:t1]: from the clause's start (its
    subject and verb) when the expression is near it, else ending a few words after the expression."""
    if _words(text, lo, hi) <= CLAUSE_WORDS:
        return lo, hi
    spans = [(lo + m.start(), lo + m.end()) for m in re.finditer(r"\S+", text[lo:hi])]
    last = next((i for i, (_x, y) in enumerate(spans) if y >= t1), len(spans) - 1)
    if last < CLAUSE_WORDS:
        return spans[0][0], spans[CLAUSE_WORDS - 1][1]
    end = min(len(spans) - 1, last + 3)
    return spans[max(0, end - CLAUSE_WORDS + 1)][0], spans[end][1]


_DEICTIC = {"this", "last", "next", "the", "a", "an", "of", "past", "coming", "previous", "following", "early", "late"}


def heading_for(value: str, written: str) -> str:
    """The label a reader sees: the date, led by the words the article used when they were relative
    and the date alone does not say them ("last week, 4–10 March 2024"; "Thursday" -> "Thu 14 March 2024")."""
    shown = label_for(value)
    words = written.strip()
    if not words or any(c.isdigit() for c in words) or words.casefold() == shown.casefold():
        return shown
    low = shown.casefold()
    if any(w[:3] in low for w in words.casefold().split() if w not in _DEICTIC):
        return shown  # "Thursday" -> "Thu 14 March 2024", "last spring" -> "spring 2023": the date says it
    words = words[:1].lower() + words[1:]
    return f"{words}, {shown}"


def _balance_quotes(clause: str) -> str:
    """Drop a quotation mark left alone at either end when the clause cut its pair away."""
    if clause[:1] in _OPEN_QUOTE and not any(c in clause[1:] for c in '”’"'):
        clause = clause[1:]
    if clause[-1:] in _CLOSE_QUOTE and not any(c in clause[:-1] for c in '“‘"'):
        clause = clause[:-1]
    return clause.strip()


def _sentence_at(sentences: list[Sentence], starts: list[int], pos: int) -> Sentence | None:
    """The sentence holding ``pos`` (sentences are in text order and do not overlap)."""
    k = bisect_right(starts, pos) - 1
    if k >= 0 and sentences[k].start <= pos < sentences[k].end:
        return sentences[k]
    return None
