"""The performance figures a briefing shows, as JSON-native dicts.

:func:`police_uk_figures` fills ``figures.json``'s ``police_uk`` block (see the
contract in the design notes) and :func:`recorded_crime_figures` the Home Office
block. Everything returned is made of ``str``, ``int``, ``float``, ``bool``,
``None``, ``list`` and ``dict`` only, so it can be written as JSON and passed into a
notebook unchanged.
"""

from __future__ import annotations

import calendar
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.performance.policeuk import OUTLIER_FACTOR, Parsings, PeriodCounts, PoliceUkData
from toolkit.performance.population import (
    Estimate,
    load_population,
    population_for,
    rate_per_1000,
)
from toolkit.performance.recorded_crime import recorded_crime_figures
from toolkit.quarters import Quarter
from toolkit.vocabulary import (
    CrimeTypeFigures,
    PeerTypeFigures,
    PoliceUkFigures,
    ProvisionalFigures,
    TrendPoint,
)

log = logging.getLogger("toolkit")

TREND_QUARTERS = 8
"""How many quarters, at most, the trend covers (ending at the briefing's quarter)."""

__all__ = [
    "police_uk_figures",
    "recorded_crime_figures",
    "short_label",
    "latest_complete_quarter",
    "lag_note",
    "TREND_QUARTERS",
]


def short_label(quarter: Quarter) -> str:
    """``Q3 2018/19``: the label charts and tables use for a quarter."""
    return quarter.short


def latest_complete_quarter(months_held: set[str], quarter: Quarter) -> Quarter | None:
    """The latest quarter at or before ``quarter`` whose three months are all held.

    ``None`` when there is none (no month held, or none complete by ``quarter``).
    """
    if not months_held:
        return None
    earliest = Quarter.of_month(min(months_held))
    candidate = quarter
    while candidate >= earliest:
        if all(month in months_held for month in candidate.months):
            return candidate
        candidate = candidate.previous()
    return None


def _months_with_rows(data: PoliceUkData, force: str, quarter: Quarter) -> set[str]:
    """The force's months held in the data, less those whose file has no rows (a truncated
    download is a missing month, not a month of no crime), judged back from ``quarter``
    until a complete quarter is found."""
    held = set(data.months(force))
    while True:
        candidate = latest_complete_quarter(held, quarter)
        if candidate is None:
            return held
        empty = set(data.counts(force, candidate.months).empty_months)
        if not empty:
            return held
        held -= empty


