"""The improvement plan of one KLOE: its actions, each an area for improvement made SMART.

Each action is a compact box (the area it addresses, what will be done, owner, due date,
priority, resources, measure of success) with Remove, and a line saying what it still
lacks ("not yet SMART: no owner, no due date"). "Add an action" buttons come from the
areas-for-improvement text: one per line when it has several, pre-filling the area.
Every control writes into the session like the rest of the form (autosave, revisions, the
stale-save merge, where a KLOE's actions are one field compared whole).

A due date that is not a real YYYY-MM-DD date is refused by the model: the message shows
under the box, nothing is saved, and what was typed stays in the box to be corrected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

import ipywidgets as W

from kloe_nb.assessment.model import Action
from kloe_nb.errors import InvalidInputError
from kloe_nb.form.session import FormSession
from kloe_nb.form.widgets import Guard, button, close_tree, set_value, short_text

PRIORITIES = [("high", "high"), ("medium", "medium"), ("low", "low"), ("unset", "")]
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013]\s+)")


def improvement_areas(text: str) -> list[str]:
    """The areas for improvement written one per line (list bullets removed, blank lines skipped)."""
    return [_BULLET.sub("", line).strip() for line in text.splitlines() if _BULLET.sub("", line).strip()]


def smart_html(action: Action) -> str:
    """What the action still lacks to be SMART, or that it has every field."""
    missing = action.missing()
    if missing:
        text = "not yet SMART: " + ", ".join(f"no {words}" for words in missing)
        return f'<span class="kloe-action-smart" style="color:#9a6700">{escape(text)}</span>'
    return '<span class="kloe-action-smart" style="color:#1a7f37">SMART: every field filled</span>'


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


class ActionRow:
    """The controls of one action (its index in the KLOE's list)."""

    def __init__(self, index: int, action: Action) -> None:
        self.index = index
        number = index + 1
        self.fields: dict[str, W.ValueWidget] = {
            "area": short_text("For", action.area, "the area for improvement it addresses", "auto", "kloe-action-area", flex="1 1 16em"),
            "action": short_text("Action", action.action, "what will be done", "98%", "kloe-action-action"),
            "owner": short_text("Owner", action.owner, "who is responsible", "auto", "kloe-action-owner", flex="3 1 14em"),
            "due": short_text("Due", action.due, "YYYY-MM-DD", "auto", "kloe-action-due", flex="1 1 12em"),
            "priority": W.Dropdown(
                options=PRIORITIES, value=action.priority, description="Priority", layout=W.Layout(width="auto", flex="1 1 12em", min_width="10em")
            ),
            "resources": short_text("Resources", action.resources, "the resources it needs", "auto", "kloe-action-resources", flex="1 1 16em"),
            "measure": short_text("Measure of success", action.measure, "how everyone will know it is done", "auto", "kloe-action-measure", flex="1 1 16em"),
        }
        self.fields["priority"].add_class("kloe-action-priority")
        self.fields["priority"].style.description_width = "initial"
        self.remove = button("Remove", f"Remove action {number}", "trash")
        self.remove.add_class("kloe-action-remove")
        self.smart = W.HTML(smart_html(action))
        self.due_error = W.HTML()
        self.due_error.add_class("kloe-action-due-error")
        self.widget = W.VBox(
            [
                W.HBox(
                    [W.HTML(f"<b>Action {number}</b>"), self.fields["area"], self.remove],
                    layout=W.Layout(align_items="center", width="100%", flex_flow="row wrap"),
                ),
                self.fields["action"],
                W.HBox([self.fields["owner"], self.fields["due"], self.fields["priority"]], layout=W.Layout(width="100%", flex_flow="row wrap")),
                self.due_error,
                W.HBox([self.fields["resources"], self.fields["measure"]], layout=W.Layout(width="100%", flex_flow="row wrap")),
                self.smart,
            ],
            layout=W.Layout(border="1px solid #d0d7de", padding="4px", margin="4px 0", width="98%"),
        )
        self.widget.add_class("kloe-action")

    def show(self, action: Action, keep_due: bool = False) -> None:
        """Show the stored action; ``keep_due``: a due date the model refused stays in its box until corrected."""
        for name, widget in self.fields.items():
            if not (name == "due" and keep_due):
                set_value(widget, getattr(action, name))
        self.show_smart(action)

    def show_smart(self, action: Action) -> None:
        value = smart_html(action)
        if self.smart.value != value:
            self.smart.value = value


class ActionsPanel:
    """The improvement plan part of a KLOE panel (see the module docstring)."""

    def __init__(self, session: FormSession, kloe_id: str, guard: Guard, after_edit: Callable[[str], None]) -> None:
        self.session = session
        self.kloe_id = kloe_id
        self.guard = guard
        self.after_edit = after_edit
        self.rows: list[ActionRow] = []
        self.bad_due: dict[int, tuple[str, str]] = {}
        """Refused due dates still in their box: row index -> (typed value, message)."""
        self.rows_box = W.VBox(layout=W.Layout(width="100%"))
        self.adders = W.HBox(layout=W.Layout(flex_flow="row wrap", width="100%"))
        self.adders.add_class("kloe-action-adders")
        self._areas: list[str] | None = None
        intro = W.HTML(
            "<h4>Improvement plan</h4><div style='color:#57606a'>Each area for improvement can become an action with an owner, "
            "a due date (YYYY-MM-DD), a priority, the resources it needs and the measure of success.</div>"
        )
        self.widget = W.VBox([intro, self.rows_box, self.adders], layout=W.Layout(width="100%"))
        self.widget.add_class("kloe-actions")
        self._build_rows()
        self.update_adders(session.record(kloe_id).areas_for_improvement)

    # -- rows --------------------------------------------------------------------------------
    def _build_rows(self) -> None:
        for row in self.rows:
            close_tree(row.widget)
        self.rows = []
        for index, action in enumerate(self.session.record(self.kloe_id).actions):
            row = ActionRow(index, action)
            for name, widget in row.fields.items():
                self.guard.on_value(
                    widget, lambda value, index=index, name=name: self._write(index, name, value), ("kloe", self.kloe_id, f"actions.{index}.{name}")
                )
            self.guard.on_click(row.remove, lambda index=index: self.remove(index), ("kloe", self.kloe_id, "remove-action"))
            if index in self.bad_due:
                typed, message = self.bad_due[index]
                row.fields["due"].value = typed
                row.due_error.value = self._error_html(message)
            self.rows.append(row)
        self.rows_box.children = [row.widget for row in self.rows]

    @staticmethod
    def _error_html(message: str) -> str:
        return f'<div role="alert" style="color:#cf222e">{escape(message)}</div>'

    def _write(self, index: int, name: str, value: object) -> None:
        row = self.rows[index]
        try:
            changed = self.session.set_action(self.kloe_id, index, name, value)
        except InvalidInputError as error:
            if name != "due":
                raise
            reason = "; ".join(problem.message for problem in error.problems).removeprefix("not saved: ")
            message = f"Due date not saved: {reason}"
            self.bad_due[index] = (str(value), message)
            row.due_error.value = self._error_html(message)
            return
        if name == "due" and self.bad_due.pop(index, None) is not None:
            row.due_error.value = ""
        if changed:
            actions = self.session.record(self.kloe_id).actions
            if index < len(actions):
                row.show_smart(actions[index])
            self.after_edit(self.kloe_id)

    def add(self, area: str = "") -> None:
        """Add an action (its area pre-filled) and show it."""
        self.session.add_action(self.kloe_id, area)
        self._build_rows()
        self.after_edit(self.kloe_id)

    def remove(self, index: int) -> None:
        self.session.remove_action(self.kloe_id, index)
        self.bad_due = {(i if i < index else i - 1): bad for i, bad in self.bad_due.items() if i != index}
        self._build_rows()
        self.after_edit(self.kloe_id)

    # -- the add buttons ---------------------------------------------------------------------
    def update_adders(self, areas_text: object) -> None:
        """One "Add an action" button per area for improvement (one line each), or one when there are none."""
        areas = improvement_areas(areas_text if isinstance(areas_text, str) else "")
        if areas == self._areas:
            return
        self._areas = areas
        wanted = max(1, len(areas))
        buttons = list(self.adders.children)
        while len(buttons) < wanted:
            position = len(buttons)
            new = button("Add an action", "Add an action to the improvement plan", "plus")
            new.add_class("kloe-add-action")
            self.guard.on_click(new, lambda position=position: self._add_for(position), ("kloe", self.kloe_id, "add-action"))
            buttons.append(new)
        for extra in buttons[wanted:]:
            extra.close()
        buttons = buttons[:wanted]
        for position, adder in enumerate(buttons):
            if len(areas) > 1:
                description = f"Add an action: {_short(areas[position], 50)}"
                tooltip = f"Add an action for: {areas[position]}"
            else:
                description = "Add an action"
                tooltip = f"Add an action for: {areas[0]}" if areas else "Add an action to the improvement plan"
            if adder.description != description:
                adder.description = description
            if adder.tooltip != tooltip:
                adder.tooltip = tooltip
        if list(self.adders.children) != buttons:
            self.adders.children = buttons

    def _add_for(self, position: int) -> None:
        areas = self._areas or []
        self.add(areas[position] if len(areas) > 1 else (areas[0] if areas else ""))

    # -- showing the model -------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the session's actions (after a merge with someone else's save); refused due dates stay typed."""
        actions = self.session.record(self.kloe_id).actions
        if len(actions) != len(self.rows):
            self.bad_due = {index: bad for index, bad in self.bad_due.items() if index < len(actions)}
            self._build_rows()
        else:
            for row, action in zip(self.rows, actions):
                row.show(action, keep_due=row.index in self.bad_due)
        self.update_adders(self.session.record(self.kloe_id).areas_for_improvement)
