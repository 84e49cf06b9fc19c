"""Which language an article is written in, offline.

English news is recognised at once by its function words (the, of, and, to ... make a quarter or more of
its words; in German, French or Spanish they make a tenth or less). Anything else goes to py3langid, a
maintained fork of langid.py whose model ships inside the package (no download at run time); it is loaded
only then, since loading it takes a second.

Summaries for other languages use sumy's stemmer and stop words where sumy has them (``SUMY_LANGUAGES``);
the English-trained entity and date models are not run on them.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from .lexicon import ENGLISH_MARKER_WORDS

__all__ = ["Language", "detect_language", "language_for", "SUMY_LANGUAGES", "ENGLISH"]

SAMPLE_CHARS = 5000
MIN_WORDS = 12  # fewer words than this: too little to tell; taken as English, the tool's home language
ENGLISH_SHARE = 0.2

# ISO 639-1 code -> the name sumy's stemmer and stop-word lists use.
SUMY_LANGUAGES = {
    "ar": "arabic", "cs": "czech", "de": "german", "el": "greek", "en": "english", "es": "spanish",
    "fr": "french", "he": "hebrew", "hu": "hungarian", "it": "italian", "ja": "japanese", "ko": "korean",
    "nl": "dutch", "pt": "portuguese", "ru": "russian", "sk": "slovak", "sv": "swedish", "uk": "ukrainian",
    "zh": "chinese",
}  # fmt: skip
_NAMES = {v: k for k, v in SUMY_LANGUAGES.items()}
_NAMES.update({"english": "en", "deutsch": "de", "français": "fr", "francais": "fr", "español": "es"})

_ENGLISH_WORDS = ENGLISH_MARKER_WORDS
_WORD = re.compile(r"[^\W\d_]+")
_lock = threading.Lock()
_identifier: Any = None


@dataclass(frozen=True)
class Language:
    """``code`` is ISO 639-1 ("en", "de"); ``source`` says how it was decided: detected or given."""

    code: str
    confidence: float = 1.0
    source: str = "detected"

    @property
    def english(self) -> bool:
        return self.code == "en"

    @property
    def sumy_name(self) -> str | None:
        """The language's name for sumy, or None when sumy has no stemmer and stop words for it."""
        return SUMY_LANGUAGES.get(self.code)


ENGLISH = Language("en", 1.0, "default")


def language_for(value: str) -> Language:
    """A language the user named (``--language de`` or ``--language german``); ValueError when unknown."""
    v = value.strip().lower()
    code = _NAMES.get(v, v)
    if not re.fullmatch(r"[a-z]{2}", code):
        raise ValueError(f"unknown language {value!r}: use a two-letter code such as en, de, fr")
    return Language(code, 1.0, "option")


def detect_language(text: str) -> Language:
    """The language ``text`` is written in; English when there are too few words to tell."""
    sample = text[:SAMPLE_CHARS]
    words = [w.lower() for w in _WORD.findall(sample)]
    if len(words) < MIN_WORDS:
        return ENGLISH
    share = sum(w in _ENGLISH_WORDS for w in words) / len(words)
    if share >= ENGLISH_SHARE:
        return Language("en", round(min(1.0, 0.5 + share), 3))
    code, prob = _identify(sample)
    return Language(code, round(float(prob), 3))


def _identify(sample: str) -> tuple[str, float]:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        code, prob = _identifier.classify(sample)
    return str(code), float(prob)
