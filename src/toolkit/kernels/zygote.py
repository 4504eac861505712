"""Kernels forked from a pre-imported *kernel zygote*, for the pool in :mod:`toolkit.kernels.pool`.

Where ``fork`` is available (Linux), each kernel is still a process of its own,
but it is forked from a *kernel zygote* (:class:`Zygote`) instead of spawned as
``python -m ipykernel_launcher``: one helper process per pool, started once, that
imports ipykernel's kernel machinery and what the caller asks it to preload
(for a briefing run: pandas, pyarrow, matplotlib and the toolkit's briefing modules,
named by :mod:`toolkit.runner.quarter`; this module imports none of them itself) and then,
on request, forks a child
that becomes an ordinary ipykernel kernel bound to the connection file the kernel
manager wrote. A child pays no interpreter start-up and no imports: the CPU those
cost is paid once per run instead of once per briefing. :class:`ForkProvisioner`
plugs this into jupyter_client, so nbclient drives a forked kernel like any other.

The zygote creates no zmq context, thread or event loop before forking (the child
creates its own when it initialises the kernel). Two of its imports would start a
native thread of their own -- numpy's OpenBLAS a worker, pyarrow's jemalloc a
background purging thread -- so the zygote is started with :data:`FORK_SAFE_ENV`
(one BLAS thread, no jemalloc background thread), which keeps it single-threaded.
As a guard, it counts its threads (``/proc/self/task``) before every fork and, if
it holds more than one, refuses: a forked child would inherit locks held by threads
that do not exist in it. The pool then logs the reason and spawns kernels for the
rest of the run. The zygote reaps its children and reports their exit status;
signals to a kernel (interrupt, terminate, kill) go through the zygote, which sends
them only to a child it has not yet reaped. Each child starts
a new session (so a kill reaches whatever the kernel started too), has its stdin
on ``/dev/null`` and its stdout and stderr on pipes the pool logs at debug level,
and is killed (``PR_SET_PDEATHSIG``) if the zygote dies; the zygote kills its
children and exits as soon as the pool's end of its socket closes, which happens
when the pool closes or the runner dies, however it dies.

Elsewhere (Windows, macOS), or with ``TOOLKIT_KERNEL_FORK=0`` in the environment,
kernels are spawned as before; if the zygote fails, the pool falls back to
spawning for the rest of the run.

Longer than most modules because the parent's side (start, fork requests, the thread
guard) and the forked child's side (session, signals, the kernel's start) are one
protocol; they are kept together so the two ends cannot drift apart.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import importlib
import json
import logging
import multiprocessing
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Any, NoReturn, TypedDict

from jupyter_client.provisioning import LocalProvisioner

from toolkit.kernels.preload import KERNEL_MODULES

log = logging.getLogger("toolkit")

CallKwargs = dict[str, Any]  # free-form: the called function's own keyword arguments (JSON)
"""Keyword arguments of a function :meth:`Zygote.call` runs: JSON-native values."""


class Task(TypedDict):
    """A function for a forked child to run instead of a kernel (:meth:`Zygote.call`)."""

    target: str
    kwargs: CallKwargs


class ZygoteRequest(TypedDict, total=False):
    """One message to the zygote: ``fork`` (a kernel, or a :class:`Task`) or ``signal``."""

    op: str
    id: int
    argv: list[str]
    cwd: str
    env: dict[str, str]
    stdout: bool
    stderr: bool
    task: Task | None
    pid: int
    signal: int


class ZygoteMessage(TypedDict, total=False):
    """One message from the zygote: ``ready``, ``forked`` (a ``pid``, or an ``error``
    and, when it holds threads, their names) or ``exited`` (``code`` and CPU seconds)."""

    op: str
    id: int
    pid: int
    error: str
    threads: list[str]
    code: int
    cpu: float
    seconds: float


FORK_ENV = "TOOLKIT_KERNEL_FORK"
"""Set to ``0`` to spawn every kernel (no zygote), even where forking is available."""

FORK_SAFE_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Set in the zygote's environment before it imports anything, so that numpy's BLAS
starts no worker thread. Kernels forked from it keep one BLAS thread: a briefing does
no linear algebra, and ``--jobs`` already gives each core a kernel."""

_JEMALLOC_ENV = "JE_ARROW_MALLOC_CONF"
"""pyarrow's bundled jemalloc reads its options here; ``background_thread:false``
stops it starting its purging thread when pyarrow is imported."""

_PR_SET_PDEATHSIG = 1
_MAX_MESSAGE = 1 << 20


