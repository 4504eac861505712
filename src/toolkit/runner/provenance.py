"""Provenance: which inputs and which code produced each output of a run.

``<out>/<quarter>/manifest.json`` records, for each briefing, the params files and the
data files it used (path and SHA-256), its status and times, plus the run's package
versions and the project's git commit::

    {
      "quarter": "2018-19-Q3",
      "params_root": "/…/params",
      "code": {"commit": "abc1234…", "versions": {"toolkit": "0.1.0", …}},
      "started": "2026-11-29T14:03:00Z", "ended": "…",
      "outputs": {
        "both-sides-of-the-coin": {
          "status": "ok", "folder": "both-sides-of-the-coin", …,
          "params": [{"path": "force.yaml", "sha256": "…"}, …],
          "data": [{"path": "../data/sample/police-uk/2018-10/…", "sha256": "…"}, …]
        }
      }
    }

Paths are relative to the params root (as params files write them). The data files
listed are those the briefing's readers recorded reading (:mod:`toolkit.files.reads`):
the user's path of each, with the SHA-256 of the run's copy that was read. A briefing
that failed before writing its outputs recorded nothing and lists none. For a zipped
download the zip itself is hashed. :func:`data_files` says ahead of a run which files
it is expected to read, so that the run freezes a copy of each
(:func:`toolkit.files.snapshot.data_snapshot`). The briefing footer shows the short
form (:func:`footer`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import subprocess
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from toolkit.files.resources import checkout
from toolkit.quarters import Quarter
from toolkit.record.params import Params

log = logging.getLogger("toolkit")

PACKAGES = ("papermill", "nbconvert", "nbclient", "pandas", "matplotlib")
"""Packages whose versions are recorded (with the toolkit's and Python's)."""

PROJECT = checkout()
"""The source checkout the toolkit runs from (where ``git rev-parse HEAD`` is asked);
``None`` for an installed wheel, whose commit is not known."""

_BLOCK = 1 << 20


def versions() -> dict[str, str | None]:
    """The toolkit's, Python's and :data:`PACKAGES`' versions (``None`` when absent)."""
    from toolkit import __version__

    found: dict[str, str | None] = {"toolkit": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def git_commit(folder: Path | None = PROJECT) -> str | None:
    """The commit checked out in ``folder``, or ``None`` (no folder, no git, not a repository…).

    Never raises.
    """
    if folder is None:
        return None
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) >= 7 else None


def utc_now() -> datetime:
    """The current time, UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """``2026-11-29T14:03:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Hasher:
    """SHA-256 of files, each file read once however many briefings use it (thread-safe)."""

    def __init__(self) -> None:
        self._known: dict[Path, str] = {}
        self._lock = threading.Lock()

    def sha256(self, path: Path) -> str:
        """The file's SHA-256, hex."""
        key = path.resolve()
        with self._lock:
            if key in self._known:
                return self._known[key]
        digest = hashlib.sha256()
        with open(key, "rb") as handle:
            while block := handle.read(_BLOCK):
                digest.update(block)
        with self._lock:
            self._known[key] = digest.hexdigest()
        return self._known[key]

    def entries(
        self, root: Path, paths: list[Path], shown: Callable[[Path], Path] | None = None
    ) -> list[dict[str, str]]:
        """``[{"path": …, "sha256": …}]``, paths relative to ``root`` where possible.

        ``shown`` gives the path to record for a file hashed (the user's file a run's
        copy stands for: :meth:`toolkit.record.params.Params.source_of`).
        """
        show = shown or (lambda path: path)
        return [{"path": _relative(show(p), root), "sha256": self.sha256(p)} for p in paths]


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()


def params_files(params: Params) -> list[Path]:
    """The params files of the root (:attr:`toolkit.record.params.Params.files`)."""
    return list(params.files)


def data_files(params: Params, quarter: Quarter) -> list[Path]:
    """The data files a briefing for ``quarter`` is expected to read, sorted: what a run
    freezes a copy of before its briefings start. The manifest lists what each briefing
    recorded reading instead (:mod:`toolkit.files.reads`).

    The force's street-level and outcomes files for every month of the trend
    quarters (which include the same quarter a year earlier) and its outcomes files
    of every later month, the peers'
    street-level files for the quarter's months, and the population and
    recorded-crime files. When the quarter is incomplete in the data, the same
    for the latest complete quarter before it, which the figures describe. A
    zipped data.police.uk download is listed as the zip. Which files a folder holds is
    read by :class:`toolkit.performance.PoliceUkData` (names only, no file is parsed), so
    the list follows the layout the figures are read in.
    """
    # pandas and numpy: imported only when a run records its inputs.
    from toolkit.performance import PoliceUkData
    from toolkit.performance.figures import TREND_QUARTERS, latest_complete_quarter

    data = params.force.data
    found: set[Path] = set()
    if data.police_uk:
        source = params.path(data.police_uk)
        if source.is_file():
            found.add(source)
        elif source.is_dir():
            force = params.force.force.police_uk
            with PoliceUkData(source) as police_uk:
                files = police_uk.files
            held = {month for (slug, month, kind) in files if slug == force and kind == "street"}
            described = latest_complete_quarter(held, quarter) or quarter
            trend = {q.shift(-i) for q in (quarter, described) for i in range(TREND_QUARTERS)}
            wanted = {
                (force, m, k) for q in trend for m in q.months for k in ("street", "outcomes")
            }
            wanted |= {
                (peer, m, "street")
                for peer in params.force.peers
                for m in (*quarter.months, *described.months)
            }
            # Outcomes are looked up in every outcomes file from the quarter's first
            # month on (:meth:`~toolkit.performance.PoliceUkData.outcomes`).
            first = min(described.months)
            wanted |= {
                key for key in files if key[0] == force and key[2] == "outcomes" and key[1] >= first
            }
            found.update(files[key].path for key in wanted if key in files)
    for extra in (data.population, data.recorded_crime):
        if extra and params.path(extra).is_file():
            found.add(params.path(extra))
    return sorted(found)


def footer(
    started: datetime, commit: str | None, params: Params, hasher: Hasher, version: str
) -> str:
    """The briefing footer's provenance line.

    ``Generated 2026-11-29 14:03 UTC by opcc-toolkit 0.1.0 (commit abc1234) from
    params/ (force.yaml sha256 1a2b3c4d…)``
    """
    force_yaml = params.root / "force.yaml"
    commit_text = f" (commit {commit[:7]})" if commit else ""
    return (
        f"Generated {started:%Y-%m-%d %H:%M} UTC by opcc-toolkit {version}{commit_text} "
        f"from {params.origin.name}/ (force.yaml sha256 {hasher.sha256(force_yaml)[:8]}…)"
    )


def read_manifest(path: Path) -> dict[str, Any]:  # free-form: JSON an earlier run wrote
    """An earlier run's manifest, or an empty one when there is none (or it is unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
