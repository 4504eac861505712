"""What a run's kernels import and warm before their notebooks run: plain data.

Kept apart from the machinery (no import beyond the standard library), so that a caller
can name it, and start the zygote with it, before importing anything heavy.
"""

from __future__ import annotations

from dataclasses import dataclass

KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.comm",
    "ipykernel.debugger",  # debugpy: a tenth of a second of every kernel's start-up
    "matplotlib_inline.backend_inline",
)
"""What a zygote imports when the caller names nothing: ipykernel's kernel machinery.

The zygote knows nothing of what the kernels will run: the caller adds the modules
its notebooks need (``Zygote(preload=(*KERNEL_MODULES, …))``) and the functions that
fill their caches (``warm=``). Imports only: nothing named here may start a thread,
open a zmq context or create an event loop."""


@dataclass(frozen=True)
class Preload:
    """What a run's kernels should have ready before their notebook starts.

    Attributes
    ----------
    modules
        Modules to import: by the zygote before it forks (so every kernel has them
        for free), and by each spawned kernel as its silent warm-up.
    lazy
        Modules the notebooks import on the way: the zygote imports them too; a
        spawned kernel imports them when its cells do.
    warm
        ``"package.module:function"`` names the zygote calls (no arguments) after the
        imports, to fill caches its kernels share (compiled templates, say).
    """

    modules: tuple[str, ...] = ()
    lazy: tuple[str, ...] = ()
    warm: tuple[str, ...] = ()

    @property
    def zygote_modules(self) -> tuple[str, ...]:
        """ipykernel's machinery, then :attr:`modules` and :attr:`lazy`."""
        return (*KERNEL_MODULES, *self.modules, *self.lazy)
