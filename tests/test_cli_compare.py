"""``kloe compare``: the real notebook executed by papermill on a real kernel, the page written with its
notebook beside it, plain errors with exit 2 for bad input, a failing notebook kept aside (exit 1),
and the page in a real headless Chromium (opened from disk, nothing requested, no console error)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from browser import open_file_page
from builders import ac, ac_store, caa, damage_sqlite_document, save_all
from conftest import REPO_ROOT
from htmlcheck import inert_problems

from kloe_nb.cli.main import main

pytestmark = pytest.mark.slow  # real kernels run whole batches

NOTEBOOK = REPO_ROOT / "notebooks" / "compare.ipynb"


def kloe(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kloe_nb.cli.main", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """One real ``kloe compare`` run: five councils in two groups, three periods, a second assessor, quotes in a group."""
    folder = tmp_path_factory.mktemp("compare")
    store = ac_store(folder)
    save_all(
        store,
        ac("A1", "Aldermere", "2008/09", 3, 2, group="Districts", track="B", assessor="Bob", kloes={"2.1": 2, "2.2": 4}),
        ac("K6", 'King\'s Lynn "and" West; import os', "2008/09", 2, 2, group='King\'s "group"; import os', illustrative=True),
    )
    output = folder / "out" / "compare.html"
    output.parent.mkdir()
    (output.parent / "a1.html").write_text("<p>the report kloe run wrote for A1</p>", encoding="utf-8")  # only A1 has a report beside the page
    result = kloe("--store", str(store), "compare", "--framework", "ac-benefits", "-o", str(output))
    return store, output, result


def test_kloe_compare_writes_the_page_and_keeps_the_executed_notebook_beside_it(compared):
    store, output, result = compared
    assert result.returncode == 0, result.stderr
    assert f"wrote {output} (6 councils compared)" in result.stdout and f"notebook: {output.with_suffix('.ipynb')}" in result.stdout
    html = output.read_text(encoding="utf-8")
    assert inert_problems(html) == [] and "<script" not in html
    assert "Illustrative example data." in html  # one council is illustrative
    assert 'id="league"' in html and 'id="agreement"' in html and "Bob" in html
    notebook = nbformat.read(output.with_suffix(".ipynb"), as_version=4)
    parameters = {"framework": "ac-benefits", "store": str(store.resolve()), "group": "", "report_links": '{"A1": "a1.html"}'}
    assert notebook.metadata["papermill"]["parameters"] == parameters
    summary = next(
        output_["data"]["application/json"] for cell in notebook.cells for output_ in cell.get("outputs", []) if "application/json" in output_.get("data", {})
    )
    assert [council["code"] for council in summary["councils"]][:3] == ["D4", "A1", "C3"]
    assert not list(output.parent.glob(".*.tmp")) and not output.with_name("compare.html.failed.ipynb").exists()


def test_a_council_with_its_report_beside_the_page_links_to_it_and_the_others_do_not(compared):
    _, output, _ = compared
    html = output.read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^#"][^"]*)"', html))
    assert links == {"a1.html", "a1.html#travel"}  # league table, heatmap and direction of travel; no dead link to the others
    assert '<a href="a1.html">Aldermere</a>' in html and "Brackenford" in html and '<a href="b2.html"' not in html


def test_report_links_name_only_the_reports_that_exist_beside_the_page(tmp_path):
    from kloe_nb.batch.comparison import ComparisonJob, report_links

    store = ac_store(tmp_path)
    out = tmp_path / "out"
    job = ComparisonJob("ac-benefits", store, out / "compare.html")
    assert report_links(job) == ""  # no folder yet
    out.mkdir()
    assert report_links(job) == ""
    (out / "c3.html").write_text("report", encoding="utf-8")
    (out / "b2.ipynb").write_text("{}", encoding="utf-8")
    assert json.loads(report_links(job)) == {"C3": "c3.html"}


def test_a_group_with_quotes_and_code_in_its_name_arrives_exactly_and_is_shown_as_text(compared, tmp_path):
    store, _, _ = compared
    group = 'King\'s "group"; import os'
    output = tmp_path / "kings.html"
    result = kloe("--store", str(store), "compare", "--framework", "ac-benefits", "--group", group, "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert f"(1 council in the peer group {group!r} compared)" in result.stdout
    assert not re.search(r'href="[^#"]', output.read_text(encoding="utf-8"))  # no report beside this page: no link but in-page ones
    notebook = nbformat.read(tmp_path / "kings.ipynb", as_version=4)
    assert notebook.metadata["papermill"]["parameters"]["group"] == group
    html = output.read_text(encoding="utf-8")
    assert "King&#39;s &#34;group&#34;; import os" in html and "King&#39;s Lynn &#34;and&#34; West; import os" in html
    assert "is the only council in this peer group" in html


def test_a_councils_csv_overrides_the_peer_groups_through_the_notebook(tmp_path):
    store = ac_store(tmp_path)
    councils = tmp_path / "councils.csv"
    councils.write_text("\ufeffcode,name,group\nA1,Aldermere,Shire districts\nD4,Dunmarsh,Shire districts\n", encoding="utf-8")
    output = tmp_path / "shire.html"
    result = kloe("--store", str(store), "compare", "--framework", "ac-benefits", "--group", "Shire districts", "--councils", str(councils), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert "(2 councils in the peer group 'Shire districts' compared)" in result.stdout
    notebook = nbformat.read(tmp_path / "shire.ipynb", as_version=4)
    assert notebook.metadata["papermill"]["parameters"]["councils"] == str(councils.resolve())
    html = output.read_text(encoding="utf-8")
    assert "Dunmarsh" in html and "Aldermere" in html and "Brackenford" not in html
    assert str(councils.resolve()) in html  # the page says where its peer groups came from


# -- bad input: plain words, exit 2, nothing written ------------------------------------------------------
@pytest.mark.parametrize(
    "args, words",
    [
        (["--framework", "ac-benefit"], "unknown framework 'ac-benefit'; did you mean 'ac-benefits'?"),
        (["--framework", "ac-benefits", "--group", "Unitary"], "did you mean 'Unitaries'?"),
        (["--framework", "hi-prospects"], "no council has an assessment of hi-prospects"),
    ],
)
def test_bad_input_is_exit_2_in_plain_words_and_writes_nothing(tmp_path, capsys, args, words):
    store = ac_store(tmp_path)
    output = tmp_path / "out" / "compare.html"
    assert main(["--store", str(store), "compare", *args, "-o", str(output)]) == 2
    error = capsys.readouterr().err
    assert words in error and "Traceback" not in error
    assert not output.parent.exists()


def test_an_unknown_group_lists_the_groups_there_are(tmp_path, capsys):
    store = ac_store(tmp_path)
    assert main(["--store", str(store), "compare", "--framework", "ac-benefits", "--group", "Counties", "-o", str(tmp_path / "c.html")]) == 2
    error = capsys.readouterr().err
    assert "peer group 'Counties'" in error and "'Districts' (3 councils), 'Unitaries' (2 councils)" in error


def test_a_missing_store_is_an_error_not_a_new_empty_store(tmp_path, capsys):
    missing = tmp_path / "missing.db"
    assert main(["--store", str(missing), "compare", "--framework", "ac-benefits", "-o", str(tmp_path / "c.html")]) == 2
    assert "no assessment store at" in capsys.readouterr().err and not missing.exists()


def test_a_store_with_nothing_levelled_is_no_comparison(tmp_path, capsys):
    store = save_all(tmp_path / "kloe.db", caa("K1", "Kestrel", "2009/10", None, None))  # type: ignore[arg-type]
    assert main(["--store", str(store), "compare", "--framework", "caa-2009", "-o", str(tmp_path / "c.html")]) == 2
    error = capsys.readouterr().err
    assert "none of the councils assessed against caa-2009" in error and "K1 (Kestrel): nothing assessed yet" in error


def test_the_page_must_be_named_html(tmp_path, capsys):
    store = ac_store(tmp_path)
    assert main(["--store", str(store), "compare", "--framework", "ac-benefits", "-o", str(tmp_path / "compare.ipynb")]) == 2
    assert "name it FILE.html" in capsys.readouterr().err


# -- a notebook that fails: exit 1, nothing stale left looking current, the failed notebook kept -----------
def broken_notebook(folder: Path) -> Path:
    """The comparison notebook with a cell that raises AttributeError."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell("comparison.no_such_section()"))
    broken = folder / "broken.ipynb"
    nbformat.write(nb, broken)
    return broken


