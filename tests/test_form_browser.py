"""End to end in a real browser: the notebooks in JupyterLab and as Voilà apps, with a temporary store.

JupyterLab: run the notebook, pick a level, tick a statement, type evidence, wait for
"saved at", restart the kernel and run again, and find every value back (RELIABILITY.md 22).
Voilà: the same notebook as an app choosing the council from the URL; a reload is a new
kernel. Moderation: notebooks/moderate.ipynb as a Voilà app over a store holding a lead
assessment and an independent scoring; an agreed level recorded in the page is in the store. Each server runs on 127.0.0.1 on a free port with its configuration, data and
runtime folders in a temporary directory, and is always stopped, whatever happens.
Screenshots go to the artifacts folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_FLAGS
from conftest import REPO_ROOT

from kloe_nb.store import AssessmentKey, open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # JupyterLab and Voilà servers driven by Chromium

NOTEBOOK = REPO_ROOT / "notebooks" / "assess.ipynb"
MODERATION_NOTEBOOK = REPO_ROOT / "notebooks" / "moderate.ipynb"
START_TIMEOUT = 90
UI_TIMEOUT = 60_000  # ms: starting a kernel and running the notebook


@dataclass
class Server:
    url: str
    root: Path
    store: Path
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def private_jupyter_dirs(home: Path) -> dict[str, str]:
    """Configuration, data, runtime and IPython folders of our own: nothing of the user's is read or written."""
    for name in ("config", "data", "runtime", "ipython"):
        (home / name).mkdir(parents=True, exist_ok=True)
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return {
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }


def stop(process: subprocess.Popen) -> None:
    """Stop the server and its process group: politely, then by force."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 5), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def jupyter_server(kind: str, tmp_path: Path, artifacts_dir: Path, notebook: Path = NOTEBOOK) -> Iterator[Server]:
    """Start JupyterLab (with a token) or Voilà (no token) on 127.0.0.1; always stopped afterwards."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(notebook, root / notebook.name)  # the server may save the notebook: never the repository's copy
    store = tmp_path / "store.db"
    env = {**os.environ, **private_jupyter_dirs(tmp_path / "home"), "KLOE_STORE": str(store)}
    log = artifacts_dir / f"form-{kind}-{notebook.stem}-server.log"
    for _attempt in range(3):
        port = free_port()
        if kind == "lab":
            token = secrets.token_hex(16)
            command = [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root}",
                "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                command.append("--allow-root")
            url, probe = f"http://127.0.0.1:{port}/lab/tree/{notebook.name}?token={token}", f"http://127.0.0.1:{port}/api/status?token={token}"
        else:
            command = [
                sys.executable,
                "-m",
                "voila",
                str(root / notebook.name),
                "--no-browser",
                "--Voila.ip=127.0.0.1",
                f"--port={port}",
                "--Voila.port_retries=0",
            ]
            url, probe = f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/api/kernelspecs"
        with log.open("w") as output:
            process = subprocess.Popen(command, env=env, cwd=root, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            started = time.monotonic()
            while time.monotonic() - started < START_TIMEOUT and process.poll() is None:
                try:
                    urllib.request.urlopen(probe, timeout=2).close()
                    break
                except urllib.error.HTTPError:
                    break  # it answers
                except OSError:
                    time.sleep(0.25)
            if process.poll() is not None:
                continue  # the port was taken after all: try another
            if time.monotonic() - started >= START_TIMEOUT:
                raise AssertionError(f"{kind} did not start within {START_TIMEOUT} s; see {log}")
            yield Server(url, root, store, log)
            return
        finally:
            stop(process)
    raise AssertionError(f"{kind} would not start; see {log}")


@contextmanager
def chromium_page(failure_shot: Path) -> Iterator[object]:
    """A page in headless Chromium; on failure its screenshot is kept at ``failure_shot``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2200})
            page.set_default_timeout(UI_TIMEOUT)
            try:
                yield page
            except BaseException:
                page.screenshot(path=str(failure_shot))
                raise
        finally:
            browser.close()


def stored_kloe(store: Path, code: str, kloe_id: str):
    with open_store(store) as opened:
        found = opened.find(AssessmentKey("ac-benefits", code))
    return (found.revision, found.assessment.record(kloe_id)) if found else (None, None)


def wait_stored(store: Path, code: str, kloe_id: str, check, timeout: float = 10.0):
    """Poll the store until the KLOE's record passes ``check`` (the browser's changes travel asynchronously)."""
    started = time.monotonic()
    while True:
        revision, record = stored_kloe(store, code, kloe_id)
        if record is not None and check(record):
            return revision, record
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not in the store after {timeout} s: KLOE {kloe_id} is {record!r}")
        time.sleep(0.1)


def settled(page) -> None:
    """Wait until the status line says saved and nothing is waiting."""
    page.wait_for_function(
        "() => { const t = document.querySelector('.kloe-save-status').innerText; return t.includes('saved at') && !t.includes('not saved'); }",
        timeout=10_000,
    )


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


def selected_level(page) -> str:
    return page.locator(".kloe-level button.mod-active").inner_text().replace("\xa0", " ")


def level_button(page, label: str, where: str = ".kloe-level"):
    """The level picker's button for a level (buttons: a focused select changed its level on one arrow key)."""
    return page.locator(f"{where} button", has_text=label)


