"""The Python API as the README shows it."""

from __future__ import annotations

import pytest
from conftest import SAMPLES


@pytest.mark.slow
def test_readme_api_example():
    import briefing.render  # noqa: F401 - importing the submodule first must not shadow the function
    from briefing import BriefOptions, build_brief, read_source, render

    article = read_source(str(SAMPLES / "harbour-bridge.html"))
    brief = build_brief(article, BriefOptions(sentences=2))
    out = render(brief, "markdown")
    assert out.startswith("# Harbour bridge to close for six months of repairs")
    assert len(brief.summary) == 2


def test_every_public_name_exists_and_is_documented():
    import inspect

    import briefing

    assert briefing.__all__, "the package names its public API"
    for name in briefing.__all__:
        obj = getattr(briefing, name)  # AttributeError: a name in __all__ that does not exist
        if name == "__version__":
            continue  # a string, checked below
        # the object's own docstring: not one inherited from a base class, not the signature a
        # dataclass writes when it has none
        doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else obj.__doc__
        assert doc and doc.strip(), f"briefing.{name} has no docstring"
        assert not doc.startswith(f"{obj.__name__}("), f"briefing.{name} has only the dataclass's generated docstring"


def test_version_is_written_once():
    import re
    import tomllib
    from pathlib import Path

    import briefing
    from briefing import _version

    assert briefing.__version__ is _version.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]|rc)?\d*(\.dev\d+)?", briefing.__version__)
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"], "pyproject.toml must not write the version a second time"
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "briefing._version.__version__"}
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["briefing"]
    assert (Path(briefing.__file__).parent / "py.typed").is_file()
