"""``toolkit``: the command line.

Exit codes: 0 when everything asked for was done; 1 when some briefings failed
(the others are still produced); 2 when the input is invalid (nothing is run).
Problems are printed one per line, without a traceback (``--debug`` shows it).

Longer than the other modules on purpose: every command's options and help text (what
``--help`` shows) are declared here with typer, so that the commands read alike; each
command's work is done by the module it calls.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from toolkit.errors import InputError, OutputError, Problem, ToolkitError, shown
from toolkit.vocabulary import ReportKind, report_kinds_text

if TYPE_CHECKING:
    from toolkit.quarters import Quarter
    from toolkit.record.params import ForceFile
    from toolkit.runner.quarter import QuarterRun

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Accountability briefings on HMICFRS reports for an OPCC.",
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True)
log = logging.getLogger("toolkit")

ParamsOpt = Annotated[
    Path, typer.Option("--params", help="The params root (force.yaml, reports/, updates/).")
]
QuarterOpt = Annotated[
    str,
    typer.Option(
        "--quarter",
        "-q",
        help="Quarter id, e.g. 2018-19-Q3 (or 2018/19 Q3, or Q3 2018/19). \\[required]",
        show_default=False,
    ),
]

_state = {"debug": False, "failed": False}


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More log lines.")] = False,
) -> None:
    _state["debug"] = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(message)s",
    )


def _ignored_write_failure(unraisable: sys.UnraisableHookArgs) -> None:
    """After a failure has been reported, or a write failed, the clean-up of what was
    half written (a zip, an lxml writer, collected later) fails again: say that at debug
    level only, never as an "Exception ignored" traceback."""
    from toolkit.errors import write_failure

    value = unraisable.exc_value
    if _state["failed"] or (value is not None and write_failure(value) is not None):
        log.debug("while cleaning up after a failure: %r", value)
        return
    sys.__unraisablehook__(unraisable)


def _require_utf8(*options: tuple[str, Path | None]) -> None:
    """Refuse a path option whose absolute path is not UTF-8 text, before anything runs.

    Linux allows any bytes in a file name, but the briefings carry their paths as text
    (the notebook's parameters, the manifest, the messages): a name that cannot be
    written as UTF-8 would fail later, in every briefing, without naming the folder.

    Raises
    ------
    InputError
        Naming the option and the path.
    """
    for option, path in options:
        if path is None:
            continue
        try:
            str(path.absolute()).encode("utf-8")
        except UnicodeEncodeError:
            raw = repr(os.fsencode(path.absolute()))[2:-1]  # the bytes, \xff for a bad one
            raise InputError(
                Problem(
                    "command line",
                    option,
                    "the path is not valid UTF-8, so the outputs and messages could not name it",
                    expected="a path whose folder names are UTF-8 (rename it or choose another)",
                    got=f"'{raw}'",
                )
            ) from None


def _fail(err: ToolkitError) -> typer.Exit:
    from toolkit.text.characters import printable

    if _state["debug"]:
        import traceback

        traceback.print_exception(err)
    _state["failed"] = True
    problems = err.problems if isinstance(err, InputError) else [err]
    for problem in problems:
        # One line each, whatever a file name held (a line break, a lone surrogate).
        err_console.print(printable(str(problem)), markup=False)
    if isinstance(err, InputError) and len(err.problems) > 1:
        err_console.print(f"{len(err.problems)} problems found.", markup=False)
    return typer.Exit(err.exit_code)


@app.command()
def validate(
    params: ParamsOpt = Path("params"),
    quarter: Annotated[
        str,
        typer.Option(
            "--quarter",
            "-q",
            help="Also warn when this quarter has no update file (e.g. 2018-19-Q3).",
            show_default=False,
        ),
    ] = "",
) -> None:
    """Check every params file and update file; exit 2 with one line per problem."""
    from toolkit.gaps import missing_update_warning
    from toolkit.record.params import load_params
    from toolkit.runner.checks import check_data

    try:
        _require_utf8(("--params", params))
        parsed = _parse_quarter(quarter) if quarter else None
        loaded = load_params(params)
        data = check_data(loaded)
        if parsed is not None and (gap := missing_update_warning(loaded, parsed)):
            data.warnings.append(gap)
        for warning in data.warnings:
            err_console.print(f"warning: {warning}", markup=False)
        if data.errors:
            raise InputError(data.errors)
    except ToolkitError as err:
        raise _fail(err) from None
    count = len(loaded.reports)
    out_console.print(
        f"{params}: force.yaml, {count} report{'s' if count != 1 else ''} and "
        f"{len(loaded.update_files)} update file(s) are valid.",
        markup=False,
    )


@app.command(
    help="Produce the briefing for each report: HTML, notebook, draft response, figures.json."
    "\n\nBriefings run in parallel, each on its own kernel; a failed one does not stop the "
    "others. Then the quarter overview (index.html, index.json), the tracker (tracker.csv, "
    "tracker.xlsx) and manifest.json are written."
)
def run(
    report_ids: Annotated[
        list[str] | None, typer.Argument(help="Report ids (file names in reports/).")
    ] = None,
    quarter: QuarterOpt = "",
    all_reports: Annotated[bool, typer.Option("--all", help="Every report.")] = False,
    params: ParamsOpt = Path("params"),
    out: Annotated[Path, typer.Option("--out", help="Output root.")] = Path("outputs"),
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Briefings at once (default: CPU cores)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds one briefing may run before it is stopped as failed.")
    ] = 600,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print each briefing to briefing.pdf (Chromium).")
    ] = False,
    notebook: Annotated[
        Path | None, typer.Option("--notebook", help="Another briefing notebook to run.")
    ] = None,
) -> None:
    """``toolkit run``: the help text above is what ``--help`` shows.

    The work is :func:`toolkit.runner.quarter.run_quarter`'s; here the options are read,
    progress and the outcome printed. Exit 130 when Ctrl-C stopped the run (no manifest
    of this run was written); once the manifest is written the exit status is the run's.
    """
    from toolkit.runner.quarter import RunWarning, run_quarter

    try:
        _require_utf8(("--params", params), ("--out", out), ("--notebook", notebook))
        parsed = _parse_quarter(quarter)
        ids = list(report_ids or [])
        if all_reports and ids:
            raise InputError(
                Problem(
                    "command line",
                    "--all",
                    "--all runs every report, so report ids as well contradict it",
                    expected="report ids or --all, not both",
                    got=" ".join(ids),
                )
            )
    except ToolkitError as err:
        raise _fail(err) from None
    display = _RunDisplay()

    def on_event(event: object) -> None:
        if isinstance(event, RunWarning):
            err_console.print(f"warning: {event.message}", markup=False)
        else:
            display(event)

    try:
        try:
            outcome = run_quarter(
                parsed,
                params=params,
                out=out,
                reports=None if all_reports else ids,
                jobs=jobs,
                pdf=pdf,
                on_event=on_event,
                timeout=timeout or None,
                notebook=notebook,
            )
        finally:
            display.close()
    except ToolkitError as err:
        raise _fail(err) from None
    except KeyboardInterrupt:
        import signal

        # Ignored by the OS from now on: even while the interpreter shuts down.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        err_console.print(
            "Interrupted: kernels stopped; no output was replaced by a partial one.", markup=False
        )
        raise typer.Exit(130) from None
    # The run is complete (its manifest written): a Ctrl-C now leaves its status as is.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(KeyboardInterrupt):
        _print_outcome(outcome)
    if outcome.interrupted:
        err_console.print(
            "Ctrl-C came as the index and manifest were being written: the run finished.",
            markup=False,
        )
    if not outcome.ok:
        raise typer.Exit(outcome.exit_code)


class _RunDisplay:
    """``toolkit run``'s progress: a live table on a terminal (started at the first
    briefing's event, so a run refused for bad input shows none), else plain lines."""

    def __init__(self) -> None:
        from toolkit.runner.progress import LineProgress

        self._live: Any = None
        self._lines = LineProgress(lambda line: err_console.print(line, markup=False))
        self._lock = threading.Lock()

    def __call__(self, event: Any) -> None:
        if not err_console.is_terminal:
            self._lines(event)
            return
        with self._lock:
            if self._live is None:
                from toolkit.runner.progress import LiveProgress

                self._live = LiveProgress(err_console, [])
                self._live.__enter__()
        self._live(event)

    def close(self) -> None:
        with self._lock:
            if self._live is not None:
                self._live.__exit__(None, None, None)
                self._live = None


def _print_outcome(outcome: QuarterRun) -> None:
    """The run's table (terminal) or lines, its data notices and its summary."""
    if out_console.is_terminal:
        table = Table(title=f"Briefings for {outcome.quarter.id}")
        table.add_column("Report")
        table.add_column("Result")
        table.add_column("Where")
        table.add_column("Error")
        for report in outcome.reports:
            where = report.briefing if report.ok else report.failed_notebook
            status = "ok" if report.ok else "failed"
            table.add_row(report.report_id, status, str(where or ""), report.error)
        out_console.print(table)
    else:
        for report in outcome.reports:
            if report.ok:
                line = f"{report.report_id}  ok  {report.briefing}"
            else:
                kept = f"  (failed notebook: {report.failed_notebook})"
                line = f"{report.report_id}  failed  {report.error}"
                line += kept if report.failed_notebook else ""
            out_console.print(line, markup=False, highlight=False)
    for report in outcome.reports:
        if report.notice:
            err_console.print(f"warning: {report.report_id}: {report.notice}", markup=False)
    failed = len(outcome.failed)
    total = len(outcome.reports)
    out_console.print(
        f"{total - failed} of {total} briefings produced"
        + (f", {failed} failed" if failed else "")
        + f" in {outcome.seconds:.1f} s. Index: {outcome.index}",
        markup=False,
        highlight=False,
    )
    if failed:
        out_console.print(
            "Each failed notebook holds its error. To see everything the kernels printed "
            "as well (a crash, a library's warnings), run again with --debug: "
            "toolkit --debug run …",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


# --------------------------------------------------------------------------- each quarter


def _parse_quarter(quarter: str) -> Quarter:
    """``--quarter``, required; exits through :func:`_fail` when absent or malformed."""
    from toolkit.quarters import Quarter

    if not quarter:
        raise InputError(
            Problem(
                "command line",
                "--quarter",
                "a quarter is required",
                expected="e.g. --quarter 2018-19-Q3",
            )
        )
    return Quarter.parse(quarter, source="command line", field="--quarter")


@app.command()
def status(
    quarter: QuarterOpt = "",
    params: ParamsOpt = Path("params"),
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="table (for a terminal; never cuts a flag), csv or json.",
        ),
    ] = "table",
) -> None:
    """List every open item across reports as at the quarter's end, overdue first."""
    from toolkit.record import status as listing
    from toolkit.record.params import load_params
    from toolkit.record.register import Register

    try:
        if output_format not in listing.FORMATS:
            raise InputError(
                Problem(
                    "command line",
                    "--format",
                    "not a format",
                    expected="table, csv or json",
                    got=shown(output_format),
                )
            )
        _require_utf8(("--params", params))
        parsed = _parse_quarter(quarter)
        loaded = load_params(params)
        rows = listing.status_rows(Register(loaded), parsed)
    except ToolkitError as err:
        raise _fail(err) from None
    from toolkit.gaps import missing_update_warning

    if gap := missing_update_warning(loaded, parsed):
        err_console.print(f"warning: {gap}", markup=False)
    if output_format == "csv":
        sys.stdout.write(listing.as_csv(rows))
        return
    if output_format == "json":
        sys.stdout.write(listing.as_json(rows, parsed))
        return
    if not rows:
        out_console.print(f"No open items as at the end of {parsed.id}.", markup=False)
        return
    out_console.print(listing.as_table(rows, parsed, out_console.width))
    overdue = sum(row["overdue"] for row in rows)
    # Without a report due date, overdue is measured from the target: counted once, as
    # overdue. So, as on the briefing's and the overview's pages, the count past the force's
    # target is of items the report gave a due date, and is said only when there are some:
    # "0 past the force's target" beside an item overdue by its target would be untrue.
    past_target = sum(bool(row["past_target"] and row["due"]) for row in rows)
    past = f", {past_target} past the force's target" if past_target else ""
    out_console.print(
        f"{len(rows)} open item{'s' if len(rows) != 1 else ''}, {overdue} overdue{past}.",
        markup=False,
    )


