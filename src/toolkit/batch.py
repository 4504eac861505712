"""Run briefings in parallel: execute the notebook, export, and put outputs in place.

:func:`run_reports` runs each report's notebook on its own kernel, ``jobs`` at a
time, from a :class:`~toolkit.kernels.KernelPool` of kernels started and warmed up
ahead of need (one kernel per briefing: nothing leaks between reports). The notebook
is parameterised and executed the way papermill does it (the injected-parameters
cell, papermill's metadata, the error marker on failure); the executed notebook is
exported to HTML with one shared exporter. Parsed data files are shared between
briefings through the cache folder (``cache_dir``).

For each report the notebook runs into a staging folder beside the final one
(``<out>/<quarter>/.staging-<report>-<pid>``); only when the notebook ran and the
HTML exported does the staging folder replace ``<out>/<quarter>/<report>/``, so a
failed or interrupted run leaves the previous outputs exactly as they were. A
failed notebook (an error in a cell, or the briefing running past ``timeout``) is
kept at ``<out>/<quarter>/failed/<report>.ipynb`` with the error in it, for the
analyst to open; no HTML is written for it, and the other briefings go on.

When the briefings are done, the quarter's index (:mod:`toolkit.quarter_index`: the
overview ``index.html``, ``index.json`` with one row per report built from each
briefing's ``figures.json``, and the tracker) and
``manifest.json`` (provenance, see :mod:`toolkit.manifest`) are written, each
atomically. An interrupted run (Ctrl-C) kills its kernels, removes its staging
folders and writes none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat
from nbclient.exceptions import CellTimeoutError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NotebookExecutionManager, papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.execute import (
    prepare_notebook_metadata,
    raise_for_execution_errors,
    remove_error_markers,
)
from papermill.iorw import load_notebook_node, write_ipynb
from papermill.parameterize import parameterize_notebook

from toolkit import manifest, resources
from toolkit.export import notebook_html
from toolkit.export import warm as warm_exporter
from toolkit.kernels import KernelPool, KernelPoolClosed, PooledKernel, Zygote
from toolkit.params import Params
from toolkit.quarter_index import write_quarter_index
from toolkit.quarters import Quarter
from toolkit.register import s55_state
from toolkit.vocabulary import IndexRow, RunState

log = logging.getLogger("toolkit")


STAGES = ("wait", "kernel_start", "imports", "cells", "export", "pdf", "shutdown")
"""Where a briefing's time goes (seconds, in :attr:`Result.timings`).

``wait`` is time spent waiting for a ready kernel; ``kernel_start`` and ``imports``
are the kernel's launch and warm-up, which happen before the briefing is assigned
(overlapping other briefings); ``shutdown`` happens after it, in the background.
"""


@dataclass
class Result:
    """How one briefing went.

    Attributes
    ----------
    report_id
        The report.
    ok
        Whether the briefing was produced and put in place.
    out_dir
        ``<out>/<quarter>/<report_id>/``.
    seconds
        Wall time from start to outputs in place (or failure).
    error
        The error's first line, for a failed briefing.
    failed_notebook
        Where the failed notebook was kept, when it ran far enough to have one.
    outputs
        The files written, for an ok briefing.
    started, ended
        UTC times.
    timings
        Seconds per stage (see :data:`STAGES`).
    """

    report_id: str
    ok: bool
    out_dir: Path
    seconds: float = 0.0
    error: str = ""
    failed_notebook: Path | None = None
    outputs: list[Path] = field(default_factory=list)
    started: datetime | None = None
    ended: datetime | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def status(self) -> RunState:
        """``ok`` or ``failed``."""
        return RunState.OK if self.ok else RunState.FAILED


@dataclass
class Batch:
    """A whole run: every briefing's result and the quarter's index and manifest."""

    quarter: Quarter
    results: list[Result]
    index: Path | None = None
    manifest: Path | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every briefing was produced."""
        return all(r.ok for r in self.results)


@dataclass(frozen=True)
class Event:
    """A briefing changed state: ``queued``, ``waiting`` (for a kernel), ``running``,
    ``exporting``, ``ok`` or ``failed``."""

    report_id: str
    state: RunState
    elapsed: float = 0.0
    error: str = ""


