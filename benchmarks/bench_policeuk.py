"""Benchmark: data.police.uk loading and counting at national scale.

Builds a national-sized download in a temporary folder by linking the sample
street-level files (data/sample/police-uk, five months of six forces) under the 43
territorial force slugs for 15 months (October 2017 to December 2018), then runs,
each in a fresh subprocess so peak memory is per approach:

- ``toolkit cold``: ``PoliceUkData.counts_many`` for every force, for 2018-19-Q3 and
  the same quarter a year earlier, with an empty cache;
- ``toolkit warm``: the same again, reading the cache written by the cold run;
- ``pandas``: ``pd.read_csv`` with default options on the same files, then
  ``groupby(...).nunique()`` plus the rows without an ID;
- ``duckdb``: the same aggregate in SQL directly on the same CSV files.

Each prints seconds (work only, imports excluded) and peak RSS; the counts of all
four are checked to agree. Run with::

    .venv/bin/python benchmarks/bench_policeuk.py [--keep DIR]

Contains public sector information licensed under the Open Government Licence v3.0
(data.police.uk).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from sample import ROOT, SAMPLE, SAMPLE_FORCES, SAMPLE_MONTHS  # benchmarks/sample.py

QUARTER = "2018-19-Q3"

sys.path.insert(0, str(ROOT / "src"))
from toolkit.performance.recorded_crime import HOME_OFFICE_NAMES  # noqa: E402
from toolkit.quarters import Quarter  # noqa: E402

SLUGS = sorted(HOME_OFFICE_NAMES)
MONTHS = [f"2017-{m:02d}" for m in (10, 11, 12)] + [f"2018-{m:02d}" for m in range(1, 13)]


def build(target: Path) -> int:
    """Link sample files into a 43-force, 15-month download; return its row count."""
    rows_in = {}
    for month in SAMPLE_MONTHS:
        for force in SAMPLE_FORCES:
            path = SAMPLE / month / f"{month}-{force}-street.csv"
            with open(path, "rb") as handle:
                rows_in[(month, force)] = sum(1 for _ in handle) - 1
    total = 0
    for i, month in enumerate(MONTHS):
        folder = target / month
        folder.mkdir(parents=True, exist_ok=True)
        source_month = SAMPLE_MONTHS[i % len(SAMPLE_MONTHS)]
        for j, slug in enumerate(SLUGS):
            # Weighted to the larger forces so the total is national-sized (~6 million).
            source_force = SAMPLE_FORCES[(i + j) % 3 if j % 4 else (i + j) % 6]
            src = SAMPLE / source_month / f"{source_month}-{source_force}-street.csv"
            os.symlink(src, folder / f"{month}-{slug}-street.csv")
            total += rows_in[(source_month, source_force)]
    return total


def wanted_files(root: Path) -> list[tuple[str, str, str]]:
    quarter = Quarter.parse(QUARTER)
    out = []
    for period in (quarter, quarter.year_earlier()):
        for month in period.months:
            for slug in SLUGS:
                out.append((str(root / month / f"{month}-{slug}-street.csv"), slug, period.id))
    return out


RUNNER_TOOLKIT = """
import time, sys, json, resource
sys.path.insert(0, {src!r})
from pathlib import Path
from toolkit.performance.policeuk import PoliceUkData
from toolkit.quarters import Quarter
slugs = {slugs!r}
quarter = Quarter.parse({quarter!r})
t0 = time.perf_counter()
data = PoliceUkData(Path({root!r}), cache_dir=Path({cache!r}))
result = {{}}
for period in (quarter, quarter.year_earlier()):
    counts = data.counts_many(slugs, period.months)
    for slug, c in counts.items():
        for t, n in c.counts.items():
            result[f"{{slug}}|{{period.id}}|{{t}}"] = n
