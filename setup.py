"""Only here to ship templates/ (the source of truth, at the top of the repository) inside the
wheel as briefing/templates, so a non-editable `pip install .` renders too. Everything else is
in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithTemplates(build_py):
    def run(self):
        super().run()
        src = Path(__file__).resolve().parent / "templates"
        dst = Path(self.build_lib) / "briefing" / "templates"
        shutil.copytree(src, dst, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithTemplates})
