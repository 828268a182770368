"""Waiting for a kernel: done at the kernel's idle for the request answered, asking again while IOPub is silent."""

from __future__ import annotations

import asyncio
from pathlib import Path
from queue import Empty
from typing import Any

import pytest

from kloe_nb.batch.kernel import KernelSession
from kloe_nb.batch.ready import wait_for_ready


class FakeClient:
    """A kernel client whose shell replies and IOPub messages are scripted per kernel_info request."""

    def __init__(self, script: list[tuple[bool, list[str]]], alive: bool = True) -> None:
        self.script = script  # per request: is it answered on shell, and the IOPub states published for it
        self.sent: list[str] = []
        self.shell: list[dict[str, Any]] = []
        self.iopub: list[dict[str, Any]] = [{"msg_type": "iopub_welcome", "parent_header": {}, "content": {}}]
        self.alive = alive
        self.handled: list[dict[str, Any]] = []

    def kernel_info(self) -> str:
        msg_id = f"request-{len(self.sent)}"
        self.sent.append(msg_id)
        answered, states = self.script[min(len(self.sent), len(self.script)) - 1]
        if answered:
            self.shell.append({"msg_type": "kernel_info_reply", "parent_header": {"msg_id": msg_id}, "content": {"protocol_version": "5.3"}})
        self.iopub += [{"msg_type": "status", "parent_header": {"msg_id": msg_id}, "content": {"execution_state": state}} for state in states]
        return msg_id

    async def get_shell_msg(self, timeout: float) -> dict[str, Any]:
        if not self.shell:
            raise Empty
        return self.shell.pop(0)

    async def get_iopub_msg(self, timeout: float) -> dict[str, Any]:
        if not self.iopub:
            raise Empty
        return self.iopub.pop(0)

    async def is_alive(self) -> bool:
        return self.alive

    def _handle_kernel_info_reply(self, reply: dict[str, Any]) -> None:
        self.handled.append(reply)


def test_ready_at_the_idle_of_the_request_answered_with_nothing_of_it_left_to_read():
    client = FakeClient([(True, ["busy", "idle"])])
    asyncio.run(wait_for_ready(client, timeout=5))
    assert client.sent == ["request-0"] and client.iopub == [] and len(client.handled) == 1


def test_iopub_not_connected_yet_means_asking_again():
    client = FakeClient([(True, []), (True, ["busy", "idle"])])  # the first request's status was published before IOPub connected
    asyncio.run(wait_for_ready(client, timeout=5))
    assert client.sent == ["request-0", "request-1"]
    assert client.handled[0]["parent_header"]["msg_id"] == "request-1"


def test_a_reply_to_an_earlier_request_counts_with_its_own_idle():
    client = FakeClient([(False, []), (True, ["busy", "idle"])])
    client.shell.append({"msg_type": "kernel_info_reply", "parent_header": {"msg_id": "early"}, "content": {"protocol_version": "5.3"}})
    client.iopub += [{"msg_type": "status", "parent_header": {"msg_id": "early"}, "content": {"execution_state": state}} for state in ("busy", "idle")]
    asyncio.run(wait_for_ready(client, timeout=5))
    assert client.sent == ["request-0"] and client.handled[0]["parent_header"]["msg_id"] == "early"


def test_a_dead_kernel_is_an_error_not_a_wait():
    client = FakeClient([(False, [])], alive=False)
    with pytest.raises(RuntimeError, match="died before replying"):
        asyncio.run(wait_for_ready(client, timeout=60))


def test_a_real_kernel_answers_and_runs_code_once_ready(tmp_path: Path):
    session = KernelSession(tmp_path, preload=())
    session.launch()
    try:
        session.wait_ready()
        session.run_silently("x = 1")
        assert "x" in session.user_globals()  # each request read its own reply: nothing stale from the wait in between
        session.reset()
        assert "x" not in session.user_globals()
    finally:
        session.shutdown()