seconds = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "rss_mb": rss, "result": result}}))
"""

RUNNER_PANDAS = """
import time, sys, json, resource
import pandas as pd
files = {files!r}
t0 = time.perf_counter()
frames = []
for path, slug, period in files:
    df = pd.read_csv(path)
    df["force"] = slug
    df["period"] = period
    frames.append(df)
df = pd.concat(frames, ignore_index=True)
keys = ["force", "period", "Crime type"]
distinct = df.groupby(keys)["Crime ID"].nunique()
empty = df[df["Crime ID"].isna()].groupby(keys).size()
total = distinct.add(empty, fill_value=0).astype(int)
result = {{f"{{f}}|{{p}}|{{t}}": int(n) for (f, p, t), n in total.items()}}
seconds = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "rss_mb": rss, "result": result}}))
"""

RUNNER_DUCKDB = """
import time, sys, json, resource
import duckdb
files = {files!r}
t0 = time.perf_counter()
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute("CREATE TEMP TABLE f(path VARCHAR, force VARCHAR, period VARCHAR)")
con.executemany("INSERT INTO f VALUES (?, ?, ?)", files)
paths = [p for p, _, _ in files]
rows = con.execute(
    '''
    SELECT f.force, f.period, c."Crime type",
           count(DISTINCT c."Crime ID") + count(*) FILTER (WHERE c."Crime ID" IS NULL) AS n
    FROM read_csv(?, filename = true, header = true) c JOIN f ON c.filename = f.path
    GROUP BY ALL
    ''',
    [paths],
).fetchall()
result = {{f"{{f}}|{{p}}|{{t}}": int(n) for f, p, t, n in rows}}
seconds = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "rss_mb": rss, "result": result}}))
"""


def run(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the data set here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        root = base / "police-uk"
        cache = base / "cache"
        rows = build(root)
        files = wanted_files(root)
        print(
            f"data set: {len(SLUGS)} forces x {len(MONTHS)} months = "
            f"{len(SLUGS) * len(MONTHS)} files, {rows:,} rows; "
            f"aggregate reads {len(files)} files ({QUARTER} and a year earlier); "
            f"{os.cpu_count()} CPUs",
            flush=True,
        )
        src = str(ROOT / "src")
        common = {"src": src, "slugs": SLUGS, "quarter": QUARTER, "root": str(root)}
        results = {}
        results["toolkit cold"] = run(RUNNER_TOOLKIT.format(cache=str(cache), **common))
        results["toolkit warm"] = run(RUNNER_TOOLKIT.format(cache=str(cache), **common))
        results["pandas read_csv + nunique"] = run(RUNNER_PANDAS.format(files=files))
        results["duckdb on the CSVs"] = run(RUNNER_DUCKDB.format(files=files))

        reference = results["duckdb on the CSVs"]["result"]
        for name, res in results.items():
            if res["result"] != reference:
                diff = set(res["result"].items()) ^ set(reference.items())
                raise SystemExit(f"{name} disagrees with duckdb: {sorted(diff)[:5]}")
        duck = results["duckdb on the CSVs"]["seconds"]
        pandas_s = results["pandas read_csv + nunique"]["seconds"]
        print(f"all four agree on {len(reference)} force/quarter/type counts\n")
        print(f"{'approach':28} {'seconds':>8} {'vs duckdb':>10} {'vs pandas':>10} {'peak MB':>8}")
        for name, res in results.items():
            print(
                f"{name:28} {res['seconds']:8.2f} {res['seconds'] / duck:9.2f}x "
                f"{res['seconds'] / pandas_s:9.2f}x {res['rss_mb']:8.0f}"
            )
        cold, warm = results["toolkit cold"], results["toolkit warm"]
        print(
            f"\ngoals: cold <= 1.5x duckdb: {cold['seconds'] <= 1.5 * duck}; "
            f"warm < 0.5 s: {warm['seconds'] < 0.5}; "
            f"peak < 2 GB: {max(r['rss_mb'] for r in (cold, warm)) < 2048}"
        )


if __name__ == "__main__":
    main()
