"""wait_connected: ready as soon as the kernel answers on shell and IOPub, no sooner."""

from __future__ import annotations

import asyncio
from queue import Empty, Queue

import pytest

from toolkit.kernels import ready as kernel_ready


class FakeClient:
    """A kernel client whose IOPub subscription goes live after ``missed`` requests.

    Each ``kernel_info`` request is answered on shell at once; its busy/idle messages
    reach IOPub only once the subscription is live (ZeroMQ's slow joiner).
    """

    def __init__(self, missed: int = 1, answers: bool = True) -> None:
        self.missed, self.answers = missed, answers
        self.sent: list[str] = []
        self.shell: Queue[dict] = Queue()
        self.iopub: Queue[dict] = Queue()
        self.handled: list[dict] = []

    def kernel_info(self) -> str:
        msg_id = f"req-{len(self.sent)}"
        self.sent.append(msg_id)
        if self.answers:
            self.shell.put({"parent_header": {"msg_id": msg_id}, "msg_type": "kernel_info_reply"})
        if len(self.sent) > self.missed:
            for state in ("busy", "idle"):
                self.iopub.put({"parent_header": {"msg_id": msg_id}, "state": state})
        return msg_id

    async def get_shell_msg(self, timeout: float) -> dict:
        return self._get(self.shell, timeout)

    async def get_iopub_msg(self, timeout: float) -> dict:
        return self._get(self.iopub, timeout)

    @staticmethod
    def _get(queue: Queue[dict], timeout: float) -> dict:
        try:
            return queue.get(timeout=timeout)
        except Empty:
            raise Empty from None

    def _handle_kernel_info_reply(self, msg: dict) -> None:
        self.handled.append(msg)


def test_it_asks_again_until_iopub_is_live(monkeypatch) -> None:
    client = FakeClient(missed=3)
    reply = asyncio.run(kernel_ready.wait_connected(client, timeout=5, is_alive=lambda: True))
    assert client.sent == ["req-0", "req-1", "req-2", "req-3"]
    assert reply["parent_header"]["msg_id"] == "req-3"
    assert client.handled == [reply]  # the protocol version recorded, as wait_for_ready does


def test_a_live_subscription_answers_the_first_time() -> None:
    client = FakeClient(missed=0)
    asyncio.run(kernel_ready.wait_connected(client, timeout=5, is_alive=lambda: True))
    assert client.sent == ["req-0"]


def test_a_dead_kernel_is_an_error_not_a_wait(monkeypatch) -> None:
    monkeypatch.setattr(kernel_ready, "SHELL_WAIT", 0.05)
    client = FakeClient(answers=False)

    async def dead() -> bool:
        return False

    with pytest.raises(RuntimeError, match="died"):
        asyncio.run(kernel_ready.wait_connected(client, timeout=5, is_alive=dead))


def test_a_kernel_that_never_answers_times_out(monkeypatch) -> None:
    monkeypatch.setattr(kernel_ready, "SHELL_WAIT", 0.05)
    client = FakeClient(answers=False)
    with pytest.raises(RuntimeError, match="didn't respond in 0.2 seconds"):
        asyncio.run(kernel_ready.wait_connected(client, timeout=0.2, is_alive=lambda: True))
