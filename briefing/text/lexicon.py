"""The language core: the word lists, stemmers and sentence patterns every component shares.

Each list is defined once, here, and named by what it is for. Where two components use
*different* lists that is deliberate (each was tuned, and the learned ranker's weights were
trained, on its own list), so they are kept apart under names that say which is which:

- ``FUNCTION_WORDS``: the classic English function words (NLTK's list), for plain-word graphs;
- ``sumy_stop_words()``: sumy's English list, for sumy's own algorithms;
- ``content_stop_words()``: sumy's list plus reporting words ("said", "Mr"), for the news
  ranker's content terms;
- ``story_stop_words()``: scikit-learn's English list (written out here), for stories (clustering,
  the multi-document summary).

Stemmers, by the same rule: ``stemmer("content")`` (Porter, Snowball's pure-Python port),
``stemmer("sumy")`` (the one sumy's algorithms are given) and ``stemmer("light")`` (a suffix
strip that makes "recalls"/"recalled" meet without merging distinct words).

Heavy libraries (sumy, snowballstemmer) are imported on first use only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

# --- stop lists --------------------------------------------------------------------------------

# The classic English stop list (the one NLTK ships as ``stopwords.words("english")``), written
# out here because NLTK's data cannot be downloaded offline.
FUNCTION_WORDS = frozenset(
    """
i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he him
his himself she she's her hers herself it it's its itself they them their theirs themselves what which who
whom this that that'll these those am is are was were be been being have has had having do does did doing
a an the and but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here there when
where why how all any both each few more most other some such no nor not only own same so than too very s
t can will just don don't should should've now d ll m o re ve y ain aren aren't couldn couldn't didn didn't
doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn
needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't
""".split()
)

# Words of reporting that every news sentence has and no summary is about.
REPORTING_WORDS = frozenset({"said", "says", "say", "mr", "mrs", "ms", "would", "could"})


@lru_cache(maxsize=8)
def sumy_stop_words(language: str = "english") -> frozenset[str]:
    """sumy's stop list for ``language`` (what sumy's algorithms are given); empty where sumy has none."""
    from sumy.utils import get_stop_words

    try:
        return frozenset(get_stop_words(language))
    except LookupError:
        return frozenset()


@lru_cache(maxsize=1)
def content_stop_words() -> frozenset[str]:
    """Words that are never content terms of a news sentence: sumy's list plus reporting words."""
    return sumy_stop_words() | REPORTING_WORDS


# scikit-learn's ENGLISH_STOP_WORDS (BSD-3-Clause, from the Glasgow IR group's stop list), written out so
# the runtime needs no scikit-learn; tests/test_lexicon.py checks it against scikit-learn's when installed.
STORY_STOP_WORDS = frozenset(
    """
a about above across after afterwards again against all almost alone along already also although always am
among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere are around as at back
be became because become becomes becoming been before beforehand behind being below beside besides between
beyond bill both bottom but by call can cannot cant co con could couldnt cry de describe detail do done down
due during each eg eight either eleven else elsewhere empty enough etc even ever every everyone everything
everywhere except few fifteen fifty fill find fire first five for former formerly forty found four from front
full further get give go had has hasnt have he hence her here hereafter hereby herein hereupon hers herself
him himself his how however hundred i ie if in inc indeed interest into is it its itself keep last latter
latterly least less ltd made many may me meanwhile might mill mine more moreover most mostly move much must my
myself name namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere of
off often on once one only onto or other others otherwise our ours ourselves out over own part per perhaps
please put rather re same see seem seemed seeming seems serious several she should show side since sincere six
sixty so some somehow someone something sometime sometimes somewhere still such system take ten than that the
their them themselves then thence there thereafter thereby therefore therein thereupon these they thick thin
third this those though three through throughout thru thus to together too top toward towards twelve twenty
two un under until up upon us very via was we well were what whatever when whence whenever where whereafter
whereas whereby wherein whereupon wherever whether which while whither who whoever whole whom whose why will
with within without would yet you your yours yourself yourselves
""".split()
)


def story_stop_words() -> frozenset[str]:
    """scikit-learn's English stop list (what its TF-IDF vectorizer applies for ``"english"``), for stories."""
    return STORY_STOP_WORDS


