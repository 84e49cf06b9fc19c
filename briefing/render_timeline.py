"""A small inline SVG timeline of dated events, for the HTML brief and digest.

One row per event down a vertical axis, in time order: a narrow phone screen (375 px)
has room for a row's words, and rows cannot overlap, whatever the dates. The gaps
between rows grow with the time between the events, so the picture shows whether
things happened in a week or over a year. Only what a mail client can keep: no
script, no style sheet, no external file, no link; every colour is ``currentColor``,
so the picture follows the text's colour (dark mode included). Where SVG is dropped
(Gmail and most webmail), the list of events that the templates always print after
it says the same.

Every piece of text comes from articles: it is escaped here, and the result is
``Markup`` so the templates' autoescaping leaves it as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

WIDTH = 340  # view box width: a 375 px screen less the page's side padding; the picture never scales up
AXIS_X = 9
TEXT_X = 24
ROW = 40  # two lines of text (label and what) and a little air
SPREAD = 22  # extra pixels per row to share out in proportion to the time between events
TOP = 14
LABEL_CHARS = 38  # what fits in WIDTH - TEXT_X at the sizes below, wide letters included
WHAT_CHARS = 46
MIN_EVENTS = 2  # one date is not a timeline: the list alone says it

# XML 1.0 forbids these (and no reader needs them): dropped, not escaped
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _esc(text: object) -> str:
    from markupsafe import escape

    return str(escape(_NOT_XML.sub("", " ".join(str(text).split()))))


def _clip(text: object, n: int) -> str:
    s = " ".join(str(text or "").split())
    if len(s) <= n:
        return s
    cut = s[: n - 1]
    if " " in cut[n // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—-") + "…"


def _field(event: Any, name: str) -> Any:
    if isinstance(event, Mapping):
        return event.get(name)
    return getattr(event, name, None)


def dated_events(events: Iterable[Any] | None) -> list[tuple[float, str, str]]:
    """(day, label, what) of each event a place in time can be given to, in time order.

    ``day`` counts days since 1970-01-01 (``timex_values.sort_key``); events whose value
    names no date (durations, "the past") are left to the list."""
    from .extract.timex_values import label, sort_key

    rows = []
    for i, e in enumerate(events or ()):
        value = _field(e, "value")
        key = sort_key(value)
        if key[0] != 0:
            continue
        shown = _field(e, "label") or label(value) or _field(e, "text") or str(value)
        rows.append((key, i, float(key[1]), str(shown), str(_field(e, "what") or _field(e, "text") or "")))
    rows.sort()
    return [(day, shown, what) for _, _, day, shown, what in rows]


def row_positions(days: list[float]) -> list[float]:
    """The y of each row: ROW apart at least, plus a share of the spread in proportion to the time
    since the row before (so rows never overlap and far-apart dates look far apart)."""
    if not days:
        return []
    span = days[-1] - days[0]
    extra = SPREAD * (len(days) - 1)
    ys = [float(TOP)]
    for before, day in zip(days, days[1:]):
        ys.append(ys[-1] + ROW + (extra * (day - before) / span if span > 0 else 0.0))
    return ys


def timeline_svg(events: Iterable[Any] | None, *, min_events: int = MIN_EVENTS) -> Any:
    """The events (``value``, ``label``, ``what``; a brief's ``timeline`` or a digest story's
    ``when``) as an inline ``<svg>``; empty when fewer than ``min_events`` have a date."""
    from markupsafe import Markup

    rows = dated_events(events)
    if len(rows) < max(1, min_events):
        return Markup("")
    ys = row_positions([day for day, _, _ in rows])
    height = int(ys[-1] + ROW - 4)
    n = len(rows)
    out = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-hidden="true" '
        'font-family="-apple-system, Helvetica, Arial, sans-serif" fill="currentColor">',
        f'<line class="timeline-axis" x1="{AXIS_X}" y1="{TOP + 5:.0f}" x2="{AXIS_X}" y2="{ys[-1] + 5:.0f}" '
        'stroke="currentColor" stroke-width="2"/>'
        if n > 1
        else "",
    ]
    for (_, shown, what), y in zip(rows, ys):
        out.append(
            f'<g class="timeline-event"><circle cx="{AXIS_X}" cy="{y + 5:.0f}" r="5" fill="currentColor"/>'
            f'<text class="timeline-label" x="{TEXT_X}" y="{y + 10:.0f}" font-size="13" font-weight="bold">'
            f"{_esc(_clip(shown, LABEL_CHARS))}</text>"
        )
        if what:
            out.append(
                f'<text class="timeline-what" x="{TEXT_X}" y="{y + 26:.0f}" font-size="12">'
                f"{_esc(_clip(what, WHAT_CHARS))}</text>"
            )
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))
