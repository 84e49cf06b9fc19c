"""``--output-dir DIR``: each digest as dated files, an ``index.html`` of past digests and an Atom feed.

A folder served by any web server becomes a browsable archive. ``digests.json``
in the folder is the archive's own list (newest first), so the index and the
feed are rebuilt from it on every run without parsing old HTML. Every file is
written atomically: a crash never leaves a half-written index.

Every run is archived under its own name, never over another: ``digest-DATE-HHMM``,
or when a run of the same minute has it already ``digest-DATE-HHMMSS``, then
``digest-DATE-HHMMSS-2``, ``-3``... So a re-run never loses the digest it follows,
and each has its own Atom entry id. Runs writing into one folder at once take
turns (a lock on the folder).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
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
    atom_id: str | None = None  # the feed entry's id; entries from before it existed get the old form

    def to_dict(self) -> dict:
        d = {"id": self.id, "title": self.title, "date": self.date, "files": self.files, "stories": self.stories}
        if self.atom_id:
            d["atom_id"] = self.atom_id
        return d


def _load_manifest(folder: Path) -> list[dict]:
    p = folder / MANIFEST
    if not p.exists():
        return []
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BriefingError(f"{p}: archive list unreadable ({e}); move it away to start a new one") from None
    return [e for e in data if _usable(e)] if isinstance(data, list) else []


def _usable(entry: object) -> bool:
    """An entry the index and the feed can show (the list may have been edited by hand)."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("date"), str)
        and isinstance(entry.get("title"), str)
        and isinstance(entry.get("files", {}), dict)
        and all(isinstance(v, str) for v in entry.get("files", {}).values())
        and all(isinstance(t, str) for t in entry.get("stories", []) or [])
    )


def write_archive(
    folder: str | Path,
    digest: Digest,
    rendered: dict[str, str],
    *,
    base_url: str | None = None,
    title: str | None = None,
) -> list[Path]:
    """Write ``rendered`` ({format: text}) as dated files, then the index and the feed. Returns the paths.

    ``title`` names the archive (the index's heading, the feed's title): the config's ``title``;
    without one, "Briefing archive"."""
    from ..render import _EXT

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BriefingError(f"{folder}: cannot create the folder ({e.strerror})") from None
    with _folder_lock(folder):
        entries = _load_manifest(folder)
        exts = [_EXT.get(fmt, fmt) for fmt in rendered]
        stem = _free_stem(folder, digest.generated_at, exts, entries)
        files: dict[str, str] = {}
        written: list[Path] = []
        for fmt, ext in zip(rendered, exts):
            name = f"{stem}.{ext}"
            write_atomic(folder / name, rendered[fmt])
            files[fmt] = name
            written.append(folder / name)
        date = digest.generated_at.isoformat(timespec="seconds")
        entry = ArchiveEntry(
            id=digest.id,
            title=_one_line(digest.title),
            date=date,
            files=files,
            stories=[_one_line(s.title) for s in digest.stories],
            atom_id=_new_atom_id(digest.id, date, stem, entries),
        )
        entries.insert(0, entry.to_dict())
        entries.sort(key=lambda e: e.get("date", ""), reverse=True)  # stable: the newest run first among equals
        write_atomic(folder / MANIFEST, json.dumps(entries, ensure_ascii=False, indent=1) + "\n")
        name = _archive_title(title)
        write_atomic(folder / INDEX, render_index(entries, title=name))
        write_atomic(folder / FEED, render_feed(entries, title=name, base_url=base_url, folder=folder))
    written += [folder / MANIFEST, folder / INDEX, folder / FEED]
    return written


KNOWN_EXTS = ("html", "md", "json", "txt")


def _free_stem(folder: Path, when: datetime, exts: list[str], entries: list[dict]) -> str:
    """The first name no file in the folder and no archive entry uses, for any of the formats."""
    utc = when.astimezone(UTC)
    minute = f"digest-{utc:%Y-%m-%d-%H%M}"
    second = f"digest-{utc:%Y-%m-%d-%H%M%S}"
    listed = {Path(name).stem for e in entries for name in (e.get("files") or {}).values()}

    def free(stem: str) -> bool:
        return stem not in listed and not any(os.path.lexists(folder / f"{stem}.{ext}") for ext in {*exts, *KNOWN_EXTS})

    for stem in (minute, second):
        if free(stem):
            return stem
    n = 2
    while not free(f"{second}-{n}"):
        n += 1
    return f"{second}-{n}"


def _new_atom_id(digest_id: str, date: str, stem: str, entries: list[dict]) -> str:
    """The old form (``urn:briefing:digest:ID:DATE``) while it is unique, so nothing changes for a feed
    reader that saw it; a second run of the same digest at the same time gets its file name added."""
    plain = f"urn:briefing:digest:{digest_id}:{date}"
    return plain if plain not in {_atom_id(e) for e in entries} else f"{plain}:{stem}"


