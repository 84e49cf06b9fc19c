"""Accuracy of reading an article's publication date from its own first lines (briefing.extract.dateline).

Three measures, each beside a naive baseline (the first full date anywhere in the first 300 characters):

- MEANTIME dev: every article prints its date under the headline; `dct` is the gold date (one `dct` is
  written day-month, `03-02-2009`, for the stamp "February 03, 2009": read as 2009-02-03).
- ECB+ dev, hand-checked: benchmarks/data/datelines_ecbplus.tsv, stamps read by eye (see its header),
  including articles that print no date of publication.
- False stamps: BBC, CNN/DailyMail and TimeBank texts print no stamp, so every date found there is wrong.

    python benchmarks/bench_datelines.py
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
CORRECTED = {"120578": "2009-02-03"}  # gold dct written 03-02-2009


def naive(text: str) -> date | None:
    from briefing.extract.dateline import _DATES, _to_date

    head = text[:300]
    best = None
    for i, rx in enumerate(_DATES):
        for m in rx.finditer(head):
            d = _to_date(m, i)
            if d is not None and (best is None or m.start() < best[0]):
                best = (m.start(), d)
    return best[1] if best else None


def ours(text: str) -> date | None:
    from briefing.extract.dateline import find_dateline

    found = find_dateline(text)
    return found.date if found else None


def rows(name: str) -> list[dict]:
    path = DATA / name
    if not path.exists():
        sys.exit(f"bench_datelines: {path} is missing (see ../shared/data/README.md)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(pairs: list[tuple[str | None, date | None]]) -> str:
    """pairs of (expected ISO date or None, found date or None)."""
    stamped = [p for p in pairs if p[0]]
    right = sum(1 for e, f in stamped if f and f.isoformat() == e)
    found = sum(1 for _, f in pairs if f)
    wrong = sum(1 for e, f in pairs if f and (not e or f.isoformat() != e))
    return (
        f"{len(pairs):4d} articles  {len(stamped):4d} stamped  found {found:4d}  right {right:4d}  wrong {wrong:3d}"
        f"  recall {100 * right / max(1, len(stamped)):5.1f} %  precision {100 * right / max(1, found):5.1f} %"
    )


def main() -> None:
    meantime = rows("multidoc/meantime_dev.jsonl")
    meantime = [r for r in meantime if r.get("dct")]
    hand = {}
    for line in (ROOT / "benchmarks" / "data" / "datelines_ecbplus.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("id\t") or not line.strip():
            continue
        doc_id, expected, _note = line.split("\t", 2)
        hand[doc_id] = None if expected == "none" else expected
    ecb = {r["id"]: r["text"] for r in rows("clustering/ecbplus_dev.jsonl") if r["id"] in hand}
    unstamped = [
        r["text"]
        for name in ("summarization/bbc_dev.jsonl", "summarization/cnndm_dev.jsonl", "timex/timebank_aquaint.jsonl")
        for r in rows(name)
    ]
    for label, fn in (("naive", naive), ("ours", ours)):
        print(f"== {label}")
        mt = [(CORRECTED.get(r["id"], r["dct"][:10]), fn(r["text"])) for r in meantime]
        print(f"  MEANTIME dev         {score(mt)}")
        hc = [(hand[i], fn(t)) for i, t in ecb.items()]
        print(f"  ECB+ hand-checked    {score(hc)}")
        false = sum(1 for t in unstamped if fn(t))
        print(f"  unstamped BBC+CNN/DM+TimeBank: {len(unstamped)} articles, false stamps {false}")
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", v) for v in hand.values() if v)


if __name__ == "__main__":
    main()
