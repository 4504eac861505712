"""Benchmark: ``toolkit fetch-data`` against a realistic archive served on 127.0.0.1.

Builds a monthly archive in data.police.uk's layout from the sample street-level files
(``data/sample/police-uk``, five months of six forces), duplicated under 20 force slugs
for 3 months: per force and month a ``-street.csv``, an ``-outcomes.csv`` (a street file
again: only its size matters here) and a small ``-stop-and-search.csv``, deflated as
data.police.uk's are. A local HTTP server on 127.0.0.1 serves it with byte ranges (or,
for the fallback, without). Then, in the same run, each version of the fetch code
fetches, in a fresh subprocess each time (so imports and caches are not shared):

- ``peers``: a force and 7 peers, 3 months, street and outcomes (48 members) over ranges;
- ``all``: all 20 forces (120 members) over ranges;
- ``whole``: the force and its peers from a server that does not send ranges (the archive
  is downloaded whole, then read).

With ``--fsspec``, fsspec's zip filesystem over its http one (aiohttp), with its default
5 MiB read-ahead blocks, fetches the same members too: a measure of the library alone,
without resume, retries or checks of its own.

Versions: this source tree, and with ``--baseline REV`` (a git revision, e.g. the commit
before fetch moved onto remotezip) or ``--baseline DIR`` (a source tree containing
``src/toolkit``) that version too. Each is run ``--repeat`` times (alternating); the
median wall and CPU seconds of the fetch (imports excluded) are printed, with the ratio
baseline / this, and the files written are checked to be identical. Run with::

    .venv/bin/python benchmarks/bench_fetch.py --baseline 7395303

Contains public sector information licensed under the Open Government Licence v3.0
(data.police.uk).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sample import ROOT, SAMPLE, SAMPLE_FORCES, SAMPLE_MONTHS  # benchmarks/sample.py

SLUGS = [
    "avon-and-somerset",
    "bedfordshire",
    "cambridgeshire",
    "cheshire",
    "cleveland",
    "cumbria",
    "derbyshire",
    "devon-and-cornwall",
    "dorset",
    "durham",
    "essex",
    "gloucestershire",
    "hampshire",
    "hertfordshire",
    "kent",
    "lancashire",
    "norfolk",
    "suffolk",
    "surrey",
    "wiltshire",
]
MONTHS = ["2019-01", "2019-02", "2019-03"]
PEERS = ["dorset", "avon-and-somerset", "devon-and-cornwall", "gloucestershire",
         "hampshire", "wiltshire", "surrey", "kent"]  # fmt: skip
SCENARIOS = {"peers": (PEERS, True), "all": (SLUGS, True), "whole": (PEERS, False)}

CHILD = """
import json, resource, sys, time
from toolkit.fetch import fetch_months
months, forces, dest, base = json.loads(sys.argv[1])
cpu0, wall0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
report = fetch_months(months, forces, dest, base_url=base)
wall, cpu1 = time.perf_counter() - wall0, resource.getrusage(resource.RUSAGE_SELF)
cpu = cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime
print(json.dumps({"wall": wall, "cpu": cpu, "added": len(report.added),
                  "bytes": report.downloaded_bytes, "maxrss_mb": cpu1.ru_maxrss / 1024}))
"""

FSSPEC_CHILD = """
import json, os, resource, sys, time
import fsspec
months, forces, dest, base = json.loads(sys.argv[1])
cpu0, wall0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
archive = fsspec.filesystem("zip", fo=base + "2019-03.zip", target_protocol="http")
added = 0
for month in months:
    for force in forces:
        for kind in ("street", "outcomes"):
            name = f"{month}/{month}-{force}-{kind}.csv"
            if archive.exists(name):
                os.makedirs(os.path.join(dest, month), exist_ok=True)
                archive.get_file(name, os.path.join(dest, name))
                added += 1
wall, cpu1 = time.perf_counter() - wall0, resource.getrusage(resource.RUSAGE_SELF)
cpu = cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime
print(json.dumps({"wall": wall, "cpu": cpu, "added": added, "bytes": 0,
                  "maxrss_mb": cpu1.ru_maxrss / 1024}))
