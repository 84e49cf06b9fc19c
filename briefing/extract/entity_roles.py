"""Roles of people, read from the words around a name: titles before it and appositions after it.

"White House Press Secretary Jen Psaki" -> "White House Press Secretary"; "Putin aide Yuri Ushakov"
-> "Putin aide"; "Tim Cook, the chief executive of Apple, said" -> "chief executive of Apple".
Plain rules over the text (no parser), so they cost next to nothing per article.
"""

from __future__ import annotations

import re

# Head nouns of roles. A phrase before a name is a role only if it ends with one of these.
ROLE_WORDS = {
    "president",
    "vice-president",
    "president-elect",
    "premier",
    "minister",
    "secretary",
    "chancellor",
    "senator",
    "sen.",
    "representative",
    "rep.",
    "congressman",
    "congresswoman",
    "governor",
    "gov.",
    "mayor",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "emperor",
    "sheikh",
    "general",
    "gen.",
    "colonel",
    "col.",
    "admiral",
    "commander",
    "lieutenant",
    "lt.",
    "sergeant",
    "sgt.",
    "chief",
    "ceo",
    "cfo",
    "coo",
    "chairman",
    "chairwoman",
    "chairperson",
    "chair",
    "director",
    "ambassador",
    "envoy",
    "aide",
    "adviser",
    "advisor",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "coach",
    "manager",
    "captain",
    "striker",
    "goalkeeper",
    "defender",
    "midfielder",
    "forward",
    "leader",
    "head",
    "founder",
    "co-founder",
    "executive",
    "officer",
    "commissioner",
    "councillor",
    "councilor",
    "councilman",
    "councilwoman",
    "alderman",
    "alderwoman",
    "assemblyman",
    "assemblywoman",
    "judge",
    "justice",
    "attorney",
    "prosecutor",
    "lawyer",
    "economist",
    "analyst",
    "strategist",
    "professor",
    "prof.",
    "official",
    "diplomat",
    "candidate",
    "nominee",
    "actor",
    "actress",
    "singer",
    "owner",
    "editor",
    "correspondent",
    "reporter",
    "chief executive",
    "speaker",
    "dictator",
    "archbishop",
    "bishop",
    "cardinal",
    "rabbi",
    "imam",
    "sultan",
    "emir",
    "governor-general",
    "deputy",
    "superintendent",
    "inspector",
    "detective",
    "sheriff",
    "pilot",
    "player",
    "champion",
    "winner",
    "rival",
    "partner",
    "wife",
    "husband",
    "son",
    "daughter",
    "mother",
    "father",
    "brother",
    "sister",
    "boss",
    "host",
    "presenter",
    "star",
}
# Courtesy titles: part of how a name is written, not a role.
HONORIFICS = {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "sir", "dame", "lord", "lady", "mx", "mx."}
# Words that may sit inside a role phrase without being capitalised.
_CONNECTORS = {"of", "for", "the", "de", "on"}
# Capitalised words that start sentences but never start a role.
_NOT_ROLE_START = {
    "when",
    "while",
    "after",
    "before",
    "but",
    "and",
    "as",
    "if",
    "then",
    "so",
    "by",
    "yesterday",
    "today",
    "on",
    "in",
    "at",
    "for",
    "with",
    "from",
    "also",
    "now",
    "meanwhile",
    "however",
    "then-",
    "former",
    "outgoing",
    "incoming",
    "the",
    "a",
    "an",
    "his",
    "her",
    "their",
    "its",
    "our",
    "my",
    "said",
    "says",
    "told",
    "according",
}
_WORD = re.compile(r"[\w][\w.&'’-]*")
_APPOSITION = re.compile(
    r"^\s*,\s+(?:who is\s+|who was\s+)?(?:the|a|an|his|her|its|their)\s+([^,.;:\"“”()\n]{3,70}?)\s*(?:,|\.|;|$)"
)


def _is_role_word(w: str) -> bool:
    return w.lower() in ROLE_WORDS or w.lower().rstrip("s") in ROLE_WORDS


def title_before(text: str, start: int) -> str | None:
    """The title written right before a name ("Russian President", "Putin aide"), if any."""
    # the line's start, looked for only as far back as a title reaches (a full look back made
    # every mention on one long line cost the whole line)
    a = max(text.rfind("\n", max(0, start - 90), start), start - 90)
    left = text[a + 1 if a >= 0 else 0 : start]
    if not left.endswith((" ", "\t")):
        return None  # "Biden's" or a name glued to something else
    words = [(m.group(0), m.start()) for m in _WORD.finditer(left)]
    # only the words that run up to the name with single spaces between them
    phrase: list[str] = []
    end = len(left.rstrip())
    for w, pos in reversed(words):
        gap = left[pos + len(w) : end]
        if gap.strip():
            break  # punctuation in between: "..., Psaki" is not a title
        low = w.lower()
        if w[:1].isupper() or low in _CONNECTORS or _is_role_word(w):
            phrase.insert(0, w)
            end = pos
        else:
            break
    while phrase and phrase[-1].lower() in HONORIFICS:
        phrase.pop()
    # the head must be the last word; trim sentence-starters and connectors on the left
    if not phrase or not _is_role_word(phrase[-1]):
        return None
    while phrase and (
        phrase[0].lower() in _CONNECTORS or phrase[0].lower() in _NOT_ROLE_START or phrase[0].lower() in HONORIFICS
    ):
        phrase.pop(0)
    if not phrase or len(phrase) > 7:
        return None
    return " ".join(phrase)


# the same without an article ("Anna Berg, chair of the board, said"): news style drops it; only
# when the phrase starts with its role word or one modifier before it ("deputy mayor", "chief
# executive"), so "Berg, Lund and Sato" or "Oslo, Norway" are never roles
_BARE_APPOSITION = re.compile(r"^\s*,\s+([a-z][^,.;:\"“”()\n]{2,70}?)\s*(?:,|\.|;|$)")


def apposition_after(text: str, end: int) -> str | None:
    """'NAME, the chief executive of Apple,' -> 'chief executive of Apple'; 'NAME, chair of the
    board,' -> 'chair of the board'."""
    window = text[end : end + 100]
    m = _APPOSITION.match(window)
    if m:
        phrase = m.group(1).strip()
        words = phrase.split()
        if len(words) > 8 or not any(_is_role_word(w) for w in words):
            return None
        return phrase
    m = _BARE_APPOSITION.match(window)
    if not m:
        return None
    phrase = m.group(1).strip()
    words = phrase.split()
    if len(words) > 8 or words[0] in _LIST_WORDS or not any(_is_role_word(w) for w in words[:2]):
        return None
    return phrase


# words that open a list or an example, not a role: "the festival, including representatives of..."
_LIST_WORDS = {"including", "includes", "such", "like", "especially", "notably", "mainly", "mostly", "and", "or"}


def honorific_prefix(name: str) -> tuple[str, str | None]:
    """Split a leading courtesy title or role word off a name: 'President Biden' -> ('Biden', 'President')."""
    words = name.split()
    k = 0
    while k < len(words) - 1 and (words[k].lower() in HONORIFICS or _is_role_word(words[k])):
        k += 1
    if k == 0:
        return name, None
    title = " ".join(w for w in words[:k] if w.lower() not in HONORIFICS) or None
    return " ".join(words[k:]), title
