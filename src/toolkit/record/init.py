"""Start a params root: ``toolkit init DIR --force SLUG`` and ``toolkit example DIR``.

``init`` writes a params root for any of the 43 territorial forces (:mod:`toolkit.forces`)::

    DIR/force.yaml                       the force filled in from the forces table; the
                                         PCC, chief constable, addressee and website as
                                         "[FILL IN: …]" placeholders; peers; data paths
    DIR/reports/both-sides-of-the-coin.yaml   a first report (see below)
    DIR/updates/                         empty: the force's quarterly updates go here
    DIR/data/police-uk/                  empty: ``toolkit fetch-data`` puts files here
    DIR/data/population.csv              ONS estimates for the force and its peers

The placeholders load (the root validates and runs) and ``toolkit validate`` and
``toolkit run`` warn about each until it is replaced (:func:`placeholder_warnings`).
Peers default to the other forces of the force's Home Office region
(:func:`toolkit.forces.default_peers`), a starting point the user replaces with the
force's Most Similar Group. The first report is HMICFRS's national thematic
inspection of county lines ("Both sides of the coin", January 2020), with no items,
so that ``toolkit run --all`` has a briefing to produce; delete it when it does not
concern the force. Where the local policing body is not a PCC (London, Greater
Manchester, West Yorkshire, South Yorkshire, York and North Yorkshire: a mayor; the
City of London: the Common Council) ``force.yaml`` says so in a comment and leaves the
letter's signature title as a placeholder too.

``example`` copies the worked example (Dorset) into DIR: ``DIR/params``,
``DIR/notebooks/briefing.ipynb`` (to open in JupyterLab) and ``DIR/data/sample``
(population and Home Office tables from the package; the data.police.uk street-level
files from a folder or .zip given with ``--police-uk``, else from the source checkout's
``data/sample/police-uk`` when the toolkit runs from one, else from the installed
package's ``police-uk.zip``: the same files with only the columns the toolkit reads).

Both refuse a folder that exists and is not empty, so nothing the user has is
overwritten.
"""

from __future__ import annotations

import csv
import shutil
import textwrap
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

import yaml

from toolkit import forces
from toolkit.errors import InputError, Problem, shown
from toolkit.files import resources
from toolkit.files.zipmember import check_plausible
from toolkit.record.newreport import report_text
from toolkit.vocabulary import ReportKind

PLACEHOLDER = "[FILL IN:"
"""How every value ``init`` cannot know starts."""

STARTER_REPORT = "both-sides-of-the-coin"
_STARTER_PUBLISHED = date(2020, 1, 10)
_STARTER_TITLE = (
    "Both sides of the coin: The police and National Crime Agency's response to vulnerable "
    "people in 'county lines' drug offending"
)
_STARTER_URL = (
    "https://www.justiceinspectorates.gov.uk/hmicfrs/publications/both-sides-of-the-coin-"
    "police-nca-response-vulnerable-people-county-lines-drug-offending/"
)


@dataclass
class Started:
    """What :func:`init_root` wrote, for the command's closing lines."""

    root: Path
    force: forces.Force
    peers: list[str]
    without_population: list[str] = field(default_factory=list)


def init_root(target: Path, slug: str) -> Started:
    """Write a params root for the force ``slug`` into the new folder ``target``.

    Parameters
    ----------
    target
        ``DIR``: a folder that does not exist yet, or is empty.
    slug
        ``--force``: a data.police.uk slug from :mod:`toolkit.forces`.

    Raises
    ------
    InputError
        For an unknown slug (listing near matches) or a folder that is not empty.
    """
    force = forces.find(slug)
    _require_empty(Path(target))
    target = Path(target)
    peers = forces.default_peers(force.police_uk)
    population = _population_rows([force.police_uk, *peers])
    without = [s for s in [force.police_uk, *peers] if s not in {row[0] for row in population}]
    for folder in ("reports", "updates", "data/police-uk"):
        (target / folder).mkdir(parents=True, exist_ok=True)
    if population:
        lines = ["police_uk,year,population", *(",".join(row) for row in population)]
        (target / "data" / "population.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (target / "force.yaml").write_text(
        force_yaml(force, peers, with_population=bool(population)), encoding="utf-8"
    )
    starter = report_text(STARTER_REPORT, _STARTER_TITLE, _STARTER_PUBLISHED, ReportKind.THEMATIC)
    starter = starter.replace(
        "# url: https://www.justiceinspectorates.gov.uk/hmicfrs/publications/...",
        f"url: {_STARTER_URL}",
    )
    starter = starter.replace("crime_types: []", "crime_types: [Drugs, Possession of weapons]")
    header = (
        "# HMICFRS's national thematic inspection of county lines (January 2020), to which\n"
        "# PCCs across England and Wales published s55 responses; written by `toolkit init`\n"
        "# as a first report. Delete this file if it does not concern the force.\n"
    )
    (target / "reports" / f"{STARTER_REPORT}.yaml").write_text(header + starter, encoding="utf-8")
    return Started(target, force, peers, without)


