"""Charts for the briefing, in the Government Analysis Function style.

Each function takes the JSON-native ``police_uk`` figures (from
:func:`toolkit.performance.police_uk_figures`) and returns a :class:`Chart`: the PNG,
an alt text written from the numbers (what the chart shows and its main message),
a caption, and the same numbers as a table with a header row, so the briefing can
show them as an accessible table too.

Style: the ``afcharts`` matplotlib style and its categorical palette (every colour
has at least 3:1 contrast against white). For the peer chart the force is
highlighted in the palette's dark blue and peers are drawn in a mid grey
(``#707070``, 4.9:1) because the palette's own light grey (``#BFBFBF``) is below 3:1;
the force's bar is also labelled in bold, so colour is never the only cue.
Incomplete quarters get hollow markers and are named in the caption and alt text.
PNGs are 8 x 4.5 in at 100 dpi, rendered with the Agg backend without a
``Software`` stamp, so the same figures give the same bytes.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import style as mpl_style  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from toolkit.performance.recorded_crime import HOME_OFFICE_NAMES  # noqa: E402

PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
"""Analysis Function categorical palette (afcharts), in order."""

HIGHLIGHT = "#12436D"
"""The force's colour in comparisons (AF dark blue)."""

PEER_GREY = "#707070"
"""Peers' colour in comparisons: a grey with 4.9:1 contrast against white."""

SOURCE = "Source: data.police.uk street-level crime (Open Government Licence v3.0)."

_SIZE = (8.0, 4.5)
_LABEL_WIDTH = 28  # characters per line of a peer's name or a legend entry
_DPI = 100

Row = list[str | int | float | None]


@dataclass(frozen=True)
class Chart:
    """A rendered chart with its accessible text.

    Attributes
    ----------
    png
        The image.
    alt
        Alt text: what the chart shows and its main message, from the data.
    caption
        A caption for the figure (source and caveats included).
    table
        The same numbers: the first row is the header.
    """

    png: bytes
    alt: str
    caption: str
    table: list[Row]


def force_label(slug: str, labels: Mapping[str, str] | None = None) -> str:
    """A force's display name: ``labels`` first, then the Home Office name, then the slug."""
    if labels and slug in labels:
        return labels[slug]
    name = HOME_OFFICE_NAMES.get(slug)
    if name == "London, City of":
        return "City of London"
    return name or slug.replace("-", " ").title()


def trend_chart(figures: Mapping[str, Any], *, labels: Mapping[str, str] | None = None) -> Chart:
    """Line chart of the force's count per quarter for each focus crime type.

    Parameters
    ----------
    figures
        ``police_uk`` figures (``force``, ``focus``, ``trend``).
    labels
        Optional slug -> display name (e.g. from ``force.yaml``'s ``force.name``).
    """
    force = force_label(figures["force"], labels)
    focus: list[str] = list(figures["focus"])[: len(PALETTE)]
    trend: list[dict[str, Any]] = list(figures["trend"])
    quarters = [p["label"] for p in trend]
    incomplete = [p["label"] for p in trend if not p["complete"]]

    table: list[Row] = [["Quarter", *focus, "Complete data"]]
    for point in trend:
        table.append(
            [point["label"], *(point["counts"].get(t) for t in focus), _yes(point["complete"])]
        )

    with mpl_style.context(_style()):
        fig, ax = _figure()
        xs = list(range(len(trend)))
        for colour, crime_type in zip(PALETTE, focus, strict=False):
            values = [p["counts"].get(crime_type) for p in trend]
            points = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
            if not points:
                continue
            ax.plot(
                [x for x, _ in points],
                [v for _, v in points],
                color=colour,
                marker=None,
                label=crime_type,
            )
            for (x, v), point in zip(points, [trend[x] for x, _ in points], strict=True):
                ax.plot(
                    [x],
                    [v],
                    marker="o",
                    markersize=7,
                    color=colour,
                    markerfacecolor=colour if point["complete"] else "white",
                    markeredgewidth=2,
                )
        ax.set_xticks(xs, [q.replace(" ", "\n") for q in quarters], fontsize=11)
        ax.tick_params(axis="y", labelsize=11)
        ax.set_xlim(-0.5, max(len(xs) - 0.5, 0.5))
        ax.set_ylim(bottom=0)
        ax.set_ylabel("Crimes per quarter", wrap=True)
        ax.set_title(f"{force}: recorded crimes per quarter", fontsize=14, wrap=True)
        handles = [
            Line2D([], [], color=c, label=_wrap(t, _LABEL_WIDTH))
            for c, t in zip(PALETTE, focus, strict=False)
        ]
        if incomplete:
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#3D3D3D",
                    marker="o",
                    markerfacecolor="white",
                    linestyle="none",
                    label="Incomplete quarter",
                )
            )
        if handles:
            ax.legend(
                handles=handles,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.2),
                ncol=min(3, len(handles)),
                fontsize=11,
            )
        png = _png(fig)

    span = _span(quarters)
    alt = _trend_alt(force, focus, trend, span, incomplete)
    caption = f"{force}: data.police.uk crimes per quarter, {span}. {SOURCE}"
    if incomplete:
        caption += f" Incomplete data (hollow markers): {_join(incomplete)}."
    return Chart(png, alt, caption, table)


