"""Driving the assessment form in a real page and measuring what a person sees: shared by the
JupyterLab tests (test_form_browser.py) and the app's (test_app_form_browser.py).

The measurements are read from the page as laid out (bounding boxes, scroll sizes), never from
the widget model, so they say what is on the screen: a label cut short, a button wrapped away
from its row, a box running past the edge of the form or of the window.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from kloe_nb.framework.loader import load_framework
from kloe_nb.framework.model import Framework
from kloe_nb.framework.naming import kloe_heading
from kloe_nb.store import AssessmentKey, open_store

CUT_TEXT = """() => Array.from(document.querySelectorAll(
    '.kloe-form .widget-label, .kloe-form .widget-button, .kloe-form .widget-toggle-button'))
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
  .map(e => ({text: e.textContent.trim(), scroll: [e.scrollWidth, e.scrollHeight], client: [e.clientWidth, e.clientHeight]}))"""
"""Labels and buttons whose text does not fit in them (ipywidgets cuts such a label with an ellipsis)."""

LAYOUT = """() => {
  const form = document.querySelector('.kloe-form').getBoundingClientRect();
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const outside = [];
  for (const e of document.querySelectorAll('.kloe-form *')) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(e).visibility === 'hidden') continue;
    if (r.left < form.left - 1 || r.right > form.right + 1 || r.left < -1 || r.right > innerWidth + 1)
      outside.push(`${e.tagName.toLowerCase()}.${String(e.className).trim().split(/\\s+/).slice(0, 2).join('.')} `
                   + `"${(e.textContent || '').trim().slice(0, 30)}" ${Math.round(r.left)}-${Math.round(r.right)}`);
  }
  const rows = Array.from(document.querySelectorAll('.kloe-evidence-row')).map(row => ({
    row: box(row), source: box(row.querySelector('.kloe-evidence-source')),
    reference: box(row.querySelector('.kloe-evidence-reference')), remove: box(row.querySelector('button'))}));
  return {page: document.scrollingElement.scrollWidth, width: innerWidth, form: box(document.querySelector('.kloe-form')),
          list: box(document.querySelector('.kloe-nav-kloes')), outside, rows};
}"""
"""Where the form, the KLOE list and each evidence row's fields and Remove button are, and every element outside the form or the window."""


def within(inner: dict[str, float], outer: dict[str, float]) -> bool:
    """A box lies inside another, horizontally (to the pixel)."""
    return inner["left"] >= outer["left"] - 1 and inner["right"] <= outer["right"] + 1


def layout_problems(page: Any) -> list[str]:
    """What at this window size is not fully visible or not where it belongs, in words ([] when all is well)."""
    found = page.evaluate(LAYOUT)
    window = {"left": 0, "right": found["width"]}
    problems = [f"the page scrolls sideways: {found['page']} px wide in a {found['width']} px window"] if found["page"] > found["width"] else []
    problems += [f"outside the form or the window: {item}" for item in found["outside"]]
    if not within(found["list"], window) or not within(found["list"], found["form"]):
        problems.append(f"the KLOE list runs past the edge: {found['list']}")
    for number, row in enumerate(found["rows"], 1):
        for name in ("source", "reference", "remove"):
            if not within(row[name], window) or not within(row[name], row["row"]):
                problems.append(f"evidence row {number}: its {name} runs past the edge: {row[name]}")
        source, remove = row["source"], row["remove"]
        if not (remove["top"] < source["bottom"] and remove["bottom"] > source["top"]):
            problems.append(f"evidence row {number}: Remove wrapped below its fields (Remove {remove}, source {source})")
    if not found["rows"]:
        problems.append("no evidence row is shown: nothing to measure")
    return problems


def fully_visible(page: Any, locator: Any) -> bool:
    """Scrolled to, the element's whole box is inside the window (nothing of it cut off at an edge)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"] and box["y"] + box["height"] <= size["height"]


def assert_usable_at_this_width(page: Any) -> None:
    """Nothing of the form runs past its edge or the window's, and the KLOE list, each evidence row's
    Reference and Remove are wholly visible, Remove beside its row's fields (see ``layout_problems``)."""
    problems = layout_problems(page)
    assert problems == [], "\n".join(problems)
    for what in (".kloe-nav-kloes", ".kloe-evidence-reference", ".kloe-evidence-row button"):
        assert fully_visible(page, page.locator(what).first), f"{what} is not wholly in the window"