@app.command()
def tracker(
    quarter: QuarterOpt = "",
    params: ParamsOpt = Path("params"),
    out: Annotated[Path, typer.Option("--out", help="Output root.")] = Path("outputs"),
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="Leave out owners and evidence; writes tracker-public.csv and .xlsx.",
        ),
    ] = False,
) -> None:
    """Write the tracker of every item (CSV and Excel) as at the quarter's end."""
    from toolkit.record.params import load_params
    from toolkit.record.tracker import write_tracker

    try:
        _require_utf8(("--params", params), ("--out", out))
        parsed = _parse_quarter(quarter)
        loaded = load_params(params)
        folder = out / parsed.id
        try:
            csv_path, xlsx_path, count = write_tracker(loaded, parsed, folder, public=public)
        except OSError as err:
            raise ToolkitError(
                f"{folder}: cannot write the tracker ({err.strerror or err})"
            ) from None
    except ToolkitError as err:
        raise _fail(err) from None
    out_console.print(
        f"Wrote {xlsx_path} and {csv_path}: {count} item{'s' if count != 1 else ''}"
        + (", without owners and evidence." if public else "."),
        markup=False,
    )


@app.command("request-updates")
def request_updates(
    quarter: QuarterOpt = "",
    params: ParamsOpt = Path("params"),
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="The workbook to write "
            "\\[default: outputs/<quarter>/updates-request-<quarter>.xlsx].",
        ),
    ] = None,
) -> None:
    """Write the workbook the force fills in and returns as updates/<quarter>.xlsx."""
    from toolkit.record.params import load_params
    from toolkit.record.workbook import default_path, write_request

    try:
        _require_utf8(("--params", params), ("--out", out))
        parsed = _parse_quarter(quarter)
        if out is not None and out.suffix.lower() != ".xlsx":
            raise InputError(
                Problem(
                    "command line",
                    "--out",
                    "the request is an Excel workbook",
                    expected="a file name ending .xlsx",
                    got=shown(str(out)),
                )
            )
        loaded = load_params(params)
        dest = out or default_path(parsed)
        try:
            rows = write_request(loaded, parsed, dest)
        except OSError as err:
            raise ToolkitError(
                f"{dest}: cannot write the workbook ({err.strerror or err})"
            ) from None
    except ToolkitError as err:
        raise _fail(err) from None
    reports = len({row.report for row in rows})
    out_console.print(
        f"Wrote {dest}: {len(rows)} open item{'s' if len(rows) != 1 else ''} across {reports} "
        f"report{'s' if reports != 1 else ''}.",
        markup=False,
    )
    existing = loaded.update_files.get(parsed)
    out_console.print(
        f"When the force returns it, save it as {params / 'updates' / f'{parsed.id}.xlsx'}"
        + (f" in place of {existing.name}" if existing else "")
        + " and run toolkit validate.",
        markup=False,
    )


