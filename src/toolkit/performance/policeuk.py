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
size, modification time and content (an XXH3-128 digest of its bytes; for a zip member:
the zip's path, size and modification time plus the member's name and CRC-32). A warm
rerun reads the files (to hash them) but parses none. Each cache entry carries a
SHA-256 of its content and the source's identity (force, month, kind, path, size,
modification time, content digest or CRC) and is used only when both
verify (:mod:`toolkit.files.cachefile`); otherwise it is discarded with one warning and
the source is read again.

The parts live beside this module: finding the files of a download
(:mod:`~toolkit.performance.policeuk_source`), parsing one file
(:mod:`~toolkit.performance.policeuk_parse`), the counting rule
(:mod:`~toolkit.performance.policeuk_count`) and the cache entries
(:mod:`~toolkit.performance.policeuk_cache`); :class:`PoliceUkData` puts them
together, and the names other modules use are importable from here.

This module stays a little over 400 lines because :class:`PoliceUkData` keeps the index
of a download and the reading of its files together: both use the open zip and its lock.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import zipfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from toolkit.errors import DataError, Problem, shown
from toolkit.files import cachefile, reads
from toolkit.files.zipmember import MAX_MEMBER_BYTES, MAX_RATIO, check_plausible
from toolkit.performance import policeuk_cache
from toolkit.performance.policeuk_count import (
    CHARGE_OUTCOMES,
    NO_SUSPECT_OUTCOME,
    PeriodCounts,
    count_parts,
    no_rows,
)
from toolkit.performance.policeuk_parse import (
    HEADER_BYTES,
    OUTCOME_COLUMNS,
    STREET_COLUMNS,
    Parsed,
    header_names,
    parse_file,
    read_head,
)
from toolkit.performance.policeuk_source import LAYOUT, SourceFile, index_folder, index_zip
from toolkit.vocabulary import OutcomeFigures

__all__ = [
    "CHARGE_OUTCOMES",
    "LAYOUT",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "NO_SUSPECT_OUTCOME",
    "OUTCOME_COLUMNS",
    "OUTLIER_FACTOR",
    "STREET_COLUMNS",
    "PeriodCounts",
    "PoliceUkData",
    "SourceFile",
    "count_crimes",
    "parse_file",
]

log = logging.getLogger("toolkit")

OUTLIER_FACTOR = 10
"""A month with more rows than this many times the force's median month is flagged."""
_WORKERS = max(1, min(8, os.cpu_count() or 1))

Parsings = dict[str, Parsed]
"""Files already parsed (or read from the cache), by cache key (the file's identity and
content digest): one, passed to several :class:`PoliceUkData`, spares them reading the
same files again (a briefing's figures and its letter's, as at an earlier day)."""


