"""``toolkit.run_quarter``: a quarter's briefings, index, tracker and manifest, from Python.

What ``toolkit run`` does, as a library call: the command only parses its options,
calls :func:`run_quarter` and prints the outcome. The run

1. starts the kernel zygote (its imports overlap the checks below), telling it what a
   briefing needs (:data:`BRIEFING_PRELOAD`: the runner itself names no module);
2. copies the params root (:mod:`toolkit.files.snapshot`) and the data files the briefings
   read into a private folder, and validates that copy: every briefing and the
   manifest describe one reading of each file, whatever is saved meanwhile;
3. checks the data files (:func:`toolkit.runner.checks.check_data`; problems stop the run,
   warnings go to ``on_event`` as :class:`RunWarning`);
4. takes the quarter's lock (a second run on the same outputs is refused);
5. runs the briefings (:func:`toolkit.runner.batch.run_reports`), then writes the index,
   tracker and manifest;
6. returns a :class:`QuarterRun`.

Errors are the toolkit's own (:mod:`toolkit.errors`): :class:`~toolkit.errors.InputError`
for bad params, data or arguments (nothing is run), :class:`~toolkit.errors.OutputError`
when the outputs cannot be written, :class:`~toolkit.errors.ToolkitError` otherwise. A
briefing that fails is not an error: its :class:`ReportOutcome` says why, and the others
are produced.

**Ctrl-C** (``KeyboardInterrupt``, in the main thread). Until every briefing is done,
it stops the run within a second or two: kernels are killed, staging folders removed,
no briefing is replaced by a partial one, no ``manifest.json`` is written (an earlier
one is removed once a briefing it describes was replaced), and ``KeyboardInterrupt``
is raised. From the moment the index and manifest start to be written (under a second)
the run finishes whatever comes: a Ctrl-C then is noted (:attr:`QuarterRun.interrupted`)
but does not stop it. So a run either raises ``KeyboardInterrupt`` and leaves no manifest
of its own, or returns with its manifest written: ``toolkit run`` exits 130 exactly in
the first case.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import InputError, OutputError, Problem, ToolkitError
from toolkit.kernels.preload import Preload

if TYPE_CHECKING:
    from filelock import FileLock

    from toolkit.publish.briefing import BriefingFigures
    from toolkit.quarters import Quarter
    from toolkit.record.params import Params
    from toolkit.runner.results import Event

BRIEFING_PRELOAD = Preload(
    modules=(
        "pandas",
        "pyarrow",
        "matplotlib",
        "matplotlib.pyplot",
        "toolkit.publish.briefing",
        "toolkit.publish.render",
        "toolkit.charts.draw",
        "toolkit.performance",
        "toolkit.letter",
    ),
    lazy=(
        # What a briefing's cells import on the way (the response letter, the charts).
        "pyarrow.pandas_compat",
        "afcharts",
        "lxml.etree",
        "docx",
        "docx.enum.text",
        "docx.oxml",
        "docx.shared",
        "PIL.PngImagePlugin",
        # What a briefing imports on its first call (found by comparing a kernel's
        # sys.modules before and after a briefing).
        "pyarrow.feather",
        "pandas.core.arrays.arrow.extension_types",
        "numpy.rec",
        "encodings.utf_8_sig",
        "toolkit.gaps",
        "toolkit.letter.sent",
        "toolkit.files.resources",
    ),
    # The page and letter templates, compiled once and shared with every kernel.
    warm=("toolkit.text.templating:preload", "toolkit.letter.draft:preload"),
)
"""What a briefing's kernel needs ready (charts are drawn on a bare
:class:`~matplotlib.figure.Figure`, which renders with Agg whatever pyplot's backend is)."""


@dataclass(frozen=True)
class RunWarning:
    """A warning about the run's input (a data file's problem that does not stop it),
    passed to ``on_event`` as it is found, and kept in :attr:`QuarterRun.warnings`."""

    message: str


@dataclass(frozen=True)
class ReportOutcome:
    """How one report's briefing went.

    Attributes
    ----------
    report_id
        The report.
    ok
        Whether its briefing was produced and put in place.
    folder
        ``<out>/<quarter>/<report_id>/`` (on failure, it holds the previous run's
        briefing, if any, untouched).
    briefing
        ``briefing.html`` when ``ok``.
    error
        The error's first line when not ``ok``.
    failed_notebook
        The executed notebook with its error, when it ran far enough to have one.
    notice
        The briefing's lagged- or incomplete-data line, if its figures have one.
    outputs
        The files written, when ``ok``.
    seconds
        Wall time.
    """

    report_id: str
    ok: bool
    folder: Path
    briefing: Path | None = None
    error: str = ""
    failed_notebook: Path | None = None
    notice: str | None = None
    outputs: tuple[Path, ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True)
