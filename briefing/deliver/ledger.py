"""What was already sent: dedupe key -> Message-ID, in the state SQLite database.

The cron job that mails the daily digest may run twice (a retry, a manual run);
the second run asks ``was_sent(key)`` and sends nothing unless ``--resend``.
The key names what was sent (``digest_key("morning", day)``), not the message:
a re-rendered digest gets a new Message-ID but is the same briefing.

The table lives in the same SQLite file as the digest's state (its own table,
``email_sent``, so neither module owns the other's schema). Anything with
``was_sent(key)`` and ``record_sent(key, message_id, ...)`` can stand in for
``Ledger`` (the digest's state module, if it offers them).
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Protocol

from ..errors import StateError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS email_sent (
    key        TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    recipients TEXT NOT NULL DEFAULT '',
    sent_at    TEXT NOT NULL
)
"""


def default_state_path() -> Path:
    from platformdirs import user_state_dir

    return Path(user_state_dir("briefing")) / "state.sqlite3"


def digest_key(name: str, day: date | str) -> str:
    """The dedupe key of one digest run: its config name and day (one digest per day per config)."""
    return f"digest:{name}:{day.isoformat() if isinstance(day, date) else day}"


@dataclass
class SentRecord:
    key: str
    message_id: str
    recipients: list[str]
    sent_at: str


class SentLog(Protocol):
    def was_sent(self, key: str) -> SentRecord | None: ...

    def record_sent(self, key: str, message_id: str, recipients: list[str] | None = None) -> None: ...


class Ledger:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else default_state_path()

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            db.execute(_SCHEMA)
            return db
        except (OSError, sqlite3.Error) as e:
            raise StateError(f"{self.path}: cannot open the state database ({e})") from None

    def was_sent(self, key: str) -> SentRecord | None:
        db = self._connect()
        try:
            row = db.execute("SELECT key, message_id, recipients, sent_at FROM email_sent WHERE key = ?",
                             (key,)).fetchone()
        except sqlite3.Error as e:
            raise StateError(f"{self.path}: cannot read the state database ({e})") from None
        finally:
            db.close()
        if not row:
            return None
        return SentRecord(row[0], row[1], [r for r in row[2].split("\n") if r], row[3])

    def record_sent(self, key: str, message_id: str, recipients: list[str] | None = None) -> None:
        db = self._connect()
        try:
            with db:  # one transaction: the record is there entirely or not at all
                db.execute("INSERT OR REPLACE INTO email_sent (key, message_id, recipients, sent_at) "
                           "VALUES (?, ?, ?, ?)",
                           (key, message_id, "\n".join(recipients or []),
                            datetime.now(timezone.utc).isoformat(timespec="seconds")))
        except sqlite3.Error as e:
            raise StateError(f"{self.path}: cannot write the state database ({e})") from None
        finally:
            db.close()
