"""Add data.police.uk months to the data folder: :func:`fetch_months` and its report.

For each archive :func:`~toolkit.fetch.plan.plan_archives` chooses, the archive's directory
is read (:mod:`toolkit.fetch.archive`, over :mod:`toolkit.fetch.client`) and only the
wanted members that are not already in the data folder are downloaded and written.

How it is read
--------------
Only the bytes needed are fetched. A ``HEAD`` request gives the archive's size and whether the
server takes byte ranges (``Accept-Ranges: bytes``). If it does, the archive is opened with
``remotezip``: its last 4 KiB are read with a ``Range`` request to find the
end-of-central-directory record (and its ZIP64 form), then the central directory if it lies
further up, then each wanted member's bytes (its local header and compressed data) with one
``Range`` request each; :mod:`zipfile` parses and inflates them. A server that does not
take ranges (no ``Accept-Ranges: bytes``, or a ``200`` answer to a ``Range`` request) is
read whole into a temporary file, and the members are read from that.

Every download goes to a ``.part`` file in a cache folder (by default ``.fetch-cache`` inside
the data folder), never to a data file's own name. An interrupted transfer is continued with a
``Range`` request from where it stopped, within the same run (``attempts`` tries) or in a
later run, since ``.part`` files are kept until their member has been written. A member's
``.part`` file is named for the member's offset, compressed size and CRC-32 in its archive, so
bytes of a different archive are never spliced together; a whole-archive ``.part`` file is
continued only with ``If-Range`` on the archive's ``ETag`` or ``Last-Modified``.

Existing files are never deleted or overwritten (data.police.uk only serves the last 36
months, so a month fetched earlier may no longer be obtainable): a file already present and
identical to the archive's member (same size and CRC-32) is skipped without being
downloaded; one that differs is kept as it is and reported.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import urllib.parse
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import DataError, InputError, Problem, shown
from toolkit.fetch.archive import Ranges, check_member, extract, open_ranged, open_whole, spans
from toolkit.fetch.client import CHUNK, MIN_RATE, RATE_WINDOW, Client, Head, NoRanges
from toolkit.fetch.plan import (
    DEFAULT_ARCHIVE_NAME,
    FORCES_FORM,
    MONTH_PATTERN,
    SLUG_PATTERN,
    plan_archives,
)

logger = logging.getLogger("toolkit")

DEFAULT_BASE_URL = "https://data.police.uk/data/archive/"
"""Where data.police.uk keeps its monthly archives."""

KINDS = ("street", "outcomes")
"""The member kinds fetched by default: street-level crime, and outcomes where present."""

Progress = Callable[[int, int, str], None]
"""``progress(done_bytes, total_bytes, label)``, called as bytes arrive."""

_KIND_NAMES = ("street", "outcomes", "stop-and-search")


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
    min_rate: float = MIN_RATE,
    rate_window: float = RATE_WINDOW,
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
    min_rate, rate_window
        The throughput floor: a transfer bringing fewer than ``min_rate`` bytes a second,
        averaged over ``rate_window`` seconds, is stopped and tried again (1 KiB/s over
        30 s by default); after ``attempts`` tries it is a one-line error.
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
        if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
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
    client = Client(
        timeout=timeout, attempts=max(1, attempts), min_rate=min_rate, rate_window=rate_window
    )
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


def _fetch_archive(
    client: Client,
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
    archive: zipfile.ZipFile | None = None
    ranges: Ranges | None = None
    if head.ranges and head.size is not None:
        try:
            archive, ranges = open_ranged(client, url, head.size)
        except NoRanges as no_ranges:
            no_ranges.response.close()
    whole = cache / f"{_safe(label)}.part"
    if archive is None:
        logger.info("%s: the server does not send byte ranges; downloading it whole", url)
        _download_whole(client, url, whole, head, progress, label)
    try:
        with archive or open_whole(whole, url) as opened:
            _write_members(opened, ranges, url, label, wanted, dest, cache, report, progress)
    except DataError:  # a corrupt archive is fetched afresh next time
        if ranges is None:
            _discard(whole)
        raise
    if ranges is None:
        _discard(whole)


def _write_members(
    archive: zipfile.ZipFile,
    ranges: Ranges | None,
    url: str,
    label: str,
    wanted: dict[str, str],
    dest: Path,
    cache: Path,
    report: FetchReport,
    progress: Progress | None,
) -> None:
    """Write the wanted members of ``archive`` that are not in ``dest`` yet.

    With ``ranges`` (the archive read over byte ranges), each member's bytes are first
    downloaded to a ``.part`` file named for its offset, compressed size and CRC-32, which
    is removed once the member has been checked (written, or refused as corrupt).
    """
    by_name = _index(archive.infolist())
    todo: list[tuple[str, zipfile.ZipInfo]] = []
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
        check_member(member, url)
        todo.append((rel, member))

    span = spans(archive)
    total = sum(span[member.header_offset] for _, member in todo) if ranges else 0
    done = 0
    for rel, member in todo:
        if ranges is None:
            extract(archive, member, url, dest / rel)
        else:
            offset, length = member.header_offset, span[member.header_offset]
            part = cache / f"{_safe(label)}-{offset}-{member.compress_size}-{member.CRC:08x}.part"
            base = done

            def step(got: int, _span: int, _base: int = base, _rel: str = rel) -> None:
                if progress is not None:
                    progress(_base + got, total, _rel)

            ranges.download(offset, length, part, step)
            done += length
            ranges.part = part
            try:
                extract(archive, member, url, dest / rel)
            finally:
                ranges.part = None
                part.unlink()  # good bytes are written; bad ones are fetched afresh next time
        report.added.append(rel)
        logger.info("%s: added", rel)


def _discard(part: Path) -> None:
    """Remove a whole-archive ``.part`` file and its state."""
    part.unlink(missing_ok=True)
    part.with_suffix(".json").unlink(missing_ok=True)


def _index(members: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """Members by name, also by name below one top folder (``data/2019-01/…``)."""
    by_name: dict[str, zipfile.ZipInfo] = {}
    for member in members:
        name = member.filename.lstrip("./")
        by_name.setdefault(name, member)
        top, _, rest = name.partition("/")
        if rest.count("/") == 1 and not MONTH_PATTERN.match(top):
            by_name.setdefault(rest, member)
    return by_name


def _same_file(path: Path, member: zipfile.ZipInfo) -> bool:
    if path.stat().st_size != member.file_size:
        return False
    crc = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc == member.CRC


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _download_whole(
    client: Client, url: str, part: Path, head: Head, progress: Progress | None, label: str
) -> None:
    def step(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total, label)

    client.download_whole(url, part, head, step)
