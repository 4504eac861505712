"""``toolkit``: the command line.

Exit codes: 0 when everything asked for was done; 1 when some briefings failed
(the others are still produced); 2 when the input is invalid (nothing is run).
Problems are printed one per line, without a traceback (``--debug`` shows it).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from toolkit.errors import InputError, Problem, ToolkitError

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
QuarterOpt = Annotated[str, typer.Option("--quarter", "-q", help="Quarter id, e.g. 2018-19-Q3.")]

_state = {"debug": False}


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


def _fail(err: ToolkitError) -> typer.Exit:
    if _state["debug"]:
        import traceback

        traceback.print_exception(err)
    problems = err.problems if isinstance(err, InputError) else [err]
    for problem in problems:
        err_console.print(str(problem), markup=False)
    if isinstance(err, InputError) and len(err.problems) > 1:
        err_console.print(f"{len(err.problems)} problems found.", markup=False)
    return typer.Exit(err.exit_code)


@app.command()
def validate(params: ParamsOpt = Path("params")) -> None:
    """Check every params file and update file; exit 2 with one line per problem."""
    from toolkit.params import load_params
    from toolkit.register import Register

    from toolkit.checks import check_data

    try:
        loaded = load_params(params)
        Register(loaded)
        data = check_data(loaded)
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


@app.command()
def run(
    report_ids: Annotated[
        list[str] | None, typer.Argument(help="Report ids (file names in reports/).")
    ] = None,
    quarter: QuarterOpt = "",
    all_reports: Annotated[bool, typer.Option("--all", help="Every report.")] = False,
    params: ParamsOpt = Path("params"),
    out: Annotated[Path, typer.Option("--out", help="Output root.")] = Path("outputs"),
    timeout: Annotated[float, typer.Option(help="Seconds a cell may run.")] = 600,
) -> None:
    """Produce the briefing for each report: HTML, notebook, draft response, figures.json."""
    from toolkit.batch import run_reports
    from toolkit.params import load_params
    from toolkit.quarters import Quarter
    from toolkit.register import Register

    try:
        if not quarter:
            raise InputError(
                Problem(
                    "command line",
                    "--quarter",
                    "a quarter is required",
                    expected="e.g. --quarter 2018-19-Q3",
                )
            )
        parsed = Quarter.parse(quarter, source="command line", field="--quarter")
        ids = list(report_ids or [])
        loaded = load_params(params, only=ids or None)
        Register(loaded)
        if all_reports:
            ids = sorted(loaded.reports)
        if not ids:
            raise InputError(
                Problem(
                    "command line",
                    "REPORT_ID",
                    "no report named",
                    expected="one or more report ids, or --all",
                )
            )
    except ToolkitError as err:
        raise _fail(err) from None
    results = run_reports(loaded, ids, parsed, out, timeout=timeout, cache_dir=out / ".cache")
    table = Table(title=f"Briefings for {parsed.id}")
    table.add_column("Report")
    table.add_column("Result")
    table.add_column("Where")
    for result in results:
        where = result.out_dir / "briefing.html" if result.ok else result.failed_notebook
        table.add_row(
            result.report_id, "ok" if result.ok else f"failed: {result.error}", str(where or "")
        )
    out_console.print(table)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except ToolkitError as err:  # pragma: no cover - commands catch their own
        for line in str(err).splitlines():
            print(line, file=sys.stderr)
        sys.exit(err.exit_code)