@app.command("fetch-data")
def fetch_data(
    months: Annotated[
        str, typer.Option("--months", help="Months: 2019-01, 2019-01..2019-03 or a comma list.")
    ] = "",
    forces: Annotated[
        str | None,
        typer.Option("--forces", help="Force slugs, comma-separated \\[default: force and peers]."),
    ] = None,
    params: ParamsOpt = Path("params"),
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="Where the archives are \\[default: data.police.uk's archive]."
        ),
    ] = None,
    archive_name: Annotated[
        str | None,
        typer.Option(
            "--archive-name",
            help="Archive file name; {month} is its newest month \\[default: {month}.zip].",
        ),
    ] = None,
) -> None:
    """Add data.police.uk months for the force and its peers to the data.police_uk folder."""
    from toolkit import fetch
    from toolkit.record.params import load_force

    try:
        _require_utf8(("--params", params))
        month_list = fetch.parse_months(months)
        force = load_force(params)
        slugs = (
            fetch.parse_forces(forces)
            if forces is not None
            else list(dict.fromkeys([force.force.police_uk, *force.peers]))
        )
        dest = _police_uk_folder(params, force)
        out_console.print(
            f"Fetching {', '.join(month_list)} for {', '.join(slugs)} into {dest}", markup=False
        )
        with _progress() as progress:
            report = fetch.fetch_months(
                month_list,
                slugs,
                dest,
                base_url=base_url or fetch.DEFAULT_BASE_URL,
                archive_name=archive_name or fetch.DEFAULT_ARCHIVE_NAME,
                progress=progress,
            )
    except ToolkitError as err:
        raise _fail(err) from None
    for name in report.kept:
        out_console.print(f"kept (differs from the archive's): {name}", markup=False)
    for name in report.missing:
        out_console.print(f"missing (not in the archive): {name}", markup=False)
    out_console.print(report.summary(), markup=False)


