"""Waiting for a started kernel to answer, without jupyter_client's fixed 0.2 s.

jupyter_client's ``wait_for_ready`` asks for ``kernel_info`` until the reply arrives and an IOPub
message shows that channel connected, as this does; then it "flushes" IOPub, reading until 0.2 s
pass with no message, so every kernel start costs 0.2 s more than the kernel takes (measured on
a kernel that had been up for seconds). Here the wait ends when IOPub brings the kernel's
``idle`` status for this very request: after it, nothing of the request is still to come, and
whatever runs next (``KernelSession.reset``, nbclient) reads only the replies to its own requests.
"""

from __future__ import annotations

import time
from queue import Empty
from typing import Any

IOPUB_WAIT = 0.2
"""Seconds to wait for each IOPub message before asking again (jupyter_client's own figure)."""


async def _idle_after(client: Any, msg_id: str) -> bool:
    """Read IOPub up to the kernel's ``idle`` for ``msg_id``; False if it falls silent first (not connected yet)."""
    while True:
        try:
            message = await client.get_iopub_msg(timeout=IOPUB_WAIT)
        except Empty:
            return False
        if message.get("parent_header", {}).get("msg_id") == msg_id and message.get("content", {}).get("execution_state") == "idle":
            return True


async def wait_for_ready(client: Any, timeout: float) -> None:
    """Until the kernel answers ``kernel_info`` on the shell channel and IOPub is connected; RuntimeError if it dies or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        msg_id = client.kernel_info()
        try:
            reply = await client.get_shell_msg(timeout=1)
        except Empty:
            reply = None
        if reply is not None and reply.get("msg_type") == "kernel_info_reply":
            # the reply may be to an earlier request, sent before the kernel was up: its idle is what to wait for
            if await _idle_after(client, reply.get("parent_header", {}).get("msg_id", msg_id)):
                client._handle_kernel_info_reply(reply)  # the protocol version, as jupyter_client's wait records it
                return
        if not await client.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