def fork_available() -> bool:
    """Whether kernels can be forked from a zygote here (Linux, unless turned off).

    Returns
    -------
    bool
        ``False`` on Windows and macOS (where forking a process with these libraries
        loaded is not safe), or when ``TOOLKIT_KERNEL_FORK=0``.
    """
    if os.environ.get(FORK_ENV, "").strip().lower() in ("0", "no", "false", "off"):
        return False
    return (
        os.name == "posix"
        and sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and hasattr(socket, "send_fds")
        and hasattr(socket, "SOCK_SEQPACKET")
    )


def forkable(kernel_cmd: list[str]) -> bool:
    """Whether a kernel command is this interpreter's ipykernel, which a zygote can fork.

    Parameters
    ----------
    kernel_cmd
        The kernel spec's ``argv``, formatted by the kernel manager (``python`` is
        replaced by this interpreter).
    """
    if len(kernel_cmd) < 3 or kernel_cmd[1] != "-m":
        return False
    if kernel_cmd[2] not in ("ipykernel_launcher", "ipykernel"):
        return False
    found = shutil.which(kernel_cmd[0])
    return found is not None and Path(found).absolute() == Path(sys.executable).absolute()


def zygote_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The zygote's environment: ``environ`` (this process's) made fork-safe.

    :data:`FORK_SAFE_ENV` is imposed (a thread started at import would make every
    fork unsafe), and ``background_thread:false`` is added to pyarrow's jemalloc
    options, after any the user set. Forked kernels get the runner's environment
    back in ``os.environ``; the libraries keep the settings they read at import.
    """
    env = dict(os.environ if environ is None else environ)
    env.update(FORK_SAFE_ENV)
    jemalloc = env.get(_JEMALLOC_ENV, "").strip(",")
    env[_JEMALLOC_ENV] = ",".join(filter(None, [jemalloc, "background_thread:false"]))
    return env


def thread_names() -> list[str]:
    """The names of this process's threads, from ``/proc/self/task`` (Linux).

    Counts native threads too (a BLAS worker, an allocator's background thread),
    which :mod:`threading` does not know about.
    """
    names = []
    for task in sorted(os.listdir("/proc/self/task")):
        try:
            with open(f"/proc/self/task/{task}/comm", encoding="utf-8") as comm:
                names.append(comm.read().strip())
        except OSError:  # pragma: no cover - the thread ended meanwhile
            continue
    return names


class ZygoteError(RuntimeError):
    """The zygote is gone, or could not fork a kernel."""


class UnsafeZygoteError(ZygoteError):
    """The zygote holds threads besides its main one, so it refuses to fork."""


class ForkedProcess:
    """A kernel forked by a :class:`Zygote`, with the parts of :class:`subprocess.Popen`
    that jupyter_client uses.

    The process is the zygote's child, not ours: its exit status comes from the
    zygote, and signals go through it.

    Attributes
    ----------
    pid
        The kernel's process id.
    returncode
        ``None`` while it runs; then its exit code, or minus the signal that ended it.
    stdout, stderr
        Pipes from the kernel's stdout and stderr (when asked for), else ``None``.
    """

    stdin: IO[bytes] | None = None

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdout: IO[bytes] | None = None
        self.stderr: IO[bytes] | None = None
        self._zygote = zygote
        self._exited = threading.Event()

    def _set_exit(self, code: int) -> None:
        if self.returncode is None:
            self.returncode = code
        self._exited.set()

    def poll(self) -> int | None:
        """The exit code, or ``None`` while the kernel runs."""
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the kernel to exit; return its exit code.

        Raises
        ------
        subprocess.TimeoutExpired
            When it is still running after ``timeout`` seconds.
        """
        if not self._exited.wait(timeout):
            raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Signal the kernel's process group (nothing once it has exited)."""
        if self.returncode is None:
            self._zygote.signal(self.pid, signum)

    def terminate(self) -> None:
        """Send SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """Send SIGKILL."""
        self.send_signal(signal.SIGKILL)


class Zygote:
    """A fork server for kernels: one pre-imported process that forks each kernel.

    Starting it returns at once; it imports ``preload`` and calls ``warm`` in the
    background, and a :meth:`fork` asked for meanwhile is served when it is
    ready. Its own stdout and stderr are logged at debug level. :meth:`close` (or the
    death of this process) makes it kill every kernel it forked and exit.

    Parameters
    ----------
    preload
        The modules it imports before forking anything (:data:`KERNEL_MODULES` when
        ``None``).
    warm
        Functions (``"package.module:function"``, no arguments) it calls after the
        imports, to fill caches its kernels then share (compiled templates, say). A
        function that fails is logged and passed over: the kernel does that work
        itself then.
    """

    def __init__(self, preload: Sequence[str] | None = None, warm: Sequence[str] = ()) -> None:
        self.preload = tuple(KERNEL_MODULES if preload is None else preload)
        self.warm = tuple(warm)
        for name in self.warm:
            if ":" not in name:
                raise ValueError(f"not a module:function name: {name!r}")
        self._closed = False  # closed by its owner, not died
        self._died = False  # it had exited on its own before it was closed
        self._unsafe = False  # refused to fork (threads)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = ours
        self._lock = threading.Lock()
        self._next_id = 0
        self._forks: dict[int, tuple[Future[ForkedProcess], tuple[int, ...]]] = {}
        self._children: dict[int, ForkedProcess] = {}
        self._error = ""
        self._ready = False  # it has finished its imports
        self._forked = False  # it has been asked for a kernel
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys; from toolkit.kernels.zygote import _zygote_main; "
                    f"_zygote_main({theirs.fileno()}, sys.argv[1:])",
                    *self.preload,
                    *self.warm,
                ],
                env=zygote_env(),
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        for name, stream in (("stdout", self.process.stdout), ("stderr", self.process.stderr)):
            if stream is not None:
                threading.Thread(
                    target=log_stream_lines, args=(stream, f"kernel zygote {name}"), daemon=True
                ).start()
        self._reader = threading.Thread(
            target=self._read, name="toolkit-kernel-zygote", daemon=True
        )
        self._reader.start()

    @property
    def alive(self) -> bool:
        """Whether it can still fork kernels."""
        return not self._error

    @property
    def lost(self) -> bool:
        """Whether it died on its own (killed, crashed) rather than was closed or refused.

        Its kernels died with it; a pool may start another zygote in its place.
        """
        if self._died:
            return True
        gone = bool(self._error) or self.process.poll() is not None
        return gone and not self._closed and not self._unsafe

    def fork(
        self,
        argv: list[str],
        *,
        cwd: str,
        env: dict[str, str],
        stdout: int | None = None,
        stderr: int | None = None,
        task: Task | None = None,
    ) -> Future[ForkedProcess]:
        """Ask for a kernel: ``IPKernelApp`` initialised with ``argv``, then started.

        Parameters
        ----------
        argv
            The kernel app's arguments (``["-f", connection_file, …]``).
        cwd, env
            The kernel's working directory and environment.
        stdout, stderr
            File descriptors for the kernel's stdout and stderr (``/dev/null`` if
            ``None``); they are sent to the zygote, so the caller may close its copies
            once the future is done.
        task
            Instead of a kernel, a child that runs one function and exits (see
            :meth:`call`).

        Returns
        -------
        Future
            Resolves to the kernel's :class:`ForkedProcess`, or fails with
            :class:`ZygoteError`.
        """
        future: Future[ForkedProcess] = Future()
        fds = tuple(fd for fd in (stdout, stderr) if fd is not None)
        with self._lock:
            if self._error:
                future.set_exception(ZygoteError(self._error))
                return future
            self._next_id += 1
            self._forked = True
            request: ZygoteRequest = {
                "op": "fork",
                "id": self._next_id,
                "argv": argv,
                "cwd": cwd,
                "env": env,
                "stdout": stdout is not None,
                "stderr": stderr is not None,
                "task": task,
            }
            self._forks[self._next_id] = (future, fds)
            try:
                socket.send_fds(self._sock, [json.dumps(request).encode()], list(fds))
            except OSError as err:
                del self._forks[self._next_id]
                future.set_exception(ZygoteError(f"the kernel zygote is gone: {err}"))
        return future

    def call(self, target: str, kwargs: CallKwargs, timeout: float = 600) -> bytes:
        """Run ``target(**kwargs)`` in a child forked from the zygote; return its bytes.

        For work that needs the zygote's imports (pandas, matplotlib, the toolkit) but
        should not hold this process's interpreter lock: the child has them already,
        runs the function, writes the ``bytes`` it returns to a pipe and exits. Blocks
        the calling thread (not the interpreter) until then.

        Parameters
        ----------
        target
            ``"toolkit.module:function"``; only the toolkit's own functions are run.
        kwargs
            JSON-native keyword arguments.
        timeout
            Seconds to wait for the child to exit once its result is read.

        Raises
        ------
        ZygoteError
            When the zygote cannot fork, or the function raises (its last line of
            error output is the message).
        """
        if not target.startswith("toolkit.") or ":" not in target:
            raise ValueError(f"not a toolkit function: {target!r}")
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        try:
            future = self.fork(
                [],
                cwd=os.getcwd(),
                env=dict(os.environ),
                stdout=out_w,
                stderr=err_w,
                task={"target": target, "kwargs": kwargs},
            )
        finally:
            os.close(out_w)
            os.close(err_w)
        errors: list[bytes] = []
        reader = threading.Thread(
            target=lambda: errors.append(_read_all(err_r)), name="toolkit-zygote-call", daemon=True
        )
        reader.start()
        try:
            child = future.result()
            result = _read_all(out_r)
            code = child.wait(timeout)
        finally:
            reader.join(timeout)
        if code != 0:
            lines = b"".join(errors).decode("utf-8", "replace").strip().splitlines()
            raise ZygoteError(f"{target} failed: {lines[-1] if lines else f'exit status {code}'}")
        return result

    def signal(self, pid: int, signum: int) -> None:
        """Send ``signum`` to a kernel's process group, if it has not exited yet."""
        message = json.dumps({"op": "signal", "pid": pid, "signal": int(signum)}).encode()
        with self._lock:
            if self._error:
                return  # the zygote killed its kernels as it went
            with contextlib.suppress(OSError):
                self._sock.send(message)

    def close(self, timeout: float = 10) -> None:
        """Kill every kernel it forked, and the zygote itself; wait for it to exit.

        A zygote still importing has forked nothing: it is killed at once rather than
        left to finish its imports before it notices (a run refused for bad input).
        """
        with self._lock:
            if not self._closed and not self._unsafe and self.process.poll() is not None:
                self._died = True
            self._closed = True
            if not self._error:
                self._error = "the kernel zygote is closed"
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            if not self._ready and not self._forked:
                with contextlib.suppress(OSError):
                    self.process.kill()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:  # pragma: no cover - it exits on EOF
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout)
        self._sock.close()

    def _read(self) -> None:
        """Take the zygote's replies: forked kernels and exit statuses."""
        try:
            while True:
                data = self._sock.recv(_MAX_MESSAGE)
                if not data:
                    break
                self._handle(json.loads(data))
        except OSError:
            pass
        finally:
            self._gone()

    def _handle(self, message: ZygoteMessage) -> None:
        op = message.get("op")
        if op == "forked":
            with self._lock:
                future, fds = self._forks.pop(message["id"], (None, ()))
                if future is None:  # pragma: no cover - not ours
                    return
                if "threads" in message:  # it will not fork again: spawn from now on
                    self._unsafe = True
                    if not self._error:
                        self._error = message["error"]
                    future.set_exception(UnsafeZygoteError(message["error"]))
                    return
                if "error" in message:
                    future.set_exception(ZygoteError(message["error"]))
                    return
                child = ForkedProcess(self, int(message["pid"]))
                self._children[child.pid] = child
            future.set_result(child)
        elif op == "exited":
            with self._lock:
                exited = self._children.pop(int(message["pid"]), None)
            if exited is not None:
                log.debug(
                    "kernel %d exited (%s) after %.2f s of CPU",
                    exited.pid,
                    message["code"],
                    message.get("cpu", 0.0),
                )
                exited._set_exit(int(message["code"]))
        elif op == "ready":
            self._ready = True
            log.debug("kernel zygote ready after %.2f s", message.get("seconds", 0.0))

    def _gone(self) -> None:
        """The zygote has exited (or we closed it): fail what waits, end its kernels."""
        with self._lock:
            if not self._error:
                self._error = "the kernel zygote exited"
            forks, self._forks = self._forks, {}
            children, self._children = self._children, {}
        for future, _ in forks.values():
            if not future.done():
                future.set_exception(ZygoteError(self._error))
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        # The zygote killed and reaped them on its way out, or, if it was killed,
        # PR_SET_PDEATHSIG did. Their ids may be reused already: no signal from here.
        for child in children.values():
            child._set_exit(-signal.SIGKILL)


