"""Benchmark ``toolkit run --all`` against the naive loop, on copies of the demo report.

Copies ``params/`` into a temporary folder with ``--reports`` report files (the demo
report and copies of it, each with the demo's update rows), then, in the same run:

* **batch**: ``toolkit run --all --quarter 2018-19-Q3 --jobs N`` (one process; pooled,
  pre-warmed kernels; shared data cache, starting cold);
* **naive**: for each report, ``papermill`` (CLI) then
  ``jupyter nbconvert --to html --no-input``, as subprocesses, one after the other;
* with ``--spawn``, also the batch with ``TOOLKIT_KERNEL_FORK=0``: every kernel spawned
  as a fresh interpreter instead of forked from the kernel zygote (what Windows and
  macOS do).

Prints both wall times, the ratio and the batch's per-briefing breakdown from
``manifest.json`` (kernel start and imports happen before a briefing is assigned its
kernel, shutdown after it is done: both overlap other briefings' work).

Usage: ``python benchmarks/bench_batch.py [--reports 12] [--jobs 2] [--spawn]``. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUARTER = "2018-19-Q3"
DEMO = "both-sides-of-the-coin"


def make_params(target: Path, reports: int) -> list[str]:
    """A params root like ``params/`` with ``reports`` copies of the demo report."""
    shutil.copytree(PROJECT / "params", target)
    force = (target / "force.yaml").read_text(encoding="utf-8")
    data = (PROJECT / "data").as_posix()
    (target / "force.yaml").write_text(re.sub(r"\.\./data", data, force), encoding="utf-8")
    report = (target / "reports" / f"{DEMO}.yaml").read_text(encoding="utf-8")
    updates_path = target / "updates" / f"{QUARTER}.csv"
    header, *rows = updates_path.read_text(encoding="utf-8").splitlines()
    ids = [DEMO] + [f"copy-{n:02d}" for n in range(1, reports)]
    extra = []
    for report_id in ids[1:]:
        (target / "reports" / f"{report_id}.yaml").write_text(report, encoding="utf-8")
        extra += [row.replace(DEMO, report_id, 1) for row in rows if row.startswith(DEMO)]
    updates_path.write_text("\n".join([header, *rows, *extra]) + "\n", encoding="utf-8")
    return ids


def run_batch(params: Path, out: Path, jobs: int, *, fork: bool = True) -> tuple[float, dict]:
    env = dict(os.environ, TOOLKIT_KERNEL_FORK="1" if fork else "0")
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "toolkit"), "run", "--all", "--quarter", QUARTER, "--params", str(params),
         "--out", str(out), "--jobs", str(jobs)],
        capture_output=True, text=True, cwd=PROJECT, env=env,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"toolkit run failed:\n{done.stdout}\n{done.stderr}")
    return seconds, json.loads((out / QUARTER / "manifest.json").read_text())


def run_naive(params: Path, out: Path, ids: list[str]) -> float:
    out.mkdir(parents=True)
    started = time.perf_counter()
    for report_id in ids:
        folder = out / report_id
        folder.mkdir()
        executed = folder / "briefing.ipynb"
        subprocess.run(
            [str(BIN / "papermill"), str(PROJECT / "notebooks" / "briefing.ipynb"),
             str(executed), "-p", "report_id", report_id, "-p", "quarter", QUARTER,
             "-p", "params_dir", str(params), "-p", "output_dir", str(folder),
             "--no-progress-bar"],
            check=True, capture_output=True, cwd=PROJECT,
        )  # fmt: skip
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True, capture_output=True, cwd=PROJECT,
        )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    """Run both, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--spawn", action="store_true", help="also time the batch with spawned kernels"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        base = Path(tmp)
        ids = make_params(base / "params", args.reports)
        batch, manifest = run_batch(base / "params", base / "out-batch", args.jobs)
        spawn: tuple[float, dict] | None = None
        if args.spawn:
            # Its own output folder, so its data cache starts cold too.
            spawn = run_batch(base / "params", base / "out-spawn", args.jobs, fork=False)
        naive = run_naive(base / "params", base / "out-naive", ids)
    n = len(ids)
    print(f"{n} briefings, --jobs {args.jobs}, {os.cpu_count()} CPU cores")
    print(f"{'':30}{'total s':>10}{'s per briefing':>16}{'naive / this':>14}")
    rows = [("batch (toolkit run)", batch)]
    if spawn is not None:
        rows.append(("batch, spawned kernels", spawn[0]))
    rows.append(("naive (papermill+nbconvert)", naive))
    for label, seconds in rows:
        print(f"{label:30}{seconds:>10.1f}{seconds / n:>16.2f}{naive / seconds:>13.1f}x")
    print()
    stages = ("wait", "kernel_start", "imports", "cells", "export", "shutdown")
    runs = [("batch", manifest)] + ([("batch, spawned kernels", spawn[1])] if spawn else [])
    for label, data in runs:
        print(f"{label}, per briefing (median / max seconds, wall time of each stage):")
        entries = [e["seconds"] for e in data["outputs"].values()]
        for stage in stages:
            values = [e.get(stage, 0.0) for e in entries]
            print(f"  {stage:14}{statistics.median(values):>8.2f}{max(values):>8.2f}")


if __name__ == "__main__":
    main()
