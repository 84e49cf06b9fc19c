"""One file-lock helper for the whole tool (the digest's run lock, the outbox's send lock).

An OS lock on an open file, through ``filelock``'s descriptor API: ``flock`` on Linux and
macOS, ``LockFileEx`` on Windows. The kernel releases it when the process dies, so a crashed
run never leaves a stale lock behind for the next cron job to trip over. The lock belongs to
the open file, not the process: two ``FileLock`` objects on one path exclude each other even
in one process (two threads, two runs in one test).
"""

from __future__ import annotations

import os
import time
from pathlib import Path


class FileLock:
    """``acquire()`` returns False when another holder keeps the lock past ``timeout`` seconds;
    it raises OSError when the file cannot be opened or locked at all."""

    def __init__(self, path: str | os.PathLike, *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only  # an existing lock file we may not write still locks
        self.fd: int | None = None

    def acquire(self, timeout: float = 0.0, poll: float = 0.1) -> bool:
        from filelock import lock_descriptor

        if self.fd is not None:
            raise RuntimeError(f"{self.path}: already locked by this object")
        flags = (os.O_RDONLY if self.read_only else os.O_RDWR) | os.O_CREAT | getattr(os, "O_BINARY", 0)
        fd = os.open(self.path, flags, 0o666 if self.read_only else 0o644)
        deadline = time.monotonic() + timeout
        try:
            while not lock_descriptor(fd, blocking=False):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(poll)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        return True

    def release(self) -> None:
        from filelock import unlock_descriptor

        fd, self.fd = self.fd, None
        if fd is None:
            return
        try:
            unlock_descriptor(fd)
        except OSError:
            pass  # closing the descriptor releases it anyway
        finally:
            os.close(fd)

    def read(self, size: int = 64) -> str:
        """What the lock file says (e.g. the holder's pid), or "" when it cannot be read: on Windows a
        locked byte cannot be read by anyone else."""
        try:
            with open(self.path, "rb") as fh:
                return fh.read(size).decode("ascii", "replace")
        except OSError:
            return ""

    def write(self, text: str) -> None:
        """Replace the lock file's content while holding the lock (the file itself stays)."""
        if self.fd is None or self.read_only:
            raise RuntimeError(f"{self.path}: not locked for writing")
        data = text.encode()
        os.ftruncate(self.fd, 0)
        if hasattr(os, "pwrite"):
            os.pwrite(self.fd, data, 0)
        else:  # pragma: no cover - Windows
            os.lseek(self.fd, 0, os.SEEK_SET)
            os.write(self.fd, data)
