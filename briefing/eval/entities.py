"""`briefing eval entities FILE`: document-level name-set P/R/F1 on CoNLL-style rows.

Each row is one sentence (`tokens`, BIO `tags`, `doc`). A document is rebuilt as its sentences'
tokens joined by spaces, one sentence a line. For every document and type (PER, ORG, LOC) the gold
set of names is compared with the set our extraction finds (an entity counts through its name and
every alias), names compared case-insensitively without a leading "the" or a trailing possessive.
Counts are summed over documents (micro), then macro F1 averages the three types. The plain
spaCy-small output (PERSON, ORG, GPE/LOC) is scored the same way, side by side.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import click

from ..errors import InputError

TYPES = ("PER", "ORG", "LOC")
OUR_TYPES = {"person": "PER", "organisation": "ORG", "place": "LOC"}
SPACY_TYPES = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}


@dataclass
class ConllDoc:
    doc_id: str
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start_char, end_char, type)

    def gold(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for a, b, t in self.spans:
            out[t].add(normalise_name(self.text[a:b]))
        return out


def normalise_name(name: str) -> str:
    s = " ".join(name.lower().split())
    s = re.sub(r"^the ", "", s)
    s = re.sub(r"\s*['’]s?$", "", s)
    return s


def read_conll(path: str) -> list[ConllDoc]:
    """Rebuild documents from CoNLL-style JSONL rows. Raises InputError on unreadable input."""
    from .data import iter_jsonl

    docs: dict[str, ConllDoc] = {}
    for n, row in iter_jsonl(path):
        try:
            tokens, tags = row["tokens"], row["tags"]
            doc_id = str(row.get("doc", 0))
        except KeyError:
            raise InputError(f"{path}:{n}: not a CoNLL row (needs tokens, tags, doc)") from None
        if len(tokens) != len(tags):
            raise InputError(f"{path}:{n}: tokens and tags differ in length")
        doc = docs.get(doc_id)
        if doc is None:
            doc = docs[doc_id] = ConllDoc(doc_id, "")
            parts_start = 0
        else:
            doc.text += "\n"
            parts_start = len(doc.text)
        pos = parts_start
        cur: list = []  # [start, end, type]
        for _k, (tok, tag) in enumerate(zip(tokens, tags)):
            a = pos
            b = a + len(tok)
            pos = b + 1
            kind = tag[2:] if tag[:2] in ("B-", "I-") else None
            if kind and (tag.startswith("B-") or not cur or cur[2] != kind):
                if cur:
                    doc.spans.append(tuple(cur))
                cur = [a, b, kind]
            elif kind:
                cur[1] = b
            else:
                if cur:
                    doc.spans.append(tuple(cur))
                cur = []
        if cur:
            doc.spans.append(tuple(cur))
        doc.text += " ".join(tokens)
    if not docs:
        raise InputError(f"{path}: no rows")
    for d in docs.values():  # keep only the types we score
        d.spans = [s for s in d.spans if s[2] in TYPES or s[2] == "MISC"]
    return list(docs.values())


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, pred: set[str], gold: set[str]) -> None:
        self.tp += len(pred & gold)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def ours_sets(text: str, doc) -> dict[str, set[str]]:
    from ..extract.entities import extract_entities

    who, where = extract_entities(text, doc)
    out: dict[str, set[str]] = defaultdict(set)
    for e in who + where:
        t = OUR_TYPES[e.type]
        for name in {e.name, *e.aliases}:
            out[t].add(normalise_name(name))
    return out


def spacy_sets(doc) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for ent in doc.ents:
        t = SPACY_TYPES.get(ent.label_)
        if t:
            out[t].add(normalise_name(ent.text))
    return out


def evaluate(docs: list[ConllDoc], *, baseline: bool = True, batch_size: int = 16) -> dict:
    """Scores of our extraction (and of plain spaCy-small) on ``docs``."""
    from ..extract.nlp import get_nlp, parse_many

    ours = {t: Counts() for t in TYPES}
    plain = {t: Counts() for t in TYPES}
    t0 = time.perf_counter()
    for d, doc in zip(docs, parse_many([d.text for d in docs], batch_size=batch_size)):
        gold = d.gold()
        pred = ours_sets(d.text, doc)
        for t in TYPES:
            ours[t].add(pred[t], gold[t])
    t_ours = time.perf_counter() - t0
    seconds = {"ours": round(t_ours, 2)}
    result: dict[str, Any] = {"documents": len(docs), "ours": _table(ours), "seconds": seconds}
    if baseline:
        t0 = time.perf_counter()
        for d, doc in zip(docs, get_nlp().pipe([d.text for d in docs], batch_size=batch_size)):
            gold = d.gold()
            pred = spacy_sets(doc)
            for t in TYPES:
                plain[t].add(pred[t], gold[t])
        result["spacy_small"] = _table(plain)
        seconds["spacy_small"] = round(time.perf_counter() - t0, 2)
    return result


def _table(counts: dict[str, Counts]) -> dict:
    out: dict[str, Any] = {}
    for t, c in counts.items():
        p, r, f = c.prf()
        out[t] = {
            "precision": round(100 * p, 1),
            "recall": round(100 * r, 1),
            "f1": round(100 * f, 1),
            "tp": c.tp,
            "fp": c.fp,
            "fn": c.fn,
        }
    out["macro_f1"] = round(sum(100 * counts[t].prf()[2] for t in TYPES) / len(TYPES), 1)
    return out


def format_report(result: dict) -> str:
    lines = [f"{result['documents']} documents; document-level name sets, micro over documents", ""]
    has_base = "spacy_small" in result
    head = f"{'type':<6}{'ours P':>8}{'R':>7}{'F1':>7}"
    if has_base:
        head += f"   {'spaCy-sm P':>10}{'R':>7}{'F1':>7}"
    lines.append(head)
    for t in TYPES:
        o = result["ours"][t]
        row = f"{t:<6}{o['precision']:>8.1f}{o['recall']:>7.1f}{o['f1']:>7.1f}"
        if has_base:
            b = result["spacy_small"][t]
            row += f"   {b['precision']:>10.1f}{b['recall']:>7.1f}{b['f1']:>7.1f}"
        lines.append(row)
    row = f"{'macro':<6}{'':>8}{'':>7}{result['ours']['macro_f1']:>7.1f}"
    if has_base:
        row += f"   {'':>10}{'':>7}{result['spacy_small']['macro_f1']:>7.1f}"
    lines.append(row)
    secs = result["seconds"]
    lines.append("")
    lines.append(
        "time: ours {:.1f}s".format(secs["ours"])
        + (", spaCy-sm {:.1f}s".format(secs["spacy_small"]) if has_base else "")
    )
    return "\n".join(lines)


@click.command(name="entities")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--no-baseline", is_flag=True, help="Skip the plain spaCy-small baseline.")
@click.option("--limit", type=int, default=None, help="Only the first N documents.")
def command(file: str, as_json: bool, no_baseline: bool, limit: int | None) -> None:
    """Entity P/R/F1 (PER/ORG/LOC, document-level name sets) on CoNLL-style JSONL rows."""
    from ..errors import BriefingError

    try:
        docs = read_conll(file)
        if limit is not None:
            docs = docs[:limit]
        result = evaluate(docs, baseline=not no_baseline)
    except BriefingError as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(format_report(result))
