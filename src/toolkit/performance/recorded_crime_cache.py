"""The cache of Home Office recorded crime tables once read: a Feather file per table.

An entry is named for the source file's size and content (an XXH3-128 digest of its
bytes: :func:`cache_file`), not its path or modification time, and written and checked by
:mod:`toolkit.files.cachefile` against the :func:`identity` it was made from: an edited or
replaced table is read again, even with its old size and modification time, and the same
table found at another path (the run's copy of the data, which ``toolkit run`` checks
before the copy is made) is read once.
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

import pandas as pd

from toolkit.files import cachefile

log = logging.getLogger("toolkit")

CACHE_VERSION = "recorded-3"
"""Changes whenever the rows' layout changes, so old entries are not used."""


def cache_file(path: Path, cache_dir: Path | None) -> Path | None:
    """The cache's name stem for this version of ``path`` (``None`` without a cache)."""
    if cache_dir is None:
        return None
    content = cachefile.content_digest(path)
    key = f"{CACHE_VERSION}\x1f{path.stat().st_size}\x1f{content}"
    return Path(cache_dir) / f"recorded-{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def identity(path: Path, kind: str) -> dict[str, object]:
    """What a cache entry of ``path`` must say it was made from (checked on reading)."""
    return {
        "version": CACHE_VERSION,
        "size": path.stat().st_size,
        "content": cachefile.content_digest(path),
        "table": kind,
    }


def write(rows: pd.DataFrame, target: Path, identity: dict[str, object]) -> None:
    """Write atomically, with a checksum (several kernels may write the same table at once)."""
    buffer = io.BytesIO()
    rows.to_feather(buffer)
    cachefile.write(target, buffer.getvalue(), identity)


def read(path: Path, cache_dir: Path | None) -> tuple[str, pd.DataFrame] | None:
    """The table kind and rows cached for this version of ``path``, if an entry verifies."""
    cached = cache_file(path, cache_dir)
    if cached is None:
        return None
    for kind_name in ("quarterly", "rolling"):
        found_file = cached.with_name(f"{cached.name}-{kind_name}.arrow")
        payload = cachefile.read(found_file, identity(path, kind_name))
        if payload is not None:
            try:
                return kind_name, pd.read_feather(io.BytesIO(payload))
            except Exception as exc:  # noqa: BLE001 - a verified entry of another layout
                cachefile.discard(found_file, str(exc))
    return None
