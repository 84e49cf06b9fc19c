"""TIMEX3 values read back: a label a person reads, and a place in time to sort by.

The normaliser writes values in TIMEX3's grammar (calendar dates at every granularity
with X for unknown digits, ISO weeks and weekends, quarters, halves, seasons, parts of
the day, durations, sets, PAST_REF/PRESENT_REF/FUTURE_REF) and the gold data of the
evaluations holds a few more (BC years, ranges). ``read`` is total: any string gets a
label, and a value that names no place in time (or that we cannot read) gets none and
sorts last. Calendar arithmetic is done on plain integers (days since 1970-01-01,
proleptic Gregorian), so no year is out of range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SEASON_NAMES = {"SP": "spring", "SU": "summer", "FA": "autumn", "WI": "winter"}
SEASON_MONTH = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
PART_NAMES = {"MO": "morning", "AF": "afternoon", "EV": "evening", "NI": "night", "MI": "midday", "DT": "daytime"}
_PART_HOUR = {"MO": 8, "MI": 12, "AF": 15, "DT": 12, "EV": 19, "NI": 22}
REFS = {"PAST_REF": "the past", "PRESENT_REF": "now", "FUTURE_REF": "the future"}

# finer values tell more (and sort first among values that start on the same day)
DAY, WEEK, MONTH, YEAR, DECADE, CENTURY, MILLENNIUM = 3, 2, 1, 0, -1, -2, -3

_DATE = re.compile(r"(?P<bc>BC)?(?P<year>[0-9X]{1,4})(?:-(?P<rest>[0-9A-SU-Z-]+))?(?:T(?P<time>[0-9A-Z:.+-]+))?")
_CLOCK = re.compile(r"(?P<h>[01]\d|2[0-4])(?::(?P<m>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?)?(?P<zone>Z|[+-]\d\d(?::?\d\d)?)?")
# TimeBank 1.2 also writes decades, centuries and millennia as E, C and L, and X for an unknown unit
_DURATION = re.compile(
    r"P(?P<date>(?:(?:\d+(?:\.\d+)?|X)(?:Y|M|W|D|Q|DE|CE|ML|WE|H|E|C|L|X))*)"
    r"(?:T(?P<time>(?:(?:\d+(?:\.\d+)?|X)[HMS])+))?"
)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?|X)(DE|CE|ML|WE|Y|M|W|D|Q|H|S|E|C|L|X)")
_DATE_UNITS = {
    "Y": "year",
    "M": "month",
    "W": "week",
    "D": "day",
    "Q": "quarter",
    "DE": "decade",
    "CE": "century",
    "ML": "millennium",
    "WE": "weekend",
    "H": "half",
    "E": "decade",
    "C": "century",
    "L": "millennium",
    "X": "period",
}
_TIME_UNITS = {"H": "hour", "M": "minute", "S": "second"}
_PLURAL = {"century": "centuries", "millennium": "millennia"}


@dataclass(frozen=True)
class Reading:
    label: str
    start: float | None = None  # days since 1970-01-01 of the first moment covered; None: nowhere in time
    granularity: int = YEAR
    known: bool = True  # False: not a value we can read, shown as written


def _as_written(v: str) -> Reading:
    return Reading(" ".join(v.split()), known=False)  # one line, whatever it holds


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date, for any integer year (Hinnant's algorithm)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _days_in_month(y: int, m: int) -> int:
    return days_from_civil(y + (m == 12), m % 12 + 1, 1) - days_from_civil(y, m, 1)


def civil_from_days(z: int) -> tuple[int, int, int]:
    """(year, month, day) of a day number (days since 1970-01-01), any year."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def day_range_label(first: int, last: int) -> str:
    """'4–10 March 2024', '26 February – 3 March 2024', '30 December 2024 – 5 January 2025'."""
    y1, m1, d1 = civil_from_days(first)
    y2, m2, d2 = civil_from_days(last)
    if (y1, m1) == (y2, m2):
        return f"{d1}–{d2} {MONTH_NAMES[m2 - 1]} {_year_label(y2)}"
    if y1 == y2:
        return f"{d1} {MONTH_NAMES[m1 - 1]} – {d2} {MONTH_NAMES[m2 - 1]} {_year_label(y2)}"
    return f"{d1} {MONTH_NAMES[m1 - 1]} {_year_label(y1)} – {d2} {MONTH_NAMES[m2 - 1]} {_year_label(y2)}"


