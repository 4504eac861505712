"""Helpers shared by several test modules (fixtures live in ``conftest.py``; test modules
import plain helpers from here, never from ``conftest``)."""

from __future__ import annotations

from pathlib import Path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """Write rows to the first sheet of a new workbook (as a force's tracker export)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def flag_encrypted(path: Path, member: str) -> Path:
    """Mark ``member`` of the zip at ``path`` as encrypted (general purpose flag bit 0), in
    its local header and the central directory, as a password-protected zip marks it.

    :mod:`zipfile` cannot write an encrypted member; its reader then refuses to open this
    one (``RuntimeError: File … is encrypted``), as it does a real one.
    """
    import zipfile

    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
        local = info.header_offset
    data = bytearray(path.read_bytes())
    assert data[local : local + 4] == b"PK\x03\x04"
    data[local + 6] |= 0x1
    name = member.encode()
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        length = int.from_bytes(data[central + 28 : central + 30], "little")
        if bytes(data[central + 46 : central + 46 + length]) == name:
            data[central + 8] |= 0x1
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    return path


def declare_size(path: Path, member: str, size: int) -> Path:
    """Make the central directory of the zip at ``path`` declare ``size`` bytes for
    ``member`` (its uncompressed size), as a crafted zip bomb may: what a zip declares is
    all a guard can check before inflating."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        archive.getinfo(member)
    data = bytearray(path.read_bytes())
    name = member.encode()
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        length = int.from_bytes(data[central + 28 : central + 30], "little")
        if bytes(data[central + 46 : central + 46 + length]) == name:
            data[central + 24 : central + 28] = size.to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    return path


def stored_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A zip whose members are stored (not compressed): its sizes are exactly the data's."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path
