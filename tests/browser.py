"""A real headless Chromium (Debian's package) driven by playwright, for what people look at."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@dataclass
class PageVisit:
    """What happened while a page was open: every request made and every console error."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (playwright's Browser), closed afterwards whatever happens."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_file_page(path: Path, *, javascript: bool = True) -> Iterator[tuple[object, PageVisit]]:
    """Open a local HTML file in headless Chromium; yields (page, visit)."""
    from playwright.sync_api import sync_playwright

    visit = PageVisit()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.on("request", lambda request: visit.requests.append(request.url))
            page.on("console", lambda message: message.type == "error" and visit.console_errors.append(message.text))
            page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
            page.goto(path.resolve().as_uri(), wait_until="load")
            yield page, visit
        finally:
            browser.close()
