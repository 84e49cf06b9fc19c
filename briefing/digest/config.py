"""The digest's TOML configuration file (see samples/digest.toml).

Checked like the command line: unknown keys are errors everywhere (top level,
``[[sources]]``, ``[email]``), so a typo ("fetch_ful") is reported instead of
silently ignored; numbers must be finite and within the options' bounds; names
(format, kind, the window) must be known. Relative paths are relative to the
config file, so a cron job can run from any directory. Tables this module does
not own (``[email]``) are checked by their owner and kept as plain dicts for the
step that uses them.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..sources.base import is_url
from ..sources.fetch import MAX_TIMEOUT
from ..sources.registry import KINDS as SOURCE_KINDS
from .sources import SourceSpec

_TOP_KEYS = {
    "title",
    "since",
    "words",
    "max_stories",
    "format",
    "output",
    "output_dir",
    "state",
    "timeout",
    "deadline",
    "jobs",
    "sections",
    "sources",
    "base_url",
    "allow_private",
    "job",
}
_PASSTHROUGH_TABLES = {"email"}
_SOURCE_KEYS = {
    "url",
    "path",
    "name",
    "section",
    "category",
    "kind",
    "fetch_full",
    "timeout",
    "allow_private",
    "include",
    "exclude",
}
FORMATS = ("markdown", "html", "email", "json")
# (lowest, highest, whole numbers only): the same bounds as the command line's options
LIMITS: dict[str, tuple[float, float | None, bool]] = {
    "timeout": (0.1, MAX_TIMEOUT, False),
    "deadline": (0.1, 86400.0, False),  # a run longer than a day is a mistake, not a plan
    "jobs": (1, 64, True),
    "words": (1, None, True),
    "max_stories": (1, None, True),
}


@dataclass
class DigestConfig:
    title: str | None = None
    since: str | None = None
    words: int | None = None
    max_stories: int | None = None
    format: str | None = None
    output: str | None = None
    output_dir: str | None = None
    state: str | None = None
    timeout: float | None = None
    deadline: float | None = None
    jobs: int | None = None
    allow_private: bool = False
    base_url: str | None = None  # where output_dir is served, for absolute links in the Atom feed
    job: str | None = None  # the job's name: its mail is sent once a day per name (digest/cli.py job_key)
    section_order: list[str] = field(default_factory=list)
    sources: list[SourceSpec] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the [email] table
    path: str | None = None


def _expand(value: str, base: Path) -> str:
    """~ and $VARS expanded; relative paths taken from the config file's folder."""
    value = os.path.expandvars(os.path.expanduser(value))
    if is_url(value) or os.path.isabs(value):
        return value
    return str(base / value)


def _check_type(where: str, key: str, value: Any, types: tuple[type, ...], what: str) -> None:
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise UsageError(f"{where}: {key} must be {what}")


def bound_message(key: str) -> str:
    """What ``key`` must be, for an error message: "a number of seconds from 0.1 to 3600"."""
    low, high, whole = LIMITS[key]
    if whole:
        return f"a whole number from {low:g} to {high:g}" if high else "a positive integer"
    return f"a number of seconds from {low:g} to {high:g}"


def check_number(key: str, value: Any) -> float | int:
    """``value`` if it is a finite number within ``LIMITS[key]``; ValueError otherwise."""
    low, high, whole = LIMITS[key]
    types = (int,) if whole else (int, float)
    if (
        not isinstance(value, types)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < low
        or (high is not None and value > high)
    ):
        raise ValueError(bound_message(key))
    return value if whole else float(value)


def _number(where: str, key: str, value: Any) -> float | int:
    try:
        return check_number(key, value)
    except ValueError as e:
        raise UsageError(f"{where}: {key} must be {e}, not {value!r}") from None


def load_config(path: str | os.PathLike) -> DigestConfig:
    import tomllib

    p = Path(path).expanduser()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: config file not found") from None
    except OSError as e:
        raise UsageError(f"{path}: cannot read config ({e.strerror})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: config is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path}: invalid TOML ({e})") from None
    return config_from_dict(data, base=p.resolve().parent, name=str(path))


