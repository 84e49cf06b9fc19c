"""What a long run shows on stderr: a progress bar on a terminal, the errors under ``-v``, a last line
with the counts. Presentation only: the counting is of ``briefing.batch.Item`` results."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Tally:
    """What the run produced so far."""

    def __init__(self) -> None:
        self.articles = self.errors = self.internal = 0
        self.finished = False
        self.start = time.monotonic()

    def add(self, items) -> list:
        """Count ``items``; return the failed ones."""
        failed = []
        for item in items:
            self.articles += 1
            if item.error is not None:
                self.errors += 1
                self.internal += item.internal
                failed.append(item)
        return failed

    def summary(self) -> str:
        internal = f" ({self.internal} internal: a bug, -v shows where)" if self.internal else ""
        return (
            f"{plural(self.articles, 'article')}, {plural(self.errors, 'error')}{internal}, "
            f"{time.monotonic() - self.start:.1f} s"
        )


class ProgressBar:
    """One line redrawn in place, at most five times a second; a percentage when the total is known."""

    WIDTH = 30

    def __init__(self, total: int | None, *, enabled: bool, stream: TextIO | None = None) -> None:
        self.total = total
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.last = 0.0
        self.shown = False

    def update(self, tally: Tally, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < 0.2):
            return
        self.last = now
        done = tally.articles
        counts = f"{plural(done, 'article')}, {plural(tally.errors, 'error')}, {now - tally.start:.0f} s"
        if self.total:
            total = max(self.total, done)
            filled = self.WIDTH * done // total
            line = f"briefing  [{'#' * filled}{'-' * (self.WIDTH - filled)}]  {100 * done // total:3d}%  {counts}"
        else:
            line = f"briefing  {counts}"
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Make room for a message; the next update draws the bar again below it."""
        if self.enabled and self.shown:
            self.stream.write("\r\x1b[K")
            self.shown = False

    def close(self, tally: Tally) -> None:
        if not self.enabled:
            return
        if self.total is not None:
            self.total = tally.articles  # blank lines were counted too; the run is complete
        self.update(tally, force=True)
        self.stream.write("\n")
        self.stream.flush()


__all__ = ["ProgressBar", "Tally", "plural"]
