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


def read_meantime(path: str) -> list[dict]:
    """MEANTIME-style rows (`text`, `entities` with `start`, `end`, `type`, `syntactic_type`): each
    row's proper-name mentions (NAM) of the types we score. Raises InputError on unreadable input."""
    from .data import iter_jsonl

    docs = []
    for n, row in iter_jsonl(path):
        text, ents = row.get("text"), row.get("entities")
        if not isinstance(text, str) or not isinstance(ents, list):
            raise InputError(f"{path}:{n}: not a MEANTIME row (needs text, entities)")
        gold = [
            (e["start"], e["end"], e["type"])
            for e in ents
            if isinstance(e, dict) and e.get("syntactic_type") == "NAM" and e.get("type") in TYPES
        ]
        docs.append({"id": str(row.get("id", n)), "text": text, "gold": gold})
    if not docs:
        raise InputError(f"{path}: no rows")
    return docs


def evaluate_recall(docs: list[dict]) -> dict:
    """Mention recall: a gold name counts as found when one of our entities of its type (or, for
    `any_type`, of any type) has a mention overlapping it. Only recall: the annotation covers the
    title and first sentences, so names we find further on are not errors."""
    from ..extract.entities import extract_entities
    from ..extract.nlp import parse_many

    found = {t: [0, 0, 0] for t in TYPES}  # typed hits, any-type hits, gold mentions
    t0 = time.perf_counter()
    for d, doc in zip(docs, parse_many([d["text"] for d in docs])):
        who, where = extract_entities(d["text"], doc)
        ours = [(a, b, OUR_TYPES[e.type]) for e in who + where for a, b in e.spans]
        for a, b, t in d["gold"]:
            hits = {u for x, y, u in ours if x < b and a < y}
            found[t][0] += t in hits
            found[t][1] += bool(hits)
            found[t][2] += 1
    table = {
        t: {"recall": round(100 * k / max(n, 1), 1), "any_type": round(100 * h / max(n, 1), 1), "gold": n}
        for t, (k, h, n) in found.items()
    }
    total = sum(n for _, _, n in found.values())
    table["all"] = {
        "recall": round(100 * sum(k for k, _, _ in found.values()) / max(total, 1), 1),
        "any_type": round(100 * sum(h for _, h, _ in found.values()) / max(total, 1), 1),
        "gold": total,
    }
    return {"documents": len(docs), "mention_recall": table, "seconds": {"ours": round(time.perf_counter() - t0, 2)}}


def format_recall(result: dict) -> str:
    lines = [f"{result['documents']} documents; recall of annotated name mentions (NAM)", ""]
    lines.append(f"{'type':<6}{'recall':>8}{'any type':>10}{'gold':>7}")
    for t, row in result["mention_recall"].items():
        lines.append(f"{t:<6}{row['recall']:>8.1f}{row['any_type']:>10.1f}{row['gold']:>7}")
    lines.append("")
    lines.append("time: ours {:.1f}s".format(result["seconds"]["ours"]))
    return "\n".join(lines)


def _is_meantime(path: str) -> bool:
    from .data import iter_jsonl

    for _, row in iter_jsonl(path):
        return "entities" in row and "tokens" not in row
    return False


@click.command(name="entities")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--no-baseline", is_flag=True, help="Skip the plain spaCy-small baseline.")
@click.option("--limit", type=int, default=None, help="Only the first N documents.")
def command(file: str, as_json: bool, no_baseline: bool, limit: int | None) -> None:
    """Entity P/R/F1 (PER/ORG/LOC, document-level name sets) on CoNLL-style JSONL rows; on
    MEANTIME-style rows (text + entities), the recall of their annotated name mentions."""
    from ..errors import BriefingError

    try:
        if _is_meantime(file):
            mdocs = read_meantime(file)[:limit]
            result = evaluate_recall(mdocs)
            click.echo(json.dumps(result, indent=2) if as_json else format_recall(result))
            return
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
