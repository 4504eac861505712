"""The quarter index's rows: one per report, from each briefing's ``figures.json``.

:func:`index_rows` gives the rows :func:`toolkit.publish.quarter_index.write_quarter_index`
writes to ``index.json`` and the overview page: this run's briefings, then those
earlier runs left in the quarter's folder. A failed briefing's row comes from its
params.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.quarters import Quarter
from toolkit.record.params import Params
from toolkit.record.register import s55_state
from toolkit.runner.results import Result
from toolkit.vocabulary import IndexRow, RunState, s55_json

if TYPE_CHECKING:
    from toolkit.publish.briefing import BriefingFigures, BriefingItems


def data_notice(figures: BriefingFigures) -> str | None:
    """A line saying when a briefing's data.police.uk figures are lagged or incomplete.

    ``figures`` is read back from ``figures.json``, perhaps an earlier version's: read
    with ``get``, never assuming a key.

    ``None`` when they describe the briefing's own quarter, complete (or there are none).
    """
    police_uk = figures.get("police_uk")
    if not isinstance(police_uk, dict):
        return None
    lag = police_uk.get("lag") or 0
    if lag:
        return (
            f"figures for {police_uk['quarter']}, {lag} quarter{'s' if lag != 1 else ''} before "
            f"{figures['quarter']}: the latest complete quarter in the data "
            "(toolkit fetch-data adds newer months)"
        )
    if police_uk.get("complete") is False:
        missing = ", ".join(police_uk.get("missing_months") or [])
        return f"figures for {police_uk['quarter']} are incomplete (no data for {missing})"
    return None


def past_target_with_due(items: BriefingItems) -> int:
    """Items past the force's target that the report also gave a due date. Without one,
    overdue is measured from the target, so such an item is counted as overdue alone."""
    dates = items.get("dates") or {}
    return sum(
        1 for ref in items.get("days_past_target") or {} if (dates.get(ref) or {}).get("due")
    )


def index_rows(
    params: Params, quarter: Quarter, quarter_dir: Path, results: list[Result]
) -> list[IndexRow]:
    """One row per report with outputs in the quarter: this run's, then earlier runs'.

    Each row comes from the briefing's ``figures.json`` (as the notebook wrote it);
    a failed briefing's row (or one whose notebook wrote no figures) comes from its
    params: title, dates and s55 state, without item counts.
    """
    by_id = {r.report_id: r for r in results}
    rows: list[IndexRow] = []
    for report_id in sorted(params.reports):
        result = by_id.get(report_id)
        figures_path = quarter_dir / report_id / "figures.json"
        if result is not None and (not result.ok or not figures_path.is_file()):
            report = params.reports[report_id]
            s55 = s55_json(s55_state(report, quarter))
            rows.append(
                {
                    "id": report_id,
                    "title": report.title,
                    "status": result.status,
                    "ok": result.ok,
                    "error": result.error,
                    "failed_notebook": (
                        result.failed_notebook.relative_to(quarter_dir).as_posix()
                        if result.failed_notebook
                        else None
                    ),
                    "published": s55["published"],
                    "deadline": s55["deadline"],
                    "s55_state": s55["state"],
                    "s55_text": s55["state_text"],
                    "by_status": {},
                    "overdue": None,
                    "past_target": None,
                    "past_target_with_due": None,
                    "data_quarter": None,
                    "data_notice": None,
                    "briefing": f"{report_id}/briefing.html" if result.ok else None,
                }
            )
        elif figures_path.is_file():
            figures = json.loads(figures_path.read_text(encoding="utf-8"))
            s55, items = figures["s55"], figures["items"]
            rows.append(
                {
                    "id": report_id,
                    "title": figures.get("title", params.reports[report_id].title),
                    "status": RunState.OK,
                    "ok": True,
                    "error": "",
                    "failed_notebook": None,
                    "published": s55["published"],
                    "deadline": s55["deadline"],
                    "s55_state": s55["state"],
                    "s55_text": s55["state_text"],
                    "by_status": items["by_status"],
                    "overdue": items["overdue"],
                    "past_target": items.get("past_target"),
                    "past_target_with_due": past_target_with_due(items),
                    "data_quarter": (figures.get("police_uk") or {}).get("quarter"),
                    "data_notice": data_notice(figures),
                    "briefing": f"{report_id}/briefing.html",
                }
            )
    return rows
