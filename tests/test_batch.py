"""The batch on the example councils: reports, executed notebooks, index.html, summary.csv, statuses;
``--resume``; a run killed and restarted (scenario 17); the pages in a real browser (scenario 25)."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from browser import open_file_page
from conftest import REPO_ROOT
from htmlcheck import inert_problems

from kloe_nb import demo

pytestmark = pytest.mark.slow  # real kernels run whole batches

EXAMPLES = REPO_ROOT / "examples"
FRAMEWORKS = ["ac-benefits", "ac-judgement2", "caa-2009", "hi-prospects", "wao-housing"]


def kloe(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kloe_nb.cli.main", *args], capture_output=True, text=True, cwd=cwd, timeout=240)


def read_summary(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def councils_of(framework: str) -> list[dict[str, str]]:
    return read_summary(EXAMPLES / "councils" / f"{framework}.csv")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """``make demo``'s job, into a temporary runs folder: every framework's example councils."""
    runs_dir = tmp_path_factory.mktemp("runs")
    assert demo.main(runs_dir) == 0
    return runs_dir


def test_the_examples_are_at_least_12_illustrative_councils_across_all_five_frameworks():
    councils = {framework: councils_of(framework) for framework in FRAMEWORKS}
    assert sum(len(rows) for rows in councils.values()) >= 12 and all(councils.values())
    for path in (EXAMPLES / "assessments").glob("*.json"):
        assert '"illustrative": true' in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_example_council_has_a_report_a_notebook_and_a_row(runs, framework):
    out = runs / "demo" / framework
    rows = read_summary(out / "summary.csv")
    assert [row["code"] for row in rows] == [row["code"] for row in councils_of(framework)]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert inert_problems(index) == []
    for row in rows:
        assert row["status"] == "ok", row
        assert row["revision"] == "1" and row["report"] and row["notebook"]
        page = (out / row["report"]).read_text(encoding="utf-8")
        assert inert_problems(page) == [] and "Illustrative example data" in page
        assert len(page.encode()) < 150_000
        notebook = nbformat.read(out / row["notebook"], as_version=4)
        assert notebook.metadata["papermill"]["parameters"]["council_code"] == row["code"]
        assert f'href="{row["report"]}"' in index
    assert 'id="heatmap"' in index and "Illustrative example data" in index
    judgements = [key[: -len(" level")] for key in rows[0] if key.endswith(" level")]
    assert judgements and all(f"{key} label" in rows[0] for key in judgements)


def test_the_summary_carries_each_judgements_level_and_label(runs):
    rows = {row["code"]: row for row in read_summary(runs / "demo" / "ac-benefits" / "summary.csv")}
    assert (rows["EX-AC01"]["J1 level"], rows["EX-AC01"]["J1 label"]) == ("2", "Fair")
    assert (rows["EX-AC01"]["J2 level"], rows["EX-AC01"]["J2 label"]) == ("2", "Uncertain prospects")
    caa = {row["code"]: row for row in read_summary(runs / "demo" / "caa-2009" / "summary.csv")}
    assert caa["EX-CA02"]["organisational_assessment level"] == ""
    assert caa["EX-CA02"]["organisational_assessment label"] == "needs a decision: 3 or 4"


def test_the_index_is_ordered_by_code_and_by_every_column_without_script(runs):
    index = (runs / "demo" / "caa-2009" / "index.html").read_text(encoding="utf-8")
    orderings = re.findall(r'<section class="index-ordering[^"]*" id="([^"]+)"', index)
    assert orderings[:4] == ["by-code", "by-name", "by-group", "by-status"] and len(orderings) == 4 + 6
    best_first = index[index.index('id="by-j6"') :]
    best_first = best_first[: best_first.index("</section>")]
    codes = re.findall(r"<td><code>([^<]+)</code></td>", best_first)
    assert codes == ["EX-CA01", "EX-CA03", "EX-CA04", "EX-CA02"]  # organisational assessment 3, 2, 2 (by code), then undecided


@pytest.mark.browser
def test_pages_open_from_disk_with_no_request_leaving_and_no_console_error(runs, artifacts_dir):
    out = runs / "demo" / "caa-2009"
    with open_file_page(out / "index.html") as (page, visit):
        assert page.is_visible("#by-code") and not page.is_visible("#by-name")
        page.click('#by-code th a[href="#by-name"]')
        assert page.is_visible("#by-name") and not page.is_visible("#by-code")
        page.screenshot(path=str(artifacts_dir / "batch-index.png"), full_page=True)
        page.goto((out / "ex-ca01.html").resolve().as_uri(), wait_until="load")
        assert page.is_visible("td.highlight")
        page.screenshot(path=str(artifacts_dir / "batch-report-caa.png"), full_page=True)
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.querySelector('.report-group h2')).breakBefore") == "page"
    assert visit.requests and all(url.startswith("file://") for url in visit.requests), visit.requests
    assert visit.console_errors == [] and visit.page_errors == []


@pytest.mark.browser
def test_a_report_reads_fully_with_javascript_off(runs):
    with open_file_page(runs / "demo" / "ac-benefits" / "ex-ac01.html", javascript=False) as (page, visit):
        text = page.inner_text("body")
    assert "Aldermere Borough Council" in text and "A 'fair', one-star service" in text and "Areas for improvement" in text
    assert all(url.startswith("file://") for url in visit.requests)


def test_resume_skips_what_is_up_to_date_and_reruns_a_council_with_a_new_revision(runs, tmp_path):
    from kloe_nb.store import AssessmentKey, open_store

    store = tmp_path / "kloe.db"
    store.write_bytes((runs / "demo" / "kloe.db").read_bytes())
    out = tmp_path / "out"
    args = [
        "--store",
        str(store),
        "run",
        "--framework",
        "hi-prospects",
        "--councils",
        str(EXAMPLES / "councils" / "hi-prospects.csv"),
        "--out",
        str(out),
        "-j",
        "1",
        "--no-progress",
    ]
    first = kloe(*args)
    assert first.returncode == 0, first.stderr
    made = {path.name: path.stat().st_mtime_ns for path in out.glob("ex-*.html")}
    second = kloe(*args, "--resume")
    assert second.returncode == 0 and "0 reports written, 3 up to date, 0 failed" in second.stdout
    assert {path.name: path.stat().st_mtime_ns for path in out.glob("ex-*.html")} == made
    assert [row["status"] for row in read_summary(out / "summary.csv")] == ["up to date", "up to date", "up to date"]
    with open_store(store) as opened:
        current = opened.load(AssessmentKey("hi-prospects", "EX-HI02", "2008/09"))
        changed = current.assessment.model_copy(update={"assessor": "A second assessor (illustrative)"})
        opened.save(changed, based_on=current.revision, author="test")
    third = kloe(*args, "--resume")
    assert third.returncode == 0 and "1 reports written, 2 up to date" in third.stdout
    rows = {row["code"]: row for row in read_summary(out / "summary.csv")}
    assert rows["EX-HI02"]["status"] == "ok" and rows["EX-HI02"]["revision"] == "2"
    assert "A second assessor" in (out / "ex-hi02.html").read_text(encoding="utf-8")


def test_a_run_killed_midway_leaves_no_half_written_page_and_resume_finishes_it(runs, tmp_path):
    from kloe_nb.demo import import_assessments

    source = (EXAMPLES / "assessments" / "ac-judgement2--EX-J201--2008-09.json").read_text(encoding="utf-8")
    paths, lines = [], ["code,name"]
    for number in range(14):
        code = f"K{number:02d}"
        path = tmp_path / f"{code}.json"
        path.write_text(source.replace('"EX-J201"', f'"{code}"'), encoding="utf-8")
        paths.append(path)
        lines.append(f"{code},Council {number}")
    store = tmp_path / "kloe.db"
    import_assessments(store, paths)
    councils = tmp_path / "councils.csv"
    councils.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    command = [
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
        "--no-progress",
    ]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("*.html"))) < 3:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the batch, its workers and their kernels, mid-write for all we know
    process.wait()
    done = list(out.glob("k*.html"))
    assert 3 <= len(done) < 14
    for page in done:
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>")
    resumed = subprocess.run([*command, "--resume"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=240)
    assert resumed.returncode == 0, resumed.stderr
    rows = read_summary(out / "summary.csv")
    assert len(rows) == 14 and all(row["status"] in ("ok", "up to date") for row in rows)
    assert sum(row["status"] == "up to date" for row in rows) >= len(done) - 1
    assert not [path for path in out.rglob(".*.tmp")]


def test_kloe_render_writes_one_council(runs, tmp_path):
    output = tmp_path / "one.html"
    result = kloe(
        "--store", str(runs / "demo" / "kloe.db"), "render", "--framework", "wao-housing", "--council", "EX-WA01", "--period", "2008/09", "-o", str(output)
    )
    assert result.returncode == 0, result.stderr
    page = output.read_text(encoding="utf-8")
    assert inert_problems(page) == [] and "Cyngor Sir Llanfeidr" in page
    missing = kloe("--store", str(runs / "demo" / "kloe.db"), "render", "--framework", "wao-housing", "--council", "NOPE", "-o", str(output))
    assert missing.returncode == 2 and "no assessment of council 'NOPE'" in missing.stderr


def test_an_unknown_parameter_name_fails_the_run_before_anything_runs(runs, tmp_path):
    result = kloe(
        "--store",
        str(runs / "demo" / "kloe.db"),
        "run",
        "--framework",
        "hi-prospects",
        "--councils",
        str(EXAMPLES / "councils" / "hi-prospects.csv"),
        "--out",
        str(tmp_path / "out"),
        "-p",
        "councl=x",
    )
    assert result.returncode == 2 and "unknown parameter; did you mean 'council_code'" in result.stderr
    assert not (tmp_path / "out").exists()
