"""End to end in a real browser: the notebooks in JupyterLab and as Voilà apps, with a temporary store.

JupyterLab (one server for the module, as ``kloe lab`` starts it; a notebook copy and a kernel per
council): run the notebook, pick a level, tick a statement, type evidence, wait for "saved at",
restart the kernel and run again, and find every value back (RELIABILITY.md 22); after a restart
the form is back at the KLOE last changed; hi-prospects' KLOEs are named by title; and on one
shared form, labels are never cut, the form is usable at 760 px with the file browser open,
Previous/Next are disabled at the ends, an arrow key on a focused level sets nothing, and a date
seen that is not a date is refused in words. The same points in ``kloe app`` are in
test_app_form_browser.py. Voilà: the same notebook as an app choosing the council from the URL;
a reload is a new kernel. Moderation: notebooks/moderate.ipynb as a Voilà app over a store
holding a lead assessment and an independent scoring; an agreed level recorded in the page is in
the store. Servers come from tests/servers.py (127.0.0.1, a free port, private Jupyter folders,
always stopped). Screenshots go to the artifacts folder.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import CHROMIUM, chromium
from conftest import REPO_ROOT
from formpage import (
    CUT_TEXT,
    assert_date_seen_refused,
    assert_named_by_title,
    assert_previous_next_at_the_ends,
    assert_usable_at_this_width,
    go_to,
    level_button,
    open_kloe,
    selected_level,
    settled,
    stored_council,
    stored_kloe,
    wait_heading,
    wait_stored,
)
from servers import NOTEBOOK, Server, jupyter_server

from kloe_nb.framework.loader import load_framework
from kloe_nb.framework.naming import kloe_heading
from kloe_nb.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # JupyterLab and Voilà servers driven by Chromium

MODERATION_NOTEBOOK = REPO_ROOT / "notebooks" / "moderate.ipynb"
UI_TIMEOUT = 60_000  # ms: starting a kernel and running the notebook


@contextmanager
def chromium_page(browser, failure_shot: Path) -> Iterator[object]:
    """A page of the module's Chromium in a context of its own; on failure its screenshot is kept at ``failure_shot``."""
    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT)
    try:
        yield page
    except BaseException:
        page.screenshot(path=str(failure_shot))
        raise
    finally:
        context.close()