@app.command("new-report")
def new_report(
    report_id: Annotated[str, typer.Argument(help="The new report's id, e.g. peel-2023.")],
    title: Annotated[str, typer.Option("--title", help="The report's title.")] = "",
    published: Annotated[
        str, typer.Option("--published", help="Publication date, YYYY-MM-DD.")
    ] = "",
    kind: Annotated[str, typer.Option("--kind", help=f"{report_kinds_text()}.")] = "",
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Draft the items from the report's text (.html, .pdf or .txt), as "
            "toolkit import-report does.",
        ),
    ] = None,
    params: ParamsOpt = Path("params"),
) -> None:
    """Start reports/ID.yaml with every field, commented, ready to fill in (never overwrites)."""
    from toolkit.record import newreport

    if source is not None:
        _import(source, report_id, published=published, title=title, kind=kind, params=params)
        return
    try:
        _require_utf8(("--params", params))
        path = newreport.new_report(
            params, report_id, title=title, published=published, kind=kind or ReportKind.THEMATIC
        )
    except ToolkitError as err:
        raise _fail(err) from None
    except OSError as exc:
        raise _fail(OutputError(exc, params / "reports", what="the report file")) from None
    out_console.print(
        f"Wrote {path}. Add its items (or leave items: [] for a report that makes none for "
        "the force), then run toolkit validate.",
        markup=False,
    )


