"""The form as the team's app shows it (``kloe app``, Voilà) in a real browser: issue 14's form points.

One ``kloe app`` for the module, on a store of its own, started as a user starts it; each test
opens its own council in a new page (a page is a kernel). The same points are tested in
JupyterLab in test_form_browser.py. Screenshots go to tests/artifacts, named for what they show.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import chromium
from formpage import (
    CUT_TEXT,
    assert_date_seen_refused,
    assert_named_by_title,
    assert_previous_next_at_the_ends,
    assert_usable_at_this_width,
    go_to,
    settled,
    stored_council,
    wait_heading,
    wait_stored,
)
from servers import kloe_server

from kloe_nb.framework.loader import load_framework
from kloe_nb.framework.naming import kloe_heading

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UI_TIMEOUT = 60_000


@dataclass
class App:
    url: str
    store: Path


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[App]:
    folder = tmp_path_factory.mktemp("app")
    store = folder / "team.db"
    with kloe_server(folder, "app", "--store", str(store)) as (_process, url):
        yield App(url, store)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@contextmanager
def form_page(browser, app: App, query: str, failure_shot: Path, width: int = 1400, expect: str = ".kloe-save-status") -> Iterator[object]:
    """A new page (and kernel) on the app at ``?query``; its screenshot kept at ``failure_shot`` if the test fails."""
    context = browser.new_context(viewport={"width": width, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT)
    try:
        page.goto(f"{app.url}?{query}")
        page.wait_for_selector(expect)
        yield page
    except BaseException:
        page.screenshot(path=str(failure_shot), full_page=True)
        raise
    finally:
        context.close()


def test_a_reload_reopens_the_form_at_the_kloe_last_changed(app, browser, artifacts_dir):
    framework = load_framework("ac-benefits")
    with form_page(browser, app, "framework=ac-benefits&council_code=00RL", artifacts_dir / "form-reopen-voila-failed.png") as page:
        go_to(page, framework, "2.4")
        page.locator(".kloe-strengths textarea").fill("Consultation reaches non-users")
        revision, _ = wait_stored(app.store, "00RL", "2.4", lambda r: r.strengths == "Consultation reaches non-users")
        settled(page)
        page.locator(".kloe-nav button", has_text="Next KLOE").click()  # looked at 2.5, changed nothing
        wait_heading(page, kloe_heading(framework.kloe("2.5")))
        page.reload()  # a new kernel, built from the store
        page.wait_for_selector(f".kloe-save-status:has-text('restored revision {revision}')")
        wait_heading(page, kloe_heading(framework.kloe("2.4")))  # not 2.1, the first left to level, nor 2.5, only looked at
        assert page.locator(".kloe-nav-kloes select").evaluate("e => e.options[e.selectedIndex].text").replace("\xa0", " ").startswith("◐ 2.4 ")
        page.locator(".kloe-form").screenshot(path=str(artifacts_dir / "form-reopened-at-last-edited-voila.png"))


def test_labels_wrap_and_are_never_cut(app, browser, artifacts_dir):
    stored_council(app.store, "00LW")
    with form_page(browser, app, "framework=ac-benefits&council_code=00LW", artifacts_dir / "form-labels-voila-failed.png", expect=".kloe-action") as page:
        for width in (1400, 760):
            page.set_viewport_size({"width": width, "height": 1400})
            page.wait_for_timeout(300)
            assert page.evaluate(CUT_TEXT) == [], f"at {width} px"
        label = page.locator(".kloe-nav-groups .widget-label")
        assert label.inner_text().replace("\n", " ") == "Question or theme" and label.is_visible()
        page.locator(".kloe-nav").screenshot(path=str(artifacts_dir / "form-labels-voila.png"))


def test_kloes_are_named_by_title_where_the_source_does_not_number_them(app, browser, artifacts_dir):
    framework = load_framework("hi-prospects")
    with form_page(browser, app, "framework=hi-prospects&council_code=00HP", artifacts_dir / "form-names-voila-failed.png") as page:
        assert_named_by_title(page, framework)
        page.locator(".kloe-form").screenshot(path=str(artifacts_dir / "form-kloes-named-by-title-voila.png"))


def test_a_date_seen_that_is_not_a_date_is_refused_in_plain_words(app, browser, artifacts_dir):
    stored_council(app.store, "00DS")
    with form_page(
        browser, app, "framework=ac-benefits&council_code=00DS", artifacts_dir / "form-date-seen-voila-failed.png", expect=".kloe-evidence-row"
    ) as page:
        assert_date_seen_refused(page, app.store, "00DS", artifacts_dir / "form-date-seen-refused-voila.png")


def test_the_form_is_usable_at_760_px(app, browser, artifacts_dir):
    stored_council(app.store, "00NW")
    query = "framework=ac-benefits&council_code=00NW"
    with form_page(browser, app, query, artifacts_dir / "form-760px-voila-failed.png", width=760, expect=".kloe-action") as page:
        go_to(page, load_framework("ac-benefits"), "2.1")
        page.wait_for_timeout(300)
        assert_usable_at_this_width(page)
        page.screenshot(path=str(artifacts_dir / "form-760px-voila.png"), full_page=True)


def test_previous_and_next_are_disabled_at_the_first_and_the_last_kloe(app, browser, artifacts_dir):
    with form_page(browser, app, "framework=ac-benefits&council_code=00PN", artifacts_dir / "form-previous-next-voila-failed.png") as page:
        assert_previous_next_at_the_ends(page, load_framework("ac-benefits"))
        page.locator(".kloe-nav").screenshot(path=str(artifacts_dir / "form-previous-next-at-the-end-voila.png"))
