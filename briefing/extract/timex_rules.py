"""The time-expression grammar: regular expressions over raw text, each with a normaliser.

Why rules: no maintained Python package tags and normalises TIMEX3 well (measured in
docs/eval-dates.md), and one pass of compiled regexes over an article costs far less than
the NER model that already runs. Span boundaries follow TimeBank: determiners and
modifiers belong to the expression ("the third quarter", "late November", "a year ago"),
prepositions do not ("on Friday" -> "Friday").

Each rule is (name, pattern, handler). Handlers get the match and a :class:`Context`
and return ``(type, value)`` or ``None`` to reject the match (e.g. "May" the verb).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import timex_normalize as tn

# --- vocabulary -------------------------------------------------------------------------

_MONTH_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ABBR = r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
MONTH = rf"(?:{_MONTH_FULL}|{_MONTH_FULL.upper()}|(?:{_MONTH_ABBR})\.?)(?![A-Za-z])"
_WD = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
WEEKDAY = rf"(?:{_WD}|{_WD.upper()}|(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.)(?![A-Za-z])"
_NUMW = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen"
)
_TENSW = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
NUMBER = (
    rf"(?:(?:a|one|two|three|four|five|six|seven|eight|nine|ten) (?:hundred|thousand)|\d+(?:\.\d+)?|(?:{_TENSW})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    rf"|\d+ 1/2|\d+[ -]and[ -]a[ -]half|(?:{_NUMW})[ -]and[ -]a[ -]half"
    rf"|{_NUMW}|a dozen|dozen|a couple of|a couple|a half|a|an)"
)
VAGUE = r"(?:several|a few|few|many|some|numerous|countless|a number of|the next few|the past few|the last few)"
UNIT = r"(?:second|minute|hour|day|night|week|weekend|fortnight|month|quarter|year|decade|centur(?:y|ie))"
UNITS = rf"(?:{UNIT}s?)"
YEAR = r"(?<![\d$.,:/])(?:1[6-9]\d\d|20\d\d)(?![\d%]|,\d|\.\d|-(?:year|old))"
DAYNUM = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d|:\d|-(?:year|old))"
SEASON = r"(?:spring|summer|fall|autumn|winter)"
PART = (
    r"(?:morning|afternoon|evening|night|mid-?\s?afternoon|mid-?\s?morning|midday|"
    r"overnight|dawn|daybreak|dusk)"
)
ORD = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"
MODIFIER = (
    r"(?:(?:early|earlier|late|later|mid|the middle of|the end of|the beginning of|the start of|"
    r"the first half of|the second half of|the rest of|the remainder of|the turn of)[\s-]+)"
)
TZ = r"(?:\s+(?:[ECMP][SD]T|GMT|UTC|local time|Moscow time|Eastern time))"
CLOCK = (
    r"(?:(?:[01]?\d|2[0-3])(?::[0-5]\d)?\s?(?:a\.m\.?|p\.m\.?|am\b|pm\b|A\.M\.|P\.M\.)|"
    r"(?:[01]?\d|2[0-3]):[0-5]\d(?!\d)|noon|midnight|"
    rf"(?:[01]?\d|2[0-3])(?::[0-5]\d)? o'clock|(?:{_NUMW}) o'clock)"
)
RELDAY = r"(?:today|tonight|yesterday|tomorrow)"

# words before an expression that say it lies ahead, or behind, of the DCT
_FUTURE_CUE = re.compile(
    r"\b(?:will|'ll|shall|won't|going to|scheduled|schedule|set to|due|plans? to|planned to|planning|"
    r"expected|expects?|to be held|upcoming|is to|are to|would|until|till|starting|begins?|"
    r"as soon as|as early as|no later than|planned|planning|"
    r"next|intends?|hopes? to|aims? to|deadline)\b",
    re.I,
)
# lower case only: "United" or "Ted" are not past-tense verbs
_PAST_CUE = re.compile(
    r"\b(?:said|says|told|was|were|had|did|ago|last|earlier|announced|reported|began|"
    r"met|left|arrived|killed|died|held|came|went|took|made|gave|signed|closed|rose|fell|"
    r"brought|bought|sold|won|lost|struck|fought|sought|spent|sent|built|led|fled|stood|wrote|"
    r"spoke|broke|chose|drove|flew|grew|knew|threw|drew|saw|ran|became|got|paid|heard|felt|kept|"
    r"meant|shot|quit|found|hit|"
    r"[a-z]\w+ed)\b"
)
# "had been due to expire Friday": a plan told in the past tense points back
_PAST_PLAN = re.compile(
    r"\b(?:had(?: been)?|was|were)\s+(?:\w+\s+)?(?:scheduled|due|set|planned|expected|supposed)\b", re.I
)
# "will be named", "is to be signed": a passive future, not a past participle
_FUTURE_PASSIVE = re.compile(r"\b(?:will|'ll|shall|won't|to)\s+(?:not\s+)?be\s+(?:\w+\s+)?\w+ed\b", re.I)
_CLAUSE_BREAK = re.compile(r"[.!?;\n\"“”]|``|''")


@dataclass
class Context:
    """What normalisers need: the DCT, the text, and what the article said so far."""

    dct: date
    text: str
    last_quarter: tuple[int, int] | None = None  # (year, quarter) last mentioned
    last_quarter_pos: int = -10_000
    last_month: tuple[int, int] | None = None  # (year, month) the story last named ("In March")
    last_year: int | None = None  # the last year the story named explicitly ("in 1995 ... the following year")
    notes: dict = field(default_factory=dict)

    def quarter_context(self, pos: int, reach: int = 600) -> bool:
        """Does the text at ``pos`` compare quarterly results (a quarter was named shortly before)?"""
        return bool(self.last_quarter) and pos - self.last_quarter_pos < reach

    def direction(self, start: int, end: int) -> int:
        """+1 if the clause around text[start:end] speaks of the future, -1 past, 0 unknown.

        The cue nearest the expression on its left wins ("said Friday he will meet Monday":
        'said' governs Friday, 'will' governs Monday); without one, the right side decides.
        """
        left = _PAST_PLAN.sub(" was ", _FUTURE_PASSIVE.sub(" will ", self.text[max(0, start - 80) : start]))
        cut = None
        for cut in _CLAUSE_BREAK.finditer(left):  # noqa: B007 - the last clause break is the one wanted
            pass
        if cut is not None:
            left = left[cut.end() :]
        best, best_pos, best_word = 0, -1, ""
        for rx, sign in ((_FUTURE_CUE, 1), (_PAST_CUE, -1)):
            for m in rx.finditer(left):
                if m.start() > best_pos:
                    best, best_pos, best_word = sign, m.start(), m.group(0).lower()
        right = self.text[end : end + 60]
        cut = _CLAUSE_BREAK.search(right)
        if cut:
            right = right[: cut.start()]
        if best and not (best_word in ("until", "till") and _PAST_CUE.search(right)):
            return best  # "until" takes its clause's tense: "Until Thursday, they had not ..."
        f, p = _FUTURE_CUE.search(right), _PAST_CUE.search(right)
        if f and (not p or f.start() < p.start()):
            return 1
        if p:
            return -1
        return 0


def _low(s: str | None) -> str:
    return (s or "").lower().rstrip(".")


def _year(s: str) -> int:
    s = s.strip().lstrip("'’")
    y = int(s)
    return y + (1900 if y >= 30 else 2000) if len(s) == 2 else y


# --- handlers ---------------------------------------------------------------------------


def _leading_int(s: str) -> int:
    """The number a day starts with ("21st" -> 21); the patterns capture only such days."""
    digits = re.match(r"\d+", s)
    assert digits is not None, s
    return int(digits.group())


def _date_full(m, ctx):
    mo, d = tn.MONTHS[_low(m["mon"])], _leading_int(m["day"])
    y = ctx.last_year = _year(m["year"])
    try:
        return "DATE", date(y, mo, d).isoformat()
    except ValueError:
        return None


def _month_day(m, ctx):
    mo, d = tn.MONTHS[_low(m["mon"])], _leading_int(m["day"])
    if m["mon"] == "May" and not m["day"]:
        return None
    y = tn.resolve_month_day_year(ctx.dct, mo, d, max(0, ctx.direction(m.start(), m.end())))
    try:
        return "DATE", date(y, mo, d).isoformat()
    except ValueError:
        return None


_ORD_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_DAY_WORDS = {
    w: i + 1
    for i, w in enumerate(
        _ORD_UNITS
        + [
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
        ]
    )
}
_DAY_WORDS.update({f"twenty{sep}{w}": 21 + i for i, w in enumerate(_ORD_UNITS) for sep in ("-", " ")})
_DAY_WORDS.update({"thirtieth": 30, "thirty-first": 31, "thirty first": 31})
DAY_WORD = "|".join(sorted(_DAY_WORDS, key=len, reverse=True))


def _month_day_word(m, ctx):
    """'March eighth', 'Sunday, March eighth' (broadcast transcripts spell the day out)."""
    mo, d = tn.MONTHS[_low(m["mon"])], _DAY_WORDS[" ".join(m["dw"].lower().split())]
    if m["year"]:
        y = ctx.last_year = _year(m["year"])
    else:
        y = tn.resolve_month_day_year(ctx.dct, mo, d, max(0, ctx.direction(m.start(), m.end())))
    try:
        return "DATE", date(y, mo, d).isoformat()
    except ValueError:
        return None


def _month_year(m, ctx):
    ctx.last_year = _year(m["year"])
    ctx.last_month = (ctx.last_year, tn.MONTHS[_low(m["mon"])])
    return "DATE", tn.month(*ctx.last_month)


_MAY_OK = re.compile(
    r"(?:\b(?:in|of|since|until|till|by|last|this|next|early|late|mid|from|through|"
    r"to|and|or|between|during|before|after|until|in early|in late)\s*-?|,)\s*$",
    re.I,
)


def _month_alone(m, ctx):
    word = m["mon"]
    bare_abbr = not word.endswith(".") and len(word) <= 4 and word.lower() not in ("june", "july")
    if word in ("May", "March", "MAY", "MARCH") or bare_abbr:
        # "May" and "March" are also a verb and a noun; so is a bare abbreviation: need a preposition
        before = ctx.text[max(0, m.start() - 20) : m.start()]
        if not _MAY_OK.search(before) and not m["mod"] and not m["rel"]:
            return None
    if bare_abbr and re.match(r"\s+[A-Z][a-z]", ctx.text[m.end() : m.end() + 3]):
        return None  # "Jan Kavan", "Jun Li": a first name
    mo = tn.MONTHS[_low(word)]
    rel = _low(m["rel"])
    if rel in ("last", "past", "previous"):
        y = ctx.dct.year if mo < ctx.dct.month else ctx.dct.year - 1
    elif rel in ("next", "coming"):
        y = ctx.dct.year if mo > ctx.dct.month else ctx.dct.year + 1
    elif rel == "this":
        y = ctx.dct.year
    else:
        y = tn.resolve_month_year(ctx.dct, mo, max(0, ctx.direction(m.start(), m.end())))
    ctx.last_month = (y, mo)
    return "DATE", tn.month(y, mo)


def _numeric_date(m, ctx):
    try:
        if m["iso"]:
            y, mo, d = (int(x) for x in m["iso"].split("-"))
        else:
            mo, d, y = int(m["m"]), int(m["d"]), _year(m["y"])
        return "DATE", date(y, mo, d).isoformat()
    except ValueError:
        return None


def _year_alone(m, ctx):
    y = int(m["y"])
    # bare numbers far from the DCT are more often quantities ("1,500", "2500 troops")
    if not (1600 <= y <= ctx.dct.year + 30):
        return None
    after = ctx.text[m.end() : m.end() + 12].lower()
    if re.match(
        r"\s*(?:troops|people|persons|men|women|shares|dollars|tons|miles|feet|meters|"
        r"percent|students|workers|employees|cars|jobs|units)\b",
        after,
    ):
        return None
    ctx.last_year = y
    return "DATE", f"{y:04d}"


def _decade(m, ctx):
    d = m["dec"].lstrip("'’")
    if len(d) == 2:
        century = ctx.dct.year // 100 if int(d) <= ctx.dct.year % 100 else ctx.dct.year // 100 - 1
        d = f"{century}{d}"
    return "DATE", d[:3]


def _century(m, ctx):
    n = tn.ORDINALS.get(_low(m["ord"]))
    if not n:
        return None
    return "DATE", f"{n - 1:02d}"


def _season(m, ctx):
    code = tn.SEASONS[_low(m["season"])]
    if not (m["rel"] or m["year"]):
        # "fall" and "spring" are verbs and nouns too: a bare season needs a preposition
        before = ctx.text[max(0, m.start() - 15) : m.start()]
        bare = m.group(0).lower() == m["season"].lower()
        if bare and not re.search(r"\b(?:in|during|by|until|since|through|early|late|of)\s+$", before, re.I):
            return None
        if re.match(r"\s+of\b", ctx.text[m.end() : m.end() + 4]):
            return None  # "the fall of the Berlin Wall"
    rel = _low(m["rel"])
    if m["year"]:
        y = _year(m["year"])
    elif rel in ("last", "past", "previous"):
        y = ctx.dct.year - 1 if _season_index(code) >= _season_index(_season_now(ctx.dct)) else ctx.dct.year
    elif rel in ("next", "coming"):
        y = ctx.dct.year + 1 if _season_index(code) <= _season_index(_season_now(ctx.dct)) else ctx.dct.year
    else:
        y = ctx.dct.year
    return "DATE", f"{y:04d}-{code}"


def _season_now(d: date) -> str:
    return {12: "WI", 1: "WI", 2: "WI", 3: "SP", 4: "SP", 5: "SP", 6: "SU", 7: "SU", 8: "SU"}.get(d.month, "FA")


def _season_index(code: str) -> int:
    return ["WI", "SP", "SU", "FA"].index(code)


def _quarter(m, ctx):
    q = tn.ORDINALS.get(_low(m["qord"]), None) if m["qord"] else None
    word = _low(m["qword"])
    year = None
    if m["qyear"] or m["qyear2"]:
        year = _year(m["qyear"] or m["qyear2"])
    elif m["qrel"] or m["qrel2"]:
        rel = _low(m["qrel"] or m["qrel2"]).split()[0]
        year = ctx.dct.year + {"this": 0, "last": -1, "next": 1, "the": 0}.get(rel, 0)
    if word in ("half", "halves"):
        if q is None and _low(m["qadj"]).strip(" -") in ("last", "latter", "final"):
            q = 2  # "the last half of 1989"
        if q is None or q > 2:
            return None
        year = year or (
            ctx.dct.year if q == 1 and ctx.dct.month > 6 else ctx.dct.year - (q == 2 and ctx.dct.month <= 6)
        )
        return "DATE", f"{year:04d}-H{q}"
    cur_q = tn.quarter_of(ctx.dct)
    adj = " ".join(_low(m["qadj"]).strip(" -").split())
    if not (q or adj or year or re.match(r"(?i)the|its", m.group(0).strip())):
        return None  # "quarter" alone is a fraction or a district
    if q is None and adj == "final":
        q = 4
    if q is None:
        if adj == "current":
            year, q = ctx.dct.year, cur_q
        elif adj in ("year-ago", "year-earlier", "year ago", "year earlier", "comparable", "prior-year"):
            if ctx.last_quarter:
                year, q = ctx.last_quarter[0] - 1, ctx.last_quarter[1]
            else:
                y, qq = divmod(ctx.dct.year * 4 + cur_q - 2, 4)
                year, q = y - 1, qq + 1
        elif adj in ("previous", "prior", "preceding", "last"):
            base = ctx.last_quarter or divmod(ctx.dct.year * 4 + cur_q - 2, 4)
            if ctx.last_quarter:
                y, qq = divmod(base[0] * 4 + base[1] - 2, 4)
            else:
                y, qq = divmod(ctx.dct.year * 4 + cur_q - 3, 4)
            year, q = y, qq + 1
        elif adj == "next":
            y, qq = divmod(ctx.dct.year * 4 + cur_q, 4)
            year, q = y, qq + 1
        elif ctx.last_quarter and not year:
            year, q = ctx.last_quarter
        else:  # "the quarter", "the latest quarter": the last one reported
            y, qq = divmod(ctx.dct.year * 4 + cur_q - 2, 4)
            year, q = year or y, qq + 1
    if year is None:
        # a quarter later in the year than the DCT's is usually a fiscal quarter already reported
        year = ctx.dct.year if q <= cur_q or ctx.direction(m.start(), m.end()) > 0 else ctx.dct.year - 1
    if m["plural"]:
        return "SET", f"XXXX-Q{q}"
    if adj not in (
        "year-ago",
        "year-earlier",
        "year ago",
        "year earlier",
        "comparable",
        "prior-year",
        "previous",
        "prior",
        "preceding",
    ):
        # comparisons point back, a quarter not over by the DCT is a forecast, and an
        # earlier quarter ("after a flat second quarter") is background: the latest quarter
        # over is the one being reported, the reference of "the quarter", "a year ago"
        now, this = ctx.dct.year * 4 + cur_q, year * 4 + q
        last = ctx.last_quarter[0] * 4 + ctx.last_quarter[1] if ctx.last_quarter else None
        if last is None or this < now and (this > last or last >= now):
            ctx.last_quarter = (year, q)
        ctx.last_quarter_pos = m.start()
    return "DATE", f"{year:04d}-Q{q}"


def _relday(m, ctx):
    w = _low(m["rd"])
    offset = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[w]
    d = ctx.dct + timedelta(days=offset)
    part = _low(m["part"]) if m["part"] else ("night" if w == "tonight" else None)
    if part:
        return "TIME", d.isoformat() + "T" + tn.PARTS_OF_DAY[_part_key(part)]
    return "DATE", d.isoformat()


def _part_key(part: str) -> str:
    p = part.lower().replace("-", "").replace(" ", "")
    return {"midafternoon": "mid-afternoon", "midmorning": "morning"}.get(p, p)


def _last_night(m, ctx):
    return "TIME", (ctx.dct - timedelta(days=1)).isoformat() + "TNI"


def _this_part(m, ctx):
    return "TIME", ctx.dct.isoformat() + "T" + tn.PARTS_OF_DAY[_part_key(m["part"])]


_THEN_DATE = re.compile(rf",?\s+{MONTH}\s*(?:\d|(?i:{DAY_WORD}))")


def _weekday(m, ctx):
    if not m["part"] and _THEN_DATE.match(ctx.text, m.end()):
        return None  # "this coming Sunday, March 8": the date rules take the weekday with the date
    wd = tn.WEEKDAYS[_low(m["wd"])]
    rel = _low(m["rel"])
    if rel in ("last", "past", "previous"):
        d = tn.resolve_weekday_strict(ctx.dct, wd, -1)
    elif rel in ("next", "coming"):
        d = tn.resolve_weekday_strict(ctx.dct, wd, 1)
    elif rel == "this":
        d = tn.resolve_weekday(ctx.dct, wd, 1 if ctx.direction(m.start(), m.end()) > 0 else -1)
    elif ctx.text.startswith("'s", m.end()):
        d = tn.resolve_weekday(ctx.dct, wd, -1)  # "Wednesday's ruling" is done
    else:
        d = tn.resolve_weekday(ctx.dct, wd, ctx.direction(m.start(), m.end()))
    if m["part"] and _part_key(m["part"]) == "evening":
        # TimeBank/AQUAINT give "Friday evening" its part of day (1998-02-12TEV) in every
        # case; "Friday night"/"morning" as often get the bare day as the part: keep the day
        return "TIME", d.isoformat() + "TEV"
    return "DATE", d.isoformat()


def _relative_unit(m, ctx):
    """this/last/next week|month|year|weekend|decade|century."""
    rel, unit = _low(m["rel"]), tn.unit_of(m["unit"])
    n = {
        "this": 0,
        "current": 0,
        "the current": 0,
        "last": -1,
        "past": -1,
        "previous": -1,
        "the previous": -1,
        "the past": -1,
        "the last": -1,
        "next": 1,
        "coming": 1,
        "the coming": 1,
        "the next": 1,
        "the following": 1,
        "following": 1,
    }.get(rel)
    if n is None:
        return None
    if unit == "weekend":
        # "this weekend" early in the week is the coming one; "the weekend" the nearest one
        base = ctx.dct if ctx.dct.weekday() >= 4 or n != 0 else ctx.dct + timedelta(days=4 - ctx.dct.weekday())
        return "DATE", tn.week(base + timedelta(weeks=n)) + "-WE"
    if unit == "quarter":
        return "DATE", tn.shift(ctx.dct, n, "quarter")
    if unit == "year" and ctx.last_year and rel in ("the following", "following", "the previous", "the next"):
        return "DATE", f"{ctx.last_year + n:04d}"  # relative to the story's year, not the DCT
    if unit == "month" and ctx.last_month and rel in ("the following", "following", "the previous"):
        year, month = ctx.last_month
        return "DATE", tn.month(*tn.add_months(year, month, n))  # "In March ... The following month"
    if unit in ("day", "night", "hour", "minute", "second"):
        return None
    if (
        unit == "year"
        and n == -1
        and rel == "last"
        and ctx.quarter_context(m.start(), 400)
        and _COMPARED.search(ctx.text, max(0, m.start() - 60), m.start())
    ):
        # "compared with a loss of $3 million last year", "from last year's $1.55 billion":
        # quarterly results are compared with the same quarter a year back
        return "DATE", f"{ctx.last_quarter[0] - 1:04d}-Q{ctx.last_quarter[1]}"
    return "DATE", tn.shift(ctx.dct, n, unit)


_COMPARED = re.compile(r"\b(?:compared with|compared to|from|versus|against|period)\b[^.;]*$", re.I)


def _the_unit(m, ctx):
    """'the week', 'the year', 'the weekend', 'the month': the current one (DURATION after 'for')."""
    unit = tn.unit_of(m["unit"])
    before = ctx.text[max(0, m.start() - 12) : m.start()].lower()
    after = ctx.text[m.end() : m.end() + 10].lower()
    if unit == "year" and (
        re.match(r"\s+end(?:ed|ing)\b", after)
        or (not m["adj"] and re.search(r"\b(?:for|throughout)\s*$", before) and not re.match(r"\s*,", after))
    ):
        return "DURATION", "P1Y"  # "for the year ended Sept. 30": a fiscal year's length
    if unit == "year" and m["adj"] and "latest" in m["adj"].lower():
        return "DATE", f"{ctx.dct.year - 1:04d}"
    if unit == "weekend":
        d = ctx.dct
        base = d if d.weekday() >= 4 or ctx.direction(m.start(), m.end()) > 0 else d - timedelta(days=d.weekday() + 1)
        return "DATE", tn.week(base) + "-WE"
    if unit in ("week", "month", "year"):
        return "DATE", tn.shift(ctx.dct, 0, unit)
    if unit == "day":
        return "DATE", ctx.dct.isoformat()
    return None


def _ago(m, ctx):
    unit = tn.unit_of(m["unit"])
    n = tn.parse_number(m["num"]) if m["num"] else None
    word = _low(m["dir"])
    sign = 1 if word in ("later", "from now", "hence", "after", "on") else -1
    if n is None:
        if not m["unit"].lower().endswith("s"):
            return None  # "the day before authorities ...": a relation between events, not a date
        return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF"
    if (
        unit == "year"
        and n == 1
        and sign < 0
        and ctx.quarter_context(m.start())
        and word in ("ago", "earlier", "before")
    ):
        # quarterly reports: "a year ago" is the same quarter one year back
        return "DATE", f"{ctx.last_quarter[0] - 1:04d}-Q{ctx.last_quarter[1]}"
    if not float(n).is_integer():
        return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF"
    n = int(n)
    if word == "earlier" and unit in ("day", "week", "hour", "minute", "second"):
        # "A day earlier": counted from an event in the story, not from the DCT; TimeBank
        # writes the length, as for "three days later" (which the duration rule tags)
        return "DURATION", tn.duration(n, unit)
    return "DATE", tn.shift(ctx.dct, sign * n, unit)


def _that_year(m, ctx):
    """'that year', 'the same year', 'later that year': the year the story last named."""
    if not ctx.last_year:
        return None
    return "DATE", f"{ctx.last_year:04d}"


def _year_ago_adj(m, ctx):
    if ctx.quarter_context(m.start()):
        return "DATE", f"{ctx.last_quarter[0] - 1:04d}-Q{ctx.last_quarter[1]}"
    return "DATE", f"{ctx.dct.year - 1:04d}"


_NOT_A_LENGTH = re.compile(r"\s+old\b|-old\b|\s+of\b")


def _duration(m, ctx):
    unit = tn.unit_of(m["unit"])
    # "52 years old" is an age; "three-quarters of its food" a fraction
    if _NOT_A_LENGTH.match(ctx.text, m.end()) and (unit == "quarter" or "old" in ctx.text[m.end() : m.end() + 5]):
        return None
    if unit not in tn.UNITS:
        return None
    n = tn.parse_number(m["num"]) if m["num"] else None
    if m["num"] and n is None and not re.match(VAGUE, m["num"], re.I):
        return None
    if n is not None and m["half"]:
        n += 0.5  # "a minute and a half"
    if unit == "second" and _low(m["num"]) in ("a", "an", "one"):
        return None  # "a second group": an ordinal
    return "DURATION", tn.duration(n, unit)


def _plural_unit(m, ctx):
    unit = tn.unit_of(m["unit"])
    if (
        _NOT_A_LENGTH.match(ctx.text, m.end())
        and "old" in ctx.text[m.end() : m.end() + 5]
        or re.search(r"\d[\s-]*$", ctx.text[max(0, m.start() - 4) : m.start()])
    ):
        return None  # what is left of an age ("52 years old") is no time either
    if unit == "year" and m.group(0).lower().startswith("recent"):
        return "DATE", "PAST_REF"  # TimeBank reads "in recent years" as a vague past, not a length
    return "DURATION", tn.duration(None, unit)


_RATE_BEFORE = re.compile(
    r"(?:\d|\bpercent|%|\bdollars?|\bcents?|\bmillion|\bbillion|\btimes|"
    r"\bonce|\btwice|\bhundreds|\bthousands|\bdozens|\bmiles|\bhours|\btons)\W*"
    r"(?:\w+\W+){0,3}$",
    re.I,
)


_SOMEDAY_BEFORE = re.compile(
    r"\b(?:will|would|may|might|could|can|should|must|shall|he|she|they|we|I|you|"
    r"it|who|that)\s+$",
    re.I,
)


def _a_unit(m, ctx):
    """'a year': a rate after a quantity ("$33 million a year") or a length ("for a year")."""
    unit = tn.unit_of(m["unit"])
    after = ctx.text[m.end() : m.end() + 6]
    if unit == "quarter" and re.match(r"\s+of\b", after):
        return None  # a fraction
    if unit == "second" and not m.group(0).lower().startswith("per"):
        return None  # "a second group": an ordinal
    before = ctx.text[max(0, m.start() - 40) : m.start()]
    if unit == "day" and m.group(0).lower().startswith("one") and _SOMEDAY_BEFORE.search(before):
        return "DATE", "FUTURE_REF"  # "Islam will one day be ...", "the hope he one day follows"
    if _RATE_BEFORE.search(before):
        return "SET", tn.duration(1, unit)
    return "DURATION", tn.duration(1, unit)


def _set_every(m, ctx):
    what = m["what"]
    low = _low(what)
    if low.rstrip("s") in tn.WEEKDAYS or low in tn.WEEKDAYS:
        return "SET", f"XXXX-WXX-{tn.WEEKDAYS[low.rstrip('s') if low not in tn.WEEKDAYS else low] + 1}"
    if low in tn.MONTHS:
        return "SET", f"XXXX-{tn.MONTHS[low]:02d}"
    if low in tn.SEASONS:
        return "SET", f"XXXX-{tn.SEASONS[low]}"
    unit = tn.unit_of(low)
    if unit in tn.UNITS:
        n = tn.parse_number(m["num"]) if m["num"] else 1
        return "SET", tn.duration(n or 1, unit)
    return None


_ADVERB_SETS = {
    "daily": "P1D",
    "weekly": "P1W",
    "monthly": "P1M",
    "annually": "P1Y",
    "yearly": "P1Y",
    "hourly": "PT1H",
    "nightly": "P1D",
    "biweekly": "P2W",
    "semiannually": "P6M",
    "biannually": "P6M",
}


def _adverb_set(m, ctx):
    return "SET", _ADVERB_SETS[_low(m["adv"])]


def _plural_weekday(m, ctx):
    return "SET", f"XXXX-WXX-{tn.WEEKDAYS[_low(m['wds'])[:-1]] + 1}"


def _plural_season(m, ctx):
    return "SET", f"XXXX-{tn.SEASONS[_low(m['seasons'])[:-1]]}"


_REFS = {
    "now": "PRESENT_REF",
    "right now": "PRESENT_REF",
    "currently": "PRESENT_REF",
    "current": "PRESENT_REF",
    "presently": "PRESENT_REF",
    "at present": "PRESENT_REF",
    "nowadays": "PRESENT_REF",
    "these days": "PRESENT_REF",
    "the present": "PRESENT_REF",
    "at the moment": "PRESENT_REF",
    "at this time": "PRESENT_REF",
    "recently": "PAST_REF",
    "lately": "PAST_REF",
    "the past": "PAST_REF",
    "formerly": "PAST_REF",
    "the future": "FUTURE_REF",
    "the near term": "FUTURE_REF",
    "the short term": "FUTURE_REF",
    "the long term": "FUTURE_REF",
    "a later date": "FUTURE_REF",
    "the near future": "FUTURE_REF",
    "someday": "FUTURE_REF",
}


def _ref(m, ctx):
    w = " ".join(m.group(0).lower().split())
    return "DATE", _REFS[w]


def _clock(m, ctx):
    text = m["clk"].lower().replace(" ", "")
    if text == "noon":
        if re.search(r"(?i)\bhigh\s+$", ctx.text[max(0, m.start() - 6) : m.start()]):
            return None  # "High Noon", "high noon comes today": a figure of speech
        hh, mm = 12, 0
    elif text == "midnight":
        hh, mm = 24, 0
    else:
        num = re.match(r"(\d+|[a-z]+)(?::(\d\d))?", text)
        assert num is not None, text  # CLOCK starts with a number or a number word
        hh = int(num.group(1)) if num.group(1).isdigit() else int(tn.parse_number(num.group(1)) or 0)
        mm = int(num.group(2) or 0)
        if "p" in text and "o'clock" not in text and hh < 12:
            hh += 12
        if "a" in text and hh == 12:
            hh = 0
    d = ctx.dct
    anchor = m["anchor"] or ""
    al = _low(anchor.strip(" ,"))
    if al:
        if al in ("today", "tonight"):
            pass
        elif al == "yesterday":
            d = d - timedelta(days=1)
        elif al == "tomorrow":
            d = d + timedelta(days=1)
        elif al in tn.WEEKDAYS:
            d = tn.resolve_weekday(ctx.dct, tn.WEEKDAYS[al], ctx.direction(m.start(), m.end()))
        else:
            mm_ = re.match(rf"({MONTH})\s+(\d+)", anchor.strip(" ,"))
            if mm_:
                mo, dd = tn.MONTHS[_low(mm_.group(1))], int(mm_.group(2))
                y = tn.resolve_month_day_year(ctx.dct, mo, dd, ctx.direction(m.start(), m.end()))
                try:
                    d = date(y, mo, dd)
                except ValueError:
                    pass
    zone = "Z" if re.search(r"\b(?:UTC|GMT)\b", m.group(0)) else ""  # TIMEX3 marks UTC with Z
    if hh == 24:
        return "TIME", f"{d.isoformat()}T24:00{zone}"
    return "TIME", f"{d.isoformat()}T{hh:02d}:{mm:02d}{zone}"


def _holiday(m, ctx):
    name = " ".join(m["hol"].lower().replace("'", "").split())
    y = _year(m["hy"]) if m["hy"] else ctx.dct.year
    fixed = {
        "christmas": (12, 25),
        "christmas day": (12, 25),
        "christmas eve": (12, 24),
        "new years day": (1, 1),
        "new years eve": (12, 31),
        "independence day": (7, 4),
        "valentines day": (2, 14),
        "halloween": (10, 31),
        "veterans day": (11, 11),
    }
    if name in fixed:
        mo, d = fixed[name]
        if not m["hy"] and name.startswith("new years day") and ctx.dct.month == 12:
            y += 1
        return "DATE", date(y, mo, d).isoformat()
    if name.startswith("thanksgiving"):

        def thanksgiving(year):
            first = date(year, 11, 1)
            return first + timedelta(days=(3 - first.weekday()) % 7 + 21)

        if m["hy"]:
            return "DATE", thanksgiving(y).isoformat()
        # the nearest one: an article in January still speaks of last Thanksgiving
        cands = [thanksgiving(ctx.dct.year + k) for k in (-1, 0, 1)]
        return "DATE", min(cands, key=lambda d: abs((d - ctx.dct).days)).isoformat()
    return None


def _fiscal_year(m, ctx):
    return "DATE", f"{_year(m['fy']):04d}"


def _year_end(m, ctx):
    y = _year(m["ye"]) if m["ye"] else ctx.dct.year
    return "DATE", f"{y:04d}-12-31" if "end" in m.group(0).lower() else f"{y:04d}"


_SPOKEN_TENS = {
    "ten": 10,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SPOKEN_ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
SPOKEN_YEAR = (
    r"(?:nineteen[\s-]+(?:ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"(?:the\s+year\s+)?two\s+thousand(?:\s+(?:and\s+)?(?:one|two|three|four|five|six|seven|eight|nine))?)"
)


def _spoken_year_value(words: str) -> int | None:
    w = words.lower().replace("-", " ").split()
    if w[:2] == ["the", "year"]:
        w = w[2:]
    if w[:2] == ["two", "thousand"]:
        rest = [x for x in w[2:] if x != "and"]
        return 2000 + (_SPOKEN_ONES.get(rest[0], 0) if rest else 0)
    if w and w[0] == "nineteen" and len(w) >= 2:
        return 1900 + _SPOKEN_TENS.get(w[1], 0) + (_SPOKEN_ONES.get(w[2], 0) if len(w) > 2 else 0)
    return None


def _spoken_year(m, ctx):
    y = _spoken_year_value(m["sy"])
    if y is None:
        return None
    if m["mon"]:
        return "DATE", tn.month(y, tn.MONTHS[_low(m["mon"])])
    if m["season"]:
        return "DATE", f"{y:04d}-{tn.SEASONS[_low(m['season'])]}"
    return "DATE", f"{y:04d}"


def _month_rel_year(m, ctx):
    """'June last year', 'January this year'."""
    n = {"last": -1, "this": 0, "next": 1}[_low(m["ry"])]
    return "DATE", tn.month(ctx.dct.year + n, tn.MONTHS[_low(m["mon"])])


def _period(m, ctx):
    """'the latest period', 'the year-ago period', 'the 1988 period': in earnings reports, a quarter."""
    adj = " ".join(_low(m["padj"]).split())
    recent = ctx.quarter_context(m.start(), 3000)
    if m["py"]:
        y = int(m["py"])
        return "DATE", f"{y:04d}-Q{ctx.last_quarter[1]}" if recent else f"{y:04d}"
    if adj in ("year-ago", "year-earlier", "year ago", "year earlier", "comparable", "corresponding", "prior-year"):
        if recent:
            return "DATE", f"{ctx.last_quarter[0] - 1:04d}-Q{ctx.last_quarter[1]}"
        return "DATE", f"{ctx.dct.year - 1:04d}"
    if recent:
        return "DATE", f"{ctx.last_quarter[0]:04d}-Q{ctx.last_quarter[1]}"
    y, q = divmod(ctx.dct.year * 4 + tn.quarter_of(ctx.dct) - 2, 4)
    return "DATE", f"{y:04d}-Q{q + 1}"


_DECADE_WORDS = {
    "twenties": 2,
    "thirties": 3,
    "forties": 4,
    "fifties": 5,
    "sixties": 6,
    "seventies": 7,
    "eighties": 8,
    "nineties": 9,
}


def _decade_word(m, ctx):
    d = _DECADE_WORDS[_low(m["dw"])]
    century = ctx.dct.year // 100 if d <= (ctx.dct.year % 100) // 10 else ctx.dct.year // 100 - 1
    return "DATE", f"{century}{d}"


# A rule can only match where one of its key words occurs; a substring test (fast, in C)
# skips the rules an article cannot trigger (each rule's gate, below; gate=None: always runs).
_UNIT_KEYS = (
    "second",
    "minute",
    "hour",
    "day",
    "night",
    "week",
    "fortnight",
    "month",
    "quarter",
    "year",
    "decade",
    "centur",
)
_MONTH_KEYS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_KEYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon.",
    "tue.",
    "tues.",
    "wed.",
    "thu.",
    "thur.",
    "thurs.",
    "fri.",
    "sat.",
    "sun.",
)
# "8am", "8 pm": an hour glued to am/pm ("am" alone is in "team", "game")
_CLOCK_KEYS = ("a.m", "p.m", " am", " pm", "noon", "midnight", "o'clock", ":") + tuple(
    f"{d}{x}" for d in "0123456789" for x in ("am", "pm")
)


@dataclass(frozen=True)
class Rule:
    """One rule of the grammar: its pattern, the handler that turns a match into a TIMEX3 value,
    and its gate: key words of which every match contains one (lower case; a substring test,
    fast, in C, skips the rules an article cannot trigger), or None for a rule that always runs."""

    name: str
    pattern: re.Pattern
    handler: Callable
    gate: tuple[str, ...] | None


# --- the grammar ------------------------------------------------------------------------


def _R(pattern: str) -> re.Pattern:
    return re.compile(pattern)


_REL = r"(?P<rel>(?i:this|last|next|past|previous|coming|the coming|the past|the previous|the next|the following|following|current|the current))"

_ADVERB_ALT = "|".join(_ADVERB_SETS)
_REF_ALT = "|".join(sorted((re.escape(k) for k in _REFS), key=len, reverse=True))

GRAMMAR: list[Rule] = [
    Rule(
        "date_full",
        _R(
            rf"\b(?:(?i:{MODIFIER}))?(?:{WEEKDAY},?\s+)?(?P<mon>{MONTH})\s*(?P<day>{DAYNUM}),?\s*(?P<year>{YEAR}|'\d\d\b)"
        ),
        _date_full,
        gate=_MONTH_KEYS,
    ),
    Rule(
        "date_full_dmy",
        _R(rf"\b(?:the\s+)?(?P<day>{DAYNUM})\s+(?:of\s+)?(?P<mon>{MONTH}),?\s+(?P<year>{YEAR})"),
        _date_full,
        gate=_MONTH_KEYS,
    ),
    Rule(
        "date_numeric",
        _R(
            r"(?<![\d/.-])(?:(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)|(?P<m>[01]?\d)/(?P<d>[0-3]?\d)/"
            r"(?P<y>(?:19|20)\d\d|\d\d))(?![\d/])"
        ),
        _numeric_date,
        gate=("/", "-"),
    ),
    Rule(
        "month_day",
        _R(rf"\b(?:(?i:{MODIFIER}))?(?:{WEEKDAY},?\s+)?(?P<mon>{MONTH})\s*(?P<day>{DAYNUM})(?![\d,]\d)"),
        _month_day,
        gate=_MONTH_KEYS,
    ),
    Rule(
        "month_day_word",
        _R(
            rf"\b(?:{WEEKDAY},?\s+)?(?P<mon>{_MONTH_FULL})\s+(?P<dw>(?i:{DAY_WORD}))(?![\w-])"
            rf"(?:,?\s+(?P<year>{YEAR}))?"
        ),
        _month_day_word,
        gate=_MONTH_KEYS,
    ),
    Rule(
        "day_month", _R(rf"\b(?:the\s+)?(?P<day>{DAYNUM})\s+(?:of\s+)?(?P<mon>{MONTH})"), _month_day, gate=_MONTH_KEYS
    ),
    Rule(
        "month_year",
        _R(rf"\b(?:(?i:{MODIFIER}))?(?P<mon>{MONTH}),?\s+(?:of\s+)?(?P<year>{YEAR})"),
        _month_year,
        gate=_MONTH_KEYS,
    ),
    Rule(
        "month_alone",
        _R(rf"\b(?P<mod>(?i:{MODIFIER}))?(?:{_REL}\s+)?(?P<mon>{MONTH})(?!\.?\s*\d)"),
        _month_alone,
        gate=_MONTH_KEYS,
    ),
    Rule(
        "season",
        _R(
            rf"\b(?i:{MODIFIER})?(?:(?:{_REL}|(?i:the))\s+)?(?P<season>(?i:{SEASON}))"
            rf"(?:\s+(?:of\s+)?(?P<year>{YEAR}))?(?!\w)"
        ),
        _season,
        gate=("spring", "summer", "fall", "autumn", "winter"),
    ),
    Rule(
        "quarter",
        _R(
            rf"\b(?:(?i:the|its)\s+)?(?:(?i:(?P<qrel>this|last|next|the same) year)'?s?\s+)?"
            rf"(?:(?i:fiscal|calendar)\s+)?(?:(?P<qyear>{YEAR})\s+)?"
            rf"(?P<qadj>(?i:latest|latter|current|year-ago|year-earlier|year ago|year earlier|comparable|previous|prior|preceding|final|last|next|most recent|recent|same|prior-year|this)[\s-]+)?"
            rf"(?:(?P<qord>(?i:{ORD}))[\s-]+)?(?:(?i:fiscal)[\s-]+)?"
            rf"(?P<qword>(?i:quarter|half))(?P<plural>s)?(?!-century)"
            rf"(?:\s+(?i:of)\s+(?:(?:(?i:fiscal|calendar))\s+)?(?:(?P<qyear2>{YEAR})|(?i:(?P<qrel2>this|last|next) year)))?(?!\w)"
        ),
        _quarter,
        gate=("quarter", "half"),
    ),
    Rule(
        "spoken_year",
        _R(
            rf"\b(?:(?P<mon>{MONTH})\s+|(?:(?i:the)\s+)?(?P<season>(?i:{SEASON}))\s+of\s+)?(?P<sy>(?i:{SPOKEN_YEAR}))(?![\w-])"
        ),
        _spoken_year,
        gate=("nineteen", "thousand"),
    ),
    Rule(
        "month_rel_year",
        _R(rf"\b(?P<mon>{MONTH})\s+(?:(?i:of)\s+)?(?P<ry>(?i:last|this|next))\s+(?i:year)(?!\w)"),
        _month_rel_year,
        gate=_MONTH_KEYS,
    ),
    Rule(
        "period",
        _R(
            rf"\b(?i:the)\s+(?:(?P<py>{YEAR})\s+|(?P<padj>(?i:latest|year-ago|year-earlier|year ago|year earlier|comparable|corresponding|same|prior-year|most recent|recent))\s+)(?i:period)(?!\w)"
        ),
        _period,
        gate=("period",),
    ),
    Rule(
        "decade_word",
        _R(
            rf"\b(?i:the)\s+(?:(?i:{MODIFIER}))?(?P<dw>(?i:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties))(?!\w)"
        ),
        _decade_word,
        gate=("ties",),
    ),
    Rule(
        "year_span",
        _R(rf"\b(?P<mod>(?i:{MODIFIER}))?(?P<y>{YEAR})(?!'?s\b)"),
        _year_alone,
        gate=("16", "17", "18", "19", "20"),
    ),
    Rule(
        "fiscal_year",
        _R(rf"\b(?i:(?:the\s+)?(?:fiscal|calendar|financial|model|tax)(?: year)?)\s+(?P<fy>{YEAR})"),
        _fiscal_year,
        gate=("fiscal", "calendar", "financial", "model", "tax"),
    ),
    Rule(
        "year_end",
        _R(rf"\b(?i:year-end|year end|the end of the year)(?:\s+(?P<ye>{YEAR}))?(?!\w)"),
        _year_end,
        gate=("year",),
    ),
    Rule(
        "decade",
        _R(rf"\b(?:(?i:the)\s+)?(?i:{MODIFIER})?(?:(?i:mid)-)?(?P<dec>(?:1[5-9]|20)\d0|'\d0|’\d0)'?s\b"),
        _decade,
        gate=("0s", "0's"),
    ),
    Rule(
        "century",
        _R(rf"\b(?:(?i:the)\s+)?(?i:{MODIFIER})?(?P<ord>(?i:\w+(?:-\w+)?))[\s-](?i:century)(?!\w)"),
        _century,
        gate=("century",),
    ),
    Rule(
        "holiday",
        _R(
            rf"\b(?P<hol>(?i:christmas(?: day| eve)?|new year(?:.s|s)? (?:day|eve)|thanksgiving(?: day)?|independence day|valentine.?s day|halloween|veterans day))(?:\s+(?P<hy>{YEAR}))?(?!\w)"
        ),
        _holiday,
        gate=("christmas", "new year", "thanksgiving", "independence", "valentine", "halloween", "veterans"),
    ),
    Rule(
        "clock",
        _R(
            rf"\b(?:(?i:(?:early|late|around|about))\s+)?(?P<clk>(?i:{CLOCK}))(?i:{TZ})?"
            rf"(?P<anchor>,?\s+(?:(?i:{RELDAY})|{WEEKDAY}|(?:on\s+)?{MONTH}\s*\d{{1,2}}(?!\d)))?"
        ),
        _clock,
        gate=_CLOCK_KEYS,
    ),
    Rule(
        "weekday_clock",
        _R(rf"\b(?P<anchor>{WEEKDAY})\s+(?:(?i:at)\s+)?(?P<clk>(?i:{CLOCK}))(?i:{TZ})?"),
        _clock,
        gate=_CLOCK_KEYS,
    ),
    Rule(
        "relday",
        _R(rf"\b(?:(?i:early|late|later|earlier)\s+)?(?P<rd>(?i:{RELDAY}))(?:\s+(?P<part>(?i:{PART})))?(?!\w)"),
        _relday,
        gate=("today", "tonight", "yesterday", "tomorrow"),
    ),
    Rule(
        "part_relday",
        _R(
            rf"\b(?:(?i:early|late|later|earlier)\s+)?(?:(?i:this|in the)\s+)?(?P<part>(?i:{PART}))\s+(?P<rd>(?i:today|yesterday|tomorrow))(?!\w)"
        ),
        _relday,
        gate=("today", "yesterday", "tomorrow"),
    ),
    Rule("last_night", _R(r"\b(?i:last night|overnight)(?!\w)"), _last_night, gate=("last night", "overnight")),
    Rule(
        "this_part",
        _R(r"\b(?:(?i:early|late|later|earlier)\s+)?(?i:this)\s+(?P<part>(?i:morning|afternoon|evening))(?!\w)"),
        _this_part,
        gate=("this morning", "this afternoon", "this evening"),
    ),
    Rule("mid_part", _R(r"\b(?P<part>(?i:mid-?\s?afternoon|midday|mid-?\s?morning))(?!\w)"), _this_part, gate=("mid",)),
    Rule(
        "weekday",
        _R(rf"\b(?:(?i:{MODIFIER}))?(?:{_REL}\s+)?(?P<wd>{WEEKDAY})(?:\s+(?P<part>(?i:{PART})))?"),
        _weekday,
        gate=_DAY_KEYS,
    ),
    Rule(
        "relative_unit",
        _R(rf"\b(?:(?i:{MODIFIER}))?{_REL}\s+(?P<unit>(?i:week|weekend|month|year|decade|century|quarter))(?!\w)"),
        _relative_unit,
        gate=("week", "month", "year", "decade", "century", "quarter"),
    ),
    Rule(
        "the_unit",
        _R(
            r"\b(?i:the)\s+(?:(?P<adj>(?i:fiscal|full|calendar|latest fiscal|current fiscal|current|entire|whole))\s+)?(?P<unit>(?i:week|weekend|month|year))(?![\w-])(?!\s+(?:of|to|before|after)\b)"
        ),
        _the_unit,
        gate=("week", "month", "year"),
    ),
    Rule(
        "ago",
        _R(
            rf"\b(?:(?i:about|almost|nearly|roughly|approximately|more than|less than|at least|up to|only|just|over|some)\s+)?(?:(?P<num>(?i:{NUMBER})|(?i:{VAGUE}))[\s-]+)?(?P<unit>(?i:{UNITS}))\s+(?P<dir>(?i:ago|earlier|from now|hence))(?!\w)"
        ),
        _ago,
        gate=("ago", "earlier", "from now", "hence"),
    ),
    Rule(
        "that_year",
        _R(r"\b(?:(?i:early|earlier|late|later)\s+)?(?i:that|the same)\s+(?i:year)(?!\w)"),
        _that_year,
        gate=("year",),
    ),
    Rule(
        "year_ago_adj",
        _R(r"\b(?i:year-(?:ago|earlier)|year ago|year earlier|prior-year)(?!\w)"),
        _year_ago_adj,
        gate=("year",),
    ),
    Rule(
        "set_every",
        _R(
            rf"\b(?i:every|each|per)\s+(?:(?P<num>(?i:{NUMBER}))\s+)?(?P<what>(?i:{UNITS})|{WEEKDAY}|{MONTH}|(?i:{SEASON}))(?!\w)"
        ),
        _set_every,
        gate=("every", "each", "per"),
    ),
    Rule("adverb_set", _R(rf"\b(?P<adv>(?i:{_ADVERB_ALT}))(?!\w)"), _adverb_set, gate=tuple(_ADVERB_SETS)),
    Rule("plural_weekday", _R(rf"\b(?P<wds>(?:{_WD})s)(?!\w)"), _plural_weekday, gate=("days",)),
    Rule(
        "plural_season",
        _R(r"\b(?P<seasons>(?i:springs|summers|autumns|winters))(?!\w)"),
        _plural_season,
        gate=("springs", "summers", "autumns", "winters"),
    ),
    Rule("a_unit", _R(rf"\b(?i:a|an|per|one)\s+(?P<unit>(?i:{UNIT}))(?![\w-])"), _a_unit, gate=_UNIT_KEYS),
    Rule(
        "duration",
        _R(
            rf"\b(?:(?i:the)\s+)?(?:(?i:past|last|next|first|previous|coming|following|final|remaining|same|latest|initial|preceding)\s+)?"
            rf"(?P<num>(?i:{NUMBER})|(?i:{VAGUE}))[\s-]+(?:(?i:more|additional|further|straight|consecutive)\s+)?(?P<unit>(?i:{UNITS}))(?P<half>\s+and\s+a\s+half)?(?![\w-])"
        ),
        _duration,
        gate=_UNIT_KEYS,
    ),
    Rule(
        "plural_unit",
        _R(
            r"\b(?:(?i:recent|the past|the last|the coming|the next|the last few|the past few|the next few|the coming)\s+)?(?P<unit>(?i:seconds|minutes|hours|days|weeks|months|years|decades|centuries))(?![\w-])"
        ),
        _plural_unit,
        gate=_UNIT_KEYS,
    ),
    Rule("ref", _R(rf"\b(?i:{_REF_ALT})(?![\w-])"), _ref, gate=tuple(_REFS)),
]

# The views when.py reads, derived from GRAMMAR (so a rule and its gate cannot drift apart).
RULES: list[tuple[str, re.Pattern, Callable]] = [(r.name, r.pattern, r.handler) for r in GRAMMAR]
GATES: dict[str, tuple[str, ...]] = {r.name: r.gate for r in GRAMMAR if r.gate is not None}
# earlier rules win ties between spans of equal length
PRIORITY = {r.name: i for i, r in enumerate(GRAMMAR)}
