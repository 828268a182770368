"""Widgets from the data, the way ipywidgets' ``interaction.py`` picks a widget from a type.

A scale becomes a level picker with its labels (and a blank "not yet assessed" choice), a
descriptor statement a tick box, the sources of evidence a source picker that also takes
typed text, a text field of the assessment a labelled text area. Every control carries a
description (its visible, accessible label) and is a native element a keyboard reaches.

``CSS`` makes labels wrap instead of being cut off (ipywidgets gives a label one line and an
ellipsis: "Question or the…"), lets buttons keep their words, and, where the form is narrower
than 600 px (a 760 px window with JupyterLab's file browser open), puts each label above its
control so the control has the width (a CSS container query on the form, not on the window).
``Guard`` wraps every callback: an exception shows in the form's message area and the form
carries on.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from html import escape
from typing import Any, TypeVar

import ipywidgets as W

from kloe_nb.errors import KloeError
from kloe_nb.framework.labels import level_name
from kloe_nb.framework.model import Scale

BLANK = ""
"""The picker value for 'not yet assessed' (the session reads blank as no level, never a score)."""

LABEL_WIDTH = "12em"

CSS = """
<style>
.kloe-form { max-width: 1200px; container: kloe-form / inline-size; }
.kloe-form .widget-inline-hbox > .widget-label {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere;
  height: auto; line-height: 1.25; align-self: center; }
.kloe-form .widget-dropdown, .kloe-form .widget-toggle-buttons { height: auto; min-height: var(--jp-widgets-inline-height); }
.kloe-form .widget-dropdown > select { height: var(--jp-widgets-inline-height); align-self: center; }
.kloe-form .widget-button { flex-shrink: 0; max-width: 100%; height: auto; min-height: var(--jp-widgets-inline-height);
  white-space: normal; text-overflow: clip; line-height: 1.3; padding-top: 3px; padding-bottom: 3px; }
@container kloe-form (max-width: 600px) {
  .kloe-form .widget-inline-hbox:not(.widget-checkbox) { flex-wrap: wrap; }
  .kloe-form .widget-inline-hbox:not(.widget-checkbox) > .widget-label {
    width: 100% !important; text-align: left; margin: 0 0 2px 0; align-self: flex-start; }
}
.kloe-form .kloe-statement.widget-checkbox { height: auto; width: auto; margin: 2px 0; }
.kloe-form .kloe-statement .widget-label-basic { height: auto; align-items: flex-start; }
.kloe-form .kloe-statement .widget-label-basic span {
  white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.35; }
