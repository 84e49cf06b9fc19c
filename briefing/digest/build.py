"""Articles -> stories -> Digest: grouping, "already reported" filtering, ranking, budget, sections.

The expensive analyses run only where the digest shows something: clustering
(about linear) runs on every article; named-entity recognition runs on the
leads of the few best candidate stories, in one batch; the multi-document
summary runs only for the stories that fit the budget. So a day of 10,000
items costs little more NER than a day of 100.

Importance of a story (the ranking, and how the word budget is shared):

* independent sources — distinct outlets telling it, on a log scale (ten
  copies of one wire story from one outlet count once);
* recency — the newest member's age, decaying with a one-day time constant;
* prominence of its entities — how many of the window's headlines name the
  story's main people, organisations and places.

One story never takes the digest down: an unexpected error while grouping, scoring,
recognising the entities of or summarising one story leaves that story out and lists
it in the digest's failures ("could not be summarised", with the error), and the
digest goes on with the others (the CLI exits 3). The traceback is kept for -v.
"""

from __future__ import annotations

import math
import re
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..models import Article, Entity, TimelineEvent
from ..store import ReportedStory, fingerprint
from .models import Digest, Section, SourceFailure, Story, StoryArticle, StoryLine, source_of

DEFAULT_MAX_STORIES = 20
MIN_STORY_WORDS = 30  # a story needs room for at least one sentence
LEAD_CHARS = 1500  # what NER reads of each member: the title and the top of the text
NER_MEMBERS = 6  # members per story whose leads NER reads
DEFAULT_SECTION = "Top stories"
MAX_TITLE_VOTERS = 30  # headlines compared to pick a story's title (all pairs: keep it bounded)
W_SOURCES, W_RECENCY, W_PROMINENCE = 1.0, 0.6, 0.8


@dataclass
class DigestOptions:
    now: datetime
    window_start: datetime | None = None
    words: int | None = None
    max_stories: int | None = None
    max_sentences: int = 3
    title: str | None = None
    section_order: list[str] = field(default_factory=list)
    include_seen: bool = False
    ner: bool = True  # who/where and entity prominence (off: cheaper, ranking without prominence)


@dataclass
class _Candidate:
    members: list[int]  # indices into the article list, oldest first
    story_id: str
    update: bool
    new_keys: set[str]
    sources: list[str]
    latest: datetime | None
    earliest: datetime | None
    newest_seen: datetime | None = None  # recency of undated items: when we first saw them
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    who: list[Entity] = field(default_factory=list)
    where: list[Entity] = field(default_factory=list)


def article_time(article: Article) -> datetime | None:
    """For windows and recency: the publication time, else when a run first saw the item."""
    return article.publication_time or article.seen_at


def article_key(article: Article) -> str:
    return article.key or fingerprint([article.url or article.id or article.text[:200]])


