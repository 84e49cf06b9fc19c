"""Reading evaluation files: JSON lines, one object a row, with one-line errors for bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..errors import InputError


def iter_jsonl(path: str) -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for every non-blank line of ``path``.

    A missing or unreadable file, a line that is not JSON, or a row that is not
    an object raises ``InputError`` naming the file and line.
    """
    try:
        fh = open(path, encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    with fh:
        try:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(f"{path}:{n}: not JSON ({e.msg})") from None
                if not isinstance(row, dict):
                    raise InputError(f"{path}:{n}: expected a JSON object")
                yield n, row
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text") from None
