"""One atomic write for every output: umask and existing modes honoured, symlinks followed, anything
that is not a regular file refused (never replaced)."""

from __future__ import annotations

import os
import stat

import pytest
from conftest import SAMPLE_TXT

from briefing.errors import OutputError
from briefing.fileio import atomic_open, write_atomic


def _mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_new_file_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.txt", "x")
        os.umask(0o077)
        write_atomic(tmp_path / "b.txt", "x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a.txt") == 0o644
    assert _mode(tmp_path / "b.txt") == 0o600


def test_existing_file_keeps_its_mode(tmp_path):
    p = tmp_path / "out.html"
    p.write_text("old")
    os.chmod(p, 0o640)
    write_atomic(p, "new")
    assert p.read_text() == "new" and _mode(p) == 0o640


def test_symlink_is_followed_and_kept(tmp_path):
    target = tmp_path / "real.md"
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_fifo_device_and_directory_are_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        write_atomic(fifo, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    with pytest.raises(OutputError, match="not a regular file"):
        write_atomic("/dev/null", "x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(OutputError, match="directory"):
        write_atomic(tmp_path, "x")


def test_read_only_file_is_refused(tmp_path):
    p = tmp_path / "ro.txt"
    p.write_text("keep")
    os.chmod(p, 0o444)
    with pytest.raises(OutputError, match="read-only"):
        write_atomic(p, "x")
    assert p.read_text() == "keep"


def test_failure_inside_leaves_the_old_file_and_no_temporary(tmp_path):
    p = tmp_path / "out.txt"
    p.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_open(p) as fh:
            fh.write("half")
            raise RuntimeError("boom")
    assert p.read_text() == "old"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out.txt"]


def test_cli_output_to_a_fifo_is_one_line_and_exit_1(tmp_path, main_run):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, out, err = main_run("summarize", SAMPLE_TXT, "--published", "2021-12-30", "-o", fifo)
    assert code == 1
    assert err.count("\n") == 1 and "not a regular file" in err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.slow
def test_cli_output_through_a_symlink_writes_the_target(tmp_path, main_run):
    target = tmp_path / "brief.md"
    target.write_text("")
    os.chmod(target, 0o644)
    link = tmp_path / "latest.md"
    link.symlink_to(target)
    code, _, _ = main_run("summarize", SAMPLE_TXT, "--published", "2021-12-30", "-o", link)
    assert code == 0 and link.is_symlink()
    assert target.read_text().startswith("# Biden, Putin") and _mode(target) == 0o644
