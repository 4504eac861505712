"""What runs a run's notebooks: the seam between the runner and the kernels.

The runner (:mod:`toolkit.runner.batch`) stages, exports, times out and isolates failures;
an :class:`Engine` only hands out a *slot* for one notebook, executes the notebook
in it and takes the slot back. :class:`KernelEngine` is the real one: a
:class:`~toolkit.kernels.pool.KernelPool` of pre-started kernels (forked from a zygote
where possible) and papermill (:func:`toolkit.kernels.execute.execute`). Tests plug in an
engine with no kernel and no subprocess, as nbclient's tests use a fake kernel
manager, so that the runner's own rules are checked in the fast loop.

Like the pool and the zygote, this module knows nothing of what the notebooks do:
what kernels import and warm (:class:`Preload`) is the caller's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import nbformat

from toolkit.kernels.execute import NotebookParameters, execute
from toolkit.kernels.pool import KernelPool, PooledKernel, Zygote, import_code
from toolkit.kernels.preload import Preload


class Slot(Protocol):
    """Where one notebook runs (a pooled kernel), with what getting it ready cost."""

    start_seconds: float
    warmup_seconds: float
    shutdown_seconds: float


class Engine(Protocol):
    """Runs notebooks, one per slot; used from several threads at once."""

    @property
    def zygote(self) -> Zygote | None:
        """A zygote for work done ahead (:mod:`toolkit.kernels.offload`), or ``None``."""

    def acquire(self) -> Slot:
        """A ready slot, waiting for one if need be.

        Raises
        ------
        toolkit.kernels.pool.KernelPoolClosed
            Once the engine is closing (an interrupted run).
        """

    def execute(
        self,
        slot: Any,
        source: nbformat.NotebookNode,
        parameters: NotebookParameters,
        *,
        kernel_name: str,
        notebook: Path,
        executed: Path,
        timeout: float | None,
        timings: dict[str, float],
    ) -> nbformat.NotebookNode:
        """Run ``source`` with ``parameters`` in ``slot``; as :func:`~.execute.execute`."""

    def release(self, slot: Any, *, now: bool = True) -> None:
        """Give the slot back (its kernel is shut down: one notebook per kernel)."""

    def lost(self, slot: Any) -> bool:
        """Whether the slot died of a cause outside its notebook (its zygote was killed):
        the runner then runs the notebook once more in a new slot, which a ``True``
        answer makes room for (asked once per failed slot)."""

    def close(self, *, now: bool = False) -> None:
        """Stop everything; ``now`` kills rather than shuts down (an interrupted run)."""


class KernelEngine:
    """The real engine: pooled Jupyter kernels and papermill.

    Parameters
    ----------
    size, limit, kernel_name, zygote
        As :class:`~toolkit.kernels.pool.KernelPool`'s.
    preload
        What the kernels import and the zygote warms.
    """

    def __init__(
        self,
        size: int,
        limit: int,
        *,
        kernel_name: str,
        zygote: Zygote | None = None,
        preload: Preload | None = None,
    ) -> None:
        preload = preload or Preload()
        self.pool = KernelPool(
            size,
            limit,
            kernel_name=kernel_name,
            zygote=zygote,
            warmup=import_code(preload.modules),
            preload=preload.zygote_modules,
            warm=preload.warm,
        )

    @property
    def zygote(self) -> Zygote | None:
        return self.pool.zygote

    def acquire(self) -> PooledKernel:
        return self.pool.acquire()

    def execute(
        self,
        slot: PooledKernel,
        source: nbformat.NotebookNode,
        parameters: NotebookParameters,
        *,
        kernel_name: str,
        notebook: Path,
        executed: Path,
        timeout: float | None,
        timings: dict[str, float],
    ) -> nbformat.NotebookNode:
        return execute(
            source,
            parameters,
            km=slot.km,
            kernel_name=kernel_name,
            notebook=notebook,
            executed=executed,
            timeout=timeout,
            timings=timings,
        )

    def release(self, slot: PooledKernel, *, now: bool = True) -> None:
        self.pool.release(slot, now=now)

    def lost(self, slot: PooledKernel) -> bool:
        if not self.pool.lost(slot):
            return False
        self.pool.allow_another()  # the notebook runs again, on a kernel of its own
        return True

    def close(self, *, now: bool = False) -> None:
        self.pool.close(now=now)