OnEvent = Callable[[Event], None]


class _DebugLogger(logging.Logger):
    """A logger that logs everything at debug level."""

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - logging's name
        return super().isEnabledFor(logging.DEBUG)

    def _log(self, level: int, msg: object, args: Any, *more: Any, **kwargs: Any) -> None:
        super()._log(logging.DEBUG, msg, args, *more, **kwargs)


_CLIENT_LOG = _DebugLogger("toolkit.nbclient")
"""nbclient's own messages ("Timeout waiting for execute reply" and the like): the
briefing's result says what went wrong, so these are kept for ``--debug``."""
_CLIENT_LOG.parent = log


def _first_line(err: BaseException) -> str:
    if isinstance(err, PapermillExecutionError):
        text = f"{err.ename}: {err.evalue}"
    else:
        text = f"{type(err).__name__}: {err}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


def _swap_in(staging: Path, final: Path) -> None:
    """Replace ``final`` with ``staging`` by renames, keeping the old one until done.

    A run killed between the two renames leaves ``.old-<report>-<pid>`` and no
    ``<report>``: :func:`recover_interrupted` (at the next run's start) puts it back.
    """
    old = final.with_name(f".old-{final.name}-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def recover_interrupted(quarter_dir: Path) -> None:
    """Undo what a killed run left half done in a quarter's folder; remove its litter.

    Called at the start of a run, which holds the quarter's lock, so every staging or
    ``.old-`` folder there belongs to a run that died (kill -9, power loss). A briefing
    whose swap-in was cut between its two renames is rolled back to the previous good
    one (``.old-<report>-<pid>`` renamed back to ``<report>``: the index and manifest
    still describe it); an ``.old-`` folder beside a briefing in place is the end of a
    finished swap and is removed, as is every ``.staging-`` folder.
    """
    if not quarter_dir.is_dir():
        return
    for old in sorted(quarter_dir.glob(".old-*-*")):
        report_id = old.name.removeprefix(".old-").rsplit("-", 1)[0]
        final = quarter_dir / report_id
        if old.is_dir() and not final.exists():
            log.warning("%s: restoring the briefing an interrupted run had moved aside", final)
            os.replace(old, final)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for staging in quarter_dir.glob(".staging-*"):
        shutil.rmtree(staging, ignore_errors=True)


def _mark_timeout(nb: nbformat.NotebookNode, path: Path, message: str) -> None:
    """Put the timeout into the notebook as the running cell's error, as papermill would."""
    started = [
        cell
        for cell in nb.cells
        if cell.cell_type == "code" and cell.metadata.get("papermill", {}).get("start_time")
    ]
    for cell in started[-1:]:  # the cell that was running when time ran out
        cell.outputs.append(
            nbformat.v4.new_output("error", ename="TimeoutError", evalue=message, traceback=[])
        )
        cell.metadata.papermill.update(exception=True, status="failed")
    nb.metadata.papermill["exception"] = True
    with contextlib.suppress(PapermillExecutionError):  # it marks the error cell, then raises
        raise_for_execution_errors(nb, str(path))


def _write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write the executed notebook whole or not at all (a full disk leaves no stub).

    A failure to write is logged, not raised: the briefing's own error matters more.
    """
    temporary = path.with_name(f".{path.name}.part")
    try:
        write_ipynb(nb, str(temporary))
        os.replace(temporary, path)
    except OSError as exc:
        log.warning("%s: the notebook could not be written: %s", path, exc)
        temporary.unlink(missing_ok=True)


def _settle_loop() -> None:
    """Let this thread's event loop finish the tasks a stopped execution left pending."""
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        return
    if loop.is_running() or loop.is_closed():
        return
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


class _Runner:
    """What every briefing of one run shares: the pool, the notebook, the exporter."""

    def __init__(
        self,
        params: Params,
        quarter: Quarter,
        out_root: Path,
        *,
        pool: KernelPool,
        source: nbformat.NotebookNode,
        notebook: Path,
        kernel_name: str,
        timeout: float | None,
        cache_dir: Path | None,
        pdf: Callable[[Path, Path], None] | None,
        footer: str,
        generated: str,
        on_event: OnEvent | None,
    ) -> None:
        self.params = params
        self.quarter = quarter
        self.quarter_dir = out_root / quarter.id
        self.pool = pool
        self.source = source
        self.notebook = notebook
        self.kernel_name = kernel_name
        self.timeout = timeout
        self.cache_dir = cache_dir
        self.pdf = pdf
        self.footer = footer
        self.generated = generated
        self.on_event = on_event
        self.stop = threading.Event()
        self.kernels: dict[str, PooledKernel] = {}

    def emit(self, report_id: str, state: RunState, started: float, error: str = "") -> None:
        if self.on_event is not None:
            self.on_event(Event(report_id, state, time.perf_counter() - started, error))

    def run_one(self, report_id: str) -> Result:
        """Execute, export and put in place one briefing; never raises."""
        started = time.perf_counter()
        final = self.quarter_dir / report_id
        result = Result(report_id, False, final, started=manifest.utc_now())
        staging = self.quarter_dir / f".staging-{report_id}-{os.getpid()}"
        executed = staging / "briefing.ipynb"
        kernel: PooledKernel | None = None
        try:
            if self.stop.is_set():
                raise KernelPoolClosed("interrupted")
            self.emit(report_id, RunState.WAITING, started)
            kernel = self.pool.acquire()
            self.kernels[report_id] = kernel
            result.timings.update(
                wait=time.perf_counter() - started,
                kernel_start=kernel.start_seconds,
                imports=kernel.warmup_seconds,
            )
            if staging.exists():
                shutil.rmtree(staging)
            staging.mkdir(parents=True)
            self.emit(report_id, RunState.RUNNING, started)
            nb = self._execute(kernel, report_id, staging, executed, result)
            self.pool.release(kernel)
            self.emit(report_id, RunState.EXPORTING, started)
            self._export(nb, report_id, staging, result)
            spent = time.perf_counter() - started - result.timings["wait"]
            if self.timeout and spent > self.timeout:  # --timeout covers the export too
                raise TimeoutError(
                    f"the briefing ran for more than {self.timeout:g} s (--timeout), "
                    "its export included"
                )
            if self.stop.is_set():
                raise KernelPoolClosed("interrupted")
            _swap_in(staging, final)
        except BaseException as err:  # noqa: BLE001 - every failure is reported, none stops the run
            if kernel is not None:
                self.pool.release(kernel, now=True)
            result.error = (
                "interrupted"
                if self.stop.is_set() or isinstance(err, KernelPoolClosed)
                else _first_line(err)
            )
            if executed.exists() and not self.stop.is_set():
                failed = self.quarter_dir / "failed" / f"{report_id}.ipynb"
                try:
                    failed.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(executed, failed)
                    result.failed_notebook = failed
                except OSError as exc:
                    log.warning("%s: the failed notebook could not be kept: %s", failed, exc)
            shutil.rmtree(staging, ignore_errors=True)
            log.debug("%s failed", report_id, exc_info=True)
        else:
            result.ok = True
            result.outputs = sorted(p for p in final.iterdir() if p.is_file())
            (self.quarter_dir / "failed" / f"{report_id}.ipynb").unlink(missing_ok=True)
        result.seconds = time.perf_counter() - started
        result.ended = manifest.utc_now()
        self.emit(report_id, result.status, started, result.error)
        return result

    def _execute(
        self,
        kernel: PooledKernel,
        report_id: str,
        staging: Path,
        executed: Path,
        result: Result,
    ) -> nbformat.NotebookNode:
        """Papermill's execution, on a pooled kernel: parameterise, run, save, check."""
        parameters = {
            "report_id": report_id,
            "quarter": self.quarter.id,
            "params_dir": str(self.params.root.resolve()),
            "output_dir": str(staging.resolve()),
            "cache_dir": str(self.cache_dir.resolve()) if self.cache_dir else "",
        }
        nb = parameterize_notebook(
            copy.deepcopy(self.source), parameters, kernel_name=self.kernel_name
        )
        nb = prepare_notebook_metadata(nb, str(self.notebook), str(executed))
        nb = remove_error_markers(nb)
        # No output path: papermill would rewrite the whole notebook (charts included) at
        # every cell's start and end; it is written once below, or with the error.
        manager = NotebookExecutionManager(nb, output_path=None, progress_bar=False)
        began = time.perf_counter()
        deadline = began + self.timeout if self.timeout else None

        def cell_timeout(cell: object) -> float | None:
            return None if deadline is None else max(0.1, deadline - time.perf_counter())

        client = PapermillNotebookClient(
            manager,
            km=kernel.km,
            kernel_name=self.kernel_name,
            timeout_func=cell_timeout,
            startup_timeout=60,
            log=_CLIENT_LOG,
        )
        manager.notebook_start()
        timed_out = False
        try:
            client.execute()
        except CellTimeoutError:
            timed_out = True
        except Exception:
            _write_notebook(manager.nb, executed)  # keep what ran, for the analyst
            raise
        finally:
            _settle_loop()
            if client.kc is not None:
                client.kc.stop_channels()
            manager.cleanup_pbar()
            manager.notebook_complete()
            result.timings["cells"] = time.perf_counter() - began
        if timed_out:
            message = f"the briefing ran for more than {self.timeout:g} s (--timeout)"
            _mark_timeout(manager.nb, executed, message)
            raise TimeoutError(message)
        raise_for_execution_errors(manager.nb, str(executed))
        _write_notebook(manager.nb, executed)
        return manager.nb

    def _export(
        self, nb: nbformat.NotebookNode, report_id: str, staging: Path, result: Result
    ) -> None:
        began = time.perf_counter()
        report = self.params.reports[report_id]
        html = notebook_html(
            nb,
            title=f"{report.title} — {self.params.force.force.name} briefing, {self.quarter.label}",
            footer=self.footer,
            generated=self.generated,
        )
        manifest.write_text(staging / "briefing.html", html)
        result.timings["export"] = time.perf_counter() - began
        if self.pdf is not None:
            began = time.perf_counter()
            self.pdf(staging / "briefing.html", staging / "briefing.pdf")
            result.timings["pdf"] = time.perf_counter() - began


def _warm_cache(params: Params, report_id: str, quarter: Quarter, cache_dir: Path | None) -> None:
    """Parse the data files every briefing of the run reads, once, while kernels start.

    Every briefing reads the same data.police.uk files (the force's and its peers'),
    population and recorded crime table; without this the first briefings would each
    parse them at the same time. Problems are left for the briefings to report.
    """
    if cache_dir is None:
        return
    from toolkit.briefing import Briefing
    from toolkit.errors import ToolkitError

    began = time.perf_counter()
    try:
        briefing = Briefing(params, report_id, quarter, cache_dir)
        _ = briefing.police_uk, briefing.recorded_crime
    except ToolkitError as err:
        log.debug("data cache not warmed: %s", err)
    log.debug("data cache warmed in %.2f s", time.perf_counter() - began)


def _warm_exporter() -> None:
    """:func:`toolkit.export.warm`; a problem is left for the first export to report."""
    try:
        warm_exporter()
    except Exception as err:
        log.debug("exporter not warmed: %s", err)


def run_reports(
    params: Params,
    report_ids: list[str],
    quarter: Quarter,
    out_root: Path,
    *,
    jobs: int | None = None,
    timeout: float | None = 600,
    notebook: Path | None = None,
    cache_dir: Path | None = None,
    pdf: Callable[[Path, Path], None] | None = None,
    on_event: OnEvent | None = None,
    zygote: Zygote | None = None,
) -> Batch:
    """Run several briefings in parallel; a failure does not stop the others.

    Parameters
    ----------
    params
        The validated params root (:func:`toolkit.params.load_params`).
    report_ids
        Reports to brief on (``toolkit run ID …`` or every report for ``--all``).
    quarter
        ``--quarter``.
    out_root
        ``--out``; briefings go to ``<out_root>/<quarter>/<report_id>/``.
    jobs
        Briefings at once (``--jobs``; default the number of CPU cores).
    timeout
        Seconds one briefing may run before it is stopped as failed (``--timeout``).
    notebook
        The briefing notebook; ``None`` for the shipped one
        (:func:`toolkit.resources.notebook`).
    cache_dir
        Shared cache for parsed data files.
    pdf
        ``toolkit.pdf.html_to_pdf`` (or any ``(html, pdf)`` callable) to print each
        briefing to ``briefing.pdf`` too; ``None`` for no PDF.
    on_event
        Called (from worker threads) whenever a briefing changes state.
    zygote
        A kernel zygote the caller started early (:func:`toolkit.kernels.start_zygote`);
        the run's kernel pool takes it over and closes it.

    Returns
    -------
    Batch
        Every result, in ``report_ids`` order, and where the index and manifest are.

    Raises
    ------
    KeyboardInterrupt
        After cleaning up (kernels killed, staging folders removed, nothing half-written).
    ToolkitError
        When the shipped notebook is missing from the installation.
    """
    notebook = notebook or resources.notebook()
    started_clock = time.perf_counter()
    started = manifest.utc_now()
    jobs = max(1, jobs or os.cpu_count() or 1)
    quarter_dir = out_root / quarter.id
    quarter_dir.mkdir(parents=True, exist_ok=True)
    recover_interrupted(quarter_dir)
    source = load_notebook_node(str(notebook))
    kernel_name = papermill_engines.nb_kernel_name(engine_name=None, nb=source)
    hasher = manifest.Hasher()
    commit = manifest.git_commit()
    versions = manifest.versions()
    footer = manifest.footer(started, commit, params, hasher, str(versions["toolkit"]))
    if on_event is not None:
        for report_id in report_ids:
            on_event(Event(report_id, RunState.QUEUED))
    pool = KernelPool(
        min(jobs, len(report_ids)), len(report_ids), kernel_name=kernel_name, zygote=zygote
    )
    # While the first kernels start: nbconvert's exporter on a thread, the data here.
    exporter = threading.Thread(target=_warm_exporter, name="toolkit-exporter", daemon=True)
    exporter.start()
    _warm_cache(params, report_ids[0], quarter, cache_dir)
    runner = _Runner(
        params,
        quarter,
        out_root,
        pool=pool,
        source=source,
        notebook=notebook,
        kernel_name=kernel_name,
        timeout=timeout,
        cache_dir=cache_dir,
        pdf=pdf,
        footer=footer,
        generated=f"{started.day} {started:%B %Y, %H:%M} UTC",
        on_event=on_event,
    )
    executor = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="toolkit-briefing")
    futures: list[Future[Result]] = []
    try:
        futures = [executor.submit(runner.run_one, report_id) for report_id in report_ids]
        pending = set(futures)
        while pending:  # short waits, so that Ctrl-C is seen at once
            _, pending = wait(pending, timeout=0.2)
        results = [future.result() for future in futures]
    except BaseException:
        runner.stop.set()
        for future in futures:
            future.cancel()
        pool.close(now=True)
        executor.shutdown(wait=True, cancel_futures=True)
        for stale in quarter_dir.glob(f".staging-*-{os.getpid()}"):
            shutil.rmtree(stale, ignore_errors=True)
        raise
    pool.close()
    executor.shutdown(wait=True)
    for result in results:
        if result.report_id in runner.kernels:
            result.timings["shutdown"] = runner.kernels[result.report_id].shutdown_seconds
    ended = manifest.utc_now()
    try:
        index = write_quarter_index(
            params,
            quarter,
            out_root,
            _index_rows(params, quarter, quarter_dir, results),
            footer=footer,
        )
        manifest_path = _write_manifest(
            params,
            quarter,
            out_root,
            results,
            hasher=hasher,
            commit=commit,
            versions=versions,
            started=started,
            ended=ended,
        )
    except OSError:
        # An earlier manifest would now describe briefings this run replaced: better none.
        with contextlib.suppress(OSError):
            (quarter_dir / "manifest.json").unlink(missing_ok=True)
        raise
    return Batch(quarter, results, index, manifest_path, time.perf_counter() - started_clock)