def open_kloe(page, number: str) -> None:
    """Move to a KLOE with the navigation list (the form reopens at the first KLOE not yet levelled)."""
    options = page.locator(".kloe-nav-kloes select option")
    labels = options.all_inner_texts()
    index = next(i for i, label in enumerate(labels) if label.split()[1] == number)  # ipywidgets joins words with nbsp
    page.locator(".kloe-nav-kloes select").select_option(index=index)
    page.wait_for_selector(f".kloe-panel h3:has-text('KLOE {number}:')")


def set_parameters(notebook: Path, **values: str) -> None:
    """What the analyst does first in JupyterLab: set the parameters cell (the notebook names no council of its own)."""
    import nbformat

    document = nbformat.read(notebook, as_version=4)
    cell = next(cell for cell in document.cells if "parameters" in cell.metadata.get("tags", []))
    for name, value in values.items():
        cell.source = "\n".join(f"{name} = {value!r}" if line.startswith(f"{name} = ") else line for line in cell.source.splitlines())
    nbformat.write(document, notebook)


def test_jupyterlab_saves_every_entry_and_restores_it_after_a_kernel_restart(tmp_path, artifacts_dir):
    with jupyter_server("lab", tmp_path, artifacts_dir) as server, chromium_page(artifacts_dir / "form-jupyterlab-failed.png") as page:
        set_parameters(server.root / NOTEBOOK.name, council_code="DEMO", council_name="Demo Council (test)")
        page.goto(server.url)
        run_all(page, ".kloe-save-status:has-text('new assessment of DEMO')")
        assert page.locator(".kloe-panel h3").first.inner_text().startswith("KLOE 2.1:")

        level_button(page, "3 Good").click()
        page.locator(".kloe-statement input[type=checkbox]").first.check()
        page.locator(".kloe-add-evidence").click()
        page.locator(".kloe-evidence-reference input").fill("Committee report, 12 May, p.4")
        page.locator(".kloe-evidence-source input").fill("Interviews with frontline staff")
        page.locator(".kloe-strengths textarea").fill("Clear published service standards")
        revision, record = wait_stored(server.store, "DEMO", "2.1", lambda r: r.strengths == "Clear published service standards")
        assert record.level == 3 and record.met == {3: [0]}
        assert record.evidence[0].reference == "Committee report, 12 May, p.4"
        assert record.evidence[0].source == "Interviews with frontline staff"
        settled(page)
        assert f"(revision {revision})" in page.locator(".kloe-save-status").inner_text()
        page.locator(".kloe-form").screenshot(path=str(artifacts_dir / "form-jupyterlab-saved.png"))

        menu(page, "Kernel", "Restart Kernel and Run All Cells…")
        page.locator(".jp-Dialog-button.jp-mod-accept").click()
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
        wait_stored(server.store, "DEMO", "2.1", lambda r: r.level == 2 and r.met == {3: [0, 1]})
        settled(page)
        page.locator(".kloe-form").screenshot(path=str(artifacts_dir / "form-jupyterlab-restored.png"))


def test_voila_app_chooses_the_council_from_the_url_and_a_reload_restores_it(tmp_path, artifacts_dir):
    with jupyter_server("voila", tmp_path, artifacts_dir) as server, chromium_page(artifacts_dir / "form-voila-failed.png") as page:
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


def test_voila_moderation_records_an_agreed_level_in_the_store(tmp_path, artifacts_dir):
    from playwright.sync_api import expect

    with jupyter_server("voila", tmp_path, artifacts_dir, MODERATION_NOTEBOOK) as server, chromium_page(artifacts_dir / "form-moderation-failed.png") as page:
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