def _import(
    source: Path, report_id: str, *, published: str, title: str, kind: str, params: Path
) -> None:
    from toolkit.importer import import_report

    try:
        _require_utf8(("--params", params), ("PATH", source))
        imported = import_report(
            source, params, report_id, published=published, title=title, kind=kind
        )
    except ToolkitError as err:
        raise _fail(err) from None
    except OSError as exc:
        raise _fail(OutputError(exc, params / "reports", what="the report file")) from None
    for line in imported.summary():
        out_console.print(line, markup=False)


@app.command(
    "import-report",
    help="Draft reports/ID.yaml from the report's own text: its recommendations, areas for "
    "improvement and causes of concern, verbatim, with refs, addressees and due dates."
    "\n\nPATH is the report page saved from the HMICFRS website (.html), the report's PDF "
    "or plain text (.txt); nothing is fetched. The summary lists every passage to check. "
    "An existing report file is never overwritten.",
)
def import_report_command(
    source: Annotated[
        Path, typer.Argument(metavar="PATH", help="The report: .html, .pdf or .txt.")
    ],
    report_id: Annotated[
        str, typer.Option("--id", help="The new report's id, e.g. peel-2023.", show_default=False)
    ] = "",
    published: Annotated[
        str,
        typer.Option("--published", help="Publication date, YYYY-MM-DD (if the text lacks it)."),
    ] = "",
    title: Annotated[
        str, typer.Option("--title", help="The report's title (default: the document's).")
    ] = "",
    kind: Annotated[
        str,
        typer.Option("--kind", help=f"{report_kinds_text()} (default: guessed)."),
    ] = "",
    params: ParamsOpt = Path("params"),
) -> None:
    """``toolkit import-report``: the help text above is what ``--help`` shows."""
    if not report_id:
        raise _fail(
            InputError(
                Problem("command line", "--id", "the new report's id is required",
                        expected="--id ID, e.g. --id peel-2023")
            )
        )  # fmt: skip
    _import(source, report_id, published=published, title=title, kind=kind, params=params)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="The new params root (a new or empty folder).")],
    force: Annotated[
        str, typer.Option("--force", help="The force's data.police.uk slug, e.g. kent.")
    ] = "",
) -> None:
    """Write a params root for one of the 43 territorial forces, ready to fill in."""
    from toolkit.record.init import init_root

    try:
        _require_utf8(("FOLDER", folder))
        if not force:
            raise InputError(
                Problem(
                    "command line",
                    "--force",
                    "a force is required",
                    expected="a data.police.uk force slug, e.g. --force kent",
                )
            )
        started = init_root(folder, force)
    except ToolkitError as err:
        raise _fail(err) from None
    except OSError as exc:
        raise _fail(OutputError(exc, folder, what="the params root")) from None
    quoted = _quoted(folder)
    lines = [
        f"Wrote a params root for {started.force.name} in {folder}.",
        f"Peers: {', '.join(started.peers) or 'none'} (the other forces of its Home Office "
        "region; edit peers: in force.yaml, e.g. to its Most Similar Group).",
    ]
    if started.force.note:
        lines.append(started.force.note)
    if started.without_population:
        lines.append(
            "No population figures for "
            + ", ".join(started.without_population)
            + " in the toolkit's ONS table (English force areas only): rates per 1,000 people "
            "are shown as not available until you add them."
        )
    lines += [
        "Next:",
        f"  1. replace each [FILL IN: ...] in {folder / 'force.yaml'}",
        f"  2. toolkit fetch-data --params {quoted} --months 2019-01..2019-03,2020-01..2020-03",
        f"  3. toolkit validate --params {quoted}",
        f"  4. toolkit run --all --quarter 2019-20-Q4 --params {quoted}",
    ]
    for line in lines:
        out_console.print(line, markup=False, highlight=False)


