"""The user's configuration file, read by every command (as rss2email reads its config).

Where: ``briefing --config FILE COMMAND ...``, else the ``BRIEFING_CONFIG`` variable, else
``config.toml`` in the user's config folder (``platformdirs.user_config_dir("briefing")``, i.e.
``~/.config/briefing/config.toml`` on Linux) when it exists. What::

    [email]                 # for every command that mails: the [email] table of docs/email.md
    from = "Briefing <briefing@example.org>"
    [email.smtp]
    host = "mail.example.org"

    [summarize]             # option defaults, named as the long option: --email-to -> email_to
    sentences = 2
    [digest]
    since = "last-run"
    [eval.dates]            # a sub-command's options

Every option is also read from an environment variable (click's ``auto_envvar_prefix``):
``BRIEFING_<COMMAND>_<OPTION>`` (``BRIEFING_DIGEST_SINCE``), and the mail options from their short
names as well (``BRIEFING_EMAIL_FROM``, ``BRIEFING_SMTP_HOST``), for every command that mails.

Precedence, highest first: command line, environment, the digest's own job file (``briefing digest
--config JOB.toml``, for digest only), this file, the built-in default. ``briefing config`` shows
each setting, its value and where it came from. Checked like the digest's file: an unknown section
or key is an error, and so is a value of the wrong type.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import UsageError

CONFIG_ENV = "BRIEFING_CONFIG"
ENV_PREFIX = "BRIEFING"
EMAIL_SECTION = "email"
META_KEY = "briefing.user_config"  # where the loaded file waits on the root click context


def default_config_path() -> Path:
    """``config.toml`` in the user's config folder (it need not exist)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("briefing")) / "config.toml"


@dataclass
class UserConfig:
    """The file as read: ``path`` is None when there is none."""

    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def default_map(self) -> dict[str, Any]:
        """click's ``default_map``: one dict per command (and sub-command), keys as parameter names."""
        return {k: v for k, v in self.data.items() if k != EMAIL_SECTION}

    def email_section(self) -> dict[str, Any] | None:
        section = self.data.get(EMAIL_SECTION)
        return section if isinstance(section, dict) else None

    def label(self) -> str:
        return str(self.path) if self.path else "no config file"


