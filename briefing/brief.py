"""Article + analyses -> Brief: the one model every renderer consumes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from .errors import InputError
from .models import Article, Brief, Sentence
from .summarize import Budget, RankInput, get_summarizer
from .text import clean_for_analysis, split_sentences, word_count


@dataclass
class BriefOptions:
    """How to build a brief: the summary's length (``sentences``, ``words`` or ``ratio``; 3 sentences by
    default), the ``algorithm`` (our news ranker unless named), a ``published`` date that overrides the
    article's own, and ``explain`` to keep each sentence's score breakdown."""

    sentences: int | None = None
    words: int | None = None
    ratio: float | None = None
    algorithm: str | None = None
    published: date | None = None  # overrides the article's own date
    explain: bool = False
    language: str | None = None  # ISO 639-1 code or a name ("de", "german"); None = detect
    default_published: date | None = None  # for articles that give no date and print none (batch --published)

    def budget(self) -> Budget:
        return Budget(sentences=self.sentences, words=self.words, ratio=self.ratio)


def article_id(article: Article) -> str:
    if article.id:
        return str(article.id)
    basis = article.url or article.path or article.text
    return hashlib.sha1(basis.encode("utf-8", "replace")).hexdigest()[:12]


# About 170,000 words: a book, not an article. The analysis grows linearly with length
# (benchmarks/bench_article_size.py): at this size 24-42 s and under 300 MB on a shared 2-core
# machine, within a budget of 60 s and 2 GB per article (1,500,000 characters took 60 s).
MAX_ARTICLE_CHARS = 1_000_000


# Half a surrogate pair ("\ud800" escaped in a JSON line) is no character: nothing can encode it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str | None) -> str | None:
    """``text`` with each lone surrogate replaced by U+FFFD (the same length: offsets stay)."""
    return _LONE_SURROGATE.sub("\ufffd", text) if text and _LONE_SURROGATE.search(text) else text


def prepare(article: Article) -> tuple[str, list]:
    """The analysis text (same length as ``article.text``) and its sentences."""
    article.text, article.title = _encodable(article.text) or "", _encodable(article.title)
    name = article.path or article.url or article.id or "input"
    if not article.text or not article.text.strip():
        raise InputError(f"{name}: empty text, nothing to summarise")
    if len(article.text) > MAX_ARTICLE_CHARS:
        raise InputError(
            f"{name}: too long for one article ({len(article.text):,} characters, limit {MAX_ARTICLE_CHARS:,})"
        )
    source_map = article.source_map  # Markdown read as prose: its headings, code and tables are no sentences
    markdown = article.format == "markdown" and source_map is None
    analysis = clean_for_analysis(article.text, keep_from=article.body_start, markdown=markdown)
    if source_map is not None and source_map.not_prose:
        analysis = _blank(analysis, source_map.not_prose)
    return analysis, join_quoted(analysis, split_sentences(analysis))


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the characters of ``spans`` but newlines as spaces (the same length)."""
    parts, pos = [], 0
    for a, b in spans:
        parts += [text[pos:a], re.sub(r"[^\n]", " ", text[a:b])]
        pos = b
    return "".join(parts) + text[pos:]


def _to_source(article: Article, brief: Brief, sentences: list[Sentence]) -> None:
    """A Markdown brief's offsets as the original file's (``Article.source_map``): what the JSON gives."""
    sm = article.source_map
    if sm is None:
        return
    for s in {id(s): s for s in sentences}.values():  # each once: the summary shares the article's
        s.start, s.end = sm.span(s.start, s.end)
    for t in brief.when:
        t.start, t.end = sm.span(t.start, t.end)
    for q in brief.quotes:
        if 0 <= q.start < q.end:
            q.start, q.end = sm.span(q.start, q.end)
    for e in [*brief.who, *brief.where]:
        e.spans = [sm.span(a, b) for a, b in e.spans]


QUOTE_SENTENCES = 4  # a quotation runs over at most this many sentences; an unclosed mark past it is a typo


