"""The publication date an article prints at its head: stamps, wire datelines, bylines; never an event date."""

from datetime import date

import pytest

from briefing.extract.dateline import find_dateline

STAMPED = [
    ("May 03, 2013\nAfter skipping out on rehab, she returned.", date(2013, 5, 3), "date line"),
    ("Headline here\nPUBLISHED: THURSDAY, MAY 2, 2013, 1:32 PM\nUPDATED: FRIDAY, MAY 3, 2013, 9:56 AM\nText.",
     date(2013, 5, 2), "published"),
    ("UPDATED 05 / 03 / 2013 at 11:00 AM EDT\nOriginally published 05 / 02 / 2013 at 10:20 AM EDT\nText.",
     date(2013, 5, 2), "published"),
    ("UPDATED 3:09 AM EST Dec 19, 2008\nText of the story.", date(2008, 12, 19), "updated"),
    ("12:52 p. m. EDT May 2, 2013\nShe checked in today.", date(2013, 5, 2), "date line"),
    ("Posted on Thu Jun 13, 2013 08:45 AM PDT\nText.", date(2013, 6, 13), "published"),
    ("Fri., May. 3, 2013 11:45 AM PDT\nText.", date(2013, 5, 3), "date line"),
    ("on Tuesday, 16 December 2008 13:45.\nText.", date(2008, 12, 16), "date line"),
    ("Boston\n12 / 16 / 08 1:30 AM EST\nText.", date(2008, 12, 16), "date line"),
    ("26 September 2013, 10:00 (GMT+05:00)\nText.", date(2013, 9, 26), "date line"),
    ("POSTED: 1052 GMT (1852 HKT), April 10, 2007\nText.", date(2007, 4, 10), "published"),
    ("Published: 2012. 08. 08 09:01 AM\nText.", date(2012, 8, 8), "published"),
    ("PUBLISHED: 02:31 GMT, 12 March 2013 | UPDATED: 22:19 GMT, 12 March 2013\nText.", date(2013, 3, 12), "published"),
    ("WASHINGTON (AP) — Dec. 30, 2021 — President Biden spoke with Putin.", date(2021, 12, 30), "dateline"),
    ("NEW YORK, March 5, 2024 /PRNewswire/ -- Acme Corp. today announced a merger.", date(2024, 3, 5), "dateline"),
    ("By Anna Berg | 12 March 2024\nThe council met on Tuesday.", date(2024, 3, 12), "byline"),
]  # fmt: skip


@pytest.mark.parametrize("text,expected,kind", STAMPED)
def test_a_printed_stamp_is_the_publication_date(text, expected, kind):
    found = find_dateline(text)
    assert found is not None and found.date == expected and found.kind == kind
    assert str(expected.day) in text[found.start : found.end]  # the span is the date as printed


UNSTAMPED = [
    "On March 5, 2015, the court ruled against the company.\nIt appealed.",
    "Shares rose 4% by 1200 GMT on 12 March 2004 in London.\nTraders were pleased.",
    "Page was born on April 22, 1923, in Nashville, Tenn.\nShe began modelling in 1950.",
    "Fresh riots were reported in Greece on Saturday December 13 2008 in protest.\nMore followed.",
    "End of Watch: Friday, June 24, 2005\nOfficer Smith served for 20 years.",
    "The meeting is on 31 February 2024.\nNo such day.",  # not a date at all
    "",
]


@pytest.mark.parametrize("text", UNSTAMPED)
def test_a_date_in_a_sentence_is_an_event_not_a_stamp(text):
    assert find_dateline(text) is None


def test_only_the_head_is_read():
    body = "\n".join(f"Paragraph {i} of the story says little." for i in range(12))
    assert find_dateline(body + "\nMay 03, 2013\n") is None
    assert find_dateline("Title\n\nMay 03, 2013\n" + body).date == date(2013, 5, 3)