def load_user_config(path: str | os.PathLike | None) -> UserConfig:
    """The user's config from ``path`` (given: it must exist), else the default file if it exists."""
    explicit = path is not None and str(path) != ""
    target = Path(os.path.expanduser(str(path))) if explicit else default_config_path()
    if not explicit and not target.is_file():
        return UserConfig()
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{target}: no such config file") from None
    except IsADirectoryError:
        raise UsageError(f"{target}: is a folder, not a config file") from None
    except OSError as e:
        raise UsageError(f"{target}: cannot read ({e.strerror or e})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"{target}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{target}: not valid TOML ({e})") from None
    for key, value in data.items():
        if not isinstance(value, dict):
            raise UsageError(
                f"{target}: {key!r} must be a section ([summarize], [batch], [digest], [send], [email]...), "
                "not a top-level value"
            )
    cfg = UserConfig(target, _normalise(data))
    email = cfg.email_section()
    if email is not None:
        mail_settings(cfg)  # the [email] table is checked by its owner now, not when a mail is due
    return cfg


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Keys as parameter names: ``email-to`` and ``email_to`` both work (the [email] table keeps its own)."""
    return {k: (v if k == EMAIL_SECTION else _normalise_section(v)) for k, v in data.items()}


def _normalise_section(section: dict[str, Any]) -> dict[str, Any]:
    return {
        (k if isinstance(v, dict) else k.replace("-", "_")): (_normalise_section(v) if isinstance(v, dict) else v)
        for k, v in section.items()
    }


def option_key(param) -> str:
    """The name a setting has in the config file and in ``briefing config``: the long option without
    its dashes (``--format`` -> ``format``, ``--email-to`` -> ``email_to``), else the parameter's name."""
    longs = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    return longs[0][2:].replace("-", "_") if longs else str(param.name)


def name_envvars(command, prefix: str) -> None:
    """Give every option whose parameter is named differently from its long option (``--format``
    stored as ``fmt``) the environment variable users expect, ``PREFIX_FORMAT``; click's automatic
    ``PREFIX_FMT`` still works. Sub-commands of a group get ``PREFIX_SUB_...`` when they are loaded."""
    import click

    for param in command.params:
        if isinstance(param, click.Option) and param.name and not param.envvar:
            key = option_key(param)
            if key != param.name:
                param.envvar = f"{prefix}_{key.upper()}"


def check_section(cfg: UserConfig, section: dict[str, Any], command, ctx, where: str) -> None:
    """Every key of ``section`` is a parameter of ``command`` (or, for a group, a sub-command's
    section) and its value converts to that parameter's type."""
    import click

    params = {p.name: p for p in command.params if p.name and p.expose_value}
    for p in list(params.values()):
        params.setdefault(option_key(p), p)
    for key, value in list(section.items()):
        name = f"[{where}] {key}"
        if isinstance(value, dict) and isinstance(command, click.Group):
            sub = command.get_command(ctx, key)
            if sub is None:
                raise UsageError(f"{cfg.label()}: [{where}.{key}]: {command.name} has no sub-command {key!r}")
            check_section(cfg, value, sub, ctx, f"{where}.{key}")
            continue
        param = params.get(key)
        if param is None or not isinstance(param, click.Option) or param.hidden:
            known = ", ".join(
                sorted({option_key(p) for p in params.values() if isinstance(p, click.Option) and not p.hidden})
            )
            raise UsageError(f"{cfg.label()}: {name}: not an option of `briefing {where}` (its options: {known})")
        if param.multiple and not isinstance(value, list):
            value = [value]  # `email_to = "a@example.org"` means a list of one
        if key != param.name:  # `format = ...` is the option --format, stored by click as `fmt`
            del section[key]
        section[param.name] = value
        try:
            param.type_cast_value(ctx, value)
        except click.BadParameter as e:
            raise UsageError(f"{cfg.label()}: {name}: {e.message}") from None


def check_sections(cfg: UserConfig, group, ctx) -> None:
    """Each section names a command; each key one of its options. Loads the commands named."""
    for key, value in cfg.default_map().items():
        command = group.get_command(ctx, key)
        if command is None:
            known = ", ".join([*group.list_commands(ctx), EMAIL_SECTION])
            raise UsageError(f"{cfg.label()}: [{key}]: no such command (sections: {known})")
        check_section(cfg, value, command, ctx, key)


def mail_settings(cfg: UserConfig | None):
    """MailSettings from the file's [email] table (relative paths from the file's folder), or None."""
    if cfg is None or cfg.email_section() is None:
        return None
    from .deliver.settings import MailSettings

    assert cfg.path is not None
    try:
        return MailSettings.from_config(cfg.email_section(), base=cfg.path.resolve().parent)
    except UsageError as e:
        raise UsageError(f"{cfg.path}: [email]: {e}") from None


def overlay(lower, upper):
    """MailSettings ``upper`` over ``lower``: every field ``upper`` sets (differs from the default) wins."""
    if lower is None:
        return upper
    if upper is None:
        return lower
    blank = type(upper)()
    changes = {
        f.name: getattr(upper, f.name) for f in fields(upper) if getattr(upper, f.name) != getattr(blank, f.name)
    }
    return replace(lower, **changes)


def current() -> UserConfig | None:
    """The config the running command read (None outside a command, e.g. from the Python API)."""
    import click

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return None
    return ctx.find_root().meta.get(META_KEY)


SECRET_WORDS = ("password", "secret", "token")


def is_secret(name: str) -> bool:
    """A setting whose value must never be printed (its *name* may be: password_env, password_file)."""
    low = name.lower()
    return any(w in low for w in SECRET_WORDS) and not low.endswith(("_env", "_file"))


__all__ = [
    "CONFIG_ENV",
    "UserConfig",
    "check_sections",
    "current",
    "default_config_path",
    "is_secret",
    "load_user_config",
    "mail_settings",
    "overlay",
]


@dataclass
class Setting:
    """One line of ``briefing config``."""

    name: str  # "summarize.sentences", "email.smtp.host"
    value: Any
    source: str  # "default", "config file PATH", "environment VAR", "command line"

    def shown(self) -> str:
        if is_secret(self.name.rsplit(".", 1)[-1]):
            return "(set, not shown)" if self.value not in (None, "", [], ()) else "-"
        if self.value is None or self.value == () or self.value == []:
            return "-"
        if isinstance(self.value, (list, tuple)):
            return ", ".join(str(v) for v in self.value)
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)