def test_a_failing_notebook_leaves_no_stale_page_and_keeps_the_failed_notebook(compared, tmp_path):
    store, old, _ = compared
    broken = broken_notebook(tmp_path)
    output = tmp_path / "compare.html"
    shutil.copyfile(old, output)  # an earlier page of ours, which must not be left looking current
    shutil.copyfile(old.with_suffix(".ipynb"), output.with_suffix(".ipynb"))
    result = kloe("--store", str(store), "compare", "--framework", "ac-benefits", "--notebook", str(broken), "-o", str(output))
    assert result.returncode == 1
    assert "comparison not written" in result.stderr and "comparison.no_such_section()" in result.stderr and "AttributeError" in result.stderr
    assert not output.exists() and not output.with_suffix(".ipynb").exists()
    failed = tmp_path / "compare.html.failed.ipynb"
    assert failed.exists() and f"the failed notebook is at {failed}" in result.stderr


def test_a_failing_notebook_leaves_a_page_the_workbook_did_not_write_alone(compared, tmp_path):
    store, _, _ = compared
    broken = broken_notebook(tmp_path)
    output = tmp_path / "compare.html"
    output.write_text("my own page", encoding="utf-8")
    output.with_suffix(".ipynb").write_text("{}", encoding="utf-8")
    result = kloe("--store", str(store), "compare", "--framework", "ac-benefits", "--notebook", str(broken), "-o", str(output))
    assert result.returncode == 1
    assert output.read_text(encoding="utf-8") == "my own page" and output.with_suffix(".ipynb").read_text(encoding="utf-8") == "{}"


