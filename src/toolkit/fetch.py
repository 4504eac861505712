"""Fetch street-level crime months from data.police.uk's bulk archive.

The library half of ``toolkit fetch-data --months 2019-01..2019-03 [--forces SLUG,…]``:
it reads the months asked for from data.police.uk's monthly archives and adds only the
files the params root needs (its force and peers, or the forces named) to the
``data.police_uk`` folder, in the same ``YYYY-MM/YYYY-MM-<slug>-street.csv`` layout.

The archive
-----------
data.police.uk publishes one zip a month at ``https://data.police.uk/data/archive/YYYY-MM.zip``
(the newest also as ``latest.zip``; the page ``/data/archive/`` lists them with their
periods). Each archive is a rolling window: the archive named for a month holds that month
and the 35 before it (36 months, about 1.6 GB for the whole of England, Wales and Northern
Ireland; a few early archives span more), as members
``YYYY-MM/YYYY-MM-<slug>-street.csv``, ``-outcomes.csv`` and ``-stop-and-search.csv``.

Which archive is read: for the newest month asked for, the archive named for that month,
which also serves every other month asked for within the 35 before it; months older than
that window are served, in turn, by the archive named for the newest of them. Reading the
archive named for the month, rather than ``latest.zip``, gives the same bytes whichever day
the command is run; pass ``archive_name="latest.zip"`` to read the newest archive instead
(its outcomes are more up to date, but it only reaches back 36 months from today).

How it is read
--------------
Only the bytes needed are fetched. A ``HEAD`` request gives the archive's size and whether the
server takes byte ranges (``Accept-Ranges: bytes``). If it does, the end of the archive is
read with a ``Range`` request to find the end-of-central-directory record (and its ZIP64
form), then the central directory, then each wanted member's bytes (its local header and
compressed data) with one ``Range`` request each. A server that does not take ranges (no
``Accept-Ranges: bytes``, or a ``200`` answer to a ``Range`` request) is read whole into a
temporary file, and the members are read from that.

Every download goes to a ``.part`` file in a cache folder (by default ``.fetch-cache`` inside
the data folder), never to a data file's own name. An interrupted transfer is continued with a
``Range`` request from where it stopped, within the same run (``attempts`` tries) or in a
later run, since ``.part`` files are kept until their member has been written. A member's
``.part`` file is named for the member's offset, compressed size and CRC-32 in its archive, so
bytes of a different archive are never spliced together; a whole-archive ``.part`` file is
continued only with ``If-Range`` on the archive's ``ETag`` or ``Last-Modified``.

Each member is inflated (deflate, or stored) with :mod:`zlib` while it is written to a hidden
temporary file beside its final name; its CRC-32 and size are checked against the central
directory, and only then is the file moved into place with :func:`os.replace`. A member that
does not match is refused with a :class:`~toolkit.errors.DataError` naming the archive, the
member and the expected and found CRC-32, and nothing is written for it. Names inside the
archive are only matched against, never used as paths: every file written is named from a
validated month and force slug.

Existing files are never deleted or overwritten (data.police.uk only serves the last 36
months, so a month fetched earlier may no longer be obtainable): a file already present and
identical to the archive's member (same size and CRC-32) is skipped without being
downloaded; one that differs is kept as it is and reported.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import http.client
import json
import logging
import os
import re
import secrets
import socket
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

from toolkit.errors import DataError, InputError, Problem, ToolkitError, shown

__all__ = [
    "ARCHIVE_MONTHS",
    "DEFAULT_ARCHIVE_NAME",
    "DEFAULT_BASE_URL",
    "KINDS",
    "FetchReport",
    "Progress",
    "fetch_months",
    "parse_forces",
    "parse_months",
    "plan_archives",
]

logger = logging.getLogger("toolkit")

DEFAULT_BASE_URL = "https://data.police.uk/data/archive/"
"""Where data.police.uk keeps its monthly archives."""

DEFAULT_ARCHIVE_NAME = "{month}.zip"
"""An archive's file name; ``{month}`` is the newest month it holds (``2019-03.zip``)."""

ARCHIVE_MONTHS = 36
"""How many months one archive holds: the month it is named for and the 35 before it."""

KINDS = ("street", "outcomes")
"""The member kinds fetched by default: street-level crime, and outcomes where present."""

Progress = Callable[[int, int, str], None]
"""``progress(done_bytes, total_bytes, label)``, called as bytes arrive."""