def stored_kloe(store: Path, code: str, kloe_id: str, framework: str = "ac-benefits") -> tuple[int | None, Any]:
    with open_store(store) as opened:
        found = opened.find(AssessmentKey(framework, code))
    return (found.revision, found.assessment.record(kloe_id)) if found else (None, None)


def wait_stored(store: Path, code: str, kloe_id: str, check: Any, timeout: float = 10.0, framework: str = "ac-benefits") -> tuple[int | None, Any]:
    """Poll the store until the KLOE's record passes ``check`` (the browser's changes travel asynchronously)."""
    started = time.monotonic()
    while True:
        revision, record = stored_kloe(store, code, kloe_id, framework)
        if record is not None and check(record):
            return revision, record
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not in the store after {timeout} s: KLOE {kloe_id} is {record!r}")
        time.sleep(0.1)


def settled(page: Any) -> None:
    """Wait until the status line says saved and nothing is waiting."""
    page.wait_for_function(
        "() => { const t = document.querySelector('.kloe-save-status').innerText; return t.includes('saved at') && !t.includes('not saved'); }",
        timeout=10_000,
    )


def selected_level(page: Any) -> str:
    return str(page.locator(".kloe-level button.mod-active").inner_text()).replace("\xa0", " ")


def level_button(page: Any, label: str, where: str = ".kloe-level") -> Any:
    """The level picker's button for a level (buttons: a focused select changed its level on one arrow key)."""
    return page.locator(f"{where} button", has_text=label)


def shown_heading(page: Any) -> str:
    return str(page.locator(".kloe-panel h3").first.inner_text()).replace("\xa0", " ")


def wait_heading(page: Any, heading: str) -> None:
    """Until the KLOE panel shown is the one with this heading."""
    page.wait_for_function("h => { const e = document.querySelector('.kloe-panel h3'); return e && e.innerText.replace(/\\u00a0/g, ' ') === h; }", arg=heading)


def open_kloe(page: Any, number: str) -> None:
    """Move to a KLOE of the question shown with the navigation list."""
    options = page.locator(".kloe-nav-kloes select option")
    labels = options.all_inner_texts()
    index = next(i for i, label in enumerate(labels) if label.split()[1] == number)  # ipywidgets joins words with nbsp
    page.locator(".kloe-nav-kloes select").select_option(index=index)
    page.wait_for_selector(f".kloe-panel h3:has-text('KLOE {number}:')")


def go_to(page: Any, framework: Framework, kloe_id: str) -> None:
    """Move to any KLOE as a person does: its judgement, its question or theme, then the KLOE, each from its list."""
    groups = {kloe.id: group for group, kloe in framework.iter_kloes()}
    group = groups[kloe_id]
    judgements = [j.id for j in framework.judgements if any(g.judgement == j.id for g in framework.groups)]
    in_judgement = [g for g in framework.groups if g.judgement == group.judgement]
    steps = [
        (".kloe-nav-judgements select", judgements.index(group.judgement), in_judgement[0].kloes[0].id),
        (".kloe-nav-groups select", in_judgement.index(group), group.kloes[0].id),
        (".kloe-nav-kloes select", [kloe.id for kloe in group.kloes].index(kloe_id), kloe_id),
    ]
    for selector, index, lands_on in steps:
        select = page.locator(selector)
        if select.evaluate("e => e.selectedIndex") != index:
            select.select_option(index=index)
            wait_heading(page, kloe_heading(framework.kloe(lands_on)))
    wait_heading(page, kloe_heading(framework.kloe(kloe_id)))


