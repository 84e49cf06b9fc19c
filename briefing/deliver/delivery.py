"""deliver(): send one message so that it is never lost and never sent twice.

1. If ``key`` was already sent (ledger), do nothing unless ``resend``.
2. Write the message to the outbox (write-ahead), then call ``on_queued`` if given: the
   caller's chance to record its own state once the message is safe and before anything
   could reach a recipient (``briefing digest`` commits its run there). If it raises, the
   entry is removed and nothing is sent.
3. Try the transport; 5xx refusals are recorded per recipient, 4xx refusals and
   temporary failures are retried, with backoff, for the recipients still waiting.
4. Once nobody is waiting: record ``key`` in the ledger, remove the outbox entry.
   If retries ran out: the entry stays, ``MessageQueued`` is raised (exit 75) and
   the next run, or ``briefing send --outbox``, sends it.

All of it runs under the outbox lock, so two overlapping runs cannot both send.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Callable

from .errors import MessageQueued, PermanentFailure, RecipientsRefused, TemporaryFailure
from .ledger import Ledger, SentLog
from .message import Envelope, envelope_of
from .outbox import Outbox, OutboxEntry
from .retry import RetryPolicy
from .transports import Transport

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

    @property
    def ok(self) -> bool:
        return not self.refused

    def raise_for_refused(self) -> None:
        """Some recipients refused for good: one line naming each (the others did get it)."""
        if self.refused:
            who = "; ".join(f"{r} ({reply})" for r, (_, reply) in self.refused.items())
            got = f"delivered to {len(self.delivered)}, " if self.delivered else ""
            raise RecipientsRefused(f"{got}refused for good: {who}")


def deliver(msg: EmailMessage, transport: Transport, *, outbox: Outbox,
            retry: RetryPolicy = RetryPolicy(), key: str | None = None, ledger: SentLog | None = None,
            resend: bool = False, envelope: Envelope | None = None,
            sleep: Callable[[float], None] = time.sleep,
            on_queued: Callable[[], None] | None = None) -> DeliveryReport:
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


def flush_outbox(transport: Transport, *, outbox: Outbox, retry: RetryPolicy = RetryPolicy(attempts=1),
                 ledger: SentLog | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> list[tuple[OutboxEntry, DeliveryReport | Exception]]:
    """Send what waits in the outbox, oldest first. Stops at the first temporary failure:
    when the server is down, the rest would fail the same way.

    An entry that names its own ledger (a digest's state database) is checked against and
    recorded in that one; ``ledger`` serves the others."""
    results: list[tuple[OutboxEntry, DeliveryReport | Exception]] = []
    with outbox.lock():
        for entry in outbox.entries():
            ledger_here = Ledger(entry.ledger) if entry.ledger else ledger
            if entry.key and ledger_here is not None and ledger_here.was_sent(entry.key) and not entry.delivered:
                log.info("outbox %s: %s was already sent; dropping the waiting copy", entry.id, entry.key)
                outbox.remove(entry)
                results.append((entry, DeliveryReport(entry.message_id, skipped=True)))
                continue
            try:
                report = _attempt(outbox.message(entry), entry, transport, outbox, retry, ledger_here, sleep)
            except MessageQueued as e:
                results.append((entry, e))
                break
            except PermanentFailure as e:
                results.append((entry, e))
                continue
            results.append((entry, report))
    return results


def _attempt(msg: EmailMessage, entry: OutboxEntry, transport: Transport, outbox: Outbox,
             retry: RetryPolicy, ledger: SentLog | None, sleep) -> DeliveryReport:
    report = DeliveryReport(entry.message_id, delivered=list(entry.delivered),
                            refused={r: tuple(v) for r, v in entry.refused.items()})
    delays = retry.delays()
    while True:
        entry.attempts += 1
        report.attempts += 1
        waiting = list(entry.recipients)
        try:
            refused = transport.send(msg, Envelope(entry.sender, waiting))
            error = None
        except TemporaryFailure as e:
            refused, error = None, e
        except PermanentFailure as e:
            entry.last_error = str(e)
            outbox.save(entry)
            raise PermanentFailure(f"{e} (message kept in the outbox: {outbox.eml_path(entry)})") from None
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
        outbox.save(entry)
        delay = next(delays, None)
        if delay is None:
            raise MessageQueued(f"not sent after {entry.attempts} attempt(s): {error}; kept in the outbox "
                                f"({outbox.eml_path(entry)}), `briefing send --outbox` or the next run sends it")
        log.warning("temporary failure (%s); trying again in %gs", error, delay)
        sleep(delay)
    # Recorded above before the entry is forgotten: the reverse order could, after a crash,
    # leave no trace of the send and send again.
    outbox.remove(entry)
    return report
