"""A monthly archive opened as a zip, and its members checked and written one by one.

The zip format (the end-of-central-directory record and its ZIP64 form, the central
directory, local headers, inflating) is read by :mod:`zipfile`: over HTTP byte ranges
through :class:`remotezip.RemoteZip` (:func:`open_ranged`), or from a whole archive
already downloaded (:func:`open_whole`). remotezip reads the archive's last 4 KiB (the
directory of a data.police.uk archive is further up, and is read with one more range),
and then each member with one range from its local header to the next record. Every
range goes through :class:`~toolkit.fetch.client.Client` (timeouts, retries, one-line
errors): :class:`_Fetcher` is remotezip's own extension point for how bytes are fetched.
A member's range is downloaded to a ``.part`` file first (:meth:`Ranges.download`), so
an interrupted transfer continues where it stopped; remotezip then reads it from there.

:func:`extract` writes one member. :func:`check_member` refuses it first, before a byte
of it is fetched, when it is encrypted, compressed by a method other than deflate or
none, or implausibly large or compressed for a monthly file (over 1 GiB, or inflating
more than 100 times). While it is inflated the bytes go to a hidden temporary file beside
the final name; the CRC-32 and size are checked against the central directory, and only
then is the file moved into place (:mod:`toolkit.files.atomic`, never over an existing file).
A member that does not match, or that inflates past its declared size (inflating stops
one byte past it), is refused with a :class:`~toolkit.errors.DataError` naming the
archive, the member and what was expected and found; nothing is written for it. A write
that fails (a full disk) is one :class:`~toolkit.errors.OutputError` line naming the file.
Names inside the archive are only matched against, never used as paths: every file
written is named from a validated month and force slug.
"""

from __future__ import annotations

import copy
import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import remotezip

from toolkit.errors import DataError, OutputError, Problem
from toolkit.fetch.client import Client, broken
from toolkit.files import atomic
from toolkit.files.zipmember import check_plausible

_INFLATE = 256 * 1024  # bytes inflated at a time: few calls into zlib, and in the CPU cache
_END_RECORD = 22  # the end-of-central-directory record, the least a zip can be
_TAIL = 4096  # most of an archive's end: its end records, and a small archive's directory
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


@dataclass
class Ranges:
    """Byte ranges of one archive, fetched through the toolkit's client.

    ``part`` is where the member being read is downloaded to; ``None`` while the
    directory is read (those ranges are small and kept in memory).
    """

    client: Client
    url: str
    size: int
    part: Path | None = None

    def read(self, first: int, length: int) -> IO[bytes]:
        if self.part is None:
            return io.BytesIO(self.client.get_range(self.url, first, length))
        self.download(first, length, self.part, lambda _done, _total: None)
        return self.part.open("rb")

    def download(
        self, first: int, length: int, part: Path, step: Callable[[int, int], None]
    ) -> None:
        """Fill ``part`` with the range, continuing it where an earlier try stopped."""
        self.client.download_range(self.url, first, length, part, step)


class _Fetcher(remotezip.RemoteFetcher):
    """remotezip's fetcher, fetching every range through :class:`Ranges`."""

    def __init__(self, url: str, session: object = None, *, ranges: Ranges, **kwargs: Any) -> None:
        super().__init__(url, session, **kwargs)
        self.ranges = ranges

    def fetch(self, data_range: tuple[int, int | None], stream: bool = False) -> Any:
        first, last = data_range
        if last is None:  # remotezip asks for the archive's end as a suffix range
            first, last = max(0, self.ranges.size + first), self.ranges.size - 1
        if first < 0 or last >= self.ranges.size:  # zipfile seeking before the archive's start
            raise zipfile.BadZipFile(f"bytes {first}-{last} lie outside the archive")
        length = last - first + 1
        # read whole into memory and the file closed, so a .part file can be removed
        return remotezip.PartialBuffer(self.ranges.read(first, length), first, length, False)


def open_ranged(client: Client, url: str, size: int) -> tuple[zipfile.ZipFile, Ranges]:
    """Read the directory of the archive at ``url`` (``size`` bytes) with byte ranges.

    Raises
    ------
    client.NoRanges
        When the server answers a range with the whole file: read it whole instead.
    DataError
        When the archive is not a readable zip.
    """
    ranges = Ranges(client, url, size)
    try:
        if size < _END_RECORD:
            raise zipfile.BadZipFile(f"{size} bytes, too short to be a zip")
        archive = remotezip.RemoteZip(
            url, initial_buffer_size=min(_TAIL, size), fetcher=_Fetcher, ranges=ranges
        )
    except (zipfile.BadZipFile, remotezip.RemoteZipError, EOFError, ValueError) as error:
        raise broken(url, f"not a readable zip archive ({error})") from None
    return archive, ranges


