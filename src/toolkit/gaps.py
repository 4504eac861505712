"""Quarters with gaps: what a briefing or overview is missing, said once and plainly.

* **No update file for the quarter** (``updates/<Q>.csv`` or ``.xlsx`` was never saved):
  every item would otherwise look "unchanged". ``toolkit validate --quarter Q`` and
  ``toolkit run`` print one warning line; the overview and each briefing of a report with
  items carry a banner, and items show "no update this quarter" (distinct from an update
  that repeats the last status, "unchanged"). A warning, not an error: the exit status is
  unchanged. Only when some tracked report has items (a force with no items expects no
  updates).
* **No data.police.uk files** (``data.police_uk`` names a folder or zip that holds no
  street-level file for any force: nothing fetched yet, or the fetch failed): the briefing
  is still produced with its status, s55 state, letter and tracker; its figures section
  says the figures are not available and why; ``validate`` and ``run`` warn once instead of
  failing. Files for other forces only is still an error (the force's slug is probably
  wrong), and so is a path that does not exist.
"""

from __future__ import annotations

from toolkit.errors import DataError
from toolkit.quarters import Quarter
from toolkit.record.params import Params
from toolkit.record.register import Register


def missing_update_file(params: Params, quarter: Quarter) -> bool:
    """No update file (``.csv`` or ``.xlsx``) for ``quarter`` in the params root."""
    return quarter not in params.update_files


def missing_update_warning(params: Params, quarter: Quarter) -> str | None:
    """The warning line for a quarter without an update file, or ``None`` (there is one,
    or no tracked report has items, so none is expected)."""
    if not missing_update_file(params, quarter):
        return None
    register = Register(params)
    expected = any(
        report.items and register.tracked(report_id, quarter)
        for report_id, report in params.reports.items()
    )
    if not expected:
        return None
    return (
        f"updates/{quarter.id}.csv|.xlsx: no update file for {quarter.id}; the briefings and "
        'the overview show every open item as "no update this quarter"'
    )


def police_uk_absent(params: Params) -> str | None:
    """Why there are no data.police.uk figures when ``data.police_uk`` holds no
    street-level file at all; ``None`` when it holds some, is not set, does not exist or
    cannot be read (the params and data checks report those)."""
    source = params.force.data.police_uk
    if not source:
        return None
    path = params.path(source)
    if not path.exists():
        return None
    from toolkit.performance import PoliceUkData

    try:
        with PoliceUkData(path) as data:
            if data.forces:
                return None
    except DataError:
        return None
    return (
        f"{source} holds no data.police.uk street-level files (none fetched yet, or the "
        "download failed): fetch them with toolkit fetch-data"
    )


def unsupported_closures(params: Params) -> list[str]:
    """One warning per update that moves an item to ``complete`` with neither evidence
    nor a sign-off (``evidence`` and ``signed_off_by`` both empty): ``complete`` means
    signed off, so the tracker would show a closure nothing supports."""
    register = Register(params)
    warnings = []
    for (report_id, ref), rows in sorted(register.history.items()):
        before = "not-started"
        for row in rows:
            if (
                row.status == "complete"
                and before != "complete"
                and not row.evidence
                and not row.signed_off_by
            ):
                warnings.append(
                    f"{row.source}:{row.row}: status: {report_id} {ref} moves to complete with "
                    "neither evidence nor a sign-off (expected evidence or signed_off_by)"
                )
            before = row.status
    return warnings