.kloe-form .kloe-statement input[type=checkbox] { margin-top: 3px; flex-shrink: 0; }
.kloe-form .kloe-descriptor-column { border-left: 3px solid #d0d7de; padding-left: 6px; }
.kloe-form .widget-textarea textarea { min-height: 3.5em; }
.kloe-form .kloe-nav select { font-family: inherit; }
.kloe-level-picker.widget-toggle-buttons { flex-wrap: wrap; height: auto; }
.kloe-level-picker .widget-toggle-button { margin: 2px; }
.kloe-form :focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
.kloe-form .kloe-differs-box { border: 2px solid #cf222e; padding: 4px; }
.kloe-form h3, .kloe-form h4 { margin: 0.4em 0 0.2em 0; }
</style>
"""


def label_style() -> dict[str, str]:
    return {"description_width": LABEL_WIDTH}


def level_options(scale: Scale, blank: str = "not yet assessed") -> list[tuple[str, Any]]:
    """The picker's choices: the blank choice, then the scale's levels with their labels and stars."""
    return [(blank, BLANK)] + [(level_name(scale, level.level), level.level) for level in scale.levels]


def level_picker(scale: Scale, description: str, value: int | None, blank: str = "not yet assessed") -> W.ToggleButtons:
    """A row of buttons, one per level and the blank choice: a level is chosen only by a click or Space/Enter.

    Not a select: a focused select changes its value (and the form saved it) on a single arrow key."""
    picker = W.ToggleButtons(
        options=level_options(scale, blank),
        value=BLANK if value is None else value,
        description=description,
        tooltips=[f"{description}: {label}" for label, _ in level_options(scale, blank)],
        style={"description_width": LABEL_WIDTH, "button_width": "auto"},
        layout=W.Layout(width="auto", max_width="100%"),
    )
    picker.add_class("kloe-level-picker")
    return picker


def statement_box(statement: str, value: bool, level_label: str) -> W.Checkbox:
    """A tick box for one descriptor statement, meaning "describes this organisation"; its label is the statement itself."""
    box = W.Checkbox(
        value=value,
        description=statement,
        indent=False,
        tooltip=f"{level_label}: describes this organisation",
        layout=W.Layout(width="auto"),
    )
    box.add_class("kloe-statement")
    return box


def falls_short_box(value: bool, level_label: str) -> W.Checkbox:
    """Under a statement of the lowest described column: the organisation does not even reach it."""
    box = W.Checkbox(
        value=value,
        description="falls short of this",
        indent=False,
        tooltip=f"{level_label}: the organisation falls short of this",
        layout=W.Layout(width="auto", margin="0 0 6px 2em"),
    )
    box.add_class("kloe-falls-short")
    return box


def text_area(description: str, value: str, placeholder: str = "", rows: int = 3) -> W.Textarea:
    """A labelled text area that sends every keystroke (continuous update), so nothing typed waits for a blur."""
    return W.Textarea(
        value=value,
        description=description,
        placeholder=placeholder,
        rows=rows,
        continuous_update=True,
        style=label_style(),
        layout=W.Layout(width="98%"),
    )


def source_picker(sources: list[str], value: str, number: int) -> W.Combobox:
    """The evidence source: pick one of the framework's sources of evidence, or type another."""
    picker = W.Combobox(
        value=value,
        options=sources,
        ensure_option=False,
        placeholder="pick a source of evidence or type one",
        description=f"Source {number}",
        continuous_update=True,
        style={"description_width": "5.5em"},
        layout=W.Layout(width="auto", flex="3 1 16em", min_width="14em"),
    )
    picker.add_class("kloe-evidence-source")
    return picker


def short_text(description: str, value: str, placeholder: str, width: str, css_class: str, flex: str = "") -> W.Text:
    """A one-line text box labelled on its left; ``flex`` (e.g. "3 1 14em") lets it share a wrapping row, at least 10em wide."""
    layout = W.Layout(width=width, flex=flex, min_width="10em") if flex else W.Layout(width=width)
    field = W.Text(
        value=value,
        description=description,
        placeholder=placeholder,
        continuous_update=True,
        style={"description_width": "initial"},
        layout=layout,
    )
    field.add_class(css_class)
    return field


def button(description: str, tooltip: str, icon: str = "", style: str = "") -> W.Button:
    return W.Button(description=description, tooltip=tooltip, icon=icon, button_style=style, layout=W.Layout(width="auto"))


def html_list(title: str, items: list[str], folded: bool = False) -> str:
    """A titled list; ``folded`` puts it in a <details> the analyst opens (keyboard: Tab, Enter)."""
    if not items:
        return ""
    body = "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"
    if folded:
        return f"<details><summary><b>{escape(title)}</b> ({len(items)})</summary>{body}</details>"
    return f"<p><b>{escape(title)}</b></p>{body}"


def set_value(widget: W.ValueWidget, value: Any) -> None:
    """Show a value from the model (the widget's own callback then finds nothing to change)."""
    if widget.value != value:
        widget.value = value


Shown = TypeVar("Shown")


def show_or_explain(build: Callable[[], Shown], what: str, display: bool) -> Shown | None:
    """Build a view and show its ``widget``; a problem a person can fix is shown as a message, not a traceback.

    With ``display=False`` (tests, callers embedding the view) the KloeError is raised instead.
    """
    from IPython.display import HTML
    from IPython.display import display as show

    try:
        view = build()
    except KloeError as error:
        if not display:
            raise
        show(HTML(f'<div role="alert" style="color:#cf222e;white-space:pre-wrap"><b>{escape(what)} could not be opened.</b>\n' + escape(str(error)) + "</div>"))
        return None
    if display:
        show(view.widget)  # type: ignore[attr-defined]
    return view


def close_tree(widget: W.Widget) -> None:
    """Close a widget and everything inside it (frees their comms; never ``Widget.close_all``)."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


class Guard:
    """The form's message area: callbacks run through ``guard`` and their errors land here.

    Errors are kept per control, so a refused value stays reported until that control
    is given a good one (ticking a box elsewhere does not hide it).
    """

    def __init__(self) -> None:
        self.message = W.HTML(value="")
        self.output = W.Output(layout=W.Layout(max_height="12em", overflow="auto"))
        self.widget = W.VBox([self.message, self.output])
        self._errors: dict[object, str] = {}

    def _render(self) -> None:
        value = "".join(
            '<div role="alert" style="color:#cf222e;font-weight:bold;white-space:pre-wrap">' + escape(text) + "</div>" for text in self._errors.values()
        )
        if self.message.value != value:
            self.message.value = value

    def show(self, text: str, key: object = None) -> None:
        self._errors[key] = text
        self._render()

    def clear(self, key: object = None) -> None:
        if self._errors.pop(key, None) is not None:
            self._render()

    def clear_all(self) -> None:
        self._errors.clear()
        self._render()

    def guard(self, callback: Callable[..., Any], key: object = None) -> Callable[..., Any]:
        """Run ``callback``; a KloeError is shown as its message, anything else with its traceback."""

        @functools.wraps(callback)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                result = callback(*args, **kwargs)
            except KloeError as error:
                self.show(str(error), key)
                return None
            except Exception as error:  # noqa: BLE001 - a bug must not break the form: show it and carry on
                self.show(f"Something went wrong in the form ({type(error).__name__}: {error}); your other entries are unaffected.", key)
                self.output.append_stderr(traceback.format_exc())
                return None
            self.clear(key)
            return result

        return guarded

    def on_value(self, widget: W.ValueWidget, callback: Callable[[Any], Any], key: object = None) -> None:
        """Call ``callback(new value)`` on every change of ``widget``, guarded."""
        guarded = self.guard(callback, key if key is not None else widget.model_id)
        widget.observe(lambda change: guarded(change["new"]), names="value")

    def on_click(self, widget: W.Button, callback: Callable[[], Any], key: object = None) -> None:
        guarded = self.guard(callback, key if key is not None else widget.model_id)
        widget.on_click(lambda _button: guarded())