def config_from_dict(data: dict[str, Any], *, base: Path, name: str = "config") -> DigestConfig:
    if "algorithm" in data:
        raise UsageError(
            f"{name}: algorithm is not a digest setting (each story is summarised from all its "
            "articles by the digest's own method); remove it"
        )
    unknown = set(data) - _TOP_KEYS - _PASSTHROUGH_TABLES
    if unknown:
        raise UsageError(f"{name}: unknown setting(s): {', '.join(sorted(unknown))}")
    cfg = DigestConfig(path=name)
    for key, types, what in (
        ("title", (str,), "a string"),
        ("since", (str,), 'a string like "24h"'),
        ("format", (str,), "a string"),
        ("base_url", (str,), "a URL"),
        ("job", (str,), "a string (the job's name)"),
        ("allow_private", (bool,), "true or false"),
    ):
        if key in data:
            _check_type(name, key, data[key], types, what)
            setattr(cfg, key, data[key])
    if cfg.format is not None and cfg.format not in FORMATS:
        raise UsageError(f"{name}: format {cfg.format!r}: choose {', '.join(FORMATS)}")
    if cfg.since is not None:
        _check_since(name, cfg.since)
    for key in LIMITS:
        if key in data:
            setattr(cfg, key, _number(name, key, data[key]))
    for key in ("output", "output_dir", "state"):
        if key in data:
            _check_type(name, key, data[key], (str,), "a path")
            setattr(cfg, key, _expand(data[key], base))
    if "sections" in data:
        if not isinstance(data["sections"], list) or not all(isinstance(s, str) for s in data["sections"]):
            raise UsageError(f"{name}: sections must be a list of section names")
        cfg.section_order = list(data["sections"])
    for table in _PASSTHROUGH_TABLES:
        if table in data:
            if not isinstance(data[table], dict):
                raise UsageError(f"{name}: {table} must be a table ([{table}])")
            cfg.extra[table] = data[table]
    if "email" in cfg.extra:
        _check_email(name, cfg.extra["email"], base)
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise UsageError(f"{name}: sources must be an array of tables ([[sources]])")
    for i, raw in enumerate(raw_sources, 1):
        cfg.sources.append(_source_from_dict(raw, base, f"{name}: source #{i}"))
    return cfg


def _source_from_dict(raw: Any, base: Path, where: str) -> SourceSpec:
    if not isinstance(raw, dict):
        raise UsageError(f"{where}: expected a table")
    unknown = set(raw) - _SOURCE_KEYS
    if unknown:
        raise UsageError(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")
    if ("url" in raw) == ("path" in raw):
        raise UsageError(f"{where}: give exactly one of url or path")
    spec = raw.get("url") or raw.get("path")
    _check_type(where, "url/path", spec, (str,), "a string")
    assert isinstance(spec, str)  # _check_type raised otherwise
    kind = raw.get("kind", "auto")
    if kind not in SOURCE_KINDS:
        raise UsageError(f"{where}: kind must be one of {', '.join(SOURCE_KINDS)}")
    for key in ("name", "section", "category"):
        if key in raw:
            _check_type(where, key, raw[key], (str,), "a string")
    for key in ("fetch_full", "allow_private"):
        if key in raw:
            _check_type(where, key, raw[key], (bool,), "true or false")
    timeout = raw.get("timeout")
    if timeout is not None:
        timeout = _number(where, "timeout", timeout)
    include, exclude = (_words(where, key, raw.get(key)) for key in ("include", "exclude"))
    return SourceSpec(
        spec=spec if "url" in raw else _expand(spec, base),
        kind=kind,
        name=raw.get("name"),
        section=raw.get("section") or raw.get("category"),
        fetch_full=bool(raw.get("fetch_full", False)),
        timeout=timeout,
        allow_private=raw.get("allow_private"),
        include=include,
        exclude=exclude,
    )


def _words(where: str, key: str, value: Any) -> tuple[str, ...]:
    """A filter's words: one string or a list of strings, each a word or a phrase (not blank)."""
    if value is None:
        return ()
    words = [value] if isinstance(value, str) else value
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise UsageError(f'{where}: {key} must be a word or a list of words (include = ["rust", "web assembly"])')
    return tuple(" ".join(w.split()) for w in words)


def _check_since(name: str, value: str) -> None:
    from datetime import datetime

    from .run import parse_since

    try:
        parse_since(value, datetime.now(UTC), None)
    except UsageError:
        raise UsageError(
            f"{name}: since = {value!r}: expected 24h, 90m, 7d, 2w, an ISO date/time, last-run or all"
        ) from None


def _check_email(name: str, table: dict[str, Any], base: Path) -> None:
    """The [email] table is the mail step's; checking it here too makes a typo an error even for
    a run that does not mail (--no-email, --dry-run)."""
    from ..deliver.settings import MailSettings

    try:
        MailSettings.from_config(table, base=base)
    except UsageError as e:
        raise UsageError(f"{name}: {e}") from None