@app.command()
def example(
    folder: Annotated[Path, typer.Argument(help="Where to copy it (a new or empty folder).")],
    police_uk: Annotated[
        Path | None,
        typer.Option(
            "--police-uk",
            help="The example's data.police.uk files: a folder or .zip in the download's "
            "layout \\[default: the example's own, from the source checkout or the "
            "installed package].",
        ),
    ] = None,
) -> None:
    """Copy the worked example (Dorset, "Both sides of the coin") into a new folder."""
    from toolkit.record.init import copy_example

    try:
        _require_utf8(("FOLDER", folder), ("--police-uk", police_uk))
        copied = copy_example(folder, police_uk)
    except ToolkitError as err:
        raise _fail(err) from None
    except OSError as exc:
        raise _fail(OutputError(exc, folder, what="the example")) from None
    out_console.print(
        f"Copied the worked example into {folder}: params/, notebooks/ and data/sample/.",
        markup=False,
    )
    if copied is None:
        out_console.print(
            "Its data.police.uk street-level files are missing from this installation: "
            f"copy data/sample/police-uk from the toolkit's source into "
            f"{folder / 'data' / 'sample' / 'police-uk'} (or give --police-uk PATH to this "
            "command in a new folder).",
            markup=False,
        )
    updates = sorted(p.stem for p in (folder / "params" / "updates").glob("*-Q[1-4].*"))
    quarter = updates[-1] if updates else "Q"
    out_console.print(f"Then, from {folder}: toolkit run --all --quarter {quarter}", markup=False)


