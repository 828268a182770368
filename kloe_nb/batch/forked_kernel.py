"""A worker's first kernel, forked from the worker instead of launched: ready in a fraction of a second.

A launched kernel is a new interpreter importing ipykernel and the report package (about 1 s
of CPU, on the cores the other workers are using). A worker forked from the batch's fork server
(``worker_preload.py``) already has all of that imported, so as its very first act, before it
has a thread, an event loop or a socket, it forks a child (``Preforked``) that waits on a pipe.
When ``kernel.py`` starts the kernel, jupyter_client's launch goes through ``ForkedProvisioner``:
instead of running the kernel's command line in a new process, it sends that command line, the
environment and the working folder down the pipe, and the child becomes the kernel, exactly as
``kernel_launcher.py`` would run it.

So that the forked kernel is what a launched one is to the notebook:

- it leads a session of its own (``setsid``, as jupyter_client starts kernels), so killing its
  group takes what its notebook started, and it watches its worker like a launched kernel;
- it takes the environment, working folder and command line jupyter_client gives it, its
  signal handlers are Python's defaults again, standard input is ``/dev/null``, and every other
  descriptor it inherited (the worker's pipes to the batch) now leads to ``/dev/null`` too;
- numpy's global generator, if imported, is seeded afresh (Python reseeds ``random`` in a
  forked child itself), so two forked kernels never draw the same numbers; an event loop of
  the worker's is forgotten.

Only the first kernel of a worker is forked. A replacement (after a death or a timeout) or a
fresh kernel per council for a notebook of the user's is launched as before: by then the worker
has threads and sockets that a fork would copy in an unknown state. A forked kernel has in
``sys.modules`` what its worker had imported (papermill, nbconvert); a notebook's namespace is
the same as a launched kernel's.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

from jupyter_client.provisioning.local_provisioner import LocalProvisioner

_DEVNULL = os.devnull


class Preforked:
    """A child forked now, waiting to become a kernel (``start``), with the parts of ``subprocess.Popen`` jupyter_client uses."""

    stdin = stdout = stderr = None

    def __init__(self) -> None:
        orders_r, orders_w = os.pipe()
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(orders_w)
            os.close(ready_r)
            _child(orders_r, ready_w)
        os.close(orders_r)
        os.close(ready_w)
        with os.fdopen(ready_r, "rb") as ready:
            ready.read(1)  # its session is its own before anyone may signal its group
        self.pid = pid
        self.returncode: int | None = None
        self._orders: int | None = orders_w
        self.started = False

    def own(self, folder: str) -> None:
        """Tell the child the kernel's private folder as soon as it is made (``kernel.py``).

        Should the worker die before it starts the kernel (``kloe run`` killed at start-up), the
        child, which outlives it by reading the end of its pipe, removes the folder; once started,
        the kernel removes it itself when its worker dies (``kernel_launcher.py``).
        """
        if self._orders is None:
            raise RuntimeError("this forked kernel has already been started or dropped")
        os.write(self._orders, _frame({"folder": folder}))

    def start(self, argv: list[str], env: dict[str, str], cwd: str) -> Preforked:
        """Become the kernel ``argv`` (a ``kernel_launcher`` command line) describes, in ``env`` and ``cwd``."""
        if self._orders is None:
            raise RuntimeError("this forked kernel has already been started or dropped")
        with os.fdopen(self._orders, "wb") as orders:
            orders.write(_frame({"argv": argv, "env": env, "cwd": cwd}))
        self._orders = None
        self.started = True
        return self

    def drop(self) -> None:
        """Let the child go unused (it exits when its pipe closes)."""
        if self._orders is not None:
            os.close(self._orders)
            self._orders = None
            if not self.started:
                self.wait()

    # -- what jupyter_client and kernel.py ask of a process ------------------------------------------
    def poll(self) -> int | None:
        """Its exit status (negative: the signal that killed it), None while it runs."""
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -signal.SIGKILL  # reaped elsewhere: gone
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for it to end (jupyter_client only calls this once it has been killed)."""
        if self.returncode is None:
            try:
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                self.returncode = -signal.SIGKILL
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to it (not once it has been reaped: its pid may belong to another process by then)."""
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        """SIGKILL it."""
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """SIGTERM it."""
        self.send_signal(signal.SIGTERM)


class ForkedProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, starting the kernel in a ``Preforked`` child instead of a new process."""

    preforked: Preforked | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        if self.preforked is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        cwd = str(kwargs.get("cwd") or os.getcwd())
        launcher = cmd.index("-m") + 1 if "-m" in cmd else 0
        process = self.preforked.start([cmd[launcher], *cmd[launcher + 1 :]], env, cwd)
        self.process = process  # type: ignore[assignment]  # it has what of subprocess.Popen jupyter_client uses
        self.preforked = None
        self.pid = self.pgid = process.pid
        self.cwd = cwd
        return self.connection_info


def _child(orders_r: int, ready_w: int) -> None:
    """The forked child: wait for its orders, then run the kernel; exits, never returns."""
    code = 1
    try:
        os.setsid()
        os.write(ready_w, b"1")
        os.close(ready_w)
        folder = None
        with os.fdopen(orders_r, "rb") as stream:
            while (orders := _read_frame(stream)) is not None and "argv" not in orders:
                folder = orders.get("folder") or folder
        if orders is None:  # dropped, or the worker died before starting it
            _remove_private_folder(folder)
            os._exit(0)
        _become_pristine(orders["env"], orders["cwd"])
        from kloe_nb.batch.kernel_launcher import serve

        serve(orders["argv"])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0
    except BaseException:  # noqa: BLE001 - reported on stderr like a launched kernel's traceback
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _frame(message: dict[str, Any]) -> bytes:
    """A message down the orders pipe: its length first (another child may hold this pipe open too)."""
    data = json.dumps(message).encode("utf-8")
    return len(data).to_bytes(8, "big") + data


def _read_frame(stream: Any) -> dict[str, Any] | None:
    """The next message, or None at the end of the pipe (or a message cut short by the worker's death)."""
    size = int.from_bytes(stream.read(8) or b"\0", "big")
    data = stream.read(size) if size else b""
    if not data or len(data) != size:
        return None
    message: dict[str, Any] = json.loads(data)
    return message


def _remove_private_folder(folder: str | None) -> None:
    """Remove the kernel's private folder, and only that: one named as ``kernel.py`` names them."""
    from kloe_nb.batch.kernel_launcher import PRIVATE_FOLDER_PREFIX

    if folder and os.path.basename(folder).startswith(PRIVATE_FOLDER_PREFIX):
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def _become_pristine(env: dict[str, str], cwd: str) -> None:
    """What a launched kernel starts with (see the module docstring)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    null = os.open(_DEVNULL, os.O_RDWR)
    os.dup2(null, 0)
    for fd in _open_descriptors():
        if fd > 2 and fd != null:
            try:
                os.dup2(null, fd)  # not closed: whatever still holds the number must not reach a new file
            except OSError:
                pass
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    import tempfile

    tempfile.tempdir = None
    numpy_random = sys.modules.get("numpy.random")  # Python reseeds ``random`` in a forked child itself; numpy does not
    if numpy_random is not None:
        numpy_random.seed()
    import multiprocessing

    multiprocessing.current_process().authkey = os.urandom(32)  # not the worker's
    import asyncio

    asyncio.events._set_running_loop(None)  # the worker's event loop, if it had one, is not this kernel's
    asyncio.set_event_loop_policy(None)


def _open_descriptors() -> list[int]:
    try:
        return sorted(int(name) for name in os.listdir("/proc/self/fd"))
    except OSError:
        return list(range(3, 256))
