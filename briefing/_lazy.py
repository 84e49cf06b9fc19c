"""Commands that live in their own modules, imported only when used (so `briefing --help` is instant)."""

from __future__ import annotations

import importlib


def load(target: str):
    """Return the object named by ``"package.module:attribute"``.

    Import errors are not hidden: a command that cannot be imported is a bug to
    see, not a command to silently drop from the CLI.
    """
    module, attr = target.split(":")
    return getattr(importlib.import_module(module), attr)
