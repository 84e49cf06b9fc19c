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

What can never be sent as it is goes to ``failed/`` (same layout, the reason in
``last_error``), so it never blocks the messages behind it: a message the server
refused for good, an address no server can be named, and entries that are not
whole (damaged metadata, a missing .eml, an .eml without metadata). Damaged
metadata is kept there as ``<id>.json.damaged`` for a person to read.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from ..errors import DeliveryError, OutputError
from ..fileio import write_atomic
from .errors import OutboxBusy
from .message import Envelope, message_bytes, parse_message

FAILED = "failed"  # the folder, inside the outbox, of what was moved aside


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
    failed: str = ""  # when it was moved aside (failed/), its reason in last_error

    @property
    def envelope(self) -> Envelope:
        return Envelope(self.sender, list(self.recipients))


@dataclass
class Broken:
    """An outbox entry that is not whole, and what is wrong with it."""

    id: str
    reason: str


# field -> the types its JSON value may have
_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "sender": str,
    "recipients": list,
    "message_id": str,
    "key": (str, type(None)),
    "created": str,
    "attempts": int,
    "last_error": str,
    "delivered": list,
    "refused": dict,
    "ledger": (str, type(None)),
    "failed": str,
}


def _json_bytes(entry: OutboxEntry) -> bytes:
    """Readable UTF-8; escaped when some text is not (an address parsed from a broken .eml)."""
    data = asdict(entry)
    try:
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(data, ensure_ascii=True, indent=1).encode("ascii")


