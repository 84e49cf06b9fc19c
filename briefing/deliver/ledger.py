"""What was already sent: dedupe key -> Message-ID, in the digest's state database.

The cron job that mails the daily digest may run twice (a retry, a manual run);
the second run asks ``was_sent(key)`` and sends nothing unless ``--resend``.
The key names what was sent (``digest_key("morning", day)``), not the message:
a re-rendered digest gets a new Message-ID but is the same briefing.

The records live in the ``sent`` table of the digest's SQLite state
(``briefing.digest.state.StateDB.record_sent / was_sent``): one row per
recipient who got it, plus a row for the whole list (recipient ``""``). This
module only adapts that API to what delivery needs, so there is one schema and
one file. Anything with ``was_sent(key)`` and ``record_sent(key, message_id,
recipients)`` can stand in for ``Ledger`` (tests, other stores).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol


def default_state_path() -> Path:
    """The digest's state file: the same database whoever opens it."""
    from ..digest.state import default_state_path as digest_default

    return digest_default()


def digest_key(name: str, day: date | str) -> str:
    """The dedupe key of one digest run: its config name and day (one digest per day per config)."""
    return f"digest:{name}:{day.isoformat() if isinstance(day, date) else day}"


@dataclass
class SentRecord:
    key: str
    message_id: str
    recipients: list[str] = field(default_factory=list)


class SentLog(Protocol):
    def was_sent(self, key: str) -> SentRecord | None: ...

    def record_sent(self, key: str, message_id: str, recipients: list[str] | None = None) -> None: ...


class Ledger:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else default_state_path()

    def _open(self):
        from ..digest.state import StateDB  # raises StateError (one line) when the file is unusable

        return StateDB(self.path)

    def was_sent(self, key: str) -> SentRecord | None:
        with self._open() as db:
            message_id = db.was_sent(key)
            if message_id is None:
                return None
            recipients = db.sent_to(key)
        return SentRecord(key, message_id, recipients)

    def record_sent(self, key: str, message_id: str, recipients: list[str] | None = None) -> None:
        with self._open() as db:
            for r in recipients or ():
                db.record_sent(key, message_id, r)
            db.record_sent(key, message_id, "")
