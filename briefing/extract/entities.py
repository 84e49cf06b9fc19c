"""interim"""
from __future__ import annotations
from ..models import Entity
_T = {"PER": "person", "ORG": "organisation", "LOC": "place"}

def extract_entities(text: str, doc=None, *, summary_spans=()):
    from .entity_typer import type_names
    if doc is None:
        from .nlp import parse
        doc = parse(text)
    groups = {}
    for c in type_names(doc, text):
        kind = _T.get(c.type)
        if not kind:
            continue
        key = (kind, c.text.lower())
        e = groups.get(key)
        if e is None:
            e = groups[key] = Entity(name=c.text, type=kind, mentions=0, aliases=[c.text])
        e.mentions += 1
    ents = list(groups.values())
    return [e for e in ents if e.type != "place"], [e for e in ents if e.type == "place"]
