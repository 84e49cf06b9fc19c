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

Errors: ``MessageQueued`` (exit 75: kept in the outbox, the next run sends it),
``PermanentFailure``, ``RecipientsRefused`` — all ``DeliveryError``s with one-line messages.
Lower level: ``compose_message(...)``, ``deliver(msg, transport, outbox=..., retry=...)``,
the transports in ``transports.py``, ``Outbox``, ``Ledger``.
"""
from __future__ import annotations

from .compose import compose_for, subject_for
from .delivery import DeliveryReport, deliver, flush_outbox
from .errors import MessageQueued, PermanentFailure, RecipientsRefused, TemporaryFailure
from .ledger import Ledger, SentRecord, digest_key
from .message import Envelope, compose_message, envelope_of
from .outbox import Outbox, OutboxEntry
from .retry import RetryPolicy
from .send import already_sent, flush_waiting, send_message
from .settings import MailSettings

__all__ = [
    "DeliveryReport", "Envelope", "Ledger", "MailSettings", "MessageQueued", "Outbox", "OutboxEntry",
    "PermanentFailure", "RecipientsRefused", "RetryPolicy", "SentRecord", "TemporaryFailure",
    "already_sent", "compose_for", "compose_message", "deliver", "digest_key", "envelope_of",
    "flush_outbox", "flush_waiting", "send_message", "subject_for",
]
