"""`briefing eval brief-facts FILE...`: count the facts a brief states that a reader could catch as wrong.

Every article of the files (JSON lines with ``text`` and optional ``id``, ``title``, ``published``) is
briefed as `briefing summarize` would, and these are counted:

- ``person_no_capital``: people whose mention in the text has no capitalised word at that offset (a
  lower-case phrase taken for a name); reported, not expected to be zero;
- ``name_across_sentences``: names (people, organisations, places) whose mention runs over a sentence
  boundary ("League Klopp" from a photo caption run into the next sentence);
- ``place_also_organisation``: a name listed under both places and organisations in the same brief;
- ``relative_date_unanchored``: briefs that resolve a relative date ("Thursday", "last week") with no
  publication date and without a note saying so;
- ``digest_date_from_other_article`` (with ``--digest FILE``: dated articles, grouped into stories by the
  digest): story dates whose words, value and clause do not all come from one member article resolved
  against that article's own publication date.

    briefing eval brief-facts ../shared/data/summarization/cnndm_dev.jsonl ../shared/data/summarization/bbc_dev.jsonl
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

import click

COUNTS = (
    "person_no_capital",
    "name_across_sentences",
    "place_also_organisation",
    "relative_date_unanchored",
    "digest_date_from_other_article",
)
_BOUNDARY = re.compile(r"[a-z0-9)][.!?][\"”’)]?\s+[A-Z]|\n")
_YEAR = re.compile(r"\b\d{4}\b")
_ABSOLUTE_VALUE = re.compile(r"^\d{4}")


@dataclass
class Findings:
    articles: int = 0
    errors: int = 0
    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, doc_id: str, what: str) -> None:
        self.counts[kind] += 1
        ex = self.examples.setdefault(kind, [])
        if len(ex) < 20:
            ex.append(f"{doc_id}: {what}")

    def to_dict(self) -> dict:
        return {
            "articles": self.articles,
            "errors": self.errors,
            "counts": {k: self.counts.get(k, 0) for k in COUNTS},
            "digest_dates_checked": self.counts.get("digest_dates_checked", 0),
            "examples": self.examples,
        }


def check_brief(brief, text: str, sentence_ends: list[int], doc_id: str, findings: Findings) -> None:
    """Add what is wrong in one brief to ``findings``."""
    entities = brief.who + brief.where
    for e in entities:
        spans = e.spans or []
        if e.type == "person" and spans and not any(_capitalised(text[a:b]) for a, b in spans):
            findings.add("person_no_capital", doc_id, e.name)
        if any(_crosses(text, a, b, sentence_ends) for a, b in spans) or _BOUNDARY.search(e.name):
            findings.add("name_across_sentences", doc_id, repr(e.name))
        elif _joins_two_names(e, entities):
            findings.add("name_across_sentences", doc_id, repr(e.name) + " (two names run together)")
    orgs = {n.lower() for e in brief.who if e.type == "organisation" for n in [e.name, *e.aliases]}
    for p in brief.where:
        if {n.lower() for n in [p.name, *p.aliases]} & orgs:
            findings.add("place_also_organisation", doc_id, p.name)
    published = (brief.source or {}).get("published")
    if not published:
        relative = [t for t in brief.when if t.value and _ABSOLUTE_VALUE.match(t.value) and not _YEAR.search(t.text)]
        noted = any("publication date" in n.lower() for n in brief.notes)
        if relative and not noted:
            findings.add("relative_date_unanchored", doc_id, f"{relative[0].text!r} -> {relative[0].value}")


def _joins_two_names(e, entities) -> bool:
    """ "Headingley Sinfield", "Labour Brown": a caption ending in a place or an organisation run into a
    sentence that starts with a person's name, with no full stop between. The name splits into the end of
    a known place or organisation and a known name of a person, and is not itself a name of either."""
    words = e.name.split()
    if len(words) < 2:
        return False
    others = [o for o in entities if o is not e]
    people = {n for o in others if o.type == "person" for n in [o.name, *o.aliases]}
    people |= {n.split()[-1] for n in people}
    things = {
        " ".join(n.split()[i:])
        for o in others
        if o.type != "person"
        for n in [o.name, *o.aliases]
        for i in range(len(n.split()))
    }
    known = {n for o in others for n in [o.name, *o.aliases]}
    if e.name in known:
        return False
    return any(" ".join(words[:k]) in things and " ".join(words[k:]) in people for k in range(1, len(words)))


def _capitalised(span: str) -> bool:
    return any(w[:1].isupper() for w in span.split())


def _crosses(text: str, a: int, b: int, sentence_ends: list[int]) -> bool:
    return "\n" in text[a:b] or any(a < end < b for end in sentence_ends) or bool(_BOUNDARY.search(text[a:b]))


def check_digest(path: str, findings: Findings, *, limit: int | None = None) -> None:
    """Build a digest of every dated article in ``path`` and check each story date against its members."""
    from datetime import UTC, datetime, timedelta

    from ..digest.build import DigestOptions, build_digest
    from ..extract.when import find_time_expressions
    from ..models import Article
    from ..sources import parse_published
    from .data import iter_jsonl

    articles = []
    for n, (lineno, row) in enumerate(iter_jsonl(path)):
        if limit is not None and n >= limit:
            break
        when = row.get("published") or row.get("dct")
        if not when or not row.get("text"):
            continue
        try:
            day = parse_published(str(when)[:10])
        except Exception:
            continue
        articles.append(
            Article(text=row["text"], title=row.get("title"), id=str(row.get("id") or lineno), published=day)
        )
    if not articles:
        return
    latest = max(a.published for a in articles if a.published)
    now = datetime(latest.year, latest.month, latest.day, 23, 0, tzinfo=UTC) + timedelta(days=1)
    digest, _ = build_digest(articles, DigestOptions(now=now, include_seen=True, ner=False))
    by_id = {a.id: a for a in articles}
    for story in digest.stories:
        findings.counts["digest_dates_checked"] += len(story.when)
        for ev in story.when:
            clause = ev.what.strip("…").strip()
            ok = False
            for member in story.articles:
                a = by_id.get(member.id)
                if a is None or a.published is None or clause not in " ".join(a.text.split()):
                    continue
                found = find_time_expressions(a.text, a.published)
                if any(t.text == ev.text and (t.value or "").split("T")[0] == ev.value for t in found):
                    ok = True
                    break
            if not ok:
                findings.add("digest_date_from_other_article", story.id, f"{ev.label}: {ev.what}")


def run(paths: list[str], *, limit: int | None = None) -> Findings:
    from ..brief import BriefOptions, build_brief, prepare
    from ..errors import BriefingError
    from ..models import Article
    from .data import iter_jsonl

    findings = Findings()
    options = BriefOptions(sentences=3)
    for path in paths:
        for n, (lineno, row) in enumerate(iter_jsonl(path)):
            if limit is not None and n >= limit:
                break
            text = row.get("text") or ""
            doc_id = str(row.get("id") or f"{path}:{lineno}")
            article = Article(text=text, title=row.get("title"), id=doc_id)
            findings.articles += 1
            try:
                _, sentences = prepare(Article(text=text, title=row.get("title"), id=doc_id))
                brief = build_brief(article, options)
            except BriefingError:
                findings.errors += 1
                continue
            check_brief(brief, article.text, [s.end for s in sentences], doc_id, findings)
    return findings


@click.command(name="brief-facts")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option("--limit", type=int, default=None, help="Only the first N articles of each file.")
@click.option(
    "--digest",
    "digest_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Also build a digest of this file's dated articles (published or dct) and check its story dates.",
)
def command(files: tuple[str, ...], as_json: bool, limit: int | None, digest_files: tuple[str, ...]) -> None:
    """Count wrong-looking facts in the briefs of every article in FILES (JSON lines with "text")."""
    findings = run(list(files), limit=limit)
    for path in digest_files:
        check_digest(path, findings, limit=limit)
    if as_json:
        click.echo(json.dumps(findings.to_dict(), indent=2))
        return
    click.echo(f"{findings.articles} articles, {findings.errors} could not be briefed")
    if digest_files:
        click.echo(f"digest story dates checked: {findings.counts.get('digest_dates_checked', 0)}")
    for kind in COUNTS:
        click.echo(f"  {kind:28s} {findings.counts.get(kind, 0):5d}")
        for ex in findings.examples.get(kind, [])[:3]:
            click.echo(f"      e.g. {ex}")