class QuarterRun:
    """What :func:`run_quarter` did.

    Attributes
    ----------
    quarter
        The quarter briefed.
    reports
        One outcome per report, in the order run.
    index, manifest
        ``index.html`` and ``manifest.json`` of the quarter.
    warnings
        The input's warnings (as sent to ``on_event``).
    seconds
        Wall time of the briefings and the index.
    interrupted
        A Ctrl-C came while the index and manifest were being written; the run
        finished regardless.
    """

    quarter: Quarter
    reports: tuple[ReportOutcome, ...]
    index: Path | None
    manifest: Path | None
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        """Every briefing was produced."""
        return all(r.ok for r in self.reports)

    @property
    def failed(self) -> tuple[ReportOutcome, ...]:
        """The briefings that failed."""
        return tuple(r for r in self.reports if not r.ok)

    @property
    def exit_code(self) -> int:
        """``toolkit run``'s exit status: 0 when every briefing was produced, else 1."""
        return 0 if self.ok else 1


OnRunEvent = Callable[["Event | RunWarning"], None]
"""``on_event``: each briefing's :class:`~toolkit.runner.results.Event` (from worker threads)
and each :class:`RunWarning`."""


def run_quarter(
    quarter: str | Quarter,
    *,
    params: str | Path = "params",
    out: str | Path = "outputs",
    reports: list[str] | None = None,
    jobs: int | None = None,
    pdf: bool = False,
    on_event: OnRunEvent | None = None,
    timeout: float | None = 600,
    notebook: str | Path | None = None,
) -> QuarterRun:
    """Brief every report (or ``reports``) for ``quarter``: what ``toolkit run`` does.

    Parameters
    ----------
    quarter
        ``"2019-20-Q4"`` (or ``"2019/20 Q4"``, or a :class:`~toolkit.quarters.Quarter`).
    params
        The params root.
    out
        The output root: briefings go to ``<out>/<quarter>/<report>/``.
    reports
        Report ids; ``None`` for every report in ``reports/``.
    jobs
        Briefings at once (default: the number of CPU cores).
    pdf
        Also print each briefing to ``briefing.pdf`` (needs Chromium).
    on_event
        Called with each briefing's :class:`~toolkit.runner.results.Event` as its state
        changes (from worker threads), and with each :class:`RunWarning`.
    timeout
        Seconds one briefing may take before it is stopped as failed; ``None`` for no
        limit.
    notebook
        Another briefing notebook to run instead of the shipped one.

    Returns
    -------
    QuarterRun
        Per report: produced or why not, and where; the index and manifest.

    Raises
    ------
    InputError
        Bad params, data, quarter or report ids: nothing was run.
    OutputError
        The outputs could not be written.
    ToolkitError
        Another run holds the quarter's outputs, or ``pdf`` without Chromium.
    KeyboardInterrupt
        Ctrl-C before the briefings were all done (see the module's notes).
    """
    from toolkit.kernels.zygote import start_zygote

    stack = contextlib.ExitStack()
    # Ctrl-C from here on is seen even where a library swallows the KeyboardInterrupt
    # (an import guarded by a bare except): it is checked again between the steps.
    guard = _InterruptGuard().__enter__()  # left in _run, once everything is done
    zygote = None
    try:
        early = _early(quarter, Path(params), reports, notebook, pdf)  # before any process
        guard.check()
        # The kernel zygote's imports (a second or two) overlap the imports and checks below.
        zygote = start_zygote(BRIEFING_PRELOAD.zygote_modules, BRIEFING_PRELOAD.warm)
        _check_ids_and_root(early.ids, Path(params))
        prepared = _prepare(stack, early, Path(params), Path(out), reports, on_event)
        guard.check()
        lock = lock_quarter(Path(out) / prepared.quarter.id)
        stack.callback(lock.release)
        # And the data files once: every briefing reads the same copy of each, and the
        # manifest hashes that copy, whatever is saved into the data folders meanwhile.
        prepared.params = _freeze_data(
            stack, prepared.params, prepared.quarter, prepared.snapshot, Path(out) / ".cache"
        )
        guard.check()
    except BaseException:
        try:
            stack.close()
            if zygote is not None:
                zygote.close()
        finally:
            guard.__exit__()
        raise
    try:
        return _run(stack, guard, prepared, Path(out), jobs, timeout, on_event, zygote)
    finally:
        guard.__exit__()