# -- the quarter index --------------------------------------------------------


def data_notice(figures: dict[str, Any]) -> str | None:
    """A line saying when a briefing's data.police.uk figures are lagged or incomplete.

    ``None`` when they describe the briefing's own quarter, complete (or there are none).
    """
    police_uk = figures.get("police_uk")
    if not isinstance(police_uk, dict):
        return None
    lag = police_uk.get("lag") or 0
    if lag:
        return (
            f"figures for {police_uk['quarter']}, {lag} quarter{'s' if lag != 1 else ''} before "
            f"{figures['quarter']}: the latest complete quarter in the data "
            "(toolkit fetch-data adds newer months)"
        )
    if police_uk.get("complete") is False:
        missing = ", ".join(police_uk.get("missing_months") or [])
        return f"figures for {police_uk['quarter']} are incomplete (no data for {missing})"
    return None


def _index_rows(
    params: Params, quarter: Quarter, quarter_dir: Path, results: list[Result]
) -> list[IndexRow]:
    """One row per report with outputs in the quarter: this run's, then earlier runs'.

    Each row comes from the briefing's ``figures.json`` (as the notebook wrote it);
    a failed briefing's row (or one whose notebook wrote no figures) comes from its
    params: title, dates and s55 state, without item counts.
    """
    by_id = {r.report_id: r for r in results}
    rows: list[IndexRow] = []
    for report_id in sorted(params.reports):
        result = by_id.get(report_id)
        figures_path = quarter_dir / report_id / "figures.json"
        if result is not None and (not result.ok or not figures_path.is_file()):
            report = params.reports[report_id]
            s55 = s55_state(report, quarter)
            rows.append(
                {
                    "id": report_id,
                    "title": report.title,
                    "status": result.status,
                    "ok": result.ok,
                    "error": result.error,
                    "failed_notebook": (
                        result.failed_notebook.relative_to(quarter_dir).as_posix()
                        if result.failed_notebook
                        else None
                    ),
                    "published": s55["published"],
                    "deadline": s55["deadline"],
                    "s55_state": s55["state"],
                    "s55_text": s55["state_text"],
                    "by_status": {},
                    "overdue": None,
                    "past_target": None,
                    "data_quarter": None,
                    "data_notice": None,
                    "briefing": f"{report_id}/briefing.html" if result.ok else None,
                }
            )
        elif figures_path.is_file():
            figures = json.loads(figures_path.read_text(encoding="utf-8"))
            s55, items = figures["s55"], figures["items"]
            rows.append(
                {
                    "id": report_id,
                    "title": figures.get("title", params.reports[report_id].title),
                    "status": RunState.OK,
                    "ok": True,
                    "error": "",
                    "failed_notebook": None,
                    "published": s55["published"],
                    "deadline": s55["deadline"],
                    "s55_state": s55["state"],
                    "s55_text": s55["state_text"],
                    "by_status": items["by_status"],
                    "overdue": items["overdue"],
                    "past_target": items.get("past_target"),
                    "data_quarter": (figures.get("police_uk") or {}).get("quarter"),
                    "data_notice": data_notice(figures),
                    "briefing": f"{report_id}/briefing.html",
                }
            )
    return rows


