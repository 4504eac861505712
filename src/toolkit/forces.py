"""The 43 territorial police forces of England and Wales (``forces.csv`` beside this module).

For each force the table gives its data.police.uk slug, its name as data.police.uk
writes it in "Falls within", its Home Office table name, its Home Office region, its
police area (as in "Police and Crime Commissioner for <area>"), what kind of local
policing body it has and a note where that body is not a PCC. The file's header
comments say where each column comes from. ``toolkit init`` reads it.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from toolkit.errors import InputError, Problem, shown

TABLE = Path(__file__).with_name("forces.csv")


@dataclass(frozen=True)
class Force:
    """One territorial force, as :data:`TABLE` describes it."""

    police_uk: str
    name: str
    home_office: str
    region: str
    pcc_area: str
    policing_body: str
    note: str

    @property
    def has_pcc(self) -> bool:
        """Whether a Police and Crime Commissioner (or PFCC) is its local policing body."""
        return self.policing_body == "commissioner"


@cache
def forces() -> dict[str, Force]:
    """Every force, by data.police.uk slug, in the table's order."""
    with TABLE.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["police_uk"]: Force(**row) for row in rows}


def home_office_names() -> dict[str, str]:
    """Each force's name in Home Office tables ("Devon and Cornwall", "London, City of"),
    by data.police.uk slug."""
    return {slug: force.home_office for slug, force in forces().items()}


def force_label(slug: str, labels: Mapping[str, str] | None = None) -> str:
    """A force's display name: ``labels`` first, then the Home Office name (the City of
    London's in reading order), then the slug in title case."""
    if labels and slug in labels:
        return labels[slug]
    name = home_office_names().get(slug)
    if name == "London, City of":
        return "City of London"
    return name or slug.replace("-", " ").title()


def default_peers(slug: str) -> list[str]:
    """The other forces of the force's Home Office region, in slug order.

    This is ``toolkit init``'s starting point for ``peers``, not a judgement of
    which forces are alike: the Home Office's Most Similar Groups are the usual
    choice, and the user writes them in ``force.yaml``.
    """
    region = forces()[slug].region
    return sorted(s for s, f in forces().items() if f.region == region and s != slug)


def find(slug: str, *, source: str = "command line", field: str = "--force") -> Force:
    """The force with this data.police.uk slug.

    Raises
    ------
    InputError
        For an unknown slug, listing the nearest slugs (matched on slugs and on
        the names data.police.uk and the Home Office use).
    """
    table = forces()
    wanted = slug.strip().lower()
    if wanted in table:
        return table[wanted]
    return _unknown(slug, source, field)


def _unknown(slug: str, source: str, field: str) -> Force:
    spellings: dict[str, str] = {}
    for force in forces().values():
        for name in (force.police_uk, force.name, force.home_office, force.pcc_area):
            spellings.setdefault(" ".join(name.lower().replace("-", " ").split()), force.police_uk)
    wanted = " ".join(slug.strip().lower().replace("-", " ").split())
    near = [spellings[m] for m in difflib.get_close_matches(wanted, spellings, n=8, cutoff=0.6)]
    near += [s for name, s in spellings.items() if wanted and wanted in name.split()]
    suggestions = list(dict.fromkeys(near))[:4]
    expected = (
        f"a data.police.uk force slug such as {', '.join(suggestions)}"
        if suggestions
        else "a data.police.uk force slug such as dorset or devon-and-cornwall "
        "(the 43 are listed in the README)"
    )
    raise InputError(
        Problem(
            source,
            field,
            "not one of the 43 territorial forces",
            expected=expected,
            got=shown(slug),
        )
    )
