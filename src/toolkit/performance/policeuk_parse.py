"""Parse one data.police.uk street-level or outcomes file into (category, ID hash) pairs.

Only the ``Crime ID`` and type columns are converted (pyarrow's CSV reader); IDs
are reduced to 64-bit hashes (:func:`hash_ids`), so that the counting rule
(:mod:`toolkit.performance.policeuk_count`) works on integers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from toolkit.errors import DataError, Problem, shown

STREET_COLUMNS = ("Crime ID", "Month", "Crime type")
"""The street-level columns a file must have; every other column is skipped."""

OUTCOME_COLUMNS = ("Crime ID", "Month", "Outcome type")
"""The outcomes-file columns that are read."""

HEADER_BYTES = 64 * 1024
"""How much of a file is read to find its header row."""

_HEX = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX[_c] = _i


@dataclass
class Parsed:
    """What one file contributes: (category, ID hash) per row with an ID, and empty-ID rows.

    ``labels`` are the categories (crime types or outcome types), ``codes`` index
    into them, ``hashes`` are the IDs' 64-bit hashes (repeats are kept: they are
    removed when files are combined) and ``empty`` counts rows with no ``Crime ID``
    per category. A damaged file holds no rows and says why in ``damage``.
    """

    labels: list[str]
    codes: np.ndarray
    hashes: np.ndarray
    empty: dict[str, int] = field(default_factory=dict)
    damage: str = ""
    """Why the file cannot be counted ('' when it can): see :func:`parse_file`."""


def parse_file(
    data: bytes | Path, label: str, kind: str = "street", month: str | None = None
) -> Parsed:
    """Parse one street-level or outcomes file into (category, ID hash) pairs.

    A row is a crime (or an outcome) only when it has a ``Month`` and a type: a row of
    bare commas is not counted. A file that cannot be read whole is *damaged* and
    counts nothing (its month is then missing, never a lower count; the
    :class:`Parsed` says why, with the first line that goes wrong):

    - fewer (or more) rows read than the file has lines: a stray quotation mark opens
      a field that swallows the lines after it;
    - a row with more or fewer fields than the header;
    - a street-level row whose ``Month`` is not the file's own (``month``).

    Parameters
    ----------
    data
        The file's bytes, or its path.
    label
        How messages name the file.
    kind
        ``street`` (category = ``Crime type``) or ``outcomes`` (``Outcome type``).
    month
        The file's month (``YYYY-MM``, from its name), checked against each street row.

    Raises
    ------
    DataError
        When the header lacks a needed column or the file cannot be read at all.
    """
    needed = STREET_COLUMNS if kind == "street" else OUTCOME_COLUMNS
    category = needed[2]
    raw = data if isinstance(data, bytes) else read_all(data, label)
    header = header_names(raw[:HEADER_BYTES], label)
    for column in needed:
        if column not in header:
            raise DataError(
                Problem(
                    label,
                    column,
                    "column missing from the header",
                    expected=f"a data.police.uk {kind} file with columns {', '.join(needed)}",
                    got=shown(",".join(header), 200),
                )
            )
    try:
        table = pacsv.read_csv(
            pa.BufferReader(raw),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                include_columns=["Crime ID", "Month", category],
                column_types={
                    "Crime ID": pa.string(),
                    "Month": pa.string(),
                    category: pa.dictionary(pa.int32(), pa.string()),
                },
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return _damaged(raw, header, month if kind == "street" else None)
    except OSError as exc:
        raise DataError(
            Problem(label, "", "cannot be read as a CSV file", got=shown(str(exc), 160))
        ) from None
    months = table["Month"].combine_chunks()
    if table.num_rows != _data_lines(raw) or (
        kind == "street" and month and _other_month(months, month)
    ):
        return _damaged(raw, header, month if kind == "street" else None)
    types = table[category].combine_chunks()
    type_text = pc.cast(types, pa.string())
    crime = pc.and_(pc.greater(pc.utf8_length(months), 0), pc.greater(pc.utf8_length(type_text), 0))
    if not pc.all(crime).as_py():
        table = table.filter(crime)
    return _summarise(table["Crime ID"], table[category])


def _other_month(months: pa.Array, month: str) -> bool:
    """Whether a row names a month other than the file's (an empty Month is no crime)."""
    stated = pc.greater(pc.utf8_length(months), 0)
    return bool(pc.any(pc.and_(stated, pc.not_equal(months, month))).as_py())


def _data_lines(raw: bytes) -> int:
    """Non-empty lines after the header: the rows a well-formed file holds."""
    buffer = np.frombuffer(raw, dtype=np.uint8)
    ends = np.flatnonzero(buffer == 10)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(buffer)]))
    lengths = stops - starts
    carriage = np.zeros(len(stops), dtype=bool)
    filled = lengths > 0
    carriage[filled] = buffer[stops[filled] - 1] == 13
    return max(0, int(np.count_nonzero(lengths - carriage > 0)) - 1)


