"""The counting rule over parsed data.police.uk files, and what a period's count holds.

For one force, one period and one crime type, the count is the number of distinct
non-empty ``Crime ID`` values plus the number of rows with an empty ``Crime ID``;
:func:`count_parts` applies it across the files (months) of a period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.performance.policeuk_parse import Parsed


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


def no_rows(parsed: Parsed) -> bool:
    """True for a file with no crime to count: a header and no data rows (or rows of bare
    commas), or a damaged file (``parsed.damage``). Its month is missing, not zero."""
    return bool(parsed.damage) or (parsed.codes.size == 0 and not any(parsed.empty.values()))


def count_parts(parts: Sequence[Parsed]) -> dict[str, int]:
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
