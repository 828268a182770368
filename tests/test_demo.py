"""``make demo`` also writes the comparison pages: one per framework, one per peer group for the framework
with the most groups, each with its executed notebook beside it, each linked from its batch index.

The demo runs on the example data (``examples/``), whatever it holds, so these tests check what
every comparison page must have rather than particular councils.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest import REPO_ROOT
from htmlcheck import inert_problems

from kloe_nb import demo

pytestmark = pytest.mark.slow  # real kernels run whole batches

FRAMEWORKS = sorted(path.stem for path in (REPO_ROOT / "examples" / "councils").glob("*.csv"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, str]:
    """``make demo``'s job into a temporary runs folder, and what it printed."""
    import contextlib
    import io

    runs_dir = tmp_path_factory.mktemp("runs")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert demo.main(runs_dir) == 0
    return runs_dir, printed.getvalue()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_framework_has_a_comparison_page_with_its_notebook_linked_from_the_index(runs, framework):
    runs_dir, printed = runs
    folder = runs_dir / "demo" / framework
    page = (folder / "compare.html").read_text(encoding="utf-8")
    assert inert_problems(page) == [] and "Illustrative example data." in page
    for section in ("league", "distribution", "heatmap", "peers", "travel"):
        assert f'id="{section}"' in page, section
    reports = set(re.findall(r'<a href="([^"#]+\.html)">', page))  # each council's name links to the report kloe run wrote beside it
    assert reports and all((folder / name).is_file() for name in reports)
    notebook = nbformat.read(folder / "compare.ipynb", as_version=4)
    parameters = notebook.metadata["papermill"]["parameters"]
    assert parameters["framework"] == framework and parameters["group"] == ""
    assert parameters["councils"].endswith(f"examples/councils/{framework}.csv")
    assert '<a href="compare.html">' in (folder / "index.html").read_text(encoding="utf-8")
    assert str(folder / "compare.html") in printed


def test_one_framework_has_a_page_per_peer_group_linked_from_its_index(runs):
    runs_dir, printed = runs
    pages = sorted(runs_dir.glob("demo/*/compare-*.html"))
    assert len(pages) >= 2 and len({page.parent for page in pages}) == 1
    index = (pages[0].parent / "index.html").read_text(encoding="utf-8")
    for page in pages:
        html = page.read_text(encoding="utf-8")
        group = re.search(r"<h1>Comparison of councils: (.*?)</h1>", html)
        assert group, page
        assert inert_problems(html) == [] and f'<a href="{page.name}">' in index and str(page) in printed
        assert page.with_suffix(".ipynb").exists()


def test_the_example_data_shows_direction_of_travel_and_assessor_agreement(runs):
    runs_dir, _ = runs
    pages = {path.parent.name: path.read_text(encoding="utf-8") for path in runs_dir.glob("demo/*/compare.html")}
    with_history = [name for name, html in pages.items() if 'class="compare-council-travel"' in html]
    assert with_history, "no example council has several periods"
    assert any("up from" in html or "down from" in html or "unchanged at" in html for html in pages.values())
    assert any('id="agreement"' in html and "Kappa" in html for html in pages.values()), "no example has a second assessor"
