"""People, organisations and places: typed names, merged into entities, with roles and salience.

1. ``entity_typer`` finds and types the names (spaCy-small's entities re-typed by a learned model).
2. Cleanup: no names without a capital letter ("n't"), agencies and outlets are organisations,
   clubs are organisations even when read as their town ("Manchester City" in a match report,
   "Leeds United", "Borussia"), grounds are places ("Elland Road").
3. Alias merging: "Biden" and "President Biden" join "Joe Biden" (surname and title forms),
   "NATO" joins "North Atlantic Treaty Organization" (initials), "US" joins "United States",
   "Dortmund" and "Borussia" join "Borussia Dortmund" (a shorter form of one organisation).
4. Roles from the title before a name or an apposition after it (``entity_roles``).
5. Salience: how often, how early, and whether the summary mentions it.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..models import Entity
from .entity_roles import apposition_after, honorific_prefix, title_before

_KINDS = {"PER": "person", "ORG": "organisation", "LOC": "place"}
_CORP_SUFFIXES = {
    "inc",
    "inc.",
    "corp",
    "corp.",
    "corporation",
    "co",
    "co.",
    "ltd",
    "ltd.",
    "plc",
    "llc",
    "group",
    "holdings",
    "ag",
    "sa",
    "s.a.",
    "nv",
    "n.v.",
    "gmbh",
    "company",
    "limited",
}
_INITIALS_SKIP = {"of", "the", "and", "for", "de", "&"}


@dataclass
class _Mention:
    text: str  # the name as written, without leading title or trailing possessive
    kind: str  # person | organisation | place
    start: int
    end: int
    title: str | None = None  # a title that spaCy put inside the span ("President Biden")


@cache
def outlets() -> frozenset[str]:
    """News agencies, outlets and photo services (briefing/data/entity_outlets.txt), normalised."""
    raw = resources.files("briefing.data").joinpath("entity_outlets.txt").read_text(encoding="utf-8")
    return frozenset(_key(line) for line in raw.splitlines() if line.strip() and not line.startswith("#"))


@cache
def _alias_table() -> dict[str, str]:
    """normalised short form -> normalised canonical form (briefing/data/entity_aliases.json)."""
    raw = json.loads(resources.files("briefing.data").joinpath("entity_aliases.json").read_text(encoding="utf-8"))
    table = {}
    for canon, forms in raw.items():
        if canon.startswith("_"):
            continue
        for f in [canon, *forms]:
            table[_key(f)] = _key(canon)
    return table


def _key(name: str) -> str:
    s = " ".join(name.lower().replace("’", "'").split())
    s = re.sub(r"^the ", "", s)
    return re.sub(r"\s*'s?$", "", s)


def _clean_surface(s: str) -> str:
    s = " ".join(s.split())
    return re.sub(r"\s*['’]s?$", "", s)


# Club words that no place name uses ("Leeds United", "Bristol Rovers", "Borussia Dortmund"), and
# those that places use too ("Mexico City", "Orange County"): the latter make a club only in sports.
_CLUB_ONLY = {
    "fc",
    "f.c.",
    "afc",
    "cf",
    "sc",
    "united",
    "utd",
    "athletic",
    "rovers",
    "wanderers",
    "albion",
    "rangers",
    "hotspur",
    "argyle",
    "orient",
    "thistle",
    "academicals",
    "athletico",
}
_CLUB_IN_SPORTS = {"city", "town", "county", "villa", "vale", "wednesday", "celtic", "alexandra", "stanley"}


_FACILITIES = {"stadium", "arena", "airport", "road", "street", "avenue", "square", "bridge", "station"}


def _club_like(name: str, sports: bool) -> bool:
    """Whether a name reads as a club or team: "Manchester City" in a match report, "FC Porto", "Borussia"."""
    from .entity_typer import CLUB_PREFIXES

    words = name.lower().split()
    if len(words) == 1:
        return sports and words[0] in CLUB_PREFIXES  # "Borussia", "Deportivo" on their own
    if words[0] in CLUB_PREFIXES or words[0] == "athletic" or words[-1] in _CLUB_ONLY:
        return True
    return sports and words[-1] in _CLUB_IN_SPORTS


def _mentions(text: str, doc) -> list[_Mention]:
    from .entity_typer import is_sports_report, type_names

    sports = is_sports_report(w.lower() for w in re.findall(r"[\w-]+", text))
    out = []
    for c in type_names(doc, text):
        kind = _KINDS.get(c.type)
        if kind is None:
            continue
        surface = _before_sentence_end(_clean_surface(c.text))
        if not any(ch.isupper() for ch in surface) or sum(ch.isalpha() for ch in surface) < 2:
            continue  # "n't", "'s", stray lower-case tokens the model called a name
        start = c.start_char + text[c.start_char :].find(surface) if surface else c.start_char
        title = None
        if kind == "person":
            surface, title = honorific_prefix(surface)
            start = c.end_char - len(surface) if text[c.start_char : c.end_char].endswith(surface) else start
        if _key(surface) in outlets():
            kind = "organisation"  # "Reuters", "Getty Images": never people or places
        elif kind in ("place", "person") and _club_like(surface, sports):
            kind = "organisation"  # a club named after its town is not the town ("Athletic Bilbao")
        elif kind == "person" and len(surface.split()) > 1 and surface.split()[-1].lower() in _FACILITIES:
            kind = "place"  # "Elland Road", "Etihad Stadium": grounds and buildings are not people
        out.append(_Mention(surface, kind, start, start + len(surface), title))
    return _split_run_together(out, text)


_ABBREVIATION_BEFORE_DOT = frozenset(
    "st mr mrs ms dr jr sr gen gov sen rep lt col capt sgt mt ft inc co corp ltd bros vs no prof rev".split()
)


def _before_sentence_end(surface: str) -> str:
    """A name ends where its sentence ends: "Jay-Z. Soul" (a list ending "... and Jay-Z." and the next
    sentence starting "Soul singer ...") is "Jay-Z". A full stop after an initial ("J. K. Rowling"), an
    abbreviation ("St. Louis", "U.S. Army") or a title is no sentence end."""
    for m in re.finditer(r"([\w-]+)\.\s+(?=[A-Z])", surface):
        word = m.group(1)
        if (
            len(word) == 1
            or "." in surface[max(0, m.start() - 2) : m.start()]
            or word.lower() in _ABBREVIATION_BEFORE_DOT
        ):
            continue
        if word.isupper() and len(word) <= 4 and "-" not in word:
            continue  # "U.S" is caught above; "NATO." at a sentence end is rare inside one name
        return surface[: m.start(1) + len(word)]
    return surface


def _split_run_together(mentions: list[_Mention], text: str) -> list[_Mention]:
    """Two names a missing full stop ran together: a photo caption ending in a place or a team,
    then the story's next sentence starting with a person ("...a frantic contest at Headingley
    Sinfield stayed on the bench", "...in the Premier League Klopp said"). A name seen once is split
    when its last words are a person named elsewhere (whole, or by surname) and its first words are
    a place's or an organisation's name, or the end of one, seen elsewhere."""
    people: Counter[str] = Counter()
    others: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for m in mentions:
        people.update(_person_forms(m))
        others.update(_other_forms(m))
        seen[_key(m.text)] += 1
    if not people or not others:
        return mentions
    out: list[_Mention] = []
    for m in mentions:
        k = _run_together_at(m, people, others) if seen[_key(m.text)] == 1 else None
        gaps = [g for g in re.finditer(r"\s+", text[m.start : m.end])]
        if k is None or len(gaps) < k:
            out.append(m)
            continue
        gap = gaps[k - 1]
        head_end, tail_start = m.start + gap.start(), m.start + gap.end()
        head_kind = "place" if m.kind == "person" else m.kind
        out.append(_Mention(text[m.start : head_end], head_kind, m.start, head_end))
        out.append(_Mention(text[tail_start : m.end], "person", tail_start, m.end))
    return out


def _person_forms(m: _Mention) -> set[str]:
    if m.kind != "person":
        return set()
    words = _key(m.text).split()
    return {" ".join(words), words[-1]} if len(words) >= 2 else {" ".join(words)}


def _other_forms(m: _Mention) -> set[str]:
    if m.kind == "person":
        return set()
    words = _key(m.text).split()
    return {" ".join(words[i:]) for i in range(len(words))}


def _run_together_at(m: _Mention, people: Counter[str], others: Counter[str]) -> int | None:
    """How many words of ``m`` form the first name of a run-together pair, or None."""
    keys = _key(m.text).split()
    if len(keys) < 2 or len(keys) != len(m.text.split()):
        return None
    mine_people, mine_others = _person_forms(m), _other_forms(m)
    for k in range(1, len(keys)):
        head, tail = " ".join(keys[:k]), " ".join(keys[k:])
        if people[tail] - (tail in mine_people) > 0 and others[head] - (head in mine_others) > 0:
            return k
    return None


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w.lower() not in _INITIALS_SKIP and w[:1].isalpha()).lower()


class _Group:
    def __init__(self, key: str):
        self.key = key
        self.mentions: list[_Mention] = []
        self.full: str | None = None  # the full name short forms joined, shown before them

    @property
    def kind(self) -> str:
        return Counter(m.kind for m in self.mentions).most_common(1)[0][0]

    @property
    def words(self) -> list[str]:
        return self.key.split()


def _merge(mentions: list[_Mention]) -> list[_Group]:
    table = _alias_table()
    groups: dict[str, _Group] = {}
    for m in mentions:
        k = _key(m.text)
        k = table.get(k, k)
        groups.setdefault(k, _Group(k)).mentions.append(m)

    # surname and partial forms join the fullest person name that ends (or starts) with them
    people = sorted(
        (g for g in groups.values() if g.kind == "person" and len(g.words) >= 2),
        key=lambda g: (-len(g.words), -len(g.mentions)),
    )
    # indexes in `people` order, so the first best target is the one a scan would find: a scan
    # of every name for every name was quadratic in a long text
    by_suffix: dict[tuple[str, ...], list[_Group]] = defaultdict(list)
    by_first: dict[str, list[_Group]] = defaultdict(list)
    for p in people:
        for j in range(1, len(p.words)):
            by_suffix[tuple(p.words[j:])].append(p)
        by_first[p.words[0]].append(p)
    for g in list(groups.values()):
        if g.kind == "place" or g.key not in groups:
            continue
        targets = [p for p in by_suffix.get(tuple(g.words), ()) if p is not g and p.key in groups]
        if g.kind != "person" and len(g.words) > 1:
            continue  # an organisation called like a person's surname only when it is one word
        if not targets and g.kind == "person" and len(g.words) == 1:
            targets = [p for p in by_first.get(g.words[0], ()) if p is not g and p.key in groups]
        if targets:
            best = max(targets, key=lambda p: len(p.mentions))
            best.mentions.extend(g.mentions)
            del groups[g.key]

    # organisations: initials ("NATO" <- "North Atlantic Treaty Organization"), corporate suffixes
    orgs = [g for g in groups.values() if g.kind == "organisation"]
    related = _org_candidates(orgs)
    for g in orgs:
        if g.key not in groups:
            continue
        for h in related(g):
            if h is g or h.key not in groups:
                continue
            short, long_ = (g, h) if len(g.words) < len(h.words) else (h, g)
            if (
                len(short.words) == 1
                and len(long_.words) >= 2
                and short.key == _initials(long_.key)
                and len(short.key) >= 2
            ):
                pass
            elif (
                long_.words[: len(short.words)] == short.words
                and len(long_.words) > len(short.words)
                and all(w in _CORP_SUFFIXES for w in long_.words[len(short.words) :])
            ):
                pass
            else:
                continue
            long_.mentions.extend(short.mentions)
            del groups[short.key]
            if short is g:
                break
    _merge_short_org_forms(groups)
    return list(groups.values())


def _merge_short_org_forms(groups: dict[str, _Group]) -> None:
    """A shorter form of one organisation named in full in the same text joins it: "Dortmund" and
    "Borussia" join "Borussia Dortmund", "City" joins "Manchester City". The short form is the full
    name's first or last words. A place joins only when it is a club word itself ("Borussia",
    "City"): "Manchester" beside "Manchester City", "Madrid" beside "Real Madrid" and "New York"
    beside "New York Times" are as often the town."""
    from .entity_typer import CLUB_PREFIXES

    club_words = CLUB_PREFIXES | _CLUB_ONLY | _CLUB_IN_SPORTS
    longer: dict[tuple[str, ...], list[_Group]] = defaultdict(list)
    for g in groups.values():
        w = g.words
        if g.kind != "organisation" or len(w) < 2 or any(x in _INITIALS_SKIP for x in w):
            continue
        for j in range(1, len(w)):
            longer[tuple(w[:j])].append(g)
            longer[tuple(w[j:])].append(g)
    for g in list(groups.values()):
        targets = [h for h in longer.get(tuple(g.words), ()) if h is not g and h.key in groups]
        if len(targets) != 1 or g.kind == "person":
            continue
        (h,) = targets
        if g.kind == "place" and not set(g.words) <= club_words:
            continue  # "Madrid" beside "Real Madrid" is as often the city
        for m in g.mentions:
            m.kind = "organisation"  # "Dortmund" the club, even where read as the town
        h.mentions.extend(g.mentions)
        h.full = h.key
        del groups[g.key]


def _corp_stems(words: list[str]) -> list[str]:
    """The name without one or more trailing corporate suffixes: "acme holdings ltd" -> "acme holdings", "acme"."""
    out, j = [], len(words)
    while j > 1 and words[j - 1] in _CORP_SUFFIXES:
        j -= 1
        out.append(" ".join(words[:j]))
    return out


def _org_candidates(orgs: list[_Group]):
    """For each organisation, the others that may be its initials or its name with a corporate
    suffix, in `orgs` order (the order a scan of every pair would meet them), found by lookup."""
    order = {id(g): i for i, g in enumerate(orgs)}
    by_key = {g.key: g for g in orgs}
    by_initials: dict[str, list[_Group]] = defaultdict(list)
    by_stem: dict[str, list[_Group]] = defaultdict(list)
    for g in orgs:
        if len(g.words) >= 2:
            by_initials[_initials(g.key)].append(g)
        for stem in _corp_stems(g.words):
            by_stem[stem].append(g)

    def related(g: _Group) -> list[_Group]:
        found = list(by_initials.get(g.key, ())) + list(by_stem.get(g.key, ()))
        if len(g.words) >= 2 and _initials(g.key) in by_key:
            found.append(by_key[_initials(g.key)])
        found += [by_key[stem] for stem in _corp_stems(g.words) if stem in by_key]
        return sorted({id(h): h for h in found}.values(), key=lambda h: order[id(h)])

    return related


def _display_name(g: _Group) -> str:
    forms = Counter(m.text for m in g.mentions)

    def quality(form: str):
        shouting = form.isupper() and len(form) > 5
        words = len(form.split())
        if g.kind == "person":
            return (not shouting, words, forms[form])
        return (not shouting, _key(form) == g.full, forms[form], words)

    return max(forms, key=quality)


def _role(text: str, g: _Group) -> str | None:
    if g.kind != "person":
        return None
    found = []
    for m in sorted(g.mentions, key=lambda m: m.start):
        role = m.title or title_before(text, m.start) or apposition_after(text, m.end)
        if role:
            found.append(role)
    if not found:
        return None
    # the fullest title first seen ("White House Press Secretary" over a later "Psaki")
    counts = Counter(found)
    return max(found, key=lambda r: (len(r.split()) > 1, counts[r]))


def _summary_bonus(starts, summary_spans) -> float:
    # the summary holds what the article is about: being in it counts more than position
    inside = sum(1 for s in starts for a, b in summary_spans if a <= s < b)
    return (1.0 if inside else 0.0) + 0.3 * min(inside, 3) / 3


def promote_summary_entities(entities: list[Entity], summary_spans) -> list[Entity]:
    """Re-rank entities found before the summary existed, as if ``summary_spans`` had been given."""
    for e in entities:
        e.salience = round(e.salience + _summary_bonus([a for a, _ in e.spans], summary_spans), 4)
    entities.sort(key=lambda e: (-e.salience, e.spans[0][0] if e.spans else 0))
    return entities


def _salience(g: _Group, n_chars: int, summary_spans) -> float:
    first = min(m.start for m in g.mentions)
    score = math.log1p(len(g.mentions)) + 0.8 * (1.0 - first / max(n_chars, 1))
    score += _summary_bonus([m.start for m in g.mentions], summary_spans)
    if _key(_display_name(g)) in outlets():
        score -= 1.5  # the source of the story, not its subject
    return score


def extract_entities(text: str, doc=None, *, summary_spans=()) -> tuple[list[Entity], list[Entity]]:
    """Return (who, where), most salient first. ``doc`` is the spaCy Doc of ``text`` if already parsed
    (made by ``nlp.parse``); ``summary_spans`` are (start, end) offsets of summary sentences."""
    if doc is None:
        from .nlp import parse

        doc = parse(text)
    groups = _merge(_mentions(text, doc))
    entities = []
    for g in groups:
        aliases = list(dict.fromkeys(m.text for m in sorted(g.mentions, key=lambda m: m.start)))
        entities.append(
            Entity(
                name=_display_name(g),
                type=g.kind,
                mentions=len(g.mentions),
                aliases=aliases,
                role=_role(text, g),
                salience=round(_salience(g, len(text), summary_spans), 4),
                spans=sorted((m.start, m.end) for m in g.mentions),
            )
        )
    entities.sort(key=lambda e: (-e.salience, e.spans[0][0]))
    who = [e for e in entities if e.type != "place"]
    where = [e for e in entities if e.type == "place"]
    return who, where
