"""Delivery errors, split by what the caller should do next.

``TemporaryFailure`` is worth retrying (connection refused, timeout, 4xx);
``PermanentFailure`` is not (5xx, bad configuration). ``MessageQueued`` is what a
user sees when retries ran out: the message is safe in the outbox, exit code 75
(EX_TEMPFAIL, the code cron wrappers and MTAs know) so scripts can tell
"queued, will go later" from "failed for good".
"""
from __future__ import annotations

from ..errors import DeliveryError


class TemporaryFailure(DeliveryError):
    """The transport may succeed later with the same message."""


class PermanentFailure(DeliveryError):
    """Trying again with the same message and settings will not help."""


class MessageQueued(DeliveryError):
    """Retries ran out; the message waits in the outbox for the next run."""

    exit_code = 75


class RecipientsRefused(DeliveryError):
    """Some recipients refused the message for good; the others got it."""
