"""``python -m kloe_nb.batch.kernel_launcher -f CONNECTION_FILE``: the batch's IPython kernel, tied to its worker.

It is ipykernel's own launcher but for one thing: ipykernel's check that its parent is alive
(once a second, then it exits alone) is replaced by ``lifeline.watch_parent``, which on the
worker's death also removes the kernel's private folder (``kernel.py`` keeps the connection file
and the sockets there) and SIGKILLs the kernel's process group, so that whatever the notebook
started goes too (the kernel leads its own group: jupyter_client starts it in a new session).
"""

from __future__ import annotations

import gc
import importlib
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kloe_nb.batch.lifeline import watch_parent

PRIVATE_FOLDER_PREFIX = "kloe-kernel-"
PRELOAD_FLAG = "--kloe-preload"


def take_preload(argv: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """The command line without ``--kloe-preload=A,B``, and the modules it names."""
    kept: list[str] = []
    modules: tuple[str, ...] = ()
    for argument in argv:
        if argument.startswith(PRELOAD_FLAG + "="):
            modules = tuple(name for name in argument.partition("=")[2].split(",") if name)
        else:
            kept.append(argument)
    return kept, modules


def warm(name: str) -> None:
    """Import the module ``name`` names; ``module:function`` also calls the function (warm caches)."""
    module, _, function = name.partition(":")
    imported = importlib.import_module(module)
    if function:
        getattr(imported, function)()


def preload(modules: tuple[str, ...]) -> None:
    """``warm`` each of the modules, then freeze what is alive out of the collector's sight."""
    for name in modules:
        try:
            warm(name)
        except Exception:  # noqa: BLE001, S112 - the notebook's own import says what is wrong
            continue
    gc.collect()
    gc.freeze()


@contextmanager
def without_debugger() -> Iterator[None]:
    """While ipykernel starts: no ``debugpy`` (~60 ms of imports). No frontend ever debugs a batch kernel;
    the notebook's own ``import debugpy`` still works once the kernel is started."""
    blocked = sys.modules.setdefault("debugpy", None) is None  # type: ignore[arg-type]
    try:
        yield
    finally:
        if blocked and sys.modules.get("debugpy", 0) is None:
            del sys.modules["debugpy"]


def private_folder(argv: list[str]) -> Path | None:
    """The folder of the connection file (``-f PATH``) when it is one of the batch's private kernel folders."""
    for flag, value in zip(argv, argv[1:]):
        if flag == "-f":
            folder = Path(value).parent
            return folder if folder.name.startswith(PRIVATE_FOLDER_PREFIX) else None
    return None


def _die(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    if hasattr(os, "killpg") and os.getpgrp() == os.getpid():  # the kernel leads its group: take what the notebook started with it
        os.killpg(os.getpid(), signal.SIGKILL)
    os._exit(1)


def main() -> None:
    """Start the kernel (see the module docstring)."""
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]  # as ipykernel_launcher does: the notebook's folder is no place to import from
    serve(sys.argv)


def serve(argv: list[str]) -> None:
    """Run the kernel the command line ``argv`` describes until it is shut down (also a forked kernel's life: ``forked_kernel.py``)."""
    sys.argv, modules = take_preload(argv)
    from ipykernel.kernelapp import IPKernelApp

    worker = int(os.environ.get("JPY_PARENT_PID") or 0) or os.getppid()
    folder = private_folder(sys.argv)
    watch_parent(worker, lambda: _die(folder))

    class KernelApp(IPKernelApp):
        def init_poller(self) -> None:
            if os.name != "posix":  # on Windows ipykernel's poller also delivers interrupts
                super().init_poller()

    # Given, not left to ipykernel's defaults: those were read from the environment when ipykernel was
    # imported, which for a forked kernel was in the fork server, before jupyter_client set them.
    app = KernelApp.instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0), interrupt=int(os.environ.get("JPY_INTERRUPT_EVENT") or 0))
    with without_debugger():
        app.initialize()
    preload(modules)
    app.start()


if __name__ == "__main__":
    main()