def build_digest(
    articles: list[Article],
    options: DigestOptions,
    *,
    reported: dict[str, str] | None = None,
    failures: list[SourceFailure] | None = None,
    on_progress: Callable[[str], None] | None = None,
    on_story: Callable[[int, int], None] | None = None,
) -> tuple[Digest, list[ReportedStory]]:
    """Group, filter, rank and summarise. Returns the digest and the stories to record as reported."""
    from .cluster import cluster_articles

    reported = reported or {}
    note = on_progress or (lambda stage: None)
    broken = _StoryFailures(articles)
    note("clustering")
    labels = cluster_articles(articles) if articles else []
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        groups[label].append(i)

    candidates = [
        c
        for c in (broken.guard(idx, _candidate, articles, idx, reported, options) for idx in groups.values())
        if c and c is not _FAILED
    ]
    used: set[str] = set()
    for c in candidates:  # an old story split in two today: the second part is a story of its own
        if c.story_id in used:
            c.story_id = fingerprint(article_key(articles[i]) for i in c.members)
            c.update = False
        used.add(c.story_id)
    n_already = len(groups) - len(candidates)
    limit = options.max_stories or DEFAULT_MAX_STORIES
    if options.words:
        limit = max(1, min(limit, options.words // MIN_STORY_WORDS))

    candidates = [c for c in candidates if broken.guard(c.members, _base_score, c, options.now) is not _FAILED]
    candidates.sort(key=lambda c: -c.score)
    # entity prominence can reorder neighbours, not lift story #200 to the top: look a bit past the limit
    shortlist = candidates[: max(2 * limit, limit + 10)]
    if options.ner and shortlist:
        note("entities")
        shortlist = _add_entities_guarded(articles, shortlist, broken)
        index = _headline_index(articles)
        shortlist = [
            c for c in shortlist if broken.guard(c.members, _add_prominence, c, index, len(articles)) is not _FAILED
        ]
        shortlist.sort(key=lambda c: -c.score)
    chosen = shortlist[:limit]

    note("summarising")
    shares = _share_budget(options.words, [c.score for c in chosen])
    made: list[tuple[Story, _Candidate]] = []
    for n, (c, share) in enumerate(zip(chosen, shares), 1):
        story = broken.guard(c.members, _story, articles, c, share, options)
        if story is not _FAILED and (story.summary or story.articles):
            made.append((story, c))
        if on_story:
            on_story(n, len(chosen))
    stories = [s for s, _ in made]
    sections = _sections(stories, options.section_order)

    window_end = options.now
    notes = []
    if n_already:
        notes.append(f"{n_already} stor{'y' if n_already == 1 else 'ies'} already reported by an earlier run left out")
    n_over = sum(1 for c in candidates if not broken.failed(c.members)) - len(
        [c for c in chosen if not broken.failed(c.members)]
    )
    if n_over > 0:
        notes.append(f"{n_over} more stor{'y' if n_over == 1 else 'ies'} left out to fit the length budget")
    digest = Digest(
        id=_digest_id(options.now, stories),
        title=options.title or f"Briefing for {options.now.strftime('%A %d %B %Y')}",
        generated_at=options.now,
        window_start=options.window_start,
        window_end=window_end,
        sections=sections,
        failures=list(failures or []) + broken.failures,
        stats={
            "articles": len(articles),
            "stories_found": len(groups),
            "stories_new": len(candidates),
            "stories_shown": len(stories),
            "sources_failed": len(failures or []),
            "stories_failed": len(broken.failures),
        },
        notes=notes,
    )
    # a story that failed is not recorded as reported: the next run tries it again
    to_record = [
        ReportedStory(id=s.id, title=s.title, member_keys=[article_key(articles[i]) for i in c.members])
        for s, c in made
    ]
    return digest, to_record


# ---------------------------------------------------------------- one story's failure


_FAILED = object()  # what a guarded step returns when it raised
MAX_REASON = 300


class _StoryFailures:
    """The error boundary around each story: a step that raises for one story becomes a failure entry."""

    def __init__(self, articles: list[Article]):
        self.articles = articles
        self.failures: list[SourceFailure] = []
        self._failed: set[tuple[int, ...]] = set()

    def guard(self, members: list[int], step: Callable, *args):
        """``step(*args)``, or ``_FAILED`` (and a failure listed for the story of ``members``) if it raised."""
        try:
            return step(*args)
        except Exception as e:  # noqa: BLE001 - a bug on one story's input must not sink the digest
            self.record(members, e)
            return _FAILED

    def failed(self, members: list[int]) -> bool:
        return tuple(sorted(members)) in self._failed

    def record(self, members: list[int], error: BaseException) -> None:
        key = tuple(sorted(members))
        if key in self._failed:
            return
        self._failed.add(key)
        message = " ".join(str(error).split())
        reason = f"could not be summarised ({type(error).__name__}{': ' + message if message else ''})"
        if len(reason) > MAX_REASON:
            reason = reason[: MAX_REASON - 2] + "…)"
        self.failures.append(
            SourceFailure(
                source=self._headline(members),
                spec=self._spec(members),
                reason=reason,
                kind="story",
                detail="".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip(),
            )
        )

    def _headline(self, members: list[int]) -> str:
        first = self.articles[members[0]]
        try:
            title = (first.title or "").strip() or _first_words(first.text or "")
        except Exception:  # noqa: BLE001 - the article itself may be what is broken
            title = ""
        return " ".join(title.split()) or f"story of {len(members)} article(s)"

    def _spec(self, members: list[int]) -> str:
        first = self.articles[members[0]]
        spec = str(first.url or first.id or first.path or "?")
        return spec + (f" and {len(members) - 1} more" if len(members) > 1 else "")


def _add_entities_guarded(
    articles: list[Article], shortlist: list[_Candidate], broken: _StoryFailures
) -> list[_Candidate]:
    """NER runs in one batch for speed; when the batch fails, story by story, to find the one that did."""
    try:
        _add_entities(articles, shortlist)
        return shortlist
    except Exception:  # noqa: BLE001 - retried below, one story at a time
        pass
    return [c for c in shortlist if broken.guard(c.members, _add_entities, articles, [c]) is not _FAILED]


# ---------------------------------------------------------------- candidates and scores


def _candidate(
    articles: list[Article], members: list[int], reported: dict[str, str], options: DigestOptions
) -> _Candidate | None:
    keys = {i: article_key(articles[i]) for i in members}
    old_story_ids = Counter(reported[k] for k in keys.values() if k in reported)
    new_keys = {k for k in keys.values() if k not in reported}
    if not new_keys and not options.include_seen:
        return None
    members = sorted(members, key=lambda i: (_ts(article_time(articles[i])), i))
    times = [t for t in (articles[i].publication_time for i in members) if t]
    seen = [t for t in (article_time(articles[i]) for i in members) if t]
    sources = Counter(source_of(articles[i]) for i in members)
    return _Candidate(
        members=members,
        story_id=old_story_ids.most_common(1)[0][0] if old_story_ids else fingerprint(keys.values()),
        update=bool(old_story_ids) and bool(new_keys),
        new_keys=new_keys,
        sources=[s for s, _ in sources.most_common()],
        latest=max(times) if times else None,
        earliest=min(times) if times else None,
        newest_seen=max(seen) if seen else None,
    )


def _ts(dt: datetime | None) -> float:
    return dt.timestamp() if dt else float("inf")


def _independent_sources(sources: list[str]) -> int:
    return len({s.casefold().removeprefix("the ").strip() for s in sources})


def _base_score(c: _Candidate, now: datetime) -> None:
    n = _independent_sources(c.sources)
    newest = c.latest or c.newest_seen
    age_h = max(0.0, (now - newest).total_seconds() / 3600) if newest else 0.0
    c.parts = {"sources": math.log2(1 + n), "recency": math.exp(-age_h / 24.0), "prominence": 0.0}
    c.score = W_SOURCES * c.parts["sources"] + W_RECENCY * c.parts["recency"]


def _lead(article: Article) -> str:
    body = article.text[article.body_start :] if article.body_start else article.text
    body = body[:LEAD_CHARS]
    cut = max(body.rfind(". "), body.rfind(".\n"))
    if len(body) == LEAD_CHARS and cut > LEAD_CHARS // 2:
        body = body[: cut + 1]
    title = (article.title or "").strip()
    if title and not body.lstrip().startswith(title):
        return f"{title}.\n\n{body}" if not title.endswith((".", "?", "!")) else f"{title}\n\n{body}"
    return body


def _add_entities(articles: list[Article], shortlist: list[_Candidate]) -> None:
    """who/where per story, merged over its members' leads (NER batched over all of them)."""
    from ..extract.entities import extract_entities
    from ..extract.nlp import parse_many

    jobs = [(c, i, _lead(articles[i])) for c in shortlist for i in c.members[-NER_MEMBERS:]]
    docs = parse_many([text for _, _, text in jobs], batch_size=64)
    merged: dict[int, dict[str, Entity]] = defaultdict(dict)
    types: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for (c, _i, text), doc in zip(jobs, docs):
        who, where = extract_entities(text, doc)
        for e in who + where:
            # one name, one entity: the small model may type "Marrow Falls" as a place here, an org there
            key = e.name.casefold()
            slot = merged[id(c)].setdefault(key, Entity(name=e.name, type=e.type, mentions=0, articles=0))
            types[id(c)][key][e.type] += e.mentions
            slot.mentions += e.mentions
            slot.articles += 1
            slot.role = slot.role or e.role
            for alias in e.aliases:
                if alias != slot.name and alias not in slot.aliases:
                    slot.aliases.append(alias)
    for c in shortlist:
        for key, ent in merged[id(c)].items():
            ent.type = types[id(c)][key].most_common(1)[0][0]
        ents = sorted(merged[id(c)].values(), key=lambda e: (-e.articles, -e.mentions, e.name))
        c.who = [e for e in ents if e.type != "place"][:10]
        c.where = [e for e in ents if e.type == "place"][:8]


_WORD = re.compile(r"\w+", re.UNICODE)


def _headline_index(articles: list[Article]) -> dict[str, set[int]]:
    """word -> the articles whose headline (or first words) has it."""
    index: dict[str, set[int]] = defaultdict(set)
    for i, a in enumerate(articles):
        head = a.title or a.text[:200]
        for w in set(_WORD.findall(head.casefold())):
            index[w].add(i)
    return index


def _add_prominence(c: _Candidate, index: dict[str, set[int]], n_articles: int) -> None:
    """Share of the window's headlines that name the story's main entities (best of its top three)."""
    n = max(n_articles, 1)
    best = 0
    for e in c.who[:3] + c.where[:3]:
        words = _WORD.findall(e.name.casefold())
        if not words:
            continue
        hits = set.intersection(*(index.get(w, set()) for w in words))
        best = max(best, len(hits))
    c.parts["prominence"] = math.log1p(best) / math.log1p(n) if n > 1 else 0.0
    c.score += W_PROMINENCE * c.parts["prominence"]


def _share_budget(words: int | None, scores: list[float]) -> list[int | None]:
    """The digest's word budget shared out in proportion to importance (each story gets a minimum)."""
    if not words or not scores:
        return [None] * len(scores)
    total = sum(scores) or 1.0
    spare = max(0, words - MIN_STORY_WORDS * len(scores))
    return [MIN_STORY_WORDS + int(spare * s / total) for s in scores]


# ---------------------------------------------------------------- one story


def _summarize(members: list[Article], budget: int | None, max_sentences: int) -> list[StoryLine]:
    from .multidoc import summarize_story

    return summarize_story(members, budget_words=budget, max_sentences=max_sentences)


def _story(articles: list[Article], c: _Candidate, budget: int | None, options: DigestOptions) -> Story:
    members = [articles[i] for i in c.members]
    lines = _summarize(members, budget, options.max_sentences)
    for line in lines:  # shown as one line; the offsets still point at the verbatim sentence
        line.text, line.score = " ".join(line.text.split()), float(line.score)
    story_articles = [
        StoryArticle(
            id=str(a.id),
            title=(a.title or _first_words(a.text)),
            source=source_of(a),
            url=a.url,
            published=a.publication_time,
            new=article_key(a) in c.new_keys,
        )
        for a in members
    ]
    title = _central_title(members) or _first_words(members[0].text)
    sections = Counter(a.section for a in members if a.section)
    return Story(
        id=c.story_id,
        title=" ".join(title.split()),
        section=sections.most_common(1)[0][0] if sections else DEFAULT_SECTION,
        score=c.score,
        summary=lines,
        articles=story_articles,
        sources=c.sources,
        earliest=c.earliest,
        latest=c.latest,
        who=c.who,
        where=c.where,
        when=_when(members, lines),
        update=c.update,
        score_parts=c.parts,
    )


def _central_title(members: list[Article]) -> str | None:
    """The headline that shares most words with the others: the story as most outlets tell it."""
    titled = [a.title for a in members if a.title and a.title.strip()][:MAX_TITLE_VOTERS]
    if len(titled) <= 1:
        return titled[0] if titled else None
    bags = [{w for w in _WORD.findall(t.casefold()) if len(w) > 2} for t in titled]

    def centrality(i: int) -> float:
        return sum(len(bags[i] & b) / (len(bags[i] | b) or 1) for j, b in enumerate(bags) if j != i)

    best = max(range(len(titled)), key=lambda i: (centrality(i), -i))  # ties: the earliest
    return titled[best]


def _first_words(text: str, n: int = 12) -> str:
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


def _when(members: list[Article], lines: list[StoryLine]) -> list[TimelineEvent]:
    """Dated events of the story, from the members' leads, merged by date (regex tagger: cheap)."""
    from ..extract.when import build_timeline, find_time_expressions
    from ..text import split_sentences

    events: dict[str, TimelineEvent] = {}
    for a in members[:NER_MEMBERS]:
        published = a.publication_date
        if published is None:
            continue
        lead = _lead(a)
        try:
            timexes = find_time_expressions(lead, published)
            timeline = build_timeline(lead, split_sentences(lead), timexes, published, limit=4)
        except Exception:  # a tagger bug on one article must not sink the digest
            continue
        for ev in timeline:
            slot = events.setdefault(ev.value, TimelineEvent(ev.value, ev.label, ev.text, ev.what, articles=0))
            slot.articles += 1
    ranked: list[TimelineEvent] = []
    told: set[str] = set()
    for e in sorted(events.values(), key=lambda e: -e.articles):
        if e.what not in told:  # one sentence dated twice ("Monday ... on Tuesday") is one event
            told.add(e.what)
            ranked.append(e)
    ranked = ranked[:6]
    return sorted(ranked, key=lambda e: e.value)


# ---------------------------------------------------------------- sections and identity


def _sections(stories: list[Story], order: list[str]) -> list[Section]:
    by_name: dict[str, list[Story]] = defaultdict(list)
    for s in stories:  # stories arrive in importance order and stay so within a section
        by_name[s.section].append(s)
    rank = {name.casefold(): i for i, name in enumerate(order)}
    names = sorted(by_name, key=lambda n: (rank.get(n.casefold(), len(rank)), -max(s.score for s in by_name[n])))
    return [Section(name=n, stories=by_name[n]) for n in names]


def _digest_id(now: datetime, stories: list[Story]) -> str:
    """Same day and same stories (and members) -> same id, so a re-run can tell it was sent already."""
    basis = [f"{s.id}:{len(s.articles)}" for s in stories]
    return f"{now.date().isoformat()}-{fingerprint(basis)[:10]}"
