"""Fuzzing the inputs strangers write: JSONL batch lines and feed XML (hypothesis).

Whatever a line or a feed holds, the run goes on: every non-blank batch line gives exactly one JSON object
(a brief or ``{"id", "error"}``) and no internal error; a feed file is either read into articles or is a
failed source with a one-line reason, never an exception. Example counts are bounded so the suite stays
quick; the strategies cover wrong types, absurd values, control characters, broken and truncated XML.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)

SENTENCES = [
    "The council approved the budget on Monday.",
    "Anna Berg said the plan was \u201cbold\u201d.",
    "Floods hit Kingsport last winter.",
    "Shares fell 3% in the second quarter.",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645.",
    "\u6570\u636e\u4e2d\u5fc3\u5173\u95ed\u4e86\u3002",
    "999999 days ago the bridge opened.",
    "<b>bold</b> and **strong**",
    "\x00\x07\x1b[31m",
    "\ud800",
]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(allow_nan=True), st.text(max_size=40)
)
json_values = st.recursive(
    scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3), max_leaves=8
)
texts = st.one_of(
    st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=8).map(" ".join), st.text(max_size=300), json_values
)
dates = st.one_of(
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01", "9999-12-31", "2024-02-30", "03-02-2009", "yesterday", ""]),
    json_values,
)
records = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=20), st.integers(), json_values),
        "text": texts,
        "title": st.one_of(st.text(max_size=60), json_values),
        "published": dates,
        "url": st.one_of(st.just("http://example.org/a\n<div onmouseover=x>"), st.text(max_size=40), json_values),
        "author": st.one_of(st.text(max_size=30), json_values),
        "sentences": st.one_of(st.integers(-5, 10**12), json_values),
        "words": st.one_of(st.integers(-5, 10**12), json_values),
    },
)
lines = st.one_of(
    records.map(lambda r: json.dumps(r)),
    st.text(max_size=80),
    st.sampled_from(["{", "[]", "null", "1e999999", "[" * 5000 + "]" * 5000, '{"text": "a"}']),
)


@FUZZ
@given(st.lists(lines, min_size=1, max_size=6))
def test_any_batch_lines_give_one_object_each_and_no_internal_error(batch_lines):
    from briefing.batch import run_batch
    from briefing.brief import BriefOptions

    out = [json.loads(x) for x in run_batch(batch_lines, BriefOptions())]
    assert len(out) == sum(1 for x in batch_lines if x.strip())
    for obj in out:
        assert isinstance(obj, dict) and "id" in obj
        if "error" in obj:
            assert not obj["error"].startswith("internal error"), obj
            assert "\n" not in obj["error"]
        else:
            assert obj["summary"], obj


def _feed(kind: str, title: str, items: list[tuple[str, str, str]]) -> str:
    from xml.sax.saxutils import escape

    if kind == "rss":
        body = "".join(
            f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
            f"<description>{escape(d)}</description><pubDate>Mon, 09 Mar 2026 08:00:00 GMT</pubDate></item>"
            for t, link, d in items
        )
        return (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
            f"{body}</channel></rss>"
        )
    body = "".join(
        f"<entry><title>{escape(t)}</title><link href={json.dumps(link)}/><id>{escape(link)}</id>"
        f"<updated>2026-03-09T08:00:00Z</updated><summary>{escape(d)}</summary></entry>"
        for t, link, d in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title>{body}</feed>"
    )


xml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
items = st.lists(
    st.tuples(
        xml_text,
        st.one_of(st.just("http://example.org/a"), xml_text),
        st.lists(st.sampled_from(SENTENCES[:7]), max_size=4).map(" ".join),
    ),
    max_size=4,
)
mutations = st.one_of(st.just(("none", 0)), st.tuples(st.sampled_from(["cut", "insert", "drop"]), st.integers(0, 4000)))


@FUZZ
@given(st.sampled_from(["rss", "atom"]), xml_text, items, mutations, st.sampled_from([".xml", ".rss", ".atom"]))
def test_any_feed_file_is_articles_or_a_one_line_failure(tmp_path, kind, title, entries, mutation, suffix):
    from briefing.digest.sources import SourceSpec, read_sources

    doc = _feed(kind, title, entries).encode("utf-8", "surrogatepass")
    op, at = mutation
    at = at % (len(doc) + 1)
    if op == "cut":
        doc = doc[:at]
    elif op == "insert":
        doc = doc[:at] + b"<&\x00\xff]]>" + doc[at:]
    elif op == "drop":
        doc = doc[:at] + doc[at + 7 :]
    path = tmp_path / f"feed{suffix}"
    path.write_bytes(doc)
    result = read_sources([SourceSpec(spec=str(path))], jobs=1)
    for failure in result.failures:
        assert failure.reason and "\n" not in str(failure), failure
    for warning in result.warnings:
        assert "\n" not in warning
    if op == "none" and any(d.strip() for _, _, d in entries):  # a whole, valid feed with a story in it
        assert result.articles and not result.failures, (doc, result)
    for article in result.articles:
        assert isinstance(article.text, str)
