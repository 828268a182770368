"""A batch that meets failing councils and hostile input, and goes on (RELIABILITY scenarios 9, 11, 13-16).

One ``kloe run`` (a real process, two workers) over councils that: work; have nothing
assessed (the report's load cell raises); have no assessment at all; kill their own kernel
with SIGKILL mid-batch; hang past the timeout; carry hostile codes, names and evidence. The
notebook is the bundled report notebook with one fault-injection cell after its parameters.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import nbformat
import pytest
from conftest import REPO_ROOT
from htmlcheck import inert_problems
from nbformat.v4 import new_code_cell

from kloe_nb.batch.slugs import slug
from kloe_nb.demo import import_assessments

pytestmark = pytest.mark.slow  # real kernels run whole batches

NOTEBOOK = REPO_ROOT / "notebooks" / "report.ipynb"
EXAMPLE = REPO_ROOT / "examples" / "assessments" / "ac-judgement2--EX-J201--2008-09.json"
TIMEOUT = 8
HOSTILE_CODE = "../../<script>alert(1)</script>"
HOSTILE_NAME = '<img src=x onerror="alert(1)"> "Quoted" & Co'
HOSTILE_EVIDENCE = "<script>alert('evidence')</script> javascript:alert(1) <iframe src=//evil>"
FAULTS = (
    "import os, signal, time\n"
    "print(repr(council_code))\n"
    "if council_code == 'KILL-ME':\n"
    "    os.kill(os.getpid(), signal.SIGKILL)\n"
    "if council_code == 'HANG':\n"
    "    time.sleep(600)\n"
    "del os, signal, time"
)
COUNCILS = [
    ("OK-1", "First Working Council"),
    ("RAISE", "Nothing Assessed Council"),
    ("KILL-ME", "Killed Kernel Council"),
    ("OK-2", "Second Working Council"),
    ("HANG", "Hanging Council"),
    ("MISSING", "Council Without An Assessment"),
    (HOSTILE_CODE, HOSTILE_NAME),
    ("00123", "Leading Zeros Council"),
    ("None", "Council Called None"),
    ("King's Lynn and West Norfolk", "Quote Council"),
    ('x"""; import os', "Code In A Code Council"),
    ("OK-3", "Third Working Council"),
    ("OK-4", '=HYPERLINK("http://evil.example","click")'),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    paths = []
    for number, (code, name) in enumerate(COUNCILS):
        if code == "MISSING":
            continue
        data = json.loads(json.dumps(document))
        data["organisation"] = {"code": code, "name": name}
        if code == "RAISE":
            data["kloes"] = {kloe: {"evidence": record.get("evidence", [])} for kloe, record in data["kloes"].items()}
            data["judgements"] = {}
        if code == HOSTILE_CODE:
            data["kloes"]["4.1"]["evidence"] = [{"source": HOSTILE_EVIDENCE, "reference": "../../etc/passwd", "note": HOSTILE_EVIDENCE}]
            data["kloes"]["4.1"]["strengths"] = HOSTILE_EVIDENCE
        path = root / f"{number}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
    store = root / "kloe.db"
    import_assessments(store, paths)
    councils = root / "councils.csv"
    with councils.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["code", "name"])
        writer.writerows(COUNCILS)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.insert(2, new_code_cell(FAULTS, id="fault-injection"))
    notebook = root / "report_with_faults.ipynb"
    nbformat.write(nb, notebook)
    out = root / "out"
    (out / "notebooks").mkdir(parents=True)
    # An earlier run's page and notebook (marked as the workbook's), and a temporary file a killed run left.
    (out / "raise.html").write_text('<html><meta name="generator" content="kloe-workbook 0.1">STALE REPORT FROM AN EARLIER RUN</html>')
    (out / "notebooks" / "raise.ipynb").write_text(json.dumps({"cells": [], "metadata": {"kloe_workbook": {"version": "0.1"}}}))
    (out / ".ok-1.html.abc123xy.tmp").write_text("half written by a killed run")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kloe_nb.cli.main",
            "--store",
            str(store),
            "run",
            "--framework",
            "ac-judgement2",
            "--councils",
            str(councils),
            "--out",
            str(out),
            "-j",
            "2",
            "--timeout",
            str(TIMEOUT),
            "--notebook",
            str(notebook),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=240,
    )
    with (out / "summary.csv").open(encoding="utf-8", newline="") as stream:
        rows = {row["code"]: row for row in csv.DictReader(stream)}
    return result, out, rows, root