# --- stemmers ----------------------------------------------------------------------------------

_LIGHT_SUFFIXES = ("’s", "'s", "ing", "ed", "es", "s")


def light_stem(word: str) -> str:
    """A light suffix strip, so "recalls"/"recalled"/"recall" meet; never below three letters."""
    for suf in _LIGHT_SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)]
    return word


@lru_cache(maxsize=50_000)
def porter_stem(word: str) -> str:
    """Porter's stem of a lower-cased word (memoised)."""
    return _porter().stemWord(word)


@lru_cache(maxsize=1)
def _porter() -> Any:
    # Snowball's Porter stemmer: pure Python, imports in milliseconds (NLTK took ~2 s of
    # the CLI's cold start). Evaluation keeps rouge-score's own NLTK stemming: that is the metric.
    import snowballstemmer

    return snowballstemmer.stemmer("porter")


@lru_cache(maxsize=8)
def _sumy_stemmer(language: str = "english") -> Callable[[str], str]:
    from sumy.nlp.stemmers import Stemmer, null_stemmer

    try:
        return Stemmer(language)
    except LookupError:  # no stemmer for the language: words are compared as written
        return null_stemmer


StemmerKind = Literal["content", "sumy", "light"]


def stemmer(kind: StemmerKind = "content", language: str = "english") -> Callable[[str], str]:
    """The one way to get a stemmer: ``content`` (Porter, for the news ranker's content terms),
    ``sumy`` (Snowball, what sumy's algorithms stem with; ``language`` picks its language), ``light`` (a suffix strip,
    for comparing stories and sentences across articles)."""
    if kind == "content":
        return porter_stem
    if kind == "sumy":
        return _sumy_stemmer(language)
    if kind == "light":
        return light_stem
    raise ValueError(f"unknown stemmer {kind!r}")


# --- speech verbs ------------------------------------------------------------------------------

# Verbs that introduce what somebody said ('"...," Putin said', 'Biden told reporters that "..."').
SPEECH_VERBS = tuple(
    """
said says told tells added adds asked asks argued argues warned warns stated states
explained explains insisted insists noted notes wrote writes tweeted announced announces
declared declares replied replies responded continued recalled claimed claims admitted
acknowledged suggested urged urges stressed emphasised emphasized predicted conceded
cautioned complained joked remarked observed commented confirmed denied promised vowed
""".split()
)
# Words after which a capitalised word is still the same sentence ("said Locke", "in London").
CONTINUATION_WORDS = frozenset(
    "a an the of in on at to for from by with about as into onto over under after before since until "
    "and or but nor so yet if when while where whereas because that which who whom whose than then "
    "said says say told asked added insisted claimed explained wrote reads read says according like "
    "is are was were be been being has have had do does did will would can could may might must shall should "
    "not no nor his her their its our your my this these those such mr mrs ms dr st "
    # particles inside names: "Rio de Janeiro: ..." is no caption label after "de"
    "de da do dos das del della di du des la le van von der den ter".split()
)

# The commonest English words: a quarter or more of an English text, a tenth or less of German, French or
# Spanish (language detection's fast path).
ENGLISH_MARKER_WORDS = frozenset(
    "the of and to a in is was for on that with as by at from it he she his her be has have had are were "
    "said will not but an this its which who they their been would after also more than".split()
)

# The commonest of them: enough to tell that a short line reports somebody speaking (a caption
# printed twice never does).
COMMON_SPEECH_VERBS = ("said", "says", "told", "tells", "added", "asked")
# The speech verbs that, right after a name, mark it as a speaker for the entity typer (its "speaks"
# feature; the shipped weights were learned with exactly these, so the set is fixed with them).
NAME_SPEECH_CUES = frozenset(
    "said says told added asked argued warned stated explained insisted noted wrote tweeted announced declared "
    "replied".split()
)
# Verbs that make "Label: ..." a sentence rather than a photo caption's label ("Smith said: ...",
# "The sign reads: ...", "He posted: ..."): speech verbs and the verbs of signs and posts.
CAPTION_LABEL_VERBS = (
    "said", "says", "told", "added", "asked", "wrote", "reads", "explained", "insisted", "claimed", "tweeted",
    "posted",
)  # fmt: skip
SPEECH_VERB_ALTERNATION = "|".join(SPEECH_VERBS)  # for larger regexes
SPEECH_VERB = re.compile(rf"\b(?:{SPEECH_VERB_ALTERNATION})\b", re.IGNORECASE)