def _iso_week_start(y: int, w: int) -> int:
    jan4 = days_from_civil(y, 1, 4)
    return jan4 - (jan4 + 3) % 7 + 7 * (w - 1)  # 1970-01-01 was a Thursday (weekday 3)


def _year_label(y: int) -> str:
    return f"{1 - y} BC" if y <= 0 else str(y)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def read(value: object) -> Reading:
    """The label and place in time of any TIMEX3 value; never raises."""
    v = str(value or "").strip()
    if not v:
        return Reading("")
    if v in REFS:
        return Reading(REFS[v])
    if "/" in v:
        return _read_range(v)
    if v.startswith("P"):
        return _read_duration(v)
    m = _DATE.fullmatch(v)
    if m is None:
        return _as_written(v)
    got = _read_date(m.group("bc"), m.group("year"), m.group("rest") or "")
    if got is None:
        return _as_written(v)
    if m.group("time"):
        return _with_time(got, m.group("time"), v)
    return got


def label(value: object) -> str:
    return read(value).label


def sort_key(value: object) -> tuple:
    """Values in time order; among those starting together the finer first; unplaceable ones last."""
    r = read(value)
    if r.start is None:
        return (1, 0.0, 0)
    return (0, r.start, -r.granularity)


def _read_range(v: str) -> Reading:
    a, _, b = v.partition("/")
    ra, rb = read(a), read(b)
    if not (ra.known and rb.known):
        return _as_written(v)
    return Reading(f"{ra.label} to {rb.label}", ra.start, ra.granularity)


def _read_duration(v: str) -> Reading:
    m = _DURATION.fullmatch(v)
    if m is None or not (m.group("date") or m.group("time")):
        return _as_written(v)
    parts = [(n, _DATE_UNITS[u]) for n, u in _DURATION_PART.findall(m.group("date") or "")]
    parts += [(n, _TIME_UNITS[u]) for n, u in _DURATION_PART.findall(m.group("time") or "")]
    words = []
    for n, unit in parts:
        plural = _PLURAL.get(unit, unit + "s")
        words.append(plural if n == "X" else f"{n} {unit if n == '1' else plural}")
    return Reading(" ".join(words))


def _read_date(bc: str | None, year: str, rest: str) -> Reading | None:
    """Years (with X digits for decades, centuries, unknown years) and what follows them."""
    digits = year.rstrip("X")
    if "X" in digits or "X" in year and len(year) != 4:
        return None  # "1X9X", "19X": not a TIMEX3 year
    if digits and len(digits) < 4:
        # "199X-03": a decade has no months ("199X-XX-XX" is the decade written out)
        return None if rest.strip("X-") else _read_span(bc, digits)
    y = int(digits) if digits else None  # XXXX: the year is not known
    if bc and y is not None:
        y = 1 - y  # BC0300 is 300 BC, ISO year -299
    if rest:
        return _read_rest(y, rest)
    if y is None:
        return Reading("an unknown year")
    return Reading(_year_label(y), days_from_civil(y, 1, 1), YEAR)


def _read_span(bc: str | None, digits: str) -> Reading:
    """'199' / '199X' the 1990s, '19' / '19XX' the 20th century, '1' / '1XXX' the 2nd millennium."""
    n = int(digits)
    size = 10 ** (4 - len(digits))
    first = n * size
    era = " BC" if bc else ""
    if bc:
        first = 1 - (first + size - 1)  # BC03: 399-300 BC, ISO years -398..-299
    if size == 10:
        return Reading(f"the {n * size}s{era}", days_from_civil(first, 1, 1), DECADE)
    if size == 100:
        return Reading(f"the {_ordinal(n + 1)} century{era}", days_from_civil(first, 1, 1), CENTURY)
    return Reading(f"the {_ordinal(n + 1)} millennium{era}", days_from_civil(first, 1, 1), MILLENNIUM)


