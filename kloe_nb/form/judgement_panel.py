"""The judgement panel: for each judgement its suggestion, the spread of levels, the decision.

Under the suggestion, its sensitivity: which single KLOE moving one level would change it,
with a visible "one step from a boundary" marker when some such move exists. Worked out
when the panel is shown or a level changed (``FormSession.sensitivity`` is kept until a
level changes), never for a keystroke in a text field.

The decided level is blank by default (the suggestion stands). A decision that differs from
the suggestion, or a choice between the two options a CAA table cell allows, needs a
rationale: the panel says so in red until one is written. An unscored judgement (the CAA
area assessment) says it carries flags instead.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

import ipywidgets as W

from kloe_nb.form.sensitivity_html import sensitivity_html
from kloe_nb.form.session import FormSession
from kloe_nb.form.summary import judgement_note
from kloe_nb.form.widgets import BLANK, Guard, level_picker, set_value, text_area
from kloe_nb.framework.model import Judgement

if TYPE_CHECKING:
    from kloe_nb.analysis.sensitivity import JudgementSensitivity


class JudgementBox:
    """One judgement's suggestion, decided level and rationale."""

    def __init__(self, session: FormSession, judgement: Judgement, guard: Guard, after_edit: Callable[[], None]) -> None:
        self.session = session
        self.judgement = judgement
        self.scale = session.framework.scale(judgement.scale) if judgement.scale else None
        self.note = W.HTML()
        self.warning = W.HTML()
        self.sensitivity = W.HTML()
        self.sensitivity.add_class("kloe-sensitivity")
        title = W.HTML(f"<h3>{escape(judgement.title)}</h3>")
        if not judgement.scored or self.scale is None:
            self.level = self.rationale = None
            text = "Not scored: this judgement carries red and green flags instead (see Flags)." if session.framework.flags else "Not scored."
            self.widget = W.VBox([title, W.HTML(f"<p>{escape(text)}</p>")])
            return
        decision = session.decision(judgement.id)
        self.level = level_picker(self.scale, "Decided level", decision.level, blank="use the suggestion")
        self.level.add_class("kloe-judgement-level")
        self.rationale = text_area(
            "Rationale", decision.rationale, "required where the decided level differs from the suggestion or the table offers two", rows=3
        )
        self.rationale.add_class("kloe-judgement-rationale")

        def write_level(value: object) -> None:
            if session.set_judgement_level(judgement.id, value):
                after_edit()

        def write_rationale(value: object) -> None:
            if session.set_judgement_rationale(judgement.id, value):
                after_edit()

        guard.on_value(self.level, write_level, ("judgement", judgement.id, "level"))
        guard.on_value(self.rationale, write_rationale, ("judgement", judgement.id, "rationale"))
        self.widget = W.VBox([title, self.note, self.sensitivity, self.level, self.rationale, self.warning])
        self.widget.add_class("kloe-judgement")

    def update(self, sensitivity: JudgementSensitivity | None = None, problem: str = "") -> None:
        if self.level is None or self.rationale is None:
            return
        score = self.session.scores().judgements[self.judgement.id]
        note = judgement_note(self.session.framework, self.scale, score)
        if self.note.value != note:
            self.note.value = note
        shown = sensitivity_html(sensitivity, problem)
        if self.sensitivity.value != shown:
            self.sensitivity.value = shown
        decision = self.session.decision(self.judgement.id)
        set_value(self.level, BLANK if decision.level is None else decision.level)
        set_value(self.rationale, decision.rationale)
        warnings = []
        if len(score.options) == 2 and decision.level is None:
            warnings.append("The table leaves this to your judgement: choose one of its two options and give a rationale.")
        elif len(score.options) == 2 and decision.level not in score.options:
            warnings.append(f"Your decision is not one of the table's options ({score.options[0]} or {score.options[1]}).")
        needs_rationale = (score.differs or len(score.options) == 2) and decision.level is not None
        if needs_rationale and not decision.rationale.strip():
            warnings.append("Rationale required: the decided level differs from the suggestion.")
        warning = "".join(f'<div role="alert" style="color:#cf222e">{escape(w)}</div>' for w in warnings)
        if self.warning.value != warning:
            self.warning.value = warning


class JudgementPanel:
    """Every judgement of the framework, in order."""

    def __init__(self, session: FormSession, guard: Guard, after_edit: Callable[[], None]) -> None:
        self.session = session
        self.boxes = [JudgementBox(session, judgement, guard, after_edit) for judgement in session.framework.judgements]
        self.widget = W.VBox([box.widget for box in self.boxes])
        self.update()

    def update(self) -> None:
        """Show the session's decisions, suggestions and their sensitivity."""
        problem = ""
        try:
            found = self.session.sensitivity()
        except Exception as error:  # noqa: BLE001 - the decisions must stay usable even if this cannot be worked out
            found, problem = {}, f"What would change the suggestion could not be worked out ({type(error).__name__}: {error})."
        for box in self.boxes:
            box.update(found.get(box.judgement.id), problem)
