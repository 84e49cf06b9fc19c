"""Calendar arithmetic and TIMEX3 value formatting, relative to the publication date (DCT).

Kept apart from the grammar (timex_rules.py) so the arithmetic can be tested on its own:
every function here takes plain dates/ints and returns a TIMEX3 value string.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
# TIMEX3 part-of-day codes
PARTS_OF_DAY = {
    "morning": "MO",
    "afternoon": "AF",
    "evening": "EV",
    "night": "NI",
    "tonight": "NI",
    "overnight": "NI",
    "midday": "MI",
    "mid-day": "MI",
    "mid-afternoon": "AF",
    "mid afternoon": "AF",
    "daybreak": "MO",
    "dawn": "MO",
    "dusk": "EV",
}

_SMALL = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "a": 1,
    "an": 1,
    "single": 1,
    "dozen": 12,
    "a dozen": 12,
    "couple": 2,
    "a couple of": 2,
    "a couple": 2,
    "half": 0.5,
    "a half": 0.5,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "twentieth": 20,
    "twenty-first": 21,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "6th": 6,
    "7th": 7,
    "8th": 8,
    "9th": 9,
    "10th": 10,
    "11th": 11,
    "12th": 12,
    "19th": 19,
    "20th": 20,
    "21st": 21,
}

# unit word -> (ISO 8601 designator, needs the T time marker)
UNITS = {
    "second": ("S", True),
    "minute": ("M", True),
    "hour": ("H", True),
    "day": ("D", False),
    "night": ("D", False),
    "week": ("W", False),
    "weekend": ("WE", False),
    "fortnight": ("W", False),
    "month": ("M", False),
    "quarter": ("Q", False),
    "year": ("Y", False),
    "decade": ("DE", False),
    "century": ("CE", False),
    "centurie": ("CE", False),
}


# unit -> (how many of the next smaller unit it holds, that unit's designator)
_SMALLER = {"year": (12, "M"), "day": (24, "H"), "hour": (60, "M"), "minute": (60, "S"), "week": (7, "D")}


def parse_number(words: str) -> float | None:
    """'twenty four' -> 24, 'a' -> 1, '1.5' -> 1.5; None for vague quantities ('several')."""
    w = " ".join(words.lower().replace("-", " ").split())
    if not w:
        return None
    try:
        return float(w.replace(",", ""))
    except ValueError:
        pass
    half = re.fullmatch(r"(.+?)(?: and a half| 1/2)", w)
    if half:  # "2 1/2", "two and a half"
        whole = parse_number(half.group(1))
        return whole + 0.5 if whole is not None else None
    if w in _SMALL:
        return _SMALL[w]
    parts = w.split()
    total: float = 0
    for p in parts:
        if p in _TENS:
            total += _TENS[p]
        elif p in ("a", "an") and len(parts) > 1:
            continue
        elif p in _SMALL:
            total += _SMALL[p]
        elif p in ("hundred", "thousand"):
            total = max(total, 1) * (100 if p == "hundred" else 1000)
        elif p == "and":
            continue
        else:
            return None
    return total or None


def unit_of(word: str) -> str:
    """'years' -> 'year', 'centuries' -> 'century'."""
    w = word.lower().rstrip(".")
    if w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith("s") and w[:-1] in UNITS:
        return w[:-1]
    return w


def duration(n: float | None, unit: str) -> str:
    """P3Y, PT24H, P1.5Y, PXM (n None = unspecified amount)."""
    code, timed = UNITS[unit]
    if unit == "hour" and n and float(n).is_integer() and n % 24 == 0:
        unit, code, timed, n = "day", "D", False, n // 24  # TimeBank writes "24 hours" as P1D
    if unit == "fortnight" and n is not None:
        n *= 2
    if unit == "weekend":  # TimeBank writes a weekend's length in days
        code, n = "D", (2 * n if n is not None else None)
    if n is None:
        amount = "X"
    elif float(n).is_integer():
        amount = str(int(n))
    elif unit in _SMALLER and float(n * _SMALLER[unit][0]).is_integer():
        # TIMEX3 writes fractions in the next smaller unit: 2 1/2 years P2Y6M, 5 1/2 hours PT5H30M
        per, small = _SMALLER[unit]
        whole, rest = int(n), round((n - int(n)) * per)
        head = f"{whole}{code}" if whole else ""
        if timed:
            return f"PT{head}{rest}{small}"
        return f"P{head}T{rest}H" if small == "H" else f"P{head}{rest}{small}"
    else:
        amount = f"{n:g}"
    return ("PT" if timed else "P") + amount + code


def day(d: date) -> str:
    return d.isoformat()


def month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def quarter_of(d: date) -> int:
    return (d.month - 1) // 3 + 1


def add_months(y: int, m: int, k: int) -> tuple[int, int]:
    idx = y * 12 + (m - 1) + k
    return idx // 12, idx % 12 + 1


def shift(dct: date, n: int, unit: str) -> str:
    """The date n units away from dct, at that unit's granularity ('two weeks ago' -> a week)."""
    if unit in ("day", "night"):
        return day(dct + timedelta(days=n))
    if unit in ("week", "fortnight"):
        return week(dct + timedelta(weeks=n * (2 if unit == "fortnight" else 1)))
    if unit == "weekend":
        return week(dct + timedelta(weeks=n)) + "-WE"
    if unit == "month":
        return month(*add_months(dct.year, dct.month, n))
    if unit == "quarter":
        y, q = divmod((dct.year * 4 + quarter_of(dct) - 1) + n, 4)
        return f"{y:04d}-Q{q + 1}"
    if unit == "year":
        return f"{dct.year + n:04d}"
    if unit == "decade":
        return f"{(dct.year // 10 + n):03d}"
    if unit in ("century", "centurie"):
        return f"{(dct.year // 100 + n):02d}"
    if unit in ("hour", "minute", "second"):
        return day(dct)  # below a day we do not know the DCT's time of day
    raise ValueError(unit)