def peer_chart(
    figures: Mapping[str, Any], crime_type: str, *, labels: Mapping[str, str] | None = None
) -> Chart:
    """Horizontal bar chart of one crime type's rate per 1,000 people: force and peers.

    Falls back to counts when the force has no rate (no population data).

    Parameters
    ----------
    figures
        ``police_uk`` figures (``force``, ``quarter``, ``crime_types``, ``peers``,
        ``complete``, ``peers_complete``).
    crime_type
        The crime type to compare.
    labels
        Optional slug -> display name.
    """
    force_slug = figures["force"]
    own = figures["crime_types"].get(crime_type, {})
    use_rate = own.get("rate_per_1000") is not None
    metric = "rate_per_1000" if use_rate else "count"
    unit = "per 1,000 people" if use_rate else "crimes"
    quarter = _quarter_label(figures["quarter"])
    complete = {force_slug: bool(figures.get("complete", True))}
    complete.update({k: bool(v) for k, v in figures.get("peers_complete", {}).items()})

    entries: list[tuple[str, str, float | int | None, int | None]] = [
        (force_slug, force_label(force_slug, labels), own.get(metric), own.get("count"))
    ]
    for peer, types in figures.get("peers", {}).items():
        values = types.get(crime_type, {})
        entries.append((peer, force_label(peer, labels), values.get(metric), values.get("count")))

    table: list[Row] = [["Force", "Crimes", "Rate per 1,000 people", "Complete data"]]
    for slug, name, _, count in entries:
        rate = (
            own.get("rate_per_1000")
            if slug == force_slug
            else figures["peers"][slug].get(crime_type, {}).get("rate_per_1000")
        )
        table.append([name, count, rate, _yes(complete.get(slug, True))])

    shown = sorted(
        [e for e in entries if e[2] is not None], key=lambda e: (e[2], e[1]), reverse=True
    )
    with mpl_style.context(_style()):
        fig, ax = _figure()
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        names = [
            _wrap(e[1] + ("" if complete.get(e[0], True) else " (incomplete)"), _LABEL_WIDTH)
            for e in shown
        ]
        values = [float(e[2]) for e in shown if e[2] is not None]
        colours = [HIGHLIGHT if e[0] == force_slug else PEER_GREY for e in shown]
        ys = list(range(len(shown)))[::-1]
        ax.barh(ys, values, color=colours, height=0.6)
        ax.set_yticks(ys, names, fontsize=12)
        ax.tick_params(axis="x", labelsize=11)
        for tick, entry in zip(ax.get_yticklabels(), shown, strict=True):
            if entry[0] == force_slug:
                tick.set_fontweight("bold")
        for y, value in zip(ys, values, strict=True):
            ax.text(value, y, f" {_fmt(value, use_rate)}", va="center", fontsize=11)
        ax.set_xlim(0, (max(values) * 1.15) if values else 1)
        # wrap=True breaks a long title or label at the figure's edge, wherever it starts.
        ax.set_xlabel(f"{crime_type}: {unit}, {quarter}", wrap=True)
        title = f"{crime_type}: {force_label(force_slug, labels)} and peers"
        ax.set_title(title, fontsize=14, wrap=True)
        png = _png(fig)

    alt = _peer_alt(crime_type, quarter, unit, shown, entries, force_slug, use_rate)
    incomplete = [e[1] for e in entries if not complete.get(e[0], True)]
    caption = (
        f"{crime_type} {unit}, {quarter}: {force_label(force_slug, labels)} and peers. {SOURCE}"
    )
    if use_rate:
        caption += " Rates use mid-year population estimates."
    if incomplete:
        caption += f" Incomplete data for {_join(incomplete)}."
    return Chart(png, alt, caption, table)


