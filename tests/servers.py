"""The servers the browser and command tests start: JupyterLab, Voilà, and ``kloe app``/``kloe lab`` as a user runs them.

Each listens on 127.0.0.1 on a free port with its configuration, data, runtime and IPython folders
in a temporary directory (nothing of the user's is read or written), and is always stopped,
whatever happens. Finding a port, waiting until a server answers and stopping its process group
are the command's own helpers (``kloe_nb/cli/app.py``), so the tests start servers the way
``kloe lab`` does; JupyterLab's command line is ``lab_launch``'s.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO_ROOT

from kloe_nb.cli.app import free_port, is_root, lab_launch, stop, wait_until_up
from kloe_nb.errors import KloeError

NOTEBOOK = REPO_ROOT / "notebooks" / "assess.ipynb"
START_TIMEOUT = 90.0
LOCAL = "127.0.0.1"


@dataclass
class Server:
    url: str
    root: Path
    store: Path
    log: Path
    token: str = ""

    @property
    def base(self) -> str:
        """The server's address without a path (``http://127.0.0.1:PORT``)."""
        return "/".join(self.url.split("/")[:3])


def private_jupyter_dirs(home: Path) -> dict[str, str]:
    """Configuration, data, runtime and IPython folders of our own: nothing of the user's is read or written."""
    for name in ("config", "data", "runtime", "ipython"):
        (home / name).mkdir(parents=True, exist_ok=True)
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return {
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }


def _voila_command(notebook: Path, port: int) -> tuple[list[str], str, str]:
    command = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--Voila.ip={LOCAL}", f"--port={port}", "--Voila.port_retries=0"]
    return command, f"http://{LOCAL}:{port}/", f"http://{LOCAL}:{port}/api/kernelspecs"


@contextmanager
def jupyter_server(kind: str, tmp_path: Path, artifacts_dir: Path, notebook: Path = NOTEBOOK) -> Iterator[Server]:
    """JupyterLab (``kind="lab"``, with a token, on a folder holding a copy of ``notebook``) or plain Voilà on that copy."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(notebook, root / notebook.name)  # the server may save the notebook: never the repository's copy
    store = tmp_path / "store.db"
    log = artifacts_dir / f"form-{kind}-{notebook.stem}-server.log"
    for _attempt in range(3):
        port, token = free_port(LOCAL), ""
        env = {**os.environ, **private_jupyter_dirs(tmp_path / "home"), "KLOE_STORE": str(store)}
        if kind == "lab":  # as ``kloe lab`` starts it, on the folder holding the copy
            token = secrets.token_hex(16)
            launch = lab_launch(str(store), LOCAL, port, [], root=is_root(), token=token, notebooks=root)
            command, url, probe = launch.command, launch.url.replace("assess.ipynb", notebook.name), launch.probe
        else:
            command, url, probe = _voila_command(root / notebook.name, port)
        with log.open("w") as output:
            process = subprocess.Popen(command, env=env, cwd=root, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            try:
                wait_until_up(process, probe, START_TIMEOUT)
            except KloeError as error:
                if process.poll() is not None:
                    continue  # the port was taken after all: try another
                raise AssertionError(f"{kind} did not start: {error}; see {log}") from None
            yield Server(url, root, store, log, token)
            return
        finally:
            stop(process)
    raise AssertionError(f"{kind} would not start; see {log}")


@contextmanager
def kloe_server(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Run ``kloe ARGS`` as a user does; yields the process and the address it printed; always stopped."""
    env = {**os.environ, **private_jupyter_dirs(tmp_path / "home"), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("KLOE_STORE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "kloe_nb.cli.main", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        printed = ""
        started = time.monotonic()
        while "open http" not in printed and time.monotonic() - started < 120:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            printed += line
        found = re.search(r"open (http://\S+)", printed)
        assert found, f"no address printed: {printed!r} {process.stderr.read() if process.poll() is not None and process.stderr else ''}"
        yield process, found.group(1)
    finally:
        stop(process)  # SIGTERM, as Ctrl+C: kloe stops its server, whose kernels save what they have pending
