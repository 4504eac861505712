"""The quarter's index: the overview page, its JSON, and the tracker beside the briefings.

``toolkit run`` calls :func:`write_quarter_index` when its briefings are done. It writes
into ``<out>/<quarter>/``:

* ``index.html`` -- the PCC's quarter overview across every tracked report: headline
  figures, the s55 responses, every overdue item (most overdue first), what changed this
  quarter, open/overdue/closed items over the last eight quarters (a chart with alt text
  and its table beside it), items by owner, and the list of reports with links to their
  briefings. Same stylesheet, Content-Security-Policy and self-contained form as the
  briefings (the chart is an inline PNG; nothing is loaded from anywhere).
* ``index.json`` -- the same: ``reports`` (one row per report, as before) and
  ``overview`` (:meth:`toolkit.record.overview.Overview.to_json`), plus the tracker's files.
* ``tracker.csv`` and ``tracker.xlsx`` -- :mod:`toolkit.record.tracker`, full version.

The overview and tracker come from the register (params and updates), not from the
briefings, so they cover every tracked report whichever ids a run was given: a run of
some reports rewrites them in full, and the report list links to every briefing present
in the folder (this run's or an earlier run's). Each file is written atomically.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from markupsafe import Markup

from toolkit.charts.chart import Chart, ChartView
from toolkit.files import atomic
from toolkit.files.resources import TEMPLATE_DIR
from toolkit.quarters import Quarter
from toolkit.record.overview import Overview, build_overview
from toolkit.record.params import Params
from toolkit.record.register import Register
from toolkit.record.tracker import TrackerFiles, tracker_files
from toolkit.vocabulary import IndexRow, ItemKind


@dataclass(frozen=True)
class QuarterParts:
    """What the overview page and the tracker show that comes from the register alone.

    None of it depends on the briefings, so a run makes it while they run
    (:func:`quarter_parts`) and only writes it at the end.
    """

    overview: Overview
    data: dict[str, object]
    """``overview.to_json()``."""
    chart: Chart
    """The items chart."""
    tracker: TrackerFiles
    closures_chart: Chart | None = None
    """The expected closures chart."""


def quarter_parts(params: Params, quarter: Quarter) -> QuarterParts:
    """The overview, its chart and the tracker's files, in memory."""
    from toolkit.charts.draw import closures_chart, items_chart  # matplotlib: only for a page

    register = Register(params)
    overview = build_overview(params, quarter, register)
    data = overview.to_json()
    chart = items_chart(data["series"])  # type: ignore[arg-type]
    closing = closures_chart(data["closures"])  # type: ignore[arg-type]
    tracker = tracker_files(params, quarter, register=register)
    return QuarterParts(overview, data, chart, tracker, closing)


def write_quarter_index(
    params: Params,
    quarter: Quarter,
    out_root: Path,
    reports: list[IndexRow],
    *,
    footer: str = "",
    parts: QuarterParts | None = None,
) -> Path:
    """Write the quarter's overview page, ``index.json`` and the tracker.

    Parameters
    ----------
    params
        The validated params root.
    quarter
        ``--quarter``: every figure is as at its last day.
    out_root
        ``--out``; the files go to ``<out_root>/<quarter>/``.
    reports
        One row per report with outputs in the quarter (the batch runner's index rows:
        ``id``, ``title``, ``ok``, ``status``, ``error``, ``published``, ``deadline``,
        ``s55_state``, ``s55_text``, ``by_status``, ``overdue``, ``briefing``).
    footer
        The run's provenance line.
    parts
        :func:`quarter_parts` for ``params`` and ``quarter``, made earlier (made here when
        not given).

    Returns
    -------
    Path
        ``index.html``.
    """
    from toolkit import __version__
    from toolkit.text.templating import environment

    folder = out_root / quarter.id
    parts = parts or quarter_parts(params, quarter)
    overview, data, chart = parts.overview, parts.data, parts.chart
    csv_path, xlsx_path, tracker_rows = parts.tracker.save(folder)
    closing = parts.closures_chart
    if closing is None:
        from toolkit.charts.draw import closures_chart

        closing = closures_chart([asdict(bucket) for bucket in overview.closures])
    ok_count = sum(bool(row["ok"]) for row in reports)
    css = (TEMPLATE_DIR / "briefing" / "briefing.css").read_text(encoding="utf-8")
    html = (
        environment()
        .get_template("index.html.j2")
        .render(
            css=Markup(css),  # noqa: S704 - the project's own stylesheet
            force=params.force.force.name,
            quarter_id=quarter.id,
            quarter_label=quarter.label,
            quarter_end=quarter.end,
            o=overview,
            chart=_chart_context(chart),
            closures_chart=_chart_context(closing),
            rows=reports,
            ok_count=ok_count,
            failed_count=len(reports) - ok_count,
            kinds={kind: kind.label for kind in ItemKind},
            tracker={"csv": csv_path.name, "xlsx": xlsx_path.name, "rows": tracker_rows},
            footer=footer,
            version=__version__,
        )
    )
    index = {
        "quarter": quarter.id,
        "force": params.force.force.name,
        "reports": reports,
        "overview": data,
        "tracker": {"csv": csv_path.name, "xlsx": xlsx_path.name, "rows": tracker_rows},
    }
    atomic.write_json(folder / "index.json", index)
    return atomic.write_text(folder / "index.html", html)


def _chart_context(chart: Chart) -> ChartView:
    """A chart as the page template reads it."""
    width, height = chart.size
    return {
        "png": chart.png,
        "alt": chart.alt,
        "caption": chart.caption,
        "header": chart.table[0],
        "rows": chart.table[1:],
        "width": width,
        "height": height,
    }
