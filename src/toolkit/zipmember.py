"""Whether a zip archive, or one of its members, is plausible enough to read.

One rule for every zip-based input, applied before anything is inflated:

- a data.police.uk download (:func:`check_plausible`, per member): ``fetch-data`` before
  it downloads a member, the data reader before it reads one, ``toolkit example`` before
  it extracts one. A monthly street-level file is tens of MB and CSV compresses about 5
  to 10 times; a member declaring more than :data:`MAX_MEMBER_BYTES`, or inflating more
  than :data:`MAX_RATIO` times, is refused unread (a zip bomb or a damaged archive);
- an Office file — an ``.xlsx`` update file, an ``.ods``/``.xlsx`` recorded crime table,
  a ``.docx`` letter as sent (:func:`check_archive`, every member): its members together
  may declare at most ``max_total`` bytes (:data:`DOCUMENT_BYTES` for update files and
  letters, :data:`TABLE_BYTES` for recorded crime tables), and a member larger than
  :data:`RATIO_FLOOR` may inflate at most :data:`OFFICE_RATIO` times (spreadsheet XML
  compresses far better than CSV: a real ODS table's content inflates about 70 times;
  a zip bomb about 1,000).

In both, an encrypted member is refused: the toolkit has no password to give, and
Python's :mod:`zipfile` would otherwise stop with an exception.

The sizes are those the archive declares. A reader inflating a member never trusts them
further than this check: ``fetch-data`` stops once a member passes its declared size, and
:mod:`zipfile` refuses a member whose inflated size differs from the declared one.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from toolkit.errors import DataError, Problem

MAX_MEMBER_BYTES = 1 << 30
"""The largest data.police.uk member read (1 GiB; a real monthly file is tens of MB)."""
MAX_RATIO = 100
"""The most a data.police.uk member may inflate (CSV: 5 to 10 times; zeros: 1,000)."""

DOCUMENT_BYTES = 100 << 20
"""The most an update workbook or a Word letter may inflate to, all members together
(100 MiB; a workbook of a thousand items is a few MB)."""
TABLE_BYTES = 1 << 30
"""The most a recorded crime table (``.ods``/``.xlsx``) may inflate to, all members
together (1 GiB; the Home Office's largest quarterly table is a few hundred MB of XML)."""
OFFICE_RATIO = 250
"""The most a member of an Office file larger than :data:`RATIO_FLOOR` may inflate."""
RATIO_FLOOR = 1 << 20
"""Members that inflate to less than this (1 MiB) are not held to a ratio: small XML
parts (styles, an empty sheet) compress a hundred times and are harmless."""


def _refuse_encrypted(info: zipfile.ZipInfo, file: str, field: str, *, named: bool) -> None:
    """``named``: say which member (``file`` names the archive, not the member)."""
    if info.flag_bits & 0x1:
        member = f" {info.filename!r}" if named else ""
        raise DataError(
            Problem(
                file,
                field,
                f"refused: the member{member} is encrypted (password-protected) and cannot be read",
                expected="a file saved without a password",
            )
        )


def check_plausible(info: zipfile.ZipInfo, file: str, field: str = "") -> None:
    """Raise :class:`DataError` for a data.police.uk member that is encrypted, or too large
    or too compressed to be real data.

    ``file`` and ``field`` name it in the message (the archive and the member, or the
    member's label alone).
    """
    _refuse_encrypted(info, file, field, named=False)
    ratio = info.file_size / max(1, info.compress_size)
    if info.file_size > MAX_MEMBER_BYTES or ratio > MAX_RATIO:
        raise DataError(
            Problem(
                file,
                field,
                "refused: the member is implausibly large or compressed for a monthly file",
                expected=f"at most {MAX_MEMBER_BYTES >> 20:,} MB, inflating at most "
                f"{MAX_RATIO} times",
                got=f"{info.file_size:,} bytes from {info.compress_size:,}",
            )
        )


def check_archive(path: Path, display: str, field: str = "", *, max_total: int) -> None:
    """Refuse, before it is read, an Office file (a zip) that is encrypted or would
    inflate implausibly (see the module docstring).

    A file that is not a zip at all passes: the reader that follows says what it is not,
    in its own words.

    Raises
    ------
    DataError
        Naming ``display`` (and ``field``), with the declared sizes.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    total = 0
    for info in infos:
        _refuse_encrypted(info, display, field, named=True)
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > RATIO_FLOOR and ratio > OFFICE_RATIO:
            raise DataError(
                Problem(
                    display,
                    field,
                    f"refused: the member {info.filename!r} is implausibly compressed "
                    "(a zip bomb or a damaged file)",
                    expected=f"members inflating at most {OFFICE_RATIO} times",
                    got=f"{info.file_size:,} bytes from {info.compress_size:,}",
                )
            )
    if total > max_total:
        raise DataError(
            Problem(
                display,
                field,
                "refused: the file would inflate to an implausible size",
                expected=f"at most {max_total >> 20:,} MB once unzipped",
                got=f"{total:,} bytes from {path.stat().st_size:,}",
            )
        )
