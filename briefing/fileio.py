"""Writing files safely: one atomic write for every output the tool makes.

Rules (the same for ``-o``, the digest archive, the outbox and maildirs):

- the data goes to a temporary file beside the target, is flushed to disk and renamed over the target,
  so a reader never sees half a file and a crash never leaves one;
- a new file gets the mode the umask allows (``0o666 & ~umask``), as ``cp`` or an editor would give it;
  an existing file keeps its mode;
- a symlink is followed: its target is replaced, the link stays (as ``cp`` and editors do);
- a path that is not a regular file (directory, FIFO, device, socket) is refused with one line, never
  replaced; ``-`` and ``/dev/stdout`` mean standard output and are handled by the caller;
- an existing file that we may not write, or whose owner write bit is off, is refused (we never
  replace a read-only file, even as root).

A long run that streams its output (``batch``) asks for ``keep_partial=True``: the temporary file is
then ``PATH.partial`` beside the target, and a run that fails, is interrupted or is killed leaves the
target as it was and ``PATH.partial`` holding everything written to it so far.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import OutputError

STDOUT_NAMES = frozenset({"-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})


def is_stdout(path: str | os.PathLike | None) -> bool:
    return path is None or os.fspath(path) in STDOUT_NAMES


def current_umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)  # pragma: no cover - not Linux
    os.umask(old)
    return old


def _strerror(e: OSError) -> str:
    return e.strerror or str(e)


def resolve_target(path: str | os.PathLike) -> tuple[Path, int | None]:
    """The file that will really be written (symlinks followed) and the mode to give it
    (None: a new file, mode from the umask). Refuses anything but a regular file."""
    shown = os.fspath(path)
    p = Path(path)
    try:
        real = Path(os.path.realpath(p)) if p.is_symlink() else p
    except OSError as e:  # pragma: no cover - symlink loops and the like
        raise OutputError(f"{shown}: cannot write ({_strerror(e)})") from None
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real, None
    except OSError as e:
        raise OutputError(f"{shown}: cannot write ({_strerror(e)})") from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{shown}: is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"{shown}: not a regular file (a FIFO, device or socket); refusing to replace it")
    # a file without its owner's write bit is read-only even for root: never replace it behind the user's back
    if not os.access(real, os.W_OK) or not st.st_mode & stat.S_IWUSR:
        raise OutputError(f"{shown}: permission denied (the file is read-only)")
    return real, stat.S_IMODE(st.st_mode)


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike,
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    make_parents: bool = True,
    keep_partial: bool = False,
) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on a clean exit it replaces ``path`` atomically, on an
    exception it is removed (kept as ``PATH.partial`` with ``keep_partial``) and ``path`` is
    untouched. Errors are ``OutputError`` with one line."""
    if mode not in ("w", "wb"):
        raise ValueError("atomic_open writes only: mode 'w' or 'wb'")
    shown = os.fspath(path)
    target, keep_mode = resolve_target(path)
    try:
        if make_parents:
            target.parent.mkdir(parents=True, exist_ok=True)
        if keep_partial:
            tmp = str(target.with_name(target.name + ".partial"))
            fd = _create_fresh(tmp)
        else:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent))
    except OSError as e:
        raise OutputError(f"{shown}: cannot write ({_strerror(e)})") from None
    try:
        fh = os.fdopen(fd, mode, encoding=None if "b" in mode else encoding)
    except BaseException:
        os.close(fd)
        _unlink(tmp)
        raise
    try:
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, keep_mode if keep_mode is not None else 0o666 & ~current_umask())
        os.replace(tmp, target)
    except OSError as e:
        if not keep_partial:
            _unlink(tmp)
        raise OutputError(f"{shown}: cannot write ({_strerror(e)})") from None
    except BaseException:
        if not keep_partial:
            _unlink(tmp)
        raise


def _create_fresh(path: str) -> int:
    """A new, empty file at ``path`` (a stale one from a killed run is replaced; a symlink there is
    removed, never followed), with the mode the umask allows."""
    with contextlib.suppress(FileNotFoundError):
        if not os.path.isdir(path) or os.path.islink(path):
            os.unlink(path)
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)


def write_atomic(path: str | os.PathLike, data: str | bytes, *, encoding: str = "utf-8") -> None:
    """Write ``data`` to ``path`` atomically (see the module's rules)."""
    with atomic_open(path, "wb" if isinstance(data, bytes) else "w", encoding=encoding) as fh:
        fh.write(data)


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


__all__ = ["atomic_open", "write_atomic", "resolve_target", "is_stdout", "current_umask", "STDOUT_NAMES"]