@dataclass
class _Early:
    quarter: Quarter
    ids: list[str]
    notebook: Path
    printer: Callable[[Path, Path], None] | None


@dataclass
class _Prepared:
    params: Params
    quarter: Quarter
    ids: list[str]
    notebook: Path
    printer: Callable[[Path, Path], None] | None
    warnings: tuple[str, ...]
    snapshot: Path


def _early(
    quarter: str | Quarter,
    params: Path,
    reports: list[str] | None,
    notebook: str | Path | None,
    pdf: bool,
) -> _Early:
    """What can be refused before anything is started, with no heavy import (the
    zygote starts right after); raises on bad input."""
    from toolkit.files import resources
    from toolkit.quarters import Quarter

    parsed = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    ids = list(dict.fromkeys(reports or []))
    if reports is not None and not ids:
        raise InputError(
            Problem(
                "command line",
                "REPORT_ID",
                "no report named",
                expected="one or more report ids, or --all",
            )
        )
    if notebook is not None and not Path(notebook).is_file():
        raise InputError(
            Problem("command line", "--notebook", "no such notebook", got=str(notebook))
        )
    printer = None
    if pdf:
        from toolkit.publish.pdf import find_chromium, html_to_pdf

        if find_chromium() is None:
            raise ToolkitError(
                "--pdf: PDF export needs Chromium, which is not installed: install it with "
                "`apt-get install chromium` (Debian/Ubuntu) or set TOOLKIT_CHROMIUM to a "
                "Chrome/Chromium executable"
            )
        printer = html_to_pdf
    chosen = Path(notebook) if notebook is not None else resources.notebook()
    return _Early(parsed, ids, chosen, printer)


def _check_ids_and_root(ids: list[str], params: Path) -> None:
    """Report ids that are safe file names, and a params root that is one."""
    from toolkit.record.params import check_report_id, require_root

    for report_id in ids:
        check_report_id(report_id)
    require_root(params)


def _prepare(
    stack: contextlib.ExitStack,
    early: _Early,
    params: Path,
    out: Path,
    reports: list[str] | None,
    on_event: OnRunEvent | None,
) -> _Prepared:
    """The params read once and checked with the data; raises on bad input."""
    from toolkit.files.snapshot import params_snapshot
    from toolkit.gaps import missing_update_warning
    from toolkit.record.params import load_params
    from toolkit.runner.checks import check_data

    ids = early.ids
    # The run reads the params once, now: every briefing and the manifest describe this
    # copy, whatever is saved into the params folder while the run goes on.
    snapshot = stack.enter_context(params_snapshot(params))
    loaded = load_params(snapshot, only=ids or None)
    data = check_data(loaded, cache_dir=out / ".cache")
    if gap := missing_update_warning(loaded, early.quarter):
        data.warnings.append(gap)
    for warning in data.warnings:  # sent before any error is raised, as validate prints
        if on_event is not None:
            on_event(RunWarning(warning))
    if data.errors:
        raise InputError(data.errors)
    if reports is None:
        ids = sorted(loaded.reports)
        if not ids:
            raise InputError(
                Problem(
                    str(params / "reports"),
                    "",
                    "no report files, so --all has nothing to run",
                    expected="reports/<id>.yaml; start one with toolkit new-report",
                )
            )
    return _Prepared(
        loaded, early.quarter, ids, early.notebook, early.printer, tuple(data.warnings), snapshot
    )


def _freeze_data(
    stack: contextlib.ExitStack, loaded: Params, quarter: Quarter, snapshot: Path, cache: Path
) -> Params:
    """``loaded`` reading the run's own copy of each data file it needs
    (:func:`toolkit.files.snapshot.data_snapshot`)."""
    import dataclasses

    from toolkit.files.snapshot import data_snapshot
    from toolkit.runner.provenance import data_files

    data = loaded.force.data
    sources = [loaded.path(v) for v in (data.police_uk, data.population, data.recorded_crime) if v]
    store = cache / "data"
    try:
        copies = stack.enter_context(
            data_snapshot(snapshot, sources, data_files(loaded, quarter), store)
        )
    except OSError as exc:
        raise OutputError(exc, store) from None
    return dataclasses.replace(loaded, copies=copies)


