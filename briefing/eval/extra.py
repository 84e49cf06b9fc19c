"""The ``eval`` extra: packages only the evaluation commands need (``pip install 'news-briefing[eval]'``).

The runtime (summarize, batch, digest, send) never imports them; an eval command that does checks for
them first, so a missing package is one line naming the extra, not a traceback halfway through a run.
"""

from __future__ import annotations

import importlib

from ..errors import UsageError

# import name -> distribution name (what pip installs)
EVAL_PACKAGES = {"rouge_score": "rouge-score", "dateparser": "dateparser", "sklearn": "scikit-learn"}


def require_eval_extra(command: str, *modules: str, otherwise: str = "") -> None:
    """Raise ``UsageError`` (exit 2) when one of ``modules`` cannot be imported; ``otherwise`` names a way
    to run the command without them."""
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(EVAL_PACKAGES.get(name, name))
    if missing:
        raise UsageError(
            f"'{command}' needs the eval extra ({', '.join(missing)} not installed): pip install 'news-briefing[eval]'"
            + (f" (or {otherwise})" if otherwise else "")
        )
