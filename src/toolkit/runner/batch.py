"""Run briefings in parallel: execute the notebook, export, and put outputs in place.

:func:`run_reports` runs each report's notebook on its own kernel, ``jobs`` at a
time, from a :class:`~toolkit.kernels.pool.KernelPool` of kernels started and warmed up
ahead of need (one kernel per briefing: nothing leaks between reports). The notebook
is parameterised and executed by papermill on the pooled kernel
(:mod:`toolkit.kernels.execute`); the executed notebook is exported to HTML with one shared
exporter. Parsed data files are shared between
briefings through the cache folder (``cache_dir``), filled once before the first
briefing starts; the overview's chart and tracker are made while the briefings run
(both in a child of the kernel zygote where there is one: :mod:`toolkit.kernels.offload`).

For each report the notebook runs into a staging folder beside the final one
(``<out>/<quarter>/.staging-<report>-<pid>``); only when the notebook ran and the
HTML exported does the staging folder replace ``<out>/<quarter>/<report>/``
(:mod:`toolkit.kernels.staging`), so a
failed or interrupted run leaves the previous outputs exactly as they were. A
failed notebook (an error in a cell, or the briefing running past ``timeout``) is
kept at ``<out>/<quarter>/failed/<report>.ipynb`` with the error in it, for the
analyst to open; no HTML is written for it, and the other briefings go on.

When the briefings are done, the quarter's index (:mod:`toolkit.publish.quarter_index`: the
overview ``index.html``, ``index.json`` with one row per report built from each
briefing's ``figures.json`` by :mod:`toolkit.runner.index_rows`, and the tracker) and
``manifest.json`` (provenance, see :mod:`toolkit.runner.manifest`) are written, each
atomically. An interrupted run (Ctrl-C) kills its kernels, removes its staging
folders and writes none of them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

import nbformat
from papermill.engines import papermill_engines
from papermill.iorw import load_notebook_node

from toolkit.errors import write_failure
from toolkit.files import atomic, cachefile, reads, resources
from toolkit.kernels.engine import Engine, KernelEngine, Slot
from toolkit.kernels.execute import first_line
from toolkit.kernels.offload import Ahead
from toolkit.kernels.pool import KernelPoolClosed, Zygote
from toolkit.kernels.preload import Preload
from toolkit.kernels.staging import recover_interrupted, swap_in
from toolkit.publish.quarter_index import QuarterParts, quarter_parts, write_quarter_index
from toolkit.quarters import Quarter
from toolkit.record.params import FAILED_FOLDER, Params
from toolkit.runner import provenance as manifest
from toolkit.runner.index_rows import data_notice, index_rows
from toolkit.runner.manifest import write_manifest
from toolkit.runner.results import STAGES, Batch, Event, OnEvent, Result
from toolkit.vocabulary import RunState

__all__ = [
    "STAGES",
    "Batch",
    "Event",
    "OnEvent",
    "Result",
    "data_notice",
    "recover_interrupted",
    "run_reports",
]

log = logging.getLogger("toolkit")


class _Runner:
    """What every briefing of one run shares: the engine, the notebook, the exporter."""

    def __init__(
        self,
        params: Params,
        quarter: Quarter,
        out_root: Path,
        *,
        engine: Engine,
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
        self.engine = engine
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
        self.swapped = False  # a briefing of this run has replaced an earlier one
        self.kernels: dict[str, Slot] = {}

    def emit(self, report_id: str, state: RunState, started: float, error: str = "") -> None:
        if self.on_event is not None:
            self.on_event(Event(report_id, state, time.perf_counter() - started, error))

    def run_one(self, report_id: str) -> Result:
        """Execute, export and put in place one briefing; never raises.

        A briefing whose kernel died of a cause outside its notebook (the kernel
        zygote was killed) is run once more on a new kernel.
        """
        began = time.perf_counter()
        result = self._attempt(report_id)
        kernel = self.kernels.get(report_id)
        lost = not result.ok and kernel is not None and not self.stop.is_set()
        if lost and kernel is not None and self.engine.lost(kernel):
            log.warning("%s: its kernel died with the kernel zygote; run again", report_id)
            result = self._attempt(report_id)
        if not self.stop.is_set():  # an interrupted run says so once, not per briefing
            self.emit(report_id, result.status, began, result.error)
        return result

    def _attempt(self, report_id: str) -> Result:
        """One try at a briefing: execute, export, swap in (or keep the failure)."""
        started = time.perf_counter()
        final = self.quarter_dir / report_id
        result = Result(report_id, False, final, started=manifest.utc_now())
        staging = self.quarter_dir / f".staging-{report_id}-{os.getpid()}"
        executed = staging / "briefing.ipynb"
        kernel: Slot | None = None
        try:
            if self.stop.is_set():
                raise KernelPoolClosed("interrupted")
            self.emit(report_id, RunState.WAITING, started)
            kernel = self.engine.acquire()
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
            self.engine.release(kernel)
            result.data_read = reads.take_record(staging)  # for the manifest, not published
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
            swap_in(staging, final)
            self.swapped = True
        except BaseException as err:  # noqa: BLE001 - every failure is reported, none stops the run
            if kernel is not None:
                self.engine.release(kernel, now=True)
            result.error = (
                "interrupted"
                if self.stop.is_set() or isinstance(err, KernelPoolClosed)
                else first_line(err)
            )
            if executed.exists() and not self.stop.is_set():
                failed = self.quarter_dir / FAILED_FOLDER / f"{report_id}.ipynb"
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
            (self.quarter_dir / FAILED_FOLDER / f"{report_id}.ipynb").unlink(missing_ok=True)
        result.seconds = time.perf_counter() - started
        result.ended = manifest.utc_now()
        return result

    def _execute(
        self,
        kernel: Slot,
        report_id: str,
        staging: Path,
        executed: Path,
        result: Result,
    ) -> nbformat.NotebookNode:
        """The briefing's notebook, parameterised for ``report_id``, run on ``kernel``."""
        parameters = {
            "report_id": report_id,
            "quarter": self.quarter.id,
            "params_dir": str(self.params.root.resolve()),
            "output_dir": str(staging.resolve()),
            "cache_dir": str(self.cache_dir.resolve()) if self.cache_dir else "",
        }
        return self.engine.execute(
            kernel,
            self.source,
            parameters,
            kernel_name=self.kernel_name,
            notebook=self.notebook,
            executed=executed,
            timeout=self.timeout,
            timings=result.timings,
        )

    def _export(
        self, nb: nbformat.NotebookNode, report_id: str, staging: Path, result: Result
    ) -> None:
        from toolkit.publish.export import notebook_html  # nbconvert: imported by _warm_exporter

        began = time.perf_counter()
        report = self.params.reports[report_id]
        html = notebook_html(
            nb,
            title=f"{report.title} — {self.params.force.force.name} briefing, {self.quarter.label}",
            footer=self.footer,
            generated=self.generated,
        )
        atomic.write_text(staging / "briefing.html", html)
        result.timings["export"] = time.perf_counter() - began
        if self.pdf is not None:
            began = time.perf_counter()
            self.pdf(staging / "briefing.html", staging / "briefing.pdf")
            result.timings["pdf"] = time.perf_counter() - began


