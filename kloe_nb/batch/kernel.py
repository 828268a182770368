"""One IPython kernel kept alive across councils, and the papermill engine that runs notebooks on it.

Starting a kernel, waiting for it and re-importing the package costs more than running the
report itself (about 0.5 s of start-up and 0.4 s of imports per council on this machine). So
each batch worker keeps one kernel and runs council after council on it. Between councils
``reset`` makes the kernel as good as new for the notebook:

- IPython's ``%reset -f`` empties the user namespace (``globals()`` is what a fresh kernel
  has: tests/test_batch_kernel.py compares them) and the output history;
- the execution counter goes back to 1 and the working directory back to where it started.

What stays is what a fresh kernel would rebuild identically: imported modules and their
caches of immutable data (loaded frameworks). The report reads everything about a council
from the store on each run; nothing in the package keeps per-council state. A notebook of the
user's own can change more than its namespace (the environment, ``builtins``, a module, resource
limits), so a job can ask for a fresh kernel instead (``execute_job(fresh_kernel=True)``).

The kernel is started through ``kernel_launcher.py``, in its own process group, with its
connection file and sockets in a private folder: when its worker dies, it removes the folder and
kills its group; when it is stopped here (timeout, shutdown), its whole group goes with it, so
nothing a notebook started outlives its council.

The kernel is started warm: the launcher imports ``preload`` (for the bundled report, the
report package) and freezes it out of the garbage collector's sight before the kernel answers,
so a kernel can be launched first (``launch``) and becomes ready (``wait_ready``) while its
worker imports papermill and nbconvert. This module imports neither (``engine.py`` is
papermill's side), so a worker can launch its kernel within a fraction of a second.

A worker's first kernel is not launched but forked from the worker, which has all of that
imported already (``forked_kernel.py``); replacements are launched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from kloe_nb.batch.forked_kernel import ForkedProvisioner, Preforked
from kloe_nb.batch.kernel_launcher import PRELOAD_FLAG, PRIVATE_FOLDER_PREFIX
from kloe_nb.batch.lifeline import kill_group, kill_with_group, leads_own_group
from kloe_nb.batch.ready import wait_for_ready

KERNEL_NAME = "python3"
REPORT_MODULES = ("kloe_nb.report", "kloe_nb.report.notebook", "kloe_nb.store", "kloe_nb.scoring", "kloe_nb.report.page:compile_templates")
"""What the bundled report notebook imports, and its templates compiled: every batch kernel has them before it answers."""
LAUNCHER = "kloe_nb.batch.kernel_launcher"


class _KernelManager(AsyncKernelManager):
    """jupyter_client's manager, starting ipykernel through the batch's launcher (``kernel_launcher.py``)."""

    preload: tuple[str, ...] = ()

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command: list[str] = super().format_kernel_cmd(extra_arguments)
        for at in range(len(command) - 1):
            if command[at : at + 2] == ["-m", "ipykernel_launcher"]:
                warm = [f"{PRELOAD_FLAG}={','.join(self.preload)}"] if self.preload else []
                return [*command[: at + 1], LAUNCHER, *command[at + 2 :], *warm]
        return command  # another kernel: it still dies with its worker (its own check), stopped with its group

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """Look every 10 ms, not 100, whether a stopped kernel is gone: ``kloe render`` ends only then."""
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))


class KernelSession:
    """A kernel and its client, kept across councils (see the module docstring)."""

    def __init__(self, cwd: Path, kernel_name: str = KERNEL_NAME, startup_timeout: float = 60, preload: tuple[str, ...] = REPORT_MODULES) -> None:
        self.cwd = Path(cwd).resolve()
        self.kernel_name = kernel_name
        self.preload = tuple(preload)
        self.startup_timeout = startup_timeout
        self.km: AsyncKernelManager | None = None
        self.kc: Any = None
        self.current: Any = None  # papermill's NotebookExecutionManager of the council being run
        self.timed_out = threading.Event()
        self.used = False  # a job has run on this kernel since it started
        self.abandoned = False  # the batch is stopping: kill the kernel, start no other
        self._socket_dir = ""
        self._group: int | None = None

    # -- life cycle ------------------------------------------------------------------------------
    def start(self, warm_up: str | None = None) -> None:
        """Start the kernel (warm: see the module docstring) and wait until it answers; then run ``warm_up`` code, if any."""
        self.launch()
        self.wait_ready(warm_up)

    def launch(self, preforked: Preforked | None = None) -> None:
        """Start the kernel process and connect to it, without waiting for it to answer.

        With ``preforked``, a child the worker forked at its start becomes the kernel, instead of a new process (``forked_kernel.py``).
        """
        # Unix sockets in a private folder, not TCP on localhost: nothing else on the machine can connect.
        # The connection file goes there too, so the kernel can remove all it leaves if its worker dies.
        self._socket_dir = tempfile.mkdtemp(prefix=PRIVATE_FOLDER_PREFIX)
        if preforked is not None:
            preforked.own(self._socket_dir)  # at once: removed by the child if this worker dies before starting it
        self.km = _KernelManager(
            kernel_name=self.kernel_name,
            transport="ipc",
            ip=os.path.join(self._socket_dir, "k"),
            connection_file=os.path.join(self._socket_dir, "kernel.json"),
        )
        self.km.preload = self.preload
        if preforked is not None:
            self.km.kernel_id = str(uuid.uuid4())
            provisioner = ForkedProvisioner(kernel_id=self.km.kernel_id, kernel_spec=self.km.kernel_spec, parent=self.km)
            provisioner.preforked = preforked
            self.km.provisioner = provisioner
        self.used = False
        # A kernel launched before the output folder is made starts where its worker is; ``reset`` moves it there.
        cwd = self.cwd if self.cwd.is_dir() else Path.cwd()
        run_sync(self.km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"], cwd=str(cwd))
        self._group = self.pid if leads_own_group(self.pid) else None
        self.kc = self.km.client()
        self.kc.start_channels()

    def wait_ready(self, warm_up: str | None = None) -> None:
        """Wait until the launched kernel answers; run ``warm_up`` code (outside the notebook), then reset."""
        run_sync(wait_for_ready)(self.kc, timeout=self.startup_timeout)  # jupyter_client's own waits 0.2 s more (ready.py)
        self.kc.allow_stdin = False
        if warm_up:
            self.run_silently(warm_up)
        self.reset(before_folder=True)

    def restart(self) -> None:
        """A fresh kernel after one died, was killed or hung (none once the session is abandoned)."""
        self.shutdown()
        if not self.abandoned:
            self.start()

    def abandon(self) -> None:
        """Kill the kernel now and start no other (the batch is being stopped); safe from a signal handler."""
        self.abandoned = True
        self.kill()

    def shutdown(self) -> None:
        """Stop the kernel and the client's channels.

        At once: nothing in a batch kernel needs saving, so its process group is killed and the
        kernel reaped here, and jupyter_client, finding it gone, only tidies up (its own way
        polls the killed kernel every 0.1 s: 0.11 s per kernel, where this takes a few ms).
        """
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001 - best effort while tearing down
                pass
        if self.km is not None:
            try:
                process = getattr(self.km.provisioner, "process", None)
                if process is not None and process.poll() is None:
                    self.kill()
                    process.wait(timeout=5)
                if run_sync(self.km.is_alive)():
                    run_sync(self.km.shutdown_kernel)(now=True)
                run_sync(self.km.cleanup_resources)()
            except Exception:  # noqa: BLE001 - the kernel may already be gone
                self.kill()
        self.km, self.kc = None, None
        if self._group is not None:  # what the notebook started, if the kernel died without its group
            kill_group(self._group)
            self._group = None
        if self._socket_dir:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = ""

    def remove_private_folder(self) -> None:
        """Remove the kernel's connection file and sockets (its worker is dying: safe from another thread).

        The kernel removes them itself when its worker dies, once it is watching; this covers a worker
        killed after making the folder and before the kernel got that far.
        """
        if self._socket_dir:
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    @property
    def pid(self) -> int | None:
        """The kernel's process id (the parent kills it if a worker has to be stopped)."""
        provisioner = getattr(self.km, "provisioner", None)
        return getattr(provisioner, "pid", None)

    def exit_status(self) -> int | None:
        """The kernel process's exit status (negative: killed by that signal), None while it runs."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return process.poll() if process is not None else None

    def kill(self) -> None:
        """SIGKILL the kernel and its process group: what its notebook started too (the per-council timeout)."""
        if self._group is not None:
            kill_group(self._group)
        else:
            kill_with_group(self.pid)

    # -- between councils ------------------------------------------------------------------------
    def run_silently(self, code: str, timeout: float = 60) -> None:
        """Run code outside any notebook (no history, no outputs kept); raise if it fails."""
        reply = run_sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, allow_stdin=False, timeout=timeout, output_hook=lambda message: None
        )
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"kernel set-up code failed: {content.get('ename')}: {content.get('evalue')}")

    def reset(self, before_folder: bool = False) -> None:
        """Make the kernel's namespace what a fresh kernel has (see the module docstring).

        ``before_folder``: the kernel may be ready before the batch has made its output folder
        (a forked kernel is ready at once); it moves there if it exists, and at the first council's reset.
        """
        move = f"__import__('os').chdir({str(self.cwd)!r})"
        if before_folder:
            move = f"if __import__('os').path.isdir({str(self.cwd)!r}): {move}"
        self.run_silently(f"get_ipython().run_line_magic('reset', '-f')\nget_ipython().execution_count = 1\n{move}\n")

    def user_globals(self) -> list[str]:
        """The names in the kernel's user namespace (for tests proving the reset)."""
        found: list[str] = []

        def hook(message: dict[str, Any]) -> None:
            if message.get("msg_type") == "stream":
                found.extend(message["content"]["text"].split())

        run_sync(self.kc.execute_interactive)("print(*sorted(globals()))", silent=False, store_history=False, allow_stdin=False, timeout=30, output_hook=hook)
        return found

    # -- a per-council timeout ---------------------------------------------------------------------
    def watchdog(self, seconds: float) -> threading.Timer:
        """A started timer that kills the kernel after ``seconds``; cancel it when the council is done."""
        self.timed_out.clear()

        def expire() -> None:
            self.timed_out.set()
            self.kill()

        timer = threading.Timer(seconds, expire)
        timer.daemon = True
        timer.start()
        return timer
