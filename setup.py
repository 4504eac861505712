"""Build hook: put the files ``toolkit run`` and ``toolkit example`` need into the wheel.

The briefing notebook, the worked example's params root and its small data tables
live where the project keeps them (``notebooks/``, ``params/``, ``data/sample/``);
a built wheel carries copies under ``toolkit/_shipped/`` with the same relative
paths, where :mod:`toolkit.resources` finds them. An editable install reads the
originals, so nothing is copied for it. Everything else is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = [
    "notebooks/briefing.ipynb",
    "params",
    "data/sample/population.csv",
    "data/sample/rec-crime-pfa.csv",
    "data/sample/README.md",
]


class BuildWithShippedFiles(build_py):
    """``build_py`` that also copies :data:`SHIPPED` into ``toolkit/_shipped``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "toolkit" / "_shipped"
        for relative in SHIPPED:
            source, dest = here / relative, target / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, dest)


setup(cmdclass={"build_py": BuildWithShippedFiles})
