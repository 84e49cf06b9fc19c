"""The version of briefing, in one place: pyproject.toml reads it (``[tool.setuptools.dynamic]``), the
CLI's ``--version``, the HTTP User-Agent and the Dask run metadata import it from here."""

__version__ = "0.1.0"
