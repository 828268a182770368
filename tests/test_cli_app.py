"""``kloe lab`` and ``kloe app``: the commands the README gives, the servers they start, and how they stop.

The servers are real (JupyterLab, Voilà) on 127.0.0.1 with their configuration folders in a
temporary directory; each test stops what it started, whatever happens.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import urllib.error
import urllib.request

import pytest
from conftest import REPO_ROOT
from servers import kloe_server

from kloe_nb.cli.app import app_launch, free_port, lab_launch, store_for_kernels
from kloe_nb.cli.main import build_parser

NOTEBOOKS = REPO_ROOT / "notebooks"


def test_lab_adds_allow_root_only_as_root_and_says_so():
    as_root = lab_launch("/s/kloe.db", "127.0.0.1", 9999, [], root=True, token="t", notebooks=NOTEBOOKS)
    assert "--allow-root" in as_root.command and any("--allow-root" in note for note in as_root.notes)
    as_user = lab_launch("/s/kloe.db", "127.0.0.1", 9999, [], root=False, token="t", notebooks=NOTEBOOKS)
    assert "--allow-root" not in as_user.command and not as_user.notes


def test_the_store_reaches_the_kernels_absolute_and_the_extra_flags_come_last(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = store_for_kernels("kloe.db")
    assert store == str(tmp_path / "kloe.db")
    assert store_for_kernels("sqlite:sub/k.db") == f"sqlite:{tmp_path / 'sub' / 'k.db'}"
    launch = app_launch(store, "127.0.0.1", 9999, ["--Voila.theme=dark"], idle=30, councils=None, run_dir=tmp_path / "run", notebooks=NOTEBOOKS)
    assert launch.env["KLOE_STORE"] == store and launch.url == "http://127.0.0.1:9999/"
    assert launch.command[-1] == "--Voila.theme=dark"
    assert "--MappingKernelManager.cull_idle_timeout=30" in launch.command and "--MappingKernelManager.cull_connected=False" in launch.command
    assert not any("cdn" in path.read_text() for path in (tmp_path / "run").rglob("*.htm*") if path.is_file())


def test_the_flags_after_a_double_dash_pass_through():
    args = build_parser().parse_args(["app", "--store", "k.db", "--port", "8866", "--", "--Voila.theme=dark", "--debug"])
    assert args.command == "app" and args.port == 8866 and args.store == "k.db" and args.extra == ["--Voila.theme=dark", "--debug"]
    assert build_parser().parse_args(["lab"]).port == 0  # 0: a free port


def _readme_commands() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Starting the app and JupyterLab", 1)[1].split("\n## ", 1)[0]
    return [line.split("#", 1)[0].strip() for line in section.splitlines() if line.startswith((".venv/bin/kloe", "make "))]


def test_the_readme_says_how_to_start_each_and_its_commands_parse():
    commands = _readme_commands()
    assert any(c.startswith(".venv/bin/kloe app") for c in commands) and any(c.startswith(".venv/bin/kloe lab") for c in commands)
    assert "make app STORE=kloe.db" in commands and "make lab STORE=kloe.db" in commands
    for command in commands:
        words = shlex.split(command)
        if words[0] == "make":
            dry = subprocess.run(["make", "-n", "-o", ".venv/.installed", *words[1:]], cwd=REPO_ROOT, capture_output=True, text=True)
            assert dry.returncode == 0, dry.stderr
            assert ".venv/bin/kloe " in dry.stdout
        else:
            args = build_parser().parse_args(words[1:])
            assert args.command in ("app", "lab")
            if getattr(args, "councils", None):
                assert (REPO_ROOT / args.councils).is_file()


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=3).close()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@pytest.mark.slow
def test_kloe_app_listens_on_the_port_asked_prints_its_address_and_stops_on_sigterm(tmp_path):
    port = free_port("127.0.0.1")
    with kloe_server(tmp_path, "app", "--store", "team.db", "--port", str(port)) as (process, url):
        assert url == f"http://127.0.0.1:{port}/"
        assert _answers(f"http://127.0.0.1:{port}/voila/static/voila.js")
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(40) == 0
        assert process.stderr is not None
        logged = process.stderr.read()
        assert "403 GET" not in logged, logged  # the start-up probe asks for a file Voilà serves: no refusal in the user's terminal
    assert not _answers(f"http://127.0.0.1:{port}/voila/static/voila.js")  # the server went with it


@pytest.mark.slow
def test_kloe_lab_prints_an_address_with_its_token_on_a_free_port(tmp_path):
    with kloe_server(tmp_path, "--store", "team.db", "lab") as (process, url):
        found = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/lab/tree/assess\.ipynb\?token=([0-9a-f]+)", url)
        assert found, url
        port, token = found.groups()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/assess.ipynb?content=0&token={token}", timeout=10) as answer:
            assert answer.status == 200  # JupyterLab is on the notebooks' folder