def test_a_notebook_without_the_parameters_is_refused_before_running(tmp_path, capsys):
    store = ac_store(tmp_path)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells[1].source = 'framework: str = "ac-benefits"  # framework id\nstore: str = "kloe.db"  # the store'
    notebook = tmp_path / "two.ipynb"
    nbformat.write(nb, notebook)
    assert main(["--store", str(store), "compare", "--framework", "ac-benefits", "--notebook", str(notebook), "-o", str(tmp_path / "c.html")]) == 2
    assert "does not declare group" in capsys.readouterr().err


def test_a_notebook_of_ones_own_without_the_summary_still_says_how_many_councils_it_compared(compared, tmp_path):
    store, _, _ = compared
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells = [cell for cell in nb.cells if "comparison.summary()" not in cell.source]
    notebook = tmp_path / "no-summary.ipynb"
    nbformat.write(nb, notebook)
    output = tmp_path / "compare.html"
    result = kloe("--store", str(store), "compare", "--framework", "ac-benefits", "--notebook", str(notebook), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert f"wrote {output} (6 councils compared)" in result.stdout  # counted from the store, as the input check no longer counts


def test_a_stored_revision_that_no_longer_reads_is_reported_by_the_check_or_the_page(tmp_path, capsys):
    """The input check reads councils only up to the first it can compare: a damaged one before it is bad input
    (exit 2, nothing run), one after it fails the page (exit 1, the store's message, the failed notebook kept)."""
    store = save_all(tmp_path / "kloe.db", ac("A1", "Aldermere", "2008/09", 3, 3), ac("B2", "Brackenford", "2008/09", 2, 2))
    damage_sqlite_document(store, "B2", "{not json")
    output = tmp_path / "compare.html"
    result = kloe("--store", str(store), "compare", "--framework", "ac-benefits", "-o", str(output))
    assert result.returncode == 1 and "comparison not written" in result.stderr
    assert "is no longer a valid assessment" in result.stderr and "B2" in result.stderr
    assert not output.exists() and (tmp_path / "compare.html.failed.ipynb").exists()
    damage_sqlite_document(store, "A1", "{not json")
    assert main(["--store", str(store), "compare", "--framework", "ac-benefits", "-o", str(tmp_path / "again.html")]) == 2
    assert "is no longer a valid assessment" in capsys.readouterr().err and not (tmp_path / "again.html.failed.ipynb").exists()


# -- the batch index links comparison pages in its folder ---------------------------------------------------
def test_the_batch_index_links_the_comparison_pages_beside_it(compared, tmp_path):
    from kloe_nb.batch.index import CouncilRow, comparison_links, index_html
    from kloe_nb.framework.loader import load_framework_by_id

    _, output, _ = compared
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "compare.html").write_text(output.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "compare-districts.html").write_text("<title>Comparison of councils – Districts &amp; more</title>", encoding="utf-8")
    (folder / "compared.html").write_text("<title>not a comparison page</title>", encoding="utf-8")
    links = comparison_links(folder)
    assert links == [
        ("compare.html", "Comparison of councils – Benefit service inspections"),
        ("compare-districts.html", "Comparison of councils – Districts & more"),
    ]
    page = index_html(load_framework_by_id("ac-benefits"), [CouncilRow(0, "A1", "Aldermere", "", "2008/09", "ok")], "report.ipynb", comparisons=links)
    assert inert_problems(page) == []
    assert '<a href="compare.html">Comparison of councils – Benefit service inspections</a>' in page
    assert "Districts &amp; more" in page and "compared.html" not in page


