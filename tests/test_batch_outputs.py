"""The output folder holds the user's things too: only what this workbook wrote is ever removed or
replaced (issue 12, items 1 and 2), and nothing is written through a link out of the folder.

The folder's rules are tested directly (fast); one real ``kloe run`` proves them end to end.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import nbformat
import pytest
from builders import ac_store
from conftest import REPO_ROOT

from kloe_nb.batch.outputs import NotOursError, OutputFolder, PageFiles, notebook_text, written_by_us

OUR_PAGE = '<!DOCTYPE html><html><head><meta name="generator" content="kloe-workbook 0.1.0"></head><body>report</body></html>'
NOTEBOOK = nbformat.v4.new_notebook()


def users_files(root):
    """A folder with a user's own files whose names an output could take."""
    (root / "notebooks").mkdir(parents=True)
    (root / "failed").mkdir()
    files = {
        root / "notes.html": "<p>my notes</p>",
        root / "notebooks" / "notes.ipynb": json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        root / "failed" / "notes.ipynb": "{}",
        root / ".draft.tmp": "half a thought",
        root / ".notes.html.tmp": "not a name files.replacing gives",
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return files


def test_a_failed_council_leaves_the_users_own_files_of_the_same_name(tmp_path):
    files = users_files(tmp_path)
    outputs = OutputFolder(tmp_path)
    outputs.prepare()
    assert outputs.write_failure("notes", None) == ""
    assert outputs.write_failure("notes", NOTEBOOK) == ""  # the user's failed/notes.ipynb is not replaced either
    assert {path: path.read_text(encoding="utf-8") for path in files} == files


def test_a_succeeding_council_refuses_to_replace_a_file_it_did_not_write(tmp_path):
    files = users_files(tmp_path)
    outputs = OutputFolder(tmp_path)
    outputs.prepare()
    with pytest.raises(NotOursError, match=r"notes\.(html|ipynb) is in the way and was not written by kloe-workbook"):
        outputs.write_success("notes", NOTEBOOK, OUR_PAGE)
    assert {path: path.read_text(encoding="utf-8") for path in files} == files


def test_what_the_workbook_wrote_is_still_replaced_and_removed(tmp_path):
    outputs = OutputFolder(tmp_path)
    outputs.prepare()
    outputs.write_success("a1", NOTEBOOK, OUR_PAGE)
    assert written_by_us(outputs.html("a1")) and written_by_us(outputs.notebook("a1"))
    outputs.write_success("a1", NOTEBOOK, OUR_PAGE.replace("report", "again"))
    assert "again" in outputs.html("a1").read_text(encoding="utf-8")
    assert outputs.write_failure("a1", NOTEBOOK) == "failed/a1.ipynb"
    assert not outputs.html("a1").exists() and not outputs.notebook("a1").exists()
    outputs.write_success("a1", NOTEBOOK, OUR_PAGE)
    assert not outputs.failed("a1").exists()


def test_a_notebook_written_before_the_mark_is_still_recognised(tmp_path):
    legacy = json.loads(notebook_text(NOTEBOOK))
    del legacy["metadata"]["kloe_workbook"]
    legacy["metadata"]["papermill"] = {"parameters": {"framework": "ac-benefits", "council_code": "A1", "store": "kloe.db"}}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(legacy), encoding="utf-8")
    assert written_by_us(path)


def test_start_up_removes_only_temporary_files_with_the_names_the_workbook_gives_them(tmp_path):
    files = users_files(tmp_path)
    ours = [tmp_path / ".a1.html.k2j4x9_q.tmp", tmp_path / "notebooks" / ".a1.ipynb.abcdefgh.tmp", tmp_path / ".summary.csv.0123abcd.tmp"]
    for path in ours:
        path.write_text("left by a killed run", encoding="utf-8")
    OutputFolder(tmp_path).prepare()
    assert not any(path.exists() for path in ours)
    assert {path: path.read_text(encoding="utf-8") for path in files} == files


def test_an_index_or_summary_of_the_users_stops_the_run_before_anything_is_written(tmp_path):
    (tmp_path / "summary.csv").write_text("my,own,table\n", encoding="utf-8")
    with pytest.raises(NotOursError, match="summary.csv"):
        OutputFolder(tmp_path).prepare()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["summary.csv"]


@pytest.mark.parametrize("name", ["failed", "notebooks"])
def test_a_planted_link_out_of_the_folder_stops_the_run_and_nothing_is_touched_through_it(tmp_path, name):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    precious = elsewhere / "a1.ipynb"
    precious.write_text(notebook_text(NOTEBOOK), encoding="utf-8")  # even a file that looks like ours
    out = tmp_path / "out"
    out.mkdir()
    (out / name).symlink_to(elsewhere, target_is_directory=True)
    outputs = OutputFolder(out)
    with pytest.raises(NotOursError, match=f"{name} is a link"):
        outputs.prepare()
    assert precious.read_text(encoding="utf-8") == notebook_text(NOTEBOOK)


def test_a_page_beside_which_the_workbook_keeps_a_notebook_never_replaces_the_users(tmp_path):
    page, notebook = tmp_path / "compare.html", tmp_path / "compare.ipynb"
    notebook.write_text("my own notebook", encoding="utf-8")
    with pytest.raises(NotOursError, match="compare.ipynb"):
        PageFiles(page, notebook).write_success(NOTEBOOK, OUR_PAGE)
    assert notebook.read_text(encoding="utf-8") == "my own notebook" and not page.exists()
    PageFiles(page, notebook, notebook_named=True).write_success(NOTEBOOK, OUR_PAGE)  # --save-notebook names it: written
    assert written_by_us(notebook) and written_by_us(page)


def test_a_failed_page_removes_its_previous_page_only_when_the_workbook_wrote_it(tmp_path):
    page = tmp_path / "mine.html"
    page.write_text("<p>a page of my own</p>", encoding="utf-8")
    assert PageFiles(page).write_failure(NOTEBOOK) == tmp_path / "mine.html.failed.ipynb"
    assert page.read_text(encoding="utf-8") == "<p>a page of my own</p>"
    page.write_text(OUR_PAGE, encoding="utf-8")
    PageFiles(page).write_failure(None)
    assert not page.exists()


@pytest.mark.slow
def test_kloe_run_into_a_folder_of_the_users_touches_nothing_of_theirs(tmp_path):
    store = ac_store(tmp_path)
    out = tmp_path / "out"
    files = users_files(out)
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name\nD4,Dunmarsh\nnotes,A council whose slug is notes\nC3,Cindervale\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kloe_nb.cli.main",
            "run",
            "--framework",
            "ac-benefits",
            "--councils",
            str(councils),
            "--out",
            str(out),
            "--store",
            str(store),
            "-j",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr  # the council without an assessment failed; the others ran
    assert {path: path.read_text(encoding="utf-8") for path in files} == files
    rows = {row["code"]: row for row in csv.DictReader((out / "summary.csv").open(encoding="utf-8"))}
    assert (rows["D4"]["status"], rows["C3"]["status"], rows["notes"]["status"]) == ("ok", "ok", "failed"), rows
    assert written_by_us(out / "d4.html") and written_by_us(out / "notebooks" / "d4.ipynb") and written_by_us(out / "summary.csv")