def readable_text(page: Any) -> str:
    """Every word of the form a person can read or hear: its text, option labels, titles (tooltips), placeholders."""
    return str(
        page.evaluate(
            """() => { const form = document.querySelector('.kloe-form'); const parts = [form.innerText];
              for (const e of form.querySelectorAll('option')) parts.push(e.textContent);
              for (const e of form.querySelectorAll('[title], [placeholder], [aria-label]'))
                parts.push(e.title || '', e.placeholder || '', e.getAttribute('aria-label') || '');
              return parts.join('\\n'); }"""
        )
    ).replace("\xa0", " ")


def stored_council(store: Path, code: str) -> None:
    """Council ``code``: KLOE 2.1 with one evidence row seen 2009-03-01 and an action, as an analyst left it."""
    from kloe_nb.assessment.model import Action, Assessment, Evidence, KloeRecord, Organisation

    record = KloeRecord(
        evidence=[
            Evidence(source="Interviews with frontline staff", reference="Committee report 12 May, p.4", note="standards published", date_seen="2009-03-01")
        ],
        areas_for_improvement="Targets",
        actions=[Action(area="Targets", action="Set stretching targets", owner="Head of benefits")],
    )
    assessment = Assessment(framework="ac-benefits", organisation=Organisation(code=code, name="Aberdyfi"), kloes={"2.1": record})
    with open_store(store) as opened:
        opened.save(assessment, based_on=None, author="alice")


def assert_named_by_title(page: Any, framework: Framework) -> None:
    """The panel's heading is the KLOE's title, the list shows titles, and no word shown is a slug id (hi-prospects)."""
    first = framework.iter_kloes()[0][1]
    wait_heading(page, first.title)  # "Track record", not "track-record Track record" nor "KLOE track-record"
    text = readable_text(page)
    assert "Track record" in text and "Service user benefits" in text, text[:500]
    slugs = [kloe.id for _, kloe in framework.iter_kloes() if "-" in kloe.id]
    shown = [slug for slug in slugs if slug in text]
    assert shown == [], f"slugs shown: {shown}"
    tooltip = page.locator(".kloe-add-evidence").get_attribute("title")  # the button's tooltip names it too
    assert tooltip == "Add a row of evidence to \u201cTrack record\u201d", tooltip


def assert_previous_next_at_the_ends(page: Any, framework: Framework) -> None:
    """Previous is disabled at the first KLOE and Next at the last, and each comes back one step in."""
    from playwright.sync_api import expect

    previous, following = page.locator(".kloe-nav button", has_text="Previous KLOE"), page.locator(".kloe-nav button", has_text="Next KLOE")
    order = [kloe.id for _, kloe in framework.iter_kloes()]
    go_to(page, framework, order[0])
    expect(previous).to_be_disabled()
    expect(following).to_be_enabled()
    go_to(page, framework, order[-1])
    expect(following).to_be_disabled()
    expect(previous).to_be_enabled()
    previous.click()
    wait_heading(page, kloe_heading(framework.kloe(order[-2])))
    expect(following).to_be_enabled()


def assert_date_seen_refused(page: Any, store: Path, code: str, shot: Path) -> None:
    """Council ``code`` (``stored_council``): a date that does not exist is refused in words at its row, the saved one
    kept; ``shot`` is the screenshot of the row saying so."""
    from playwright.sync_api import expect

    go_to(page, load_framework("ac-benefits"), "2.1")
    seen, message = page.locator(".kloe-evidence-date input").first, page.locator(".kloe-evidence-date-message").first
    seen.fill("31/02/2008")
    expect(message).to_contain_text("Date seen not saved: '31/02/2008' is not a date: February 2008 has no day 31 (it has 29 days).")
    expect(message).to_contain_text("the store keeps the date saved before (2009-03-01)")
    page.locator(".kloe-evidence").screenshot(path=str(shot))
    time.sleep(2)  # longer than the autosave interval: nothing invalid goes to the store
    kept = stored_kloe(store, code, "2.1")[1].evidence[0].date_seen
    assert kept == "2009-03-01", f"the store holds {kept!r}"
    assert seen.input_value() == "31/02/2008", "what was typed stays, to be corrected"
    seen.fill("28/02/2008")
    wait_stored(store, code, "2.1", lambda record: record.evidence[0].date_seen == "28/02/2008")
    expect(message).to_have_text("")