def _quoted(path: Path) -> str:
    """A path as it can be typed back in a shell."""
    import shlex

    return shlex.quote(str(path))


def _police_uk_folder(root: Path, force: ForceFile) -> Path:
    """``data.police_uk`` resolved against the params root; refused when unset or a .zip."""
    value = force.data.police_uk
    if not value:
        raise InputError(
            Problem(
                "force.yaml",
                "data.police_uk",
                "no data.police.uk folder set, so fetch-data has nowhere to add files",
                expected="a folder relative to the params root, e.g. police_uk: data/police-uk",
                got="nothing",
            )
        )
    if value.lower().endswith(".zip"):
        raise InputError(
            Problem(
                "force.yaml",
                "data.police_uk",
                "fetch-data adds files to a folder, not to a .zip",
                expected="a folder in data.police.uk layout (YYYY-MM/YYYY-MM-<slug>-street.csv)",
                got=shown(value),
            )
        )
    path = Path(value)
    return path if path.is_absolute() else root / path


PROGRESS_EVERY = 10.0
"""Seconds between progress lines for one file when the output is not a terminal."""


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[int, int, str], None]]:
    """A download progress callback: a rich bar on a terminal; otherwise a line per file,
    and every :data:`PROGRESS_EVERY` seconds a line with the bytes so far."""
    if err_console.is_terminal:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("reading the archive", total=None)

            def update(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total or None, description=label)

            yield update
        return
    shown_labels: set[str] = set()
    last = [time.monotonic()]

    def line(done: int, total: int, label: str) -> None:
        now = time.monotonic()
        if label not in shown_labels:
            shown_labels.add(label)
            last[0] = now
            err_console.print(f"fetching {label}", markup=False)
        elif now - last[0] >= PROGRESS_EVERY:  # a long download: say how far it is
            last[0] = now
            of = f" of {total / 1e6:,.1f}" if total else ""
            err_console.print(f"fetching {label}: {done / 1e6:,.1f}{of} MB", markup=False)

    yield line


def main() -> None:
    """Console-script entry point.

    A Ctrl-C that stops a command exits 130, wherever it lands (click itself would turn
    one outside a run's own handling into "Aborted!" and exit 1); one after ``toolkit
    run`` has written its manifest leaves the run's own status (see ``run``).
    """
    import signal

    seen = []

    def interrupted(signum: int, frame: object) -> None:
        seen.append(signum)
        raise KeyboardInterrupt

    if "--debug" not in sys.argv[1:]:
        sys.unraisablehook = _ignored_write_failure
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, interrupted)
    try:
        app()
    except ToolkitError as err:  # pragma: no cover - commands catch their own
        for line in str(err).splitlines():
            print(line, file=sys.stderr)
        sys.exit(err.exit_code)
    except SystemExit as stop:
        if seen and stop.code not in (0, None):
            sys.exit(130)
        raise
    except OSError as exc:
        # A file error no command worded (the commands word those they expect): still one
        # line naming the file, never a traceback, unless --debug asks for it.
        if "--debug" in sys.argv[1:]:
            raise
        from toolkit.text.characters import printable

        place = f"{exc.filename}: " if exc.filename is not None else ""
        print(printable(f"{place}{exc.strerror or exc}"), file=sys.stderr)
        sys.exit(1)
