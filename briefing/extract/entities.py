"""People, organisations and places (first version: spaCy entities grouped by name).

Issue #4 replaces this with alias merging, roles, salience and cleanup.
"""
from __future__ import annotations

from collections import defaultdict

from ..models import Entity

_TYPES = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place", "FAC": "place", "NORP": None}


def extract_entities(text: str, doc=None, *, summary_spans=()) -> tuple[list[Entity], list[Entity]]:
    """Return (who, where), most salient first. ``doc`` is the spaCy Doc of ``text`` if already parsed."""
    if doc is None:
        from .nlp import parse

        doc = parse(text)
    groups: dict[tuple[str, str], Entity] = {}
    for ent in doc.ents:
        kind = _TYPES.get(ent.label_)
        if not kind:
            continue
        name = ent.text.strip()
        key = (kind, name.lower())
        e = groups.get(key)
        if e is None:
            e = groups[key] = Entity(name=name, type=kind, mentions=0, aliases=[name])
        e.mentions += 1
        e.spans.append((ent.start_char, ent.end_char))
    ents = sorted(groups.values(), key=lambda e: (-e.mentions, e.spans[0][0]))
    who = [e for e in ents if e.type != "place"]
    where = [e for e in ents if e.type == "place"]
    return who, where
