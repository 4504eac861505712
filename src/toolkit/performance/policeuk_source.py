"""Find the street-level and outcomes files of a data.police.uk download (folder or ``.zip``).

A download holds ``YYYY-MM/YYYY-MM-<force>-street.csv`` files, and sometimes
``YYYY-MM/YYYY-MM-<force>-outcomes.csv`` files, possibly under a top-level folder;
each is found by that tail wherever it sits and described by a :class:`SourceFile`
whose cache key identifies this version of the file.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from toolkit.performance.policeuk_cache import digest

LAYOUT = "YYYY-MM/YYYY-MM-<force>-street.csv"
"""How a street-level file is named inside a download, for messages."""

_FILE_RE = re.compile(r"(?:^|/)(\d{4}-\d{2})/\1-(.+)-(street|outcomes)\.csv$")
_MONTH_DIR = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True)
class SourceFile:
    """One street-level or outcomes file inside a download.

    Attributes
    ----------
    force, month, kind
        From the file's name: slug, ``YYYY-MM`` and ``street`` or ``outcomes``.
    label
        How messages name the file: ``folder/2018-10/2018-10-dorset-street.csv``
        or ``x.zip!2018-10/2018-10-dorset-street.csv``.
    cache_key
        Identifies this version of the file (path, size, mtime; CRC for zip members).
    path, member
        The file on disk, or the zip and the member name.
    identity
        The fields ``cache_key`` is made from, as JSON; stored in the cache entry and
        checked when it is read.
    """

    force: str
    month: str
    kind: str
    label: str
    cache_key: str
    path: Path
    member: str | None = None
    identity: str = ""


def source_file(
    force: str, month: str, kind: str, label: str, path: Path, member: str | None, **facts: object
) -> SourceFile:
    """A :class:`SourceFile` whose cache key and identity come from the same facts."""
    identity = {"force": force, "month": month, "kind": kind, "member": member, **facts}
    text = json.dumps(identity, sort_keys=True)
    return SourceFile(force, month, kind, label, digest(text), path, member, text)


def index_folder(root: Path) -> Iterator[SourceFile]:
    """Every data file in the folder ``root``, at most two folders down."""
    label_root = str(root).rstrip("/\\")
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        if len(rel.parts) >= 3:
            dirnames.clear()
            continue
        if not _MONTH_DIR.match(Path(dirpath).name):
            continue
        for name in filenames:
            relpath = (rel / name).as_posix()
            match = _FILE_RE.search(relpath)
            if match is None:
                continue
            month, force, kind = match.groups()
            path = Path(dirpath) / name
            stat = path.stat()
            yield source_file(
                force,
                month,
                kind,
                f"{label_root}/{relpath}",
                path,
                None,
                source=os.path.abspath(path),
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
            )


def index_zip(path: Path, infos: list[zipfile.ZipInfo]) -> Iterator[SourceFile]:
    """Every data file among the members ``infos`` of the zip at ``path``."""
    stat = path.stat()
    base = os.path.abspath(path)
    for info in infos:
        match = _FILE_RE.search(info.filename)
        if match is None or info.is_dir():
            continue
        month, force, kind = match.groups()
        yield source_file(
            force,
            month,
            kind,
            f"{path}!{info.filename}",
            path,
            info.filename,
            source=base,
            size=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            crc=info.CRC,
            member_size=info.file_size,
        )