def _read_rest(y: int | None, rest: str) -> Reading | None:
    """What follows the year: month, day, week, weekend, weekday, quarter, half, season."""
    year = "" if y is None else " " + _year_label(y)
    m = re.fullmatch(r"(\d\d|XX)(?:-(\d\d|XX))?", rest)
    if m:
        return _read_month_day(y, m.group(1), m.group(2))
    m = re.fullmatch(r"W(\d{1,2}|XX)(?:-(WE|[1-7]))?", rest)
    if m:
        return _read_week(y, m.group(1), m.group(2))
    m = re.fullmatch(r"([QH])([1-4X])", rest)
    if m:
        kind, n = m.groups()
        if n == "X":
            return Reading(
                f"a {'quarter' if kind == 'Q' else 'half'} of{year}"
                if y is not None
                else ("a quarter" if kind == "Q" else "a half-year")
            )
        if kind == "H" and n not in "12":
            return None
        first_month = 3 * int(n) - 2 if kind == "Q" else (1 if n == "1" else 7)
        start = days_from_civil(y, first_month, 1) if y is not None else None
        return Reading(f"{kind}{n}{year}", start, MONTH)
    if rest in SEASON_NAMES:
        start = days_from_civil(y, SEASON_MONTH[rest], 1) if y is not None else None
        return Reading(f"{SEASON_NAMES[rest]}{year}", start, MONTH)
    return None


def _read_month_day(y: int | None, mm: str, dd: str | None) -> Reading | None:
    year = "" if y is None else " " + _year_label(y)
    if mm == "XX":
        if y is None:
            return Reading("an unknown date")
        return Reading(f"a day in{year}" if dd else f"a month in{year}", days_from_civil(y, 1, 1), YEAR)
    mo = int(mm)
    if not 1 <= mo <= 12:
        return None
    name = MONTH_NAMES[mo - 1]
    start = None if y is None else days_from_civil(y, mo, 1)
    if dd is None or dd == "XX":
        return Reading(f"{name}{year}" if dd is None else f"a day in {name}{year}", start, MONTH)
    d = int(dd)
    if not 1 <= d <= (31 if y is None else _days_in_month(y, mo)):
        return None  # "2021-02-30" is no day
    if y is None:
        return Reading(f"{d} {name}")
    day = days_from_civil(y, mo, d)
    return Reading(f"{WEEKDAY_NAMES[(day + 3) % 7][:3]} {d} {name}{year}", day, DAY)


def _read_week(y: int | None, ww: str, suffix: str | None) -> Reading | None:
    year = "" if y is None else f" of {_year_label(y)}"
    if ww == "XX":
        if suffix and suffix.isdigit():
            return Reading(WEEKDAY_NAMES[int(suffix) - 1] + ("s" if y is None else f" of every week{year}"))
        return Reading(f"a weekend{year}" if suffix == "WE" else f"a week{year}")
    w = int(ww)
    if not 1 <= w <= 53:
        return None
    start = _iso_week_start(y, w) if y is not None else None
    if suffix == "WE":
        if start is not None:  # the days a reader can place: "weekend of 9–10 March 2024"
            return Reading(f"weekend of {day_range_label(start + 5, start + 6)}", start + 5, WEEK)
        return Reading(f"weekend of week {w}{year}", None, WEEK)
    if suffix:
        day = int(suffix)
        return Reading(f"{WEEKDAY_NAMES[day - 1]} of week {w}{year}", None if start is None else start + day - 1, DAY)
    if start is not None:  # "4–10 March 2024" rather than "week 10 of 2024"
        return Reading(day_range_label(start, start + 6), start, WEEK)
    return Reading(f"week {w}{year}", start, WEEK)


def _with_time(day: Reading, t: str, v: str) -> Reading:
    """A time of day after a date: a part of the day (TMO) or a clock time (T10:30, T24:00Z)."""
    hour: float
    if t in PART_NAMES:
        hour, what = _PART_HOUR[t], PART_NAMES[t]
    else:
        m = _CLOCK.fullmatch(t)
        if m is None:
            return _as_written(v)
        hour = int(m.group("h")) + int(m.group("m") or 0) / 60
        what = t
    start = None if day.start is None else day.start + hour / 24
    return Reading(f"{day.label} {what}", start, DAY)


def period_start(value: object) -> date:
    """The first day a value covers, as a date (clamped to what ``date`` holds; unplaceable: date.max)."""
    r = read(value)
    if r.start is None:
        return date.max
    epoch = date(1970, 1, 1).toordinal()
    ordinal = int(r.start // 1) + epoch
    return date.fromordinal(min(max(ordinal, 1), date.max.toordinal()))