class PoliceUkData:
    """An indexed data.police.uk download: a folder or a ``.zip``.

    Parameters
    ----------
    source
        The folder or zip (``data.police_uk`` in ``force.yaml``).
    cache_dir
        Where per-file results are cached; ``None`` disables the cache.
    parsed
        Files parsed already, shared with other readers of the same data (:data:`Parsings`;
        used only with ``cache_dir``, whose keys it shares); filled as files are read.

    Raises
    ------
    DataError
        When ``source`` does not exist or is not a readable zip.
    """

    def __init__(
        self, source: Path, *, cache_dir: Path | None = None, parsed: Parsings | None = None
    ) -> None:
        self.source = Path(source)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._parsed: Parsings = parsed if parsed is not None else {}
        self._zip: zipfile.ZipFile | None = None
        self._zip_lock = threading.Lock()
        self._memo: dict[str, Parsed] = {}
        self._warned: set[str] = set()
        self.files: dict[tuple[str, str, str], SourceFile] = {}
        self.files_read: set[Path] = set()
        """The files whose rows the counts used (parsed, or from their cache entry): a
        folder's files, or the zip itself (:mod:`toolkit.files.reads`)."""
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
            empty = [m for m, f in files.items() if no_rows(self._memo[f.cache_key])]
            for m in empty:
                if files[m].label not in self._warned:
                    self._warned.add(files[m].label)
                    damage = self._memo[files[m].cache_key].damage
                    log.warning(
                        "%s: %s; %s is counted as missing",
                        files[m].label,
                        f"damaged: {damage}" if damage else "the file has no rows",
                        m,
                    )
            present = [m for m in files if m not in empty]
            parts = [self._memo[files[m].cache_key] for m in present]
            result[force] = PeriodCounts(
                force=force,
                months=tuple(months),
                missing_months=tuple(m for m in months if m not in present),
                counts=count_parts(parts),
                empty_months=tuple(empty),
            )
        return result

    def outcomes(self, force: str, months: Sequence[str]) -> OutcomeFigures | None:
        """Shares of the period's crimes charged, and closed with no suspect identified.

        The period's crimes are the distinct non-empty ``Crime ID`` values in the
        force's street-level files for ``months``; their outcomes are looked up in
        every outcomes file of the force from the period's first month on (an
        outcome is filed under the month it happened). A crime counts as charged
        when any of its outcomes is in :data:`CHARGE_OUTCOMES`.

        Returns
        -------
        dict or None
            ``None`` when the force has no outcomes file from the period on, or one of
            them is damaged (its shares would be understated);
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
        damaged = [f for f in outcome_files if self._memo[f.cache_key].damage]
        if damaged:  # a share from the rows that could be read would understate it
            for f in damaged:
                log.warning(
                    "%s: damaged: %s; the outcome shares are not shown",
                    f.label,
                    self._memo[f.cache_key].damage,
                )
            return None
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
        for file in index_folder(self.source):
            self._add(file)

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
        for file in index_zip(self.source, _last_of_each_name(infos, self.source)):
            self._add(file)

    def _add(self, file: SourceFile) -> None:
        slot = (file.force, file.month, file.kind)
        if slot in self.files:
            log.warning(
                "two files for %s %s %s: using %s, not %s",
                *slot,
                self.files[slot].label,
                file.label,
            )
            return
        self.files[slot] = file

    # -- reading ------------------------------------------------------------
    def _load(self, files: Sequence[SourceFile]) -> None:
        for f in files:
            self.files_read.add(f.path)
            reads.note(f.path)
        todo = [f for f in dict.fromkeys(files) if f.cache_key not in self._memo]
        to_parse = []
        for f in todo:
            entry = self._entry(f)
            cached = None
            if entry is not None:
                cached = self._parsed.get(entry[0]) or policeuk_cache.read(self.cache_dir, *entry)
            if cached is None or entry is None:
                to_parse.append((f, entry))
            else:
                self._memo[f.cache_key] = self._parsed[entry[0]] = cached
        if to_parse:
            log.info("reading %d data.police.uk file(s)", len(to_parse))
            if len(to_parse) == 1 or _WORKERS == 1:
                results = [self._parse_and_store(*job) for job in to_parse]
            else:
                with ThreadPoolExecutor(_WORKERS) as pool:
                    results = list(pool.map(lambda job: self._parse_and_store(*job), to_parse))
            for (f, entry), parsed in zip(to_parse, results, strict=True):
                self._memo[f.cache_key] = parsed
                if entry is not None:
                    self._parsed[entry[0]] = parsed

    def _entry(self, file: SourceFile) -> tuple[str, str] | None:
        """The cache key and identity of ``file``'s entry: of its content, not only its
        name, size and modification time. A zip member's identity holds its CRC-32
        (checked as it is read); a file in a folder's adds an XXH3-128 digest of its
        bytes, so a file re-coded with the same size and old mtime is parsed again.
        ``None`` when there is no cache or the file cannot be read (parsing reports it).
        """
        if self.cache_dir is None:
            return None
        if file.member is not None:
            return file.cache_key, file.identity
        try:
            content = cachefile.content_digest(file.path)
        except OSError:
            return None
        identity = json.dumps({**json.loads(file.identity), "blake2b": content}, sort_keys=True)
        return policeuk_cache.digest(identity), identity

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
                header = header_names(self._head_bytes(file), file.label)
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
            return read_head(file.path, file.label)
        assert self._zip is not None
        self._check_member(file)
        try:
            with self._zip_lock, self._zip.open(file.member) as member:
                return member.read(HEADER_BYTES)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise DataError(
                Problem(file.label, "", "cannot read this member of the zip", got=shown(str(exc)))
            ) from None

    def _parse_and_store(self, file: SourceFile, entry: tuple[str, str] | None) -> Parsed:
        parsed = parse_file(self._bytes(file), file.label, file.kind, file.month)
        if entry is not None:
            policeuk_cache.write(self.cache_dir, *entry, parsed)
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
        check_plausible(self._zip.getinfo(file.member), file.label)

    def damage(self, force: str, month: str) -> str:
        """Why the force's street file for ``month`` cannot be counted ('' when it can,
        or is not there); see :func:`~toolkit.performance.policeuk_parse.parse_file`."""
        file = self.files.get((force, month, "street"))
        if file is None:
            return ""
        self._load([file])
        return self._memo[file.cache_key].damage

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


def _last_of_each_name(infos: list[zipfile.ZipInfo], source: Path) -> list[zipfile.ZipInfo]:
    """One member per name: the last, which :mod:`zipfile` reads for that name.

    A zip can hold two members of the same name (appended to, or made to mislead). The
    member read, its size checks and its cache identity must be the same one; the
    duplicate is named once, in one warning.
    """
    last: dict[str, zipfile.ZipInfo] = {}
    count: dict[str, int] = {}
    for info in infos:
        last[info.filename] = info
        count[info.filename] = count.get(info.filename, 0) + 1
    for name, times in count.items():
        if times > 1:
            log.warning(
                "%s: the zip holds %d members named %s; reading the last of them",
                source,
                times,
                name,
            )
    return list(last.values())
