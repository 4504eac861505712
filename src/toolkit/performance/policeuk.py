"""data.police.uk street-level crime: find, read, cache and count.

A data.police.uk bulk download is a folder (or a ``.zip`` of one) holding
``YYYY-MM/YYYY-MM-<force>-street.csv`` files, and sometimes
``YYYY-MM/YYYY-MM-<force>-outcomes.csv`` files. A zip may put everything under a
top-level folder; files are found by that ``YYYY-MM/YYYY-MM-<force>-<kind>.csv``
tail wherever they sit.

Counting rule (the briefing contract): for one force, one period and one crime
type, the count is the number of distinct non-empty ``Crime ID`` values plus the
number of rows with an empty ``Crime ID`` (anti-social behaviour has none). The
same ID on several rows counts once; an ID recorded under two crime types counts
once in each.

Each file is read once: the header must hold ``Crime ID``, ``Month`` and
``Crime type`` (or ``Outcome type``); only the ID and type columns are converted
(the file's name gives the month, as in every real download), IDs are reduced to
64-bit hashes, and the
per-file result is cached as an Arrow IPC file keyed by the source file's path,
size and modification time (for a zip member: the zip's path, size and
modification time plus the member's name and CRC). A warm rerun reads only the
cache. Each cache entry carries a SHA-256 of its content and the source's identity
(force, month, kind, path, size, modification time, CRC) and is used only when both
verify (:mod:`toolkit.cachefile`); otherwise it is discarded with one warning and
the source is read again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import threading
import zipfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc

from toolkit import cachefile
from toolkit.errors import DataError, Problem, shown

log = logging.getLogger("toolkit")

LAYOUT = "YYYY-MM/YYYY-MM-<force>-street.csv"
"""How a street-level file is named inside a download, for messages."""

STREET_COLUMNS = ("Crime ID", "Month", "Crime type")
"""The street-level columns a file must have; every other column is skipped."""

OUTCOME_COLUMNS = ("Crime ID", "Month", "Outcome type")
"""The outcomes-file columns that are read."""

_CACHE_VERSION = "policeuk-3"
_FILE_RE = re.compile(r"(?:^|/)(\d{4}-\d{2})/\1-(.+)-(street|outcomes)\.csv$")
_MONTH_DIR = re.compile(r"^\d{4}-\d{2}$")
_HEADER_BYTES = 64 * 1024
MAX_MEMBER_BYTES = 1 << 30
"""The largest zip member read (1 GiB; the largest real monthly file is tens of MB)."""
MAX_RATIO = 100
"""The most a member may inflate (CSV compresses about 5 to 10 times; zeros 1,000)."""
OUTLIER_FACTOR = 10
"""A month with more rows than this many times the force's median month is flagged."""
_WORKERS = max(1, min(8, os.cpu_count() or 1))

_HEX = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX[_c] = _i


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


def _source(
    force: str, month: str, kind: str, label: str, path: Path, member: str | None, **facts: object
) -> SourceFile:
    """A :class:`SourceFile` whose cache key and identity come from the same facts."""
    identity = {"force": force, "month": month, "kind": kind, "member": member, **facts}
    text = json.dumps(identity, sort_keys=True)
    return SourceFile(force, month, kind, label, _digest(text), path, member, text)


@dataclass
class _Parsed:
    """What one file contributes: (category, ID hash) per row with an ID, and empty-ID rows.

    ``labels`` are the categories (crime types or outcome types), ``codes`` index
    into them, ``hashes`` are the IDs' 64-bit hashes (repeats are kept: they are
    removed when files are combined) and ``empty`` counts rows with no ``Crime ID``
    per category.
    """

    labels: list[str]
    codes: np.ndarray
    hashes: np.ndarray
    empty: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PeriodCounts:
    """Crime counts for one force over a set of months.

    Attributes
    ----------
    force
        data.police.uk slug.
    months
        The months asked for (``YYYY-MM``).
    missing_months
        Those of ``months`` with no street-level data for the force: no file, or a
        file with a header and no rows (a truncated download; a force's month never
        has no crime at all), which is not counted as zero.
    counts
        Crime type -> count under the counting rule, for every type found.
    empty_months
        Those of ``missing_months`` whose file is there but holds no rows.
    """

    force: str
    months: tuple[str, ...]
    missing_months: tuple[str, ...]
    counts: dict[str, int]
    empty_months: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every month of the period has a file."""
        return not self.missing_months

    @property
    def empty(self) -> bool:
        """True when no month of the period has a file."""
        return len(self.missing_months) == len(self.months)


CHARGE_OUTCOMES = frozenset(
    {
        "Suspect charged",
        "Suspect charged as part of another case",
        "Suspect summonsed to court",
        "Awaiting court outcome",
        "Defendant sent to Crown Court",
        "Court result unavailable",
        "Court case unable to proceed",
        "Defendant found not guilty",
        "Offender sent to prison",
        "Offender given suspended prison sentence",
        "Offender given community sentence",
        "Offender fined",
        "Offender given conditional discharge",
        "Offender given absolute discharge",
        "Offender ordered to pay compensation",
        "Offender deprived of property",
        "Offender otherwise dealt with",
    }
)
"""Outcome types that mean a suspect was charged or summonsed to court.