def _month_name(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{calendar.month_name[number]} {year}"


def _names(months: list[str]) -> str:
    names = [_month_name(m) for m in months]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def lag_note(briefing_quarter: Quarter, figures_quarter: Quarter, held: list[str]) -> str:
    """The plain-words sentence for a lagged briefing.

    ``held`` are the briefing quarter's months that are in the data, e.g.
    "Q2 2021/22 (July to September 2021), the latest complete quarter in the data held;
    October and November 2021 are in it, December 2021 is not yet." (The toolkit knows
    the files it holds, not what data.police.uk has published since.)
    """
    missing = [m for m in briefing_quarter.months if m not in held]
    text = f"{figures_quarter.label}, the latest complete quarter in the data held; "
    if not held:
        text += f"no month of {short_label(briefing_quarter)} is in it yet."
    else:
        verb = "is" if len(held) == 1 else "are"
        not_yet = "is not yet" if len(missing) == 1 else "are not yet"
        text += f"{_names(held)} {verb} in it, {_names(missing)} {not_yet}."
    return text


def police_uk_figures(
    *,
    source: Path,
    force: str,
    peers: list[str],
    quarter: Quarter,
    crime_types: list[str],
    population: Path | None,
    cache_dir: Path | None,
    parsed: Parsings | None = None,
) -> PoliceUkFigures:
    """data.police.uk figures for one force and quarter, with peers and a trend.

    Parameters
    ----------
    source
        ``data.police_uk`` from ``force.yaml``: a folder or ``.zip`` in the
        data.police.uk layout.
    force
        ``force.police_uk``, the force's data.police.uk slug.
    peers
        ``peers`` from ``force.yaml`` (slugs).
    quarter
        The briefing's quarter. The figures describe the latest complete quarter at or
        before it (``quarter`` in the result; ``lag`` quarters earlier), or the
        briefing's own when no quarter is complete by then (``complete`` false).
    crime_types
        The report's ``crime_types``, in order (the "focus" types).
    population
        ``data.population`` (long form ``police_uk,year,population``) or ``None``.
        Without it, or without a row for a force, rates are ``None`` and ``notes``
        says why.
    cache_dir
        Folder for the per-file cache, or ``None`` for none.
    parsed
        Files parsed already, shared with other calls for the same briefing
        (:data:`toolkit.performance.policeuk.Parsings`).

    Returns
    -------
    PoliceUkFigures
        ``force``, ``quarter`` (the quarter the figures describe), ``lag``,
        ``briefing_quarter``, ``lag_note`` (a sentence, or ``None`` when not lagged),
        ``provisional`` (what the data holds of a lagged briefing's own quarter:
        ``quarter``, ``months``, ``missing_months``, ``counts`` of the focus types; or
        ``None``), ``months``, ``complete``, ``missing_months``,
        ``crime_types`` ({type: {``count``, ``previous_year``, ``rate_per_1000``,
        ``change``, ``change_pct``}} for every type found, and every focus type),
        ``previous_year`` ({``quarter``, ``months``, ``complete``}), ``peers``
        ({slug: {type: {``count``, ``rate_per_1000``}}}), ``peers_complete``
        ({slug: bool}), ``population`` ({``year``, ``value``} or ``None``),
        ``focus``, ``trend`` (list of {``quarter``, ``label``, ``complete``,
        ``counts``}), ``outcomes`` (see :meth:`PoliceUkData.outcomes`, or ``None``)
        and ``notes`` (sentences for the reader).

    Raises
    ------
    DataError
        When the source is missing or unreadable, has no file for ``force``, a file
        lacks a needed column, or the population file is malformed.
    """
    notes: list[str] = []
    frame = _population_frame(population, notes)
    with PoliceUkData(source, cache_dir=cache_dir, parsed=parsed) as data:
        data.require_force(force)
        briefing_quarter = quarter
        held = _months_with_rows(data, force, briefing_quarter)
        quarter = latest_complete_quarter(held, briefing_quarter) or briefing_quarter
        lag = _index(briefing_quarter) - _index(quarter)
        provisional: ProvisionalFigures | None = None
        note: str | None = None
        if lag:
            own_held = [m for m in briefing_quarter.months if m in held]
            note = lag_note(briefing_quarter, quarter, own_held)
            log.info(
                "%s: figures for %s, %d quarter%s before %s (%s)",
                force,
                quarter.id,
                lag,
                "s" if lag != 1 else "",
                briefing_quarter.id,
                note,
            )
            if own_held:
                partial = data.counts(force, briefing_quarter.months)
                provisional = {
                    "quarter": briefing_quarter.id,
                    "months": own_held,
                    "missing_months": list(partial.missing_months),
                    "counts": {t: _count_of(partial, t) for t in crime_types},
                }
        earlier = quarter.year_earlier()
        current = data.counts_many([force, *peers], quarter.months)
        previous = data.counts(force, earlier.months)
        own = current[force]
        estimate = _estimate(frame, force, quarter, notes)

        types = sorted(set(own.counts) | set(crime_types))
        crime = {
            t: _type_figures(
                _count_of(own, t),
                _count_of(previous, t) if previous.complete else None,
                estimate,
            )
            for t in types
        }
        empty_months = sorted(set(own.empty_months) | (set(data.months(force)) - held))
        damaged = {m: data.damage(force, m) for m in empty_months}
        damaged = {m: why for m, why in damaged.items() if why}
        no_rows = [m for m in empty_months if m not in damaged]
        if no_rows:
            notes.append(
                f"The data.police.uk file for {force} for {', '.join(no_rows)} has no "
                "rows (a truncated download?): that month is counted as missing, not as zero."
            )
        for month, why in damaged.items():
            notes.append(
                f"The data.police.uk file for {force} for {month} is damaged ({why}): that "
                "month is counted as missing, not from the rows that could be read."
            )
        if own.empty:
            notes.append(f"There is no data.police.uk file for {force} in {quarter.short}.")
        elif not own.complete:
            notes.append(
                f"The data.police.uk files for {force} lack {', '.join(own.missing_months)}: "
                f"{quarter.short} is incomplete."
            )
        if previous.complete:
            pass
        elif previous.empty:
            notes.append(
                f"No data.police.uk files for {earlier.short}: no year-on-year comparison."
            )
        else:
            notes.append(
                f"{earlier.short} lacks {', '.join(previous.missing_months)}: "
                "no year-on-year comparison."
            )

        trend = _trend(data, force, _trend_end(held, quarter, briefing_quarter), crime_types)
        notes += _outliers(data, force, quarter, trend)

        peer_figures: dict[str, dict[str, PeerTypeFigures]] = {}
        peers_complete: dict[str, bool] = {}
        for peer in peers:
            counts = current[peer]
            peers_complete[peer] = counts.complete
            if counts.empty:
                notes.append(f"There is no data.police.uk file for peer {peer} in {quarter.short}.")
            peer_estimate = _estimate(frame, peer, quarter, notes)
            peer_types = sorted(set(counts.counts) | set(types))
            peer_figures[peer] = {
                t: {
                    "count": _count_of(counts, t),
                    "rate_per_1000": rate_per_1000(_count_of(counts, t), peer_estimate),
                }
                for t in peer_types
            }

        return {
            "force": force,
            "quarter": quarter.id,
            "lag": lag,
            "briefing_quarter": briefing_quarter.id,
            "lag_note": note,
            "provisional": provisional,
            "months": list(quarter.months),
            "complete": own.complete,
            "missing_months": list(own.missing_months),
            "empty_months": empty_months,
            "crime_types": crime,
            "previous_year": {
                "quarter": earlier.id,
                "months": list(earlier.months),
                "complete": previous.complete,
            },
            "peers": peer_figures,
            "peers_complete": peers_complete,
            "population": (
                {"year": estimate.year, "value": estimate.value} if estimate is not None else None
            ),
            "focus": list(crime_types),
            "trend": trend,
            "outcomes": data.outcomes(force, quarter.months) if not own.empty else None,
            "notes": notes,
        }


def _trend_end(held: set[str], figures: Quarter, briefing: Quarter) -> Quarter:
    """The trend runs to the latest quarter with any data at or before the briefing's
    (a partial one is marked incomplete), and at least to the figures' quarter."""
    quarters = [Quarter.of_month(m) for m in held]
    latest = max((q for q in quarters if q <= briefing), default=figures)
    return max(latest, figures)


def _index(quarter: Quarter) -> int:
    return quarter.year * 4 + quarter.number


def _count_of(counts: PeriodCounts, crime_type: str) -> int | None:
    """A type's count; 0 when absent from data that exists; ``None`` when it does not.

    For the quarter itself a partial quarter still gives its count (``complete``
    says it is partial); a comparison quarter must be complete, see callers.
    """
    if counts.empty:
        return None
    return counts.counts.get(crime_type, 0)


def _type_figures(
    count: int | None, previous: int | None, estimate: Estimate | None
) -> CrimeTypeFigures:
    change = count - previous if count is not None and previous is not None else None
    change_pct = round(100 * change / previous, 1) if change is not None and previous else None
    return {
        "count": count,
        "previous_year": previous,
        "rate_per_1000": rate_per_1000(count, estimate),
        "change": change,
        "change_pct": change_pct,
    }


def _population_frame(path: Path | None, notes: list[str]) -> pd.DataFrame | None:
    if path is None:
        notes.append("No population file is configured: rates per 1,000 people are not shown.")
        return None
    if not Path(path).is_file():
        log.warning("population file %s not found", path)
        notes.append(f"The population file {path} was not found: rates are not shown.")
        return None
    return load_population(Path(path))


def _estimate(
    frame: pd.DataFrame | None, force: str, quarter: Quarter, notes: list[str]
) -> Estimate | None:
    if frame is None:
        return None
    estimate = population_for(frame, force, quarter.end)
    if estimate is None:
        notes.append(f"The population file has no estimate for {force}: its rates are not shown.")
    return estimate


def _outliers(
    data: PoliceUkData, force: str, quarter: Quarter, trend: list[TrendPoint]
) -> list[str]:
    """Notes for months of the quarter whose row count is implausible against the trend's.

    A month with more than :data:`~toolkit.performance.policeuk.OUTLIER_FACTOR` times
    the rows of the force's median month in the trend window is flagged (a damaged or
    doctored download), not silently counted.
    """
    months = [m for point in trend for m in Quarter.parse(point["quarter"]).months]
    rows = data.month_rows(force, months or list(quarter.months))
    if len(rows) < 3:
        return []
    median = float(np.median(list(rows.values())))
    return [
        f"The data.police.uk file for {force} for {month} holds {n:,} rows, more than "
        f"{OUTLIER_FACTOR} times the force's median month ({median:,.0f}): check the "
        "download before relying on this quarter's figures."
        for month, n in rows.items()
        if month in quarter.months and median > 0 and n > OUTLIER_FACTOR * median
    ]


def _trend(
    data: PoliceUkData, force: str, quarter: Quarter, crime_types: list[str]
) -> list[TrendPoint]:
    """Up to :data:`TREND_QUARTERS` quarters ending at ``quarter``.

    The window starts at the first of those quarters with any file for the force;
    a later quarter with no file stays in the list with ``None`` counts.
    """
    have = set(data.months(force))
    window = [quarter.shift(-i) for i in range(TREND_QUARTERS - 1, -1, -1)]
    while window and not have.intersection(window[0].months):
        window.pop(0)
    points: list[TrendPoint] = []
    for q in window:
        counts = data.counts(force, q.months)
        points.append(
            {
                "quarter": q.id,
                "label": short_label(q),
                "complete": counts.complete,
                "counts": {t: _count_of(counts, t) for t in crime_types},
            }
        )
    return points