def resolve_weekday(dct: date, wd: int, direction: int) -> date:
    """The weekday ``wd`` nearest the DCT in ``direction`` (-1 past, +1 future, 0 same day allowed).

    News convention: a weekday named in a report is the most recent one (today included) unless
    the verb points forward; 'will meet Monday' in a Thursday article is the coming Monday.
    """
    diff = wd - dct.weekday()
    if direction > 0:
        return dct + timedelta(days=diff % 7)
    return dct - timedelta(days=(-diff) % 7)


def resolve_weekday_strict(dct: date, wd: int, direction: int) -> date:
    """'last Friday' / 'next Friday': never the DCT itself."""
    diff = wd - dct.weekday()
    if direction > 0:
        return dct + timedelta(days=diff % 7 or 7)
    return dct - timedelta(days=(-diff) % 7 or 7)


def resolve_month_year(dct: date, m: int, direction: int) -> int:
    """Year of a month named without one. direction: +1 future, -1 past, 0 unknown.

    Without a cue, a month up to four months ahead of the DCT is the coming one ("in January"
    in an October article: deadlines, payments, plans); any other is the most recent one,
    as news mostly reports the past.
    """
    ahead = (m - dct.month) % 12
    if direction > 0 or (direction == 0 and 1 <= ahead <= 4):
        return dct.year + (1 if m < dct.month else 0)
    return dct.year if m <= dct.month else dct.year - 1


def resolve_month_day_year(dct: date, m: int, d: int, direction: int) -> int:
    """Year of 'Jan. 10' without one: the nearest such date, unless the tense says which side."""
    # nearest, but news mostly reports the past: a future date must be clearly nearer,
    # unless the verb looks forward
    future_weight, past_weight = (0.5, 1.5) if direction > 0 else (1.5, 1.0)
    best, best_cost = None, None
    for y in (dct.year - 1, dct.year, dct.year + 1):
        try:
            cand = date(y, m, d)
        except ValueError:
            continue
        delta = (cand - dct).days
        cost = delta * future_weight if delta > 0 else -delta * past_weight
        if best_cost is None or cost < best_cost:
            best, best_cost = cand, cost
    return best.year if best else dct.year


_WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})(.*)$")


def canonical(value: str | None) -> str | None:
    """One spelling per TIMEX3 value (gold data writes both 2000-W7 and 2000-W07)."""
    if not value:
        return value
    m = _WEEK_RE.match(value)
    if m:
        return f"{m.group(1)}-W{int(m.group(2)):02d}{m.group(3)}"
    return value
