"""Delivery errors, split by what the caller should do next.

``TemporaryFailure`` is worth retrying (connection refused, timeout, 4xx);
``PermanentFailure`` is not: the message, as it is, can never be sent (5xx to it, an
address no server can be named); the outbox moves it aside so it blocks nothing.
``SettingsFailure`` is permanent too but the fault is the setup (a wrong password, an
untrusted certificate, no STARTTLS, no sendmail program): every message would fail the
same way, so the message stays in the outbox until the setting is fixed.
``MessageQueued`` is what a user sees when retries ran out: the message is safe in the
outbox, exit code 75 (EX_TEMPFAIL, the code cron wrappers and MTAs know) so scripts can
tell "queued, will go later" from "failed for good". ``MessageFailed``: a message was
moved aside (``outbox/failed/``), exit 1.
"""

from __future__ import annotations

from ..errors import DeliveryError


class TemporaryFailure(DeliveryError):
    """The transport may succeed later with the same message.

    ``unreachable``: the server could not be reached or did not answer in time, so the
    messages behind this one would fail the same way (a flush of the outbox stops)."""

    def __init__(self, message: str = "", *, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable


class PermanentFailure(DeliveryError):
    """Trying again with the same message will not help."""


class SettingsFailure(PermanentFailure):
    """Trying again with the same settings will not help; any message would fail the same way."""


class MessageFailed(PermanentFailure):
    """A message that can never be sent as it is was moved aside (``outbox/failed/``)."""


class MessageQueued(DeliveryError):
    """Retries ran out; the message waits in the outbox for the next run."""

    exit_code = 75

    def __init__(self, message: str = "", *, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable


class OutboxBusy(DeliveryError):
    """Another run holds the outbox lock for too long: nothing was queued; try again later."""

    exit_code = 75


class RecipientsRefused(DeliveryError):
    """Some recipients refused the message for good; the others got it."""
