"""The outbox: messages that could not be sent yet, kept on disk until they are.

Every message is written here *before* the first attempt (write-ahead) and
removed only once the server accepted it, so a crash, a power cut or a server
that stays down never loses a briefing. The worst case, a crash between the
server's "250 OK" and the removal, sends one message twice; the ledger
(Message-ID per digest key) and the lock below keep even that from happening
on an ordinary re-run.

Layout: ``<id>.eml`` (the whole message, Bcc kept) and ``<id>.json`` (envelope,
recipients still waiting, attempts, last error, dedupe key and the state database
whose ledger records it). An entry exists when its .json exists; the .eml is
written first, so a crash between the two leaves only an orphan .eml, never
metadata without its message.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

from ..errors import DeliveryError, OutputError
from ..fileio import write_atomic
from .message import Envelope, message_bytes, parse_message


@dataclass
class OutboxEntry:
    id: str
    sender: str
    recipients: list[str]  # still waiting
    message_id: str = ""
    key: str | None = None  # e.g. a digest's dedupe key, recorded in the ledger once sent
    created: str = ""
    attempts: int = 0
    last_error: str = ""
    delivered: list[str] = field(default_factory=list)
    refused: dict[str, list] = field(default_factory=dict)
    # The state database whose ledger records ``key`` once sent: a digest's own --state, so that
    # `briefing send --outbox` (which knows nothing of that file) records it where the digest looks.
    ledger: str | None = None

    @property
    def envelope(self) -> Envelope:
        return Envelope(self.sender, list(self.recipients))


class Outbox:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def _ensure(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DeliveryError(f"{self.path}: cannot create the outbox ({e.strerror})") from None

    @contextmanager
    def lock(self, timeout: float = 120.0):
        """One sender at a time: two cron runs must not both send the same waiting message."""
        import fcntl

        self._ensure()
        fh = open(self.path / ".lock", "a+")
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise DeliveryError(f"{self.path}: another briefing run is sending; try again later") from None
                    time.sleep(0.1)
            yield self
        finally:
            fh.close()  # releases the lock

    def put(self, msg: EmailMessage, envelope: Envelope, key: str | None = None,
            ledger: str | os.PathLike | None = None) -> OutboxEntry:
        self._ensure()
        stamp = datetime.now(timezone.utc)
        entry = OutboxEntry(id=f"{stamp:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", sender=envelope.sender,
                            recipients=list(envelope.recipients), message_id=str(msg.get("Message-ID", "")),
                            key=key, created=stamp.isoformat(timespec="seconds"),
                            ledger=str(ledger) if ledger else None)
        try:
            write_atomic(self.path / f"{entry.id}.eml", message_bytes(msg))
            self.save(entry)
        except OutputError as e:
            raise DeliveryError(f"{self.path}: cannot write to the outbox ({e})") from None
        return entry

    def save(self, entry: OutboxEntry) -> None:
        data = json.dumps(asdict(entry), ensure_ascii=False, indent=1).encode("utf-8")
        write_atomic(self.path / f"{entry.id}.json", data)

    def message(self, entry: OutboxEntry) -> EmailMessage:
        return parse_message((self.path / f"{entry.id}.eml").read_bytes())

    def eml_path(self, entry: OutboxEntry) -> Path:
        return self.path / f"{entry.id}.eml"

    def remove(self, entry: OutboxEntry) -> None:
        # metadata first: an .eml without .json is ignored, the reverse would be a broken entry
        for suffix in (".json", ".eml"):
            try:
                os.unlink(self.path / f"{entry.id}{suffix}")
            except FileNotFoundError:
                pass

    def entries(self) -> list[OutboxEntry]:
        """Waiting entries, oldest first."""
        if not self.path.is_dir():
            return []
        out = []
        for meta in sorted(self.path.glob("*.json")):
            try:
                data = json.loads(meta.read_text(encoding="utf-8"))
                entry = OutboxEntry(**data)
            except (OSError, ValueError, TypeError):
                continue  # not ours, or damaged: leave it for a human
            if (self.path / f"{entry.id}.eml").is_file():
                out.append(entry)
        return out

    def __len__(self) -> int:
        return len(self.entries())
