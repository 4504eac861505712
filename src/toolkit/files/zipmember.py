"""Whether a zip archive, or one of its members, is plausible enough to read.

One rule for every zip-based input, applied before anything is inflated: each member
goes through :func:`check_member` with the limits of its kind.

- a data.police.uk download (:data:`POLICE_UK`, each member as it is needed):
  ``fetch-data`` before it downloads a member, the data reader before it reads one,
  ``toolkit example`` before it extracts one. A monthly street-level file is tens of MB
  and CSV compresses about 5 to 10 times; a member declaring more than
  :data:`MAX_MEMBER_BYTES`, or inflating more than :data:`MAX_RATIO` times, is refused
  unread (a zip bomb or a damaged archive);
- an Office file (:func:`check_archive`, every member at once): an ``.xlsx`` update file
  or a ``.docx`` letter as sent (:data:`DOCUMENT`), an ``.ods``/``.xlsx`` recorded crime
  table (:data:`TABLE`). A member larger than :data:`RATIO_FLOOR` may inflate at most
  :data:`OFFICE_RATIO` times (spreadsheet XML compresses far better than CSV: a real ODS
  table's content inflates about 70 times; a zip bomb about 1,000), and all members
  together to at most :data:`DOCUMENT_BYTES` or :data:`TABLE_BYTES`.

An encrypted member is refused in every kind: the toolkit has no password to give, and
Python's :mod:`zipfile` would otherwise stop with an exception.

The sizes are those the archive declares. A reader inflating a member never trusts them
further than this check: ``fetch-data`` stops once a member passes its declared size, and
:mod:`zipfile` refuses a member whose inflated size differs from the declared one.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Limits:
    """What one kind of zip-based input may declare (see the module docstring)."""

    max_ratio: int
    ratio_floor: int = 0
    max_member: int | None = None
    max_total: int | None = None
    monthly: bool = False
    """Word the refusal for a data.police.uk monthly file, not an Office file's member."""


POLICE_UK = Limits(max_ratio=MAX_RATIO, max_member=MAX_MEMBER_BYTES, monthly=True)
DOCUMENT = Limits(max_ratio=OFFICE_RATIO, ratio_floor=RATIO_FLOOR, max_total=DOCUMENT_BYTES)
TABLE = Limits(max_ratio=OFFICE_RATIO, ratio_floor=RATIO_FLOOR, max_total=TABLE_BYTES)


def check_member(info: zipfile.ZipInfo, file: str, field: str, limits: Limits) -> None:
    """The one check of a zip member, before it is inflated: refuse it when it is
    encrypted, or declares more than ``limits`` allow.

    ``file`` and ``field`` name it in the message: for a monthly file its label (the
    archive and the member), otherwise the archive, the member being named in the words.

    Raises
    ------
    DataError
        One line, with the declared sizes.
    """
    member = "" if limits.monthly else f" {info.filename!r}"
    if info.flag_bits & 0x1:
        raise DataError(
            Problem(
                file,
                field,
                f"refused: the member{member} is encrypted (password-protected) and cannot be read",
                expected="a file saved without a password",
            )
        )
    ratio = info.file_size / max(1, info.compress_size)
    too_big = limits.max_member is not None and info.file_size > limits.max_member
    too_packed = info.file_size > limits.ratio_floor and ratio > limits.max_ratio
    if not (too_big or too_packed):
        return
    got = f"{info.file_size:,} bytes from {info.compress_size:,}"
    if limits.monthly:
        raise DataError(
            Problem(
                file,
                field,
                "refused: the member is implausibly large or compressed for a monthly file",
                expected=f"at most {(limits.max_member or 0) >> 20:,} MB, inflating at most "
                f"{limits.max_ratio} times",
                got=got,
            )
        )
    raise DataError(
        Problem(
            file,
            field,
            f"refused: the member{member} is implausibly "
            + ("large" if too_big else "compressed")
            + " (a zip bomb or a damaged file)",
            expected=f"members inflating at most {limits.max_ratio} times",
            got=got,
        )
    )


def check_plausible(info: zipfile.ZipInfo, file: str, field: str = "") -> None:
    """:func:`check_member` for a member of a data.police.uk download."""
    check_member(info, file, field, POLICE_UK)


def check_archive(path: Path, display: str, field: str = "", *, limits: Limits) -> None:
    """Refuse, before it is read, a zip-based file with a member :func:`check_member`
    refuses, or whose members together declare more than ``limits.max_total``.

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
        check_member(info, display, field, limits)
        total += info.file_size
    if limits.max_total is not None and total > limits.max_total:
        raise DataError(
            Problem(
                display,
                field,
                "refused: the file would inflate to an implausible size",
                expected=f"at most {limits.max_total >> 20:,} MB once unzipped",
                got=f"{total:,} bytes from {path.stat().st_size:,}",
            )
        )
