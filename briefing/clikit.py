"""Helpers that every command module shares (``briefing.cli`` and the commands in their own
modules, such as ``briefing.digest.cli``). This module imports no command module, so each of
them can import it without a circle."""

from __future__ import annotations

import click


def write_output(output: str, text: str) -> None:
    """Write to stdout or atomically to a file (a crash never leaves half a file)."""
    from .fileio import is_stdout

    if is_stdout(output):
        click.echo(text, nl=False)
        return
    from .fileio import write_atomic

    write_atomic(output, text)