# -- provenance ---------------------------------------------------------------


def _still_there(quarter_dir: Path, entry: Any) -> bool:
    """An earlier run's manifest entry still describes the files in its folder."""
    if not isinstance(entry, dict) or not (quarter_dir / str(entry.get("folder"))).is_dir():
        return False
    fresh = manifest.Hasher()
    for file in entry.get("files") or []:
        path = quarter_dir / str(file.get("path", ""))
        try:
            if fresh.sha256(path) != file.get("sha256"):
                return False
        except OSError:
            return False
    return True


def _write_manifest(
    params: Params,
    quarter: Quarter,
    out_root: Path,
    results: list[Result],
    *,
    hasher: manifest.Hasher,
    commit: str | None,
    versions: dict[str, str | None],
    started: datetime,
    ended: datetime,
) -> Path:
    """``manifest.json``: this run's outputs, plus earlier entries for reports not rerun."""
    quarter_dir = out_root / quarter.id
    path = quarter_dir / "manifest.json"
    earlier = manifest.read_manifest(path).get("outputs", {})
    params_entries = hasher.entries(params.root, manifest.params_files(params))
    data_entries = hasher.entries(params.origin, manifest.data_files(params, quarter))
    outputs: dict[str, Any] = {}
    by_id = {r.report_id: r for r in results}
    for report_id in sorted(set(by_id) | set(earlier)):
        result = by_id.get(report_id)
        if result is None:
            if report_id in params.reports and _still_there(quarter_dir, earlier[report_id]):
                outputs[report_id] = earlier[report_id]
            continue
        outputs[report_id] = {
            "status": result.status,
            "error": result.error or None,
            "folder": report_id if result.ok else None,
            "failed_notebook": (
                result.failed_notebook.relative_to(quarter_dir).as_posix()
                if result.failed_notebook
                else None
            ),
            "files": (hasher.entries(quarter_dir, result.outputs) if result.ok else []),
            "started": manifest.iso(result.started) if result.started else None,
            "ended": manifest.iso(result.ended) if result.ended else None,
            "seconds": {k: round(v, 3) for k, v in result.timings.items()},
            "params": params_entries,
            "data": data_entries,
            "code": {"commit": commit, "versions": versions},
        }
    data = {
        "quarter": quarter.id,
        "params_root": str(params.origin.resolve()),
        "code": {"commit": commit, "versions": versions},
        "started": manifest.iso(started),
        "ended": manifest.iso(ended),
        "outputs": outputs,
    }
    return manifest.write_json(path, data)