def _atom_id(entry: dict) -> str:
    return entry.get("atom_id") or f"urn:briefing:digest:{entry.get('id')}:{entry.get('date')}"


ARCHIVE_LOCK = ".briefing-archive.lock"  # in the output folder: one lock for every run archiving there
ARCHIVE_LOCK_WAIT = 120.0


@contextlib.contextmanager
def _folder_lock(folder: Path):
    """Two runs archiving into one folder take turns: a name is chosen and listed under the lock
    (the tool's one lock helper, so this works on Windows too)."""
    from ..locking import FileLock

    lock = FileLock(folder / ARCHIVE_LOCK)
    try:
        held = lock.acquire(timeout=ARCHIVE_LOCK_WAIT)
    except OSError:  # a folder where no lock file can be made: go on unguarded, as a lone run would
        held = False
    try:
        yield
    finally:
        if held:
            lock.release()


def _one_line(text: str | None) -> str:
    from ..render import clean_text

    return " ".join(clean_text(text or "").split())


def _archive_title(title: str | None) -> str:
    return _one_line(title) or "Briefing archive"


def _main_file(entry: dict) -> str | None:
    files = entry.get("files", {})
    return files.get("html") or files.get("markdown") or files.get("email") or files.get("json")


def render_index(entries: list[dict], *, title: str) -> str:
    import jinja2

    from ..render import templates_dir

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    rows = [dict(e, main=_main_file(e)) for e in entries]
    return env.get_template("digest_index.html.j2").render(title=title, entries=rows)


# What XML 1.0 allows in a document (section 2.2); anything else makes the feed ill-formed for every reader.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: object) -> str:
    """Text for an XML element: characters XML forbids dropped, markup escaped."""
    return escape(_NOT_XML.sub("", str(text)))


def _xattr(text: object) -> str:
    return quoteattr(_NOT_XML.sub("", str(text)))


# The digest page's own content: what is inside <body> (the <head>'s style sheet stays out of a feed)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)
_MAIN = re.compile(r"<main[^>]*>(.*)</main>", re.S | re.I)


def entry_content(folder: Path | None, entry: dict) -> str | None:
    """The HTML of an archived digest for its feed entry: the page's ``<main>`` (or ``<body>``), read
    back from the folder; None when the entry has no HTML file there (an older or hand-made entry)."""
    name = (entry.get("files") or {}).get("html")
    if folder is None or not isinstance(name, str) or not name or Path(name).name != name or name in (".", ".."):
        return None  # only a file of the folder itself: the list may have been edited by hand
    try:
        page = (folder / name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = _MAIN.search(page) or _BODY.search(page)
    return (m.group(1) if m else page).strip()


def render_feed(entries: list[dict], *, title: str, base_url: str | None, folder: Path | None = None) -> str:
    """Atom 1.0 (RFC 4287): one entry per digest, newest first; every entry id unique.

    Links to the feed itself (``rel="self"``) and to the index (``rel="alternate"``) are absolute
    with ``base_url``, relative to the feed's own address without it. With ``folder``, each entry
    carries its digest as HTML (``<content type="html">``), so a feed reader shows the digest itself."""
    base = (base_url.rstrip("/") + "/") if base_url else ""
    updated = entries[0]["date"] if entries else datetime.now(UTC).isoformat(timespec="seconds")
    feed_id = f"{base}{FEED}" if base else "urn:briefing:digest-archive"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{_x(title)}</title>",
        f"  <id>{_x(feed_id)}</id>",
        f"  <updated>{_x(updated)}</updated>",
        "  <author><name>briefing</name></author>",
        "  <generator>briefing</generator>",
    ]
    out.append(f'  <link rel="self" type="application/atom+xml" href={_xattr(base + FEED)}/>')
    out.append(f'  <link rel="alternate" type="text/html" href={_xattr(base + INDEX)}/>')
    ids: set[str] = set()
    for e in entries[:FEED_ENTRIES]:
        main = _main_file(e)
        summary = "; ".join(e.get("stories", [])[:10]) or "No new stories."
        entry_id = _atom_id(e)
        if entry_id in ids:  # an archive list edited by hand, or written before ids were made unique
            entry_id = f"{entry_id}:{Path(main).stem if main else len(ids)}"
        ids.add(entry_id)
        out += [
            "  <entry>",
            f"    <title>{_x(e['title'])}</title>",
            f"    <id>{_x(entry_id)}</id>",
            f"    <updated>{_x(e['date'])}</updated>",
        ]
        if main:
            kind = ' type="text/html"' if main == (e.get("files") or {}).get("html") else ""
            out.append(f'    <link rel="alternate"{kind} href={_xattr(base + main)}/>')
        out.append(f"    <summary>{_x(summary)}</summary>")
        content = entry_content(folder, e)
        if content:
            out.append(f'    <content type="html">{_x(content)}</content>')
        out.append("  </entry>")
    out.append("</feed>")
    return "\n".join(out) + "\n"
