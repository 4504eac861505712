"""Wait until a new kernel client can talk to its kernel: a quicker ``wait_for_ready``.

A kernel client is ready when the kernel answers on the shell channel *and* the
client's IOPub subscription is live, since a cell's output arrives on IOPub only.
jupyter_client's ``wait_for_ready`` checks the second by waiting 0.2 s for any IOPub
message after the ``kernel_info`` reply and, when none comes, asking again. A new
subscription takes a few milliseconds to reach the kernel (ZeroMQ's "slow joiner"), so
the busy/idle messages of the first ``kernel_info`` are nearly always missed and every
new client waits those 0.2 s: once when the pool starts a kernel and once more when the
briefing's notebook client connects -- 0.4 s a briefing, most of it with nothing to do.

:func:`wait_connected` asks the same questions in short rounds instead: ``kernel_info``,
its reply, then up to :data:`IOPUB_WAIT` for an IOPub message *of that request* (busy
or idle), and again until one arrives. The kernel is as ready as before when it
returns; it just returns within a few milliseconds of being so.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from queue import Empty
from typing import Any

from jupyter_core.utils import ensure_async

JupyterMessage = dict[str, Any]  # free-form: a Jupyter message; its content depends on its type
"""A Jupyter protocol message (``header``, ``parent_header``, ``content``, …)."""

IOPUB_WAIT = 0.02
"""Seconds to wait for the ``kernel_info`` request's IOPub message before asking again."""
SHELL_WAIT = 1.0
"""Seconds to wait for a ``kernel_info`` reply before checking that the kernel lives."""


async def wait_connected(
    kc: Any, *, timeout: float, is_alive: Callable[[], Awaitable[bool] | bool]
) -> JupyterMessage:
    """Return the kernel's ``kernel_info`` reply once ``kc``'s shell and IOPub both work.

    Parameters
    ----------
    kc
        A kernel client with its channels started (``start_channels()``).
    timeout
        Seconds in all before giving up.
    is_alive
        The kernel manager's ``is_alive`` (checked when the kernel does not answer).

    Raises
    ------
    RuntimeError
        When the kernel dies before answering, or does not answer within ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while True:
        msg_id = kc.kernel_info()
        wait = min(SHELL_WAIT, max(0.0, deadline - time.monotonic()))
        reply = await _of_request(kc.get_shell_msg, msg_id, wait)
        if reply is not None and await _of_request(kc.get_iopub_msg, msg_id, IOPUB_WAIT):
            # What wait_for_ready records from the reply (the protocol version to speak).
            handle = getattr(kc, "_handle_kernel_info_reply", None)
            if handle is not None:
                handle(reply)
            return reply
        if reply is None and not await ensure_async(is_alive()):
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


async def _of_request(get: Callable[..., Any], msg_id: str, wait: float) -> JupyterMessage | None:
    """The first message ``get`` (a channel's ``get_*_msg``) returns for request
    ``msg_id`` within ``wait`` seconds; others (earlier requests') are passed over."""
    end = time.monotonic() + wait
    while True:
        try:
            msg = await ensure_async(get(timeout=max(0.0, end - time.monotonic())))
        except Empty:
            return None
        if msg["parent_header"].get("msg_id") == msg_id:
            return dict(msg)
