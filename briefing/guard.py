"""One article's failure stays that article's: an error boundary and a wall-clock bound per item.

``isolate(fn, name=..., timeout=...)`` runs one item's work and turns whatever goes wrong into a
``Failure`` for that item, so a batch or a list of sources goes on with the next one:

- a ``BriefingError`` (bad input) keeps its one-line message;
- an item that runs past ``timeout`` seconds becomes ``ArticleTimeout`` ("took longer than N s");
- any other exception is a bug of ours: "internal error: ValueError: ...", with the traceback kept
  for ``-v`` / ``BRIEFING_DEBUG=1``. ``KeyboardInterrupt`` and ``SystemExit`` still stop the run.

The bound is a ``SIGALRM`` timer in the process doing the analysis (the CLI's main thread, or a
batch worker process's main thread, where pool workers run their tasks). Python runs the handler
between bytecodes, so a single long C call (one NER batch) finishes before the article is stopped;
everything written in Python and every regular-expression search is interrupted on time. Where no
timer can be set (another thread, Windows) the work runs unbounded rather than failing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from .errors import BriefingError, InputError

# A 20 MB article is refused when read, and the analysis is meant to be linear in the text's length:
# a news article takes well under a second, the longest allowed one (1,000,000 characters) about
# half a minute on a slow core. Past a minute something is wrong with the article or with us.
DEFAULT_ARTICLE_TIMEOUT = 60.0
MAX_ARTICLE_TIMEOUT = 24 * 3600.0

# After the first alarm, re-raise this often until the boundary is left, in case code we call
# swallowed the first one (a bare ``except:`` in a library).
_REFIRE_SECONDS = 0.5

T = TypeVar("T")


class ArticleTimeout(InputError):
    """One article took longer than its wall-clock budget."""


class _Expired(BaseException):
    """Raised by the alarm handler. A BaseException, so ``except Exception`` in analysis code lets it
    through to the boundary that owns the timer."""

    def __init__(self, token: object) -> None:
        super().__init__("deadline")
        self.token = token


def _timer_available() -> bool:
    return hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()


class deadline:  # noqa: N801 - used like a function: ``with deadline(60, "a.txt"):``
    """Raise ``ArticleTimeout`` in the block if it runs longer than ``seconds`` of wall-clock time.

    Nests: an outer deadline's timer is put back, less the time the inner block used.
    """

    def __init__(self, seconds: float | None, name: str = "the article", *, limit: float | None = None) -> None:
        self.seconds = seconds
        self.name = name
        self.limit = limit or seconds  # what the message names: the whole budget, of which ``seconds`` is left
        self._token: object | None = None
        self._previous_handler: Any = None
        self._previous_timer = (0.0, 0.0)
        self._started = 0.0

    def __enter__(self) -> deadline:
        if not self.seconds or not _timer_available():
            return self
        token = object()
        self._token = token

        def on_alarm(signum, frame):
            if self._token is token:  # a late signal after the block was left is ignored
                signal.setitimer(signal.ITIMER_REAL, _REFIRE_SECONDS)
                raise _Expired(token)

        self._started = time.monotonic()
        self._previous_handler = signal.signal(signal.SIGALRM, on_alarm)
        self._previous_timer = signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, exc_type, exc, tb) -> Literal[False]:
        token = self._token
        if token is None:
            return False
        self.close()
        if isinstance(exc, _Expired) and exc.token is token:
            raise self.timeout_error() from None
        return False

    def timeout_error(self) -> ArticleTimeout:
        return timeout_error(self.name, self.limit)

    def close(self) -> None:
        """Stop the timer and put back what was there before; safe to call twice."""
        while True:
            try:
                self._disarm()
                return
            except _Expired:  # the alarm went off just as the block ended: finish disarming
                continue

    def _disarm(self) -> None:
        self._token = None
        signal.setitimer(signal.ITIMER_REAL, 0)
        if self._previous_handler is not None:
            signal.signal(signal.SIGALRM, self._previous_handler)
            self._previous_handler = None
        left, interval = self._previous_timer
        if left > 0:
            used = time.monotonic() - self._started
            signal.setitimer(signal.ITIMER_REAL, max(left - used, 1e-3), interval)
            self._previous_timer = (0.0, 0.0)


def timeout_error(name: str, limit: float | None) -> ArticleTimeout:
    return ArticleTimeout(f"{name}: took longer than {limit:g} s (the per-article limit, --article-timeout)")


@dataclass
class Failure:
    """Why one item produced no result."""

    message: str  # one line, ready for the user
    internal: bool = False  # a bug of ours, not bad input
    details: str | None = None  # the traceback of an internal error


def describe(exc: BaseException) -> str:
    """``ValueError: message`` on one line, of bounded length."""
    try:
        text = " ".join(str(exc).split())
    except Exception:  # noqa: BLE001 - an exception whose message itself fails must not break the boundary
        text = ""
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def debugging() -> bool:
    return os.environ.get("BRIEFING_DEBUG", "") not in ("", "0")


def isolate(
    fn: Callable[[], T], *, name: str, timeout: float | None = None, limit: float | None = None
) -> tuple[T | None, Failure | None]:
    """Run one item's work: (result, None), or (None, Failure) whatever went wrong inside it.
    ``timeout``: seconds left for it; ``limit``: its whole budget, as the message names it."""
    guard = deadline(timeout, name, limit=limit)
    try:
        with guard:
            return fn(), None
    except _Expired:  # the alarm arrived in the instant between the block's end and its exit
        guard.close()
        return None, Failure(str(guard.timeout_error()))
    except BriefingError as e:
        return None, Failure(str(e))
    except Exception as e:  # noqa: BLE001 - this is the boundary: a bug in one item must not stop the run
        return None, Failure(describe(e), internal=True, details=traceback.format_exc())


__all__ = [
    "ArticleTimeout",
    "DEFAULT_ARTICLE_TIMEOUT",
    "MAX_ARTICLE_TIMEOUT",
    "Failure",
    "deadline",
    "describe",
    "debugging",
    "isolate",
    "timeout_error",
]
