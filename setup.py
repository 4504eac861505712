"""Build hook: put the files ``toolkit run`` and ``toolkit example`` need into the wheel.

The briefing notebook, the worked example's params root and its small data tables
live where the project keeps them (``notebooks/``, ``params/``, ``data/sample/``);
a built wheel carries copies under ``toolkit/_shipped/`` with the same relative
paths, where :mod:`toolkit.files.resources` finds them. An editable install reads the
originals, so nothing is copied for it. Everything else is in ``pyproject.toml``.

The example's data.police.uk street-level files (63 MB) go in compactly, as
``data/sample/police-uk.zip``: the same ``YYYY-MM/YYYY-MM-<force>-street.csv`` layout
and rows, with only the columns the toolkit reads (``Crime ID``, ``Month``, ``Crime
type``), deflated. ``toolkit example`` extracts it, and the toolkit's ordinary
data.police.uk reader, with all its checks, reads the files; every figure is the same
as from the full files (``tests/test_packaging.py`` compares them). The zip is made
here, from ``data/sample/police-uk``, reproducibly (fixed member times, sorted names).
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

SHIPPED = [
    "notebooks/briefing.ipynb",
    "params",
    "data/sample/population.csv",
    "data/sample/rec-crime-pfa.csv",
    "data/sample/README.md",
]

POLICE_UK = "data/sample/police-uk"
POLICE_UK_ZIP = "data/sample/police-uk.zip"
# The columns of a street-level file the toolkit reads (toolkit.performance.policeuk_parse).
STREET_COLUMNS = ("Crime ID", "Month", "Crime type")
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def compact_street_files(source: Path, dest: Path) -> None:
    """Write the street-level files under ``source`` into the zip ``dest``, keeping only
    :data:`STREET_COLUMNS` of each, every row in its order, in the download's layout."""
    files = sorted(source.glob("*/*-street.csv"))
    if not files:
        raise SystemExit(f"setup.py: no street-level files under {source}")
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        for path in files:
            out = io.StringIO(newline="")
            writer = csv.writer(out, lineterminator="\n")
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                header = [name.strip() for name in next(reader)]
                picks = [header.index(name) for name in STREET_COLUMNS]
                writer.writerow(STREET_COLUMNS)
                for row in reader:
                    writer.writerow([row[i] for i in picks])
            info = zipfile.ZipInfo(f"{path.parent.name}/{path.name}", _FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zipped.writestr(info, out.getvalue().encode("utf-8"), compresslevel=9)


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
        compact = target / POLICE_UK_ZIP
        packed = here / POLICE_UK_ZIP  # an sdist carries the zip, not the 63 MB of files
        if (here / POLICE_UK).is_dir():
            compact_street_files(here / POLICE_UK, compact)
        elif packed.is_file():
            shutil.copy2(packed, compact)
        else:
            raise SystemExit(f"setup.py: neither {POLICE_UK} nor {POLICE_UK_ZIP} to ship")


class SdistWithCompactStreetFiles(sdist):
    """``sdist`` that carries :data:`POLICE_UK_ZIP` in place of the 63 MB of street files."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        here = Path(__file__).resolve().parent
        dest = Path(base_dir) / POLICE_UK_ZIP
        dest.parent.mkdir(parents=True, exist_ok=True)
        compact_street_files(here / POLICE_UK, dest)


setup(cmdclass={"build_py": BuildWithShippedFiles, "sdist": SdistWithCompactStreetFiles})
