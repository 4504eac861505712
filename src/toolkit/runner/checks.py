"""Checks of the data files a params root names, run by ``toolkit validate`` and
before every run, so that a missing or unusable download is reported up front
rather than as a failed briefing.

Errors (the run cannot produce a correct briefing): the data.police.uk folder or
zip is unreadable, holds files for other forces but none for the force, or has a file
(the force's or a peer's) whose header lacks a column the counts need; the population or recorded
crime file cannot be read; the force is not in the recorded crime table; a force
template calls what the template sandbox refuses (``x.read_text()``).
Warnings (the briefing is produced and says what is missing): a data.police.uk
folder or zip holding no street-level file at all (nothing fetched yet; the briefings
say their figures are not available and why); a value in
``force.yaml`` still the placeholder ``toolkit init`` wrote, or a report file's
publication date still the one ``toolkit import-report`` marked ``[FILL IN: …]``; a peer
with no data.police.uk file; a force or peer missing from the population file; an update
that moves an item to complete with neither evidence nor a sign-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import DataError, Problem
from toolkit.importer.write import report_placeholder_warnings
from toolkit.record.init import placeholder_warnings
from toolkit.record.params import Params, template_call_problems


class _NoFiles(Exception):
    """The data.police.uk source holds no street-level file at all (a warning)."""


@dataclass
class DataCheck:
    """What the data checks found."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_data(params: Params, *, cache_dir: Path | None = None) -> DataCheck:
    """Open every configured data source and check it covers the force.

    Parameters
    ----------
    params
        A validated params root.
    cache_dir
        The run's data cache: the tables read here are kept for the briefings.
    """
    from toolkit.gaps import unsupported_closures
    from toolkit.performance import PoliceUkData, load_population, load_recorded_crime

    found = DataCheck(
        warnings=placeholder_warnings(params.root)
        + report_placeholder_warnings(params.root)
        + unsupported_closures(params)
    )
    found.errors += template_call_problems(params)
    force = params.force.force
    sources = params.force.data
    if sources.police_uk:
        try:
            with PoliceUkData(params.path(sources.police_uk)) as data:
                if not data.forces:
                    found.warnings.append(
                        f"force.yaml: data.police_uk: {sources.police_uk} holds no "
                        "data.police.uk street-level files; the briefings are produced "
                        "without performance figures (fetch them with toolkit fetch-data)"
                    )
                    raise _NoFiles
                data.require_force(force.police_uk)
                found.errors += data.header_problems([force.police_uk, *params.force.peers])
                for peer in params.force.peers:
                    if not data.months(peer):
                        found.warnings.append(
                            f"force.yaml: peers: no data.police.uk file for peer {peer!r} "
                            f"in {sources.police_uk}; it is left out of the comparison"
                        )
        except DataError as err:
            found.errors += err.problems
        except _NoFiles:
            pass
    if sources.population:
        try:
            frame = load_population(params.path(sources.population))
        except DataError as err:
            found.errors += err.problems
        else:
            known = set(frame["police_uk"])
            for slug in [force.police_uk, *params.force.peers]:
                if slug not in known:
                    found.warnings.append(
                        f"{sources.population}: no population for {slug!r}; its rates per "
                        "1,000 people are shown as not available"
                    )
    if sources.recorded_crime:
        try:
            table = load_recorded_crime(params.path(sources.recorded_crime), cache_dir=cache_dir)
            table.force_name(force.police_uk, force.home_office)
        except DataError as err:
            found.errors += err.problems
    return found
