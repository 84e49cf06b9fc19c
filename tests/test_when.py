"""Time expressions: one handmade case per rule and granularity, weekday direction, the sample."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.extract.timex_normalize import canonical, parse_number, resolve_weekday
from briefing.extract.when import build_timeline, find_time_expressions, label_for, period_start
from briefing.models import Sentence

FRIDAY = date(2013, 3, 22)  # a Friday, as in issue #4
SAMPLE = Path(__file__).resolve().parent.parent.parent / "shared" / "samples" / "biden-putin-call.txt"


def tag(text: str, dct: date = FRIDAY) -> dict[str, tuple[str, str]]:
    found = find_time_expressions(text, dct)
    for t in found:  # the offsets contract every consumer relies on
        assert text[t.start : t.end] == t.text
    return {t.text: (t.type, t.value) for t in found}


def value_of(text: str, expr: str, dct: date = FRIDAY) -> str:
    found = tag(text, dct)
    assert expr in found, f"{expr!r} not found in {found}"
    return found[expr][1]


@pytest.mark.parametrize(
    "text, expr, value",
    [
        # days
        ("It was signed on March 21, 2013 in Paris.", "March 21, 2013", "2013-03-21"),
        ("The vote is on 21 March 2013.", "21 March 2013", "2013-03-21"),
        ("The filing, dated 2013-03-02, was late.", "2013-03-02", "2013-03-02"),
        ("Shares fell on Jan. 10.", "Jan. 10", "2013-01-10"),
        ("He left yesterday.", "yesterday", "2013-03-21"),
        ("She arrives tomorrow.", "tomorrow", "2013-03-23"),
        ("The market is closed today.", "today", "2013-03-22"),
        ("The Times said in an editorial on Saturday, March 16: no.", "Saturday, March 16", "2013-03-16"),
        # months, years, weeks, seasons, quarters, halves, decades, centuries
        ("Sales rose in February.", "February", "2013-02"),
        ("Prices peaked in July 2011.", "July 2011", "2011-07"),
        ("Prices fell this month.", "this month", "2013-03"),
        ("Prices fell last month.", "last month", "2013-02"),
        ("It was built in 1998.", "1998", "1998"),
        ("Profit rose last year.", "last year", "2012"),
        ("Growth will slow next year.", "next year", "2014"),
        ("The deal closed last week.", "last week", "2013-W11"),
        ("Markets calmed this week.", "this week", "2013-W12"),
        ("Stocks rallied last summer.", "last summer", "2012-SU"),
        ("The plant opens in the spring of 2014.", "the spring of 2014", "2014-SP"),
        ("Profit rose in the first quarter.", "the first quarter", "2013-Q1"),
        ("Profit fell in the fourth quarter of 2012.", "the fourth quarter of 2012", "2012-Q4"),
        ("Sales doubled in the first half of 2012.", "the first half of 2012", "2012-H1"),
        ("Music of the 1960s returned.", "the 1960s", "196"),
        ("Art of the 20th century.", "the 20th century", "19"),
        ("It happened in nineteen ninety-six.", "nineteen ninety-six", "1996"),
        ("He visited three years ago.", "three years ago", "2010"),
        ("They met two weeks ago.", "two weeks ago", "2013-W10"),
        ("It was passed in 1995 and amended the following year.", "the following year", "1996"),
        # times of day
        ("The blast came at 8 p.m. yesterday.", "8 p.m. yesterday", "2013-03-21T20:00"),
        ("Talks broke off at noon Thursday.", "noon Thursday", "2013-03-21T12:00"),
        ("He will speak tonight.", "tonight", "2013-03-22TNI"),
        ("She spoke this morning.", "this morning", "2013-03-22TMO"),
        ("Fires burned last night.", "last night", "2013-03-21TNI"),
        # durations
        ("The strike lasted 90 days.", "90 days", "P90D"),
        ("A 10-year bond.", "10-year", "P10Y"),
        ("It took the past two months.", "the past two months", "P2M"),
        ("Talks went on for several months.", "several months", "PXM"),
        ("He waited for years.", "years", "PXY"),
        ("It took 24 hours.", "24 hours", "P1D"),
        ("A 50-minute call.", "50-minute", "PT50M"),
        # sets
        ("It earns $2 million a year.", "a year", "P1Y"),
        ("The paper appears daily.", "daily", "P1D"),
        ("Rates are set every week.", "every week", "P1W"),
        ("They march each Thursday.", "each Thursday", "XXXX-WXX-4"),
        ("He skis winters in Utah.", "winters", "XXXX-WI"),
        # references
        ("Prices are now falling.", "now", "PRESENT_REF"),
        ("He currently lives in Rome.", "currently", "PRESENT_REF"),
        ("She recently moved.", "recently", "PAST_REF"),
        ("We will see in the future.", "the future", "FUTURE_REF"),
    ],
)
def test_each_rule_and_granularity(text, expr, value):
    assert value_of(text, expr) == value


@pytest.mark.parametrize(
    "text, expr, type_",
    [
        ("It earns $2 million a year.", "a year", "SET"),
        ("He stayed for a year.", "a year", "DURATION"),
        ("The strike lasted 90 days.", "90 days", "DURATION"),
        ("The blast came at 8 p.m. yesterday.", "8 p.m. yesterday", "TIME"),
        ("Profit rose last year.", "last year", "DATE"),
    ],
)
def test_types(text, expr, type_):
    assert tag(text)[expr][0] == type_


@pytest.mark.parametrize(
    "text, value",
    [
        ("The court ruled Friday that the law stands.", "2013-03-22"),  # same day as the DCT
        ("The minister said Wednesday that talks failed.", "2013-03-20"),  # past: earlier this week
        ("The leaders will meet Monday in Geneva.", "2013-03-25"),  # future: the coming Monday
        ("The vote is scheduled for Tuesday.", "2013-03-26"),
        ("Police said Monday they had arrested him.", "2013-03-18"),
        ("The offer had been due to expire Tuesday.", "2013-03-19"),  # a plan told in the past
        ("He criticised Wednesday's ruling, which he will appeal.", "2013-03-20"),
        ("They met last Friday.", "2013-03-15"),  # explicit: never the DCT
        ("They meet next Friday.", "2013-03-29"),
    ],
)
def test_weekday_direction(text, value):
    found = find_time_expressions(text, FRIDAY)
    weekdays = [t for t in found if any(d in t.text for d in ("day",))]
    assert weekdays and weekdays[0].value == value, found


def test_month_day_year_follows_the_nearest_occurrence():
    # a December article speaks of the coming January, a January one of the past December
    assert value_of("Talks are set for Jan. 10.", "Jan. 10", date(2021, 12, 30)) == "2022-01-10"
    assert value_of("Talks were held Dec. 28.", "Dec. 28", date(2022, 1, 3)) == "2021-12-28"


def test_quarter_context_makes_a_year_ago_a_quarter():
    text = "Profit rose in the third quarter. A year earlier, the company lost money."
    found = tag(text, date(1989, 10, 30))
    assert found["the third quarter"][1] == "1989-Q3"
    assert found["A year earlier"][1] == "1988-Q3"


@pytest.mark.parametrize(
    "text",
    [
        "You may go now, she said, and he may stay.",  # only "now" is a time
        "Prices fall when demand falls.",
        "Iraq imports three-quarters of its food.",
        "Mr. Smith, 52 years old, will retire.",
        "A second group of investors joined.",
    ],
)
def test_no_false_alarms(text):
    found = tag(text)
    assert all(v[1] == "PRESENT_REF" for v in found.values()), found


def test_weekday_resolution_directly():
    thursday = date(2021, 12, 30)
    assert resolve_weekday(thursday, 3, 0) == thursday
    assert resolve_weekday(thursday, 2, -1) == date(2021, 12, 29)
    assert resolve_weekday(thursday, 0, 1) == date(2022, 1, 3)


def test_helpers():
    assert parse_number("twenty four") == 24
    assert parse_number("a hundred") == 100
    assert parse_number("several") is None
    assert canonical("2000-W7") == "2000-W07"
    assert label_for("2021-12-30") == "Thu 30 December 2021"
    assert label_for("2021-W51") == "20–26 December 2021"
    assert period_start("2021-W51") < period_start("2021-12-30")


@pytest.mark.skipif(not SAMPLE.is_file(), reason="project sample ../shared/samples/biden-putin-call.txt absent")
def test_sample_article_expectations():
    text = SAMPLE.read_text(encoding="utf-8")
    found = tag(text, date(2021, 12, 30))
    expected = {
        "Thursday": "2021-12-30",
        "Jan. 10": "2022-01-10",
        "this month": "2021-12",
        "last week": "2021-W51",
        "next month": "2022-01",
        "Wednesday": "2021-12-29",
        "December 7, 2021": "2021-12-07",
        "2014": "2014",
    }
    for expr, value in expected.items():
        assert found.get(expr, (None, None))[1] == value, (expr, found.get(expr))


def test_timeline_is_short_dated_and_in_time_order():
    text = (
        "Leaders met Thursday in Geneva. They will meet again on Jan. 10. "
        "Officials said last week that talks were now urgent. The talks lasted two hours."
    )
    sentences, pos = [], 0
    for i, s in enumerate(text.split(". ")):
        s = s if s.endswith(".") else s + "."
        start = text.index(s[:-1], pos)
        sentences.append(Sentence(text=s, start=start, end=start + len(s), index=i))
        pos = start + len(s) - 1
    dct = date(2021, 12, 30)
    events = build_timeline(text, sentences, find_time_expressions(text, dct), dct, limit=6)
    values = [e.value for e in events]
    assert values == ["2021-W51", "2021-12-30", "2022-01-10"]  # no PRESENT_REF, no duration
    assert events[1].what == "Leaders met Thursday in Geneva."
    assert events[2].label == "Mon 10 January 2022"
    assert len(build_timeline(text, sentences, find_time_expressions(text, dct), dct, limit=2)) == 2


def test_key_word_windows_find_what_a_full_scan_finds(monkeypatch):
    """The scan only looks around each rule's key words; it must find exactly what scanning
    the whole text finds (long prefixes, expressions far apart, at both ends of the text)."""
    from briefing.extract import timex_rules

    text = (
        "Friday: "
        + "Filler words without any time in them at all. " * 40
        + "Profit rose in the first half of fiscal 1989 and about two and a half years ago, "
        + "the company said at 8am on Jan. 10, 2013. "
        + "More filler text here. " * 30
        + "It meets every Thursday, now and in the near future, until the end of next year"
    )
    windowed = [(t.start, t.end, t.value) for t in find_time_expressions(text, FRIDAY)]
    monkeypatch.setattr(timex_rules, "GATES", {})
    full = [(t.start, t.end, t.value) for t in find_time_expressions(text, FRIDAY)]
    assert windowed == full and len(full) >= 8


def test_quarter_span_starts_at_the_word():
    found = find_time_expressions("Kimberly-Clark posted a 20% gain in third-quarter net.", date(1989, 11, 1))
    assert [(t.text, t.value) for t in found] == [("third-quarter", "1989-Q3")]


def test_weekday_evening_keeps_its_part_of_day():
    assert tag("A woman was killed Thursday evening in Brooklyn.")["Thursday evening"] == ("TIME", "2013-03-21TEV")


@pytest.mark.parametrize(
    "text, expr, value",
    [
        # a passive future is not a past participle: "will be named ... in December" lies ahead
        ("Collins will be named commander for a mission in December.", "December", "2013-12"),
        # "until" takes the tense of its clause
        ("Until Thursday, they had not called him a suspect.", "Thursday", "2013-03-14"),
        ("The offer runs until Thursday.", "Thursday", "2013-03-21"),
        # a plan points forward
        ("Protesters planned a large demonstration on Saturday.", "Saturday", "2013-03-23"),
        # an irregular past tense verb nearer than the future cue points back
        ("The chairman, who will retire, sold his shares Monday.", "Monday", "2013-03-18"),
    ],
)
def test_tense_cues(text, expr, value):
    assert value_of(text, expr, date(2013, 3, 20) if "Thursday" in text else FRIDAY) == value


def test_reported_quarter_is_the_latest_one_over():
    text = (
        "Travelers posted third-quarter profit. The quake will result in a fourth-quarter charge. "
        "Earnings fell 59% in the latest quarter, compared with $6.1 million a year ago. "
        "This quarter's loss includes charges."
    )
    found = tag(text, date(1989, 11, 2))
    assert found["fourth-quarter"][1] == "1989-Q4"  # a forecast is still named as such
    assert found["the latest quarter"][1] == "1989-Q3"  # ... but the reported quarter stays
    assert found["a year ago"][1] == "1988-Q3"
    assert found["This quarter"][1] == "1989-Q3"
    background = tag(
        "Profit rose in the third quarter. After a flat second quarter, sales grew. "
        "Charges were taken in the year-earlier period.",
        date(1989, 11, 1),
    )
    assert background["the year-earlier period"][1] == "1988-Q3"
    assert tag("Profit will rise in the current quarter.", date(1989, 11, 1))["the current quarter"][1] == "1989-Q4"


def test_last_year_in_quarterly_comparison_is_that_quarter_a_year_back():
    text = (
        "Travelers posted third-quarter profit of $24 million, compared with a loss of "
        "$3 million last year. The company lost money last year in Europe."
    )
    found = find_time_expressions(text, date(1989, 11, 2))
    assert [t.value for t in found if t.text == "last year"] == ["1988-Q3", "1988"]


def test_fractions_and_halves_of_units():
    assert value_of("They lived in camps for 2 1/2 years.", "2 1/2 years") == "P2Y6M"
    assert value_of("She spent about 5 1/2 hours in Nairobi.", "5 1/2 hours") == "PT5H30M"
    assert value_of("A minute and a half later, a pilot called.", "A minute and a half") == "PT1M30S"
    assert value_of("It took two and a half years.", "two and a half years") == "P2Y6M"
    assert value_of("Earnings will fall in the last half of 1989.", "the last half of 1989") == "1989-H2"


def test_bare_month_abbreviation_before_a_name_is_a_name():
    assert "Jan" not in tag("The Czech foreign minister, Jan Kavan, signed.")
    assert value_of("Prices rose in Jan and fell later.", "Jan") == "2013-01"


@pytest.mark.parametrize(
    "text, expr, value",
    [
        # counted from an event in the story, not from the DCT: TimeBank writes the length
        ("Three days later, the index recovered.", "Three days", "P3D"),
        ("The banks must wait at least 30 days before closing.", "30 days", "P30D"),
        ("A few days later, the company announced losses.", "A few days", "PXD"),
        ("A day earlier, trucks crossed the border.", "A day earlier", "P1D"),
        # counted from the DCT
        ("He visited three years ago.", "three years ago", "2010"),
        ("Profit was lower a year earlier.", "a year earlier", "2012"),
    ],
)
def test_event_relative_offsets_are_lengths(text, expr, value):
    assert value_of(text, expr) == value


def test_the_following_month_follows_the_story_s_month():
    text = "In March, a shareholder urged a sale. The following month, the company put itself up for sale."
    assert value_of(text, "The following month", date(1989, 10, 27)) == "1989-04"
    assert value_of("Sales rose the following month.", "the following month") == "2013-04"  # no story month


def test_one_day_after_a_modal_is_someday():
    assert value_of("Islam will one day be the second largest religion.", "one day") == "FUTURE_REF"
    assert value_of("He had only been in the job one day.", "one day") == "P1D"


def test_high_noon_is_no_time():
    assert tag("For the people of Poland, high noon comes today.") == {"today": ("DATE", "2013-03-22")}
    assert value_of("Talks resume at noon.", "noon") == "2013-03-22T12:00"


def test_spelled_out_day_of_month():
    text = "International Women's Day is this coming Sunday, March eighth."
    assert value_of(text, "Sunday, March eighth", date(1998, 3, 5)) == "1998-03-08"
    assert value_of("It ended on June twenty-first, 1998.", "June twenty-first, 1998") == "1998-06-21"


def test_utc_clock_times_and_month_of_next_year():
    assert value_of("GM filed at 12:00 UTC Monday.", "12:00 UTC Monday", date(2009, 6, 1)) == "2009-06-01T12:00Z"
    assert value_of("The blast came at 8 p.m. yesterday.", "8 p.m. yesterday") == "2013-03-21T20:00"  # no zone named
    assert (
        value_of("Franchises end after October of next year.", "October of next year", date(2009, 5, 15)) == "2010-10"
    )


# --- every value renders, no date arithmetic raises (issue: real news never stops a run) ---


def _brief(text: str, published: date | None = None):
    from briefing.brief import BriefOptions, build_brief
    from briefing.render import FORMATS, render
    from briefing.sources import parse_text

    brief = build_brief(parse_text(text, name="t"), BriefOptions(published=published))
    for fmt in FORMATS:
        assert render(brief, fmt)
    return brief


def test_winter_and_other_seasons_render_in_the_timeline():
    brief = _brief(
        "This winter was cold, officials said. The winter season will be long.\n\n"
        "In the winter of 2022 prices rose. Last spring they fell. Next summer they rise.",
        date(2024, 3, 14),
    )
    labels = [e.label for e in brief.timeline]
    assert "winter 2022" in labels and "winter 2024" in labels and "spring 2023" in labels
    assert labels.index("winter 2022") < labels.index("spring 2023") < labels.index("winter 2024")


@pytest.mark.parametrize(
    "text, published",
    [
        ("The dynasty ended 999999 days ago, experts said.", date(2024, 3, 14)),
        ("The dynasty ended 999999 years ago, experts said. It began 99999 weeks from now.", date(2024, 3, 14)),
        ("The fair is next weekend, the mayor said. It opens tomorrow and runs next week.", date(9999, 12, 31)),
        ("The fair was last week, the mayor said. It closed yesterday, last night.", date(1, 1, 1)),
        ("The deal was signed on Feb. 30 in Paris, officials said.", date(2024, 3, 14)),
        ("People lived there in 10,000 BC, experts said. The year 99999 is far away.", date(2024, 3, 14)),
        ("Two centuries ago the town was founded, the mayor said, and three decades ago it grew.", date(150, 6, 1)),
    ],
)
def test_date_arithmetic_out_of_range_is_left_out(text, published):
    brief = _brief(text, published)
    for t in brief.when:
        assert text[t.start : t.end] == t.text and t.value
    assert "Feb. 30" not in {t.text for t in brief.when}


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(["2009", "in 2010", "97 apps", "22 goals", "Madrid", "on Monday", "x", "(2006-09)", ""]),
        min_size=1,
        max_size=12,
    ),
    seps=st.lists(st.sampled_from([", ", ": ", "; ", " ", " (", ") ", " — "]), min_size=12, max_size=12),
)
def test_clause_around_ends_and_holds_its_expression(pieces, seps):
    """A sentence of many one-word clauses (a career table run into the text) once looped for ever
    looking for four words: the clause shown always ends and always holds the date."""
    import signal

    from briefing.extract.when import build_timeline, find_time_expressions
    from briefing.text import split_sentences

    text = "Spells" + "".join(sep + p for sep, p in zip(seps, pieces)) + "."
    signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(TimeoutError(text)))
    signal.alarm(5)
    try:
        timexes = find_time_expressions(text, date(2015, 4, 1))
        for ev in build_timeline(text, split_sentences(text), timexes, date(2015, 4, 1)):
            assert ev.text in ev.what
    finally:
        signal.alarm(0)
