"""Folders and globs: the files in them that some reader reads."""

from __future__ import annotations

import glob as _glob
import os
import re
from pathlib import Path

GLOB_CHARS = re.compile(r"[*?\[]")


def is_glob(path: str) -> bool:
    """A pattern, not a file that happens to have ``*`` in its name."""
    return bool(GLOB_CHARS.search(path)) and not os.path.exists(path)


def expand_glob(pattern: str) -> list[str]:
    """The files a pattern matches (``**`` included), sorted."""
    return sorted(m for m in _glob.glob(pattern, recursive=True) if os.path.isfile(m))


def folder_files(folder: Path) -> list[Path]:
    """The files under ``folder`` with an extension a reader knows, sorted; hidden files and
    folders are left out."""
    from .registry import EXTENSIONS

    return sorted(
        f
        for f in folder.rglob("*")
        if f.is_file()
        and f.suffix.lower() in EXTENSIONS
        and not any(part.startswith(".") for part in f.relative_to(folder).parts)
    )
