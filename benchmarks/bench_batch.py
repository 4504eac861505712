"""Benchmark ``toolkit run --all`` against the naive loop, on a quarter of reports.

Copies ``params/`` into a temporary folder with ``--reports`` report files, then, in the
same run, for each variant:

* **copies**: the demo report and copies of it, each with the demo's update rows (every
  briefing draws the same charts);
* **realistic**: as many reports on different themes -- each its own title and crime
  types, some sharing a crime type with another (as a quarter's reports do);

and for each:

* **batch**: ``toolkit run --all --quarter 2018-19-Q3 --jobs N`` (one process; pooled,
  pre-warmed kernels; shared data cache, starting cold);
* **naive**: for each report, ``papermill`` (CLI) then
  ``jupyter nbconvert --to html --no-input``, as subprocesses, one after the other;
* with ``--spawn``, also the batch with ``TOOLKIT_KERNEL_FORK=0``: every kernel spawned
  as a fresh interpreter instead of forked from the kernel zygote (what Windows and
  macOS do).

Prints wall and CPU times (CPU: every process of the run, kernels included, from
``RUSAGE_CHILDREN``; less sensitive than wall time to other work on the machine), the
ratios and the batch's per-briefing breakdown from ``manifest.json`` (kernel start and
imports happen before a briefing is assigned its kernel, shutdown after it is done:
both overlap other briefings' work).

With ``--baseline DIR`` (a source tree of an earlier version), that version's batch is
timed too, in the same run, against the same naive loop (run with this version).

Usage: ``python benchmarks/bench_batch.py [--reports 12] [--jobs 2] [--spawn]
[--variant copies|realistic|both] [--baseline DIR]``. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
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
"""The quarter briefed: that of the first update file of the params copied (set in main)."""
SOURCE = PROJECT / "params"
"""The params root the benchmark copies (``--params-from``)."""
DEMO = "both-sides-of-the-coin"


THEMES = [
    ("Serious violence", ["Violence and sexual offences"]),
    ("Burglary and the victims of burglary", ["Burglary"]),
    ("Vehicle crime", ["Vehicle crime", "Burglary"]),
    ("Anti-social behaviour and public order", ["Anti-social behaviour", "Public order"]),
    ("Robbery and theft from the person", ["Robbery", "Theft from the person"]),
    ("Retail crime", ["Shoplifting"]),
    ("The night-time economy", ["Violence and sexual offences", "Public order"]),
    ("Criminal damage", ["Criminal damage and arson"]),
    ("Drug supply", ["Drugs"]),
    ("Domestic abuse", ["Violence and sexual offences"]),
    ("Knife crime", ["Possession of weapons", "Robbery"]),
]
"""(title, crime types) of the realistic quarter's reports after the demo, in turn."""


def make_params(target: Path, reports: int, *, realistic: bool = False) -> list[str]:
    """A params root like ``params/`` with ``reports`` reports: copies of the demo report,
    or (``realistic``) reports on :data:`THEMES` with the demo's items and updates."""
    shutil.copytree(SOURCE, target)
    force = (target / "force.yaml").read_text(encoding="utf-8")
    data = (PROJECT / "data").as_posix()
    (target / "force.yaml").write_text(re.sub(r"\.\./data", data, force), encoding="utf-8")
    report = (target / "reports" / f"{DEMO}.yaml").read_text(encoding="utf-8")
    updates_path = target / "updates" / f"{QUARTER}.csv"
    header, *rows = updates_path.read_text(encoding="utf-8").splitlines()
    ids = [DEMO] + [f"copy-{n:02d}" for n in range(1, reports)]
    extra = []
    for n, report_id in enumerate(ids[1:]):
        text = report
        if realistic:
            title, types = THEMES[n % len(THEMES)]
            text = re.sub(r"(?m)^title: .*$", f'title: "{title} ({n + 1})"', text)
            text = re.sub(r"(?m)^crime_types: .*$", f"crime_types: {json.dumps(types)}", text)
        (target / "reports" / f"{report_id}.yaml").write_text(text, encoding="utf-8")
        extra += [row.replace(DEMO, report_id, 1) for row in rows if row.startswith(DEMO)]
    updates_path.write_text("\n".join([header, *rows, *extra]) + "\n", encoding="utf-8")
    return ids


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_batch(
    params: Path, out: Path, jobs: int, *, fork: bool = True, code: Path | None = None
) -> tuple[float, float, dict]:
    env = dict(os.environ, TOOLKIT_KERNEL_FORK="1" if fork else "0")
    if code is not None:  # an earlier version of the toolkit, ahead of the installed one
        env["PYTHONPATH"] = str(code / "src")
    cpu = _cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "toolkit"), "run", "--all", "--quarter", QUARTER, "--params", str(params),
         "--out", str(out), "--jobs", str(jobs)],
        capture_output=True, text=True, cwd=PROJECT, env=env,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"toolkit run failed:\n{done.stdout}\n{done.stderr}")
    manifest = json.loads((out / QUARTER / "manifest.json").read_text())
    return seconds, _cpu() - cpu, manifest


