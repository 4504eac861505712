"""Start a report file: ``reports/<id>.yaml`` with every field, commented, ready to fill in.

``toolkit new-report ID --title "…" --published YYYY-MM-DD [--kind thematic]`` writes a
file that loads with :func:`toolkit.record.params.load_params` straight away: the title,
publication date and kind it was given, empty lists (``items: []``) and, commented out,
every other field of the contract with an example item. Values typed by the user are
written with :func:`yaml.safe_dump`, so titles with quotes, colons or ``#`` survive.

Nothing is ever overwritten: an id that is not a safe file name is refused before any
file is touched, and so is an id whose report file exists. The file is written to a
temporary name in ``reports/`` and linked into place, so it appears whole or not at all.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from toolkit.errors import InputError, Problem, shown
from toolkit.files import atomic
from toolkit.record.params import check_report_id, require_root
from toolkit.vocabulary import ReportKind

__all__ = ["new_report", "report_text"]

_TEMPLATE = """\
# HMICFRS report: {report_id}
# Fill in the fields below, then run `toolkit validate`. Dates are YYYY-MM-DD;
# lines starting with # are comments. Remove the # in front of a field to use it.
{title}
{published}  # publication day is day 1 of the 56 days for the s55 response
{kind}  # {kinds}
# url: https://www.justiceinspectorates.gov.uk/hmicfrs/publications/...

# data.police.uk crime types the report bears on (they choose the briefing's figures),
# e.g. [Drugs, Possession of weapons]
crime_types: []

# Material for the s55 response letter; every field is optional. A part with no material
# is left out of the draft or shown as a [gap] to fill in, never invented.
response:
  # sent: YYYY-MM-DD          # the day the PCC's response was published
  # file: responses/<id>.md    # the letter as sent (.md or .docx in the params root; needs sent)
  # thanks: "I thank HMICFRS for this report."
  # Points of the report the PCC welcomes, as a list, e.g.
  #   welcome:
  #     - "the establishment of the national co-ordination centre"
  welcome: []
  # Concerns the PCC raises:
  concerns: []
  # The chief constable's statement, printed whole and signed (blank lines part paragraphs):
  # chief_constable_comments: "The chief constable's comments on the report."
  # pcc_reply: "The PCC's reply to the chief constable's comments."
  # The PCC's own words for an item, by ref. Required for a recommendation the force does
  # not accept (its reason is the force's, not the PCC's); for an action the PCC's office
  # owns, what the office did, in the first person:
  # explanations:
  #   R3: "Why no action is taken, in the PCC's words."
  # local_context: "The PCC's account of the force's position, opening its section."
  # partnership: "How partners share the work."
  # plan: "How the report bears on the Police and Crime Plan."
  # monitoring: "How the PCC will hold the chief constable to account (overrides the
  #   letter.monitoring wording in force.yaml)."
  # recommendations: "The PCC's position on the report's recommendations, for a report
  #   whose recommendations are not itemised under items (the s55(5B) check fails
  #   until each is itemised, since each needs its own explanation)."
  # late_reason: "Why the response is later than the 56 days, in the PCC's words."
  # no_force_recommendations: true   # confirms the report makes none for the force or PCC
  cite_figures: false         # true: quote the force's figures for crime_types in the letter