def briefing_charts(
    figures: Mapping[str, Any], *, labels: Mapping[str, str] | None = None
) -> list[Chart]:
    """The trend chart, then one peer chart per focus crime type (when there are peers)."""
    charts = [trend_chart(figures, labels=labels)]
    if figures.get("peers"):
        charts.extend(peer_chart(figures, t, labels=labels) for t in figures["focus"])
    return charts


# -- text ---------------------------------------------------------------------


def _trend_alt(
    force: str,
    focus: Sequence[str],
    trend: Sequence[Mapping[str, Any]],
    span: str,
    incomplete: Sequence[str],
) -> str:
    if not trend:
        return f"Line chart of {force}'s recorded crimes per quarter: there is no data to show."
    types = _join([t.lower() for t in focus]) if focus else "recorded crime"
    start = f"Line chart of {force}'s recorded {types} per quarter, {span}"
    if len(trend) == 1:
        start = f"Chart of {force}'s recorded {types} for {span} only (no earlier quarters)"
    parts = []
    for crime_type in focus:
        series = [(p["label"], p["counts"].get(crime_type), p["complete"]) for p in trend]
        known = [(label, v, ok) for label, v, ok in series if v is not None]
        if not known:
            parts.append(f"{crime_type}: no data")
            continue
        label, latest, _ = known[-1]
        text = f"{crime_type}: {latest:,} in {label}"
        previous = [(lb, v) for lb, v, ok in known[:-1] if ok]
        if previous:
            prev_label, prev = previous[-1]
            text += f", {_direction(latest, prev)} {prev:,} in {prev_label}"
        if len(known) >= 3:
            top = max(known, key=lambda k: k[1])
            text += f"; highest {top[1]:,} in {top[0]}"
        parts.append(text)
    alt = f"{start}. " + ". ".join(parts) + "."
    if incomplete:
        alt += f" Data for {_join(incomplete)} are incomplete, so those counts are partial."
    return alt


def _peer_alt(
    crime_type: str,
    quarter: str,
    unit: str,
    shown: Sequence[tuple[str, str, float | int | None, int | None]],
    entries: Sequence[tuple[str, str, float | int | None, int | None]],
    force_slug: str,
    use_rate: bool,
) -> str:
    what = f"{crime_type.lower()} crimes {unit}" if use_rate else f"{crime_type.lower()} crimes"
    text = f"Horizontal bar chart comparing {what} in {quarter}"
    if not shown:
        return text + ": no force has a figure to show."
    listed = ", ".join(f"{name} {_fmt(value, use_rate)}" for _, name, value, _ in shown)
    text += f": {listed}."
    own = next((e for e in shown if e[0] == force_slug), None)
    if own is not None and len(shown) > 1:
        rank = [e[0] for e in shown].index(force_slug) + 1
        name = own[1]
        metric = "rate" if use_rate else "count"
        if rank == 1:
            text += f" {name} has the highest {metric} of the {len(shown)} forces."
        elif rank == len(shown):
            text += f" {name} has the lowest {metric} of the {len(shown)} forces."
        else:
            text += f" {name} ranks {_ordinal(rank)} of {len(shown)} forces."
    missing = [name for slug, name, value, _ in entries if value is None]
    if missing:
        text += f" No figure for {_join(missing)}."
    return text


def _direction(latest: int, previous: int) -> str:
    if latest > previous:
        return "up from"
    if latest < previous:
        return "down from"
    return "the same as"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _fmt(value: float | int | None, rate: bool) -> str:
    if value is None:
        return "no figure"
    return f"{value:.2f}" if rate else f"{int(value):,}"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _span(labels: Sequence[str]) -> str:
    if not labels:
        return "no quarters"
    return labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"


def _quarter_label(quarter_id: str) -> str:
    """``2018-19-Q3`` -> ``Q3 2018/19``."""
    year, short, number = quarter_id.split("-")
    return f"{number} {year}/{short}"


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


# -- drawing ------------------------------------------------------------------


def _style() -> str:
    return str(resources.files("afcharts").joinpath("afcharts.mplstyle"))


def _wrap(text: str, width: int) -> str:
    """Break a title or label into lines of at most ``width`` characters (none is cut off)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=True)) or text


def _figure() -> tuple[Figure, Any]:
    fig = Figure(figsize=_SIZE, dpi=_DPI, layout="constrained")
    ax = fig.add_subplot()
    fig.set_facecolor("white")
    return fig, ax


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()
