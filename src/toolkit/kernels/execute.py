"""Execute one briefing notebook on a kernel the run already started, through papermill.

papermill does the parameterising (the injected-parameters cell), the metadata, the
per-cell bookkeeping and the error marker on failure; the toolkit plugs in through
papermill's engine extension point: :class:`PooledKernelEngine`, registered with
``papermill_engines`` as ``toolkit-pooled``, runs the notebook with nbclient on the
kernel manager it is given (``km=``) instead of starting a kernel of its own, and
with a per-cell timeout that counts down one deadline for the whole briefing.

:func:`execute` asks papermill for no output path while the cells run (papermill
would otherwise rewrite the whole notebook, charts included, at every cell's start
and end): the executed notebook is written once at the end, atomically, or with the
error in it when a cell fails or time runs out, for the analyst to open.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import time
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import KernelManager
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError
from nbclient.util import run_hook
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, NotebookExecutionManager, papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.execute import (
    prepare_notebook_metadata,
    raise_for_execution_errors,
    remove_error_markers,
)
from papermill.iorw import write_ipynb
from papermill.parameterize import parameterize_notebook

from toolkit.files import atomic
from toolkit.kernels.ready import wait_connected

log = logging.getLogger("toolkit")

NotebookParameters = dict[str, Any]  # free-form: whatever the notebook's parameters cell takes
"""papermill parameters: names of the notebook's parameters cell, JSON-native values."""

ENGINE = "toolkit-pooled"
"""The name :class:`PooledKernelEngine` is registered under with papermill."""


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


def first_line(err: BaseException) -> str:
    """The error's first line, as a briefing's result shows it (a cell's error by name)."""
    if isinstance(err, PapermillExecutionError):
        text = f"{err.ename}: {err.evalue}"
    else:
        text = f"{type(err).__name__}: {err}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


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


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write the executed notebook whole or not at all (a full disk leaves no stub).

    A failure to write is logged, not raised: the briefing's own error matters more.
    """
    try:
        with atomic.replacing(path) as temporary:
            write_ipynb(nb, str(temporary))
    except OSError as exc:
        log.warning("%s: the notebook could not be written: %s", path, exc)


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


class _PooledClient(PapermillNotebookClient):
    """papermill's notebook client, connecting to the pooled kernel without a 0.2 s wait.

    nbclient connects a new client to the kernel with jupyter_client's
    ``wait_for_ready``, which nearly always waits 0.2 s for IOPub; this client connects
    with :func:`toolkit.kernels.ready.wait_connected` instead and is otherwise nbclient's
    own ``async_start_new_kernel_client`` (less shutting the kernel down on failure, which
    is the pool's to do).
    """

    async def async_start_new_kernel_client(self) -> Any:
        assert self.km is not None
        # On failure the engine stops the channels and the run releases the kernel.
        self.kc = self.km.client()
        await ensure_async(self.kc.start_channels())
        await wait_connected(self.kc, timeout=self.startup_timeout, is_alive=self.km.is_alive)
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)


class PooledKernelEngine(Engine):
    """papermill's nbclient engine on a kernel that is already running (``km=``).

    papermill's own engine starts a kernel per notebook; a run starts its kernels
    ahead of need in a pool (:class:`toolkit.kernels.pool.KernelPool`), so this engine
    takes the pooled kernel's manager, and a ``timeout_func`` giving each cell the
    time left before the briefing's deadline.
    """

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: NotebookExecutionManager,
        kernel_name: str,
        log_output: bool = False,
        *,
        km: KernelManager,
        timeout_func: Any,
        start_timeout: float = 60,
        **kwargs: Any,
    ) -> None:
        client = _PooledClient(
            nb_man,
            km=km,
            kernel_name=kernel_name,
            timeout_func=timeout_func,
            startup_timeout=start_timeout,
            log=_CLIENT_LOG,
            log_output=log_output,
        )
        try:
            client.execute()
        finally:
            _settle_loop()
            if client.kc is not None:
                client.kc.stop_channels()


papermill_engines.register(ENGINE, PooledKernelEngine)


def execute(
    source: nbformat.NotebookNode,
    parameters: NotebookParameters,
    *,
    km: KernelManager,
    kernel_name: str,
    notebook: Path,
    executed: Path,
    timeout: float | None,
    timings: dict[str, float],
) -> nbformat.NotebookNode:
    """Parameterise ``source``, run it on ``km``'s kernel, write it to ``executed``, check it.

    Parameters
    ----------
    source
        The briefing notebook as loaded (not changed: a copy is run).
    parameters
        The values for its ``parameters`` cell (JSON-native).
    km
        The running kernel's manager (from the run's kernel pool).
    kernel_name
        The notebook's kernel name.
    notebook
        Where ``source`` was read from (recorded in papermill's metadata).
    executed
        Where the executed notebook is written (also when it fails).
    timeout
        Seconds the cells may take together; ``None`` for no limit.
    timings
        Gets ``cells``: the seconds the cells took.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.

    Raises
    ------
    PapermillExecutionError
        When a cell raised (the notebook is written with the error marked).
    TimeoutError
        When the cells ran past ``timeout`` (the running cell gets the error).
    """
    nb = parameterize_notebook(copy.deepcopy(source), parameters, kernel_name=kernel_name)
    nb = prepare_notebook_metadata(nb, str(notebook), str(executed))
    nb = remove_error_markers(nb)
    began = time.perf_counter()
    deadline = began + timeout if timeout else None

    def cell_timeout(cell: object) -> float | None:
        return None if deadline is None else max(0.1, deadline - time.perf_counter())

    timed_out = False
    try:
        # The engine runs on ``nb`` itself: what ran is in it when a cell fails.
        papermill_engines.execute_notebook_with_engine(
            ENGINE,
            nb,
            kernel_name,
            output_path=None,
            progress_bar=False,
            km=km,
            timeout_func=cell_timeout,
        )
    except CellTimeoutError:
        timed_out = True
    except Exception:
        write_notebook(nb, executed)  # keep what ran, for the analyst
        raise
    finally:
        timings["cells"] = time.perf_counter() - began
    if timed_out:
        message = f"the briefing ran for more than {timeout:g} s (--timeout)"
        _mark_timeout(nb, executed, message)
        raise TimeoutError(message)
    raise_for_execution_errors(nb, str(executed))
    write_notebook(nb, executed)
    return nb
