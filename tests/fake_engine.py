"""A fake notebook engine for the runner's tests: no kernel, no subprocess.

:class:`FakeEngine` is a :class:`toolkit.kernels.engine.Engine` that runs a notebook's code
cells in this process, one fresh namespace per briefing, after papermill's own
parameterising (as nbclient's tests drive a notebook with a fake kernel manager). A
cell that raises is marked with its error, the notebook is written where the runner
asked and :class:`~papermill.exceptions.PapermillExecutionError` is raised, as the
real engine does. So the runner's own rules (staging, swap-in, failure isolation,
timeouts, retries, Ctrl-C) are tested in the fast loop.
"""

from __future__ import annotations

import copy
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from papermill.exceptions import PapermillExecutionError
from papermill.parameterize import parameterize_notebook

from toolkit.kernels.execute import write_notebook


@dataclass
class FakeSlot:
    """A slot of the fake engine (the runner reads these timings)."""

    number: int
    start_seconds: float = 0.0
    warmup_seconds: float = 0.0
    shutdown_seconds: float = 0.0
    dead: bool = False


class FakeEngine:
    """Runs notebooks in-process.

    Parameters
    ----------
    lose
        Report ids whose *first* slot dies with a cause outside the notebook (as a
        kernel killed with its zygote): execution fails and :meth:`lost` says so.
    """

    zygote = None

    def __init__(self, lose: tuple[str, ...] = ()) -> None:
        self.lose = set(lose)
        self.acquired: list[FakeSlot] = []
        self.released: list[FakeSlot] = []
        self.executed: list[str] = []
        self.closed: list[bool] = []
        self._lock = threading.Lock()

    def acquire(self) -> FakeSlot:
        with self._lock:
            slot = FakeSlot(len(self.acquired))
            self.acquired.append(slot)
        return slot

    def execute(
        self,
        slot: FakeSlot,
        source: nbformat.NotebookNode,
        parameters: dict[str, Any],
        *,
        kernel_name: str,
        notebook: Path,
        executed: Path,
        timeout: float | None,
        timings: dict[str, float],
    ) -> nbformat.NotebookNode:
        report_id = parameters["report_id"]
        with self._lock:
            self.executed.append(report_id)
            if report_id in self.lose:
                self.lose.discard(report_id)
                slot.dead = True
        nb = parameterize_notebook(copy.deepcopy(source), parameters, kernel_name=kernel_name)
        if slot.dead:
            raise RuntimeError("Kernel died")  # nbclient's DeadKernelError says as much
        namespace: dict[str, Any] = {"__name__": "__main__"}
        count = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            count += 1
            cell.execution_count = count
            try:
                exec(compile(cell.source, f"<cell {index}>", "exec"), namespace)  # noqa: S102
            except Exception as err:
                cell.outputs = [
                    nbformat.v4.new_output(
                        "error",
                        ename=type(err).__name__,
                        evalue=str(err),
                        traceback=traceback.format_exception_only(err),
                    )
                ]
                write_notebook(nb, executed)
                raise PapermillExecutionError(
                    index, count, cell.source, type(err).__name__, str(err), []
                ) from err
        write_notebook(nb, executed)
        timings["cells"] = 0.0
        return nb

    def release(self, slot: FakeSlot, *, now: bool = True) -> None:
        with self._lock:
            self.released.append(slot)

    def lost(self, slot: FakeSlot) -> bool:
        return slot.dead

    def close(self, *, now: bool = False) -> None:
        self.closed.append(now)


def briefing_notebook(
    folder: Path, tag: str, actions: dict[str, str] | None = None, extra: str = ""
) -> Path:
    """A small briefing notebook: writes ``marker.txt`` (``<report> <tag>``) into its
    output folder, then does ``actions[report_id]``: ``fail`` (raises), ``sleep:S``,
    ``interrupt`` (sends this process SIGINT and waits), else nothing; then ``extra``
    (code, with ``action`` and the parameters defined)."""
    params = nbformat.v4.new_code_cell(
        'report_id = ""\nquarter = ""\nparams_dir = ""\noutput_dir = ""\ncache_dir = ""'
    )
    params.metadata["tags"] = ["parameters"]
    work = nbformat.v4.new_code_cell(
        "import os, pathlib, signal, time\n"
        f"action = {actions or {}!r}.get(report_id, 'ok')\n"
        f"pathlib.Path(output_dir, 'marker.txt').write_text(report_id + ' {tag}')\n"
        "if action == 'fail':\n"
        "    raise ValueError(report_id + ' went wrong')\n"
        "if action.startswith('sleep:'):\n"
        "    time.sleep(float(action[6:]))\n"
        "if action == 'interrupt':\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(1)\n" + extra
    )
    nb = nbformat.v4.new_notebook(cells=[params, work])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    nb.metadata["language_info"] = {"name": "python"}
    path = folder / f"briefing-{tag}.ipynb"
    nbformat.write(nb, path)
    return path