# --- sentence patterns -------------------------------------------------------------------------

_OPENING_QUOTE = r"[\"'‘“]?"
# Words opening a sentence that point back to something named before it.
_BACK_REFERENCES = r"he|she|it|they|his|her|its|their|him|them|this|that|these|those|the (?:latter|former)"
# Connectives opening a sentence that continue an argument begun before it.
_CONNECTIVES = r"but|and|so|yet|also|however|instead|therefore|thus|that is why|this is why|as a result"

# A sentence opening with a pronoun or demonstrative ("He", "This", "The latter").
PRONOUN_OPENING = re.compile(rf"^{_OPENING_QUOTE}(?:{_BACK_REFERENCES})\b", re.IGNORECASE)
# A sentence opening with one of these refers back to something the reader has not seen.
DANGLING_OPENING = re.compile(rf"^{_OPENING_QUOTE}(?:(?:{_BACK_REFERENCES}|{_CONNECTIVES})\b)", re.IGNORECASE)
# Words that make "This"/"That"... a determiner of a new, explicit noun phrase are still dangling
# ("This week" is fine though): the short list of time words keeps such openings.
RESOLVED_AFTER_DEMONSTRATIVE = re.compile(
    r"^(?:this|that|these|those) (?:week|year|month|morning|afternoon|evening|summer|winter|spring|autumn|"
    r"season|weekend|time|is (?:the|a)\b)",
    re.IGNORECASE,
)
CAPTION = re.compile(
    r"(?i:scroll down for (?:video|more)|^\s*(?:pictured|photo|image|video|watch|click here|read more|"
    r"see more|related)\b|\((?:pictured|left|right|centre|center|above|below|top|bottom|inset)\))|"
    # a short label and a colon before a capital: "Flying high: Half of the kite..."
    r"^[A-Z][\w'’-]*(?: [\w'’-]+){0,4}: [A-Z]"
)
FURNITURE = re.compile(
    r"^\s*(?:by\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}\s*\.?\s*$|by \. |"
    r"(?:published|updated|last updated)\s*:?|"
    r"[A-Z][A-Za-z .,'-]{1,40}\(\s*(?:reuters|ap|afp|cnn|upi|bloomberg)\s*\)\s*[-–—]*\s*$|"
    r"(?:follow|contact) (?:us|me|him|her)\b.*(?:twitter|@)|"
    r"e-?mail\s*:|copyright\b|all rights reserved)",
    re.IGNORECASE,
)


def is_dangling(text: str) -> bool:
    """The sentence opens with "He", "But", "That is why"...: it leans on what came before."""
    s = text.lstrip()
    return bool(DANGLING_OPENING.match(s)) and not RESOLVED_AFTER_DEMONSTRATIVE.match(s.lstrip("\"'‘“"))


def opens_with_pronoun(text: str) -> bool:
    """The sentence opens with a pronoun or demonstrative (not merely a connective)."""
    return bool(PRONOUN_OPENING.match(text.lstrip()))


def is_caption(text: str) -> bool:
    """A photo caption or video teaser, not a sentence of the story."""
    return bool(CAPTION.search(text))


def is_furniture(text: str) -> bool:
    """A byline, dateline, copyright line or other page furniture."""
    return bool(FURNITURE.match(text))


def quote_balance(text: str) -> int:
    """Opening minus closing double quotation marks: > 0 when a quotation runs on into the next
    sentence, < 0 when the sentence ends one begun before it (straight quotes: odd = unbalanced)."""
    curly = text.count("“") - text.count("”")
    if curly:
        return curly
    straight = text.count('"')
    if straight % 2:
        return 1 if text.lstrip().startswith('"') or text.find('"') < len(text) / 2 else -1
    return 0
