"""The app's start page: what the store holds and which councils there are, with links into the form.

``notebooks/start.ipynb`` calls ``open_start``; ``kloe app`` shows it for an address without a
council. Each assessment in the store is a row (framework, council, period, track, progress,
last save) opening its form, or its moderation view for an independent scoring; each council of
the councils CSV (``kloe app --councils``, i.e. ``$KLOE_COUNCILS``) not yet assessed has a link per
framework to start one. A plain HTML form starts any other. Links are plain GET addresses of the
same app (``/?framework=...&council_code=...``): nothing here writes to the store.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urlencode

from kloe_nb.errors import KloeError
from kloe_nb.form.session import clock
from kloe_nb.framework.loader import load_all
from kloe_nb.framework.model import Framework
from kloe_nb.interchange.councils_csv import Council, read_councils_csv
from kloe_nb.settings import settings
from kloe_nb.store import open_store


@dataclass(frozen=True)
class Row:
    """One stored assessment as the start page lists it."""

    framework: str
    code: str
    name: str
    period: str
    track: str
    levelled: int
    scored: int
    revision: int
    saved_at: str
    saved_by: str


def app_root() -> str:
    """The app's own address as a path from the server's root (Voilà's base URL).

    A path, not ``./?...``: JupyterLab's renderer takes over clicks on relative links (to open
    files) and they would go nowhere; a link starting with ``/`` is left to the browser."""
    base = os.environ.get("VOILA_BASE_URL", "/") or "/"
    return base if base.endswith("/") else base + "/"


def link(**parameters: str) -> str:
    """The app's address for these parameters (blank ones left out)."""
    return app_root() + "?" + urlencode({name: value for name, value in parameters.items() if value})


def stored_rows(store: Path | str, frameworks: dict[str, Framework]) -> list[Row]:
    """Every assessment in the store, with its progress (scored KLOEs levelled) and its last save."""
    if isinstance(store, Path) and not store.exists():
        return []
    rows = []
    with open_store(store, read_only=True) as opened:
        for key in opened.keys():
            found = opened.find(key)
            if found is None:
                continue
            framework = frameworks.get(key.framework)
            scored = [kloe.id for _, kloe in framework.iter_kloes() if kloe.scored] if framework else []
            levelled = sum(1 for kloe_id in scored if found.assessment.record(kloe_id).level is not None)
            rows.append(
                Row(
                    key.framework,
                    key.org_code,
                    found.assessment.organisation.name,
                    key.period,
                    key.track,
                    levelled,
                    len(scored),
                    found.revision,
                    found.saved_at,
                    found.saved_by,
                )
            )
    return rows


