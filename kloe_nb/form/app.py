"""The assessment form: the session, navigation, KLOE panels, judgements, flags and summary together.

``open_form`` is what the notebook calls. It loads the framework, opens the store, rebuilds
the form from what the store holds (never from saved widget state) and shows it. Re-running
the cell closes the previous form of the same council first, saving anything pending.
Under Voilà, the page's query string may choose the framework and council
(``?council_code=00AB&council_name=...``, ``&track=B`` for an independent scoring); the
store never comes from the URL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qs

import ipywidgets as W
from pydantic import TypeAdapter, ValidationError

from kloe_nb.assessment.model import TrackName
from kloe_nb.errors import KloeError
from kloe_nb.form.autosave import SaveTiming
from kloe_nb.form.flags_panel import FlagsPanel
from kloe_nb.form.judgement_panel import JudgementPanel
from kloe_nb.form.kloe_panel import KloePanel
from kloe_nb.form.navigation import Navigator
from kloe_nb.form.session import FormSession, SaveStatus
from kloe_nb.form.summary import level_text, status_html, summary_html
from kloe_nb.form.widgets import CSS, Guard, close_tree, show_or_explain
from kloe_nb.framework.loader import load_framework_by_id
from kloe_nb.framework.model import Framework
from kloe_nb.framework.naming import group_label
from kloe_nb.settings import settings
from kloe_nb.store import AssessmentKey, AssessmentStore, open_store
from kloe_nb.store.address import is_server

URL_PARAMETERS = ("framework", "council_code", "council_name", "assessor", "period", "track")
MODERATION_NOTEBOOK = "notebooks/moderate.ipynb"
_ACTIVE: dict[tuple[str, AssessmentKey], AssessmentForm] = {}
_TRACK: TypeAdapter[str] = TypeAdapter(TrackName)


def store_path(store: str | os.PathLike[str] | None) -> str | Path:
    """The store: as given, else $KLOE_STORE, else ./kloe.db (as the ``kloe`` command does); a file made absolute, a URL as it is."""
    chosen = str(store) if store else settings().store
    return chosen if is_server(chosen) else Path(chosen).expanduser().resolve()


def check_track(track: object) -> str:
    """A track name as the model accepts it ("" = the lead assessment), else a KloeError saying what a track is."""
    if not isinstance(track, str):
        raise KloeError(f"track must be text: blank for the lead assessment, or a short name such as 'B', not {track!r}")
    try:
        return _TRACK.validate_python(track)
    except ValidationError as error:
        reason = "; ".join(str(detail["msg"]).removeprefix("Value error, ") for detail in error.errors())
        raise KloeError(f"track: {reason} (blank = the lead assessment, or a short name such as 'B')") from None


View = TypeVar("View", bound="_Closable")


class _Closable(Protocol):
    def close(self) -> None: ...


def open_view(
    shown: dict[tuple[str, AssessmentKey], View],
    make: Callable[[Framework, AssessmentStore, AssessmentKey, Any, str], View],
    framework: str,
    council_code: str,
    store: str | os.PathLike[str] | None,
    *,
    period: str,
    track: str,
    blank_track: str = "",
) -> View:
    """Open a view of one council on the store: what the form and the moderation view share.

    Checks the code and the track (``blank_track``: the error when a blank track is not allowed),
    loads the framework, closes this kernel's previous view of the same council (saving what it
    has pending), opens the store and builds the view with ``make(framework, store, key, path,
    sha256)``, closing the store again if building fails. KloeError names what is wrong.
    """
    if not isinstance(council_code, str) or not council_code.strip():
        raise KloeError(f"council_code must be the council's code as text, e.g. '00AB', not {council_code!r}")
    track = check_track(track)
    if blank_track and not track:
        raise KloeError(blank_track)
    loaded = load_framework_by_id(framework)
    path = store_path(store)
    key = AssessmentKey(loaded.framework.id, council_code, period, track)
    previous = shown.pop((str(path), key), None)
    if previous is not None:
        previous.close()
    opened = open_store(path)
    try:
        view = make(loaded.framework, opened, key, opened.path, loaded.sha256)  # shown: a URL without its password
    except BaseException:
        opened.close()
        raise
    shown[(str(path), key)] = view
    return view


def url_parameters(environ: dict[str, str] | None = None, names: tuple[str, ...] = URL_PARAMETERS) -> dict[str, str]:
    """Form parameters from Voilà's query string (only under Voilà; only the known names)."""
    environ = dict(os.environ) if environ is None else environ
    if not environ.get("SERVER_SOFTWARE", "").startswith("voila/"):
        return {}
    found: dict[str, str] = {}
    for name, values in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=False).items():
        if name in names and values:
            value = values[-1]
            if 0 < len(value.strip()) <= 200 and not re.search(r"[\x00-\x1f\x7f]", value):
                found[name] = value.strip()
    return found