MONTHS_FORM = "YYYY-MM, a range YYYY-MM..YYYY-MM, or a comma list of these"
FORCES_FORM = "data.police.uk force slugs such as dorset,devon-and-cornwall"

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KIND_NAMES = ("street", "outcomes", "stop-and-search")

_CHUNK = 64 * 1024
_EOCD = struct.Struct("<IHHHHIIH")  # end of central directory record, 22 bytes
_EOCD_SIG = 0x06054B50
_ZIP64_LOCATOR = struct.Struct("<IIQI")  # 20 bytes
_ZIP64_LOCATOR_SIG = 0x07064B50
_ZIP64_EOCD = struct.Struct("<IQHHIIQQQQ")  # 56 bytes
_ZIP64_EOCD_SIG = 0x06064B50
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # 46 bytes
_CENTRAL_SIG = 0x02014B50
_LOCAL = struct.Struct("<IHHHHHIIIHH")  # 30 bytes
_LOCAL_SIG = 0x04034B50
_SHORT_TAIL = 4096
_TAIL = _EOCD.size + 0xFFFF + _ZIP64_LOCATOR.size  # EOCD, longest comment, ZIP64 locator
_MAX_CENTRAL_DIRECTORY = 256 * 1024 * 1024
_STORED, _DEFLATED = 0, 8


@dataclass
class FetchReport:
    """What :func:`fetch_months` did, file by file.

    Paths are relative to the data folder, with ``/`` separators
    (``2019-01/2019-01-dorset-street.csv``).

    Attributes
    ----------
    added
        Files written by this run.
    skipped
        Files already present and identical to the archive's member: not downloaded.
    kept
        Files already present but different from the archive's member: left as they were.
    missing
        Street files asked for that the archive does not hold (a force that did not
        publish that month, a month outside the archive, a misspelt slug).
    archives
        The archive URLs read.
    downloaded_bytes
        Bytes received over the network.
    """

    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    archives: list[str] = field(default_factory=list)
    downloaded_bytes: int = 0

    def summary(self) -> str:
        """One line for the CLI: ``added 4, already present 2, kept 0, missing 1``."""
        return (
            f"added {len(self.added)}, already present {len(self.skipped)}, "
            f"kept (different) {len(self.kept)}, missing {len(self.missing)}"
        )


# --------------------------------------------------------------------------- arguments


