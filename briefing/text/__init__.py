"""Text preparation: normalisation and offline sentence segmentation."""

from .normalize import clean_for_analysis, line_key
from .segment import split_sentences, word_count, words

__all__ = ["clean_for_analysis", "line_key", "split_sentences", "word_count", "words"]
