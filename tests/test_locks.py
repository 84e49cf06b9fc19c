"""One lock helper (``briefing.locking``) under the digest's run lock and the outbox's send lock:
held by another process, it says who holds it (run lock) or waits then gives up (outbox); a
holder that dies frees it. Real processes, real files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.deliver.errors import OutboxBusy
from briefing.deliver.outbox import Outbox
from briefing.digest.lock import LockHeld, RunLock
from briefing.locking import FileLock

REPO = Path(__file__).resolve().parents[1]

HOLD = """
import sys, time
from briefing.locking import FileLock
from briefing.digest.lock import RunLock
kind, path = sys.argv[1], sys.argv[2]
if kind == "run":
    lock = RunLock(path).acquire()
else:
    lock = FileLock(path, read_only=True)
    assert lock.acquire()
print("held", flush=True)
sys.stdin.readline()  # hold until told (or killed)
lock.release()
print("released", flush=True)
time.sleep(30)
"""


def hold(kind: str, path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, kind, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)


def test_a_run_lock_held_by_another_process_names_its_pid_and_dies_with_it(tmp_path):
    path = tmp_path / "state.sqlite.lock"
    proc = hold("run", path)
    try:
        with pytest.raises(LockHeld) as err:
            RunLock(path).acquire()
        assert err.value.exit_code == 75
        assert f"another digest run is in progress (pid {proc.pid})" in str(err.value)
        os.kill(proc.pid, signal.SIGKILL)  # a crashed run: the kernel frees its lock, no stale file to trip over
        proc.wait(10)
        with RunLock(path):
            assert path.read_text().strip() == str(os.getpid())
    finally:
        stop(proc)


def test_the_outbox_lock_waits_for_another_process_then_gives_up_or_gets_it(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    outbox.path.mkdir()
    proc = hold("outbox", outbox.path / ".lock")
    try:
        t0 = time.monotonic()
        with pytest.raises(OutboxBusy) as err:
            with outbox.lock(timeout=0.5):
                pass
        assert time.monotonic() - t0 >= 0.45 and "another briefing run is sending" in str(err.value)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "released"
        with outbox.lock(timeout=5) as locked:  # the holder let go: we get it
            assert locked is outbox
    finally:
        stop(proc)


def test_two_locks_on_one_file_exclude_each_other_in_one_process(tmp_path):
    a, b = FileLock(tmp_path / "x.lock"), FileLock(tmp_path / "x.lock")
    assert a.acquire()
    assert not b.acquire(timeout=0.2)
    a.release()
    assert b.acquire()
    b.release()


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root may write any file")
def test_a_read_only_outbox_lock_file_still_locks(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    outbox.path.mkdir()
    (outbox.path / ".lock").touch()
    (outbox.path / ".lock").chmod(0o444)
    with outbox.lock(timeout=1):
        with pytest.raises(OutboxBusy):
            with outbox.lock(timeout=0.2):
                pass