def _damaged(raw: bytes, header: list[str], month: str | None) -> Parsed:
    """An empty :class:`Parsed` saying where the file first goes wrong."""
    return Parsed(
        [], np.empty(0, np.int32), np.empty(0, np.uint64), {}, _first_fault(raw, header, month)
    )


def _first_fault(raw: bytes, header: list[str], month: str | None) -> str:
    """The first line of a damaged file and what is wrong there (read row by row)."""
    text = raw.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    where = {name: index for index, name in enumerate(header)}
    line = 1
    try:
        next(reader)
        for record in reader:
            start, line = line + 1, reader.line_num
            if not record:
                continue
            if line > start:
                return (
                    f"line {start:,}: a quoted field runs over {line - start + 1:,} lines "
                    "(a stray quotation mark?)"
                )
            if len(record) != len(header):
                return f"line {start:,}: {len(record)} fields, expected {len(header)}"
            stated = record[where["Month"]].strip()
            if month and stated and stated != month:
                return f"line {start:,}: Month is {shown(stated)}, not the file's {month}"
    except csv.Error as exc:  # a field past the csv module's limit: a quote left open
        if "field larger" in str(exc):
            return (
                f"line {line + 1:,}: a quoted field runs on over the lines after it "
                "(a stray quotation mark?)"
            )
        return f"line {line + 1:,}: {exc}"
    return "the rows cannot be read whole"


def read_all(path: Path, label: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(Problem(label, "", "cannot be opened", got=shown(str(exc)))) from None


def read_head(path: Path, label: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(HEADER_BYTES)
    except OSError as exc:
        raise DataError(Problem(label, "", "cannot be opened", got=shown(str(exc)))) from None


def header_names(head: bytes, label: str) -> list[str]:
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    text = first.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise DataError(
            Problem(label, "", "the file is empty", expected="a header row and data rows")
        )
    row = next(csv.reader(io.StringIO(text)))
    return [name.strip() for name in row]


def _summarise(ids: pa.ChunkedArray, categories: pa.ChunkedArray) -> Parsed:
    ids_arr = ids.combine_chunks()
    cats = categories.combine_chunks()
    if isinstance(cats, pa.ChunkedArray):  # pragma: no cover - defensive
        cats = cats.combine_chunks()
    labels = [str(v) for v in cats.dictionary.to_pylist()]
    codes = cats.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    lengths = pc.binary_length(ids_arr).to_numpy(zero_copy_only=False)
    empty = lengths == 0
    empty_counts: dict[str, int] = {}
    if empty.any():
        counted = np.bincount(codes[empty], minlength=len(labels))
        empty_counts = {labels[i]: int(n) for i, n in enumerate(counted) if n}
    keep = ~empty
    hashes = hash_ids(ids_arr.filter(pa.array(keep)) if not keep.all() else ids_arr)
    return Parsed(labels=labels, codes=codes[keep], hashes=hashes, empty=empty_counts)


def hash_ids(ids: pa.Array) -> np.ndarray:
    """64-bit hashes of non-empty IDs.

    data.police.uk IDs are 64 lower-case hex digits (a SHA-256): their first 16
    digits are taken as the hash directly, which is fast and effectively
    collision-free. Any other ID is hashed with pandas' SipHash.
    """
    n = len(ids)
    out = np.empty(n, dtype=np.uint64)
    if n == 0:
        return out
    lengths = pc.binary_length(ids).to_numpy(zero_copy_only=False)
    is64 = lengths == 64
    fast_ok = np.zeros(n, dtype=bool)
    if is64.any():
        sub = ids if is64.all() else ids.filter(pa.array(is64))
        sub = pa.concat_arrays([sub]) if sub.offset else sub
        offsets = np.frombuffer(sub.buffers()[1], dtype=np.int32, count=len(sub) + 1)
        data = np.frombuffer(sub.buffers()[2], dtype=np.uint8)
        block = data[offsets[0] : offsets[0] + 64 * len(sub)].reshape(-1, 64)[:, :16]
        nibbles = _HEX[block]
        valid = (nibbles != 255).all(axis=1)
        values = np.zeros(len(sub), dtype=np.uint64)
        for column in range(16):
            values = (values << np.uint64(4)) | nibbles[:, column].astype(np.uint64)
        where = np.flatnonzero(is64)
        out[where] = values
        fast_ok[where[valid]] = True
    slow = ~fast_ok
    if slow.any():
        rest = ids.filter(pa.array(slow)).to_numpy(zero_copy_only=False).astype(object)
        out[slow] = pd.util.hash_array(rest, categorize=False)
    return out