def force_yaml(force: forces.Force, peers: list[str], *, with_population: bool) -> str:
    """The text of ``force.yaml`` for a new params root (placeholders marked)."""

    def value(text: str) -> str:
        return (
            yaml.safe_dump(text, allow_unicode=True, width=1_000_000)
            .removesuffix("\n...\n")
            .strip()
        )

    def fill(what: str) -> str:
        return value(f"{PLACEHOLDER} {what}]")

    who = "the PCC's name" if force.has_pcc else "the name of who signs for the local policing body"
    area_note = (
        f'"Police and Crime Commissioner for {force.pcc_area}"'
        if force.has_pcc
        else "the police area (the letter names it)"
    )
    lines = [
        f"# The params root for {force.name}, written by `toolkit init --force {force.police_uk}`.",
        "# Paths below are relative to this folder (the params root). Replace every",
        '# "[FILL IN: ...]" value: `toolkit validate` and `toolkit run` warn about each',
        "# one until it is filled in.",
    ]
    if force.note:
        lines += ["#", *_comment(force.note)]
        lines += [
            "# The letter's opening names the Police and Crime Commissioner: give it the body's",
            "# own wording with a templates folder (templates: below; docs/params.md: Wording).",
        ]
    lines += [
        "force:",
        f'  name: {value(force.name)}  # as in data.police.uk "Falls within"',
        f"  police_uk: {force.police_uk}  # data.police.uk force slug",
        f'  home_office: {value(force.home_office)}  # "Force Name" in Home Office tables',
        "pcc:",
        f"  name: {fill(who)}",
        f"  area: {value(force.pcc_area)}  # {area_note}",
        f"  website: {fill('the website the response is published on')}",
        "chief_constable: " + fill("the chief constable's name"),
        "addressee:  # the Home Secretary, who receives a copy of every response (s55(6))",
        "  - " + fill("the Home Secretary's name, e.g. Rt Hon A Name MP"),
        "  - Home Secretary",
        "  - 2 Marsham Street",
        "  - London SW1P 4DF",
        f"# Peers: the other forces of the {force.region} region in the Home Office tables, a",
        "# starting point only. Replace them with the forces you compare with, usually the",
        "# force's Most Similar Group (data.police.uk slugs).",
        f"peers: [{', '.join(peers)}]",
        "data:",
        "  police_uk: data/police-uk  # toolkit fetch-data adds data.police.uk files here",
    ]
    if with_population:
        lines.append(
            "  population: data/population.csv  # ONS mid-year estimates, from the toolkit's table"
        )
    else:
        lines += [
            "  # The toolkit's ONS table covers the 39 English force areas only: add a file with",
            "  # the columns police_uk,year,population for rates per 1,000 people.",
            "  # population: data/population.csv",
        ]
    lines += [
        "  # The Home Office police recorded crime open data table, once downloaded:",
        "  # recorded_crime: data/prc-pfa.ods",
    ]
    if not force.has_pcc:
        lines += ["letter:", f"  signature_title: {fill('the title the response is signed with')}"]
    return "\n".join(lines) + "\n"


def _comment(text: str, width: int = 88) -> list[str]:
    return [f"# {line}" for line in textwrap.wrap(text, width - 2)]