def _entry_from_json(entry_id: str, text: str) -> OutboxEntry:
    """Raises ValueError saying what is wrong: the file is read by the next run, whoever wrote it."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    data = {k: v for k, v in data.items() if k in _TYPES}
    data["id"] = entry_id  # the file's own name: metadata may not point at other files
    for k in ("sender", "recipients"):
        if k not in data:
            raise ValueError(f"no {k}")
    for k, v in data.items():
        if not isinstance(v, _TYPES[k]) or isinstance(v, bool):
            raise ValueError(f"{k} is not a {getattr(_TYPES[k], '__name__', 'string')}")
    for k in ("recipients", "delivered"):
        if not all(isinstance(r, str) for r in data.get(k, [])):
            raise ValueError(f"{k} must be addresses")
    return OutboxEntry(**data)


class Outbox:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    @property
    def failed_path(self) -> Path:
        return self.path / FAILED

    def _ensure(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DeliveryError(f"{self.path}: cannot create the outbox ({e.strerror})") from None

    @contextmanager
    def lock(self, timeout: float = 120.0) -> Iterator[Outbox]:
        """One sender at a time: two cron runs must not both send the same waiting message."""
        from ..locking import FileLock

        self._ensure()
        # read-only is enough for a lock, so an existing lock file we may not write still works
        lock = FileLock(self.path / ".lock", read_only=True)
        try:
            got = lock.acquire(timeout=timeout)
        except OSError as e:
            raise DeliveryError(f"{self.path}: cannot lock the outbox ({e.strerror or e})") from None
        if not got:
            raise OutboxBusy(f"{self.path}: another briefing run is sending; try again later")
        try:
            yield self
        finally:
            lock.release()

    def put(
        self, msg: EmailMessage, envelope: Envelope, key: str | None = None, ledger: str | os.PathLike | None = None
    ) -> OutboxEntry:
        self._ensure()
        stamp = datetime.now(UTC)
        entry = OutboxEntry(
            id=f"{stamp:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}",
            sender=envelope.sender,
            recipients=list(envelope.recipients),
            message_id=str(msg.get("Message-ID", "")),
            key=key,
            created=stamp.isoformat(timespec="seconds"),
            ledger=str(ledger) if ledger else None,
        )
        try:
            write_atomic(self.path / f"{entry.id}.eml", message_bytes(msg))
            self.save(entry)
        except OutputError as e:
            self._unlink(self.path / f"{entry.id}.eml")  # never sent: an orphan would only puzzle the next run
            raise DeliveryError(f"{self.path}: cannot write to the outbox ({e})") from None
        except (ValueError, TypeError) as e:  # a message the email package cannot write back as it is
            self._unlink(self.path / f"{entry.id}.eml")
            raise DeliveryError(f"cannot queue this message as it is ({type(e).__name__}: {e})") from None
        return entry

    def save(self, entry: OutboxEntry) -> None:
        write_atomic(self.path / f"{entry.id}.json", _json_bytes(entry))

    def message(self, entry: OutboxEntry) -> EmailMessage:
        return parse_message((self.path / f"{entry.id}.eml").read_bytes())

    def eml_path(self, entry: OutboxEntry) -> Path:
        return self.path / f"{entry.id}.eml"

    def remove(self, entry: OutboxEntry) -> None:
        # metadata first: an .eml without .json is not a waiting entry, the reverse would be
        try:
            self._unlink(self.path / f"{entry.id}.json", strict=True)
        except OSError as e:
            raise DeliveryError(
                f"{self.path}: cannot remove {entry.id} from the outbox ({e.strerror}): "
                "it may be sent again; fix the folder's permissions"
            ) from None
        self._unlink(self.path / f"{entry.id}.eml")

    @staticmethod
    def _unlink(path: Path, strict: bool = False) -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError:
            if strict:
                raise

    def move_aside(self, entry: OutboxEntry | Broken, reason: str) -> Path:
        """Move an entry that can never be sent as it is to failed/, with its reason; return where its
        message now is. Raises DeliveryError when the files cannot be moved (it then stays here)."""
        entry_id = entry.id
        failed = self.failed_path
        eml, meta = self.path / f"{entry_id}.eml", self.path / f"{entry_id}.json"
        damaged = False
        if isinstance(entry, Broken):
            try:
                entry = _entry_from_json(entry_id, meta.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                entry, damaged = OutboxEntry(id=entry_id, sender="", recipients=[]), meta.exists()
        entry.last_error, entry.failed = reason, datetime.now(UTC).isoformat(timespec="seconds")
        try:
            failed.mkdir(exist_ok=True)
            if eml.exists():
                os.replace(eml, failed / eml.name)
            if damaged:  # kept for a person to read, beside the reason
                os.replace(meta, failed / f"{meta.name}.damaged")
            write_atomic(failed / meta.name, _json_bytes(entry))
            self._unlink(meta, strict=True)
        except (OSError, OutputError) as e:
            raise DeliveryError(
                f"{self.path}: cannot move {entry_id} aside ({getattr(e, 'strerror', None) or e})"
            ) from None
        return failed / eml.name

    def scan(self) -> tuple[list[OutboxEntry], list[Broken]]:
        """Waiting entries, oldest first, and the entries that are not whole."""
        try:
            names = os.listdir(self.path)
        except (FileNotFoundError, NotADirectoryError):  # nothing queued yet (put() says why it cannot be)
            return [], []
        except OSError as e:
            raise DeliveryError(f"{self.path}: cannot read the outbox ({e.strerror})") from None
        metas = {n[:-5] for n in names if n.endswith(".json") and not n.startswith(".")}
        emls = {n[:-4] for n in names if n.endswith(".eml") and not n.startswith(".")}
        entries, broken = [], []
        for entry_id in sorted(metas | emls):
            if entry_id not in metas:
                broken.append(
                    Broken(
                        entry_id,
                        "a message file without its metadata (a run stopped while "
                        "queuing or removing it; it may have been sent)",
                    )
                )
                continue
            try:
                entry = _entry_from_json(entry_id, (self.path / f"{entry_id}.json").read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                broken.append(Broken(entry_id, f"damaged metadata in {entry_id}.json ({e})"))
                continue
            if entry_id not in emls:
                broken.append(Broken(entry_id, f"the message file {entry_id}.eml is missing"))
                continue
            entries.append(entry)
        return entries, broken

    def entries(self) -> list[OutboxEntry]:
        """Waiting entries, oldest first (the ones that are not whole are left out: see ``scan``)."""
        try:
            return self.scan()[0]
        except DeliveryError:
            return []

    def failed_entries(self) -> list[OutboxEntry]:
        """What was moved aside, oldest first; ``last_error`` says why."""
        try:
            names = sorted(n for n in os.listdir(self.failed_path) if n.endswith(".json"))
        except OSError:
            return []
        out = []
        for name in names:
            try:
                out.append(_entry_from_json(name[:-5], (self.failed_path / name).read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return out

    def __len__(self) -> int:
        return len(self.entries())
