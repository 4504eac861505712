"""A pool of pre-started, pre-warmed Jupyter kernels, each used for one briefing.

Starting a kernel, importing the toolkit's heavy dependencies inside it and shutting
it down again cost more than a briefing's own cells. The pool hides those costs:
kernels are started ahead of need and, as soon as each one is up, it runs the
caller's ``warmup`` code (the imports its notebooks need, silently, without touching
the execution count) while it waits for a briefing. The pool knows nothing of what the
notebooks do: what to import and warm is the caller's (:mod:`toolkit.runner.quarter`).
A kernel runs exactly one briefing and is then shut down in the background, so
nothing a notebook did can leak into the next one.

Every kernel's start-up and shutdown happens on the pool's own event-loop thread;
briefings run their notebooks from other threads with the kernel's manager
(:attr:`PooledKernel.km`), as :class:`nbclient.NotebookClient` allows. A kernel's
stdout and stderr (ipykernel's "running over TCP without encryption" warning and
the like) are read by the pool and logged at debug level, never shown to the user.

On Linux the kernels are forked from a kernel zygote (:mod:`toolkit.kernels.zygote`) rather
than spawned; elsewhere, or with ``TOOLKIT_KERNEL_FORK=0``, they are spawned. A
zygote that dies during a run (killed, out of memory) is replaced once; the kernels
that died with it are never handed out, and those not yet started are started from
the new zygote (or spawned, if it dies too).

Longer than most modules because the pool's start, hand-out, release and close share one
lock and one queue, and reading them in one file is how their interplay (a Ctrl-C while
briefings wait for a kernel) stays checkable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import subprocess
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypedDict

from jupyter_client.manager import AsyncKernelManager

from toolkit.kernels.ready import wait_connected
from toolkit.kernels.zygote import (  # noqa: F401 - FORK_ENV, forkable and start_zygote are part of the pool's API
    FORK_ENV,
    KERNEL_MODULES,
    ForkedProcess,
    ForkProvisioner,
    UnsafeZygoteError,
    Zygote,
    ZygoteError,
    fork_available,
    forkable,
    log_stream_lines,
    start_zygote,
)

log = logging.getLogger("toolkit")


def import_code(modules: tuple[str, ...] | list[str]) -> str:
    """Warm-up code importing ``modules`` (for :class:`KernelPool`'s ``warmup``).

    A forked kernel has them already (the zygote imported them), so there it costs nothing.
    """
    return "import " + ", ".join(modules) if modules else ""


KERNEL_ARGUMENTS = ("--HistoryManager.db_cache_size=1000",)
"""Added to every pooled kernel's command line. IPython writes each cell's input to its
SQLite history (``~/.ipython``, one file for every kernel of the user's) as the cell
runs, through a thread of its own; the kernels of a run waited on those writes (about
3 ms a cell). With a cache larger than a briefing's cells, a kernel writes its input
once, when it shuts down politely (a killed one writes nothing: a briefing is not an
interactive session, and its notebook is its record). Turning history off instead
(``enabled=False`` or an in-memory file) made ipykernel's polite shutdown hang now and
then, its control thread flushing into an IOPub thread already stopped.
"""


class _KernelOptions(TypedDict):
    """What a pooled kernel is started with (``AsyncKernelManager.start_kernel``)."""

    extra_arguments: list[str]
    cwd: str
    stdin: int
    stdout: int
    stderr: int


@dataclass
class PooledKernel:
    """A started kernel and what it cost.

    Attributes
    ----------
    km
        Its kernel manager; pass it to :class:`nbclient.NotebookClient` as ``km``.
    start_seconds
        Wall time from launch to a kernel that answers.
    warmup_seconds
        Wall time the :data:`WARMUP` imports took inside the kernel.
    shutdown_seconds
        Wall time of the shutdown, once :meth:`KernelPool.release` has finished it.
    warmup_error
        The warm-up's error, if any (the notebook then fails on its own terms).
    """

    km: AsyncKernelManager
    start_seconds: float = 0.0
    warmup_seconds: float = 0.0
    shutdown_seconds: float = 0.0
    warmup_error: str = ""
    done: Future[float] = field(default_factory=Future)
    zygote: Zygote | None = None
    """The zygote it was forked from (``None`` for a spawned kernel)."""


class _QuietLogger(logging.Logger):
    """Logs everything at debug level: a kernel start cut short by an interrupted run
    is expected, and jupyter_client would print its traceback to the terminal."""

    def _log(self, level: int, msg: object, args: Any, *more: Any, **kwargs: Any) -> None:
        if self.isEnabledFor(logging.DEBUG):
            super()._log(logging.DEBUG, msg, args, *more, **kwargs)


_MANAGER_LOG = _QuietLogger("toolkit.kernel-manager")
_MANAGER_LOG.parent = log

_POLL = 0.2
"""Seconds between a waiting :meth:`KernelPool.acquire`'s checks that the pool is open."""

_CANCEL_WAIT = 1.0
"""Seconds an interrupted pool waits for its cancelled kernel starts to unwind."""


def _alive(km: AsyncKernelManager) -> bool:
    """Whether a started kernel's process is still running (no message exchanged).

    A kernel forked from a zygote that has died is dead too (the zygote's children are
    killed with it), even before the zygote's exit has been read.
    """
    process = getattr(km.provisioner, "process", None)
    if isinstance(process, ForkedProcess) and process._zygote.lost:
        return False
    return process is None or process.poll() is None


def _orphaned(km: AsyncKernelManager | None) -> bool:
    """Whether ``km``'s kernel was forked from a zygote that died (not the kernel's fault)."""
    if km is None:
        return False
    process = getattr(km.provisioner, "process", None)
    zygote = getattr(km.provisioner, "zygote", None)
    return isinstance(process, ForkedProcess) and zygote is not None and zygote.lost


async def _cancel_all() -> None:
    """Cancel every other task of the running loop and wait briefly for them."""
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=_CANCEL_WAIT)


class KernelPoolClosed(RuntimeError):
    """Raised by :meth:`KernelPool.acquire` once the pool is closing."""


class KernelPool:
    """Keep up to ``size`` kernels started and warm, for at most ``limit`` briefings.

    Parameters
    ----------
    size
        How many kernels to keep starting or ready at once (``--jobs`` is a good choice:
        the next kernels warm up while the current briefings run).
    limit
        How many kernels to start in all (the number of briefings): none is wasted.
    kernel_name
        The kernel spec to start (``python3``, as papermill uses).
    cwd
        The kernels' working directory (the caller's, as papermill's default).
    warmup
        Code run silently in each kernel before it is handed out (none by default;
        :func:`import_code` makes it from module names).
    startup_timeout
        Seconds a kernel may take to answer after launch.
    fork
        Fork kernels from a :class:`Zygote` (``None``: where :func:`fork_available`).
    zygote
        A zygote started earlier (so its imports overlap the caller's own work); the
        pool owns it from then on and closes it.
    preload, warm
        For the zygote the pool starts itself (see :class:`~toolkit.kernels.zygote.Zygote`);
        a zygote that dies is replaced by one with the same ``preload`` and ``warm``.

    Use as a context manager, or call :meth:`close` (it shuts every kernel down, and
    the zygote).
    """

    def __init__(
        self,
        size: int,
        limit: int,
        *,
        kernel_name: str = "python3",
        cwd: Path | None = None,
        warmup: str = "",
        startup_timeout: float = 60,
        fork: bool | None = None,
        zygote: Zygote | None = None,
        preload: tuple[str, ...] | None = None,
        warm: tuple[str, ...] = (),
    ) -> None:
        self.size = max(1, size)
        self.limit = max(0, limit)
        self.kernel_name = kernel_name
        self.cwd = str(cwd or Path.cwd())
        self.warmup = warmup
        self.startup_timeout = startup_timeout
        self._ready: queue.Queue[PooledKernel | BaseException] = queue.Queue()
        self._launched = 0
        self._pending = 0  # starting or ready, not yet handed out
        self._closing = False
        self._live: set[AsyncKernelManager] = set()
        self._tasks: set[asyncio.Future[Any]] = set()
        self._starts: set[asyncio.Future[Any]] = set()  # kernel starts under way
        self._warned_unsafe = False
        self._zygote_restarts = 0
        self.zygote: Zygote | None = zygote
        if zygote is None and (fork_available() if fork is None else fork) and self.limit > 0:
            try:
                self.zygote = Zygote(preload, warm)
            except OSError as err:
                log.debug("no kernel zygote, spawning kernels: %s", err)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="toolkit-kernel-pool", daemon=True
        )
        self._thread.start()
        self._call(self._fill)

    # -- the public surface (any thread) ------------------------------------

    def acquire(self, timeout: float | None = None) -> PooledKernel:
        """Take a ready kernel, waiting for one if need be; start its replacement.

        A caller waiting here when the pool closes (an interrupted run) is woken
        within a fraction of a second with :class:`KernelPoolClosed`.

        Raises
        ------
        KernelPoolClosed
            When the pool is closing (the run was interrupted).
        queue.Empty
            When ``timeout`` seconds pass with no kernel ready.
        RuntimeError
            When a kernel could not be started (the launch error, first line).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._closing:
                raise KernelPoolClosed("the kernel pool is closed")
            wait = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
            try:
                got = self._ready.get(timeout=max(0.0, wait))
            except queue.Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise
                continue
            if isinstance(got, PooledKernel) and not _alive(got.km):
                # It died while it waited (its zygote was killed): never hand it out.
                log.debug("a ready kernel had died; starting another in its place")
                self._call(lambda dead=got: self._spawn(self._replace(dead)))
                continue
            break
        if isinstance(got, BaseException):
            self._call(self._fill)
            raise got
        self._call(self._handed_out)
        return got

    def lost(self, kernel: PooledKernel) -> bool:
        """Whether ``kernel`` died with its zygote (a cause outside its notebook)."""
        return kernel.zygote is not None and kernel.zygote.lost

    def allow_another(self) -> None:
        """Start one kernel more than ``limit`` said (a notebook runs again, its kernel
        lost with the zygote)."""

        def more() -> None:
            self.limit += 1
            self._fill()

        self._call(more)

    def release(self, kernel: PooledKernel, *, now: bool = True) -> Future[float]:
        """Shut a used kernel down in the background.

        Parameters
        ----------
        kernel
            A kernel from :meth:`acquire`.
        now
            Kill it at once (the default: a used kernel holds nothing the run needs,
            and a polite shutdown spends CPU on the interpreter's teardown that the
            next briefings could use). ``False`` asks it to shut down instead.

        Returns
        -------
        Future
            Resolves to the shutdown's wall time (also stored on ``kernel``).
        """
        self._call(lambda: self._spawn(self._shutdown(kernel, now)))
        return kernel.done

    def close(self, *, now: bool = False, timeout: float = 30) -> None:
        """Stop starting kernels and shut down every kernel still alive.

        Parameters
        ----------
        now
            Kill kernels instead of asking them to shut down (an interrupted run).
        timeout
            Seconds to wait for the shutdowns.
        """
        if self._loop.is_closed():
            return
        self._closing = True
        closing = asyncio.run_coroutine_threadsafe(self._close(now), self._loop)
        try:
            closing.result(timeout)
        except Exception as err:  # pragma: no cover - best effort at exit
            log.debug("kernel pool close: %s", err)
            closing.cancel()
            # Whatever is still pending is cancelled and let unwind, never left for
            # the garbage collector to report ("Task was destroyed but it is pending").
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(_cancel_all(), self._loop).result(_CANCEL_WAIT)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self._loop.close()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(now=exc_type is not None)

    # -- on the pool's loop -------------------------------------------------

    def _call(self, callback: Any) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(callback)

    def _handed_out(self) -> None:
        self._pending -= 1
        self._fill()

    def _fill(self) -> None:
        while not self._closing and self._pending < self.size and self._launched < self.limit:
            self._launched += 1
            self._pending += 1
            self._starts.add(self._spawn(self._start_one()))

    async def _replace(self, dead: PooledKernel) -> None:
        """Clean up a kernel that died before it was handed out; start one in its place."""
        await self._shutdown(dead, True)
        self._pending -= 1
        self._launched -= 1
        self._fill()

    def _spawn(self, coro: Any) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(self._starts.discard)
        return task

    def _manager(self) -> AsyncKernelManager:
        """A kernel manager whose kernel is forked from the zygote, if there is one."""
        km = AsyncKernelManager(kernel_name=self.kernel_name, log=_MANAGER_LOG)
        zygote = self.zygote
        if zygote is not None and zygote.lost and not self._closing and not self._zygote_restarts:
            # Killed or crashed mid-run: its kernels died with it. One new zygote (its
            # start overlaps the briefings still running); if that dies too, spawn.
            self._zygote_restarts += 1
            log.warning("The kernel zygote died; starting another for the rest of the run.")
            zygote.close()
            try:
                self.zygote = Zygote(zygote.preload, zygote.warm)
            except OSError as err:
                log.debug("no new kernel zygote, spawning kernels: %s", err)
                self.zygote = None
        if self.zygote is not None and self.zygote.alive:
            km.kernel_id = str(uuid.uuid4())
            provisioner = ForkProvisioner(
                kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km
            )
            provisioner.zygote = self.zygote
            km.provisioner = provisioner
        return km

    async def _launch(self) -> AsyncKernelManager:
        """Start a kernel (forked, or spawned if the zygote cannot fork it)."""
        options: _KernelOptions = {
            "extra_arguments": list(KERNEL_ARGUMENTS),
            "cwd": self.cwd,
            "stdin": subprocess.DEVNULL,
            "stdout": subprocess.PIPE,
            "stderr": subprocess.PIPE,
        }
        km = self._manager()
        try:
            await self._start_kernel(km, options)
        except ZygoteError as err:
            if self._closing:
                raise
            if isinstance(err, UnsafeZygoteError) and not self._warned_unsafe:
                self._warned_unsafe = True
                log.warning("Kernels are started afresh instead of forked (slower): %s.", err)
            else:
                log.debug("kernel zygote failed, spawning kernels instead: %s", err)
            await km.cleanup_resources()
            km = AsyncKernelManager(kernel_name=self.kernel_name, log=_MANAGER_LOG)
            await self._start_kernel(km, options)
        return km

    async def _start_kernel(self, km: AsyncKernelManager, options: _KernelOptions) -> None:
        """``km.start_kernel``, with ``km`` counted live from the start: a closing pool
        kills whatever was launched, even a kernel whose start was cut short."""
        self._live.add(km)
        try:
            await km.start_kernel(**options)
        except BaseException:
            if not km.has_kernel:
                self._live.discard(km)
            raise

    async def _start_one(self) -> None:
        km: AsyncKernelManager | None = None
        started = time.perf_counter()
        try:
            km = await self._launch()
            self._live.add(km)
            self._drain(km)
            kc = km.client()
            kc.start_channels()
            try:
                await wait_connected(kc, timeout=self.startup_timeout, is_alive=km.is_alive)
                kernel = PooledKernel(km, start_seconds=time.perf_counter() - started)
                if isinstance(getattr(km.provisioner, "process", None), ForkedProcess):
                    kernel.zygote = getattr(km.provisioner, "zygote", None)
                warm = time.perf_counter()
                kernel.warmup_error = await self._run_silently(kc, self.warmup, km)
                kernel.warmup_seconds = time.perf_counter() - warm
            finally:
                kc.stop_channels()
        except Exception as err:
            log.debug("kernel start failed", exc_info=True)
            orphaned = _orphaned(km)  # asked before the kill clears its provisioner
            if km is not None:
                await self._kill(km)
            self._pending -= 1
            if orphaned and not self._closing:
                self._launched -= 1  # its zygote died under it: start another instead
                self._fill()
                return
            self._ready.put(RuntimeError(f"could not start a {self.kernel_name} kernel: {err}"))
            return
        if kernel.warmup_error:
            log.debug("kernel warm-up failed: %s", kernel.warmup_error)
        if self._closing:
            await self._shutdown(kernel, True)
            return
        self._ready.put(kernel)

    async def _run_silently(self, kc: Any, code: str, km: AsyncKernelManager) -> str:
        if not code:
            return ""
        msg_id = kc.execute(code, silent=True, store_history=False)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:  # in short waits: a kernel killed meanwhile is noticed within a second
                reply = await kc.get_shell_msg(timeout=min(1.0, self.startup_timeout))
            except queue.Empty:
                if not await km.is_alive():
                    return "the kernel died during its warm-up"
                if time.monotonic() > deadline:
                    return f"no answer to the warm-up within {self.startup_timeout:g} s"
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                content = reply["content"]
                if content.get("status") != "ok":
                    return f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"
                return ""

    def _drain(self, km: AsyncKernelManager) -> None:
        """Log the kernel's own output at debug level, line by line."""
        process = getattr(km.provisioner, "process", None)
        for name in ("stdout", "stderr"):
            stream: IO[bytes] | None = getattr(process, name, None)
            if stream is not None:
                threading.Thread(
                    target=log_stream_lines, args=(stream, f"kernel {name}"), daemon=True
                ).start()

    async def _shutdown(self, kernel: PooledKernel, now: bool) -> None:
        started = time.perf_counter()
        km = kernel.km
        try:
            if km in self._live:
                await km.shutdown_kernel(now=now)
        except Exception:
            log.debug("kernel shutdown failed; killing it", exc_info=True)
            await self._kill(km)
        finally:
            self._live.discard(km)
            kernel.shutdown_seconds = time.perf_counter() - started
            if not kernel.done.done():
                kernel.done.set_result(kernel.shutdown_seconds)

    async def _kill(self, km: AsyncKernelManager) -> None:
        try:
            if km.has_kernel:
                await km.shutdown_kernel(now=True)
        except Exception:  # pragma: no cover - the process is gone already
            log.debug("kernel kill failed", exc_info=True)
        self._live.discard(km)

    async def _close(self, now: bool) -> None:
        if now:
            # An interrupted run: kernel starts are cut short (a kernel may be minutes
            # from answering, or never), then everything launched is killed.
            for task in list(self._starts):
                task.cancel()
            if self._starts:
                await asyncio.wait(list(self._starts), timeout=_CANCEL_WAIT)
            for km in list(self._live):
                await self._kill(km)
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        while True:
            try:
                got = self._ready.get_nowait()
            except queue.Empty:
                break
            if isinstance(got, PooledKernel):
                await self._shutdown(got, now)
        for km in list(self._live):
            try:
                await km.shutdown_kernel(now=now)
            except Exception:
                await self._kill(km)
            self._live.discard(km)
        if self.zygote is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.zygote.close)
