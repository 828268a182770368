"""``kloe lab`` and ``kloe app``: JupyterLab on the notebooks, or the Voilà assessment app, on one store.

The store is named once (``--store``, else ``KLOE_STORE``, else ``./kloe.db``) and reaches every
kernel through ``KLOE_STORE``. Both listen on 127.0.0.1 unless told otherwise, on ``--port`` or a
free port, and print the address to open once the server answers; flags after ``--`` go to
JupyterLab or Voilà as they are. As root, JupyterLab needs ``--allow-root``: it is added, and said.
The server runs in its own process group; Ctrl+C (or SIGTERM) stops it politely, so its kernels
shut down and save what they have pending.

``kloe app`` serves ``notebooks/assess.ipynb`` with the page template and hook of
``form/voila_server.py`` (nothing loaded from other machines; the page's shutdown is accepted; no
council in the address opens the start page), and stops a kernel whose page is gone after
``--idle`` seconds (Jupyter's kernel culler), in case the page could not say goodbye.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kloe_nb.bundled import bundled_dir
from kloe_nb.errors import KloeError

DEFAULT_IDLE = 600
START_TIMEOUT = 120.0


@dataclass
class Launch:
    """A server to start: its command, environment, the address to open and the address that says it is up."""

    name: str
    command: list[str]
    env: dict[str, str]
    url: str
    probe: str
    notes: list[str] = field(default_factory=list)


def add_commands(commands: Any) -> None:
    """Register ``kloe lab`` and ``kloe app``."""
    lab = commands.add_parser("lab", help="start JupyterLab on the notebooks, on the store named by --store or $KLOE_STORE")
    app = commands.add_parser("app", help="start the assessment app (Voilà): a start page listing the assessments, and the form without code, on one store")
    for parser in (lab, app):
        parser.add_argument("--port", type=_port, default=0, metavar="N", help="the port to listen on (default: a free one)")
        parser.add_argument("--ip", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this machine only)")
        parser.add_argument("extra", nargs="*", metavar="-- FLAGS", help="flags after -- are passed to JupyterLab or Voilà as they are")
    app.add_argument("--councils", type=Path, default=None, metavar="FILE.csv", help="a councils CSV (code,name[,group,period]) listed on the start page")
    app.add_argument(
        "--idle",
        type=_port,
        default=DEFAULT_IDLE,
        metavar="SECONDS",
        help=f"stop a kernel whose page is closed after it has been idle this long (default {DEFAULT_IDLE})",
    )
    lab.set_defaults(handler=lab_command)
    app.set_defaults(handler=app_command)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 65535")
    return value


def free_port(ip: str) -> int:
    """A port nobody listens on now (the server is started with no retries, so a taken port is an error, not a surprise)."""
    with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET) as probe:
        probe.bind((ip, 0))
        return int(probe.getsockname()[1])


def store_for_kernels(store: str) -> str:
    """The store as the kernels must see it: a file name made absolute (kernels run in the notebooks' folder)."""
    if "://" in store:
        return store
    if store.startswith("sqlite:"):
        return "sqlite:" + str(Path(store.removeprefix("sqlite:")).expanduser().resolve())
    return str(Path(store).expanduser().resolve())


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _host(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


def lab_launch(store: str, ip: str, port: int, extra: Sequence[str], *, root: bool, token: str, notebooks: Path) -> Launch:
    """JupyterLab on the notebooks' folder, with a token of its own in the address printed."""
    base = f"http://{_host(ip)}:{port}"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={notebooks}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    notes = []
    if root and "--allow-root" not in extra:
        command.append("--allow-root")
        notes.append("running as root: JupyterLab is started with --allow-root")
    command.extend(extra)
    env = {**os.environ, "KLOE_STORE": store}
    return Launch("JupyterLab", command, env, f"{base}/lab/tree/assess.ipynb?token={token}", f"{base}/api/status?token={token}", notes)


def app_launch(store: str, ip: str, port: int, extra: Sequence[str], *, idle: int, councils: Path | None, run_dir: Path, notebooks: Path) -> Launch:
    """Voilà on the form notebook, with the kloe template and hook written into ``run_dir``."""
    from kloe_nb.form.voila_server import TEMPLATE, write_config, write_template

    write_template(run_dir / "data")
    write_config(run_dir / "config")
    base = f"http://{_host(ip)}:{port}"
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebooks / "assess.ipynb"),
        "--no-browser",
        f"--Voila.ip={ip}",
        f"--port={port}",
        "--Voila.port_retries=0",
        f"--Voila.config_file_paths={run_dir / 'config'}",
        f"--template={TEMPLATE}",
        f"--MappingKernelManager.cull_idle_timeout={idle}",
        f"--MappingKernelManager.cull_interval={max(1, min(60, idle // 2 or 1))}",
        "--MappingKernelManager.cull_connected=False",
        *extra,
    ]
    env = {**os.environ, "KLOE_STORE": store}
    env["JUPYTER_PATH"] = os.pathsep.join(part for part in (str(run_dir / "data"), os.environ.get("JUPYTER_PATH", "")) if part)
    if councils is not None:
        env["KLOE_COUNCILS"] = str(councils.expanduser().resolve())
    # The probe is never the page itself (that starts a kernel), and a file Voilà serves (its base template's
    # script): an address it refuses would print a 403 line in the user's terminal at every start.
    return Launch("Voilà", command, env, f"{base}/", f"{base}/voila/static/voila.js")


