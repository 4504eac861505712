"""The per-file cache of parsed data.police.uk files: Arrow IPC entries, verified on read.

An entry is keyed by the source file's identity (:func:`digest` of it: path, size,
modification time and its content — an XXH3-128 digest of a file's bytes
(:func:`~toolkit.files.cachefile.content_digest`), the CRC-32 of a zip member) and
written and checked by :mod:`toolkit.files.cachefile` (a SHA-256 of the content and the source's
identity). An
entry of another cache version, or one that does not verify, is discarded and the
source read again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from toolkit.files import cachefile
from toolkit.performance.policeuk_parse import Parsed

log = logging.getLogger("toolkit")

CACHE_VERSION = "policeuk-4"
"""Changes whenever the entries' layout or the parsing changes, so old entries are not used."""


def cache_path(cache_dir: Path | None, cache_key: str) -> Path | None:
    """Where the entry for ``cache_key`` lives; ``None`` when there is no cache."""
    if cache_dir is None:
        return None
    return cache_dir / f"policeuk-{cache_key}.arrow"


def read(cache_dir: Path | None, cache_key: str, identity: str) -> Parsed | None:
    """The cached parse of the file ``cache_key``, if there is a verified entry."""
    path = cache_path(cache_dir, cache_key)
    if path is None:
        return None
    payload = cachefile.read(path, json.loads(identity))
    if payload is None:
        return None
    try:
        table = ipc.open_file(pa.BufferReader(payload)).read_all()
        return from_table(table)
    except Exception as exc:  # noqa: BLE001 - a verified entry of another layout
        cachefile.discard(path, str(exc))
        return None


def write(cache_dir: Path | None, cache_key: str, identity: str, parsed: Parsed) -> None:
    """Store ``parsed`` as the entry for ``cache_key`` (nothing when there is no cache)."""
    path = cache_path(cache_dir, cache_key)
    if path is None:
        return
    table = to_table(parsed)
    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    cachefile.write(path, sink.getvalue().to_pybytes(), json.loads(identity))


_SCHEMA = pa.schema(
    [("category", pa.dictionary(pa.int32(), pa.string())), ("id_hash", pa.uint64())]
)


def to_table(parsed: Parsed) -> pa.Table:
    category = pa.DictionaryArray.from_arrays(
        pa.array(parsed.codes, type=pa.int32()), pa.array(parsed.labels, type=pa.string())
    )
    table = pa.table({"category": category, "id_hash": pa.array(parsed.hashes)}, schema=_SCHEMA)
    meta = {
        "version": CACHE_VERSION,
        "labels": parsed.labels,
        "empty": parsed.empty,
        "damage": parsed.damage,
    }
    return table.replace_schema_metadata({"toolkit": json.dumps(meta)})


def from_table(table: pa.Table) -> Parsed:
    meta = json.loads(table.schema.metadata[b"toolkit"])
    if meta.get("version") != CACHE_VERSION:
        raise ValueError("old cache format")
    labels = list(meta["labels"])
    if table.num_rows:
        category = table["category"].combine_chunks()
        file_labels = category.dictionary.to_pylist()
        lut = np.array([labels.index(lab) for lab in file_labels], dtype=np.int32)
        codes = lut[category.indices.to_numpy()] if len(lut) else np.empty(0, np.int32)
        hashes = table["id_hash"].combine_chunks().to_numpy()
    else:
        codes = np.empty(0, np.int32)
        hashes = np.empty(0, np.uint64)
    empty = {k: int(v) for k, v in meta["empty"].items()}
    return Parsed(labels, codes, hashes, empty, str(meta.get("damage", "")))


def digest(*parts: object) -> str:
    text = "\x1f".join([CACHE_VERSION, *(str(p) for p in parts)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