def describe(group, ctx, only: tuple[str, ...] = ()) -> list[Setting]:
    """Every option of every command (and the [email] table): its value now and where it comes from,
    by click's own rules (command line > environment > this file > default)."""
    import click

    cfg: UserConfig | None = ctx.find_root().meta.get(META_KEY)
    rows: list[Setting] = []

    def wanted(name: str) -> bool:
        return not only or any(name == o or name.startswith(o + ".") for o in only)

    def walk(command, parent, name: str, path: str) -> None:
        sub = click.Context(command, parent=parent, info_name=name)
        if isinstance(command, click.Group):
            for child in command.list_commands(sub):
                c = command.get_command(sub, child)
                if c is not None:
                    walk(c, sub, child, f"{path}.{child}")
            return
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden or not param.expose_value or not param.name:
                continue
            full = f"{path}.{option_key(param)}"
            if not wanted(full):
                continue
            value, source = param.consume_value(sub, {})
            rows.append(Setting(full, _plain(param, sub, value), _source(param, sub, source, cfg)))

    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is not None and name != "config":
            walk(command, ctx, name, name)
    if cfg is not None and cfg.email_section() is not None:
        for key, value in _flatten(cfg.email_section() or {}, EMAIL_SECTION):
            if wanted(key):
                rows.append(Setting(key, value, f"config file {cfg.path}"))
    from .deliver.settings import DEFAULT_PASSWORD_ENV

    if wanted("email.smtp.password") and os.environ.get(DEFAULT_PASSWORD_ENV):
        rows.append(Setting("email.smtp.password", "set", f"environment {DEFAULT_PASSWORD_ENV}"))
    return rows


def _plain(param, ctx, value):
    """The value as the command would see it (converted), or None when it has none."""
    import click
    from click import _utils

    unset = getattr(_utils, "UNSET", None)  # click 8.3+: "no value" is a sentinel
    if value is None or value is unset:
        return None
    try:
        return param.type_cast_value(ctx, value)
    except click.BadParameter:
        return value


def _source(param, ctx, source, cfg: UserConfig | None) -> str:
    from click.core import ParameterSource

    if source is ParameterSource.ENVIRONMENT:
        names = param.envvar if isinstance(param.envvar, (list, tuple)) else [param.envvar] if param.envvar else []
        if ctx.auto_envvar_prefix:
            names = [*names, f"{ctx.auto_envvar_prefix}_{param.name.upper()}"]
        var = next((n for n in names if os.environ.get(n)), names[0] if names else "?")
        return f"environment {var}"
    if source is ParameterSource.DEFAULT_MAP:
        return f"config file {cfg.path}" if cfg is not None and cfg.path else "config file"
    if source is ParameterSource.COMMANDLINE:
        return "command line"
    return "default"


def _flatten(table: dict[str, Any], prefix: str):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}.{key}")
        else:
            yield f"{prefix}.{key}", value