def parse_months(text: object, *, source: str = "--months") -> list[str]:
    """Parse the months asked for: ``2019-01``, ``2019-01..2019-03``, or a comma list.

    Parameters
    ----------
    text
        The ``--months`` value as the user typed it; items may be single months or
        inclusive ranges, separated by commas (``2018-10..2018-12,2019-03``).
    source
        How the value is named in messages.

    Returns
    -------
    list of str
        The distinct months, ``YYYY-MM``, oldest first.

    Raises
    ------
    InputError
        When an item is not a month or a range, a month is not 01–12, or a range runs
        backwards; the message shows the expected form.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(
            Problem(source, "", "no months given", expected=MONTHS_FORM, got=shown(text))
        )
    months: set[int] = set()
    for item in text.split(","):
        item = item.strip()
        first, sep, last = item.partition("..")
        start = _month_index(first.strip(), item, source)
        end = _month_index(last.strip(), item, source) if sep else start
        if end < start:
            raise InputError(
                Problem(
                    source,
                    "",
                    "a month range must run from the earlier month to the later",
                    expected=f"{_month_name(end)}..{_month_name(start)}",
                    got=shown(item),
                )
            )
        months.update(range(start, end + 1))
    return [_month_name(index) for index in sorted(months)]


def parse_forces(text: object, *, source: str = "--forces") -> list[str]:
    """Parse ``--forces``: a comma list of data.police.uk force slugs.

    Parameters
    ----------
    text
        The value as typed (``dorset,devon-and-cornwall``).
    source
        How the value is named in messages.

    Returns
    -------
    list of str
        The distinct slugs, in the order given.

    Raises
    ------
    InputError
        When the list is empty or an item is not a slug (lower-case letters, digits and
        single hyphens).
    """
    items = [item.strip() for item in text.split(",")] if isinstance(text, str) else []
    if not any(items):
        raise InputError(
            Problem(source, "", "no forces given", expected=FORCES_FORM, got=shown(text))
        )
    slugs: list[str] = []
    for item in items:
        if not _SLUG.match(item):
            raise InputError(
                Problem(source, "", "not a force slug", expected=FORCES_FORM, got=shown(item))
            )
        if item not in slugs:
            slugs.append(item)
    return slugs


def plan_archives(
    months: Iterable[str], *, archive_name: str = DEFAULT_ARCHIVE_NAME
) -> dict[str, list[str]]:
    """Choose the archives that hold ``months``.

    The newest month asked for is read from the archive named for it, which also holds
    the 35 months before it; older months are served the same way in turn. An
    ``archive_name`` without ``{month}`` (``latest.zip``) names one archive for every month.

    Parameters
    ----------
    months
        ``YYYY-MM`` months, as :func:`parse_months` returns them.
    archive_name
        The archive file name pattern; ``{month}`` is replaced by a ``YYYY-MM`` month.

    Returns
    -------
    dict
        Archive file name to the months read from it (oldest first), newest archive first.
    """
    pending = sorted({_month_index(month, month, "months") for month in months}, reverse=True)
    plan: dict[str, list[str]] = {}
    while pending:
        newest = pending[0]
        name = archive_name.format(month=_month_name(newest))
        covered = [index for index in pending if index > newest - ARCHIVE_MONTHS]
        if "{month}" not in archive_name:
            covered = pending
        plan.setdefault(name, []).extend(_month_name(index) for index in covered)
        pending = [index for index in pending if index not in covered]
    return {name: sorted(items) for name, items in plan.items()}


def _month_index(text: str, item: str, source: str) -> int:
    match = _MONTH.match(text)
    if match is None or not 1 <= int(match[2]) <= 12:
        problem = "not a month" if match is None else "no such month"
        raise InputError(Problem(source, "", problem, expected=MONTHS_FORM, got=shown(item)))
    return int(match[1]) * 12 + int(match[2]) - 1


def _month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# --------------------------------------------------------------------------- the fetch


def fetch_months(
    months: Sequence[str],
    forces: Sequence[str],
    dest: str | os.PathLike[str],
    *,
    base_url: str = DEFAULT_BASE_URL,
    archive_name: str = DEFAULT_ARCHIVE_NAME,
    kinds: Sequence[str] = KINDS,
    cache_dir: str | os.PathLike[str] | None = None,
    timeout: float = 30.0,
    attempts: int = 3,
    progress: Progress | None = None,
) -> FetchReport:
    """Add ``months`` of data.police.uk files for ``forces`` to the folder ``dest``.

    Parameters
    ----------
    months
        ``YYYY-MM`` months (from :func:`parse_months`).
    forces
        data.police.uk force slugs: by default the params root's force and its peers
        (``force.police_uk`` and ``peers`` in ``force.yaml``), or ``--forces``.
    dest
        The ``data.police_uk`` folder of the params root; created if absent.
    base_url
        Where the archives are; ``archive_name`` is resolved against it.
    archive_name
        Archive file name pattern (see :func:`plan_archives`).
    kinds
        Member kinds to fetch: ``street`` (reported missing when absent) and
        ``outcomes`` / ``stop-and-search`` (fetched where present).
    cache_dir
        Where ``.part`` files are kept between attempts and runs; by default
        ``dest/.fetch-cache``, removed again when left empty.
    timeout
        Seconds to wait for the server on each connection or read.
    attempts
        Tries per request before giving up; an interrupted transfer is continued
        from where it stopped.
    progress
        Called as ``progress(done_bytes, total_bytes, label)`` while bytes arrive;
        ``total_bytes`` is the archive's share to download, known once its
        directory has been read.

    Returns
    -------
    FetchReport
        The files added, skipped (identical), kept (different) and missing.

    Raises
    ------
    InputError
        When ``dest`` is a file (for example a ``.zip``) or a kind is unknown.
    DataError
        When an archive does not exist (HTTP 404), is not a readable zip, or a member
        fails its CRC-32 or size check: nothing is written for that member and the run
        stops there; files written before it were checked and stay.
    ToolkitError
        When the server cannot be reached, times out or keeps failing after
        ``attempts`` tries.
    """
    if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
        raise InputError(
            Problem(
                "base_url", "", "not a web address", expected="an http(s) URL", got=shown(base_url)
            )
        )
    dest_path = Path(dest)
    if dest_path.exists() and not dest_path.is_dir():
        raise InputError(
            Problem(
                str(dest_path),
                "data.police_uk",
                "fetch-data adds files to a folder, not to a file",
                expected="a folder in data.police.uk layout",
                got="a file",
            )
        )
    for slug in forces:
        if not isinstance(slug, str) or not _SLUG.match(slug):
            raise InputError(
                Problem("forces", "", "not a force slug", expected=FORCES_FORM, got=shown(slug))
            )
    for kind in kinds:
        if kind not in _KIND_NAMES:
            raise InputError(
                Problem(
                    "kinds", "", "unknown kind", expected=", ".join(_KIND_NAMES), got=shown(kind)
                )
            )
    cache = Path(cache_dir) if cache_dir is not None else dest_path / ".fetch-cache"
    client = _Client(timeout=timeout, attempts=max(1, attempts))
    report = FetchReport()
    try:
        for name, archive_months in plan_archives(months, archive_name=archive_name).items():
            url = urllib.parse.urljoin(base_url, name)
            report.archives.append(url)
            wanted = {
                f"{month}/{month}-{slug}-{kind}.csv": kind
                for month in archive_months
                for slug in forces
                for kind in kinds
            }
            _fetch_archive(client, url, wanted, dest_path, cache, report, progress)
    finally:
        report.downloaded_bytes = client.received
        with contextlib.suppress(OSError):
            cache.rmdir()  # only when empty: .part files of an unfinished run stay
    logger.info("fetch-data: %s", report.summary())
    return report


@dataclass(frozen=True)
class _Member:
    name: str
    method: int
    flags: int
    crc: int
    compressed: int
    size: int
    offset: int
    span: int = 0  # bytes from the local header to the next record


def _fetch_archive(
    client: _Client,
    url: str,
    wanted: dict[str, str],
    dest: Path,
    cache: Path,
    report: FetchReport,
    progress: Progress | None,
) -> None:
    """Read one archive's directory and write the wanted members that are not there yet."""
    label = url.rsplit("/", 1)[-1]
    head = client.head(url)
    members: list[_Member] | None = None
    if head.ranges and head.size is not None:
        try:
            members = _read_directory(_RemoteSource(client, url, head.size), url)
        except _NoRanges as no_ranges:
            no_ranges.response.close()
    whole: Path | None = None
    if members is None:
        logger.info("%s: the server does not send byte ranges; downloading it whole", url)
        whole = cache / f"{_safe(label)}.part"
        _download_whole(client, url, whole, head, progress, label)
        try:
            members = _read_directory(_FileSource(whole), url)
        except DataError:
            _discard(whole)
            raise

    by_name = _index(members)
    todo: list[tuple[str, _Member]] = []
    for rel, kind in wanted.items():
        member = by_name.get(rel)
        if member is None:
            if kind == "street":
                report.missing.append(rel)
                logger.warning("%s: %s is not in the archive", url, rel)
            continue
        target = dest / rel
        if target.exists():
            if _same_file(target, member):
                report.skipped.append(rel)
                logger.info("%s: already present, skipped", rel)
            else:
                report.kept.append(rel)
                logger.warning("%s: present and different from the archive's; kept", rel)
            continue
        todo.append((rel, member))

    total = sum(member.span for _, member in todo) if whole is None else 0
    done = 0
    for rel, member in todo:
        if whole is None:
            part = (
                cache / f"{_safe(label)}-{member.offset}-{member.compressed}-{member.crc:08x}.part"
            )
            base = done

            def step(got: int, _span: int, _base: int = base, _rel: str = rel) -> None:
                if progress is not None:
                    progress(_base + got, total, _rel)

            client.download_range(url, member.offset, member.span, part, step)
            done += member.span
            try:
                with part.open("rb") as raw:
                    _extract(raw, member, url, dest / rel)
            finally:
                part.unlink()  # good bytes are written; bad ones are fetched afresh next time
        else:
            try:
                with whole.open("rb") as raw:
                    raw.seek(member.offset)
                    _extract(raw, member, url, dest / rel)
            except DataError:
                _discard(whole)
                raise
        report.added.append(rel)
        logger.info("%s: added", rel)
    if whole is not None:
        _discard(whole)