class AssessmentForm:
    """The whole form for one council and framework; ``widget`` is what is displayed."""

    def __init__(self, session: FormSession, store_file: str | Path | None = None) -> None:
        self.session = session
        framework = session.framework
        self.guard = Guard()
        self.status = W.HTML(status_html(session.status.state, session.status.message))
        self.status.add_class("kloe-save-status")
        self.panels: dict[str, KloePanel] = {}
        self.kloe_area = W.Box(layout=W.Layout(width="100%", border_top="1px solid #d0d7de", padding="6px 0 0 0"))
        self.ticker = W.HTML()
        self.navigator = Navigator(session, self.guard, self._show_kloe)
        self.judgements: JudgementPanel | None = None
        self.flags: FlagsPanel | None = None
        self.summary = W.HTML()
        self._conflict_box: W.HBox | None = None
        views = [("KLOEs", "kloes"), ("Judgements", "judgements")]
        if framework.flags is not None:
            views.append(("Flags", "flags"))
        views.append(("Summary", "summary"))
        self.view = W.ToggleButtons(options=views, value="kloes", description="Show", tooltips=[f"Show the {v[0].lower()}" for v in views])
        self.view.add_class("kloe-view")
        self.body = W.Box(layout=W.Layout(width="100%"))
        self.guard.on_value(self.view, self._show_view, ("view",))
        self.kloes_view = W.VBox([self.ticker, self.navigator.widget, self.kloe_area], layout=W.Layout(width="100%"))
        self.widget = W.VBox(
            [W.HTML(CSS), W.HTML(self._header(store_file)), self.status, self.view, self.body, self.guard.widget],
            layout=W.Layout(width="100%"),
        )
        self.widget.add_class("kloe-form")
        session.on_status(self._status_changed)
        session.on_reload(self.refresh)
        self.navigator.go(session.opening_kloe())
        self._show_view("kloes")

    # -- building ----------------------------------------------------------------------------
    def _header(self, store_file: str | Path | None) -> str:
        session = self.session
        assessment = session.assessment
        framework = session.framework
        lines = [
            f"<h2>{escape(assessment.organisation.name)} ({escape(assessment.organisation.code)})"
            f"{' ' + escape(assessment.period) if assessment.period else ''}: {escape(framework.title)}</h2>",
            f"<div>Framework {escape(framework.id)} version {escape(framework.version)}; assessor "
            f"{escape(session.assessor)}" + (f"; store {escape(str(store_file))}" if store_file else "") + "</div>",
        ]
        if assessment.illustrative:
            lines.append("<div><b>Illustrative example data, not a real assessment.</b></div>")
        lines.append(self._tracks_html())
        loaded = session.loaded_framework_version
        if loaded is not None and (loaded.version, loaded.sha256) != (framework.version, session._framework_version.sha256):
            lines.append(
                f"<div style='color:#9a6700'>Last saved against framework version {escape(loaded.version)}; "
                f"the form shows version {escape(framework.version)}. Nothing recorded was dropped.</div>"
            )
        unknown = session.unknown_kloes()
        if unknown:
            lines.append(
                f"<div style='color:#9a6700'>Kept from an older framework: {escape(', '.join(unknown))} "
                "(not in this framework; kept in the store, not shown here).</div>"
            )
        return "".join(lines)

    def _tracks_html(self) -> str:
        """Whose scoring this is, and the other scorings of this council and period the store holds."""
        track = self.session.key.track
        others = self.session.other_tracks()
        lines = []
        if track:
            lines.append(
                f"<div class='kloe-track'><b>This is an independent scoring, track {escape(track)}</b>: it started empty "
                "(not copied from the lead assessment) and is saved under its own track.</div>"
            )
        names = ", ".join("the lead assessment" if other == "" else f"independent scoring track {other}" for other in others)
        to_moderate = track or next((other for other in others if other), "")
        if others and ("" in others or not track):
            lines.append(
                f"<div class='kloe-other-tracks' style='color:#57606a'>The store also holds {escape(names)} for this council "
                f"and period. Compare the scorings and record agreed levels in {MODERATION_NOTEBOOK} "
                f"(track = &quot;{escape(to_moderate)}&quot;).</div>"
            )
        elif track:
            also = f" It also holds {escape(names)}." if others else ""
            lines.append(
                "<div class='kloe-other-tracks' style='color:#57606a'>The store holds no lead assessment of this council and "
                f"period yet: moderation in {MODERATION_NOTEBOOK} needs one (open this notebook with track blank).{also}</div>"
            )
        return "".join(lines)

    def panel(self, kloe_id: str) -> KloePanel:
        """The KLOE's panel, built the first time it is asked for."""
        if kloe_id not in self.panels:
            self.panels[kloe_id] = KloePanel(self.session, kloe_id, self.guard, self._after_kloe_edit)
        return self.panels[kloe_id]

    def _show_kloe(self, kloe_id: str) -> None:
        self.kloe_area.children = [self.panel(kloe_id).widget]
        self._update_ticker()

    def _show_view(self, view: str) -> None:
        if view == "kloes":
            content: W.Widget = self.kloes_view
        elif view == "judgements":
            if self.judgements is None:
                self.judgements = JudgementPanel(self.session, self.guard, self._after_edit)
            self.judgements.update()
            content = self.judgements.widget
        elif view == "flags" and self.session.framework.flags is not None:
            if self.flags is None:
                self.flags = FlagsPanel(self.session, self.guard, self._after_edit)
            content = self.flags.widget
        else:
            self._update_summary(force=True)
            content = self.summary
        self.body.children = [content]

    # -- reacting ----------------------------------------------------------------------------
    def _status_changed(self, status: SaveStatus) -> None:
        value = status_html(status.state, status.message)
        if status.state == "conflict":
            value += self._conflict_html(status)
        if self.status.value != value:
            self.status.value = value
        self._show_conflict_buttons(status.state == "conflict")

    def _conflict_html(self, status: SaveStatus) -> str:
        from kloe_nb.form.session import describe_field

        rows = "".join(
            f"<tr><td>{escape(describe_field(self.session.framework, c.key))}</td>"
            f"<td>{escape(self._value_text(c.key, c.theirs))}</td><td>{escape(self._value_text(c.key, c.mine))}</td></tr>"
            for c in status.conflicts
        )
        who = f"{status.theirs.saved_by}, revision {status.theirs.revision}" if status.theirs else "the store"
        return (
            "<table class='kloe-conflicts' style='border-collapse:collapse'>"
            f"<thead><tr><th style='text-align:left'>Field</th><th style='text-align:left'>Theirs ({escape(who)})</th>"
            f"<th style='text-align:left'>Yours (not saved)</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    def _value_text(self, key: tuple[str, ...], value: Any) -> str:
        if len(key) == 3 and key[2] == "actions" and isinstance(value, list):
            return "; ".join(str(item.get("action") or item.get("area") or "(blank action)") for item in value) or "(no actions)"
        if len(key) == 3 and key[2] == "level":
            scale = self.session.scale_of(key[1]) if key[0] == "kloes" and key[1] in self.session._kloes else None
            if key[0] == "judgements":
                judgement = self.session.framework.judgement(key[1])
                scale = self.session.framework.scale(judgement.scale) if judgement.scale else None
            return level_text(scale, value)
        if value in (None, "", [], {}):
            return "(blank)"
        return value if isinstance(value, str) else repr(value)

    def _show_conflict_buttons(self, show: bool) -> None:
        if not show:
            if self._conflict_box is not None and self._conflict_box in self.widget.children:
                self.widget.children = tuple(child for child in self.widget.children if child is not self._conflict_box)
            return
        if self._conflict_box is None:
            mine = W.Button(description="Keep mine for these", tooltip="Save your values over theirs for the fields listed", button_style="warning")
            theirs = W.Button(description="Take theirs for these", tooltip="Take their values for the fields listed; your other changes are kept")
            self.guard.on_click(mine, lambda: self.session.resolve("mine"), ("conflict", "mine"))
            self.guard.on_click(theirs, lambda: self.session.resolve("theirs"), ("conflict", "theirs"))
            self._conflict_box = W.HBox([mine, theirs])
            self._conflict_box.add_class("kloe-conflict-actions")
        if self._conflict_box not in self.widget.children:
            children = list(self.widget.children)
            children.insert(children.index(self.status) + 1, self._conflict_box)
            self.widget.children = children

    def _after_kloe_edit(self, kloe_id: str) -> None:
        panel = self.panels.get(kloe_id)
        if panel is not None:
            panel.update_suggestion()
        self._after_edit()

    def _after_edit(self) -> None:
        """What every edit updates: navigation counts, the ticker, judgements and the summary."""
        self.navigator.update()
        self._update_ticker()
        if self.judgements is not None and self.view.value == "judgements":  # else updated when shown
            self.judgements.update()
        self._update_summary()

    def _update_ticker(self) -> None:
        kloe_id = self.navigator.current
        if kloe_id is None:
            return
        scores = self.session.scores()
        group = self.session.group_of(kloe_id)
        framework = self.session.framework
        parts = []
        group_score = scores.groups[group.id]
        if group_score.scored:
            parts.append(
                f"{escape(group_label(group))} so far: "
                f"<b>{escape(level_text(framework.scale_for_group(group), group_score.suggested, 'none yet'))}</b> "
                f"({group_score.assessed} of {group_score.total} levelled)"
            )
        judgement = framework.judgement(group.judgement)
        judgement_score = scores.judgements[judgement.id]
        if judgement_score.scored and judgement.scale:
            scale = framework.scale(judgement.scale)
            if len(judgement_score.options) == 2:
                shown = " or ".join(level_text(scale, level) for level in judgement_score.options)
            else:
                shown = level_text(scale, judgement_score.level, "none yet")
            parts.append(f"{escape(judgement.title)}: <b>{escape(shown)}</b>")
        value = '<div class="kloe-ticker" style="padding:4px;background:#f6f8fa">' + " · ".join(parts) + "</div>"
        if self.ticker.value != value:
            self.ticker.value = value

    def _update_summary(self, force: bool = False) -> None:
        if not force and self.view.value != "summary":
            return
        value = summary_html(self.session.framework, self.session.scores(), self.session.unknown_kloes())
        if self.summary.value != value:
            self.summary.value = value

    def refresh(self) -> None:
        """Show the session's values everywhere (someone else's changes were merged in)."""
        for panel in self.panels.values():
            panel.refresh()
        if self.flags is not None:
            self.flags.refresh()
        self._after_edit()

    # -- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        """Save what is pending and close the widgets."""
        self.session.close()
        close_tree(self.widget)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def build_form(
    framework: str,
    council_code: str,
    council_name: str = "",
    store: str | os.PathLike[str] | None = None,
    assessor: str = "",
    *,
    period: str = "",
    track: str = "",
    timing: SaveTiming | None = None,
) -> AssessmentForm:
    """Build the form from the store (raises KloeError with a message naming what is wrong).

    ``track`` blank is the lead assessment; a name ("B") is an independent scoring of the
    same council and period, kept under its own key and started empty."""

    def make(loaded: Framework, opened: AssessmentStore, key: AssessmentKey, path: str | Path, sha256: str) -> AssessmentForm:
        session = FormSession(
            loaded,
            opened,
            key,
            council_name=council_name,
            assessor=assessor,
            framework_sha256=sha256,
            owns_store=True,
            timing=timing,
        )
        return AssessmentForm(session, path)

    return open_view(_ACTIVE, make, framework, council_code, store, period=period, track=track)


def open_form(
    framework: str,
    council_code: str,
    council_name: str = "",
    store: str | os.PathLike[str] | None = None,
    assessor: str = "",
    *,
    period: str = "",
    track: str = "",
    display: bool = True,
) -> AssessmentForm | None:
    """Show the assessment form for a council (what ``notebooks/assess.ipynb`` calls).

    Under Voilà the page's query string may override the framework, council, assessor,
    period and track. A problem a person can fix (unknown framework, damaged store, a bad
    track name) is shown as a message, not a traceback, and None is returned.
    """
    parameters: dict[str, Any] = {
        "framework": framework,
        "council_code": council_code,
        "council_name": council_name,
        "assessor": assessor,
        "period": period,
        "track": track,
    }
    parameters.update(url_parameters())
    if display and not str(parameters["council_code"]).strip():
        show_no_council("The form")
        return None
    return show_or_explain(lambda: build_form(store=store, **parameters), "The form", display)


def show_no_council(what: str, environ: dict[str, str] | None = None) -> None:
    """No council chosen: say how to choose one (never open an invented council)."""
    from IPython.display import HTML
    from IPython.display import display as show

    environ = dict(os.environ) if environ is None else environ
    if environ.get("SERVER_SOFTWARE", "").startswith("voila/"):
        start = escape(environ.get("VOILA_BASE_URL") or "/")
        how = f"Choose the council on the <a class='kloe-start-link' href='{start}'>start page</a> (or add <code>?council_code=...</code> to the address)."
    else:
        how = "Set <code>council_code</code> (and <code>council_name</code>) in the parameters cell above, then run all cells again."
    show(HTML(f"<div class='kloe-no-council' role='status'><b>{escape(what)}: no council chosen yet.</b> {how} Nothing was opened or saved.</div>"))
