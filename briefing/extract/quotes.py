"""Direct quotes and their speakers. First version: a stub; issue #4 writes the real one."""
from __future__ import annotations

from ..models import Entity, Quote


def find_quotes(text: str, who: list[Entity], doc=None) -> list[Quote]:
    return []
