"""The digest's TOML configuration file (see samples/digest.toml).

Unknown keys are errors, so a typo ("fetch_ful") is reported instead of silently
ignored. Relative paths are relative to the config file, so a cron job can run
from any directory. Tables this module does not own (``[email]``) are kept as
plain dicts for the step that uses them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .sources import SOURCE_KINDS, SourceSpec

_TOP_KEYS = {"title", "since", "words", "max_stories", "format", "output", "output_dir", "state",
             "timeout", "jobs", "sections", "sources", "algorithm", "base_url", "job"}
_PASSTHROUGH_TABLES = {"email"}
_SOURCE_KEYS = {"url", "path", "name", "section", "category", "kind", "fetch_full", "timeout"}


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
    jobs: int | None = None
    base_url: str | None = None  # where output_dir is served, for absolute links in the Atom feed
    job: str | None = None  # the job's name: its mail is sent once a day per name (digest/cli.py job_key)
    section_order: list[str] = field(default_factory=list)
    sources: list[SourceSpec] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the [email] table
    path: str | None = None


def _expand(value: str, base: Path) -> str:
    """~ and $VARS expanded; relative paths taken from the config file's folder."""
    value = os.path.expandvars(os.path.expanduser(value))
    if "://" in value[:12] or os.path.isabs(value):
        return value
    return str(base / value)


def _check_type(where: str, key: str, value: Any, types: tuple[type, ...], what: str) -> None:
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise UsageError(f"{where}: {key} must be {what}")


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
    unknown = set(data) - _TOP_KEYS - _PASSTHROUGH_TABLES
    if unknown:
        raise UsageError(f"{name}: unknown setting(s): {', '.join(sorted(unknown))}")
    cfg = DigestConfig(path=name)
    for key, types, what in (("title", (str,), "a string"), ("since", (str,), "a string like \"24h\""),
                             ("format", (str,), "a string"), ("base_url", (str,), "a URL"),
                             ("job", (str,), "a name")):
        if key in data:
            _check_type(name, key, data[key], types, what)
            setattr(cfg, key, data[key])
    for key in ("words", "max_stories", "jobs"):
        if key in data:
            _check_type(name, key, data[key], (int,), "a positive integer")
            if data[key] < 1:
                raise UsageError(f"{name}: {key} must be a positive integer")
            setattr(cfg, key, data[key])
    if "timeout" in data:
        _check_type(name, "timeout", data["timeout"], (int, float), "a number of seconds")
        cfg.timeout = float(data["timeout"])
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
    kind = raw.get("kind", "auto")
    if kind not in SOURCE_KINDS:
        raise UsageError(f"{where}: kind must be one of {', '.join(SOURCE_KINDS)}")
    for key in ("name", "section", "category"):
        if key in raw:
            _check_type(where, key, raw[key], (str,), "a string")
    if "fetch_full" in raw:
        _check_type(where, "fetch_full", raw["fetch_full"], (bool,), "true or false")
    timeout = raw.get("timeout")
    if timeout is not None:
        _check_type(where, "timeout", timeout, (int, float), "a number of seconds")
    return SourceSpec(spec=spec if "url" in raw else _expand(spec, base), kind=kind,
                      name=raw.get("name"), section=raw.get("section") or raw.get("category"),
                      fetch_full=bool(raw.get("fetch_full", False)),
                      timeout=float(timeout) if timeout is not None else None)
