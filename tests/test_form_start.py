"""Choosing what to assess: the start page, the app's routing, and no council ever invented.

The start page lists the store's assessments (period, track, progress, last save) and the
councils of a councils CSV, with links into the form; an address without a council opens it;
a form or moderation view without a council says how to choose one and opens nothing; the
app shows none of the notebook's instructions for JupyterLab.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from builders import FAST, make_assessment

from kloe_nb.form import build_form, open_form, open_moderation
from kloe_nb.form.start_page import start_html
from kloe_nb.form.voila_server import LAB_ONLY_TAG, page_notebook, without_lab_only_cells
from kloe_nb.store import AssessmentKey, open_store
from kloe_nb.store.base import login_name

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        attributes = dict(attrs)
        if tag == "a":
            self.links.setdefault(attributes.get("class") or "", []).append(attributes["href"])


def links_of(page: str) -> dict[str, list[str]]:
    parser = _Links()
    parser.feed(page)
    return parser.links


def test_the_start_page_lists_each_assessment_with_its_period_track_progress_and_last_save(tmp_path):
    store = tmp_path / "team.db"
    with open_store(store) as opened:
        opened.save(make_assessment("ac-benefits", "00AB", "Ynys Môn", "2008/09", {}, kloes={"2.1": 3, "2.2": 2}), based_on=None, author="alice")
        opened.save(make_assessment("ac-benefits", "00AB", "Ynys Môn", "2008/09", {}, kloes={"2.1": 2}, track="B"), based_on=None, author="bob")
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name,period\n00AB,Ynys Môn,2008/09\n00CD,Fernlow,2008/09\n", encoding="utf-8")
    page = start_html(store, councils)
    assert "Ynys Môn (00AB)" in page and "2008/09" in page and "independent scoring B" in page
    assert "2 of 25 scored KLOEs levelled" in page and "1 of 25 scored KLOEs levelled" in page
    assert "revision 1" in page and "by alice" in page and "by bob" in page
    links = links_of(page)
    assert "/?framework=ac-benefits&council_code=00AB&council_name=Ynys+M%C3%B4n&period=2008%2F09" in links["kloe-start-open"]
    assert links["kloe-start-moderate"] == ["/?view=moderation&framework=ac-benefits&council_code=00AB&period=2008%2F09&track=B"]
    started = links["kloe-start-new"]
    assert "/?framework=ac-benefits&council_code=00CD&council_name=Fernlow&period=2008%2F09" in started
    assert not any("00AB" in address and "ac-benefits" in address for address in started)  # already in the store: opened, not started again
    assert "<form class='kloe-start-form' method='get' action='/'>" in page
    assert all(framework in page for framework in ("ac-judgement2", "caa-2009", "hi-prospects", "wao-housing"))


def test_the_start_page_of_a_missing_store_says_so_and_creates_nothing(tmp_path):
    page = start_html(tmp_path / "none.db")
    assert "The store holds no assessments yet" in page
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize(
    ("query", "notebook"),
    [
        ("", "start.ipynb"),
        ("council_code=%20", "start.ipynb"),
        ("framework=caa-2009", "start.ipynb"),
        ("council_code=00AB", "assess.ipynb"),
        ("council_code=00AB&view=moderation&track=B", "moderate.ipynb"),
    ],
)
def test_an_address_without_a_council_opens_the_start_page(query, notebook):
    assert page_notebook(query) == notebook


@pytest.mark.parametrize("name", ["assess.ipynb", "moderate.ipynb", "start.ipynb"])
def test_the_app_shows_none_of_the_instructions_for_jupyterlab(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert any(LAB_ONLY_TAG in cell.metadata.get("tags", []) for cell in notebook.cells)
    shown = without_lab_only_cells(notebook)
    assert [cell.cell_type for cell in shown.cells] == ["code"] * len(shown.cells)  # code cells: Voilà strips their source


@pytest.mark.parametrize("name", ["assess.ipynb", "moderate.ipynb"])
def test_the_notebooks_name_no_council_of_their_own(name):
    parameters = "".join(nbformat.read(NOTEBOOKS / name, as_version=4).cells[1].source)
    assert 'council_code = ""' in parameters and "DEMO" not in parameters and "Demo Council" not in parameters


@pytest.mark.parametrize("blank", ["", "   "])
@pytest.mark.parametrize("under_voila", [False, True])
def test_no_council_opens_nothing_and_says_how_to_choose_one(tmp_path, monkeypatch, blank, under_voila):
    shown: list[str] = []
    monkeypatch.setattr("IPython.display.display", lambda thing: shown.append(getattr(thing, "data", repr(thing))))
    if under_voila:
        monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5")
        monkeypatch.setenv("QUERY_STRING", "council_code=%20")
    store = tmp_path / "team.db"
    assert open_form("ac-benefits", blank, "", store) is None
    assert open_moderation("ac-benefits", blank, store, track="B") is None
    assert len(shown) == 2 and all("no council chosen yet" in text and "Nothing was opened or saved" in text for text in shown)
    assert ("start page" in shown[0]) == under_voila
    assert not store.exists()


def test_an_independent_scoring_opened_without_a_name_takes_the_councils_name_from_the_store(tmp_path):
    store = tmp_path / "team.db"
    with open_store(store) as opened:
        opened.save(make_assessment("ac-benefits", "00AB", "Ynys Môn", "2008/09", {}, kloes={"2.1": 3}), based_on=None)
    form = build_form("ac-benefits", "00AB", "", store, "bob", period="2008/09", track="B", timing=FAST)
    try:
        assert form.session.assessment.organisation.name == "Ynys Môn"
        assert "Ynys Môn (00AB)" in form.widget.children[1].value
    finally:
        form.close()


def test_the_assessor_shown_is_the_one_the_store_records(tmp_path):
    store = tmp_path / "team.db"
    form = build_form("ac-benefits", "00AB", "Ynys Môn", store, "", timing=FAST)
    try:
        assert f"assessor {login_name()}" in form.widget.children[1].value and "not named" not in form.widget.children[1].value
        form.session.set_level("2.1", 3)
        form.session.flush()
    finally:
        form.close()
    with open_store(store) as opened:
        found = opened.find(AssessmentKey("ac-benefits", "00AB"))
    assert found is not None and found.saved_by == login_name() and found.assessment.assessor == login_name()


def test_the_start_notebook_calls_only_the_package():
    cells = json.loads((NOTEBOOKS / "start.ipynb").read_text(encoding="utf-8"))["cells"]
    assert "".join(cells[-1]["source"]).startswith("from kloe_nb.form.start_page import open_start")