def _run(
    stack: contextlib.ExitStack,
    guard: _InterruptGuard,
    prepared: _Prepared,
    out: Path,
    jobs: int | None,
    timeout: float | None,
    on_event: OnRunEvent | None,
    zygote: object,
) -> QuarterRun:
    from toolkit.kernels.pool import Zygote
    from toolkit.runner import batch
    from toolkit.runner.index_rows import data_notice

    assert zygote is None or isinstance(zygote, Zygote)
    try:
        with stack:
            done = batch.run_reports(
                prepared.params,
                prepared.ids,
                prepared.quarter,
                out,
                jobs=jobs,
                timeout=timeout or None,
                notebook=prepared.notebook,
                cache_dir=out / ".cache",
                pdf=prepared.printer,
                on_event=on_event,
                zygote=zygote,
                preload=BRIEFING_PRELOAD,
                on_finishing=guard.defer,
                interrupted=guard.pending,
            )
    except OSError as exc:  # the quarter's folder, index or manifest could not be written
        raise OutputError(exc, out / prepared.quarter.id) from None
    finally:
        if zygote is not None:  # the kernel pool closes it; not when the run never got there
            zygote.close()
    outcomes = []
    for result in done.results:
        notice = None
        if result.ok:
            notice = _notice(result.out_dir / "figures.json", data_notice)
        outcomes.append(
            ReportOutcome(
                report_id=result.report_id,
                ok=result.ok,
                folder=result.out_dir,
                briefing=result.out_dir / "briefing.html" if result.ok else None,
                error=result.error,
                failed_notebook=result.failed_notebook,
                notice=notice,
                outputs=tuple(result.outputs),
                seconds=result.seconds,
            )
        )
    return QuarterRun(
        quarter=prepared.quarter,
        reports=tuple(outcomes),
        index=done.index,
        manifest=done.manifest,
        warnings=prepared.warnings,
        seconds=done.seconds,
        interrupted=guard.late,
    )


def _notice(path: Path, data_notice: Callable[[BriefingFigures], str | None]) -> str | None:
    """The briefing's lagged- or incomplete-data line, from its ``figures.json``."""
    import json

    try:
        return data_notice(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def lock_quarter(folder: Path) -> FileLock:
    """Hold the quarter's output folder for this run, or refuse if another run holds it.

    Two runs writing the same quarter's outputs at once would race to replace the same
    briefings, index and manifest, so the second is refused with a message.

    Raises
    ------
    ToolkitError
        When another run holds the lock.
    OutputError
        When the folder cannot be made or the lock file written.
    """
    from filelock import FileLock, Timeout

    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(folder / ".toolkit-run.lock", timeout=0)
        lock.acquire()
    except Timeout:  # a TimeoutError, so an OSError: caught first
        raise ToolkitError(
            f"{folder}: another toolkit run is writing this quarter's outputs; wait for it to "
            "finish, or give this run another --out folder"
        ) from None
    except OSError as exc:
        raise OutputError(exc, folder) from None
    return lock


class _InterruptGuard:
    """Ctrl-C while the briefings run: one ``KeyboardInterrupt``, later ones ignored.

    Stopping takes a moment (kernels are killed, staging folders removed): a second
    Ctrl-C meanwhile must not break that off. Once :meth:`defer` is called (the index
    and manifest are being written) a Ctrl-C is only noted (:attr:`late`). Outside the
    main thread (where Python delivers signals) it does nothing. On exit the previous
    handler is put back (the command line ignores Ctrl-C from then on itself).
    """

    def __init__(self) -> None:
        self.late = False
        self._deferred = False
        self._seen = False
        self._previous: object = None
        self._installed = False

    def defer(self) -> None:
        """From now on a Ctrl-C does not stop the run."""
        self._deferred = True

    def pending(self) -> bool:
        """Whether a Ctrl-C came (and the run should be stopping)."""
        return self._seen

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` if a Ctrl-C came (in case something swallowed it)."""
        if self._seen:
            raise KeyboardInterrupt

    def _handler(self, signum: int, frame: object) -> None:
        if self._deferred:
            self.late = True
            return
        if self._seen:
            return  # stopping already
        self._seen = True
        raise KeyboardInterrupt

    def __enter__(self) -> _InterruptGuard:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
            self._installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]
