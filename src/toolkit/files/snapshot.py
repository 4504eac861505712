"""A run's own copy of the params root, taken once at its start.

``toolkit run`` runs many briefings over minutes; an analyst may save ``force.yaml``
or an update file meanwhile. Each briefing must describe the params as they were when
the run started, and the manifest must hash exactly what the briefings read. So the
run copies the params files (``force.yaml``, ``reports/``, ``updates/``, each report's
letter as sent (``response.file``) and the force's template folder) into a private
folder, validates that copy and runs every briefing on it.

The copy records where it came from in :data:`ORIGIN_FILE`; paths inside params
files (``data:``) are resolved against that original root
(:attr:`toolkit.record.params.Params.base`), so data is read where it is, not copied.
A params file, letter or template folder whose real path lies outside the root (it is,
or passes through, a symlink leading out: :func:`toolkit.files.containment.inside`) is not
copied: the copy holds a link to where it leads instead, so that validation of the copy
refuses it as it refuses the original, and nothing outside the root is read.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from toolkit.files.containment import inside, real_path
from toolkit.files.yamlfile import read_yaml

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
        The copy, to pass to :func:`toolkit.record.params.load_params`.
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


DATA_FILE = ".toolkit-data.json"
"""In a snapshot: which data paths of ``force.yaml`` the run reads from its own copies
(``{original: copy}``, both absolute); read by :func:`toolkit.record.params.load_params`."""


def data_copies(root: Path) -> dict[Path, Path]:
    """A snapshot's ``{original: copy}`` data paths (none for a params root of the user's)."""
    import json

    marker = root / DATA_FILE
    if not marker.is_file():
        return {}
    pairs = json.loads(marker.read_text(encoding="utf-8"))
    return {Path(original): Path(copy) for original, copy in pairs.items()}


@contextmanager
def data_snapshot(
    snapshot: Path, sources: list[Path], read: list[Path], store: Path
) -> Iterator[dict[Path, Path]]:
    """Freeze the data files a run reads: one reading of each, whatever is saved meanwhile.

    Each file in ``read`` is copied once into ``store`` (a content-addressed folder:
    ``<store>/<sha256>/<name>``, kept between runs, so a file that did not change is
    found there and a parsed-data cache keyed on its path still matches), hashing it as
    it is copied; what the briefings read and what the manifest records are that copy.
    A data *folder* (data.police.uk) is mirrored in ``<store>/tree-<hash of its path>``,
    a folder that keeps its name from run to run (the parsed-data cache keys on the path
    of each file): its files that the run reads are links to their copies, the others
    links to the originals (only their names are read, to list the months held), each
    link replaced whole when its file changed, and files no longer in the folder removed.
    Copies and mirrors stay for the next run (``<out>/.cache`` can be deleted at any
    time). Two runs at once into the same output folder (two quarters) share a mirror:
    a file changed between their starts is read in its newer state by the earlier run's
    later briefings.

    Parameters
    ----------
    snapshot
        The run's params snapshot: :data:`DATA_FILE` is written there.
    sources
        The data paths of ``force.yaml``, resolved (files or folders).
    read
        The files the run's briefings are expected to read
        (:func:`toolkit.runner.provenance.data_files`).
    store
        Where copies are kept (``<out>/.cache/data``).

    Yields
    ------
    dict
        ``{original: copy}`` for each source, as written to :data:`DATA_FILE`.
    """
    import json

    store.mkdir(parents=True, exist_ok=True)
    frozen: dict[Path, Path] = {}
    for path in read:
        try:
            frozen[path.resolve()] = _freeze(path.resolve(), store)
        except _Unreadable as err:  # the briefing reads it, and says what is wrong
            log.debug("not copied for the run: %s", err)
    copies: dict[Path, Path] = {}
    for source in sources:
        source = source.resolve()
        if source in frozen:
            copies[source] = frozen[source]
        elif source.is_dir():
            import hashlib

            name = hashlib.sha256(str(source).encode("utf-8", "surrogateescape"))
            copies[source] = _mirror(source, store / f"tree-{name.hexdigest()[:16]}", frozen)
    text = json.dumps({str(k): str(v) for k, v in copies.items()}, indent=1)
    (snapshot / DATA_FILE).write_text(text, encoding="utf-8")
    yield copies


class _Unreadable(Exception):
    """A data file that cannot be opened (the run's checks have reported it)."""


def _freeze(path: Path, store: Path) -> Path:
    """The copy of ``path`` in ``store``, under its content's SHA-256 (made if need be).

    A copy already there (an unchanged file, from an earlier run) is used as it is;
    otherwise the file is copied and the *copy* hashed, so the name always says what
    the copy holds, whatever happens to the original meanwhile.
    """
    try:
        known = store / _sha256(path) / path.name
    except OSError as err:
        raise _Unreadable(err) from err
    if known.is_file():
        return known
    handle, temporary = tempfile.mkstemp(prefix=".copy-", dir=store)
    os.close(handle)
    try:
        try:
            shutil.copy2(path, temporary)  # the parsed-data cache keys on size and mtime
        except OSError as err:
            raise _Unreadable(err) from err
        folder = store / _sha256(Path(temporary))
        copy = folder / path.name
        if not copy.is_file():
            folder.mkdir(exist_ok=True)
            os.replace(temporary, copy)  # whole or not at all, for a run beside this one
        return copy
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _sha256(path: Path) -> str:
    import hashlib

    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _mirror(source: Path, target: Path, frozen: dict[Path, Path]) -> Path:
    """``source``'s tree as links in ``target``: to the frozen copy where there is one,
    else to the file itself; links already right are kept, others replaced whole."""
    wanted: dict[Path, Path] = {}
    for path in sorted(source.rglob("*")):
        if not path.is_dir():
            wanted[path.relative_to(source)] = frozen.get(path.resolve(), path.resolve())
    target.mkdir(parents=True, exist_ok=True)
    for relative, real in wanted.items():
        link = target / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            if os.path.samefile(link, real):
                continue
        temporary = link.with_name(f".link-{os.getpid()}-{link.name}")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        try:
            os.link(real, temporary)
        except OSError:  # another file system, or links not allowed: a symbolic link
            os.symlink(real, temporary)
        os.replace(temporary, link)  # a reader sees the old file or the new, never none
    for path in sorted(target.rglob("*"), reverse=True):  # gone from the folder: gone here
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        elif path.relative_to(target) not in wanted:
            path.unlink()
    return target
