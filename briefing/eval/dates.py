"""`briefing eval dates FILE`: TIMEX3 detection and normalisation against gold annotations.

Rows are TimeBank-style JSON lines: ``text``, ``dct`` (publication date), ``timexes``
(``start``, ``end``, ``text``, ``type``, ``value``). Three scores, as TempEval-3 reports them:
strict (same span), relaxed (overlapping spans, matched one-to-one) and value (relaxed
matches whose value equals the gold value), for all types and for DATE+TIME only, with
the baseline the issue started from: spaCy DATE/TIME entities normalised by dateparser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from ..errors import InputError


@dataclass
class Span:
    start: int
    end: int
    type: str
    value: str | None


@dataclass
class Counts:
    gold: int = 0
    system: int = 0
    strict: int = 0
    relaxed: int = 0
    value: int = 0

    def add(self, other: Counts) -> None:
        for k in ("gold", "system", "strict", "relaxed", "value"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def prf(self, hits: int) -> dict:
        p = hits / self.system if self.system else 0.0
        r = hits / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(100 * p, 1), "r": round(100 * r, 1), "f1": round(100 * f, 1)}

    def scores(self) -> dict:
        return {
            "strict": self.prf(self.strict),
            "relaxed": self.prf(self.relaxed),
            "value": self.prf(self.value),
            "gold": self.gold,
            "system": self.system,
        }


def read_rows(path: str) -> list[dict]:
    from .data import iter_jsonl

    if not Path(path).is_file():
        raise InputError(f"{path}: no such file")
    rows = []
    for n, row in iter_jsonl(path):
        if not isinstance(row.get("text"), str) or "dct" not in row:
            raise InputError(f"{path}:{n}: not a row with text, dct and timexes")
        row.setdefault("timexes", [])
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no rows")
    return rows


def parse_dct(value: str) -> date:
    text = str(value)[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    m = re.fullmatch(r"(\d\d)-(\d\d)-(\d{4})", text)  # some corpora write DD-MM-YYYY
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass
    raise InputError(f"bad dct {value!r}: expected YYYY-MM-DD")


def score_doc(gold: list[Span], system: list[Span], types: set[str] | None = None) -> Counts:
    """Strict/relaxed/value hits for one document; ``types`` filters both sides by type."""
    from ..extract.timex_normalize import canonical

    if types is not None:
        gold = [g for g in gold if g.type in types]
        system = [s for s in system if s.type in types]
    c = Counts(gold=len(gold), system=len(system))
    used: set[int] = set()
    # one-to-one matching: exact spans first, then the largest overlaps
    pairs = []
    for i, s in enumerate(system):
        for j, g in enumerate(gold):
            overlap = min(s.end, g.end) - max(s.start, g.start)
            if overlap > 0:
                pairs.append((not (s.start == g.start and s.end == g.end), -overlap, i, j))
    pairs.sort()
    matched_sys: set[int] = set()
    for exact_not, _ov, i, j in pairs:
        if i in matched_sys or j in used:
            continue
        matched_sys.add(i)
        used.add(j)
        c.relaxed += 1
        if not exact_not:
            c.strict += 1
        if system[i].value is not None and canonical(system[i].value) == canonical(gold[j].value):
            c.value += 1
    return c


def ours(text: str, dct: date, doc=None) -> list[Span]:
    from ..extract.when import find_time_expressions

    return [Span(t.start, t.end, t.type, t.value) for t in find_time_expressions(text, dct, doc)]


def baseline(doc, dct: date) -> list[Span]:
    """spaCy DATE/TIME entities, value = dateparser.parse(text, RELATIVE_BASE=dct) as YYYY-MM-DD."""
    from datetime import datetime

    import dateparser

    settings = {"RELATIVE_BASE": datetime(dct.year, dct.month, dct.day)}
    spans = []
    for ent in doc.ents:
        if ent.label_ not in ("DATE", "TIME"):
            continue
        try:
            parsed = dateparser.parse(ent.text, settings=settings)
        except Exception:  # dateparser raises on odd inputs; the baseline just has no value
            parsed = None
        spans.append(Span(ent.start_char, ent.end_char, ent.label_, parsed.strftime("%Y-%m-%d") if parsed else None))
    return spans


def evaluate(rows: list[dict], with_baseline: bool = True) -> dict:
    skipped = sum(1 for r in rows if not r.get("dct"))
    rows = [r for r in rows if r.get("dct")]  # values cannot be judged without a reference date
    if not rows:
        raise InputError("no row has a dct (publication date)")
    groups = {"all": None, "date+time": {"DATE", "TIME"}}
    totals = {sys: {g: Counts() for g in groups} for sys in (["ours", "baseline"] if with_baseline else ["ours"])}
    docs = None
    if with_baseline:
        from ..extract.nlp import parse_many

        docs = parse_many([r["text"] for r in rows])
    for row in rows:
        dct = parse_dct(row["dct"])
        gold = [Span(int(t["start"]), int(t["end"]), t["type"], t.get("value")) for t in row["timexes"]]
        doc = next(docs) if docs is not None else None
        systems = {"ours": ours(row["text"], dct, doc)}
        if with_baseline:
            systems["baseline"] = baseline(doc, dct)
        for name, spans in systems.items():
            for g, types in groups.items():
                totals[name][g].add(score_doc(gold, spans, types))
    return {
        "documents": len(rows),
        "skipped_without_dct": skipped,
        "scores": {name: {g: c.scores() for g, c in by_group.items()} for name, by_group in totals.items()},
    }


def format_table(result: dict) -> str:
    lines = [
        f"{result['documents']} documents"
        + (f" ({result['skipped_without_dct']} without a dct skipped)" if result.get("skipped_without_dct") else "")
    ]
    scores = result["scores"]
    systems = list(scores)
    for group in ("all", "date+time"):
        first = scores[systems[0]][group]
        lines.append("")
        lines.append(f"{group} types (gold {first['gold']})")
        lines.append(f"{'':10}" + "".join(f"{s:>24}" for s in systems))
        lines.append(f"{'':10}" + "".join(f"{'P':>8}{'R':>8}{'F1':>8}" for _ in systems))
        for kind in ("strict", "relaxed", "value"):
            row = f"{kind:10}"
            for s in systems:
                x = scores[s][group][kind]
                row += f"{x['p']:8.1f}{x['r']:8.1f}{x['f1']:8.1f}"
            lines.append(row)
    return "\n".join(lines)


@click.command("dates")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--no-baseline", is_flag=True, help="Skip the spaCy+dateparser baseline (no NER run).")
def command(file: str, as_json: bool, no_baseline: bool):
    """Score time expressions (strict, relaxed, value P/R/F1) on TimeBank-style JSONL."""
    from ..errors import BriefingError
    from .extra import require_eval_extra

    if not no_baseline:  # the spaCy + dateparser baseline column; our own scores need no extra
        require_eval_extra("briefing eval dates", "dateparser", otherwise="run with --no-baseline")

    try:
        result = evaluate(read_rows(file), with_baseline=not no_baseline)
    except BriefingError as err:
        raise click.ClickException(str(err)) from None
    click.echo(json.dumps(result, indent=2) if as_json else format_table(result))