# Recommendations, areas for improvement, causes of concern and local actions.
# A thematic report often makes none for a force: leave items: [] as it is.
items: []
# To add items, replace the line above with `items:` and entries like these:
# items:
#   - ref: R1
#     kind: recommendation     # or area-for-improvement, cause-of-concern, local-action
#     addressee: chief constables
#     text: "Verbatim text from the report."
#     due: YYYY-MM-DD          # or "immediately", or "within 6 months"; optional
#     owner: ACC Crime         # optional
"""


def report_text(report_id: str, title: str, published: date, kind: ReportKind) -> str:
    """The text of a new report file.

    Parameters
    ----------
    report_id
        The report id (the file's name without ``.yaml``), already checked.
    title, published, kind
        The report's title, publication date and kind, already checked.
    """
    return _TEMPLATE.format(
        report_id=report_id,
        title=_field("title", title),
        published=_field("published", published),
        kind=_field("kind", ReportKind(kind).value),
        kinds=" | ".join(ReportKind),
    )


def new_report(
    root: Path,
    report_id: str,
    *,
    title: str,
    published: str,
    kind: str = ReportKind.THEMATIC,
) -> Path:
    """Write ``reports/<report_id>.yaml`` in the params root, refusing to overwrite.

    Parameters
    ----------
    root
        The params root (``--params DIR``); it must hold ``force.yaml``.
        ``reports/`` is created if absent.
    report_id
        The new report's id (``ID`` on the command line).
    title
        The report's title (``--title``), as HMICFRS gives it.
    published
        The publication date, ``YYYY-MM-DD`` (``--published``).
    kind
        ``thematic`` (default), ``force``, ``joint``, ``peel`` or ``follow-up`` (``--kind``).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        For an unsafe id, an empty title, a date that is not ``YYYY-MM-DD``, an unknown
        kind, a folder that is not a params root, or an existing report file.
    """
    check_report_id(report_id, source="command line")
    problems = []
    if not title.strip():
        problems.append(
            Problem(
                "command line",
                "--title",
                "a title is required",
                expected="the report's title as HMICFRS gives it",
                got=shown(title),
            )
        )
    when = published_option(published, problems)
    kind_option(kind, problems)
    if problems or when is None:
        raise InputError(problems)
    target = new_report_path(root, report_id)
    text = report_text(report_id, " ".join(title.split()), when, ReportKind(kind))
    write_new_report(target, text, report_id)
    return target


def published_option(published: str, problems: list[Problem]) -> date | None:
    """``--published`` as a date; ``None``, with its problem added, when it is not one."""
    try:
        return date.fromisoformat(published.strip())
    except ValueError:
        problems.append(
            Problem(
                "command line",
                "--published",
                "not a date",
                expected="the publication date as YYYY-MM-DD",
                got=shown(published),
            )
        )
        return None


def kind_option(kind: str, problems: list[Problem]) -> None:
    """Add the problem with ``--kind`` when it is not a :class:`ReportKind`."""
    if kind not in ReportKind._value2member_map_:
        problems.append(
            Problem(
                "command line",
                "--kind",
                "unknown kind",
                expected="one of " + ", ".join(ReportKind),
                got=shown(kind),
            )
        )


def new_report_path(root: Path | str, report_id: str, command: str = "new-report") -> Path:
    """``reports/<id>.yaml`` in the params root ``root``, which must not hold that report
    yet (as ``.yaml`` or ``.yml``); the ``reports`` folder is made if need be."""
    root = Path(root)
    require_root(root)
    reports = root / "reports"
    for suffix in (".yaml", ".yml"):
        existing = reports / f"{report_id}{suffix}"
        if existing.exists():
            raise _exists(existing, report_id, command)
    reports.mkdir(exist_ok=True)
    return reports / f"{report_id}.yaml"


def write_new_report(target: Path, text: str, report_id: str, command: str = "new-report") -> None:
    """Write ``text`` to ``target`` whole, failing if ``target`` appeared meanwhile."""
    try:
        atomic.write_text(target, text, exclusive=True)
    except FileExistsError:
        raise _exists(target, report_id, command) from None


def _field(name: str, value: object) -> str:
    """``name: value`` as YAML, on one line, quoted as needed."""
    return yaml.safe_dump(
        {name: value}, allow_unicode=True, default_flow_style=False, width=1_000_000
    ).rstrip("\n")


def _exists(path: Path, report_id: str, command: str) -> InputError:
    another = "a new --id" if command == "import-report" else "a new report id"
    return InputError(
        Problem(
            f"reports/{path.name}",
            "",
            f"the report already exists; {command} never overwrites a report file",
            expected=f"{another}, or edit the existing file",
            got=shown(report_id),
        )
    )