def _discard(part: Path) -> None:
    """Remove a whole-archive ``.part`` file and its state."""
    part.unlink(missing_ok=True)
    part.with_suffix(".json").unlink(missing_ok=True)


def _index(members: list[_Member]) -> dict[str, _Member]:
    """Members by name, also by name below one top folder (``data/2019-01/…``)."""
    by_name: dict[str, _Member] = {}
    for member in members:
        name = member.name.lstrip("./")
        by_name.setdefault(name, member)
        top, _, rest = name.partition("/")
        if rest.count("/") == 1 and not _MONTH.match(top):
            by_name.setdefault(rest, member)
    return by_name


def _same_file(path: Path, member: _Member) -> bool:
    if path.stat().st_size != member.size:
        return False
    crc = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc == member.crc


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


# --------------------------------------------------------------------------- zip reading


class _Source:
    """Random access to an archive's bytes."""

    size: int

    def read(self, start: int, length: int) -> bytes:
        raise NotImplementedError


class _FileSource(_Source):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size

    def read(self, start: int, length: int) -> bytes:
        with self.path.open("rb") as handle:
            handle.seek(start)
            return handle.read(length)


class _RemoteSource(_Source):
    def __init__(self, client: _Client, url: str, size: int) -> None:
        self.client, self.url, self.size = client, url, size

    def read(self, start: int, length: int) -> bytes:
        return self.client.get_range(self.url, start, length)


