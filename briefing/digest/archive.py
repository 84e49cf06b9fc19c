"""``--output-dir DIR``: each digest as dated files, an ``index.html`` of past digests and an Atom feed.

A folder served by any web server becomes a browsable archive. ``digests.json``
in the folder is the archive's own list (newest first), so the index and the
feed are rebuilt from it on every run without parsing old HTML. Every file is
written atomically: a crash never leaves a half-written index.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..errors import BriefingError
from ..fileio import write_atomic
from .models import Digest

MANIFEST = "digests.json"
FEED = "feed.atom"
INDEX = "index.html"
FEED_ENTRIES = 30


@dataclass
class ArchiveEntry:
    id: str
    title: str
    date: str  # generated_at, ISO
    files: dict[str, str]  # format -> file name in the folder
    stories: list[str]  # story titles, for the index and the feed

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "date": self.date, "files": self.files, "stories": self.stories}


def _load_manifest(folder: Path) -> list[dict]:
    p = folder / MANIFEST
    if not p.exists():
        return []
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BriefingError(f"{p}: archive list unreadable ({e}); move it away to start a new one") from None
    return data if isinstance(data, list) else []


def write_archive(folder: str | Path, digest: Digest, rendered: dict[str, str], *,
                  base_url: str | None = None) -> list[Path]:
    """Write ``rendered`` ({format: text}) as dated files, then the index and the feed. Returns the paths."""
    from ..render import _EXT

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BriefingError(f"{folder}: cannot create the folder ({e.strerror})") from None
    stamp = digest.generated_at.astimezone(timezone.utc).strftime("%Y-%m-%d-%H%M")
    stem = f"digest-{stamp}"
    files: dict[str, str] = {}
    written: list[Path] = []
    for fmt, text in rendered.items():
        name = f"{stem}.{_EXT.get(fmt, fmt)}"
        write_atomic(folder / name, text)
        files[fmt] = name
        written.append(folder / name)
    entry = ArchiveEntry(id=digest.id, title=digest.title, date=digest.generated_at.isoformat(timespec="seconds"),
                         files=files, stories=[s.title for s in digest.stories])
    entries = [e for e in _load_manifest(folder) if e.get("files") != files]  # a re-run replaces its files
    entries.insert(0, entry.to_dict())
    entries.sort(key=lambda e: e.get("date", ""), reverse=True)
    write_atomic(folder / MANIFEST, json.dumps(entries, ensure_ascii=False, indent=1) + "\n")
    write_atomic(folder / INDEX, render_index(entries, title=_archive_title(digest)))
    write_atomic(folder / FEED, render_feed(entries, title=_archive_title(digest), base_url=base_url))
    written += [folder / MANIFEST, folder / INDEX, folder / FEED]
    return written


def _archive_title(digest: Digest) -> str:
    return "Briefing archive"


def _main_file(entry: dict) -> str | None:
    files = entry.get("files", {})
    return files.get("html") or files.get("markdown") or files.get("email") or files.get("json")


def render_index(entries: list[dict], *, title: str) -> str:
    import jinja2

    from ..render import templates_dir

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    rows = [dict(e, main=_main_file(e)) for e in entries]
    return env.get_template("digest_index.html.j2").render(title=title, entries=rows)


def render_feed(entries: list[dict], *, title: str, base_url: str | None) -> str:
    """Atom 1.0 (RFC 4287): one entry per digest, newest first."""
    base = (base_url.rstrip("/") + "/") if base_url else ""
    updated = entries[0]["date"] if entries else datetime.now(timezone.utc).isoformat(timespec="seconds")
    feed_id = f"{base}{FEED}" if base else "urn:briefing:digest-archive"
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"  <title>{escape(title)}</title>",
           f"  <id>{escape(feed_id)}</id>",
           f"  <updated>{escape(updated)}</updated>",
           "  <author><name>briefing</name></author>",
           "  <generator>briefing</generator>"]
    if base:
        out.append(f'  <link rel="self" href={quoteattr(base + FEED)}/>')
        out.append(f'  <link rel="alternate" href={quoteattr(base + INDEX)}/>')
    for e in entries[:FEED_ENTRIES]:
        main = _main_file(e)
        summary = "; ".join(e.get("stories", [])[:10]) or "No new stories."
        out += ["  <entry>",
                f"    <title>{escape(e['title'])}</title>",
                f"    <id>urn:briefing:digest:{escape(e['id'])}:{escape(e['date'])}</id>",
                f"    <updated>{escape(e['date'])}</updated>"]
        if main:
            out.append(f'    <link rel="alternate" href={quoteattr(base + main)}/>')
        out += [f"    <summary>{escape(summary)}</summary>", "  </entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"
