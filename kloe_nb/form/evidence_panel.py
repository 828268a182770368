"""The evidence seen for one KLOE: a row per item (source, reference, note, date seen) with Remove.

Each row keeps its Remove button beside its fields at any width: the fields wrap inside the
row, the button never wraps away from them. A date seen that is not a date the workbook reads
(``assessment/dates.py``) is refused: the message shows under the row in plain words, nothing is
saved, what the store had is kept and named, and what was typed stays in the box to be
corrected (also when rows are added or removed). A stored date seen from before the form
checked dates is shown as saved, with a note saying it is not read as a date.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as W

from kloe_nb.assessment.dates import date_seen_problem
from kloe_nb.assessment.model import Evidence
from kloe_nb.errors import InvalidInputError
from kloe_nb.form.session import FormSession
from kloe_nb.form.widgets import Guard, button, close_tree, set_value, short_text, source_picker
from kloe_nb.framework.naming import kloe_reference

FIELDS = ("source", "reference", "note", "date_seen")


class EvidenceRow:
    """The controls of one evidence item (its index in the KLOE's list)."""

    def __init__(self, index: int, item: Evidence, sources: list[str]) -> None:
        self.index = index
        number = index + 1
        self.fields: dict[str, W.ValueWidget] = {
            "source": source_picker(sources, item.source, number),
            "reference": short_text("Reference", item.reference, "document, page or link text", "auto", "kloe-evidence-reference", flex="3 1 16em"),
            "note": short_text("Note", item.note, "what it shows", "auto", "kloe-evidence-note", flex="4 1 20em"),
            "date_seen": short_text("Seen", item.date_seen, "e.g. 2009-03-01", "auto", "kloe-evidence-date", flex="0 1 11em"),
        }
        self.remove = button("Remove", f"Remove evidence row {number}", "trash")
        self.remove.add_class("kloe-evidence-remove")
        self.remove.layout.flex = "0 0 auto"
        self.date_message = W.HTML()
        self.date_message.add_class("kloe-evidence-date-message")
        fields = W.HBox(list(self.fields.values()), layout=W.Layout(flex="1 1 0", min_width="0", flex_flow="row wrap"))
        fields.add_class("kloe-evidence-fields")
        line = W.HBox([fields, self.remove], layout=W.Layout(width="100%", align_items="flex-start"))
        self.widget = W.VBox([line, self.date_message], layout=W.Layout(width="100%"))
        self.widget.add_class("kloe-evidence-row")

    def values(self) -> tuple[str, ...]:
        return tuple(str(self.fields[name].value) for name in FIELDS)


def _refused_html(message: str) -> str:
    return f'<div role="alert" style="color:#cf222e">{escape(message)}</div>'


def _stored_note_html(problem: str) -> str:
    return (
        '<div class="kloe-evidence-date-old" style="color:#9a6700">'
        f"Date seen kept as it was saved, but not read as a date: {escape(problem)}. Correct it when you can.</div>"
    )


class EvidencePanel:
    """The evidence part of a KLOE panel (see the module docstring)."""

    def __init__(self, session: FormSession, kloe_id: str, guard: Guard, after_edit: Callable[[str], None], sources: list[str]) -> None:
        self.session = session
        self.kloe_id = kloe_id
        self.guard = guard
        self.after_edit = after_edit
        self.sources = sources
        self.rows: list[EvidenceRow] = []
        self.bad_dates: dict[int, tuple[str, str]] = {}
        """Refused dates still in their box: row index -> (typed value, message)."""
        self.rows_box = W.VBox(layout=W.Layout(width="100%"))
        add = button("Add evidence", f"Add a row of evidence to {kloe_reference(session.kloe(kloe_id))}", "plus")
        add.add_class("kloe-add-evidence")
        guard.on_click(add, self.add, ("kloe", kloe_id, "add-evidence"))
        self.widget = W.VBox([W.HTML("<h4>Evidence seen</h4>"), self.rows_box, W.HBox([add])], layout=W.Layout(width="100%"))
        self.widget.add_class("kloe-evidence")
        self._build_rows()

    def _build_rows(self) -> None:
        for row in self.rows:
            close_tree(row.widget)
        self.rows = []
        for index, item in enumerate(self.session.record(self.kloe_id).evidence):
            row = EvidenceRow(index, item, self.sources)
            for name, widget in row.fields.items():
                self.guard.on_value(
                    widget, lambda value, index=index, name=name: self._write(index, name, value), ("kloe", self.kloe_id, f"evidence.{index}.{name}")
                )
            self.guard.on_click(row.remove, lambda index=index: self.remove(index), ("kloe", self.kloe_id, "remove-evidence"))
            if index in self.bad_dates:
                typed, message = self.bad_dates[index]
                row.fields["date_seen"].value = typed
                row.date_message.value = _refused_html(message)
            elif problem := date_seen_problem(item.date_seen):
                row.date_message.value = _stored_note_html(problem)
            self.rows.append(row)
        self.rows_box.children = [row.widget for row in self.rows]

    def _write(self, index: int, name: str, value: object) -> None:
        row = self.rows[index]
        try:
            changed = self.session.set_evidence(self.kloe_id, index, name, value)
        except InvalidInputError as error:
            if name != "date_seen":
                raise
            reason = "; ".join(problem.message for problem in error.problems).removeprefix("not saved: ")
            saved = self.session.record(self.kloe_id).evidence[index].date_seen
            kept = f"the date saved before ({saved})" if saved.strip() else "no date for it"
            message = f"Date seen not saved: {reason}. Until it is corrected the store keeps {kept}."
            self.bad_dates[index] = (str(value), message)
            row.date_message.value = _refused_html(message)
            return
        if name == "date_seen":
            self.bad_dates.pop(index, None)
            if row.date_message.value:
                row.date_message.value = ""
        if changed:
            self.after_edit(self.kloe_id)

    def add(self) -> None:
        self.session.add_evidence(self.kloe_id)
        self._build_rows()
        self.after_edit(self.kloe_id)

    def remove(self, index: int) -> None:
        self.session.remove_evidence(self.kloe_id, index)
        self.bad_dates = {(i if i < index else i - 1): bad for i, bad in self.bad_dates.items() if i != index}
        self._build_rows()
        self.after_edit(self.kloe_id)

    def refresh(self) -> None:
        """Show the session's evidence (after a merge with someone else's save); refused dates stay typed."""
        evidence = self.session.record(self.kloe_id).evidence
        if len(evidence) != len(self.rows):
            self.bad_dates = {index: bad for index, bad in self.bad_dates.items() if index < len(evidence)}
            self._build_rows()
            return
        for row, item in zip(self.rows, evidence):
            for name in FIELDS:
                if not (name == "date_seen" and row.index in self.bad_dates):
                    set_value(row.fields[name], getattr(item, name))