def _read_directory(source: _Source, url: str) -> list[_Member]:
    """Find the end-of-central-directory record and read the central directory."""
    size = source.size
    for length in (_SHORT_TAIL, _TAIL):  # most archives have no comment: try a short read first
        tail_start = max(0, size - length)
        tail = source.read(tail_start, size - tail_start)
        position = _find_eocd(tail)
        if position >= _ZIP64_LOCATOR.size or (position >= 0 and tail_start == 0):
            break
    else:
        raise _broken(url, "no end-of-central-directory record: not a zip archive")
    (_, disk, cd_disk, _, count, cd_size, cd_offset, _) = _EOCD.unpack_from(tail, position)
    locator = position - _ZIP64_LOCATOR.size
    if locator >= 0 and _ZIP64_LOCATOR.unpack_from(tail, locator)[0] == _ZIP64_LOCATOR_SIG:
        record_at = _ZIP64_LOCATOR.unpack_from(tail, locator)[2]
        record = source.read(record_at, _ZIP64_EOCD.size)
        if len(record) < _ZIP64_EOCD.size or _ZIP64_EOCD.unpack(record)[0] != _ZIP64_EOCD_SIG:
            raise _broken(url, "the ZIP64 end-of-central-directory record is missing")
        (_, _, _, _, disk, cd_disk, _, count, cd_size, cd_offset) = _ZIP64_EOCD.unpack(record)
    if disk != 0 or cd_disk != 0:
        raise _broken(url, "multi-part (spanned) archives are not supported")
    if cd_offset + cd_size > size or cd_size > _MAX_CENTRAL_DIRECTORY:
        raise _broken(url, "the central directory lies outside the archive")
    if tail_start <= cd_offset:
        directory = tail[cd_offset - tail_start : cd_offset - tail_start + cd_size]
    else:
        directory = source.read(cd_offset, cd_size)
    members = _parse_directory(directory, count, url)
    boundaries = sorted({member.offset for member in members} | {cd_offset})
    spanned = []
    for member in members:
        after = bisect.bisect_right(boundaries, member.offset)
        following = boundaries[after] if after < len(boundaries) else member.offset
        longest = _LOCAL.size + 2 * 0xFFFF + member.compressed
        span = min(following - member.offset, longest)
        if span < _LOCAL.size + len(member.name.encode()) + member.compressed:
            raise _broken(url, f"{member.name}: the member overlaps the next record")
        spanned.append(dataclasses.replace(member, span=span))
    return spanned


def _find_eocd(tail: bytes) -> int:
    position = len(tail)
    while True:
        position = tail.rfind(b"PK\x05\x06", 0, position)
        if position < 0 or position + _EOCD.size > len(tail):
            if position < 0:
                return -1
            continue
        comment = _EOCD.unpack_from(tail, position)[7]
        if position + _EOCD.size + comment == len(tail):
            return position


def _parse_directory(directory: bytes, count: int, url: str) -> list[_Member]:
    members: list[_Member] = []
    at = 0
    while at + _CENTRAL.size <= len(directory) and len(members) < count:
        fields = _CENTRAL.unpack_from(directory, at)
        if fields[0] != _CENTRAL_SIG:
            raise _broken(url, f"bad central directory entry at byte {at}")
        flags, method, crc, compressed, size = fields[3], fields[4], fields[7], fields[8], fields[9]
        name_len, extra_len, comment_len, offset = fields[10], fields[11], fields[12], fields[16]
        start = at + _CENTRAL.size
        raw_name = directory[start : start + name_len]
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
        extra = directory[start + name_len : start + name_len + extra_len]
        size, compressed, offset = _zip64_sizes(extra, size, compressed, offset)
        members.append(_Member(name, method, flags, crc, compressed, size, offset))
        at = start + name_len + extra_len + comment_len
    if len(members) != count:
        raise _broken(url, f"the central directory lists {len(members)} of {count} members")
    return members