def join_quoted(text: str, sentences: list[Sentence]) -> list[Sentence]:
    """One unit for a quotation that runs over several sentences: 'Biden “urged Russia to de-escalate.
    He made clear that ...,” Psaki said.' is one statement with one speaker, so it is ranked, chosen and
    shown whole, never cut after its first sentence. Only curly marks count (“ opens, ” closes): a
    straight mark cannot say which it is. Never across a paragraph."""
    out: list[Sentence] = []
    i = 0
    while i < len(sentences):
        first = sentences[i]
        depth = first.text.count("“") - first.text.count("”")
        j = i
        while depth > 0 and j + 1 < len(sentences) and j + 1 - i < QUOTE_SENTENCES:
            nxt = sentences[j + 1]
            if nxt.paragraph != first.paragraph:
                break
            depth += nxt.text.count("“") - nxt.text.count("”")
            j += 1
        if j > i and depth <= 0:
            last = sentences[j]
            out.append(Sentence(text[first.start : last.end], first.start, last.end, len(out), first.paragraph))
            i = j + 1
        else:
            out.append(Sentence(first.text, first.start, first.end, len(out), first.paragraph))
            i += 1
    return out


def build_brief(
    article: Article, options: BriefOptions | None = None, *, doc=None, prepared: tuple[str, list] | None = None
) -> Brief:
    """Summarise and analyse one article.

    ``doc`` is a spaCy Doc of the analysis text and ``prepared`` the result of
    ``prepare(article)``, when a batch already made them.
    """
    from .extract.entities import extract_entities, promote_summary_entities
    from .extract.quotes import find_quotes
    from .extract.when import build_timeline, find_time_expressions

    options = options or BriefOptions()
    budget = options.budget()
    analysis, sentences = prepared if prepared is not None else prepare(article)
    name = article.path or article.url or article.id or "input"
    notes: list[str] = []
    if not sentences:
        raise InputError(f"{name}: no sentences found, nothing to summarise")
    # restore verbatim text: sentences were found in the analysis text, offsets are the user's
    for s in sentences:
        s.text = article.text[s.start : s.end]

    language = _language(options, analysis[article.body_start :])
    english = language.english
    if english:
        if doc is None:
            from .extract.nlp import parse

            doc = parse(analysis)
        who, where = extract_entities(analysis, doc)
    else:  # the entity and date models read English only: better nothing than English-model guesses
        who, where = [], []
        notes.append(
            f"written in {_LANGUAGE_NAMES.get(language.code, language.code)} ({language.code}): who, where and "
            "when are left out, the entity and date models read English only"
        )

    summarizer = get_summarizer(options.algorithm, language=None if english else (language.sumy_name or ""))
    rank_input = RankInput(
        text=analysis,
        sentences=sentences,
        title=article.title,
        entities=[e.name for e in who[:8]] + [e.name for e in where[:4]],
    )
    chosen, scored = summarizer.summarize(rank_input, budget)
    spans = [(s.sentence.start, s.sentence.end) for s in chosen]
    who, where = promote_summary_entities(who, spans), promote_summary_entities(where, spans)
    n_words = sum(word_count(s.text) for s in chosen)
    if budget.words is not None and n_words > budget.words:
        notes.append(f"no sentence fits in {budget.words} words; the shortest one ({n_words} words) is shown")
    if len(scored) < len(sentences):  # rankers see a long text's first sentences only
        notes.append(f"the summary is chosen from the first {len(scored)} of {len(sentences):,} sentences")
    max_n = budget.max_sentences(len(sentences))
    if max_n is not None and len(sentences) < max_n:
        notes.append(f"the article has only {len(sentences)} sentence(s); all are shown")

    published, how = publication_date(article, options)
    if published is None:
        published = date.today()
        if english:
            notes.append(f"dates are relative to {published.isoformat()}: publication date unknown")
    when = find_time_expressions(analysis, published, doc) if english else []
    if how == "text":  # the stamp is when the article appeared, not an event it reports
        from .extract.dateline import find_dateline

        stamp = find_dateline(article.text)
        if stamp is not None:
            line_start = article.text.rfind("\n", 0, stamp.start) + 1
            line_end = article.text.find("\n", stamp.end)
            line_end = len(article.text) if line_end < 0 else line_end
            when = [t for t in when if t.end <= line_start or t.start >= line_end]
            notes.append(f"publication date {published.isoformat()} read from the article's own text")
    quotes = find_quotes(analysis, who, doc) if english else []
    for q in quotes:  # quote text verbatim from the user's text, without the comma before "he said"
        if 0 <= q.start < q.end:
            while q.end > q.start and article.text[q.end - 1] in ", \n":
                q.end -= 1
            q.text = article.text[q.start : q.end]
    # "When" follows the summary's budget: a date or so more than the sentences shown, six at most
    events = min(6, max(2, len(chosen) + 1))
    timeline = build_timeline(article.text, sentences, when, published, limit=events) if english else []

    source = {
        "path": article.path,
        "url": article.url,
        "name": article.source_name,
        "author": article.author,
        "published": published.isoformat() if how else None,
        "published_from": how,
        "reference_date": published.isoformat(),
        "format": article.format,
        "words": word_count(analysis),
        "sentences": len(sentences),
    }
    brief = Brief(
        id=article_id(article),
        language=language.code,
        title=article.title or _fallback_title(sentences),
        algorithm=summarizer.name,
        source=source,
        summary=chosen,
        who=who,
        where=where,
        when=when,
        quotes=quotes,
        timeline=timeline,
        notes=notes,
        explain=scored if options.explain else None,
    )
    _to_source(article, brief, [*sentences, *(s.sentence for s in scored), *(s.sentence for s in chosen)])
    return brief