# -- progress displays ----------------------------------------------------------


class LineProgress:
    """Progress as plain lines (a log file, a pipe): one line when a briefing starts or ends.

    Parameters
    ----------
    write
        Where each line goes (the CLI's error console).
    """

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        if event.state is RunState.RUNNING:
            line = f"{event.report_id}: running"
        elif event.state is RunState.OK:
            line = f"{event.report_id}: ok in {event.elapsed:.1f} s"
        elif event.state is RunState.FAILED:
            line = f"{event.report_id}: failed after {event.elapsed:.1f} s: {event.error}"
        else:
            return
        with self._lock:
            self._write(line)


class LiveProgress:
    """Progress on a terminal: a live table of every briefing's state, elapsed time, error.

    Parameters
    ----------
    console
        A :class:`rich.console.Console` on a terminal.
    report_ids
        The briefings of the run, in order.
    """

    def __init__(self, console: Any, report_ids: list[str]) -> None:
        from rich.live import Live

        self._rows: dict[str, tuple[RunState, float, str]] = {
            r: (RunState.QUEUED, 0.0, "") for r in report_ids
        }
        self._since: dict[str, float] = {}
        self._lock = threading.Lock()
        self._live = Live(
            console=console, get_renderable=self._table, refresh_per_second=4, transient=False
        )

    def __enter__(self) -> LiveProgress:
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()

    def __call__(self, event: Event) -> None:
        with self._lock:
            if event.state is RunState.WAITING:
                self._since[event.report_id] = time.perf_counter() - event.elapsed
            self._rows[event.report_id] = (event.state, event.elapsed, event.error)

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(title="Briefings", title_justify="left")
        table.add_column("Report")
        table.add_column("State")
        table.add_column("Elapsed", justify="right")
        table.add_column("Error")
        styles = {
            RunState.OK: "green",
            RunState.FAILED: "bold red",
            RunState.RUNNING: "cyan",
            RunState.EXPORTING: "cyan",
        }
        with self._lock:
            rows = list(self._rows.items())
            since = dict(self._since)
        done = sum(state.finished for _, (state, _, _) in rows)
        failed = sum(state == RunState.FAILED for _, (state, _, _) in rows)
        now = time.perf_counter()
        for report_id, (state, elapsed, error) in rows:
            if state.busy and report_id in since:
                elapsed = now - since[report_id]
            shown = f"{elapsed:.1f} s" if state != RunState.QUEUED else ""
            table.add_row(report_id, f"[{styles.get(state, '')}]{state}[/]", shown, error)
        table.caption = f"{done} of {len(rows)} done, {failed} failed"
        return table