def open_whole(path: Path, url: str) -> zipfile.ZipFile:
    """Read the directory of a whole archive downloaded to ``path`` from ``url``."""
    try:
        if (size := path.stat().st_size) < _END_RECORD:
            raise zipfile.BadZipFile(f"{size} bytes, too short to be a zip")
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError) as error:
        raise broken(url, f"not a readable zip archive ({error})") from None


def spans(archive: zipfile.ZipFile) -> dict[int, int]:
    """Each member's bytes, from its local header to the next record, by header offset.

    The same ranges remotezip asks for when a member is opened.
    """
    starts = sorted({info.header_offset for info in archive.infolist()})
    ends = [*starts[1:], archive.start_dir]
    return {start: end - start for start, end in zip(starts, ends, strict=True)}


def check_member(info: zipfile.ZipInfo, url: str) -> None:
    """Refuse a member that cannot or should not be fetched, before fetching it."""
    if info.flag_bits & 0x1:
        raise broken(url, f"{info.filename}: the member is encrypted")
    if info.compress_type not in _METHODS:
        raise broken(
            url, f"{info.filename}: compression method {info.compress_type} is not supported"
        )
    check_plausible(info, url, info.filename)


def extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, url: str, target: Path) -> None:
    """Inflate the member ``info`` of ``archive`` into ``target``, checked.

    The bytes go to a hidden temporary file beside ``target``
    (:func:`~toolkit.files.atomic.replacing`,
    exclusive: it replaces nothing), which becomes ``target`` only once the CRC-32 and size
    match.

    Raises
    ------
    DataError
        When the member is refused by :func:`check_member`, its data cannot be inflated,
        it inflates past its declared size, or its CRC-32 or size does not match.
    OutputError
        When the file cannot be written (a full disk, no permission).
    """
    check_member(info, url)
    # zipfile stops at the declared size and checks a CRC-32 only where the ZipInfo has
    # one: this copy claims one byte more and has none, so that an oversized member shows
    # as that byte, and the CRC-32 is compared here, where the message can say what it was.
    reading = copy.copy(info)
    reading.file_size = info.file_size + 1
    del reading.CRC
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic.replacing(target, exclusive=True) as temp:
            _inflate(archive, reading, info, url, temp)
    except FileExistsError:  # appeared meanwhile: never overwrite
        raise DataError(
            Problem(str(target), "", "appeared while fetching; left as it is")
        ) from None
    except (zlib.error, EOFError, zipfile.BadZipFile) as error:
        raise DataError(
            Problem(
                url,
                info.filename,
                "corrupt member refused: the compressed data cannot be inflated, nothing written",
                got=str(error),
            )
        ) from None
    except OSError as error:
        raise OutputError(error, target, what="the fetched file") from None


def _inflate(
    archive: zipfile.ZipFile, reading: zipfile.ZipInfo, info: zipfile.ZipInfo, url: str, temp: Path
) -> None:
    """Inflate the member into ``temp``, checking its size and CRC-32 as it goes."""
    crc = written = 0
    with open(temp, "xb") as out, archive.open(reading) as member:
        while chunk := member.read(_INFLATE):
            if written + len(chunk) > info.file_size:
                raise _refused(
                    url,
                    info,
                    "it inflates past its declared size",
                    f"{info.file_size} bytes",
                    "more",
                )
            crc, written = zlib.crc32(chunk, crc), written + len(chunk)
            out.write(chunk)
    if crc != info.CRC:
        raise _refused(url, info, "CRC-32 does not match", f"{info.CRC:08x}", f"{crc:08x}")
    if written != info.file_size:
        raise _refused(
            url, info, "size does not match", f"{info.file_size} bytes", f"{written} bytes"
        )


def _refused(url: str, info: zipfile.ZipInfo, what: str, expected: str, got: str) -> DataError:
    return DataError(
        Problem(
            url,
            info.filename,
            f"corrupt member refused: {what}, nothing written",
            expected=expected,
            got=got,
        )
    )
