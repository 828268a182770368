"""``kloe app`` in a real browser: an app a team can run all day.

The app is started as a user starts it (``kloe app --store ... --idle 5``) on 127.0.0.1 with a
temporary store and Jupyter folders; Chromium records every request each page makes. Screenshots
go to tests/artifacts. Every server and browser is stopped, whatever happens.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
from browser import chromium
from servers import kloe_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UI_TIMEOUT = 60_000


@dataclass
class App:
    url: str
    pid: int
    store: Path
    councils: Path

    def kernel_alive(self, kernel_id: str) -> bool:
        try:
            urllib.request.urlopen(f"{self.url}api/kernels/{kernel_id}", timeout=5).close()
            return True
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return False
            raise

    def kernel_processes(self) -> int:
        return sum(1 for child in psutil.Process(self.pid).children(recursive=True) if "ipykernel" in " ".join(child.cmdline()))


@contextmanager
def start_app(tmp_path: Path, idle: int) -> Iterator[App]:
    """``kloe app`` on a temporary store with a councils CSV, stopping a page-less kernel after ``idle`` seconds."""
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name,group,period\n00AB,Ynys Môn,Wales,2008/09\n00CD,Fernlow,Shire districts,2008/09\n", encoding="utf-8")
    store = tmp_path / "team.db"
    with kloe_server(tmp_path, "app", "--store", str(store), "--councils", str(councils), "--idle", str(idle)) as (process, url):
        yield App(url, process.pid, store, councils)


@pytest.fixture
def app(tmp_path) -> Iterator[App]:
    """The app as a team runs it (kernels of vanished pages stopped after 10 minutes)."""
    with start_app(tmp_path, 600) as started:
        yield started


@pytest.fixture
def browser():
    with chromium() as launched:
        yield launched


def new_page(browser, requests: list[str], width: int = 1400):
    page = browser.new_page(viewport={"width": width, "height": 1600})
    page.set_default_timeout(UI_TIMEOUT)
    page.on("request", lambda request: requests.append(request.url))
    return page


def page_kernel(page) -> str:
    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def foreign(requests: list[str]) -> list[str]:
    """Requests to anything but this machine (data: and blob: URLs never leave the browser)."""
    return [url for url in requests if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname != "127.0.0.1"]


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.25)
    return bool(condition())


def test_twenty_reloads_leave_only_the_open_pages_kernels_and_nothing_leaves_the_machine(app, browser, artifacts_dir):
    """Each unload's shutdown is accepted: with a 10-minute idle time, only the page itself can stop its kernel."""
    requests: list[str] = []
    page = new_page(browser, requests)
    other = new_page(browser, requests)
    kernels = []
    try:
        other.goto(app.url + "?framework=caa-2009&council_code=00CD")  # a second page stays open: its kernel must stay too
        other.wait_for_selector(".kloe-save-status")
        page.goto(app.url + "?framework=ac-benefits&council_code=00AB&council_name=Ynys%20M%C3%B4n")
        for load in range(21):  # the first load and 20 reloads
            page.wait_for_selector(".kloe-save-status")
            kernels.append(page_kernel(page))
            if load:
                assert wait_for(lambda: not app.kernel_alive(kernels[-2]), 10), f"the kernel of load {load} outlived its page"
            if load < 20:
                page.reload()
        assert len(set(kernels)) == 21  # every load had its own kernel
        kept = page_kernel(other)
        assert [k for k in kernels if app.kernel_alive(k)] == [kernels[-1]] and app.kernel_alive(kept)
        assert app.kernel_processes() == 2
        page.screenshot(path=str(artifacts_dir / "app-after-20-reloads.png"))
        assert requests and not foreign(requests), foreign(requests)
        page.goto("about:blank")
        assert wait_for(lambda: not app.kernel_alive(kernels[-1]), 10)  # leaving the page stopped its kernel
        assert app.kernel_alive(kept)
    except BaseException:
        if not page.is_closed():
            page.screenshot(path=str(artifacts_dir / "app-reloads-failed.png"))
        raise


def test_a_page_that_vanished_without_saying_goodbye_loses_its_kernel_after_the_idle_time(tmp_path, browser):
    """A laptop shut or a browser killed sends no shutdown: the culler stops the kernel after --idle seconds."""
    with start_app(tmp_path, 4) as app:
        vanishing = browser.new_context()
        page = vanishing.new_page()
        page.set_default_timeout(UI_TIMEOUT)
        page.goto(app.url + "?framework=ac-benefits&council_code=00AB")
        page.wait_for_selector(".kloe-save-status")
        staying = new_page(browser, [])
        staying.goto(app.url + "?framework=ac-benefits&council_code=00CD")
        staying.wait_for_selector(".kloe-save-status")
        gone, kept = page_kernel(page), page_kernel(staying)
        page.route("**/voila/api/shutdown/**", lambda route: route.abort())  # the goodbye never arrives
        vanishing.close()
        assert app.kernel_alive(gone)  # not stopped by a shutdown request
        assert wait_for(lambda: not app.kernel_alive(gone), 4 + 2 + 10)  # idle time, culler interval, a margin
        time.sleep(5)  # more than the idle time: a connected page keeps its kernel
        assert app.kernel_alive(kept)


