"""Entry points at the level of MailSettings: what the summarize/digest/send commands call."""

from __future__ import annotations

import logging
from email.message import EmailMessage

from ..errors import BriefingError
from ..store import Ledger, SentRecord
from .delivery import DeliveryReport, deliver, flush_outbox
from .errors import MessageFailed, MessageQueued
from .outbox import Outbox
from .settings import MailSettings

log = logging.getLogger("briefing.deliver")


def already_sent(settings: MailSettings, key: str) -> SentRecord | None:
    """Was ``key`` sent before? (Check before building a digest you may not need.)"""
    return Ledger(settings.state_path()).was_sent(key)


def send_message(
    msg: EmailMessage,
    settings: MailSettings,
    *,
    key: str | None = None,
    resend: bool = False,
    flush: bool = True,
    sleep=None,
    on_queued=None,
) -> DeliveryReport:
    """Send ``msg`` as ``settings`` say; first send whatever earlier runs left in the outbox.

    ``key`` (e.g. ``digest_key(name, day)``) makes the send happen once: a second call with
    the same key returns a report with ``skipped=True`` unless ``resend``.
    Raises MessageQueued (kept in the outbox, exit 75) or PermanentFailure; a report with
    per-recipient refusals is returned (``report.raise_for_refused()`` turns it into an error).
    ``on_queued()`` runs once the message is safe in the outbox, before the first attempt
    (see ``delivery.deliver``); it does not run when the send is skipped.
    """
    import time

    transport = settings.make_transport()
    outbox = Outbox(settings.outbox_path())
    ledger = Ledger(settings.state_path()) if key else None
    sleep = sleep or time.sleep
    if flush:
        flush_waiting(settings, transport=transport, sleep=sleep)
    return deliver(
        msg,
        transport,
        outbox=outbox,
        retry=settings.retry_policy(),
        key=key,
        ledger=ledger,
        resend=resend,
        sleep=sleep,
        on_queued=on_queued,
    )


def waiting_entry(settings: MailSettings, key: str):
    """The outbox entry of ``key`` that is still waiting for some recipient, if any."""
    for entry in Outbox(settings.outbox_path()).entries():
        if entry.key == key and entry.recipients:
            return entry
    return None


def flush_waiting(settings: MailSettings, *, transport=None, sleep=None):
    """Send what waits in the outbox (one try each: a cron run must not hang on a dead server),
    and move aside what can never be sent as it is.

    Returns ``[(entry, report_or_error)]``; ``failures(results)`` are the ones to report."""
    import time

    outbox = Outbox(settings.outbox_path())
    if outbox.scan() == ([], []):  # nothing to do: no lock, no transport (no password needed)
        return []
    results = flush_outbox(
        transport or settings.make_transport(),
        outbox=outbox,
        ledger=Ledger(settings.state_path()),
        sleep=sleep or time.sleep,
    )
    for entry, result in results:
        if isinstance(result, Exception):
            log.warning("outbox %s: %s", entry.id, result)
        elif not result.skipped:
            log.info("outbox %s sent (%s)", entry.id, entry.message_id)
    return results


def failures(results) -> list[BriefingError]:
    """What a flush must report: messages moved aside or refused for good, settings to fix
    (one line each, exit 1); a message that still waits (MessageQueued) is not one of them."""
    out: list[BriefingError] = []
    for _, result in results:
        if isinstance(result, MessageQueued):
            continue
        if isinstance(result, BriefingError):
            out.append(result)
        elif isinstance(result, DeliveryReport):
            try:
                result.raise_for_refused()
            except BriefingError as e:
                out.append(e)
    return out


def moved_aside(results) -> int:
    """How many messages a flush moved to failed/ (whole, or the copy for recipients who refused it)."""
    return sum(1 for _, r in results if isinstance(r, MessageFailed) or getattr(r, "failed_path", None))
