"""MailSettings: who gets the mail and how it leaves, from a config file and/or options.

The config file is TOML; its ``[email]`` section (or the whole file) holds::

    from = "Morning Briefing <briefing@example.org>"
    to = ["Zoë Müller <zoe@example.org>"]
    cc = []
    bcc = ["archive@example.org"]
    subject = "{{ title }} — {{ date }}"       # a Jinja2 template (optional)
    transport = "smtp"                           # smtp | sendmail | file | maildir
    smtp_host = "mail.example.org"
    smtp_port = 587
    smtp_security = "starttls"                   # none | starttls | tls
    smtp_user = "briefing"
    password_env = "BRIEFING_SMTP_PASSWORD"      # or password_file = "~/.config/briefing/smtp-password"
    outbox = "~/.local/state/briefing/outbox"
    state = "~/.local/state/briefing/digest.sqlite"   # the digest's state file (the default)
    retries = 3                                  # attempts in all
    backoff = 5.0                                # seconds before the second attempt, doubling
    smtp_timeout = 30                            # seconds for each network operation
    smtp_deadline = 120                          # seconds for a whole SMTP conversation

A ``[email.smtp]`` table with ``host``, ``port``, ``security``, ``user``, ``timeout``,
``deadline``... is read too. Options given on the command line win over the file. The password is
never an option or a config value: only the name of a variable or a file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .retry import RetryPolicy

TRANSPORTS = ("smtp", "sendmail", "file", "maildir")
SECURITY = ("none", "starttls", "tls")
DEFAULT_PASSWORD_ENV = "BRIEFING_SMTP_PASSWORD"

_ALIASES = {
    "from": "sender",
    "email_from": "sender",
    "email_to": "to",
    "subject_template": "subject",
    "outbox_dir": "outbox",
    "state_db": "state",
    "mail_path": "path",
    "sendmail": "sendmail_path",
    "smtp_password_env": "password_env",
    "smtp_password_file": "password_file",
    "cafile": "smtp_cafile",
    "attempts": "retries",
    "username": "smtp_user",
}
_SMTP_TABLE = {
    "host": "smtp_host",
    "port": "smtp_port",
    "security": "smtp_security",
    "user": "smtp_user",
    "username": "smtp_user",
    "timeout": "smtp_timeout",
    "deadline": "smtp_deadline",
    "cafile": "smtp_cafile",
    "password_env": "password_env",
    "password_file": "password_file",
}


@dataclass
class MailSettings:
    sender: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    reply_to: str | None = None
    subject: str | None = None  # Jinja2 template text; None: templates/subject.txt.j2
    transport: str | None = None  # None: smtp, or file/maildir when only a path is given
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str | None = None
    smtp_user: str | None = None
    smtp_timeout: float = 30.0
    smtp_deadline: float = 120.0  # the whole conversation: a server may answer a byte at a time
    smtp_cafile: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    sendmail_path: str | None = None
    path: str | None = None  # the .eml file/folder or the Maildir
    outbox: str | None = None
    state: str | None = None
    retries: int = 3
    backoff: float = 5.0

    # --- building -------------------------------------------------------------------------
    @classmethod
    def from_config(cls, section: dict[str, Any] | None, *, base: Path | None = None) -> MailSettings:
        """From a config file's ``[email]`` table. Unknown keys are an error: a typo must not
        silently send mail somewhere else. Relative paths are taken from ``base``."""
        data: dict[str, Any] = {}
        for k, v in (section or {}).items():
            if k == "smtp" and isinstance(v, dict):
                for sk, sv in v.items():
                    if sk not in _SMTP_TABLE:
                        raise UsageError(f"email config: unknown key smtp.{sk}")
                    data[_SMTP_TABLE[sk]] = sv
                continue
            data[_ALIASES.get(k, k)] = v
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise UsageError(f"email config: unknown key(s): {', '.join(unknown)}")
        for k in ("to", "cc", "bcc"):
            if isinstance(data.get(k), str):
                data[k] = [data[k]]
        if base is not None:
            for k in ("path", "outbox", "state", "password_file", "smtp_cafile"):
                if data.get(k):
                    p = Path(os.path.expanduser(str(data[k])))
                    data[k] = str(p if p.is_absolute() else base / p)
        return cls(**data).validated()

    @classmethod
    def load(cls, path: str | os.PathLike) -> MailSettings:
        """A TOML file: its ``[email]`` section if it has one, else the whole file."""
        import tomllib

        p = Path(path)
        try:
            with p.open("rb") as fh:
                doc = tomllib.load(fh)
        except FileNotFoundError:
            raise UsageError(f"{path}: mail config not found") from None
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise UsageError(f"{path}: cannot read mail config ({e})") from None
        return cls.from_config(doc.get("email", doc), base=p.parent.resolve())

    @classmethod
    def from_options(cls, **options: Any) -> MailSettings:
        """From the ``mail_options`` values; options not given (None / empty) are left unset."""
        config = options.pop("mail_config", None)
        settings = cls.load(config) if config else cls()
        return settings.merged(**options)

    def merged(self, **options: Any) -> MailSettings:
        """These settings with every given (not None, not empty) option on top."""
        known = {f.name for f in fields(self)}
        changes: dict[str, Any] = {}
        for k, v in options.items():
            name = _ALIASES.get(k, k)
            if name not in known:
                raise TypeError(f"unknown mail option {k!r}")
            if v is None or v == () or v == []:
                continue
            changes[name] = list(v) if name in ("to", "cc", "bcc") else v
        return replace(self, **changes).validated()

    def validated(self) -> MailSettings:
        self._check_types()
        if self.transport is not None and self.transport not in TRANSPORTS:
            raise UsageError(f"unknown mail transport {self.transport!r}; choose from: {', '.join(TRANSPORTS)}")
        if self.smtp_security is not None and self.smtp_security not in SECURITY:
            raise UsageError(f"unknown smtp security {self.smtp_security!r}; choose from: {', '.join(SECURITY)}")
        if int(self.retries) < 1 or float(self.backoff) < 0:
            raise UsageError("retries must be at least 1 and backoff at least 0")
        if self.smtp_port is not None and not 0 < int(self.smtp_port) < 65536:
            raise UsageError(f"smtp port {self.smtp_port} is not a port (1-65535)")
        if not (float(self.smtp_timeout) > 0 and float(self.smtp_deadline) > 0):
            raise UsageError("smtp timeout and deadline must be more than 0 seconds")
        if self.transport in ("file", "maildir") and not self.path:
            raise UsageError(f"mail transport {self.transport} needs a path (--mail-path)")
        return self

    def _check_types(self) -> None:
        """A config file can hold anything: say which key is wrong instead of failing later."""
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if f.name in ("to", "cc", "bcc"):
                ok = isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
                what = "a list of addresses"
            elif f.name in ("retries", "smtp_port"):
                ok, what = isinstance(value, int) and not isinstance(value, bool), "a whole number"
            elif f.name in ("backoff", "smtp_timeout", "smtp_deadline"):
                ok, what = isinstance(value, (int, float)) and not isinstance(value, bool), "a number"
            else:
                ok, what = isinstance(value, str), "a string"
            if not ok:
                raise UsageError(f"email setting {f.name} must be {what}, not {value!r}")

    # --- using ----------------------------------------------------------------------------
    @property
    def wants_mail(self) -> bool:
        return bool(self.to or self.cc or self.bcc)

    def transport_name(self) -> str:
        if self.transport:
            return self.transport
        if self.path and not self.smtp_host:
            return "maildir" if Path(self.path, "cur").is_dir() else "file"
        return "smtp"

    def security(self) -> str:
        """Explicit, else from the port: 465 implicit TLS, 587 or any login STARTTLS, else plain
        (a local relay on port 25)."""
        if self.smtp_security:
            return self.smtp_security
        if self.smtp_port == 465:
            return "tls"
        if self.smtp_port == 587 or self.smtp_user:
            return "starttls"
        return "none"

    def password(self) -> str | None:
        """From ``password_file`` or the ``password_env`` variable (default BRIEFING_SMTP_PASSWORD)."""
        if self.password_file:
            try:
                return Path(os.path.expanduser(self.password_file)).read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as e:
                raise UsageError(f"{self.password_file}: cannot read the password file ({e.strerror})") from None
        name = self.password_env or DEFAULT_PASSWORD_ENV
        value = os.environ.get(name)
        if self.password_env and value is None and self.smtp_user:
            raise UsageError(f"the SMTP password variable {name} is not set")
        return value

    def make_transport(self):
        from . import transports as t

        kind = self.transport_name()
        if kind == "smtp":
            return t.SMTPTransport(
                host=self.smtp_host or "localhost",
                port=self.smtp_port,
                security=self.security(),
                username=self.smtp_user,
                password=self.password() if self.smtp_user else None,
                timeout=float(self.smtp_timeout),
                cafile=self.smtp_cafile,
                deadline=float(self.smtp_deadline),
            )
        if kind == "sendmail":
            return t.SendmailTransport(path=self.sendmail_path or self.path or "/usr/sbin/sendmail")
        if not self.path:  # validated() refuses a file/maildir transport without a path
            raise UsageError(f"mail transport {kind} needs a path (--mail-path)")
        if kind == "file":
            return t.FileTransport(path=os.path.expanduser(self.path))
        return t.MaildirTransport(path=os.path.expanduser(self.path))

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(attempts=int(self.retries), backoff=float(self.backoff))

    def outbox_path(self) -> Path:
        if self.outbox:
            return Path(os.path.expanduser(self.outbox))
        from platformdirs import user_state_dir

        return Path(user_state_dir("briefing")) / "outbox"

    def state_path(self) -> Path:
        from ..store import default_state_path

        return Path(os.path.expanduser(self.state)) if self.state else default_state_path()