def test_the_start_page_lists_the_store_and_the_councils_and_opens_the_form(app, browser, artifacts_dir):
    from builders import make_assessment

    from kloe_nb.store import open_store

    with open_store(app.store) as opened:
        opened.save(make_assessment("ac-benefits", "00AB", "Ynys Môn", "2008/09", {}, kloes={"2.1": 3}), based_on=None, author="alice")
    requests: list[str] = []
    page = new_page(browser, requests)
    try:
        for address in (app.url, app.url + "?council_code=%20"):  # no council: the start page, never a demo council
            page.goto(address)
            page.wait_for_selector(".kloe-start")
            text = page.locator("body").inner_text()
            assert "1 of 25 scored KLOEs levelled" in text and "Fernlow (00CD)" in text and "by alice" in text
            assert "Run All Cells" not in text and "JupyterLab" not in text and "open_start(" not in text  # no developer text
        page.screenshot(path=str(artifacts_dir / "app-start-page.png"), full_page=True)
        page.locator(".kloe-start-councils tr", has_text="Fernlow").locator("a", has_text="caa-2009").click()  # start Fernlow's CAA
        page.wait_for_selector(".kloe-save-status:has-text('new assessment of 00CD')")
        assert page.locator(".kloe-form h2").inner_text().startswith("Fernlow (00CD) 2008/09")
        assert "Run All Cells" not in page.locator("body").inner_text()
        page.goto(app.url)
        page.wait_for_selector(".kloe-start")
        page.locator(".kloe-start-open").first.click()  # open the stored one
        page.wait_for_selector(".kloe-save-status:has-text('restored revision 1')")
        page.goto(app.url)
        page.wait_for_selector(".kloe-start-form")
        page.locator(".kloe-start-form select[name=framework]").select_option("hi-prospects")
        page.locator(".kloe-start-form input[name=council_code]").fill("00EF")
        page.locator(".kloe-start-form input[name=council_name]").fill("Aberdyfi")
        page.locator(".kloe-start-form button").click()
        page.wait_for_selector(".kloe-save-status:has-text('new assessment of 00EF')")
        assert page.locator(".kloe-form h2").inner_text().startswith("Aberdyfi (00EF)")
        with open_store(app.store) as opened:
            assert [key.org_code for key in opened.keys()] == ["00AB"]  # opening saved nothing; nothing invented
        assert not foreign(requests), foreign(requests)
    except BaseException:
        page.screenshot(path=str(artifacts_dir / "app-start-failed.png"), full_page=True)
        raise


def test_an_arrow_key_on_a_focused_level_never_sets_or_saves_a_level(app, browser, artifacts_dir):
    """Under Voilà one ArrowDown on the old select set the level to 4 and saved it."""
    from kloe_nb.store import AssessmentKey, open_store

    page = new_page(browser, [])
    try:
        page.goto(app.url + "?framework=ac-benefits&council_code=00AB")
        page.wait_for_selector(".kloe-save-status:has-text('new assessment of 00AB')")
        page.locator(".kloe-level button", has_text="not yet assessed").focus()
        for key in ("ArrowDown", "ArrowDown", "ArrowUp", "ArrowRight", "PageDown", "End"):
            page.keyboard.press(key)
        time.sleep(2.5)  # longer than the autosave interval
        with open_store(app.store) as opened:
            assert opened.find(AssessmentKey("ac-benefits", "00AB")) is None  # nothing chosen, nothing saved
        assert page.locator(".kloe-level button.mod-active").inner_text() == "not yet assessed"
        page.locator(".kloe-level button", has_text="3 Good").focus()
        page.keyboard.press("Space")  # deliberate: the level's own button
        page.wait_for_selector(".kloe-save-status:has-text('saved at')")
        with open_store(app.store) as opened:
            found = opened.find(AssessmentKey("ac-benefits", "00AB"))
        assert found is not None and found.assessment.record("2.1").level == 3
        page.locator(".kloe-form").screenshot(path=str(artifacts_dir / "app-level-buttons.png"))
    except BaseException:
        page.screenshot(path=str(artifacts_dir / "app-level-failed.png"), full_page=True)
        raise
