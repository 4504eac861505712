"""A run's ``manifest.json``: which params, data and code produced each briefing.

:func:`write_manifest` assembles the manifest from the run's results (the hashing,
versions and file lists come from :mod:`toolkit.runner.provenance`), keeping an earlier run's
entry for a report this run did not brief while its files are still as hashed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from toolkit.files import atomic
from toolkit.quarters import Quarter
from toolkit.record.params import Params
from toolkit.runner import provenance as manifest
from toolkit.runner.results import Result


def _still_there(quarter_dir: Path, entry: Any) -> bool:
    """An earlier run's manifest entry still describes the files in its folder."""
    if not isinstance(entry, dict) or not (quarter_dir / str(entry.get("folder"))).is_dir():
        return False
    fresh = manifest.Hasher()
    for file in entry.get("files") or []:
        path = quarter_dir / str(file.get("path", ""))
        try:
            if fresh.sha256(path) != file.get("sha256"):
                return False
        except OSError:
            return False
    return True


def write_manifest(
    params: Params,
    quarter: Quarter,
    out_root: Path,
    results: list[Result],
    *,
    hasher: manifest.Hasher,
    commit: str | None,
    versions: dict[str, str | None],
    started: datetime,
    ended: datetime,
) -> Path:
    """``manifest.json``: this run's outputs, plus earlier entries for reports not rerun."""
    quarter_dir = out_root / quarter.id
    path = quarter_dir / "manifest.json"
    earlier = manifest.read_manifest(path).get("outputs", {})
    params_entries = hasher.entries(params.root, manifest.params_files(params))

    def data_entries(result: Result) -> list[dict[str, str]]:
        # What the briefing's readers recorded (the run's copies), named by the user's files.
        # A file gone since (a copy removed with the cache) is not claimed.
        read = sorted((p for p in result.data_read or [] if p.is_file()), key=params.source_of)
        return hasher.entries(params.origin, read, shown=params.source_of)

    outputs: dict[str, Any] = {}  # free-form: JSON for disk, earlier runs' entries kept as read
    by_id = {r.report_id: r for r in results}
    for report_id in sorted(set(by_id) | set(earlier)):
        result = by_id.get(report_id)
        if result is None:
            if report_id in params.reports and _still_there(quarter_dir, earlier[report_id]):
                outputs[report_id] = earlier[report_id]
            continue
        outputs[report_id] = {
            "status": result.status,
            "error": result.error or None,
            "folder": report_id if result.ok else None,
            "failed_notebook": (
                result.failed_notebook.relative_to(quarter_dir).as_posix()
                if result.failed_notebook
                else None
            ),
            "files": (hasher.entries(quarter_dir, result.outputs) if result.ok else []),
            "started": manifest.iso(result.started) if result.started else None,
            "ended": manifest.iso(result.ended) if result.ended else None,
            "seconds": {k: round(v, 3) for k, v in result.timings.items()},
            "params": params_entries,
            "data": data_entries(result),
            "code": {"commit": commit, "versions": versions},
        }
    data = {
        "quarter": quarter.id,
        "params_root": str(params.origin.resolve()),
        "code": {"commit": commit, "versions": versions},
        "started": manifest.iso(started),
        "ended": manifest.iso(ended),
        "outputs": outputs,
    }
    return atomic.write_json(path, data)
