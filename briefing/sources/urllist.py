"""URL lists: one source a line (``#`` starts a comment)."""

from __future__ import annotations

import os
import urllib.parse

from .base import ListBuilder, Listed, Origin, Reading, is_url
from .decode import decode_bytes


def looks_like_url_list(text: str) -> bool:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return bool(lines) and all(is_url(ln) and " " not in ln for ln in lines)


def read_url_list(content: bytes, origin: Origin) -> Reading:
    return url_list(decode_bytes(content, origin.where, declared=origin.charset), origin)


def url_list(text: str, origin: Origin) -> Reading:
    """One source a line (at most ``origin.max_listed``, the rest counted). A list on the web
    names links, resolved against its URL: never a path on this machine. A local list may
    name paths, relative to its folder."""
    listed = ListBuilder(origin.max_listed)
    folder = origin.folder
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if origin.url is not None:
            target = urllib.parse.urljoin(origin.url, line)
        elif is_url(line) or folder is None:
            target = line
        else:
            target = str(folder / os.path.expanduser(line))
        listed.add(Listed(target=target))
    return listed.reading