def _assessments_html(rows: list[Row]) -> str:
    if not rows:
        return "<p class='kloe-start-empty'>The store holds no assessments yet: start one below.</p>"
    body = []
    for row in rows:
        opens = link(framework=row.framework, council_code=row.code, council_name=row.name, period=row.period, track=row.track)
        actions = f"<a class='kloe-start-open' href='{escape(opens)}'>Open</a>"
        if row.track:
            moderate = link(view="moderation", framework=row.framework, council_code=row.code, period=row.period, track=row.track)
            actions += f" · <a class='kloe-start-moderate' href='{escape(moderate)}'>Moderate</a>"
        body.append(
            "<tr>"
            f"<td>{escape(row.framework)}</td><td>{escape(row.name)} ({escape(row.code)})</td><td>{escape(row.period or '-')}</td>"
            f"<td>{escape('independent scoring ' + row.track if row.track else 'lead')}</td>"
            f"<td>{row.levelled} of {row.scored} scored KLOEs levelled</td>"
            f"<td>revision {row.revision}, {escape(row.saved_at[:10])} {escape(clock(row.saved_at))} by {escape(row.saved_by)}</td>"
            f"<td>{actions}</td></tr>"
        )
    head = "<tr><th>Framework</th><th>Council</th><th>Period</th><th>Track</th><th>Progress</th><th>Last saved</th><th></th></tr>"
    return f"<table class='kloe-start-assessments'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _councils_html(councils: list[Council], rows: list[Row], frameworks: dict[str, Framework]) -> str:
    started = {(row.framework, row.code, row.period) for row in rows if not row.track}
    body = []
    for council in councils:
        links = []
        for framework_id in frameworks:
            if (framework_id, council.code, council.period) in started:
                continue
            address = link(framework=framework_id, council_code=council.code, council_name=council.name, period=council.period)
            links.append(f"<a class='kloe-start-new' href='{escape(address)}'>{escape(framework_id)}</a>")
        body.append(
            f"<tr><td>{escape(council.name)} ({escape(council.code)})</td><td>{escape(council.group or '-')}</td>"
            f"<td>{escape(council.period or '-')}</td><td>{' · '.join(links) or 'every framework started'}</td></tr>"
        )
    head = "<tr><th>Council</th><th>Peer group</th><th>Period</th><th>Start an assessment</th></tr>"
    return f"<table class='kloe-start-councils'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _new_form_html(frameworks: dict[str, Framework]) -> str:
    options = "".join(f"<option value='{escape(f.id)}'>{escape(f.id)}: {escape(f.title)}</option>" for f in frameworks.values())
    fields = [
        f"<label>Framework <select name='framework' required>{options}</select></label>",
        "<label>Council code <input name='council_code' required pattern='.*\\S.*' maxlength='200' placeholder='e.g. 00AB'></label>",
        "<label>Council name <input name='council_name' maxlength='200'></label>",
        "<label>Period <input name='period' maxlength='40' placeholder='e.g. 2008/09'></label>",
        "<label>Track <input name='track' maxlength='20' placeholder='blank = lead'></label>",
    ]
    return f"<form class='kloe-start-form' method='get' action='{escape(app_root())}'>{''.join(fields)}<button type='submit'>Open the form</button></form>"


CSS = """<style>
.kloe-start table { border-collapse: collapse; margin: 4px 0 12px 0; }
.kloe-start th, .kloe-start td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #d0d7de; vertical-align: top; }
.kloe-start-form { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: flex-end; }
.kloe-start-form label { display: flex; flex-direction: column; font-size: 90%; }
.kloe-start { overflow-x: auto; }
.kloe-start.kloe-start th, .kloe-start.kloe-start td { text-align: left; }
</style>"""


def start_html(store: Path | str, councils_csv: Path | str | None = None) -> str:
    """The whole start page (KloeError if the store or the councils CSV cannot be read)."""
    loaded, _errors = load_all()
    frameworks = {framework_id: record.framework for framework_id, record in loaded.items()}
    rows = stored_rows(store, frameworks)
    councils = read_councils_csv(councils_csv) if councils_csv else []
    parts = [
        CSS,
        "<div class='kloe-start'><h2>KLOE assessments</h2>",
        f"<div>Store {escape(str(store))}</div>",
        "<h3>Assessments in the store</h3>",
        _assessments_html(rows),
    ]
    if councils:
        parts += [f"<h3>Councils ({escape(str(councils_csv))})</h3>", _councils_html(councils, rows, frameworks)]
    parts += ["<h3>Start or open any other</h3>", _new_form_html(frameworks)]
    listed = "".join(f"<li>{escape(f.id)}: {escape(f.title)}</li>" for f in frameworks.values())
    parts += [f"<h3>Frameworks</h3><ul class='kloe-start-frameworks'>{listed}</ul></div>"]
    return "".join(parts)


def open_start(store: str | os.PathLike[str] | None = None, councils: str | os.PathLike[str] | None = None) -> None:
    """Show the start page (what ``notebooks/start.ipynb`` calls); a problem is shown as a message.

    The page is an ipywidgets HTML widget, not an HTML output: JupyterLab's output renderer gives
    every link ``target=_blank``, so each would open another tab (and another kernel)."""
    import ipywidgets as W
    from IPython.display import HTML, display

    from kloe_nb.form.app import store_path

    chosen = str(councils) if councils else (settings().councils or None)
    try:
        display(W.HTML(start_html(store_path(store), chosen), layout=W.Layout(width="100%")))
    except KloeError as error:
        display(HTML(f'<div role="alert" style="color:#cf222e"><b>The start page could not be shown.</b> {escape(str(error))}</div>'))
