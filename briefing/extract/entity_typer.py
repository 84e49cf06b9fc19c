"""Which spans are names, and of what type: a small linear re-typer over spaCy's NER.

spaCy-small misses most sports teams (town names in results tables), calls agencies people and
types many names differently on each mention. This module proposes candidate spans (spaCy's
entities, split at scores and "v"; the same without spaCy's extra first or last word; runs of
capitalised words it skipped; short neighbours joined), describes each with features (spaCy's label,
the words, their context, the shape of the line, whether the text is a sports report, club words,
what the rest of the document says about the same name) and scores them with a multinomial
logistic model learned on CoNLL-2003 train (``scripts/train_entity_typer.py`` rebuilds
``briefing/data/entity_typer.json``). Scoring is a sum of weights in pure Python, a few
microseconds a candidate.

Types are decided per document: every mention of the same name gets the type its mentions vote for
(derived spans vote only for names that never stand on their own); overlapping readings keep the
surest.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..text.lexicon import NAME_SPEECH_CUES
from .entity_roles import HONORIFICS, ROLE_WORDS

CLASSES = ("PER", "ORG", "LOC", "MISC", "O")

# spaCy labels that may be names we care about; numbers, dates and the like are never candidates.
NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
_NUMERIC = re.compile(r"^[\d.,:/%()+-]+$")


@dataclass
class Candidate:
    start: int  # token index in the doc
    end: int
    start_char: int
    end_char: int
    label: str  # spaCy's label, or "CAP" for a capitalised run spaCy skipped
    text: str  # surface form from the caller's text (original casing)
    cut: str = ""  # how the span was derived from spaCy's: "lead" / "trail" word dropped, "join"ed
    type: str = "O"
    probs: tuple[float, ...] = ()


def _is_cap(tok_text: str) -> bool:
    return tok_text[:1].isupper() and any(c.isalpha() for c in tok_text)


_BREAKS = set('()[]{},:;"|/')
_VERSUS = {"v", "v.", "vs", "vs."}


def _breaks(doc, i: int) -> bool:
    """Whether token i separates names: line breaks, brackets, commas, and spaced dashes ("Romania - Contra")."""
    tok = doc[i]
    if tok.is_space:
        return True
    t = tok.text
    if t in _BREAKS or t.lower() in _VERSUS:
        return True
    if _NUMERIC.match(t) and any(c.isdigit() for c in t):
        return True  # "Pohang 3 Ulsan 2": a results line read as one name
    if t.strip("-–—") == "" and tok.whitespace_ and i > 0 and doc[i - 1].whitespace_:
        return True
    return False


_PARTICLES = {
    "van",
    "von",
    "de",
    "der",
    "den",
    "di",
    "da",
    "du",
    "la",
    "le",
    "al",
    "el",
    "bin",
    "ibn",
    "dos",
    "das",
    "plc",
    "ltd",
    "inc",
    "co",
    "llc",
    "ag",
    "sa",
    "nv",
    "bv",
    "gmbh",
    "spa",
}


def _common_word(t: str) -> bool:
    """An all-lower-case word that is no name particle or corporate suffix ("joins", "province")."""
    return t.isalpha() and t.islower() and t not in _PARTICLES


def _segments(doc, start: int, end: int):
    """Split tokens [start, end) into name-like pieces: no line breaks or separators inside, no numbers
    or punctuation at the edges, no leading article or trailing possessive."""
    pieces, cur = [], start
    for i in range(start, end):
        if _breaks(doc, i):
            pieces.append((cur, i))
            cur = i + 1
        elif "\n" in doc[i].whitespace_:
            pieces.append((cur, i + 1))
            cur = i + 1
    pieces.append((cur, end))
    for a, b in pieces:
        while a < b and not any(ch.isalpha() for ch in doc[a].text):
            a += 1
        while b > a and not any(ch.isalpha() for ch in doc[b - 1].text):
            b -= 1
        # "the United States": names are compared, and annotated, without the article; nor do they
        # start or end with a common word ("joins City", "Xinhua news agency"), name particles aside
        while a < b - 1 and (doc[a].lower_ in ("the", "a", "an") or _common_word(doc[a].text)):
            a += 1
        while b > a + 1 and _common_word(doc[b - 1].text):
            b -= 1
        while b > a + 1 and doc[b - 1].text in ("'s", "’s", "'", "’"):
            b -= 1
        if a < b:
            yield a, b


def candidates(doc, text: str) -> list[Candidate]:
    """spaCy's name entities (split at line breaks and separators), plus capitalised runs no entity
    touches; in ALL-CAPS lines, where capitals say nothing, every short sub-run of such a run."""
    from .nlp import _is_shouting

    out: list[Candidate] = []
    taken = [False] * len(doc)
    for ent in doc.ents:
        if ent.label_ not in NAME_LABELS:
            continue  # a date or a number ("Kansas City 1", "August 16-18 v Kent"): its capitals stay open
        for i in range(ent.start, ent.end):
            taken[i] = True
        for a, b in _segments(doc, ent.start, ent.end):
            ca, cb = doc[a].idx, doc[b - 1].idx + len(doc[b - 1])
            out.append(Candidate(a, b, ca, cb, ent.label_, text[ca:cb]))
            if 2 <= b - a <= 6:
                # spaCy often takes a word too many ("Centre Walter Little", "Vancouver IndyCar"):
                # offer the span without its first or last word; the overlap step keeps the surest
                for a2, b2, cut in ((a + 1, b, "lead"), (a, b - 1, "trail")):
                    if any(ch.isalpha() for ch in doc[a2].text) and any(ch.isalpha() for ch in doc[b2 - 1].text):
                        ca, cb = doc[a2].idx, doc[b2 - 1].idx + len(doc[b2 - 1])
                        out.append(Candidate(a2, b2, ca, cb, ent.label_, text[ca:cb], cut))
    shouting: dict[int, bool] = {}
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_shouts(i: int) -> bool:
        # where token i's line starts (bisect: rfind from every token made one long line quadratic)
        k = bisect_left(newlines, doc[i].idx)
        a = newlines[k - 1] + 1 if k else 0
        if a not in shouting:
            b = text.find("\n", a)
            shouting[a] = _is_shouting(text[a : b if b >= 0 else len(text)])
        return shouting[a]

    def cap(i: int) -> bool:
        return _is_cap(text[doc[i].idx : doc[i].idx + len(doc[i])]) and not _breaks(doc, i)

    i, n = 0, len(doc)
    while i < n:
        # in an ALL-CAPS line spaCy's spans mean little ("Soccer - Shearer Named As England Captain")
        loud = cap(i) and line_shouts(i)
        if (taken[i] and not loud) or not cap(i):
            i += 1
            continue
        j = i + 1
        while j < n and (loud or not taken[j]) and "\n" not in doc[j - 1].whitespace_ and cap(j):
            j += 1
        if loud:
            spans = [(a, b) for a in range(i, j) for b in range(a + 1, min(a + 3, j) + 1)]
        else:
            spans = [(i, j)] if j - i <= 5 else []
        for a, b in spans:
            ca, cb = doc[a].idx, doc[b - 1].idx + len(doc[b - 1])
            out.append(Candidate(a, b, ca, cb, "CAP", text[ca:cb]))
        i = j
    # spaCy often leaves a first name or a title out of a name ("Mayor Sadiq" + "Khan"): offer the
    # joined spans too, labelled EXT; the overlap step keeps whichever reading is surest
    caps_ending: dict[int, list[int]] = defaultdict(list)  # token end -> starts of CAP runs ending there
    for x in out:
        if x.label == "CAP":
            caps_ending[x.end].append(x.start)
    for c in [c for c in out if c.label in ("PERSON", "ORG") and not c.cut]:
        for k in range(1, 4):
            a = c.start - k
            run = [st for st in caps_ending.get(c.start, ()) if st <= a]
            if a < 0 or not run or "\n" in doc[c.start - 1].whitespace_:
                break
            ca = doc[a].idx
            out.append(Candidate(a, c.end, ca, c.end_char, "EXT", text[ca : c.end_char]))
    # two short neighbours that may be one name ("K." + "Curran", "Natalia" + "Karimova")
    by_start: dict[int, list[Candidate]] = defaultdict(list)
    for x in out:
        if not x.cut and x.label != "EXT":
            by_start[x.start].append(x)
    for c in [x for x in out if not x.cut and x.label != "EXT" and x.end - x.start <= 2]:
        if "\n" in doc[c.end - 1].whitespace_:
            continue
        for d in by_start.get(c.end, ()):
            if d.end - c.start <= 3 and min(c.end - c.start, d.end - d.start) == 1:
                out.append(
                    Candidate(
                        c.start, d.end, c.start_char, d.end_char, c.label, text[c.start_char : d.end_char], "join"
                    )
                )
    seen: set[tuple[int, int]] = set()
    uniq = []
    for c in out:  # one candidate a span: the first reading (spaCy's own) wins
        if (c.start, c.end) not in seen:
            seen.add((c.start, c.end))
            uniq.append(c)
    uniq.sort(key=lambda c: (c.start, c.end))
    return uniq


_SPEECH_VERBS = NAME_SPEECH_CUES


def _lower_tok(doc, text: str, i: int) -> str:
    if i < 0 or i >= len(doc):
        return ""
    t = doc[i]
    return text[t.idx : t.idx + len(t)].lower()


def _shape(s: str) -> str:
    s = re.sub(r"[A-Z]", "X", s)
    s = re.sub(r"[a-z]", "x", s)
    s = re.sub(r"\d", "d", s)
    return re.sub(r"(.)\1+", r"\1\1", s)


@dataclass
class _Line:
    tokens: int = 0
    numbers: int = 0
    shouting: bool = False


def _line_info(doc, text: str) -> tuple[list[int], list[_Line]]:
    """Line number of every token, and per line: token count, numeric tokens, ALL CAPS or not."""
    line_of = []
    lines = [_Line()]
    ln = 0
    for tok in doc:
        if tok.is_space:
            ln += tok.text.count("\n")
            while len(lines) <= ln:
                lines.append(_Line())
            line_of.append(ln)
            continue
        line_of.append(ln)
        info = lines[ln]
        info.tokens += 1
        if _NUMERIC.match(tok.text) and any(c.isdigit() for c in tok.text):
            info.numbers += 1
        ln += tok.whitespace_.count("\n")
        while len(lines) <= ln:
            lines.append(_Line())
    # shouting lines, from the caller's text (the doc may have been title-cased)
    from .nlp import _is_shouting

    for k, line in enumerate(text.split("\n")):
        if k < len(lines):
            lines[k].shouting = _is_shouting(line)
    return line_of, lines


# Words of a general kind that make a name a club or a team rather than the place in it
# ("Manchester City", "Borussia Dortmund", "FC Porto"), and words that make a text a sports report.
CLUB_SUFFIXES = {
    "fc",
    "f.c.",
    "afc",
    "cf",
    "sc",
    "city",
    "united",
    "utd",
    "athletic",
    "rovers",
    "wanderers",
    "albion",
    "town",
    "county",
    "rangers",
    "hotspur",
    "villa",
    "wednesday",
    "argyle",
    "orient",
    "thistle",
    "celtic",
    "academicals",
    "alexandra",
    "athletico",
    "stanley",
    "vale",
}
CLUB_PREFIXES = {
    "fc",
    "afc",
    "ac",
    "as",
    "sc",
    "sv",
    "vfb",
    "vfl",
    "tsv",
    "fk",
    "nk",
    "sk",
    "real",
    "atletico",
    "atlético",
    "borussia",
    "dynamo",
    "dinamo",
    "sporting",
    "inter",
    "olympique",
    "olympiakos",
    "racing",
    "deportivo",
    "bayer",
    "eintracht",
    "hertha",
    "rapid",
    "lokomotiv",
    "spartak",
    "partizan",
    "ajax",
}
_SPORTS_WORDS = {
    "soccer",
    "football",
    "cricket",
    "rugby",
    "tennis",
    "golf",
    "basketball",
    "baseball",
    "hockey",
    "league",
    "cup",
    "match",
    "goal",
    "goals",
    "scored",
    "striker",
    "midfielder",
    "defender",
    "goalkeeper",
    "coach",
    "season",
    "innings",
    "wickets",
    "tournament",
    "playoff",
    "semifinal",
    "semi-final",
    "quarter-final",
    "champions",
    "championship",
    "halftime",
    "half-time",
    "penalty",
    "fixture",
    "fixtures",
    "derby",
    "stadium",
    "squad",
    "winger",
    "premiership",
    "bundesliga",
    "serie",
    "olympic",
    "medal",
    "inning",
    "touchdown",
    "pitcher",
    "homer",
    "batsman",
    "bowled",
    "scorers",
    "standings",
    "relegation",
}


def is_sports_report(lower_words) -> bool:
    """Whether a text (its lower-case words) reads as a sports report: two sports words or more."""
    n = 0
    for w in lower_words:
        if w in _SPORTS_WORDS:
            n += 1
            if n >= 2:
                return True
    return False


def _norm(s: str) -> str:
    return " ".join(s.lower().split())


def features(doc, text: str, cands: list[Candidate]) -> list[list[str]]:
    """Feature names for each candidate (all binary)."""
    line_of, lines = _line_info(doc, text)
    n_lines = sum(1 for ln in lines if ln.tokens)
    table_lines = sum(1 for ln in lines if ln.tokens and ln.numbers >= 2 and ln.numbers >= 0.3 * ln.tokens)
    # a results page: several score lines (a dateline "December 10, 2013" in a 3-line text is none)
    table_doc = table_lines >= 3 and table_lines >= 0.25 * n_lines

    sports_doc = is_sports_report(t.lower_ for t in doc)
    inside = {}  # token -> label of a non-name entity (DATE, CARDINAL...) around it
    for ent in doc.ents:
        if ent.label_ not in NAME_LABELS:
            for i in range(ent.start, ent.end):
                inside[i] = ent.label_

    # what the document says elsewhere about each name and each word
    labels_of: dict[str, set[str]] = defaultdict(set)
    cues_of: dict[str, set[str]] = defaultdict(set)  # person cues seen around any mention of a name
    person_words: set[str] = set()
    org_words: set[str] = set()
    for c in cands:
        labels_of[_norm(c.text)].add(c.label)
        before = _lower_tok(doc, text, c.start - 1)
        after = _lower_tok(doc, text, c.end)
        if before in HONORIFICS:
            cues_of[_norm(c.text)].add("honorific")
        elif before in ROLE_WORDS:
            cues_of[_norm(c.text)].add("title")
        if after in _SPEECH_VERBS:
            cues_of[_norm(c.text)].add("speaks")
        if c.label == "PERSON" and c.end - c.start >= 2:
            person_words.update(_norm(c.text).split())
        if c.label == "ORG" and c.end - c.start >= 2:
            org_words.update(_norm(c.text).split())

    def tok_text(i: int) -> str:
        if i < 0 or i >= len(doc):
            return "<none>"
        t = doc[i]
        return "<nl>" if t.is_space else text[t.idx : t.idx + len(t)].lower()

    out = []
    for c in cands:
        words = [text[doc[i].idx : doc[i].idx + len(doc[i])] for i in range(c.start, c.end)]
        low = _norm(c.text)
        line = lines[line_of[c.start]]
        is_table = line.numbers >= 2 and line.numbers >= 0.3 * line.tokens
        lab = c.label + ("~" + c.cut if c.cut else "")  # spaCy's own span, or a guess derived from it
        f = [
            "bias",
            "lab=" + lab,
            "w=" + low,
            "first=" + words[0].lower(),
            "last=" + words[-1].lower(),
            "len=" + str(min(c.end - c.start, 4)),
            "shape=" + _shape(c.text)[:8],
            "suf3=" + words[-1][-3:].lower(),
            "suf2=" + words[-1][-2:].lower(),
        ]
        f += ["tok=" + w.lower() for w in words]
        prev, prev2 = tok_text(c.start - 1), tok_text(c.start - 2)
        nxt, nxt2 = tok_text(c.end), tok_text(c.end + 1)
        f += ["prev=" + prev, "prev2=" + prev2 + "|" + prev, "next=" + nxt, "next2=" + nxt + "|" + nxt2]
        nxt_num = bool(_NUMERIC.match(nxt)) and any(ch.isdigit() for ch in nxt)
        prev_num = bool(_NUMERIC.match(prev)) and any(ch.isdigit() for ch in prev)
        line_start = c.start == 0 or prev in ("<nl>", "<none>") or line_of[c.start - 1] != line_of[c.start]
        ctx = []
        if nxt_num:
            ctx.append("next_num")
        if prev_num:
            ctx.append("prev_num")
        if line_start:
            ctx.append("line_start")
        if is_table:
            ctx.append("table_line")
        if table_doc:
            ctx.append("table_doc")
        if line.shouting:
            ctx.append("caps_line")
        if prev == "(" and nxt == ")":
            ctx.append("in_parens")
        if c.text.isupper() and len(c.text) > 1:
            ctx.append("all_upper")
        if sports_doc:
            ctx.append("sports_doc")
        if c.cut:
            ctx.append("cut=" + c.cut)
        if c.start in inside:
            ctx.append("inside=" + inside[c.start])
        lw = [w.lower() for w in words]
        if len(lw) > 1 and lw[-1] in CLUB_SUFFIXES:
            ctx.append("club_suffix")
        if len(lw) > 1 and lw[0] in CLUB_PREFIXES:
            ctx.append("club_prefix")
        f += ctx
        if sports_doc:
            f += ["sports&" + x for x in ctx if x != "sports_doc"]
        f += [lab + "&" + x for x in ctx]
        f += ["cue=" + x for x in sorted(cues_of[low])]
        others = sorted(labels_of[low] - {lab})
        f += ["also=" + o for o in others]
        f += [lab + "&also=" + o for o in others]
        if c.end - c.start == 1:
            if low in person_words:
                f.append("part_of_person")
            if low in org_words:
                f.append("part_of_org")
        out.append(f)
    return out


_SPACY_NAMES = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}
FALLBACK_MIN = 0.3


@cache
def load_model() -> dict:
    """Weights shipped in briefing/data/entity_typer.json: {"classes": [...], "weights": {feat: [w...]}}."""
    with resources.files("briefing.data").joinpath("entity_typer.json").open("r", encoding="utf-8") as fh:
        return json.load(fh)


def _softmax(z: list[float]) -> tuple[float, ...]:
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = sum(e)
    return tuple(v / s for v in e)


def score(feats: list[list[str]], model: dict | None = None) -> list[tuple[float, ...]]:
    model = model or load_model()
    weights = model["weights"]
    bias = model["intercept"]
    out = []
    for f in feats:
        z = list(bias)
        for name in f:
            w = weights.get(name)
            if w is not None:
                for k, v in enumerate(w):
                    z[k] += v
        out.append(_softmax(z))
    return out


def type_names(doc, text: str, model: dict | None = None) -> list[Candidate]:
    """Candidates with a type in CLASSES, decided once per name for the whole document."""
    cands = candidates(doc, text)
    if not cands:
        return []
    probs = score(features(doc, text, cands), model)
    votes: dict[str, list[float]] = {}
    # a span cut from or joined to spaCy's is a guess: it votes for its name only where no
    # mention of that name stands on its own (a surname "Mehrtens" cut from "Andrew Mehrtens"
    # is no name there, but says nothing about a "Mehrtens" elsewhere)
    for c, p in sorted(zip(cands, probs), key=lambda cp: bool(cp[0].cut)):
        c.probs = p
        key = _norm(c.text)
        if c.cut and key in votes and not votes[key][-1]:
            continue
        v = votes.setdefault(key, [0.0] * len(CLASSES) + [float(bool(c.cut))])
        for k, pk in enumerate(p):
            v[k] += math.log(max(pk, 1e-9))
    confidence = {}
    for c in cands:
        v = votes[_norm(c.text)][: len(CLASSES)]
        k = max(range(len(CLASSES)), key=v.__getitem__)
        c.type = CLASSES[k]
        confidence[id(c)] = c.probs[k]
    # overlapping candidates (sub-runs of a headline, a name inside a longer one): keep the surest
    named = sorted((c for c in cands if c.type != "O"), key=lambda c: -confidence[id(c)])
    used: set[int] = set()
    for c in named:
        toks = range(c.start, c.end)
        if any(t in used for t in toks):
            c.type = "O"
        else:
            used.update(toks)
    # a name spaCy found whole, that no other reading claims, and that the model doubts only
    # narrowly ("Bank of America": O 0.54, ORG 0.39): most such doubts are about its edges
    for c in cands:
        if c.type != "O" or c.cut or c.label not in _SPACY_NAMES or any(t in used for t in range(c.start, c.end)):
            continue
        k = max(range(len(CLASSES) - 1), key=c.probs.__getitem__)
        if c.probs[k] >= FALLBACK_MIN and CLASSES[k] == _SPACY_NAMES[c.label]:  # both readings agree
            c.type = CLASSES[k]
            used.update(range(c.start, c.end))
    return cands
