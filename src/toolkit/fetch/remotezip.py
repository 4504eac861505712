"""A zip archive's central directory and members, read without reading the whole archive.

:func:`_read_directory` reads the end of the archive (from a :class:`_RemoteSource`, with
``Range`` requests, or a :class:`_FileSource`, a whole archive already downloaded) to find the
end-of-central-directory record and its ZIP64 form, then the central directory; each
:class:`_Member` comes back with its ``span``, the bytes from its local header to the next
record, so that one ``Range`` request fetches it.

Each member is inflated (deflate, or stored) with :mod:`zlib` while it is written to a hidden
temporary file beside its final name; its CRC-32 and size are checked against the central
directory, and only then is the file moved into place with :func:`os.replace`. A member that
does not match is refused with a :class:`~toolkit.errors.DataError` naming the archive, the
member and the expected and found CRC-32, and nothing is written for it. Names inside the
archive are only matched against, never used as paths: every file written is named from a
validated month and force slug.
"""

from __future__ import annotations

import bisect
import dataclasses
import os
import secrets
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from toolkit.errors import DataError, OutputError, Problem
from toolkit.fetch.client import _CHUNK, _broken, _Client

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
    it becomes ``target`` only once the CRC-32 and size match. Inflating stops as
    soon as the output passes the member's declared size (a small member that
    inflates to gigabytes is refused having written no more than it claimed), and a
    write that fails (a full disk) is one line naming the file and the errno.
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

    temp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise OutputError(error, target, what="the fetched file") from None
    crc = written = 0
    try:
        with os.fdopen(descriptor, "wb") as out:
            left = member.compressed
            while left > 0:
                chunk = raw.read(min(_CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                room = member.size - written + 1  # one byte more shows an oversized member
                data = inflater.decompress(chunk, room) if inflater is not None else chunk
                if written + len(data) > member.size:
                    raise _oversized(url, member)
                crc, written = zlib.crc32(data, crc), written + len(data)
                out.write(data)
            if inflater is not None:
                tail = inflater.flush()
                if written + len(tail) > member.size:
                    raise _oversized(url, member)
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
    except OSError as error:
        raise OutputError(error, target, what="the fetched file") from None
    finally:
        temp.unlink(missing_ok=True)


def _oversized(url: str, member: _Member) -> DataError:
    return DataError(
        Problem(
            url,
            member.name,
            "corrupt member refused: it inflates past its declared size, nothing written",
            expected=f"{member.size} bytes",
            got="more",
        )
    )
