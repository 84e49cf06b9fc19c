"""deliver(): send one message so that it is never lost and never sent twice.

1. If ``key`` was already sent (ledger), do nothing unless ``resend``.
2. Write the message to the outbox (write-ahead), then call ``on_queued`` if given: the
   caller's chance to record its own state once the message is safe and before anything
   could reach a recipient (``briefing digest`` commits its run there). If it raises, the
   entry is removed and nothing is sent.
3. Try the transport; 5xx refusals are recorded per recipient, 4xx refusals and
   temporary failures are retried, with backoff, for the recipients still waiting.
4. Once nobody is waiting: record ``key`` in the ledger, remove the outbox entry
   (or, if some recipients refused it for good, move it to ``failed/`` naming them).
   If retries ran out: the entry stays, ``MessageQueued`` is raised (exit 75) and
   the next run, or ``briefing send --outbox``, sends it.

Whatever goes wrong while one entry is being sent is that entry's failure, never the
run's (``transports.classify``): a message that can never be sent as it is is moved
to ``failed/`` (``MessageFailed``, exit 1) and blocks nothing; a failure of the setup
(``SettingsFailure``) keeps it, for when the setting is fixed.

All of it runs under the outbox lock, so two overlapping runs cannot both send.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from ..errors import BriefingError, DeliveryError
from ..store import Ledger, SentLog
from .errors import MessageFailed, MessageQueued, PermanentFailure, RecipientsRefused, SettingsFailure, TemporaryFailure
from .message import Envelope, envelope_of
from .outbox import Broken, Outbox, OutboxEntry
from .retry import RetryPolicy
from .transports import Transport, classify

log = logging.getLogger("briefing.deliver")
log.addHandler(logging.NullHandler())  # silent unless a command turns logging on (-v): cron mails stderr


@dataclass
class DeliveryReport:
    message_id: str
    delivered: list[str] = field(default_factory=list)
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)  # permanent, per recipient
    attempts: int = 0
    skipped: bool = False  # already sent under this key
    previous_message_id: str | None = None
    failed_path: str | None = None  # where the copy for the refused recipients was moved aside

    @property
    def ok(self) -> bool:
        return not self.refused

    def raise_for_refused(self) -> None:
        """Some recipients refused for good: one line naming each (the others did get it)."""
        if self.refused:
            who = "; ".join(f"{r} ({reply})" for r, (_, reply) in self.refused.items())
            got = f"delivered to {len(self.delivered)}, " if self.delivered else ""
            aside = f"; moved aside to {self.failed_path}" if self.failed_path else ""
            raise RecipientsRefused(f"{got}refused for good: {who}{aside}")


def deliver(
    msg: EmailMessage,
    transport: Transport,
    *,
    outbox: Outbox,
    retry: RetryPolicy = RetryPolicy(),
    key: str | None = None,
    ledger: SentLog | None = None,
    resend: bool = False,
    envelope: Envelope | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_queued: Callable[[], None] | None = None,
) -> DeliveryReport:
    """Send ``msg`` (see the module docstring). Raises MessageQueued or PermanentFailure."""
    envelope = envelope or envelope_of(msg)
    mid = str(msg.get("Message-ID", ""))
    with outbox.lock():
        if key and ledger is not None and not resend:
            earlier = ledger.was_sent(key)
            if earlier:
                log.info("%s was already sent (Message-ID %s); not sending again", key, earlier.message_id)
                return DeliveryReport(mid, skipped=True, previous_message_id=earlier.message_id)
        if key:
            # An older copy of the same briefing still waiting would be a second send: the new one replaces it.
            for old in outbox.entries():
                if old.key == key and not old.delivered:
                    outbox.remove(old)
        entry = outbox.put(msg, envelope, key=key, ledger=getattr(ledger, "path", None))
        if on_queued is not None:
            try:
                on_queued()
            except BaseException:
                outbox.remove(entry)
                raise
        return _attempt(msg, entry, transport, outbox, retry, ledger, sleep)


def flush_outbox(
    transport: Transport,
    *,
    outbox: Outbox,
    retry: RetryPolicy = RetryPolicy(attempts=1),
    ledger: SentLog | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[tuple[OutboxEntry, DeliveryReport | Exception]]:
    """Send what waits in the outbox, oldest first; move aside what can never be sent as it is.

    One entry's failure never stops the others, except when the server cannot be reached (or
    a setting is wrong): then the rest would fail the same way, and they wait for the next run.
    An entry that names its own ledger (a digest's state database) is checked against and
    recorded in that one; ``ledger`` serves the others."""
    results: list[tuple[OutboxEntry, DeliveryReport | Exception]] = []
    with outbox.lock():
        entries, broken = outbox.scan()
        for b in broken:
            results.append((OutboxEntry(id=b.id, sender="", recipients=[]), _moved_aside(outbox, b, b.reason)))
        for entry in entries:
            try:
                results.append((entry, _flush_one(entry, transport, outbox, retry, ledger, sleep)))
            except (MessageQueued, SettingsFailure) as e:
                results.append((entry, e))
                if isinstance(e, SettingsFailure) or e.unreachable:
                    break
            except BriefingError as e:  # the entry's own ledger, a file of its own: its failure alone
                results.append((entry, e))
            except Exception as e:  # noqa: BLE001 - one entry's trouble is never the whole flush's
                results.append((entry, classify(e)))
    return results


def _flush_one(
    entry: OutboxEntry, transport: Transport, outbox: Outbox, retry: RetryPolicy, ledger: SentLog | None, sleep
) -> DeliveryReport:
    ledger_here = Ledger(entry.ledger) if entry.ledger else ledger
    if entry.key and ledger_here is not None and ledger_here.was_sent(entry.key) and not entry.delivered:
        log.info("outbox %s: %s was already sent; dropping the waiting copy", entry.id, entry.key)
        outbox.remove(entry)
        return DeliveryReport(entry.message_id, skipped=True)
    try:
        msg = outbox.message(entry)
    except OSError as e:
        raise _moved_aside(outbox, entry, f"cannot read its message file ({e.strerror})") from None
    return _attempt(msg, entry, transport, outbox, retry, ledger_here, sleep)


def _moved_aside(outbox: Outbox, entry: OutboxEntry | Broken, reason: str) -> DeliveryError:
    """Move ``entry`` to failed/ -> the one-line error that says so (or why it could not be moved)."""
    try:
        where = outbox.move_aside(entry, reason)
    except DeliveryError as e:
        log.warning("outbox %s: %s", entry.id, e)
        return PermanentFailure(f"outbox {entry.id}: {reason}; {e}")
    return MessageFailed(f"not sent, for good: {reason}; moved aside to {where}")


def _save(outbox: Outbox, entry: OutboxEntry) -> None:
    """Record an attempt. When even that fails (a full disk), the entry as it was still waits:
    the error the caller is about to raise matters more."""
    try:
        outbox.save(entry)
    except BriefingError as e:
        log.warning("outbox %s: cannot record the attempt: %s", entry.id, e)


def _attempt(
    msg: EmailMessage,
    entry: OutboxEntry,
    transport: Transport,
    outbox: Outbox,
    retry: RetryPolicy,
    ledger: SentLog | None,
    sleep,
) -> DeliveryReport:
    report = DeliveryReport(
        entry.message_id, delivered=list(entry.delivered), refused={r: tuple(v) for r, v in entry.refused.items()}
    )
    delays = retry.delays()
    while True:
        entry.attempts += 1
        report.attempts += 1
        waiting = list(entry.recipients)
        try:
            refused = transport.send(msg, Envelope(entry.sender, waiting))
            error = None
        except Exception as e:  # noqa: BLE001 - whatever this one message meets is its failure, not the run's
            failure = classify(e)
            if isinstance(failure, SettingsFailure):
                entry.last_error = str(failure)
                _save(outbox, entry)
                raise SettingsFailure(f"{failure} (message kept in the outbox: {outbox.eml_path(entry)})") from None
            if isinstance(failure, PermanentFailure):
                raise _moved_aside(outbox, entry, str(failure)) from None
            refused, error = None, failure
        if refused is not None:
            deferred = {r: v for r, v in refused.items() if 400 <= v[0] < 500}
            for r in waiting:
                if r in refused and r not in deferred:
                    report.refused[r] = refused[r]
                elif r not in refused:
                    report.delivered.append(r)
            entry.recipients = list(deferred)
            newly = len(report.delivered) > len(entry.delivered)
            entry.delivered = list(report.delivered)
            entry.refused = {r: list(v) for r, v in report.refused.items()}
            if newly and entry.key and ledger is not None:
                # Recorded as soon as anyone has it: a re-run must not send it again to them
                # while the deferred recipients still wait in the outbox.
                ledger.record_sent(entry.key, entry.message_id, report.delivered)
            if not deferred:
                break
            error = TemporaryFailure("deferred: " + "; ".join(f"{r} ({v[1]})" for r, v in deferred.items()))
        entry.last_error = str(error)
        _save(outbox, entry)
        delay = next(delays, None)
        if delay is None:
            raise MessageQueued(
                f"not sent after {entry.attempts} attempt(s): {error}; kept in the outbox "
                f"({outbox.eml_path(entry)}), `briefing send --outbox` or the next run sends it",
                unreachable=getattr(error, "unreachable", False),
            )
        log.warning("temporary failure (%s); trying again in %gs", error, delay)
        sleep(delay)
    # Recorded above before the entry is forgotten: the reverse order could, after a crash,
    # leave no trace of the send and send again.
    _done(outbox, entry, report)
    return report


def _done(outbox: Outbox, entry: OutboxEntry, report: DeliveryReport) -> None:
    """Nobody is waiting any more: forget the entry, or, when some refused it for good, keep the
    copy for them in failed/ (their replies are its reason)."""
    if not entry.refused:
        outbox.remove(entry)
        return
    entry.recipients = list(entry.refused)
    reason = "refused for good: " + "; ".join(f"{r} ({v[1]})" for r, v in entry.refused.items())
    try:
        report.failed_path = str(outbox.move_aside(entry, reason))
    except DeliveryError as e:
        log.warning("outbox %s: %s", entry.id, e)
        outbox.remove(entry)