def _warm_exporter() -> None:
    """:func:`toolkit.publish.export.warm`; a problem is left for the first export to report."""
    try:
        from toolkit.publish.export import warm

        warm()
    except Exception as err:
        log.debug("exporter not warmed: %s", err)


def _warm_cache(params: Params, report_id: str, quarter: Quarter, cache_dir: Path | None) -> None:
    """Parse the data files every briefing of the run reads, once, before any briefing
    starts: here, while the kernel zygote is still importing (it takes longer than the
    parsing), so that the first briefings start as soon as their kernels are up."""
    from toolkit.runner.prepare import warm

    if cache_dir is None:
        return
    began = time.perf_counter()
    warm(params, report_id, quarter, cache_dir)
    log.debug("data files parsed ahead in %.2f s", time.perf_counter() - began)


def _parts_ahead(params: Params, quarter: Quarter, zygote: Zygote | None) -> Ahead[QuarterParts]:
    """The overview's chart and tracker (from the register alone), made on a thread while
    the briefings run, by a zygote child where there is one."""
    import pickle

    return Ahead(
        zygote,
        "toolkit.runner.prepare:quarter_parts_pickled",
        {"params_dir": str(params.root), "quarter": quarter.id},
        decode=pickle.loads,  # our own child's, via a pipe of its own
        here=lambda: quarter_parts(params, quarter),
    )


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
    engine: Engine | None = None,
    preload: Preload | None = None,
    on_finishing: Callable[[], None] | None = None,
    interrupted: Callable[[], bool] | None = None,
) -> Batch:
    """Run several briefings in parallel; a failure does not stop the others.

    Parameters
    ----------
    params
        The validated params root (:func:`toolkit.record.params.load_params`).
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
        (:func:`toolkit.files.resources.notebook`).
    cache_dir
        Shared cache for parsed data files.
    pdf
        ``toolkit.publish.pdf.html_to_pdf`` (or any ``(html, pdf)`` callable) to print each
        briefing to ``briefing.pdf`` too; ``None`` for no PDF.
    on_event
        Called (from worker threads) whenever a briefing changes state.
    zygote
        A kernel zygote the caller started early (:func:`toolkit.kernels.zygote.start_zygote`);
        the run's kernel pool takes it over and closes it.
    engine
        What runs the notebooks (:class:`toolkit.kernels.engine.Engine`); ``None`` for pooled
        kernels (:class:`toolkit.kernels.engine.KernelEngine`). The run closes it.
    preload
        What the pooled kernels import and the zygote warms (the caller's: the runner
        names no module of its own).
    on_finishing
        Called once every briefing is done, before the index and manifest are written
        (:func:`toolkit.runner.quarter.run_quarter` stops deferring Ctrl-C from there on).
    interrupted
        Whether a Ctrl-C came: checked while the briefings run, so that one swallowed on
        the way (by a library's bare ``except``) still stops the run.

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
    if engine is None:
        engine = KernelEngine(
            min(jobs, len(report_ids)),
            len(report_ids),
            kernel_name=kernel_name,
            zygote=zygote,
            preload=preload or Preload(),
        )
    # While the first kernels start: nbconvert's exporter and the overview's chart and
    # tracker (from the register alone) on threads, the data here.
    exporter = threading.Thread(target=_warm_exporter, name="toolkit-exporter", daemon=True)
    exporter.start()
    parts = _parts_ahead(params, quarter, engine.zygote)
    parts.start()
    journals = cachefile.journal_sizes(cache_dir, trim=True) if cache_dir is not None else {}
    _warm_cache(params, report_ids[0], quarter, cache_dir)
    runner = _Runner(
        params,
        quarter,
        out_root,
        engine=engine,
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
            if interrupted is not None and interrupted():
                raise KeyboardInterrupt
            _, pending = wait(pending, timeout=0.2)
        results = [future.result() for future in futures]
    except BaseException:
        runner.stop.set()
        for future in futures:
            future.cancel()
        engine.close(now=True)
        executor.shutdown(wait=True, cancel_futures=True)
        for stale in quarter_dir.glob(f".staging-*-{os.getpid()}"):
            shutil.rmtree(stale, ignore_errors=True)
        if runner.swapped:  # the earlier manifest no longer describes the briefings
            with contextlib.suppress(OSError):
                (quarter_dir / "manifest.json").unlink(missing_ok=True)
        raise
    executor.shutdown(wait=True)
    if cache_dir is not None:  # cache entries the zygote's children or kernels discarded
        for message in cachefile.noted_since(cache_dir, journals):
            log.warning("%s", message)
    ended = manifest.utc_now()
    if on_finishing is not None:
        on_finishing()
    # The last kernels shut down while the index is written; the manifest, which
    # records each kernel's shutdown time, waits for them.
    closing = threading.Thread(target=engine.close, name="toolkit-pool-close", daemon=True)
    closing.start()
    try:
        try:
            index = write_quarter_index(
                params,
                quarter,
                out_root,
                index_rows(params, quarter, quarter_dir, results),
                footer=footer,
                parts=parts.result(),
            )
        finally:
            closing.join()
        for result in results:
            if result.report_id in runner.kernels:
                result.timings["shutdown"] = runner.kernels[result.report_id].shutdown_seconds
        manifest_path = write_manifest(
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
    except Exception as exc:
        failure = write_failure(exc)  # a full disk, a file-size limit (lxml's IO_EFBIG too)
        if failure is None:
            raise
        # An earlier manifest would now describe briefings this run replaced: better none.
        with contextlib.suppress(OSError):
            (quarter_dir / "manifest.json").unlink(missing_ok=True)
        if failure is exc:
            raise
        raise failure from exc
    return Batch(quarter, results, index, manifest_path, time.perf_counter() - started_clock)
