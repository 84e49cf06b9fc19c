"""OPML subscription lists: every feed a list names; an outline folder's name becomes the section."""

from __future__ import annotations

import io
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

from ..errors import FeedError
from .base import ListBuilder, Listed, Origin, Reading, is_url


def is_opml(content: bytes) -> bool:
    return b"<opml" in content[:1024].lower()


def read_opml(content: bytes, origin: Origin) -> Reading:
    """The feeds the list names, resolved against its URL (or, for a local list, its folder).

    Streamed, and at most ``origin.max_listed`` feeds are kept (the rest only counted): a
    20 MB list of a million outlines costs neither a million-element tree nor a million entries.
    """
    if not content.strip():
        raise FeedError(f"{origin.name}: empty, not an OPML subscription list")
    listed = ListBuilder(origin.max_listed)
    outlines: list[tuple[bool, str | None]] = []  # open outlines: (a feed's?, the folder name it opens)
    parents: list[ET.Element] = []
    in_body = False
    try:
        for event, el in ET.iterparse(io.BytesIO(content), events=("start", "end")):
            tag = el.tag.lower() if isinstance(el.tag, str) else ""
            if event == "start":
                if not parents and tag != "opml":
                    raise FeedError(f"{origin.name}: not an OPML subscription list")
                parents.append(el)
                in_body = in_body or tag == "body"
                if tag == "outline" and in_body:
                    outlines.append(_outline(el, outlines, listed, origin.url, origin.folder))
                continue
            parents.pop()
            if tag == "outline" and outlines:
                outlines.pop()
            if parents:
                del parents[-1][:]  # a finished element is never looked at again: keep memory flat
    except ET.ParseError as e:
        line, column = e.position
        what = str(e).split(":")[0]
        raise FeedError(f"{origin.name}: malformed OPML at line {line}, column {column}: {what}") from None
    if not in_body:
        raise FeedError(f"{origin.name}: not an OPML subscription list")
    return listed.reading


def _outline(
    el: ET.Element,
    outlines: list[tuple[bool, str | None]],
    listed: ListBuilder,
    base: str | None,
    folder: Path | None,
) -> tuple[bool, str | None]:
    """Add the feed an outline names to ``listed``; (is it a feed's, the folder name it opens)."""
    xml_url = el.get("xmlUrl") or el.get("xmlurl")
    label = el.get("title") or el.get("text")
    if any(is_feed for is_feed, _ in outlines):
        return True, None  # inside a feed's outline: not a subscription of its own
    if not xml_url:
        return False, label
    target = urllib.parse.urljoin(base, xml_url) if base else xml_url
    if not is_url(target) and folder is not None:
        target = str(folder / target)
    section = next((name for _, name in outlines if name), None)  # the outermost named folder
    listed.add(Listed(target=target, kind="feed", name=label, section=section))
    return True, None
