"""Issue 12 item 16: what the machine or a bad argument does is said in plain words, naming the file.

No "unexpected error", no traceback, nothing half-written left, nothing already there replaced.
The full disks are real (a small tmpfs as root, a file-size limit for anyone: tests/fulldisk.py).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from fulldisk import KINDS, full_folder

EXAMPLES = REPO_ROOT / "examples" / "assessments"
COUNCIL = ("--framework", "ac-benefits")


def kloe(*args: str, preexec=None, timeout: float = 300) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "kloe_nb.cli.main", *args], capture_output=True, text=True, cwd=REPO_ROOT, preexec_fn=preexec, timeout=timeout)


def plain(result: subprocess.CompletedProcess[str]) -> str:
    """The error, checked to be plain words and not a crash."""
    assert result.returncode != 0, result.stdout
    for crash in ("Traceback", "unexpected error", "Exception ignored"):
        assert crash not in result.stderr, result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "kloe.db"
    imported = kloe("--store", str(path), "import", *sorted(str(p) for p in EXAMPLES.glob("ac-benefits--EX-AC01--*.json")))
    assert imported.returncode == 0, imported.stderr
    # Readers of a WAL store map a 32 KB shared-memory file, which a file-size limit below that
    # refuses; the commands here only read, so the store is kept in rollback-journal mode.
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = delete")
    return path


# -- a full disk ---------------------------------------------------------------------------------------------
FULL_DISK_COMMANDS = {
    "export json": ["export", *COUNCIL, "--org", "EX-AC01", "--period", "2007/08", "--format", "json", "-o", "{out}/a.json"],
    "export csv": ["export", *COUNCIL, "--org", "EX-AC01", "--period", "2007/08", "--format", "csv", "-o", "{out}/a.csv"],
    "render": ["render", *COUNCIL, "--council", "EX-AC01", "--period", "2007/08", "-o", "{out}/a.html"],
    "handbook": ["frameworks", "handbook", "ac-benefits", "-o", "{out}/a.html"],
}


FULL = {"tmpfs": "the disk is full", "fsize": "larger than this system allows"}


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", FULL_DISK_COMMANDS, ids=list(FULL_DISK_COMMANDS))
def test_a_full_disk_is_said_plainly_and_leaves_nothing_half_written(store, tmp_path, command, kind):
    with full_folder(tmp_path, size=4096, kind=kind) as disk:
        args = [part.replace("{out}", str(disk.folder)) for part in FULL_DISK_COMMANDS[command]]
        error = plain(disk.run([sys.executable, "-m", "kloe_nb.cli.main", "--store", str(store), *args], cwd=REPO_ROOT))
        written = Path(args[-1])
        assert f"{written} was not written" in error and "Nothing was replaced" in error and FULL[kind] in error
        assert list(disk.folder.iterdir()) == []  # no temporary file left


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_a_full_disk_under_run_out_fails_the_councils_not_the_machine(store, tmp_path, kind):
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name,period\nEX-AC01,Aldermere,2007/08\n", encoding="utf-8")
    with full_folder(tmp_path, size=4096, kind=kind) as disk:
        command = [
            sys.executable,
            "-m",
            "kloe_nb.cli.main",
            "--store",
            str(store),
            "run",
            *COUNCIL,
            "--councils",
            str(councils),
            "--out",
            str(disk.folder / "out"),
        ]
        error = plain(disk.run(command, timeout=600, cwd=REPO_ROOT))
        assert str(disk.folder / "out") in error and FULL[kind] in error


# -- names and arguments -------------------------------------------------------------------------------------
def test_out_an_existing_file_is_refused_and_the_file_kept(store, tmp_path):
    existing = tmp_path / "reports"
    existing.write_text("mine", encoding="utf-8")
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name\nEX-AC01,Aldermere\n", encoding="utf-8")
    error = plain(kloe("--store", str(store), "run", *COUNCIL, "--councils", str(councils), "--out", str(existing)))
    assert f"{existing} is a file, not a folder" in error and existing.read_text(encoding="utf-8") == "mine"


def test_a_name_longer_than_the_file_system_allows_is_named(store, tmp_path):
    too_long = tmp_path / ("a" * 300 + ".json")
    error = plain(kloe("--store", str(store), "export", *COUNCIL, "--org", "EX-AC01", "--period", "2007/08", "--format", "json", "-o", str(too_long)))
    assert "the name is longer than the file system allows" in error and "choose a shorter name" in error


def test_a_name_the_file_system_takes_is_written_although_its_temporary_name_would_not_fit(store, tmp_path):
    longest = tmp_path / ("b" * 250 + ".json")  # 255 bytes: the limit
    result = kloe("--store", str(store), "export", *COUNCIL, "--org", "EX-AC01", "--period", "2007/08", "--format", "json", "-o", str(longest))
    assert result.returncode == 0, result.stderr
    assert json.loads(longest.read_text(encoding="utf-8"))["period"] == "2007/08"
    assert [path.name for path in tmp_path.iterdir()] == [longest.name]


@pytest.mark.parametrize("text", ["hello\n", '{"cells": "no"}', "\x00\x01binary"], ids=["text", "wrong shape", "binary"])
def test_a_notebook_option_that_is_not_a_notebook_is_named(store, tmp_path, text):
    notebook = tmp_path / "report.ipynb"
    notebook.write_text(text, encoding="utf-8")
    error = plain(
        kloe(
            "--store",
            str(store),
            "render",
            *COUNCIL,
            "--council",
            "EX-AC01",
            "--period",
            "2007/08",
            "--notebook",
            str(notebook),
            "-o",
            str(tmp_path / "r.html"),
        )
    )
    assert f"{notebook}" in error and "is not a Jupyter notebook" in error
    assert not (tmp_path / "r.html").exists()


def test_an_unknown_framework_in_a_multi_file_import_names_the_file(tmp_path):
    good = EXAMPLES / "ac-benefits--EX-AC01--2007-08.json"
    data = json.loads(good.read_text(encoding="utf-8"))
    data["framework"] = "no-such-framework"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = kloe("--store", str(tmp_path / "kloe.db"), "import", str(good), str(bad))
    assert result.returncode == 1 and "saved as revision 1" in result.stdout
    assert f"kloe: {bad}: unknown framework 'no-such-framework'" in plain(result)


def test_a_json_that_is_a_pipe_is_refused_at_once(tmp_path):
    pipe = tmp_path / "a.json"
    os.mkfifo(pipe)
    error = plain(kloe("--store", str(tmp_path / "kloe.db"), "import", str(pipe), timeout=60))
    assert f"{pipe}" in error and "is not a regular file" in error


def test_a_json_that_links_to_dev_zero_is_refused_at_once(tmp_path):
    link = tmp_path / "a.json"
    link.symlink_to("/dev/zero")
    error = plain(kloe("--store", str(tmp_path / "kloe.db"), "import", str(link), timeout=60))
    assert f"{link}" in error and "is not a regular file" in error


def test_a_council_name_of_200000_characters_is_named_as_too_long_not_as_broken_quoting(store, tmp_path):
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name\nEX-AC01," + "n" * 200_000 + "\n", encoding="utf-8")
    error = plain(kloe("--store", str(store), "run", *COUNCIL, "--councils", str(councils), "--out", str(tmp_path / "out")))
    assert "row 2: name: the name is 200,000 characters long" in error and "quoting" not in error
