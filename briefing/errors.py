"""One error hierarchy. Every class carries a one-line message meant for users.

The CLI maps ``BriefingError`` to exit code 1 (``UsageError`` to 2) and prints
only the message: bad input never produces a traceback.
"""

from __future__ import annotations


class BriefingError(Exception):
    """Base of every error a user may see. ``str(err)`` is one line."""

    exit_code = 1

    def __str__(self) -> str:  # keep messages on one line whatever the cause was
        return " ".join(super().__str__().split())


class UsageError(BriefingError):
    """The command was called wrongly (bad option value, conflicting options)."""

    exit_code = 2


class InputError(BriefingError):
    """An input could not be read or is not an article (missing, binary, empty...)."""


class FetchError(InputError):
    """A URL could not be fetched (timeout, HTTP error, wrong content type, too large)."""


class FeedError(InputError):
    """A feed could not be parsed."""


class OutputError(BriefingError):
    """An output file could not be written (not a regular file, read-only, no space...)."""


class TemplateError(BriefingError):
    """A template could not be loaded or rendered."""


class DeliveryError(BriefingError):
    """A message could not be delivered."""


class StateError(BriefingError):
    """The state database could not be used (locked by another run, corrupt...)."""
