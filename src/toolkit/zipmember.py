"""Whether a member of a data.police.uk zip is plausible enough to read.

One rule for both places that open such archives: ``fetch-data`` before it downloads a
member, and the data reader before it inflates one. A monthly street-level file is tens
of MB and CSV compresses about 5 to 10 times; a member declaring more than
:data:`MAX_MEMBER_BYTES`, or inflating more than :data:`MAX_RATIO` times, is refused
unread (a zip bomb or a damaged archive).
"""

from __future__ import annotations

import zipfile

from toolkit.errors import DataError, Problem

MAX_MEMBER_BYTES = 1 << 30
"""The largest member read (1 GiB; the largest real monthly file is tens of MB)."""
MAX_RATIO = 100
"""The most a member may inflate (CSV compresses about 5 to 10 times; zeros 1,000)."""


def check_plausible(info: zipfile.ZipInfo, file: str, field: str = "") -> None:
    """Raise :class:`DataError` for a member too large or too compressed to be real data.

    ``file`` and ``field`` name it in the message (the archive and the member, or the
    member's label alone).
    """
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
