"""sumy's algorithms behind our interface, with every sentence's rating kept.

sumy returns only the chosen sentences; we capture the rating it computes for
each one by intercepting its shared ``_get_best_sentences`` step. sumy's own
tokenizer needs NLTK data downloaded at run time, so sentences come from our
offline splitter and words from a regex tokenizer (sumy only calls
``to_sentences`` and ``to_words``).
"""

from __future__ import annotations

from ..models import ScoredSentence
from ..text.lexicon import stemmer, sumy_stop_words
from ..text.segment import words
from .base import RankInput, Summarizer

SUMY_ALGORITHMS = {
    "lexrank": (
        "sumy.summarizers.lex_rank",
        "LexRankSummarizer",
        "LexRank: eigenvector centrality on a graph of TF-IDF cosine similarities.",
    ),
    "textrank": (
        "sumy.summarizers.text_rank",
        "TextRankSummarizer",
        "TextRank: PageRank over sentence word-overlap similarities.",
    ),
    "lsa": (
        "sumy.summarizers.lsa",
        "LsaSummarizer",
        "LSA: sentences that best cover the top latent topics (SVD of the term matrix).",
    ),
    "luhn": ("sumy.summarizers.luhn", "LuhnSummarizer", "Luhn (1958): clusters of significant, frequent words."),
    "edmundson": (
        "sumy.summarizers.edmundson",
        "EdmundsonSummarizer",
        "Edmundson (1969): cue words, key words, title words and location.",
    ),
    "kl": (
        "sumy.summarizers.kl",
        "KLSummarizer",
        "KL-Sum: greedily minimises KL divergence between summary and article words.",
    ),
    "sumbasic": (
        "sumy.summarizers.sum_basic",
        "SumBasicSummarizer",
        "SumBasic: word probability averages with re-weighting of used words.",
    ),
    "reduction": (
        "sumy.summarizers.reduction",
        "ReductionSummarizer",
        "Reduction: graph of sentence similarities, sentences ranked by total weight.",
    ),
}

_STIGMA = ["hardly", "impossible", "perhaps", "maybe", "reportedly", "click", "subscribe", "advertisement"]
_BONUS = ["said", "announced", "will", "first", "new", "significant", "important", "major", "killed", "agreed"]


class _Tokenizer:
    """The two calls sumy makes; language-independent and offline."""

    language = "english"

    def to_sentences(self, paragraph: str):  # pragma: no cover - we build documents ourselves
        from ..text.segment import split_sentences

        return tuple(s.text for s in split_sentences(paragraph))

    def to_words(self, sentence: str):
        return tuple(words(sentence))


# sumy's KL-Sum re-scores every sentence left each time it picks one (the cube of their number:
# 500 sentences took 80-125 s); the longest real article (248 sentences) still fits.
KL_MAX_RANKED = 250


class SumySummarizer(Summarizer):
    def __init__(self, name: str, language: str = "english"):
        self.name = name
        self.language = language
        self._module, self._class, self.description = SUMY_ALGORITHMS[name]
        if name == "kl":
            self.max_ranked = KL_MAX_RANKED

    def _build(self):
        import importlib

        cls = getattr(importlib.import_module(self._module), self._class)
        summarizer = cls(stemmer("sumy", self.language))
        if hasattr(summarizer, "stop_words"):
            summarizer.stop_words = sumy_stop_words(self.language)
        if self.name == "edmundson":
            summarizer.null_words = sumy_stop_words(self.language)
            summarizer.bonus_words = _BONUS
            summarizer.stigma_words = _STIGMA
        return summarizer

    def score(self, doc: RankInput) -> list[ScoredSentence]:
        from sumy.models.dom import ObjectDocumentModel, Paragraph
        from sumy.models.dom import Sentence as SumySentence

        tok = _Tokenizer()
        paragraphs = []
        if doc.title:
            paragraphs.append(Paragraph([SumySentence(doc.title, tok, is_heading=True)]))
        current, cur_p = [], None
        for s in doc.sentences:
            if cur_p is not None and s.paragraph != cur_p:
                paragraphs.append(Paragraph(current))
                current = []
            current.append(SumySentence(s.text, tok))
            cur_p = s.paragraph
        if current:
            paragraphs.append(Paragraph(current))
        document = ObjectDocumentModel(paragraphs)
        sumy_sentences = document.sentences  # headings excluded, same order as doc.sentences

        summarizer = self._build()
        captured: dict[str, list[float]] = {}

        def capture(sentences, count, rating, *args, **kwargs):
            rate = (lambda s: rating[s]) if isinstance(rating, dict) else (lambda s: rating(s, *args, **kwargs))
            captured["ratings"] = [float(rate(s)) for s in sentences]
            return tuple(sentences)

        summarizer._get_best_sentences = capture
        import numpy

        try:
            with numpy.errstate(all="ignore"):  # degenerate graphs divide by zero; ratings fall back below
                summarizer(document, len(sumy_sentences))
        except (ValueError, ZeroDivisionError, IndexError):
            captured.pop("ratings", None)  # degenerate input (e.g. one word): fall back to position
        ratings = captured.get("ratings")
        if ratings is None or len(ratings) != len(doc.sentences):
            n = len(doc.sentences)
            ratings = [1.0 - i / max(n, 1) for i in range(n)]
        return [ScoredSentence(s, score=r, parts={self.name: r}) for s, r in zip(doc.sentences, ratings)]
