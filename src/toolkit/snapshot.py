"""A run's own copy of the params root, taken once at its start.

``toolkit run`` runs many briefings over minutes; an analyst may save ``force.yaml``
or an update file meanwhile. Each briefing must describe the params as they were when
the run started, and the manifest must hash exactly what the briefings read. So the
run copies the params files (``force.yaml``, ``reports/``, ``updates/``, each report's
letter as sent (``response.file``) and the force's template folder) into a private
folder, validates that copy and runs every briefing on it.

The copy records where it came from in :data:`ORIGIN_FILE`; paths inside params
files (``data:``) are resolved against that original root
(:attr:`toolkit.params.Params.base`), so data is read where it is, not copied.
A params file, letter or template folder whose real path lies outside the root (it is,
or passes through, a symlink leading out: :func:`toolkit.containment.inside`) is not
copied: the copy holds a link to where it leads instead, so that validation of the copy
refuses it as it refuses the original, and nothing outside the root is read.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from toolkit.containment import inside, real_path
from toolkit.yamlfile import read_yaml

log = logging.getLogger("toolkit")

ORIGIN_FILE = ".toolkit-origin"
"""In a snapshot: the absolute path of the params root it was copied from."""

_FOLDERS = ("reports", "updates")


@contextmanager
def params_snapshot(root: Path) -> Iterator[Path]:
    """Copy the params files of ``root`` to a temporary folder; remove it afterwards.

    Yields
    ------
    Path
        The copy, to pass to :func:`toolkit.params.load_params`.
    """
    origin = root.resolve()
    folder = Path(tempfile.mkdtemp(prefix="toolkit-params-"))
    try:
        _copy(root / "force.yaml", folder / "force.yaml", origin)
        for name in _FOLDERS:
            source = root / name
            if source.is_dir():
                (folder / name).mkdir()
                for path in sorted(source.iterdir()):
                    if path.is_file() or path.is_symlink():
                        _copy(path, folder / name / path.name, origin)
        _copy_sent_letters(root, folder)
        data, _, _ = read_yaml(folder / "force.yaml", "force.yaml")
        if isinstance(data, dict) and isinstance(data.get("templates"), str):
            _copy_templates(root, folder, data["templates"])
        (folder / ORIGIN_FILE).write_text(str(origin), encoding="utf-8")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_sent_letters(root: Path, snapshot: Path) -> None:
    """Add each letter as sent (``response.file`` of a report) to a snapshot."""
    origin = root.resolve()
    for report in sorted((snapshot / "reports").glob("*.yaml")):
        if report.is_symlink():
            continue  # a linked report file is refused by validation, and not read here
        data, _, _ = read_yaml(report, f"reports/{report.name}")
        response = data.get("response") if isinstance(data, dict) else None
        name = response.get("file") if isinstance(response, dict) else None
        if not isinstance(name, str) or not name:
            continue
        source, target = root / name, snapshot / name
        if Path(name).is_absolute() or not inside(target.parent, snapshot):
            continue  # outside the root: refused by validation
        if target.exists() or target.is_symlink():
            continue
        if not inside(source, origin) or source.is_file():  # a link out: kept as a link
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy(source, target, origin)


def _copy_templates(root: Path, snapshot: Path, relative: str) -> None:
    """Add the force's template folder (``templates:``) to a snapshot."""
    source, target = root / relative, snapshot / relative
    if not source.is_dir() or not inside(target.parent, snapshot) or target.exists():
        return  # not a folder, or named outside the root: refused by validation
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy_tree(source, target, root.resolve(), set())


def _copy_tree(source: Path, target: Path, origin: Path, seen: set[Path]) -> None:
    """Copy a folder inside the root; anything leading outside becomes a link."""
    real = real_path(source)
    if real is None or not inside(source, origin):
        _link_outside(source, target)
        return
    if real in seen:  # a link back up the tree: copied once
        return
    seen.add(real)
    target.mkdir(exist_ok=True)
    for path in sorted(source.iterdir()):
        if path.is_dir():
            _copy_tree(path, target / path.name, origin, seen)
        else:
            _copy(path, target / path.name, origin)


def _link_outside(source: Path, target: Path) -> None:
    """Stand in for something outside the root with a link to it: refused, never read."""
    try:
        os.symlink(real_path(source) or source, target)
    except OSError as exc:
        log.debug("not linked in the params snapshot: %s: %s", source, exc)


def _copy(source: Path, target: Path, origin: Path) -> None:
    if not inside(source, origin):  # the file or a folder on its way leads out
        _link_outside(source, target)
        return
    try:
        shutil.copy2(source, target)
    except OSError as exc:
        log.debug("not copied into the params snapshot: %s: %s", source, exc)
