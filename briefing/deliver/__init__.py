"""Email delivery: compose a briefing as multipart/alternative and send it so that it is
never lost (write-ahead outbox, retries with backoff) and never sent twice (a ledger of
dedupe keys -> Message-ID in the state database, plus an outbox lock).

The API the ``summarize`` and ``digest`` commands use::

    from briefing.deliver import MailSettings, compose_for, send_message, digest_key

    settings = MailSettings.from_config(config.get("email"), base=config_dir)  # [email] section
    settings = settings.merged(**mail)            # mail: the dict that @mail_options hands a command
    if settings.wants_mail:
        msg = compose_for(digest, settings, kind="digest")   # text + HTML (CSS inlined, sanitised)
        report = send_message(msg, settings, key=digest_key("morning", day), resend=resend)
        report.raise_for_refused()                # some recipients refused for good -> error

or, from a click command decorated with ``briefing.deliver.cli.mail_options``:
``email_objects([digest], mail, kind="digest", key=..., resend=...)``.

``send_message(..., on_queued=callback)`` calls back once the message is safe in the
outbox and before the first attempt (``briefing digest`` commits its run there: a
story is recorded as reported exactly when the mail carrying it can no longer be
lost); ``waiting_entry(settings, key)`` tells whether a copy under ``key`` still
waits. An outbox entry remembers its ledger's state database, so ``briefing send
--outbox`` records a digest where the digest will look for it.

Errors: ``MessageQueued`` (exit 75: kept in the outbox, the next run sends it),
``PermanentFailure`` (``MessageFailed``: moved aside to ``outbox/failed/``;
``SettingsFailure``: kept until the setting is fixed), ``RecipientsRefused`` — all
``DeliveryError``s with one-line messages. ``failures(flush_waiting(settings))`` are what a
flush has to report. Lower level: ``compose_message(...)``, ``deliver(msg, transport,
outbox=..., retry=...)``, the transports in ``transports.py``, ``Outbox``, ``Ledger`` (from
``briefing.store``, which owns the state database and its ``sent`` table).
"""

from __future__ import annotations

import importlib

# name -> submodule; loaded on first use so `briefing --help` never imports ssl, smtplib or email
_EXPORTS = {
    "compose_for": "compose",
    "subject_for": "compose",
    "DeliveryReport": "delivery",
    "deliver": "delivery",
    "flush_outbox": "delivery",
    "MessageFailed": "errors",
    "MessageQueued": "errors",
    "PermanentFailure": "errors",
    "RecipientsRefused": "errors",
    "SettingsFailure": "errors",
    "TemporaryFailure": "errors",
    "Ledger": ".store",  # the ledger lives in the one state database (briefing.store)
    "SentRecord": ".store",
    "digest_key": ".store",
    "Envelope": "message",
    "compose_message": "message",
    "envelope_of": "message",
    "Outbox": "outbox",
    "OutboxEntry": "outbox",
    "RetryPolicy": "retry",
    "already_sent": "send",
    "failures": "send",
    "flush_waiting": "send",
    "send_message": "send",
    "waiting_entry": "send",
    "MailSettings": "settings",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