def _population_rows(slugs: list[str]) -> list[tuple[str, str, str]]:
    """Rows of the shipped ONS table for these forces, in the order given."""
    path = resources.shipped("data/sample/population.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(r["police_uk"], r["year"], r["population"]) for r in csv.DictReader(handle)]
    return [row for slug in slugs for row in rows if row[0] == slug]


def placeholder_warnings(root: Path) -> list[str]:
    """One warning per ``[FILL IN: …]`` value still in ``force.yaml``.

    Parameters
    ----------
    root
        A params root whose ``force.yaml`` has been validated.
    """
    from toolkit.files.yamlfile import field_name, read_yaml

    path = root / "force.yaml"
    data, lines, problems = read_yaml(path, "force.yaml")
    if problems:
        return []
    found = []

    def walk(node: object, loc: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, (*loc, str(key)))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, (*loc, index))
        elif isinstance(node, str) and node.strip().startswith(PLACEHOLDER):
            line = lines.get(loc)
            where = f"force.yaml:{line}" if line else "force.yaml"
            wanted = node.strip()[len(PLACEHOLDER) :].strip(" ]")
            found.append(
                f"{where}: {field_name(loc)}: still the placeholder toolkit init wrote "
                f"(expected {wanted})"
            )

    walk(data, ())
    return found


def copy_example(target: Path, police_uk: Path | None = None) -> Path | None:
    """Copy the worked example into the new folder ``target``.

    Parameters
    ----------
    target
        ``DIR``: a folder that does not exist yet, or is empty.
    police_uk
        ``--police-uk``: the example's data.police.uk files, a folder or .zip in the
        download's layout; ``None`` for the source checkout's, when there is one.

    Returns
    -------
    Path or None
        Where the street-level files were copied from; ``None`` when there were none
        to copy (the command then says how to get them).

    Raises
    ------
    InputError
        For a folder that is not empty or a ``--police-uk`` that does not exist.
    """
    target = Path(target)
    if police_uk is not None and not police_uk.exists():
        raise InputError(
            Problem(
                "command line",
                "--police-uk",
                "no such folder or .zip file",
                expected="the example's data.police.uk files (YYYY-MM/YYYY-MM-<force>-street.csv)",
                got=shown(str(police_uk)),
            )
        )
    _require_empty(target)
    params = resources.shipped(resources.EXAMPLE_PARAMS)
    sample = [
        resources.shipped(p) for p in (*resources.EXAMPLE_DATA, resources.EXAMPLE_DATA_README)
    ]
    shutil.copytree(params, target / "params", ignore=shutil.ignore_patterns("__pycache__"))
    (target / "notebooks").mkdir()
    shutil.copy2(resources.notebook(), target / "notebooks" / "briefing.ipynb")
    data = target / "data" / "sample"
    data.mkdir(parents=True)
    for path in sample:
        shutil.copy2(path, data / path.name)
    if police_uk is None:
        police_uk = _example_police_uk()
    dest = data / "police-uk"
    if police_uk is None:
        dest.mkdir()
        return None
    if police_uk.is_dir():
        shutil.copytree(police_uk, dest)
    else:
        _extract_layout(police_uk, dest)
    return police_uk


def _example_police_uk() -> Path | None:
    """The example's own street-level files: the checkout's folder, else the wheel's zip.

    The zip holds the same files with only the columns the toolkit reads; extracted into
    ``data/sample/police-uk`` they are read like any data.police.uk download.
    """
    root = resources.checkout()
    if root is not None and (root / resources.EXAMPLE_POLICE_UK).is_dir():
        return root / resources.EXAMPLE_POLICE_UK
    packed = resources.PACKAGED / resources.EXAMPLE_POLICE_UK_ZIP
    return packed if packed.is_file() else None


def _extract_layout(archive: Path, dest: Path) -> None:
    """Extract the ``YYYY-MM/YYYY-MM-*.csv`` members of a data.police.uk .zip (only those)."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                parts = PurePosixPath(member).parts
                if len(parts) < 2 or not member.endswith(".csv") or ".." in parts:
                    continue
                month, name = parts[-2], parts[-1]
                check_plausible(zipped.getinfo(member), f"{archive}!{member}", "--police-uk")
                out = dest / month / name
                out.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as source, out.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
    except zipfile.BadZipFile as err:
        raise InputError(
            Problem(
                str(archive),
                "--police-uk",
                "not a readable .zip file",
                expected="a folder or .zip in the data.police.uk layout",
                got=shown(str(err)),
            )
        ) from None


def _require_empty(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(
            Problem(
                str(target),
                "",
                "the folder is not empty; nothing was written",
                expected="a new or empty folder",
                got="a file"
                if not target.is_dir()
                else f"{sum(1 for _ in target.iterdir())} entries",
            )
        )


__all__ = ["Started", "copy_example", "force_yaml", "init_root", "placeholder_warnings"]
