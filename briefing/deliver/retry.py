"""How long to keep trying a temporary failure before leaving the message in the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all, waiting ``backoff`` seconds, then ``backoff * factor``, ...

    Exponential backoff gives a briefly overloaded server (a 421 "try again later")
    room to recover without holding a cron job for long; ``max_delay`` caps each wait.
    Tests use ``backoff=0`` or a few milliseconds.
    """

    attempts: int = 3
    backoff: float = 5.0
    factor: float = 2.0
    max_delay: float = 120.0

    def __post_init__(self):
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.backoff < 0 or self.factor < 1:
            raise ValueError("backoff must be >= 0 and factor >= 1")

    def delays(self) -> Iterator[float]:
        """The waits between attempts (``attempts - 1`` of them)."""
        delay = self.backoff
        for _ in range(self.attempts - 1):
            yield min(delay, self.max_delay)
            delay *= self.factor
