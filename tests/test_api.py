"""The Python API as the README shows it."""

from __future__ import annotations

from conftest import SAMPLES


def test_readme_api_example():
    import briefing.render  # noqa: F401 - importing the submodule first must not shadow the function
    from briefing import BriefOptions, build_brief, read_source, render

    article = read_source(str(SAMPLES / "harbour-bridge.html"))
    brief = build_brief(article, BriefOptions(sentences=2))
    out = render(brief, "markdown")
    assert out.startswith("# Harbour bridge to close for six months of repairs")
    assert len(brief.summary) == 2