# -- the page in a real browser --------------------------------------------------------------------------------
@pytest.mark.browser
def test_the_comparison_page_opens_from_disk_with_no_request_leaving_and_no_console_error(compared, artifacts_dir):
    _, output, _ = compared
    with open_file_page(output) as (page, visit):
        assert page.is_visible("#league-rank") and not page.is_visible("#league-name")
        page.click('#league-rank th a[href="#league-j1"]')
        assert page.is_visible("#league-j1") and page.is_visible("#league-rank")  # the order is a list of names; the table stays, once
        assert page.inner_text("#league-j1 h4").startswith("4 Excellent")
        assert page.inner_text("#league-j1 p").startswith("Dunmarsh")  # How good is the service? best first: D4 is 4
        assert not page.is_visible("#league-name")
        page.goto(output.resolve().as_uri(), wait_until="load")
        assert page.is_visible("svg.compare-bars") and page.is_visible("table.heatmap") and page.is_visible("#agreement")
        assert page.evaluate("document.querySelectorAll('script').length") == 0
        page.screenshot(path=str(artifacts_dir / "compare.png"), full_page=True)
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.querySelector('#distribution-h')).breakBefore") == "page"
        assert not page.is_visible("nav.contents") and page.is_visible("#league-rank") and not page.is_visible("#league-name")
    assert visit.requests and all(url.startswith("file://") for url in visit.requests), visit.requests
    assert visit.console_errors == [] and visit.page_errors == []


@pytest.mark.browser
def test_the_comparison_page_reads_fully_with_javascript_off(compared):
    _, output, _ = compared
    with open_file_page(output, javascript=False) as (page, visit):
        text = page.inner_text("body")
    for words in (
        "League table",
        "Dunmarsh",
        "up from 2",
        "How the judgements are distributed",
        "Group median",
        "Direction of travel",
        "Agreement between assessors",
        "Kappa",
    ):
        assert words in text, words
    assert all(url.startswith("file://") for url in visit.requests)


def test_the_summary_is_plain_json(compared):
    _, output, _ = compared
    notebook = json.loads(output.with_suffix(".ipynb").read_text(encoding="utf-8"))
    texts = [o["data"]["text/plain"] for c in notebook["cells"] for o in c.get("outputs", []) if "application/json" in o.get("data", {})]
    assert len(texts) == 1 and re.match(r"ac-benefits: 6 councils compared: 1 D4, 2 A1, 2 C3", texts[0])