def test_the_batch_goes_on_past_every_failure_and_exits_1(run):
    result, out, rows, _ = run
    assert result.returncode == 1, result.stderr
    assert len(rows) == len(COUNCILS)
    failed = {"RAISE", "KILL-ME", "HANG", "MISSING"}
    for code, name in COUNCILS:
        defused = "'" + code if code.startswith(("=", "+", "-", "@")) else code
        row = rows[defused]
        assert row["status"] == ("failed" if code in failed else "ok"), (code, row["reason"])
        assert row["name"] == ("'" + name if name.startswith("=") else name)  # formulas defused in summary.csv
        if code not in failed:
            assert (out / f"{slug(code)}.html").is_file() and (out / "notebooks" / f"{slug(code)}.ipynb").is_file()
            assert row["report"] == f"{slug(code)}.html" and row["J2 level"] and row["revision"] == "1"


def test_an_exception_in_a_cell_names_the_cell_and_the_exception_and_leaves_nothing_stale(run):
    _, out, rows, _ = run
    reason = rows["RAISE"]["reason"]
    assert re.search(r"cell 3 \(from kloe_nb.report import Report\) raised ReportError: .*RAISE.*nothing assessed yet", reason), reason
    assert not (out / "raise.html").exists() and not (out / "notebooks" / "raise.ipynb").exists()
    failed = nbformat.read(out / "failed" / "raise.ipynb", as_version=4)
    assert any("papermill-error-cell-tag" in cell.metadata.get("tags", []) for cell in failed.cells)
    assert rows["RAISE"]["report"] == "" and rows["RAISE"]["notebook"] == "failed/raise.ipynb"


def test_a_kernel_killed_mid_batch_fails_that_council_only_and_its_partial_notebook_is_kept(run):
    _, out, rows, _ = run
    assert "killed by SIGKILL" in rows["KILL-ME"]["reason"]
    partial = json.loads((out / "failed" / "kill-me.ipynb").read_text())
    assert "SIGKILL" in partial["metadata"]["kloe"]["partial"]
    assert "'KILL-ME'" in json.dumps(partial)  # the cells that ran before the kill are there
    assert rows["OK-2"]["status"] == rows["OK-3"]["status"] == "ok"  # councils after it, on new kernels


def test_a_hanging_council_times_out_and_the_rest_still_run(run):
    _, out, rows, _ = run
    assert rows["HANG"]["reason"] == f"timed out after {TIMEOUT} s (the kernel was stopped)"
    assert (out / "failed" / "hang.ipynb").is_file()
    assert "no assessment of council 'MISSING'" in rows["MISSING"]["reason"]


def test_codes_arrive_exactly_and_file_names_stay_inside_the_output_folder(run):
    _, out, rows, root = run
    for code in ("00123", "None", "King's Lynn and West Norfolk", 'x"""; import os', HOSTILE_CODE):
        notebook = nbformat.read(out / "notebooks" / f"{slug(code)}.ipynb", as_version=4)
        printed = "".join(output.get("text", "") for output in notebook.cells[3].outputs)
        assert printed == repr(code) + "\n"
        assert json.loads(json.dumps(notebook.metadata["papermill"]["parameters"]))["council_code"] == code
    assert rows["00123"]["code"] == "00123" and rows["None"]["code"] == "None"
    written = {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}
    outside = {path for path in written if not path.startswith("out/")}
    assert outside <= {"kloe.db", "kloe.db.bak", "kloe.db-wal", "kloe.db-shm", "councils.csv", "report_with_faults.ipynb"} | {
        f"{number}.json" for number in range(len(COUNCILS))
    }
    assert not any(part.startswith(".") and part.endswith(".tmp") for part in written)  # the killed run's leftover is gone


def test_hostile_names_and_evidence_are_text_in_the_report_and_the_index(run):
    _, out, rows, _ = run
    report = (out / "script-alert-1-script.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    for page in (report, index):
        assert inert_problems(page) == []
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &#34;Quoted&#34; &amp; Co" in page
    assert "&lt;script&gt;alert(&#39;evidence&#39;)&lt;/script&gt;" in report
    assert "../../etc/passwd" in report  # shown as the reference typed, never used as a path


def test_the_index_lists_every_council_with_status_and_reason(run):
    _, out, rows, _ = run
    index = (out / "index.html").read_text(encoding="utf-8")
    assert inert_problems(index) == []
    for code in ("RAISE", "KILL-ME", "HANG", "MISSING"):
        assert f"<code>{code}</code>" in index
    assert "killed by SIGKILL" in index and "timed out after" in index and "nothing assessed yet" in index
    assert 'href="failed/raise.ipynb"' in index
    assert index.count('class="index-status-failed">failed</span>') == 4 * index.count('<section class="index-ordering')
