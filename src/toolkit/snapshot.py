"""A run's own copy of the params root, taken once at its start.

``toolkit run`` runs many briefings over minutes; an analyst may save ``force.yaml``
or an update file meanwhile. Each briefing must describe the params as they were when
the run started, and the manifest must hash exactly what the briefings read. So the
run copies the params files (``force.yaml``, ``reports/``, ``updates/``, the force's
template folder and each report's sent letter, ``response.file``) into a private
folder, validates that copy and runs every briefing on it.

The copy records where it came from in :data:`ORIGIN_FILE`; paths inside params
files (``data:``) are resolved against that original root
(:attr:`toolkit.params.Params.base`), so data is read where it is, not copied.
A params file that is a symlink is copied as the link when it leads outside the
root, so that validation refuses it as it would the original.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
        for report in sorted((folder / "reports").glob("*.yaml")):
            _copy_sent_letter(root, folder, report)
        data, _, _ = read_yaml(folder / "force.yaml", "force.yaml")
        if isinstance(data, dict) and isinstance(data.get("templates"), str):
            _copy_templates(root, folder, data["templates"])
        (folder / ORIGIN_FILE).write_text(str(origin), encoding="utf-8")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_sent_letter(root: Path, snapshot: Path, report: Path) -> None:
    """Add a report's sent letter (``response.file``) to a snapshot, if it names one in
    the root (any other value is left for validation to refuse)."""
    try:
        data, _, _ = read_yaml(report, report.name)
    except OSError:
        return  # unreadable: validation says so
    response = data.get("response") if isinstance(data, dict) else None
    name = response.get("file") if isinstance(response, dict) else None
    if not isinstance(name, str) or not name or Path(name).is_absolute():
        return
    source, target = root / name, snapshot / name
    if not source.is_file() or not target.resolve().is_relative_to(snapshot.resolve()):
        return
    if target.exists():
        return  # already copied: a params file itself, or named by an earlier report
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(source, target, root.resolve())


def _copy_templates(root: Path, snapshot: Path, relative: str) -> None:
    """Add the force's template folder (``templates:``) to a snapshot."""
    source, target = root / relative, snapshot / relative
    if not source.is_dir() or not target.resolve().is_relative_to(snapshot.resolve()):
        return  # a folder outside the root is refused by validation
    origin = root.resolve()
    target.mkdir(parents=True)
    for path in sorted(source.rglob("*")):
        copy = target / path.relative_to(source)
        if path.is_dir() and not path.is_symlink():
            copy.mkdir(parents=True, exist_ok=True)
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            _copy(path, copy, origin)


def _copy(source: Path, target: Path, origin: Path) -> None:
    if source.is_symlink() and not source.resolve().is_relative_to(origin):
        os.symlink(source.resolve(), target)  # refused by validation, never read
        return
    try:
        shutil.copy2(source, target)
    except OSError as exc:
        log.debug("not copied into the params snapshot: %s: %s", source, exc)
