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

Longer than most modules because the charts share the style, the layout and the words of
their alt texts (the helpers below); each chart's drawing stays beside its words.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import textwrap
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from matplotlib import style as mpl_style
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.textpath import text_to_path

from toolkit.charts.chart import Chart, Row
from toolkit.files import cachefile
from toolkit.forces import force_label
from toolkit.vocabulary import PoliceUkFigures, TrendPoint

log = logging.getLogger("toolkit")

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


def trend_chart(figures: PoliceUkFigures, *, labels: Mapping[str, str] | None = None) -> Chart:
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
    trend: list[TrendPoint] = list(figures["trend"])
    quarters = [p["label"] for p in trend]
    incomplete = [p["label"] for p in trend if not p["complete"]]

    table: list[Row] = [["Quarter", *focus, "Complete data"]]
    for point in trend:
        table.append(
            [point["label"], *(point["counts"].get(t) for t in focus), _yes(point["complete"])]
        )

    handles = [
        Line2D([], [], color=c, label=_wrapped(t, _LABEL_WIDTH))
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
    columns = min(3, len(handles)) or 1
    legend_rows = -(-len(handles) // columns)
    label_lines = max((str(h.get_label()).count("\n") + 1 for h in handles), default=1)
    with mpl_style.context([_style(), _PLAIN_TEXT]):
        # Fixed margins (inches) instead of a layout engine: the y axis holds at most a
        # six-digit count, the x axis two lines per quarter, the legend its rows below.
        title = _wrapped(f"{force}: recorded crimes per quarter", int((_SIZE[0] - 1.25) * 9))
        top = 0.2 + 0.25 * (title.count("\n") + 1)
        bottom = 0.7 + 0.3 * legend_rows * label_lines
        fig, ax = _figure(left=1.0, right=0.25, top=top, bottom=bottom)
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
        ax.set_ylabel("Crimes per quarter")
        ax.set_title(title, fontsize=14)
        if handles:
            fig.legend(
                handles=handles,
                loc="lower center",
                bbox_to_anchor=(0.5, 0.02),
                ncol=columns,
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
    names = [
        _wrapped(
            _shortened(e[1]) + ("" if complete.get(e[0], True) else " (incomplete)"),
            _LABEL_WIDTH,
        )
        for e in shown
    ]
    with mpl_style.context([_style(), _PLAIN_TEXT]):
        # Fixed margins, the left one measured from the longest force name (the
        # force's own is bold): no layout engine drawing the figure twice.
        widths = [
            max(_text_width(line, 12, bold=entry[0] == force_slug) for line in name.split("\n"))
            for name, entry in zip(names, shown, strict=True)
        ]
        left = min(max(widths, default=0.0) + 0.2, _SIZE[0] / 2)
        # Title (14 pt, from the axes' left edge) and axis label (centred on the axes)
        # wrapped to the axes' width: about 9 and 11 characters an inch.
        axes_width = _SIZE[0] - left - 0.3
        title = _wrapped(
            f"{crime_type}: {force_label(force_slug, labels)} and peers", int(axes_width * 9)
        )
        top = 0.2 + 0.25 * (title.count("\n") + 1)
        xlabel = _wrapped(f"{crime_type}: {unit}, {quarter}", int(axes_width * 11))
        bottom = 0.5 + 0.2 * (xlabel.count("\n") + 1)
        fig, ax = _figure(left=left, right=0.3, top=top, bottom=bottom)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
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
        ax.set_xlabel(xlabel)
        ax.set_title(title, fontsize=14)
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
    figures: PoliceUkFigures,
    *,
    labels: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
) -> list[Chart]:
    """The trend chart, then one peer chart per focus crime type (when there are peers).

    With ``cache_dir``, each chart is kept in ``<cache_dir>/charts/`` under a key made
    of what it is drawn from (see :func:`_chart_key`): for the trend chart every
    figure; for a peer chart every figure but the focus list, the trend and the other
    crime types' numbers. So briefings of a run that need the same chart -- same
    force, peers, quarter and crime type -- draw it once. The key includes a
    fingerprint of this module and of matplotlib and afcharts, so a chart is never
    reused across a change to how charts are drawn.
    """
    # Keys: every figure, less only what a chart does not show (so a figure added
    # later, and drawn, is part of the key without anyone remembering to add it).
    charts = [
        _cached(cache_dir, "trend", figures, labels, lambda: trend_chart(figures, labels=labels))
    ]
    peers = figures.get("peers") or {}
    for crime_type in figures["focus"] if peers else []:
        peer_inputs = {
            **{k: v for k, v in figures.items() if k not in ("focus", "trend", "crime_types")},
            "crime_type": crime_type,
            "own": figures["crime_types"].get(crime_type),
            "peers": {slug: types.get(crime_type) for slug, types in peers.items()},
        }
        charts.append(
            _cached(
                cache_dir,
                "peer",
                peer_inputs,
                labels,
                lambda t=crime_type: peer_chart(figures, t, labels=labels),  # type: ignore[misc]
            )
        )
    return charts


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """What the charts' pixels depend on besides their data: this code and its libraries."""
    from importlib.metadata import version

    digest = hashlib.sha256(Path(__file__).read_bytes())
    for package in ("matplotlib", "afcharts"):
        digest.update(f"{package}={version(package)}".encode())
    return digest.hexdigest()


def _chart_key(kind: str, inputs: Mapping[str, Any], labels: Mapping[str, str] | None) -> str:
    text = json.dumps(
        [kind, inputs, dict(labels or {}), _code_fingerprint()], sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _cached(
    cache_dir: Path | None,
    kind: str,
    inputs: Mapping[str, Any],
    labels: Mapping[str, str] | None,
    draw: Callable[[], Chart],
) -> Chart:
    """``draw()``, or the chart stored for the same inputs; a broken entry is redrawn.

    Each entry is a :mod:`toolkit.files.cachefile` entry: a SHA-256 of its content and its
    identity (the chart's kind and key, i.e. exactly what it shows) are checked on
    read, so an entry swapped with another chart's or edited (a number, the picture)
    is discarded with one warning line and the chart drawn again.
    """
    if cache_dir is None:
        return draw()
    key = _chart_key(kind, inputs, labels)
    path = Path(cache_dir) / "charts" / f"{kind}-{key}.json"
    identity: dict[str, object] = {"chart": kind, "key": key}
    payload = cachefile.read(path, identity, redo="drawing the chart again")
    if payload is not None:
        try:
            stored = json.loads(payload.decode("utf-8"))
            return Chart(
                base64.b64decode(stored["png"], validate=True),
                stored["alt"],
                stored["caption"],
                stored["table"],
            )
        except (ValueError, KeyError, TypeError) as err:  # verified, of another layout
            cachefile.discard(path, str(err), "drawing the chart again")
    chart = draw()
    stored_text = json.dumps(
        {
            "png": base64.b64encode(chart.png).decode("ascii"),
            "alt": chart.alt,
            "caption": chart.caption,
            "table": chart.table,
        }
    )
    cachefile.write(path, stored_text.encode("utf-8"), identity)
    return chart


# -- text ---------------------------------------------------------------------


def _trend_alt(
    force: str,
    focus: Sequence[str],
    trend: Sequence[TrendPoint],
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


_PLAIN_TEXT = {"text.parse_math": False}
"""Names and crime types from params are text: "$\\foo$" is drawn as written, never
parsed as mathtext."""


def _wrapped(title: str, width: int = 70) -> str:
    """A chart title over lines of at most ``width`` characters (a long name stays inside)."""
    return "\n".join(textwrap.wrap(title, width)) or title


def _shortened(name: str, limit: int = 40) -> str:
    """A bar's label cut to ``limit`` characters (the table beside the chart has it whole)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _style() -> str:
    return str(resources.files("afcharts").joinpath("afcharts.mplstyle"))


def _figure(*, left: float, right: float, top: float, bottom: float) -> tuple[Figure, Any]:
    """A figure with one axes, placed by margins in inches (no layout engine)."""
    width, height = _SIZE
    fig = Figure(figsize=_SIZE, dpi=_DPI)
    fig.subplots_adjust(
        left=min(left, width / 2) / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=min(bottom, height / 2) / height,
    )
    ax = fig.add_subplot()
    fig.set_facecolor("white")
    return fig, ax


_SMALL_SIZE = (6.4, 4.2)
"""The quarter overview's charts, in inches."""


def _small_figure(*, left: float, right: float, top: float, bottom: float) -> tuple[Figure, Any]:
    """An overview chart's figure with one axes, placed by margins in inches."""
    width, height = _SMALL_SIZE
    fig = Figure(figsize=_SMALL_SIZE, dpi=_DPI)
    fig.subplots_adjust(
        left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height
    )
    ax = fig.add_subplot()
    fig.set_facecolor("white")
    return fig, ax


def _text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width of a line of tick-label text in inches, in the current style's font."""
    font = FontProperties(size=size, weight="bold" if bold else "normal")
    points, _, _ = text_to_path.get_text_width_height_descent(text, font, ismath=False)
    return float(points) / 72


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # zlib level 1, not PIL's 6: flat colours compress almost as well (7% larger on the
    # overview's chart) in half the time (6 ms against 11 ms a chart).
    fig.savefig(
        buffer,
        format="png",
        dpi=_DPI,
        metadata={"Software": None},
        pil_kwargs={"compress_level": 1},
    )
    return buffer.getvalue()


# -- the quarter overview -----------------------------------------------------------

_ITEM_SERIES = (
    # key, label, colour, marker, line style: shape and dash tell the lines apart too
    ("open", "Open", PALETTE[0], "o", "-"),
    ("overdue", "Overdue", PALETTE[2], "s", "--"),
    ("closed", "Closed", PALETTE[1], "^", ":"),
)


def items_chart(series: Sequence[Mapping[str, Any]]) -> Chart:
    """Line chart of open, overdue and closed items at each quarter's end.

    Parameters
    ----------
    series
        One mapping per quarter, oldest first, with ``label`` (``Q3 2019/20``), ``open``,
        ``overdue``, ``closed``, ``closed_in_quarter`` and ``new_in_quarter``
        (:class:`toolkit.record.overview.QuarterCounts` as a dict).
    """
    from matplotlib.ticker import MaxNLocator

    labels = [str(point["label"]) for point in series]
    table: list[Row] = [
        ["Quarter", "Open", "Overdue", "Closed", "Closed in the quarter", "New in the quarter"]
    ]
    for point in series:
        table.append(
            [
                point["label"],
                point["open"],
                point["overdue"],
                point["closed"],
                point["closed_in_quarter"],
                point["new_in_quarter"],
            ]
        )
    with mpl_style.context(_style()):
        # Fixed margins (inches), as the briefing's charts: no layout engine drawing it twice.
        # Below the axes: two lines of quarter, then the legend's row. Counts are whole:
        # the y axis's widest label is that of the highest.
        highest = max([1] + [point[k] for point in series for k, *_ in _ITEM_SERIES])
        left = 0.5 + _text_width(f"{highest:,}", 11)  # the y label, then the widest count
        fig, ax = _small_figure(left=left, right=0.1, top=0.4, bottom=1.05)
        xs = list(range(len(series)))
        for key, label, colour, marker, dash in _ITEM_SERIES:
            ax.plot(
                xs,
                [point[key] for point in series],
                color=colour,
                marker=marker,
                markersize=7,
                linestyle=dash,
                linewidth=2.5,
                label=label,
                clip_on=False,
            )
        ax.set_xticks(xs, [label.replace(" ", "\n") for label in labels], fontsize=11)
        ax.tick_params(axis="y", labelsize=11)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(-0.5, max(len(xs) - 0.5, 0.5))
        ax.set_ylim(bottom=0, top=highest * 1.15)
        ax.set_ylabel("Items at the quarter's end")
        ax.set_title("Open, overdue and closed items", fontsize=14)
        fig.legend(loc="lower center", bbox_to_anchor=(0.5, 0.02), ncol=3, fontsize=11)
        png = _png(fig)
    span = _span(labels)
    caption = (
        f"Items of every tracked report at each quarter's end, {span}. "
        "Source: the recommendation register (reports and the force's quarterly updates)."
    )
    return Chart(png, _items_alt(series, span), caption, table)


def _items_alt(series: Sequence[Mapping[str, Any]], span: str) -> str:
    if not series:
        return "Line chart of open, overdue and closed items: there is no quarter to show."
    last = series[-1]
    start = f"Line chart of open, overdue and closed items at each quarter's end, {span}."
    if len(series) == 1:
        start = f"Chart of open, overdue and closed items at the end of {last['label']} only."
    parts = []
    for key, label, *_ in _ITEM_SERIES:
        text = f"{last[key]:,} {label.lower()}"
        if len(series) > 1:
            before = series[-2]
            text += f" ({_direction(last[key], before[key])} {before[key]:,})"
        parts.append(text)
    where = f" compared with the end of {series[-2]['label']}" if len(series) > 1 else ""
    alt = f"{start} At the end of {last['label']}: {_join(parts)}{where}."
    alt += (
        f" During {last['label']}, {last['closed_in_quarter']:,} "
        f"item{'s were' if last['closed_in_quarter'] != 1 else ' was'} closed and "
        f"{last['new_in_quarter']:,} new item{'s' if last['new_in_quarter'] != 1 else ''} "
        "came from reports published in it."
    )
    return alt


def closures_chart(buckets: Sequence[Mapping[str, Any]]) -> Chart:
    """Bar chart of open items by the quarter they are expected to close in.

    Parameters
    ----------
    buckets
        :class:`toolkit.record.overview.ClosureBucket` as dicts, in order: ``label``, ``count``.
        Each bar carries its number, so the chart does not rest on reading the axis.
    """
    from matplotlib.ticker import MaxNLocator

    labels = [str(b["label"]) for b in buckets]
    counts = [int(b["count"]) for b in buckets]
    table: list[Row] = [["Expected to close", "Open items"]]
    table += [[label, count] for label, count in zip(labels, counts, strict=True)]
    ticks = [textwrap.fill(label, 10) for label in labels]  # "Q1 2020/21" on one line
    lines = max((tick.count("\n") + 1 for tick in ticks), default=1)
    with mpl_style.context(_style()), mpl_style.context(_PLAIN_TEXT):
        # Fixed margins (inches): the bottom one holds the longest label's lines at 9 pt.
        left = 0.5 + _text_width(f"{max([1, *counts]):,}", 11)
        fig, ax = _small_figure(left=left, right=0.1, top=0.4, bottom=0.25 + 0.16 * lines)
        xs = list(range(len(counts)))
        bars = ax.bar(xs, counts, color=PALETTE[0], width=0.6)
        ax.bar_label(bars, labels=[f"{c:,}" for c in counts], padding=3, fontsize=11)
        ax.set_xticks(xs, ticks, fontsize=9)
        ax.set_xlim(-0.5, max(len(xs) - 0.5, 0.5))  # each label the whole of its slot
        ax.tick_params(axis="y", labelsize=11)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0, top=max([1, *counts]) * 1.2)
        ax.set_ylabel("Open items")
        ax.set_title("Open items by expected closing quarter", fontsize=14)
        png = _png(fig)
    caption = (
        "Open items by the quarter of the force's latest target date (else the report's "
        "due date). Source: the recommendation register."
    )
    total = sum(counts)
    if not buckets or total == 0:
        alt = "Bar chart of open items by expected closing quarter: no item is open."
    else:
        parts = [f"{label}: {count:,}" for label, count in zip(labels, counts, strict=True)]
        alt = (
            f"Bar chart of the {total:,} open item{'s' if total != 1 else ''} by the quarter "
            f"they are expected to close in. {'; '.join(parts)}."
        )
    return Chart(png, alt, caption, table)