def _read_all(fd: int) -> bytes:
    """Everything from ``fd`` until its writer closes it; closes ``fd``."""
    with os.fdopen(fd, "rb") as stream:
        return stream.read()


class ForkProvisioner(LocalProvisioner):
    """A kernel provisioner that forks the kernel from a :class:`Zygote`.

    jupyter_client's :class:`~jupyter_client.provisioning.LocalProvisioner` writes the
    connection file and manages the process; this one only changes how the process
    is made (and sends signals through the zygote). Set :attr:`zygote` before the
    kernel is started. A command that is not this interpreter's ipykernel is spawned
    as usual.
    """

    zygote: Zygote | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        """Fork the kernel (``cmd`` is ``python -m ipykernel_launcher -f …``)."""
        if self.zygote is None or not forkable(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or Path.cwd())
        ends: dict[str, int] = {}
        reads: dict[str, IO[bytes]] = {}
        try:
            for name in ("stdout", "stderr"):
                if kwargs.get(name) == subprocess.PIPE:
                    r, w = os.pipe()
                    reads[name] = os.fdopen(r, "rb")
                    ends[name] = w
            future = self.zygote.fork(
                cmd[3:], cwd=cwd, env=env, stdout=ends.get("stdout"), stderr=ends.get("stderr")
            )
            process = await asyncio.wrap_future(future)
        except BaseException:
            for stream in reads.values():
                stream.close()
            raise
        finally:
            for fd in ends.values():
                os.close(fd)
        process.stdout = reads.get("stdout")
        process.stderr = reads.get("stderr")
        self.process = process  # type: ignore[assignment] # Popen's surface
        self.pid = self.pgid = process.pid
        self.cwd = cwd
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        """Signal the kernel's process group, through the zygote."""
        if isinstance(self.process, ForkedProcess):
            self.process.send_signal(signum)
        else:
            await super().send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel, and return once the zygote has seen it exit (up to a second).

        jupyter_client checks whether the kernel is still alive right after this and,
        if it is, polls every 0.1 s: for a forked kernel, whose exit the zygote reports
        within milliseconds, waiting here for that report saves the tenth of a second.
        """
        await super().kill(restart)
        process = self.process
        if isinstance(process, ForkedProcess):
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.get_running_loop().run_in_executor(None, process.wait, 1.0)


# -- inside the zygote ---------------------------------------------------------------


def _zygote_main(fd: int, names: list[str]) -> None:  # pragma: no cover - the zygote
    """The zygote: import everything, then fork a kernel per request until EOF.

    Parameters
    ----------
    fd
        Its end of the socket pair (``SOCK_SEQPACKET``) to the pool.
    names
        Modules to import, then ``module:function`` names to call, before forking
        anything (:class:`Zygote`'s ``preload`` and ``warm``).
    """
    started = time.perf_counter()
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; the kernel puts it back
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    sock = socket.socket(fileno=fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the pool stops us, not Ctrl-C
    for name in names:
        module, _, function = name.partition(":")
        try:
            imported = importlib.import_module(module)
            if function:  # what it fills (compiled templates) is shared with every kernel
                getattr(imported, function)()
        except Exception as err:  # the kernel will raise it again, in the notebook
            print(f"zygote: cannot import or call {name}: {err}", file=sys.stderr)
    import gc

    gc.collect()
    gc.freeze()  # keep the imported objects' pages shared with the kernels
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    os.set_blocking(wake_r, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    children: set[int] = set()
    ready = {"op": "ready", "seconds": round(time.perf_counter() - started, 3)}
    sock.send(json.dumps(ready).encode())

    def reap() -> None:
        while children:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            children.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            cpu = round(usage.ru_utime + usage.ru_stime, 3)
            exited = {"op": "exited", "pid": pid, "code": code, "cpu": cpu}
            with contextlib.suppress(OSError):
                sock.send(json.dumps(exited).encode())

    try:
        while True:
            readable, _, _ = select.select([sock.fileno(), wake_r], [], [])
            if wake_r in readable:
                with contextlib.suppress(BlockingIOError):
                    while os.read(wake_r, 512):
                        pass
            reap()
            if sock.fileno() not in readable:
                continue
            data, fds, _, _ = socket.recv_fds(sock, _MAX_MESSAGE, 2)
            if not data:
                break  # the pool closed its end, or the runner died
            request: ZygoteRequest = json.loads(data)
            if request["op"] == "signal":
                if request["pid"] in children:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(request["pid"], request["signal"])
                continue
            reply: ZygoteMessage = {"op": "forked", "id": request["id"]}
            sys.stdout.flush()
            sys.stderr.flush()
            threads = thread_names()
            if len(threads) != 1:
                reply["threads"] = threads
                reply["error"] = (
                    f"the kernel zygote holds {len(threads)} threads ({', '.join(threads)}), "
                    "and forking a process with threads is not safe"
                )
                for received in fds:
                    os.close(received)
                sock.send(json.dumps(reply).encode())
                continue
            try:
                pid = os.fork()
            except OSError as err:
                reply["error"] = f"could not fork a kernel: {err}"
            else:
                if pid == 0:
                    _kernel_child(request, fds, sock, (wake_r, wake_w))
                children.add(pid)
                reply["pid"] = pid
            finally:
                for received in fds:
                    os.close(received)
            sock.send(json.dumps(reply).encode())
    finally:
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for pid in list(children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _kernel_child(
    request: ZygoteRequest, fds: list[int], sock: socket.socket, wake: tuple[int, int]
) -> NoReturn:  # pragma: no cover - runs in a forked kernel
    """In a forked child of the zygote: become an ipykernel kernel (or run a
    :meth:`Zygote.call` task), then exit."""
    code: int = 1
    try:
        zygote = os.getppid()
        os.setsid()
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the kernel's parent poller still notices the zygote's death
        if os.getppid() != zygote:
            os._exit(1)  # the zygote died while we were forking
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sock.close()
        for fd in wake:
            os.close(fd)
        devnull = os.open(os.devnull, os.O_RDWR)
        received = iter(fds)
        os.dup2(devnull, 0)
        os.dup2(next(received) if request.get("stdout") else devnull, 1)
        os.dup2(next(received) if request.get("stderr") else devnull, 2)
        for fd in (devnull, *fds):
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(zygote)
        _reseed()
        task = request.get("task")
        if task:
            _run_task(task)
        else:
            _run_kernel(request["argv"], zygote)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(BaseException):
                if stream is not None:
                    stream.flush()
        os._exit(code)


def _run_kernel(argv: list[str], zygote: int) -> None:  # pragma: no cover - a forked kernel
    """Become an ipykernel kernel bound to ``argv``'s connection file; return when it stops."""
    sys.argv = [sys.executable, "-m", "ipykernel_launcher", *argv]
    from ipykernel.kernelapp import IPKernelApp

    # parent_handle's default was read from the zygote's environment, at import:
    # the kernel's parent poller watches the zygote (which it outlives by no more
    # than a poll), and the kernel does not print its "Ctrl-C will not work" note.
    app = IPKernelApp.instance(parent_handle=zygote)
    app.initialize(argv)
    _install_pyplot_hooks()
    app.start()


def _run_task(task: Task) -> None:  # pragma: no cover - runs in a forked child
    """Run a :meth:`Zygote.call` task: its bytes to stdout (the caller's pipe)."""
    module, _, name = str(task["target"]).partition(":")
    if not module.startswith("toolkit."):
        raise ValueError(f"not a toolkit function: {task['target']!r}")
    result = getattr(importlib.import_module(module), name)(**task["kwargs"])
    with os.fdopen(1, "wb", closefd=False) as out:
        out.write(result)


def _reseed() -> None:  # pragma: no cover - runs in a forked kernel
    """Give the kernel its own random state, as a fresh interpreter would have.

    :mod:`random` reseeds itself after a fork; numpy's global generator does not.
    """
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        with contextlib.suppress(Exception):
            numpy.random.seed()


def _install_pyplot_hooks() -> None:  # pragma: no cover - runs in a forked kernel
    """What pyplot does when imported inside a running IPython (the zygote has no shell)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        with contextlib.suppress(Exception):
            pyplot.install_repl_displayhook()


def log_stream_lines(stream: IO[bytes], label: str) -> None:
    """Log each line a kernel or the zygote writes, at debug level, until the pipe closes."""
    try:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                log.debug("%s: %s", label, line)
    except (OSError, ValueError):  # pragma: no cover - closed under us
        pass
    finally:
        stream.close()


def start_zygote(
    preload: tuple[str, ...] | None = None, warm: tuple[str, ...] = ()
) -> Zygote | None:
    """Start a kernel zygote now, where kernels can be forked; ``None`` elsewhere.

    For callers that have other work to do before they need kernels (``toolkit run``
    validates the params meanwhile): hand it to :class:`KernelPool`, or close it.
    ``preload`` and ``warm`` are :class:`~toolkit.kernels.zygote.Zygote`'s.
    """
    if not fork_available():
        return None
    try:
        return Zygote(preload, warm)
    except OSError as err:
        log.debug("no kernel zygote, spawning kernels: %s", err)
        return None
