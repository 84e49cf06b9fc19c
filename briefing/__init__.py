"""briefing: turn news articles into short, trustworthy briefs.

The public API (the CLI is a thin layer over it)::

    from briefing import read_source, build_brief, render
    article = read_source("article.html")
    brief = build_brief(article, BriefOptions(sentences=3))
    print(render(brief, "markdown"))
"""

from __future__ import annotations

from ._version import __version__

# Imported eagerly (it is light: Jinja2 loads on first use) because the submodule briefing.render
# would otherwise shadow the function of the same name once anything imported it.
from .render import render  # noqa: E402

__all__ = ["__version__", "read_source", "build_brief", "BriefOptions", "render", "BriefingError"]


def __getattr__(name: str):  # lazy, so `briefing --help` does not import the heavy parts
    if name == "read_source":
        from .sources import read_source

        return read_source
    if name in ("build_brief", "BriefOptions"):
        from . import brief

        return getattr(brief, name)
    if name == "BriefingError":
        from .errors import BriefingError

        return BriefingError
    raise AttributeError(name)