def menu(page, name: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=name).first.click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def run_all(page, expect: str) -> None:
    """Run every cell once the kernel is idle, until ``expect`` shows.

    JupyterLab can drop a run requested while it is still connecting to a new kernel (the
    cells stay unnumbered); asking again then is what a person would do. Running the
    notebook twice is harmless: the second form replaces the first, both built from the store.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_selector(".jp-Notebook")
    page.wait_for_function("() => document.querySelector('#jp-main-statusbar')?.innerText.includes('Idle')")
    for _attempt in range(3):
        menu(page, "Run", "Run All Cells")
        try:
            page.wait_for_selector(expect, timeout=20_000)
            return
        except PlaywrightTimeout:
            continue
    page.wait_for_selector(expect, timeout=1)


def set_parameters(notebook: Path, **values: str) -> None:
    """What the analyst does first in JupyterLab: set the parameters cell (the notebook names no council of its own)."""
    import nbformat

    document = nbformat.read(notebook, as_version=4)
    cell = next(cell for cell in document.cells if "parameters" in cell.metadata.get("tags", []))
    for name, value in values.items():
        cell.source = "\n".join(f"{name} = {value!r}" if line.startswith(f"{name} = ") else line for line in cell.source.splitlines())
    nbformat.write(document, notebook)


# -- JupyterLab: one server for the module, a notebook (and a kernel) per council ----------------------
@pytest.fixture(scope="module")
def lab(tmp_path_factory, artifacts_dir) -> Iterator[Server]:
    """JupyterLab as ``kloe lab`` starts it, on a folder of notebook copies and a store of the module's own."""
    with jupyter_server("lab", tmp_path_factory.mktemp("lab"), artifacts_dir) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def shut_down_kernels(server: Server, notebook: str) -> None:
    """Stop the kernel of a notebook whose page is closed (JupyterLab keeps kernels after their tab goes)."""
    headers = {"Authorization": f"token {server.token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{server.base}/api/sessions", headers=headers), timeout=10) as answer:
        sessions = json.load(answer)
    for session in sessions:
        if session["path"] == notebook:
            request = urllib.request.Request(f"{server.base}/api/sessions/{session['id']}", headers=headers, method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()


@contextmanager
def lab_form(
    browser, server: Server, name: str, failure_shot: Path, expect: str = ".kloe-save-status", width: int = 1400, **parameters: str
) -> Iterator[object]:
    """The form notebook copied as ``name.ipynb`` with its parameters set, opened in a workspace of its own and run."""
    notebook = server.root / f"{name}.ipynb"
    shutil.copy(NOTEBOOK, notebook)
    set_parameters(notebook, **parameters)
    context = browser.new_context(viewport={"width": width, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT)
    try:
        page.goto(f"{server.base}/lab/workspaces/{name}/tree/{name}.ipynb?token={server.token}")
        run_all(page, expect)
        yield page
    except BaseException:
        page.screenshot(path=str(failure_shot))
        raise
    finally:
        context.close()
        shut_down_kernels(server, notebook.name)


def test_jupyterlab_saves_every_entry_and_restores_it_after_a_kernel_restart(lab, browser, artifacts_dir):
    shot = artifacts_dir / "form-jupyterlab-failed.png"
    with lab_form(
        browser, lab, "demo", shot, ".kloe-save-status:has-text('new assessment of DEMO')", council_code="DEMO", council_name="Demo Council (test)"
    ) as page:
        assert page.locator(".kloe-panel h3").first.inner_text().startswith("KLOE 2.1:")

        level_button(page, "3 Good").click()
        page.locator(".kloe-statement input[type=checkbox]").first.check()
        page.locator(".kloe-add-evidence").click()
        page.locator(".kloe-evidence-reference input").fill("Committee report, 12 May, p.4")
        page.locator(".kloe-evidence-source input").fill("Interviews with frontline staff")
        page.locator(".kloe-strengths textarea").fill("Clear published service standards")
        revision, record = wait_stored(lab.store, "DEMO", "2.1", lambda r: r.strengths == "Clear published service standards")
        assert record.level == 3 and record.met == {3: [0]}
        assert record.evidence[0].reference == "Committee report, 12 May, p.4"
        assert record.evidence[0].source == "Interviews with frontline staff"
        settled(page)
        assert f"(revision {revision})" in page.locator(".kloe-save-status").inner_text()
        page.locator(".kloe-form").screenshot(path=str(artifacts_dir / "form-jupyterlab-saved.png"))

        restart_and_run_all(page)
        page.wait_for_selector(f".kloe-save-status:has-text('restored revision {revision}')")
        open_kloe(page, "2.1")
        assert selected_level(page) == "3 Good ★★"
        assert page.locator(".kloe-statement input[type=checkbox]").first.is_checked()
        assert not page.locator(".kloe-statement input[type=checkbox]").nth(1).is_checked()
        assert page.locator(".kloe-evidence-reference input").input_value() == "Committee report, 12 May, p.4"
        assert page.locator(".kloe-evidence-source input").input_value() == "Interviews with frontline staff"
        assert page.locator(".kloe-strengths textarea").input_value() == "Clear published service standards"
        assert "levelled 3 Good" in page.locator(".kloe-nav-kloes select option").first.inner_text().replace("\xa0", " ")

        # keyboard only: Tab reaches each level's button, Space presses it; a tick box takes Space.
        level_button(page, "2 Fair").focus()
        page.keyboard.press("Space")
        page.locator(".kloe-statement input[type=checkbox]").nth(1).focus()
        page.keyboard.press("Space")
        wait_stored(lab.store, "DEMO", "2.1", lambda r: r.level == 2 and r.met == {3: [0, 1]})
        settled(page)
        page.locator(".kloe-form").screenshot(path=str(artifacts_dir / "form-jupyterlab-restored.png"))


def restart_and_run_all(page) -> None:
    menu(page, "Kernel", "Restart Kernel and Run All Cells…")
    page.locator(".jp-Dialog-button.jp-mod-accept").click()


def test_jupyterlab_reopens_the_form_at_the_kloe_last_changed_after_a_kernel_restart(lab, browser, artifacts_dir):
    framework = load_framework("ac-benefits")
    with lab_form(browser, lab, "reopen", artifacts_dir / "form-reopen-jupyterlab-failed.png", council_code="00RO") as page:
        go_to(page, framework, "2.4")
        page.locator(".kloe-strengths textarea").fill("Consultation reaches non-users")
        revision, _ = wait_stored(lab.store, "00RO", "2.4", lambda r: r.strengths == "Consultation reaches non-users")
        settled(page)
        page.locator(".kloe-nav button", has_text="Next KLOE").click()  # looked at 2.5, changed nothing
        wait_heading(page, kloe_heading(framework.kloe("2.5")))
        restart_and_run_all(page)
        page.wait_for_selector(f".kloe-save-status:has-text('restored revision {revision}')")
        wait_heading(page, kloe_heading(framework.kloe("2.4")))  # not 2.1, the first left to level, nor 2.5, only looked at
        assert page.locator(".kloe-nav-kloes select").evaluate("e => e.options[e.selectedIndex].text").replace("\xa0", " ").startswith("◐ 2.4 ")
        page.locator(".kloe-form").screenshot(path=str(artifacts_dir / "form-reopened-at-last-edited-jupyterlab.png"))


def test_jupyterlab_names_kloes_by_title_where_the_source_does_not_number_them(lab, browser, artifacts_dir):
    framework = load_framework("hi-prospects")
    with lab_form(browser, lab, "names", artifacts_dir / "form-names-jupyterlab-failed.png", framework="hi-prospects", council_code="00HP") as page:
        assert_named_by_title(page, framework)
        page.locator(".kloe-form").screenshot(path=str(artifacts_dir / "form-kloes-named-by-title-jupyterlab.png"))


@pytest.fixture(scope="module")
def lab_page(lab, browser, artifacts_dir) -> Iterator[object]:
    """One form in JupyterLab shared by the tests below (each moves to the KLOE it needs): council 00LB."""
    stored_council(lab.store, "00LB")
    with lab_form(browser, lab, "shared", artifacts_dir / "form-jupyterlab-shared-failed.png", ".kloe-evidence-row", council_code="00LB") as page:
        yield page


def test_jupyterlab_labels_wrap_and_are_never_cut(lab_page, artifacts_dir):
    page = lab_page
    for width in (1400, 760):
        page.set_viewport_size({"width": width, "height": 1600})
        page.wait_for_timeout(500)
        assert page.evaluate(CUT_TEXT) == [], f"at {width} px"
    label = page.locator(".kloe-nav-groups .widget-label")
    assert label.inner_text().replace("\n", " ") == "Question or theme" and label.is_visible()
    page.locator(".kloe-nav").screenshot(path=str(artifacts_dir / "form-labels-jupyterlab.png"))


def test_jupyterlab_is_usable_at_760_px_with_the_file_browser_open(lab_page, artifacts_dir):
    page = lab_page
    page.set_viewport_size({"width": 760, "height": 1600})
    go_to(page, load_framework("ac-benefits"), "2.1")
    page.wait_for_selector(".kloe-action")
    page.wait_for_timeout(500)
    assert page.locator(".jp-FileBrowser").is_visible()  # the narrowest case: the form gets what the file browser leaves
    assert_usable_at_this_width(page)
    page.locator(".kloe-evidence-row").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "form-760px-jupyterlab.png"))


