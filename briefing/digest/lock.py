"""One digest run at a time per state database.

An OS lock (``briefing.locking``: ``flock`` / ``LockFileEx``) on a file next to the database:
the kernel releases it when the process dies, so a crashed run never leaves a stale lock
behind for the next cron job to trip over. The holder writes its pid in the file, so the run
that finds the lock taken can say who holds it.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import StateError
from ..locking import FileLock


class LockHeld(StateError):
    """Another run holds the lock. Cron can tell this apart from a failure by its exit code."""

    exit_code = 75  # EX_TEMPFAIL: try again later


class RunLock:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = FileLock(self.path)

    def acquire(self) -> RunLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            got = self._lock.acquire(timeout=0)
        except OSError as e:
            raise StateError(f"{self.path}: cannot lock ({e.strerror or e})") from None
        if not got:
            pid = self._lock.read(32).strip()
            holder = f" (pid {pid})" if pid.isdigit() else ""
            raise LockHeld(f"another digest run is in progress{holder} (lock {self.path})")
        try:
            self._lock.write(f"{os.getpid()}\n")
        except OSError:
            pass  # who holds it is only for the message of the run that waits
        return self

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_path_for(state_path: str | os.PathLike) -> Path:
    p = Path(state_path)
    return p.with_name(p.name + ".lock")