def run_naive(params: Path, out: Path, ids: list[str]) -> tuple[float, float]:
    out.mkdir(parents=True)
    cpu = _cpu()
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
    return time.perf_counter() - started, _cpu() - cpu


def main() -> None:
    """Run every variant, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--spawn", action="store_true", help="also time the batch with spawned kernels"
    )
    parser.add_argument("--variant", choices=("copies", "realistic", "both"), default="both")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="also time the batch of an earlier version: a source tree "
        "(e.g. git archive COMMIT | tar -x -C DIR)",
    )
    parser.add_argument(
        "--params-from",
        type=Path,
        default=PROJECT / "params",
        help="the params root to copy (default params/); with --baseline give one the "
        "earlier version reads too, e.g. the baseline tree's own params/",
    )
    args = parser.parse_args()
    global QUARTER, SOURCE
    SOURCE = args.params_from.resolve()
    QUARTER = sorted((SOURCE / "updates").glob("*.csv"))[0].stem
    variants = ["copies", "realistic"] if args.variant == "both" else [args.variant]
    for variant in variants:
        measure(variant, args.reports, args.jobs, args.spawn, args.baseline)


def measure(variant: str, reports: int, jobs: int, spawn_too: bool, baseline: Path | None) -> None:
    """One variant: batch (and spawned batch), then the naive loop, then the table."""
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        base = Path(tmp)
        ids = make_params(base / "params", reports, realistic=variant == "realistic")
        before = None
        if baseline is not None:
            before = run_batch(base / "params", base / "out-before", jobs, code=baseline)
        batch = run_batch(base / "params", base / "out-batch", jobs)
        spawn: tuple[float, float, dict] | None = None
        if spawn_too:
            # Its own output folder, so its data cache starts cold too.
            spawn = run_batch(base / "params", base / "out-spawn", jobs, fork=False)
        naive, naive_cpu = run_naive(base / "params", base / "out-naive", ids)
    n = len(ids)
    print(f"{variant}: {n} briefings, --jobs {jobs}, {os.cpu_count()} CPU cores, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'':30}{'wall s':>8}{'s each':>8}{'naive/this':>12}{'CPU s':>8}{'naive/this':>12}")
    rows = [("batch (toolkit run)", batch[0], batch[1])]
    if before is not None:
        rows.insert(0, ("batch, baseline version", before[0], before[1]))
    if spawn is not None:
        rows.append(("batch, spawned kernels", spawn[0], spawn[1]))
    rows.append(("naive (papermill+nbconvert)", naive, naive_cpu))
    for label, seconds, cpu in rows:
        print(f"{label:30}{seconds:>8.1f}{seconds / n:>8.2f}{naive / seconds:>11.1f}x"
              f"{cpu:>8.1f}{naive_cpu / cpu:>11.1f}x")  # fmt: skip
    print()
    stages = ("wait", "kernel_start", "imports", "cells", "export", "shutdown")
    runs = [("batch", batch[2])] + ([("batch, spawned kernels", spawn[2])] if spawn else [])
    if before is not None:
        runs.insert(0, ("batch, baseline version", before[2]))
    for label, data in runs:
        print(f"{label}, per briefing (median / max seconds, wall time of each stage):")
        entries = [e["seconds"] for e in data["outputs"].values()]
        for stage in stages:
            values = [e.get(stage, 0.0) for e in entries]
            print(f"  {stage:14}{statistics.median(values):>8.2f}{max(values):>8.2f}")
    print(flush=True)


if __name__ == "__main__":
    main()