def test_jupyterlab_previous_and_next_are_disabled_at_the_first_and_the_last_kloe(lab_page, artifacts_dir):
    assert_previous_next_at_the_ends(lab_page, load_framework("ac-benefits"))
    lab_page.locator(".kloe-nav").screenshot(path=str(artifacts_dir / "form-previous-next-at-the-end-jupyterlab.png"))


def test_jupyterlab_arrow_keys_on_a_focused_level_never_set_or_save_it(lab, lab_page, artifacts_dir):
    page = lab_page
    page.set_viewport_size({"width": 1400, "height": 1600})
    go_to(page, load_framework("ac-benefits"), "2.2")
    revision, record = stored_kloe(lab.store, "00LB", "2.2")
    assert record.level is None
    level_button(page, "not yet assessed").focus()
    for key in ("ArrowDown", "ArrowDown", "ArrowUp", "ArrowRight", "PageDown", "End"):
        page.keyboard.press(key)
    time.sleep(2.5)  # longer than the autosave interval
    assert stored_kloe(lab.store, "00LB", "2.2") == (revision, record)  # nothing chosen, nothing saved
    assert selected_level(page) == "not yet assessed"
    level_button(page, "3 Good").focus()
    page.keyboard.press("Space")  # deliberate: the level's own button
    wait_stored(lab.store, "00LB", "2.2", lambda r: r.level == 3)
    page.locator(".kloe-panel").screenshot(path=str(artifacts_dir / "form-level-arrow-keys-jupyterlab.png"))


def test_jupyterlab_refuses_a_date_seen_that_is_not_a_date_in_plain_words(lab, lab_page, artifacts_dir):
    assert_date_seen_refused(lab_page, lab.store, "00LB", artifacts_dir / "form-date-seen-refused-jupyterlab.png")


