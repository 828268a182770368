"""Red and green flags for the CAA area assessment, with the source's criteria as a checklist.

A flag is given with a subject (required), a reason and the criteria that apply, ticked from
the framework's list for its colour. What each colour means is shown above, in the source's
words.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as W

from kloe_nb.form.session import FormSession
from kloe_nb.form.widgets import Guard, button, close_tree, html_list, label_style, set_value, short_text, statement_box, text_area


class FlagsPanel:
    """The flags given so far and a row to give a new one."""

    def __init__(self, session: FormSession, guard: Guard, after_edit: Callable[[], None]) -> None:
        self.session = session
        self.guard = guard
        self.after_edit = after_edit
        flags = session.framework.flags
        assert flags is not None
        self.kinds = {kind.colour: kind for kind in flags.kinds}
        intro = [f"<h3>Flags: {escape(session.framework.judgement(flags.judgement).title)}</h3>"]
        if flags.note:
            intro.append(f"<p>{escape(flags.note)}</p>")
        for kind in flags.kinds:
            intro.append(f"<details><summary><b>{kind.colour.title()} flags</b>: what they mean</summary>")
            intro.append(html_list("Meaning", kind.meaning) + html_list("Considerations", kind.considerations) + "</details>")
        self.rows = W.VBox()
        self.new_colour = W.Dropdown(options=[(f"{colour} flag", colour) for colour in self.kinds], description="New flag", style=label_style())
        self.new_subject = short_text("Subject", "", "what the flag is about (required)", "auto", "kloe-flag-new-subject", flex="0 1 40em")
        add = button("Give flag", "Give a flag with this colour and subject", "flag")
        guard.on_click(add, self._add, ("flags", "add"))
        self.widget = W.VBox([W.HTML("".join(intro)), self.rows, W.HBox([self.new_colour, self.new_subject, add], layout=W.Layout(flex_flow="row wrap"))])
        self._build()

    def _build(self) -> None:
        for row in self.rows.children:
            close_tree(row)
        rows = []
        for index, flag in enumerate(self.session.flags()):
            number = index + 1
            colour = W.Dropdown(options=[(f"{c} flag", c) for c in self.kinds], value=flag.colour, description=f"Flag {number}", style=label_style())
            subject = short_text("Subject", flag.subject, "what the flag is about (required)", "auto", "kloe-flag-subject", flex="0 1 40em")
            reason = text_area("Reason", flag.reason, "why the flag is given", rows=2)
            remove = button("Remove flag", f"Remove flag {number}", "trash")
            criteria = [
                statement_box(criterion, position in flag.criteria, f"{flag.colour} flag criterion")
                for position, criterion in enumerate(self.kinds[flag.colour].criteria)
            ]
            self._bind(colour, lambda value, i=index: self.session.set_flag(i, "colour", value), index, "colour", rebuild=True)
            self._bind(subject, lambda value, i=index: self.session.set_flag(i, "subject", value), index, "subject")
            self._bind(reason, lambda value, i=index: self.session.set_flag(i, "reason", value), index, "reason")
            for position, box in enumerate(criteria):
                self._bind(box, lambda value, i=index, p=position: self.session.set_flag_criterion(i, p, bool(value)), index, f"criteria.{position}")
            self.guard.on_click(remove, lambda i=index: self._remove(i), ("flags", index, "remove"))
            checklist = W.VBox([W.HTML("<b>Criteria that apply</b>"), *criteria])
            box = W.VBox(
                [W.HBox([colour, subject, remove], layout=W.Layout(flex_flow="row wrap")), reason, checklist],
                layout=W.Layout(border="1px solid #d0d7de", padding="4px", margin="4px 0"),
            )
            box.add_class("kloe-flag")
            box.add_class(f"kloe-flag-{flag.colour}")
            rows.append(box)
        self.rows.children = rows

    def _bind(self, widget: W.ValueWidget, write: Callable[[object], bool], index: int, name: str, rebuild: bool = False) -> None:
        def on_change(value: object) -> None:
            if write(value):
                if rebuild:
                    self._build()
                self.after_edit()

        self.guard.on_value(widget, on_change, ("flags", index, name))

    def _add(self) -> None:
        self.session.add_flag(self.new_colour.value, self.new_subject.value)
        set_value(self.new_subject, "")
        self._build()
        self.after_edit()

    def _remove(self, index: int) -> None:
        self.session.remove_flag(index)
        self._build()
        self.after_edit()

    def refresh(self) -> None:
        """Rebuild from the session (after a merge with someone else's save)."""
        self._build()
