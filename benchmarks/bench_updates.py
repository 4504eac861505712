"""Benchmark: reading update files (``updates/<quarter>.csv``), each row checked.

Times :func:`toolkit.record.updates.read_updates` on the example's update files
(``params/updates``) and on a generated file of 10,000 rows (100 reports of 100 items,
every row valid, some dated with ``as_at``); best of several repeats, in milliseconds.
Run with::

    .venv/bin/python benchmarks/bench_updates.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from toolkit.quarters import Quarter  # noqa: E402
from toolkit.record.params import load_params  # noqa: E402
from toolkit.record.updates import read_updates  # noqa: E402

ROWS = 10_000
REPEATS = 5


def _best(call, repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - began)
    return best * 1000


def _example() -> tuple[float, int]:
    params = load_params(ROOT / "params")
    refs = {rid: {item.ref for item in r.items} for rid, r in params.reports.items()}
    files = sorted((ROOT / "params" / "updates").glob("*.csv"))
    rows = 0

    def read_all() -> None:
        nonlocal rows
        rows = 0
        for path in files:
            updates, problems = read_updates(
                path, Quarter.parse(path.stem), f"updates/{path.name}", refs
            )
            assert not problems, problems
            rows += len(updates)

    return _best(read_all), rows


def _large(folder: Path) -> tuple[float, int]:
    quarter = Quarter.parse("2019-20-Q4")
    refs = {f"report-{r}": {f"R{i}" for i in range(100)} for r in range(100)}
    statuses = ["In progress", "complete", "not-started", "Pending sign-off"]
    lines = ["report,ref,status,update,evidence,owner,target_date,as_at,signed_off_by,closed_by"]
    for n in range(ROWS):
        report, ref = f"report-{n // 100}", f"R{n % 100}"
        as_at = "2020-02-15" if n % 3 == 0 else ""
        target = "31/03/2021" if n % 2 else "2021-06-30"
        lines.append(
            f'{report},{ref},{statuses[n % 4]},"Work on {ref}, with a comma",'
            f"Minutes {n},Head of {n % 7},{target},{as_at},,"
        )
    path = folder / "2019-20-Q4.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    count = 0

    def read() -> None:
        nonlocal count
        updates, problems = read_updates(path, quarter, "updates/2019-20-Q4.csv", refs)
        assert not problems, problems[:3]
        count = len(updates)

    return _best(read), count


def main() -> None:
    example_ms, example_rows = _example()
    with tempfile.TemporaryDirectory() as folder:
        large_ms, large_rows = _large(Path(folder))
    print(f"{'file':<28}{'rows':>8}{'ms (best of 5)':>18}")
    print(f"{'example (params/updates)':<28}{example_rows:>8}{example_ms:>18.1f}")
    print(f"{'generated':<28}{large_rows:>8}{large_ms:>18.1f}")


if __name__ == "__main__":
    main()
