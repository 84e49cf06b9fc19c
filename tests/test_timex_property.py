"""Property tests: every TIMEX3 value gets a label and a place in the timeline's order, and every
expression the normaliser tags against any publication date yields a value the reader understands."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.extract.timex_values import read, sort_key
from briefing.extract.when import build_timeline, find_time_expressions, label_for, period_start
from briefing.models import Sentence, TimeExpression

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

years = st.one_of(st.integers(1, 9999).map(lambda y: f"{y:04d}"), st.just("XXXX"))
months = st.integers(1, 12).map(lambda m: f"{m:02d}")
days = st.integers(1, 28).map(lambda d: f"{d:02d}")
parts_of_day = st.sampled_from(["MO", "AF", "EV", "NI", "MI", "DT"])
clock = st.builds(
    lambda h, m, z: f"{h:02d}:{m:02d}{z}",
    st.integers(0, 24),
    st.integers(0, 59),
    st.sampled_from(["", "Z", "+01:00", "-0500"]),
)
rest = st.one_of(
    months,
    st.builds(lambda m, d: f"{m}-{d}", months, days),
    st.builds(lambda w, s: f"W{w:02d}{s}", st.integers(1, 53), st.sampled_from(["", "-WE", "-1", "-7"])),
    st.just("WXX-3"),
    st.builds(lambda q: f"Q{q}", st.sampled_from("1234X")),
    st.builds(lambda h: f"H{h}", st.sampled_from("12")),
    st.sampled_from(["SP", "SU", "FA", "WI", "XX", "XX-XX"]),
)
dates = st.builds(
    lambda y, r, t: f"{y}-{r}{t}",
    years,
    rest,
    st.one_of(st.just(""), parts_of_day.map("T".__add__), clock.map("T".__add__)),
)
spans = st.one_of(
    st.integers(100, 999).map(str),
    st.integers(10, 99).map(str),  # decades, centuries
    st.integers(100, 999).map(lambda d: f"{d}X"),
    st.integers(10, 99).map(lambda c: f"{c}XX"),
    st.integers(1, 9).map(lambda m: f"{m}XXX"),
    st.integers(1, 9999).map(lambda y: f"BC{y:04d}"),
    st.integers(1, 99).map(lambda c: f"BC{c:02d}"),
)
amount = st.one_of(st.integers(0, 10**6).map(str), st.just("X"), st.just("1.5"))
durations = st.one_of(
    st.builds(lambda n, u: f"P{n}{u}", amount, st.sampled_from(["Y", "M", "W", "D", "Q", "DE", "CE", "WE"])),
    st.builds(lambda n, u: f"PT{n}{u}", amount, st.sampled_from(["H", "M", "S"])),
    st.sampled_from(["P2Y6M", "PT5H30M", "P1DT12H", "P1.5Y"]),
)
refs = st.sampled_from(["PAST_REF", "PRESENT_REF", "FUTURE_REF"])
grammar = st.one_of(years, dates, spans, durations, refs, st.builds(lambda a, b: f"{a}/{b}", dates, dates))
anything = st.one_of(grammar, st.text(max_size=30))


def test_labels_are_one_line():
    assert label_for("2021\n12") == "2021 12" and label_for("  garbage\r\nvalue ") == "garbage value"


@pytest.mark.slow
@FAST
@given(anything)
def test_every_value_has_a_label_and_a_sort_key(value):
    text = label_for(value)
    assert isinstance(text, str) and (text or not value.strip())
    assert "\n" not in text
    key = sort_key(value)
    assert sorted([key, sort_key("2021-12-30"), sort_key("P3D")])  # comparable with any other key
    assert isinstance(period_start(value), date)


@pytest.mark.slow
@FAST
@given(grammar)
def test_values_of_the_grammar_read_as_themselves_not_raw(value):
    r = read(value)
    assert r.known and r.label, value


@FAST
@given(st.dates(), st.integers(-400, 400))
def test_days_sort_in_calendar_order(d, delta):
    try:
        e = d + timedelta(days=delta)
    except OverflowError:
        return
    a, b = d.isoformat(), e.isoformat()
    assert (sort_key(a) < sort_key(b)) == (d < e)
    assert period_start(a) == d
    assert label_for(a).startswith(d.strftime("%a") + f" {d.day} ")


@pytest.mark.slow
@FAST
@given(
    st.integers(1, 9998),
    st.sampled_from(["SP", "SU", "FA", "WI", "Q1", "Q4", "H1", "H2", "W07", "W51-WE", "01", "12", "06-15", "06-15TMO"]),
)
def test_a_part_of_a_year_sorts_within_its_year(y, part):
    value = f"{y:04d}-{part}"
    assert read(f"{y:04d}").start <= read(value).start < read(f"{y + 1:04d}").start


def test_granularities_order_a_timeline():
    values = ["2022-WI", "2022-12-01", "2022", "2022-Q4", "2022-W47-WE", "199X", "2022-12", "PAST_REF", "P3D"]
    ordered = sorted(values, key=sort_key)
    assert ordered[0] == "199X"
    assert ordered[-2:] == ["PAST_REF", "P3D"]  # nowhere in time: last, in their order
    # the same first day: the finer value first
    assert ordered.index("2022-12-01") < ordered.index("2022-12") and ordered.index("2022-12-01") < ordered.index(
        "2022-WI"
    )
    assert ordered.index("2022-Q4") < ordered.index("2022-W47-WE") < ordered.index("2022-12-01")


@pytest.mark.slow
@FAST
@given(
    st.sampled_from(["SP", "SU", "FA", "WI", "Q3", "H2", "W07", "W07-WE", "03-14TMO", "03-14T10:30"]),
    st.integers(1, 9999),
)
def test_build_timeline_takes_any_specific_value(part, y):
    value = f"{y:04d}-{part}"
    text = "It happened then. Officials said so."
    sents = [
        Sentence(text="It happened then.", start=0, end=17, index=0),
        Sentence(text="Officials said so.", start=18, end=36, index=1),
    ]
    timexes = [
        TimeExpression(text="then", start=12, end=16, type="DATE", value=value),
        TimeExpression(text="so", start=33, end=35, type="DATE", value=f"{y:04d}-01-01"),
    ]
    events = build_timeline(text, sents, timexes, date(2024, 3, 14))
    assert events and all(e.label for e in events)


PHRASES = [
    "this winter",
    "the winter season",
    "the winter of 2022",
    "last spring",
    "next summer",
    "Q3",
    "the third quarter",
    "the first half",
    "the 1990s",
    "the '90s",
    "the nineties",
    "the 21st century",
    "the weekend",
    "next weekend",
    "last week",
    "this week",
    "yesterday",
    "tomorrow",
    "tonight",
    "Friday morning",
    "Friday evening",
    "last night",
    "999999 days ago",
    "999999 years ago",
    "999999 weeks from now",
    "Feb. 30",
    "February 30, 2021",
    "10,000 BC",
    "the year 99999",
    "every Monday",
    "each winter",
    "recently",
    "now",
    "three decades ago",
    "two centuries ago",
    "9999 years from now",
    "Christmas",
    "New Year's Day",
    "Thanksgiving",
    "at 10:30 p.m. Sunday",
    "midnight Friday",
    "the fiscal year 2021",
    "year-end",
    "a year ago",
    "the year-ago period",
    "the following year",
    "March 2022",
    "in May",
    "last March",
    "next December",
    "summers",
    "Mondays",
    "daily",
]


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PHRASES), min_size=1, max_size=4), st.dates(min_value=date.min, max_value=date.max))
def test_normaliser_never_raises_and_writes_readable_values(phrases, dct):
    text = " ".join(f"The board met {p} and said it would act." for p in phrases)
    for t in find_time_expressions(text, dct):
        assert text[t.start : t.end] == t.text
        assert t.value, t
        r = read(t.value)
        assert r.known, (t.text, t.value)
        if r.start is not None and re.match(r"\d{4}(?:$|[-T])", t.value):
            assert 0 <= int(t.value[:4]) <= 9999  # 0000 is ISO 8601's 1 BC ("last year" in year 1)


@pytest.mark.data
def test_every_gold_value_of_timebank_is_read():
    """The gold data holds forms the normaliser never writes (PXE, P2L, 199X-XX-XX): still read."""
    import json
    from pathlib import Path

    import pytest

    path = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "timex" / "timebank_aquaint.jsonl"
    if not path.is_file():
        pytest.skip("../shared/data/timex/timebank_aquaint.jsonl absent")
    values = {t["value"] for line in path.open(encoding="utf-8") for t in json.loads(line)["timexes"] if t.get("value")}
    assert len(values) > 300
    assert [v for v in sorted(values) if not read(v).known] == []
