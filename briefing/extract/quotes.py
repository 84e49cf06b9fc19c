"""Direct quotes and their speakers, by rules over the text and the entities already found.

A quote is the text between quotation marks (curly or straight), which may hold several sentences.
Its speaker is, in order of preference:
1. the name next to a speech verb right after it: '"...," Putin said', '"...," said Jen Psaki',
   or a pronoun there ("he said") -> the person last named before the quote;
2. the subject of the last speech verb before it in the same sentence: 'Putin told Biden that "..."';
3. 'according to X' right after it;
4. the speaker of the quote just before it in the same paragraph, if nobody else is named in between
   ('"...," Putin said. "Perhaps, we should prepare for that."').
Otherwise, and when the speaker is not a named entity ("the official said"), the speaker is None.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from ..models import Entity, Quote
from ..text.lexicon import SPEECH_VERB, SPEECH_VERB_ALTERNATION

_PRONOUN_SAID = re.compile(
    rf"^\W*(?:he|she)\s+(?:{SPEECH_VERB_ALTERNATION})\b|^\W*(?:{SPEECH_VERB_ALTERNATION})\s+(?:he|she)\b", re.I
)
_ACCORDING = re.compile(r"^\W*according to\b", re.I)
_MIN_WORDS = 4  # shorter quoted bits are scare quotes or titles, not statements


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text inside each pair of quotation marks, never across a paragraph break."""
    spans = []
    for m in re.finditer(r"“([^“”]*?)”|\"([^\"]*?)\"", text, re.S):
        a, b = m.span(1) if m.group(1) is not None else m.span(2)
        inner = text[a:b]
        if "\n\n" in inner or len(inner.split()) < _MIN_WORDS:
            continue
        spans.append((a, b))
    return spans


def _sentence_after(text: str, pos: int, limit: int = 140) -> str:
    window = text[pos : pos + limit]
    cut = len(window)
    for m in re.finditer(r"[.!?]\s|\n|[“\"]", window[1:]):
        cut = m.start() + 1
        break
    return window[:cut]


def _sentence_start(text: str, pos: int, limit: int = 300) -> int:
    lo = max(0, pos - limit)
    best = lo
    for m in re.finditer(r"[.!?][”\"]?\s+(?=[A-Z“\"])|\n", text[lo:pos]):
        best = lo + m.end()
    return best


class _Names:
    """Every entity mention, by position, with the entity's canonical name (found by bisection:
    a scan of every mention for every quote was quadratic in a long text)."""

    def __init__(self, who: list[Entity]):
        self.spans = sorted((a, b, e.name, e.type) for e in who for a, b in e.spans)
        self.starts = [s[0] for s in self.spans]
        self.people = [s for s in self.spans if s[3] == "person"]
        self.people_starts = [s[0] for s in self.people]

    def within(self, a: int, b: int):
        lo, hi = bisect_left(self.starts, a), bisect_right(self.starts, b)
        return [s for s in self.spans[lo:hi] if s[1] <= b]

    def last_person_before(self, pos: int) -> str | None:
        # the last (in start order) person mention that ends by pos; it starts by pos too
        for k in range(bisect_right(self.people_starts, pos) - 1, -1, -1):
            if self.people[k][1] <= pos:
                return self.people[k][2]
        return None


def _after(text: str, b: int, names: _Names) -> tuple[bool, str | None]:
    """Speaker named right after the closing mark. Returns (found an attribution, speaker)."""
    close = b + 1  # past the closing mark
    tail = _sentence_after(text, close)
    verb = SPEECH_VERB.search(tail)
    if _PRONOUN_SAID.match(tail):
        return True, names.last_person_before(b)
    if verb is None or not _attribution_gap(tail[: verb.start()]):
        return False, None
    inside = names.within(close, close + len(tail))
    before_verb = [s for s in inside if s[1] <= close + verb.start()]
    after_verb = [s for s in inside if s[0] >= close + verb.end() and s[0] - (close + verb.end()) <= 3]
    if before_verb:
        # the name nearest the verb ("White House Press Secretary Jen Psaki said")
        return True, before_verb[-1][2]
    if after_verb:
        return True, after_verb[0][2]  # '"...," said Putin'
    return True, None  # "the official said": attributed, but not to a named entity


def _according(text: str, b: int, names: _Names) -> str | None:
    """'"...," according to the Associated Press' (used only when nobody is named before the quote)."""
    close = b + 1
    tail = _sentence_after(text, close)
    if not _ACCORDING.match(tail):
        return None
    inside = names.within(close, close + len(tail))
    return inside[0][2] if inside else None


def _attribution_gap(words_before_verb: str) -> bool:
    """Whether the words between a closing mark and a speech verb can only be its subject:
    names, titles and articles ("White House Press Secretary Jen Psaki", "a Kremlin spokesman"),
    not a clause of its own ("apparently a reference to Putin's demand that NATO say")."""
    from .entity_roles import ROLE_WORDS

    words = re.findall(r"[\w’'.-]+", words_before_verb)
    if len(words) > 8:
        return False
    allowed = {
        "the",
        "a",
        "an",
        "of",
        "for",
        "and",
        "senior",
        "top",
        "former",
        "another",
        "one",
        "also",
        "then",
        "later",
        "once",
        "has",
        "had",
        "have",
        "he",
        "she",
        "they",
        "who",
        "it",
    }
    return all(
        w[:1].isupper() or w.lower() in allowed or w.lower().rstrip("s") in ROLE_WORDS or w.lower() in ROLE_WORDS
        for w in words
    )


def _before(text: str, a: int, names: _Names) -> str | None:
    """Subject of the last speech verb before the opening mark, in the same sentence."""
    open_ = a - 1
    s = _sentence_start(text, open_)
    head = text[s:open_]
    for verb in reversed(list(SPEECH_VERB.finditer(head))):
        vpos = s + verb.start()
        # a name ending at most a few words before the verb is its subject: "Putin told", "Ushakov also said"
        cands = [
            n
            for n in names.within(s, vpos)
            if len(text[n[1] : vpos].split()) <= 2 and not re.search(r"[,;:.]", text[n[1] : vpos])
        ]
        if cands:
            return cands[-1][2]
        if re.search(r"\b(?:he|she)\s+$", text[max(s, vpos - 5) : vpos], re.I):
            return names.last_person_before(s + 1) or names.last_person_before(vpos)
    return None


def find_quotes(text: str, who: list[Entity], doc=None) -> list[Quote]:
    """Direct quotes in ``text`` with ``start``/``end`` of the quoted words, in text order."""
    names = _Names(who)
    quotes: list[Quote] = []
    prev: tuple[Quote, bool] | None = None
    for a, b in _quote_spans(text):
        attributed, speaker = _after(text, b, names)
        if speaker is None and not attributed:
            speaker = _before(text, a, names) or _according(text, b, names)
            attributed = speaker is not None
        if not attributed and prev is not None:
            pq, p_attr = prev
            gap = text[pq.end + 1 : a - 1]
            others = [n for n in names.within(pq.end, a) if n[2] != pq.speaker]
            if p_attr and pq.speaker and "\n\n" not in gap and not others:
                speaker, attributed = pq.speaker, True
        q = Quote(speaker=speaker, text=text[a:b], start=a, end=b)
        quotes.append(q)
        prev = (q, attributed)
    return quotes