The charge itself (``Suspect charged``, ``Suspect charged as part of another
case``; ``Suspect summonsed to court`` where a force reports it) and every court
stage or court disposal that can only follow a charge or summons. Out-of-court
disposals (cautions, penalty notices, drugs possession warnings, local
resolution) are not counted.
"""

NO_SUSPECT_OUTCOME = "Investigation complete; no suspect identified"
"""The outcome type whose share is reported beside the charge share."""


class PoliceUkData:
    """An indexed data.police.uk download: a folder or a ``.zip``.

    Parameters
    ----------
    source
        The folder or zip (``data.police_uk`` in ``force.yaml``).
    cache_dir
        Where per-file results are cached; ``None`` disables the cache.

    Raises
    ------
    DataError
        When ``source`` does not exist or is not a readable zip.
    """

    def __init__(self, source: Path, *, cache_dir: Path | None = None) -> None:
        self.source = Path(source)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._zip: zipfile.ZipFile | None = None
        self._zip_lock = threading.Lock()
        self._memo: dict[str, _Parsed] = {}
        self._warned: set[str] = set()
        self.files: dict[tuple[str, str, str], SourceFile] = {}
        if self.source.is_dir():
            self._index_folder()
        elif self.source.is_file():
            self._index_zip()
        else:
            raise DataError(
                Problem(
                    str(self.source),
                    "data.police_uk",
                    "no such folder or .zip file",
                    expected=f"a folder or .zip in the data.police.uk layout ({LAYOUT})",
                )
            )
        log.debug("indexed %d police.uk files in %s", len(self.files), self.source)

    # -- context management -------------------------------------------------
    def close(self) -> None:
        """Close the zip file, if one is open."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self) -> PoliceUkData:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what is there ------------------------------------------------------
    @property
    def forces(self) -> list[str]:
        """Force slugs with at least one street-level file."""
        return sorted({f for f, _, kind in self.files if kind == "street"})

    def months(self, force: str, kind: str = "street") -> list[str]:
        """Months with a ``kind`` file for ``force``, oldest first."""
        return sorted(m for f, m, k in self.files if f == force and k == kind)

    def require_force(self, force: str) -> None:
        """Raise unless ``force`` has at least one street-level file.

        Raises
        ------
        DataError
            Naming the download, the layout looked for and the forces found.
        """
        if self.months(force):
            return
        found = ", ".join(self.forces) or "none"
        raise DataError(
            Problem(
                str(self.source),
                "force",
                f"no data.police.uk street-level file for force {force!r}",
                expected=f"files named {LAYOUT.replace('<force>', force)}",
                got=f"files for {shown(found, 200)}" if self.forces else "no such files",
            )
        )

    # -- counting -----------------------------------------------------------
    def counts(self, force: str, months: Sequence[str]) -> PeriodCounts:
        """Count crimes by type for ``force`` over ``months`` (see the module docstring)."""
        return self.counts_many([force], months)[force]

    def counts_many(self, forces: Iterable[str], months: Sequence[str]) -> dict[str, PeriodCounts]:
        """Count crimes by type for several forces over the same months.

        Files not yet parsed (or cached) are read in parallel first.
        """
        forces = list(forces)
        wanted = [
            self.files[(f, m, "street")]
            for f in forces
            for m in months
            if (f, m, "street") in self.files
        ]
        self._load(wanted)
        result = {}
        for force in forces:
            files = {
                m: self.files[(force, m, "street")]
                for m in months
                if (force, m, "street") in self.files
            }
            empty = [m for m, f in files.items() if _no_rows(self._memo[f.cache_key])]
            for m in empty:
                if files[m].label not in self._warned:
                    self._warned.add(files[m].label)
                    log.warning(
                        "%s: the file has no rows; %s is counted as missing", files[m].label, m
                    )
            present = [m for m in files if m not in empty]
            parts = [self._memo[files[m].cache_key] for m in present]
            result[force] = PeriodCounts(
                force=force,
                months=tuple(months),
                missing_months=tuple(m for m in months if m not in present),
                counts=_count(parts),
                empty_months=tuple(empty),
            )
        return result

    def outcomes(self, force: str, months: Sequence[str]) -> dict[str, object] | None:
        """Shares of the period's crimes charged, and closed with no suspect identified.

        The period's crimes are the distinct non-empty ``Crime ID`` values in the
        force's street-level files for ``months``; their outcomes are looked up in
        every outcomes file of the force from the period's first month on (an
        outcome is filed under the month it happened). A crime counts as charged
        when any of its outcomes is in :data:`CHARGE_OUTCOMES`.

        Returns
        -------
        dict or None
            ``None`` when the force has no outcomes file from the period on;
            otherwise ``crimes``, ``charged``, ``charged_pct``, ``no_suspect``,
            ``no_suspect_pct`` (percentages to 1 dp), ``outcome_months`` and
            ``charge_outcomes`` (the outcome types counted as a charge).
        """
        first = min(months)
        outcome_files = [
            f
            for (slug, m, kind), f in sorted(self.files.items())
            if slug == force and kind == "outcomes" and m >= first
        ]
        if not outcome_files:
            return None
        street = [
            self.files[(force, m, "street")] for m in months if (force, m, "street") in self.files
        ]
        self._load(street + outcome_files)
        crimes = np.unique(
            np.concatenate(
                [self._memo[f.cache_key].hashes for f in street] or [np.empty(0, np.uint64)]
            )
        )
        charged: list[np.ndarray] = []
        no_suspect: list[np.ndarray] = []
        for f in outcome_files:
            parsed = self._memo[f.cache_key]
            charge_codes = [i for i, lab in enumerate(parsed.labels) if lab in CHARGE_OUTCOMES]
            none_codes = [i for i, lab in enumerate(parsed.labels) if lab == NO_SUSPECT_OUTCOME]
            charged.append(parsed.hashes[np.isin(parsed.codes, charge_codes)])
            no_suspect.append(parsed.hashes[np.isin(parsed.codes, none_codes)])
        n_charged = int(np.isin(crimes, np.concatenate(charged)).sum())
        n_none = int(np.isin(crimes, np.concatenate(no_suspect)).sum())
        n = int(crimes.size)
        return {
            "crimes": n,
            "charged": n_charged,
            "charged_pct": round(100 * n_charged / n, 1) if n else None,
            "no_suspect": n_none,
            "no_suspect_pct": round(100 * n_none / n, 1) if n else None,
            "outcome_months": [f.month for f in outcome_files],
            "charge_outcomes": sorted(CHARGE_OUTCOMES),
        }

    # -- indexing -----------------------------------------------------------
    def _index_folder(self) -> None:
        root = self.source
        label_root = str(self.source).rstrip("/\\")
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
                self._add(
                    _source(
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
                )

    def _index_zip(self) -> None:
        try:
            self._zip = zipfile.ZipFile(self.source)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise DataError(
                Problem(
                    str(self.source),
                    "data.police_uk",
                    "not a readable .zip file",
                    expected=f"a folder or .zip in the data.police.uk layout ({LAYOUT})",
                    got=shown(str(exc), 120),
                )
            ) from None
        stat = self.source.stat()
        base = os.path.abspath(self.source)
        for info in infos:
            match = _FILE_RE.search(info.filename)
            if match is None or info.is_dir():
                continue
            month, force, kind = match.groups()
            self._add(
                _source(
                    force,
                    month,
                    kind,
                    f"{self.source}!{info.filename}",
                    self.source,
                    info.filename,
                    source=base,
                    size=stat.st_size,
                    mtime_ns=stat.st_mtime_ns,
                    crc=info.CRC,
                    member_size=info.file_size,
                )
            )

    def _add(self, file: SourceFile) -> None:
        slot = (file.force, file.month, file.kind)
        if slot in self.files:
            log.warning("two files for %s %s %s; using %s", *slot, self.files[slot].label)
            return
        self.files[slot] = file

    # -- reading ------------------------------------------------------------
    def _load(self, files: Sequence[SourceFile]) -> None:
        todo = [f for f in dict.fromkeys(files) if f.cache_key not in self._memo]
        from_cache = []
        to_parse = []
        for f in todo:
            cached = self._read_cache(f)
            if cached is None:
                to_parse.append(f)
            else:
                from_cache.append(f)
                self._memo[f.cache_key] = cached
        if to_parse:
            log.info("reading %d data.police.uk file(s)", len(to_parse))
            if len(to_parse) == 1 or _WORKERS == 1:
                results = [self._parse_and_store(f) for f in to_parse]
            else:
                with ThreadPoolExecutor(_WORKERS) as pool:
                    results = list(pool.map(self._parse_and_store, to_parse))
            for f, parsed in zip(to_parse, results, strict=True):
                self._memo[f.cache_key] = parsed

    def header_problems(self, forces: Sequence[str]) -> list[Problem]:
        """Check the header of every file of ``forces`` without parsing the rows.

        Used by ``toolkit validate`` so that a file with a wrong header is reported
        before any briefing runs. Reads only the first line of each file.
        """
        problems: list[Problem] = []
        for file in sorted(self.files.values(), key=lambda f: f.label):
            if file.force not in forces:
                continue
            needed = STREET_COLUMNS if file.kind == "street" else OUTCOME_COLUMNS
            try:
                header = _header(self._head_bytes(file), file.label)
            except DataError as err:
                problems += err.problems
                continue
            missing = [column for column in needed if column not in header]
            if missing:
                problems.append(
                    Problem(
                        file.label,
                        missing[0],
                        "column missing from the header",
                        expected=f"a data.police.uk {file.kind} file with columns "
                        + ", ".join(needed),
                        got=shown(",".join(header), 200),
                    )
                )
        return problems

    def _head_bytes(self, file: SourceFile) -> bytes:
        if file.member is None:
            return _head(file.path, file.label)
        assert self._zip is not None
        try:
            with self._zip_lock, self._zip.open(file.member) as member:
                return member.read(_HEADER_BYTES)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise DataError(
                Problem(file.label, "", "cannot read this member of the zip", got=shown(str(exc)))
            ) from None

    def _parse_and_store(self, file: SourceFile) -> _Parsed:
        parsed = parse_file(self._bytes(file), file.label, file.kind)
        self._write_cache(file, parsed)
        return parsed

    def _bytes(self, file: SourceFile) -> bytes | Path:
        if file.member is None:
            return file.path
        assert self._zip is not None
        self._check_member(file)
        try:
            with self._zip_lock:
                return self._zip.read(file.member)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise DataError(
                Problem(file.label, "", "cannot read this member of the zip", got=shown(str(exc)))
            ) from None

    def _check_member(self, file: SourceFile) -> None:
        """Refuse, before reading it, a member too large or too compressed to be real data."""
        assert self._zip is not None and file.member is not None
        info = self._zip.getinfo(file.member)
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > MAX_MEMBER_BYTES or ratio > MAX_RATIO:
            raise DataError(
                Problem(
                    file.label,
                    "",
                    "refused: the member is implausibly large or compressed for a monthly file",
                    expected=f"at most {MAX_MEMBER_BYTES >> 20:,} MB, inflating at most "
                    f"{MAX_RATIO} times",
                    got=f"{info.file_size:,} bytes from {info.compress_size:,}",
                )
            )

    def month_rows(self, force: str, months: Sequence[str]) -> dict[str, int]:
        """Rows per month (street-level) for the months of ``months`` that have a file."""
        files = [
            self.files[(force, m, "street")] for m in months if (force, m, "street") in self.files
        ]
        self._load(files)
        return {
            f.month: int(self._memo[f.cache_key].codes.size)
            + sum(self._memo[f.cache_key].empty.values())
            for f in files
        }

    def _cache_path(self, file: SourceFile) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"policeuk-{file.cache_key}.arrow"

    def _read_cache(self, file: SourceFile) -> _Parsed | None:
        path = self._cache_path(file)
        if path is None:
            return None
        payload = cachefile.read(path, json.loads(file.identity))
        if payload is None:
            return None
        try:
            table = ipc.open_file(pa.BufferReader(payload)).read_all()
            return _from_table(table)
        except Exception as exc:  # noqa: BLE001 - a verified entry of another layout
            log.warning("discarding cache file %s: %s; reading the source again", path, exc)
            return None

    def _write_cache(self, file: SourceFile, parsed: _Parsed) -> None:
        path = self._cache_path(file)
        if path is None:
            return
        table = _to_table(parsed)
        sink = pa.BufferOutputStream()
        with ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        cachefile.write(path, sink.getvalue().to_pybytes(), json.loads(file.identity))


def count_crimes(
    source: Path, force: str, months: Sequence[str], *, cache_dir: Path | None = None
) -> PeriodCounts:
    """Count crimes by type for one force over some months.

    Parameters
    ----------
    source
        A data.police.uk folder or zip (``data.police_uk`` in ``force.yaml``).
    force
        data.police.uk force slug.
    months
        ``YYYY-MM`` months, e.g. ``Quarter.months``.
    cache_dir
        Cache folder, or ``None`` for no cache.

    Raises
    ------
    DataError
        When the source is missing or unreadable, the force has no file at all, or a
        file lacks a needed column.
    """
    with PoliceUkData(source, cache_dir=cache_dir) as data:
        data.require_force(force)
        return data.counts(force, months)


# -- parsing ----------------------------------------------------------------


def parse_file(data: bytes | Path, label: str, kind: str = "street") -> _Parsed:
    """Parse one street-level or outcomes file into (category, ID hash) pairs.

    Parameters
    ----------
    data
        The file's bytes, or its path.
    label
        How messages name the file.
    kind
        ``street`` (category = ``Crime type``) or ``outcomes`` (``Outcome type``).

    Raises
    ------
    DataError
        When the header lacks a needed column or the file cannot be parsed.
    """
    needed = STREET_COLUMNS if kind == "street" else OUTCOME_COLUMNS
    category = needed[2]
    head = data[:_HEADER_BYTES] if isinstance(data, bytes) else _head(data, label)
    header = _header(head, label)
    for column in needed:
        if column not in header:
            raise DataError(
                Problem(
                    label,
                    column,
                    "column missing from the header",
                    expected=f"a data.police.uk {kind} file with columns {', '.join(needed)}",
                    got=shown(",".join(header), 200),
                )
            )
    source = pa.BufferReader(data) if isinstance(data, bytes) else str(data)
    try:
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                include_columns=["Crime ID", category],
                column_types={
                    "Crime ID": pa.string(),
                    category: pa.dictionary(pa.int32(), pa.string()),
                },
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(
            Problem(label, "", "cannot be read as a CSV file", got=shown(str(exc), 160))
        ) from None
    return _summarise(table["Crime ID"], table[category])


def _head(path: Path, label: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(_HEADER_BYTES)
    except OSError as exc:
        raise DataError(Problem(label, "", "cannot be opened", got=shown(str(exc)))) from None


def _header(head: bytes, label: str) -> list[str]:
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    text = first.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise DataError(
            Problem(label, "", "the file is empty", expected="a header row and data rows")
        )
    row = next(csv.reader(io.StringIO(text)))
    return [name.strip() for name in row]


def _summarise(ids: pa.ChunkedArray, categories: pa.ChunkedArray) -> _Parsed:
    ids_arr = ids.combine_chunks()
    cats = categories.combine_chunks()
    if isinstance(cats, pa.ChunkedArray):  # pragma: no cover - defensive
        cats = cats.combine_chunks()
    labels = [str(v) for v in cats.dictionary.to_pylist()]
    codes = cats.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    lengths = pc.binary_length(ids_arr).to_numpy(zero_copy_only=False)
    empty = lengths == 0
    empty_counts: dict[str, int] = {}
    if empty.any():
        counted = np.bincount(codes[empty], minlength=len(labels))
        empty_counts = {labels[i]: int(n) for i, n in enumerate(counted) if n}
    keep = ~empty
    hashes = _hash_ids(ids_arr.filter(pa.array(keep)) if not keep.all() else ids_arr)
    return _Parsed(labels=labels, codes=codes[keep], hashes=hashes, empty=empty_counts)


def _hash_ids(ids: pa.Array) -> np.ndarray:
    """64-bit hashes of non-empty IDs.

    data.police.uk IDs are 64 lower-case hex digits (a SHA-256): their first 16
    digits are taken as the hash directly, which is fast and effectively
    collision-free. Any other ID is hashed with pandas' SipHash.
    """
    n = len(ids)
    out = np.empty(n, dtype=np.uint64)
    if n == 0:
        return out
    lengths = pc.binary_length(ids).to_numpy(zero_copy_only=False)
    is64 = lengths == 64
    fast_ok = np.zeros(n, dtype=bool)
    if is64.any():
        sub = ids if is64.all() else ids.filter(pa.array(is64))
        sub = pa.concat_arrays([sub]) if sub.offset else sub
        offsets = np.frombuffer(sub.buffers()[1], dtype=np.int32, count=len(sub) + 1)
        data = np.frombuffer(sub.buffers()[2], dtype=np.uint8)
        block = data[offsets[0] : offsets[0] + 64 * len(sub)].reshape(-1, 64)[:, :16]
        nibbles = _HEX[block]
        valid = (nibbles != 255).all(axis=1)
        values = np.zeros(len(sub), dtype=np.uint64)
        for column in range(16):
            values = (values << np.uint64(4)) | nibbles[:, column].astype(np.uint64)
        where = np.flatnonzero(is64)
        out[where] = values
        fast_ok[where[valid]] = True
    slow = ~fast_ok
    if slow.any():
        rest = ids.filter(pa.array(slow)).to_numpy(zero_copy_only=False).astype(object)
        out[slow] = pd.util.hash_array(rest, categorize=False)
    return out


def _no_rows(parsed: _Parsed) -> bool:
    """True for a file with a header and no data rows."""
    return parsed.codes.size == 0 and not any(parsed.empty.values())


def _count(parts: Sequence[_Parsed]) -> dict[str, int]:
    """Apply the counting rule across several files' parsed results."""
    vocab: dict[str, int] = {}
    code_arrays = []
    hash_arrays = []
    empty: dict[str, int] = {}
    for part in parts:
        lut = np.array([vocab.setdefault(lab, len(vocab)) for lab in part.labels], dtype=np.int64)
        code_arrays.append(lut[part.codes] if len(part.labels) else part.codes.astype(np.int64))
        hash_arrays.append(part.hashes)
        for lab, n in part.empty.items():
            vocab.setdefault(lab, len(vocab))
            empty[lab] = empty.get(lab, 0) + n
    counts: dict[str, int] = {}
    if code_arrays:
        codes = np.concatenate(code_arrays)
        hashes = np.concatenate(hash_arrays)
        keys = hashes + codes.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        codes = codes[~pd.Series(keys).duplicated().to_numpy()]
        per_code = np.bincount(codes, minlength=len(vocab))
        names = list(vocab)
        counts = {names[i]: int(n) for i, n in enumerate(per_code) if n}
    for lab, n in empty.items():
        counts[lab] = counts.get(lab, 0) + n
    return dict(sorted(counts.items()))


# -- cache format -----------------------------------------------------------

_SCHEMA = pa.schema(
    [("category", pa.dictionary(pa.int32(), pa.string())), ("id_hash", pa.uint64())]
)


def _to_table(parsed: _Parsed) -> pa.Table:
    category = pa.DictionaryArray.from_arrays(
        pa.array(parsed.codes, type=pa.int32()), pa.array(parsed.labels, type=pa.string())
    )
    table = pa.table({"category": category, "id_hash": pa.array(parsed.hashes)}, schema=_SCHEMA)
    meta = {"version": _CACHE_VERSION, "labels": parsed.labels, "empty": parsed.empty}
    return table.replace_schema_metadata({"toolkit": json.dumps(meta)})


def _from_table(table: pa.Table) -> _Parsed:
    meta = json.loads(table.schema.metadata[b"toolkit"])
    if meta.get("version") != _CACHE_VERSION:
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
    return _Parsed(labels, codes, hashes, {k: int(v) for k, v in meta["empty"].items()})


def _digest(*parts: object) -> str:
    text = "\x1f".join([_CACHE_VERSION, *(str(p) for p in parts)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
