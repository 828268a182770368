"""Moderation: the lead assessment and an independent scoring side by side, and the agreed level.

``open_moderation`` is what ``notebooks/moderate.ipynb`` calls. It loads the lead
assessment (track "") and the independent scoring (track "B") of one council and period
from the store, shows how far they agree (exact, within one level, weighted kappa, on the
independent levels), and lists each KLOE where they disagree, side by side, with a picker
of the KLOE's levels (blank until chosen), a note and "Record agreed level". Recording
saves the agreed level into the lead through the store, based on the revision shown: if
someone saved the lead meanwhile, the store refuses, nothing is overwritten, and the view
reloads and says so. Agreed KLOEs show as agreed, with their note, and may be moderated again.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import ipywidgets as W

from kloe_nb.analysis.agreement import agreement
from kloe_nb.analysis.moderation import ModerationItem, moderation_items, record_agreed
from kloe_nb.errors import KloeError, NotFoundError, StoreError
from kloe_nb.form.app import open_view, show_no_council, url_parameters
from kloe_nb.form.moderation_html import agreement_html, item_status_html, side_by_side_html
from kloe_nb.form.session import clock
from kloe_nb.form.summary import status_html
from kloe_nb.form.widgets import BLANK, CSS, Guard, button, close_tree, level_picker, show_or_explain, text_area
from kloe_nb.framework.labels import level_name
from kloe_nb.framework.model import Framework, Scale
from kloe_nb.framework.naming import kloe_heading, kloe_reference
from kloe_nb.store import AssessmentKey, AssessmentStore, StaleRevisionError, StoredAssessment
from kloe_nb.store.base import login_name

URL_PARAMETERS = ("framework", "council_code", "period", "track", "assessor")
_ACTIVE: dict[tuple[str, AssessmentKey], ModerationView] = {}


def _missing(what: str, key: AssessmentKey, path: Path | str, how: str) -> str:
    period = f"period {key.period!r}" if key.period else "no period"
    return f"The store {path} holds no {what} of council {key.org_code} ({period}) for framework {key.framework}. {how}"


class ItemBox:
    """One KLOE in the moderation list: both scorings, and the controls to record the agreed level."""

    def __init__(self, view: ModerationView, item: ModerationItem, scale: Scale | None) -> None:
        self.item = item
        kloe = view.framework.kloe(item.kloe_id)
        heading = f"<h3>{escape(kloe_heading(kloe))}</h3><div style='color:#57606a'>{escape(item.group_title)}</div>"
        self.status = W.HTML(item_status_html(scale, item, view.track))
        self.result = W.HTML()
        self.result.add_class("kloe-moderation-result")
        children: list[W.Widget] = [W.HTML(heading), self.status, W.HTML(side_by_side_html(kloe, scale, item, view.track))]
        self.level: W.ToggleButtons | None = None
        self.note: W.Textarea | None = None
        if item.disagree and scale is not None:
            picked_level, picked_note = view.picks.get(item.kloe_id, (BLANK, ""))
            self.level = level_picker(scale, "Agreed level", picked_level if isinstance(picked_level, int) else None, blank="choose the agreed level")
            self.level.add_class("kloe-moderation-level")
            self.note = text_area("Note", picked_note, "why this level: the evidence that settled it", rows=2)
            self.note.add_class("kloe-moderation-note")
            record = button("Record agreed level", f"Record the agreed level of {kloe_reference(kloe)} in the lead assessment", "check", "primary")
            record.add_class("kloe-moderation-record")
            view.guard.on_value(self.level, lambda _value: view.remember(item.kloe_id, self), ("moderation", item.kloe_id, "level"))
            view.guard.on_value(self.note, lambda _value: view.remember(item.kloe_id, self), ("moderation", item.kloe_id, "note"))
            view.guard.on_click(record, lambda: view.record(item.kloe_id), ("moderation", item.kloe_id, "record"))
            children += [self.level, self.note, W.HBox([record])]
        children.append(self.result)
        self.widget = W.VBox(children, layout=W.Layout(border="1px solid #d0d7de", padding="6px", margin="6px 0", width="98%"))
        self.widget.add_class("kloe-moderation-item")
        self.widget.add_class("kloe-moderation-moderated" if item.moderated else "kloe-moderation-open")


class ModerationView:
    """Moderation of one council and period: the lead against one independent track (see the module docstring)."""

    def __init__(
        self,
        framework: Framework,
        store: AssessmentStore,
        key: AssessmentKey,
        *,
        assessor: str = "",
        store_file: str | Path | None = None,
        owns_store: bool = False,
    ) -> None:
        """``key`` is the independent scoring's; the lead is the same council and period with a blank track."""
        if not key.track:
            raise KloeError("moderation compares the lead with an independent scoring: name its track, such as 'B'")
        self.framework = framework
        self.store = store
        self.track = key.track
        self.lead_key = AssessmentKey(key.framework, key.org_code, key.period, "")
        self.track_key = key
        self.moderated_by = assessor or login_name()
        self.store_file = store_file
        self._owns_store = owns_store
        self.scales = {kloe.id: framework.scale_for_group(group) for group, kloe in framework.iter_kloes()}
        self.picks: dict[str, tuple[object, str]] = {}
        """Levels and notes chosen but not yet recorded, kept across reloads."""
        self.shown_agreed: set[str] = set()
        """KLOEs agreed on this page: they stay in the list, marked agreed, while the page is open."""
        self.lead, self.other = self._load()
        self.items = moderation_items(framework, self.lead.assessment, self.other.assessment)
        self.guard = Guard()
        self.header = W.HTML(self._header())
        self.stats = W.HTML()
        self.message = W.HTML(status_html("loaded", self._loaded_text()))
        self.message.add_class("kloe-moderation-message")
        self.show_agreed = W.Checkbox(value=False, description="show agreed too", indent=False, tooltip="Also list the KLOEs already agreed")
        self.show_agreed.add_class("kloe-moderation-show-agreed")
        self.guard.on_value(self.show_agreed, lambda _value: self._build(), ("moderation", "filter"))
        self.list_box = W.VBox(layout=W.Layout(width="100%"))
        self.boxes: dict[str, ItemBox] = {}
        self.widget = W.VBox(
            [W.HTML(CSS), self.header, self.stats, self.message, self.show_agreed, self.list_box, self.guard.widget],
            layout=W.Layout(width="100%"),
        )
        self.widget.add_class("kloe-form")
        self.widget.add_class("kloe-moderation")
        self._build()

    # -- loading -----------------------------------------------------------------------------
    def _load(self) -> tuple[StoredAssessment, StoredAssessment]:
        """Both scorings from the store, or a NotFoundError saying which is missing and how to create it."""
        lead, other = self.store.find(self.lead_key), self.store.find(self.track_key)
        problems = []
        key = self.lead_key
        period = f', period = "{key.period}"' if key.period else ""
        if lead is None:
            problems.append(
                _missing(
                    "lead assessment",
                    key,
                    self.store.path,
                    f'Create it with notebooks/assess.ipynb (framework = "{key.framework}", council_code = "{key.org_code}"{period}, '
                    'track = "") or import it with kloe import.',
                )
            )
        if other is None:
            problems.append(
                _missing(
                    f"independent scoring track {self.track!r}",
                    key,
                    self.store.path,
                    f'The second assessor creates it with notebooks/assess.ipynb (framework = "{key.framework}", '
                    f'council_code = "{key.org_code}"{period}, track = "{self.track}"), scoring without looking at the lead.',
                )
            )
        if problems:
            raise NotFoundError("\n".join(problems))
        assert lead is not None and other is not None
        return lead, other

    def reload(self) -> None:
        """Read both scorings from the store again and show them."""
        self.lead, self.other = self._load()
        self.items = moderation_items(self.framework, self.lead.assessment, self.other.assessment)
        self.header.value = self._header()
        self._build()

    def _header(self) -> str:
        lead, other = self.lead.assessment, self.other.assessment
        period = f" {lead.period}" if lead.period else ""
        return (
            f"<h2>Moderation: {escape(lead.organisation.name)} ({escape(lead.organisation.code)}){escape(period)}: "
            f"{escape(self.framework.title)}</h2>"
            f"<div>Lead assessment by {escape(lead.assessor or 'an assessor not named')} (revision {self.lead.revision}); "
            f"independent scoring track {escape(self.track)} by {escape(other.assessor or 'an assessor not named')} "
            f"(revision {self.other.revision}); moderator {escape(self.moderated_by)}"
            + (f"; store {escape(str(self.store_file))}" if self.store_file else "")
            + "</div>"
            + ("<div><b>Illustrative example data, not a real assessment.</b></div>" if lead.illustrative else "")
        )

    def _loaded_text(self) -> str:
        return f"loaded the lead assessment revision {self.lead.revision} and track {self.track} revision {self.other.revision}"

    # -- showing -----------------------------------------------------------------------------
    def listed(self) -> list[ModerationItem]:
        """The KLOEs the list shows: where they disagree and not yet agreed; with the filter, the agreed ones too."""
        shown = []
        for item in self.items:
            both = all(level is not None for level in item.levels.values())
            agreed = item.moderated or (both and not item.disagree)
            if item.disagree and not item.moderated:
                shown.append(item)
            elif self.show_agreed.value and agreed and both:
                shown.append(item)
            elif item.kloe_id in self.shown_agreed:
                shown.append(item)
        return shown

    def _build(self) -> None:
        levels = [(item.levels[""], item.levels[self.track]) for item in self.items if None not in item.levels.values()]
        stats = agreement_html(agreement([a for a, _ in levels], [b for _, b in levels]), self.items, self.track, self.framework)
        if self.stats.value != stats:
            self.stats.value = stats
        for box in self.boxes.values():
            close_tree(box.widget)
        self.boxes = {item.kloe_id: ItemBox(self, item, self.scales.get(item.kloe_id)) for item in self.listed()}
        if self.boxes:
            self.list_box.children = [box.widget for box in self.boxes.values()]
        else:
            empty = "No KLOE left to agree: the two scorings agree wherever both levelled a KLOE, or every disagreement was agreed."
            self.list_box.children = [W.HTML(f"<p class='kloe-moderation-empty'>{escape(empty)}</p>")]

    def remember(self, kloe_id: str, box: ItemBox) -> None:
        if box.level is not None and box.note is not None:
            self.picks[kloe_id] = (box.level.value, box.note.value)

    def _say(self, state: str, text: str, kloe_id: str | None = None) -> None:
        self.message.value = status_html(state, text)
        box = self.boxes.get(kloe_id) if kloe_id else None
        if box is not None:
            box.result.value = status_html(state, text)

    # -- recording ---------------------------------------------------------------------------
    def record(self, kloe_id: str) -> StoredAssessment | None:
        """Save the chosen level as the KLOE's agreed level in the lead assessment (never over someone's newer save)."""
        box = self.boxes[kloe_id]
        if box.level is None or box.note is None:
            return None
        level = box.level.value
        named = kloe_reference(self.framework.kloe(kloe_id))
        if level == BLANK:
            self._say("error", f"Choose the agreed level of {named} first (nothing was recorded).", kloe_id)
            return None
        if not box.note.value.strip():
            self._say("error", f"Write in the note why {named} is agreed at this level: the evidence that settled it (nothing was recorded).", kloe_id)
            return None
        scale = self.scales.get(kloe_id)
        updated = record_agreed(
            self.lead.assessment,
            self.other.assessment,
            kloe_id,
            level,
            box.note.value,
            self.moderated_by,
            framework=self.framework,
        )
        based_on = self.lead.revision
        try:
            stored = self.store.save(updated, based_on=based_on, author=self.moderated_by)
        except StaleRevisionError as stale:
            current = stale.current if isinstance(stale.current, StoredAssessment) else None
            who = f"{current.saved_by} saved revision {current.revision} at {clock(current.saved_at)}" if current else "it changed in the store"
            self.remember(kloe_id, box)
            self.reload()
            self._say(
                "conflict",
                f"NOT RECORDED: the lead assessment changed after this page loaded revision {based_on} ({who}), so nothing was "
                f"written and nothing was overwritten. The page now shows the latest: check {named} and record its agreed "
                "level again.",
                kloe_id,
            )
            return None
        except StoreError as error:
            self.remember(kloe_id, box)
            self._say("error", f"NOT RECORDED: {str(error).splitlines()[0]} Your choice is kept here: try again.", kloe_id)
            return None
        self.lead = stored
        self.picks.pop(kloe_id, None)
        self.shown_agreed.add(kloe_id)
        self.items = moderation_items(self.framework, self.lead.assessment, self.other.assessment)
        self.header.value = self._header()
        self._build()
        self._say(
            "saved",
            f"Recorded {level_name(scale, level)} as the agreed level of {named} in the lead assessment "
            f"(revision {stored.revision}, saved at {clock(stored.saved_at)}).",
            kloe_id,
        )
        return stored

    # -- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        close_tree(self.widget)
        if self._owns_store:
            self.store.close()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def build_moderation(
    framework: str,
    council_code: str,
    store: str | os.PathLike[str] | None = None,
    *,
    period: str = "",
    track: str = "B",
    assessor: str = "",
) -> ModerationView:
    """Build the moderation view from the store (raises KloeError naming what is missing and how to create it)."""

    def make(loaded: Framework, opened: AssessmentStore, key: AssessmentKey, path: str | Path, sha256: str) -> ModerationView:
        return ModerationView(loaded, opened, key, assessor=assessor, store_file=path, owns_store=True)

    return open_view(
        _ACTIVE,
        make,
        framework,
        council_code,
        store,
        period=period,
        track=track,
        blank_track="track must name the independent scoring to compare with the lead assessment, such as 'B' (blank is the lead itself)",
    )


def open_moderation(
    framework: str,
    council_code: str,
    store: str | os.PathLike[str] | None = None,
    *,
    period: str = "",
    track: str = "B",
    assessor: str = "",
    display: bool = True,
) -> ModerationView | None:
    """Show the moderation view for a council (what ``notebooks/moderate.ipynb`` calls).

    Under Voilà the page's query string may choose the framework, council, period, track
    and moderator. A problem a person can fix (no lead assessment yet, no such track) is
    shown as a message, not a traceback, and None is returned.
    """
    parameters = {"framework": framework, "council_code": council_code, "period": period, "track": track, "assessor": assessor}
    parameters.update(url_parameters(names=URL_PARAMETERS))
    if display and not str(parameters["council_code"]).strip():
        show_no_council("The moderation view")
        return None
    return show_or_explain(lambda: build_moderation(store=store, **parameters), "The moderation view", display)
