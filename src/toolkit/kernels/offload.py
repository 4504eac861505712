"""Work a run does ahead of its notebooks, in a child of the kernel zygote.

While a run's first kernels start there is work every notebook, or the end of the
run, needs and that can be done once, now (for a briefing run: parsing the data files,
making the quarter overview's chart and tracker). It needs the libraries the zygote has
imported already; run in a child forked from it (:meth:`toolkit.kernels.zygote.Zygote.call`)
it costs a fraction of the CPU it would in the runner's own process, and it does not
hold the runner's interpreter lock while it starts kernels and builds the exporter.
Where there is no zygote (Windows, macOS, ``TOOLKIT_KERNEL_FORK=0``), or the zygote
cannot do it, the caller's own function runs here instead.

This module knows nothing of what the work is: the caller names the function for the
zygote (``"toolkit.module:function"``, JSON-native keyword arguments, bytes back) and
gives the same work as a function to call here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from toolkit.kernels.zygote import CallKwargs, Zygote, ZygoteError

log = logging.getLogger("toolkit")

T = TypeVar("T")


def call_ahead(
    zygote: Zygote | None,
    target: str,
    kwargs: CallKwargs,
    *,
    decode: Callable[[bytes], T],
    here: Callable[[], T],
) -> T:
    """``decode(target(**kwargs))`` in a zygote child where there is one, else ``here()``.

    Parameters
    ----------
    zygote
        The run's zygote, or ``None``.
    target, kwargs
        What the child runs (see :meth:`~toolkit.kernels.zygote.Zygote.call`).
    decode
        Turns the child's bytes into the result.
    here
        The same work, done in this process: when there is no zygote, or it failed.
    """
    began = time.perf_counter()
    if zygote is not None and zygote.alive:
        try:
            made = decode(zygote.call(target, kwargs))
            log.debug("%s done in %.2f s (zygote)", target, time.perf_counter() - began)
            return made
        except ZygoteError as err:
            log.debug("%s not done by the zygote, doing it here: %s", target, err)
    made = here()
    log.debug("%s done in %.2f s", target, time.perf_counter() - began)
    return made


class Ahead(threading.Thread, Generic[T]):
    """:func:`call_ahead` on a thread of its own; :meth:`result` waits for it.

    A problem is logged and :meth:`result` gives ``None``: work done ahead is an
    optimisation, and whoever needs it does it again and reports the problem.
    """

    def __init__(
        self,
        zygote: Zygote | None,
        target: str,
        kwargs: CallKwargs,
        *,
        decode: Callable[[bytes], T],
        here: Callable[[], T],
    ) -> None:
        super().__init__(name=f"toolkit-ahead-{target}", daemon=True)
        self._call = (zygote, target, kwargs, decode, here)
        self.made: T | None = None

    def run(self) -> None:
        zygote, target, kwargs, decode, here = self._call
        try:
            self.made = call_ahead(zygote, target, kwargs, decode=decode, here=here)
        except Exception as err:
            log.debug("%s not done ahead: %s", target, err)

    def result(self) -> T | None:
        """What was made, once it is (``None`` if it failed)."""
        if self.ident is not None:  # started
            self.join()
        return self.made