def publication_date(article: Article, options: BriefOptions | None = None) -> tuple[date | None, str | None]:
    """The date relative dates are resolved against, and where it came from.

    In order: the ``--published`` option ("option"), the source's own metadata ("metadata": front matter,
    HTML meta, the feed, the batch line), the date the text prints at its head ("text": "PUBLISHED: May 2,
    2013", "WASHINGTON (AP) — Dec. 30, 2021"), then the run's default (``batch --published``: "default").
    (None, None) when nothing says it.
    """
    if options is not None and options.published:
        return options.published, "option"
    if article.publication_date:
        return article.publication_date, "metadata"
    from .extract.dateline import find_dateline

    found = find_dateline(article.text)
    if found is not None:
        return found.date, "text"
    if options is not None and options.default_published:
        return options.default_published, "default"
    return None, None


_LANGUAGE_NAMES = {
    "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
    "sv": "Swedish", "ru": "Russian", "pl": "Polish", "cs": "Czech", "sk": "Slovak", "el": "Greek",
    "uk": "Ukrainian", "ar": "Arabic", "he": "Hebrew", "ja": "Japanese", "zh": "Chinese", "ko": "Korean",
    "hu": "Hungarian", "da": "Danish", "no": "Norwegian", "fi": "Finnish", "tr": "Turkish",
}  # fmt: skip


def _language(options: BriefOptions, body: str):
    from .text.language import detect_language, language_for

    if options.language and options.language.lower() != "auto":
        return language_for(options.language)
    return detect_language(body)


TITLE_WORDS, TITLE_CHARS = 12, 100


def _fallback_title(sentences) -> str:
    """The first words of the first sentence; a "word" of a text without spaces is cut too."""
    first = sentences[0].text if sentences else ""
    head = first[: TITLE_CHARS * 4]
    words = head.split()
    title = " ".join(words[:TITLE_WORDS])
    if len(title) > TITLE_CHARS:
        return title[:TITLE_CHARS].rstrip() + "…"
    return title + ("…" if len(words) > TITLE_WORDS or len(first) > len(head) else "")