"""


def build(path: Path) -> None:
    """Write the archive: 20 forces x 3 months, street, outcomes and stop and search."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, month in enumerate(MONTHS):
            for j, slug in enumerate(SLUGS):
                sample_month = SAMPLE_MONTHS[(i + j) % len(SAMPLE_MONTHS)]
                sample_force = SAMPLE_FORCES[(i + 2 * j) % len(SAMPLE_FORCES)]
                street = SAMPLE / sample_month / f"{sample_month}-{sample_force}-street.csv"
                archive.write(street, f"{month}/{month}-{slug}-street.csv")
                other = SAMPLE_FORCES[(i + 2 * j + 1) % len(SAMPLE_FORCES)]
                outcomes = SAMPLE / sample_month / f"{sample_month}-{other}-street.csv"
                archive.write(outcomes, f"{month}/{month}-{slug}-outcomes.csv")
                archive.writestr(
                    f"{month}/{month}-{slug}-stop-and-search.csv",
                    "Type,Date,Part of a policing operation\n"
                    + "Person search,2019-01-05,False\n" * (50 + j),
                )


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    data = b""
    ranges = True
    sent = [0]  # bytes of body sent, over all requests

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_HEAD(self) -> None:  # noqa: N802
        self.answer(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self.answer(body=True)

    def answer(self, *, body: bool) -> None:
        data, start, end = self.data, 0, len(self.data) - 1
        wanted = self.headers.get("Range") if self.ranges and body else None
        if wanted:
            match = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted)
            assert match is not None
            if match[1]:
                start, end = int(match[1]), min(int(match[2] or end), end)
            else:
                start = max(0, len(data) - int(match[2]))
        self.send_response(206 if wanted else 200)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("ETag", '"bench-1"')
        if self.ranges:
            self.send_header("Accept-Ranges", "bytes")
        if wanted:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.end_headers()
        if body:
            view = memoryview(data)[start : end + 1]
            for at in range(0, len(view), 1 << 20):
                self.wfile.write(view[at : at + (1 << 20)])
            self.sent[0] += len(view)


def serve(data: bytes, ranges: bool) -> tuple[ThreadingHTTPServer, str]:
    handler = type("Serving", (Handler,), {"data": data, "ranges": ranges})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/archive/"


def source_of(baseline: str, work: Path) -> Path:
    """A source tree for ``baseline``: a folder as it is, or a git revision exported."""
    if Path(baseline).is_dir():
        return Path(baseline).resolve()
    tree = work / "baseline"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", baseline, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def run_once(src: Path | None, forces: list[str], dest: Path, base: str) -> dict[str, float]:
    """One fetch in a fresh interpreter: ``src``'s fetch-data, or fsspec's zip over http."""
    env = {**os.environ, "PYTHONPATH": str(src / "src")} if src else dict(os.environ)
    args = json.dumps([MONTHS, forces, str(dest), base])
    before = Handler.sent[0]
    done = subprocess.run(
        [sys.executable, "-c", CHILD if src else FSSPEC_CHILD, args],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        failure = done.stderr.strip().splitlines()[-1]
        return {"wall": math.nan, "cpu": math.nan, "added": 0, "bytes": 0, "error": failure}
    result = json.loads(done.stdout.splitlines()[-1])
    return {**result, "bytes": Handler.sent[0] - before}


def digest(folder: Path) -> str:
    hashed = hashlib.sha256()
    for path in sorted(folder.rglob("*.csv")):
        hashed.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return hashed.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", help="git revision or source tree to compare with")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--fsspec",
        action="store_true",
        help="also time fsspec's zip filesystem over its http one (needs fsspec, aiohttp)",
    )
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-fetch-") as temp:
        work = Path(temp)
        path = work / "2019-03.zip"
        build(path)
        data = path.read_bytes()
        with zipfile.ZipFile(path) as archive:
            count, raw = len(archive.infolist()), sum(i.file_size for i in archive.infolist())
        print(f"archive: {count} members, {raw / 1e6:.0f} MB inflated, {len(data) / 1e6:.1f} MB")
        versions: dict[str, Path | None] = {"this": ROOT}
        if options.baseline:
            versions = {"baseline": source_of(options.baseline, work), **versions}
        if options.fsspec:
            versions["fsspec"] = None
        servers = {ranges: serve(data, ranges) for ranges in (True, False)}
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        digests: dict[str, set[str]] = {}
        for scenario, (forces, ranges) in SCENARIOS.items():
            base = servers[ranges][1]
            for turn in range(options.repeat):
                for name, src in versions.items():
                    dest = work / f"out-{scenario}-{name}-{turn}"
                    result = run_once(src, forces, dest, base)
                    results.setdefault((scenario, name), []).append(result)
                    if "error" not in result:
                        digests.setdefault(scenario, set()).add(digest(dest))
            if len(digests[scenario]) != 1:
                raise SystemExit(f"{scenario}: the versions wrote different files")
        for httpd, _ in servers.values():
            httpd.shutdown()

    print()
    print("| scenario | version | members | MB sent by the server | wall s | CPU s | peak MB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (scenario, name), runs in results.items():
        if "error" in runs[0]:
            print(f"| {scenario} | {name} | fails: {runs[0]['error']} | | | | |")
            continue
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        print(
            f"| {scenario} | {name} | {runs[0]['added']:.0f} | {runs[0]['bytes'] / 1e6:.1f} "
            f"| {wall:.3f} | {cpu:.3f} | {max(r['maxrss_mb'] for r in runs):.0f} |"
        )
    if "baseline" in versions:
        print()
        print("| scenario | wall: this / baseline | CPU: this / baseline |")
        print("|---|---:|---:|")
        for scenario in SCENARIOS:
            this, before = results[(scenario, "this")], results[(scenario, "baseline")]
            wall = statistics.median(r["wall"] for r in this) / statistics.median(
                r["wall"] for r in before
            )
            cpu = statistics.median(r["cpu"] for r in this) / statistics.median(
                r["cpu"] for r in before
            )
            print(f"| {scenario} | {wall:.2f}x | {cpu:.2f}x |")


if __name__ == "__main__":
    main()