def _zip64_sizes(extra: bytes, size: int, compressed: int, offset: int) -> tuple[int, int, int]:
    """Apply a ZIP64 extra field (id 0x0001) to the 32-bit fields that overflowed."""
    at = 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, at)
        body = extra[at + 4 : at + 4 + length]
        if tag == 0x0001:
            values = [v for (v,) in struct.iter_unpack("<Q", body[: len(body) // 8 * 8])]
            if size == 0xFFFFFFFF and values:
                size = values.pop(0)
            if compressed == 0xFFFFFFFF and values:
                compressed = values.pop(0)
            if offset == 0xFFFFFFFF and values:
                offset = values.pop(0)
            break
        at += 4 + length
    return size, compressed, offset


def _extract(raw: BinaryIO, member: _Member, url: str, target: Path) -> None:
    """Inflate one member from ``raw`` (at its local header) into ``target``, checked.

    The bytes go to a hidden temporary file beside ``target``, which replaces nothing:
    it becomes ``target`` only once the CRC-32 and size match.
    """
    header = raw.read(_LOCAL.size)
    if len(header) < _LOCAL.size or _LOCAL.unpack(header)[0] != _LOCAL_SIG:
        raise _broken(url, f"{member.name}: no local file header where the directory points")
    name_len, extra_len = _LOCAL.unpack(header)[9:11]
    raw.read(name_len + extra_len)
    if member.flags & 0x1:
        raise _broken(url, f"{member.name}: the member is encrypted")
    if member.method not in (_STORED, _DEFLATED):
        raise _broken(url, f"{member.name}: compression method {member.method} is not supported")
    inflater = zlib.decompressobj(-15) if member.method == _DEFLATED else None

    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    crc = written = 0
    try:
        with os.fdopen(descriptor, "wb") as out:
            left = member.compressed
            while left > 0:
                chunk = raw.read(min(_CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                data = inflater.decompress(chunk) if inflater is not None else chunk
                crc, written = zlib.crc32(data, crc), written + len(data)
                out.write(data)
            if inflater is not None:
                tail = inflater.flush()
                crc, written = zlib.crc32(tail, crc), written + len(tail)
                out.write(tail)
            out.flush()
            os.fsync(out.fileno())
        if crc != member.crc:
            raise DataError(
                Problem(
                    url,
                    member.name,
                    "corrupt member refused: CRC-32 does not match, nothing written",
                    expected=f"{member.crc:08x}",
                    got=f"{crc:08x}",
                )
            )
        if written != member.size or left:
            raise DataError(
                Problem(
                    url,
                    member.name,
                    "corrupt member refused: size does not match, nothing written",
                    expected=f"{member.size} bytes",
                    got=f"{written} bytes",
                )
            )
        if target.exists():  # appeared meanwhile: never overwrite
            raise DataError(Problem(str(target), "", "appeared while fetching; left as it is"))
        os.replace(temp, target)
    except zlib.error as error:
        raise DataError(
            Problem(
                url,
                member.name,
                "corrupt member refused: the compressed data cannot be inflated, nothing written",
                got=str(error),
            )
        ) from None
    finally:
        temp.unlink(missing_ok=True)


def _broken(url: str, what: str) -> DataError:
    return DataError(Problem(url, "", what))


# --------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class _Head:
    size: int | None
    ranges: bool
    validator: str | None


class _NoRanges(Exception):
    """The server answered a ``Range`` request with the whole file (``200``)."""

    def __init__(self, response: http.client.HTTPResponse) -> None:
        super().__init__("no ranges")
        self.response = response


class _Client:
    """Bounded, timed HTTP requests whose failures become one-line toolkit errors."""

    def __init__(self, *, timeout: float, attempts: int) -> None:
        self.timeout = timeout
        self.attempts = attempts
        self.received = 0

    def head(self, url: str) -> _Head:
        """The archive's size, whether it is served in byte ranges, and its validator."""
        for attempt in self._tries(url):
            with attempt:
                try:
                    response = self._open(url, method="HEAD")
                except _HTTPStatus as status:
                    if status.code in (405, 501):  # HEAD not served: read it whole
                        return _Head(None, False, None)
                    raise status.failure(url) from None
                with response:
                    length = response.headers.get("Content-Length")
                    ranges = "bytes" in response.headers.get("Accept-Ranges", "").lower()
                    validator = response.headers.get("ETag") or response.headers.get(
                        "Last-Modified"
                    )
                    size = int(length) if length and length.isdigit() else None
                    return _Head(size, ranges, validator)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_range(self, url: str, start: int, length: int) -> bytes:
        """The bytes ``start`` to ``start + length - 1``, in one ``206`` answer."""
        if length <= 0:
            return b""
        for attempt in self._tries(url):
            with attempt:
                response = self._open_status(url, {"Range": _range(start, start + length - 1)})
                if response.status == 200:
                    raise _NoRanges(response)
                with response:
                    _check_content_range(response, url, start, start + length - 1)
                    data = response.read(length)
                    self.received += len(data)
                    if len(data) < length:
                        raise http.client.IncompleteRead(data, length - len(data))
                    return data
        raise AssertionError("unreachable")  # pragma: no cover

    def download_range(
        self, url: str, start: int, length: int, part: Path, step: Callable[[int, int], None]
    ) -> None:
        """Fill ``part`` with bytes ``start`` … ``start + length - 1``, continuing it."""
        part.parent.mkdir(parents=True, exist_ok=True)
        for attempt in self._tries(url):
            with attempt:
                have = part.stat().st_size if part.exists() else 0
                if have > length:
                    part.unlink()
                    have = 0
                step(have, length)
                if have == length:
                    return
                first = start + have
                response = self._open_status(url, {"Range": _range(first, start + length - 1)})
                if response.status == 200:
                    response.close()
                    raise _broken(url, "the server stopped sending byte ranges; try again")
                with response, part.open("ab") as out:
                    _check_content_range(response, url, first, start + length - 1)
                    self._copy(response, out, length - have, have, length, step)
                if part.stat().st_size != length:
                    raise http.client.IncompleteRead(b"", length - part.stat().st_size)
                return

    def download_whole(
        self, url: str, part: Path, head: _Head, step: Callable[[int, int], None]
    ) -> None:
        """Fill ``part`` with the whole file, continuing it where the server allows."""
        part.parent.mkdir(parents=True, exist_ok=True)
        state = part.with_suffix(".json")
        for attempt in self._tries(url):
            with attempt:
                have = part.stat().st_size if part.exists() else 0
                same = bool(head.validator) and _read_state(state) == [url, head.validator]
                if same and have and have == head.size:
                    step(have, have)  # finished by an earlier run
                    return
                headers: dict[str, str] = {}
                if same and have and head.validator:
                    headers = {"Range": f"bytes={have}-", "If-Range": head.validator}
                response = self._open_status(url, headers)
                with response:
                    if response.status == 206:
                        _check_content_range(response, url, have, None)
                        mode = "ab"
                    else:
                        have, mode = 0, "wb"
                    length = response.headers.get("Content-Length")
                    total = have + int(length) if length and length.isdigit() else head.size or 0
                    state.write_text(json.dumps([url, head.validator]), encoding="utf-8")
                    with part.open(mode) as out:
                        copied = self._copy(response, out, None, have, total, step)
                if total and have + copied != total:
                    raise http.client.IncompleteRead(b"", total - have - copied)
                return

    def _copy(
        self,
        response: http.client.HTTPResponse,
        out: IO[bytes],
        limit: int | None,
        base: int,
        total: int,
        step: Callable[[int, int], None],
    ) -> int:
        """Copy up to ``limit`` bytes (all, when ``None``), telling ``step(base + n, total)``."""
        copied = 0
        while limit is None or copied < limit:
            want = _CHUNK if limit is None else min(_CHUNK, limit - copied)
            chunk = response.read(want)
            if not chunk:
                break
            out.write(chunk)
            out.flush()
            copied += len(chunk)
            self.received += len(chunk)
            step(base + copied, total)
        return copied

    def _tries(self, url: str) -> Iterator[_Attempt]:
        """Yield up to ``attempts`` tries; the last failure becomes a ToolkitError."""
        for number in range(1, self.attempts + 1):
            attempt = _Attempt(url, number, self.attempts, self.timeout)
            yield attempt
            if attempt.succeeded:
                return
            time.sleep(min(0.2 * number, 2.0))

    def _open_status(
        self, url: str, headers: dict[str, str], *, method: str = "GET"
    ) -> http.client.HTTPResponse:
        try:
            return self._open(url, method=method, headers=headers)
        except _HTTPStatus as status:
            raise status.failure(url) from None

    def _open(
        self, url: str, *, method: str = "GET", headers: dict[str, str] | None = None
    ) -> http.client.HTTPResponse:
        request = urllib.request.Request(url, method=method, headers=dict(headers or {}))
        request.add_header("User-Agent", "opcc-toolkit fetch-data")
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)  # noqa: S310
        except urllib.error.HTTPError as error:
            error.close()
            raise _HTTPStatus(error.code, str(error.reason)) from None
        except urllib.error.URLError as error:
            raise _connection_error(url, error.reason, self.timeout) from None
        except (http.client.HTTPException, OSError) as error:
            raise _connection_error(url, error, self.timeout) from None
        if not isinstance(response, http.client.HTTPResponse):  # pragma: no cover
            response.close()
            raise ToolkitError(f"{url}: not an http(s) address")
        return response


class _HTTPStatus(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"HTTP {code} {reason}")
        self.code, self.reason = code, reason

    def failure(self, url: str) -> Exception:
        """What to raise: a retryable failure for a server error, else a ToolkitError."""
        if self.code >= 500 and self.code != 501:
            return _Transient(f"HTTP {self.code} {self.reason}")
        if self.code == 404:
            return DataError(
                Problem(
                    url,
                    "",
                    "no such archive (HTTP 404)",
                    expected=f"one of the archives listed at {url.rsplit('/', 1)[0]}/",
                )
            )
        if self.code == 416:
            return DataError(
                Problem(url, "", "the archive changed while it was read (HTTP 416); try again")
            )
        return ToolkitError(
            f"{url}: the server refused the request (HTTP {self.code} {self.reason})"
        )


class _Transient(Exception):
    """A failure worth another try: a dropped connection, a timeout, a server error."""


def _connection_error(url: str, reason: object, timeout: float) -> Exception:
    if isinstance(reason, TimeoutError):
        return _Transient(f"no answer within {timeout:g} s")
    if isinstance(reason, ConnectionRefusedError):
        return _Transient("connection refused")
    if isinstance(reason, socket.gaierror):
        return _Transient(f"cannot resolve the host name ({reason.strerror})")
    if isinstance(reason, OSError) and reason.strerror:
        return _Transient(reason.strerror.lower())
    return _Transient(str(reason) or type(reason).__name__)


class _Attempt:
    """One try of a request: a context manager that records success or a retryable failure."""

    def __init__(self, url: str, number: int, attempts: int, timeout: float) -> None:
        self.url, self.number, self.attempts, self.timeout = url, number, attempts, timeout
        self.succeeded = False

    def __enter__(self) -> _Attempt:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: object
    ) -> bool:
        if error is None:
            self.succeeded = True
            return False
        if isinstance(error, ToolkitError | _NoRanges):
            return False
        if isinstance(
            error, http.client.IncompleteRead | ConnectionError | http.client.HTTPException
        ):
            reason = "the connection was cut before the transfer finished"
        elif isinstance(error, TimeoutError):
            reason = f"no answer within {self.timeout:g} s"
        elif isinstance(error, _Transient):
            reason = str(error)
        elif isinstance(error, OSError):
            reason = (error.strerror or str(error)).lower()
        else:
            return False
        logger.warning("%s: %s (try %d of %d)", self.url, reason, self.number, self.attempts)
        if self.number >= self.attempts:
            tries = "try" if self.attempts == 1 else "tries"
            raise ToolkitError(
                f"{self.url}: {reason} after {self.attempts} {tries}; check the network "
                "and run fetch-data again (it continues where it stopped)"
            ) from None
        return True


def _range(first: int, last: int) -> str:
    return f"bytes={first}-{last}"


def _check_content_range(
    response: http.client.HTTPResponse, url: str, first: int, last: int | None
) -> None:
    match = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", response.headers.get("Content-Range", ""))
    if match is None or int(match[1]) != first or (last is not None and int(match[2]) != last):
        raise _broken(
            url,
            f"the server sent another byte range than asked for "
            f"(asked {first}-{'' if last is None else last}, "
            f"got {response.headers.get('Content-Range', 'none')!r})",
        )


def _read_state(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _download_whole(
    client: _Client, url: str, part: Path, head: _Head, progress: Progress | None, label: str
) -> None:
    def step(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total, label)

    client.download_whole(url, part, head, step)