def wait_until_up(process: subprocess.Popen[bytes], probe: str, timeout: float = START_TIMEOUT) -> None:
    """Until the server answers; KloeError if it stopped or did not answer in time."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise KloeError(f"the server stopped before it answered (exit status {process.returncode}); its messages are above")
        try:
            urllib.request.urlopen(probe, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise KloeError(f"the server did not answer within {timeout:g} s; its messages are above")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group: SIGTERM (it shuts its kernels down, saving), then by force."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            continue


def _interrupted(signum: int, frame: object) -> None:
    """SIGTERM stops the server as Ctrl+C does."""
    raise KeyboardInterrupt


def serve(launch: Launch, store: str) -> int:
    """Start the server, say where to open it, and wait until it stops or the user stops it."""
    for note in launch.notes:
        print(f"kloe: {note}", file=sys.stderr)
    process = subprocess.Popen(launch.command, env=launch.env, start_new_session=True)
    previous = signal.signal(signal.SIGTERM, _interrupted)
    try:
        wait_until_up(process, launch.probe)
        print(f"{launch.name} is running on the store {store}\nopen {launch.url}\n(Ctrl+C stops it)", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        print(f"kloe: stopping {launch.name}", file=sys.stderr)
        return 0
    finally:
        stop(process)
        signal.signal(signal.SIGTERM, previous)


def lab_command(args: argparse.Namespace) -> int:
    store = store_for_kernels(args.store)
    notebooks = bundled_dir("notebooks")
    port = args.port or free_port(args.ip)
    return serve(lab_launch(store, args.ip, port, args.extra, root=is_root(), token=secrets.token_hex(24), notebooks=notebooks), store)


def app_command(args: argparse.Namespace) -> int:
    store = store_for_kernels(args.store)
    if args.councils is not None and not args.councils.is_file():
        raise KloeError(f"--councils {args.councils}: no such file")
    if args.idle < 1:
        raise KloeError("--idle must be at least 1 second")
    port = args.port or free_port(args.ip)
    with tempfile.TemporaryDirectory(prefix="kloe-app-") as run_dir:
        launch = app_launch(store, args.ip, port, args.extra, idle=args.idle, councils=args.councils, run_dir=Path(run_dir), notebooks=bundled_dir("notebooks"))
        return serve(launch, store)