def test_voila_app_chooses_the_council_from_the_url_and_a_reload_restores_it(tmp_path, browser, artifacts_dir):
    with jupyter_server("voila", tmp_path, artifacts_dir) as server, chromium_page(browser, artifacts_dir / "form-voila-failed.png") as page:
        page.goto(server.url + "?council_code=00123&council_name=Ynys%20M%C3%B4n")
        page.wait_for_selector(".kloe-save-status:has-text('new assessment of 00123')")
        assert page.locator(".kloe-form h2").inner_text().startswith("Ynys Môn (00123)")
        assert page.locator("text=open_form(").count() == 0 and page.locator(".jp-CodeMirrorEditor").count() == 0  # no code
        level_button(page, "2 Fair").click()
        page.locator(".kloe-statement input[type=checkbox]").nth(1).check()
        revision, record = wait_stored(server.store, "00123", "2.1", lambda r: r.met == {3: [1]})
        assert record.level == 2
        settled(page)
        assert f"(revision {revision})" in page.locator(".kloe-save-status").inner_text()
        page.reload()  # a new kernel, built again from the store
        page.wait_for_selector(f".kloe-save-status:has-text('restored revision {revision}')")
        open_kloe(page, "2.1")
        assert selected_level(page) == "2 Fair ★"
        assert page.locator(".kloe-statement input[type=checkbox]").nth(1).is_checked()
        page.screenshot(path=str(artifacts_dir / "form-voila.png"), full_page=True)
        page.locator(".kloe-view button", has_text="Summary").click()
        page.wait_for_selector(".kloe-summary svg.kloe-chart")
        assert "1 of 25 scored KLOEs levelled" in page.locator(".kloe-summary").inner_text().replace("\xa0", " ")
        page.locator(".kloe-view button", has_text="Judgements").click()
        page.wait_for_selector(".kloe-judgement-level button")
        page.screenshot(path=str(artifacts_dir / "form-voila-judgements.png"), full_page=True)


def store_two_scorings(store: Path, code: str) -> None:
    """A lead assessment by alice and an independent track B by bob; they disagree on KLOE 2.1 and 2.3."""
    from kloe_nb.assessment.model import Assessment, KloeRecord, Organisation

    for track, assessor, levels in (("", "alice", {"2.1": 3, "2.2": 3, "2.3": 2}), ("B", "bob", {"2.1": 2, "2.2": 3, "2.3": 4})):
        assessment = Assessment(
            framework="ac-benefits",
            organisation=Organisation(code=code, name="Ynys Môn"),
            assessor=assessor,
            track=track,
            kloes={kloe_id: KloeRecord(level=level, strengths=f"{assessor}'s finding on {kloe_id}") for kloe_id, level in levels.items()},
        )
        with open_store(store) as opened:
            opened.save(assessment, based_on=None, author=assessor)


def test_voila_moderation_records_an_agreed_level_in_the_store(tmp_path, browser, artifacts_dir):
    from playwright.sync_api import expect

    with (
        jupyter_server("voila", tmp_path, artifacts_dir, MODERATION_NOTEBOOK) as server,
        chromium_page(browser, artifacts_dir / "form-moderation-failed.png") as page,
    ):
        store_two_scorings(server.store, "00123")
        page.goto(server.url + "?council_code=00123&track=B&assessor=carol")
        page.wait_for_selector(".kloe-moderation-item")  # the kernel has started and run the notebook
        items = page.locator(".kloe-moderation-item")
        expect(items).to_have_count(2, timeout=20_000)  # widgets render one by one: wait for both
        assert page.locator(".kloe-moderation h2").inner_text().startswith("Moderation: Ynys Môn (00123)")
        expect(items.nth(0).locator("h3")).to_contain_text("KLOE 2.1:")
        expect(items.nth(0)).to_contain_text("bob's finding on 2.1")
        expect(items.nth(0)).to_contain_text("alice's finding on 2.1")
        expect(page.locator(".kloe-moderation-agreement")).to_contain_text("exact agreement 33%")
        first = items.nth(0)
        first.locator(".kloe-moderation-level button", has_text="3 Good").click()
        first.locator(".kloe-moderation-note textarea").fill("The lead's evidence on standards settles it")
        first.locator(".kloe-moderation-record").click()
        page.wait_for_selector(".kloe-moderation-message:has-text('Recorded 3 Good')")
        revision, record = wait_stored(server.store, "00123", "2.1", lambda r: r.moderation is not None)
        assert revision == 2 and record.level == 3
        assert record.moderation.levels == {"": 3, "B": 2} and record.moderation.moderated_by == "carol"
        assert record.moderation.note == "The lead's evidence on standards settles it"
        page.wait_for_selector(".kloe-moderation-agreed:has-text('Agreed in moderation')")
        page.screenshot(path=str(artifacts_dir / "form-voila-moderation.png"), full_page=True)


@pytest.fixture(autouse=True)
def _needs_chromium():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)"
