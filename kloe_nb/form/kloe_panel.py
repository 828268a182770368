"""The panel of one KLOE: its question, descriptors side by side, level, evidence, findings and improvement plan.

Built from the framework when the analyst first navigates to the KLOE (so opening the form
stays fast for the largest framework), then kept. Every control writes into the session
and nothing else; ``refresh`` puts the session's values back into the controls (after a
merge with someone else's save).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as W

from kloe_nb.assessment.model import KloeRecord
from kloe_nb.form.actions_panel import ActionsPanel
from kloe_nb.form.evidence_panel import EvidencePanel
from kloe_nb.form.session import FormSession
from kloe_nb.form.summary import moderation_note_html, suggestion_html
from kloe_nb.form.widgets import (
    BLANK,
    Guard,
    close_tree,
    falls_short_box,
    html_list,
    level_picker,
    set_value,
    statement_box,
    text_area,
)
from kloe_nb.framework.naming import group_heading, kloe_heading


def _heading_html(session: FormSession, kloe_id: str) -> str:
    kloe = session.kloe(kloe_id)
    group = session.group_of(kloe_id)
    judgement = session.framework.judgement(group.judgement)
    crumbs = f"{judgement.title} › {group_heading(group)}"
    parts = [f'<div style="color:#57606a">{escape(crumbs)}</div>']
    if kloe.section:
        parts.append(f"<div><i>{escape(kloe.section)}</i></div>")
    if kloe.parent:
        parts.append(f"<div>Part of {escape(kloe_heading(session.kloe(kloe.parent)))}</div>")
    parts.append(f"<h3>{escape(kloe_heading(kloe))}</h3>")
    if not kloe.scored:
        parts.append("<p><i>Context only: this KLOE is not scored. Record what you found.</i></p>")
    parts.append(html_list("Prompts", kloe.prompts))
    parts.append(html_list(f"KLOE focus, {kloe.focus_lead}" if kloe.focus_lead else "KLOE focus", kloe.focus))
    parts.append(html_list("Evidence that", kloe.evidence_that or group.evidence_that, folded=True))
    parts.append(html_list("Guidance", kloe.guidance, folded=True))
    return "".join(parts)


def evidence_sources(session: FormSession, kloe_id: str) -> list[str]:
    """The KLOE's sources of evidence, then its group's, without repeats."""
    kloe, group = session.kloe(kloe_id), session.group_of(kloe_id)
    return list(dict.fromkeys([*kloe.sources_of_evidence, *group.sources_of_evidence]))


class KloePanel:
    """The controls of one KLOE (see the module docstring)."""

    def __init__(self, session: FormSession, kloe_id: str, guard: Guard, after_edit: Callable[[str], None]) -> None:
        self.session = session
        self.kloe_id = kloe_id
        self.guard = guard
        self.after_edit = after_edit
        self.kloe = kloe = session.kloe(kloe_id)
        self.scale = session.scale_of(kloe_id)
        self.sources = evidence_sources(session, kloe_id)
        record = session.record(kloe_id)
        self.scored = kloe.scored and self.scale is not None
        children: list[W.Widget] = [W.HTML(_heading_html(session, kloe_id))]

        self.level: W.ToggleButtons | None = None
        self.suggestion = W.HTML()
        self.moderated = W.HTML()
        self.rationale: W.Textarea | None = None
        if self.scored and self.scale is not None:
            self.level = level_picker(self.scale, "Level", record.level)
            self.level.add_class("kloe-level")
            self._bind(self.level, lambda value: session.set_level(kloe_id, value), "level")
            self.rationale = text_area("Why it differs", record.rationale, "required where your level differs from the suggestion: why?", rows=2)
            self.rationale.add_class("kloe-rationale")
            self._bind(self.rationale, lambda value: session.set_kloe_text(kloe_id, "rationale", value), "rationale")
            children += [W.HBox([self.level, self.suggestion], layout=W.Layout(align_items="center", flex_flow="row wrap")), self.moderated, self.rationale]

        self.statements: dict[tuple[int, int], W.Checkbox] = {}
        self.short: dict[tuple[int, int], W.Checkbox] = {}
        self.best_fit = session.framework.descriptor_reading == "best_fit"
        if kloe.descriptors:
            children.append(self._descriptors(record))

        self.evidence = EvidencePanel(session, kloe_id, guard, after_edit, self.sources)
        children.append(self.evidence.widget)

        self.texts: dict[str, W.Textarea] = {}
        for name, label, hint in (
            ("strengths", "Strengths", "what works well, with the evidence"),
            ("areas_for_improvement", "Areas for improvement", "what needs to improve"),
            ("current_position", "Current position", "where the organisation stands now"),
        ):
            area = text_area(label, getattr(record, name), hint)
            area.add_class(f"kloe-{name.replace('_', '-')}")
            self._bind(area, lambda value, name=name: session.set_kloe_text(kloe_id, name, value), name)
            self.texts[name] = area
            children.append(area)
            if name == "areas_for_improvement":  # the improvement plan sits under the areas it addresses
                self.actions = ActionsPanel(session, kloe_id, guard, after_edit)
                self.guard.on_value(area, self.actions.update_adders, ("kloe", kloe_id, "action-buttons"))
                children.append(self.actions.widget)
        self.update_suggestion()
        self.widget = W.VBox(children, layout=W.Layout(width="100%"))
        self.widget.add_class("kloe-panel")

    # -- building ----------------------------------------------------------------------------
    def _bind(self, widget: W.ValueWidget, write: Callable[[object], bool], field: str) -> None:
        def on_change(value: object) -> None:
            if write(value):
                self.after_edit(self.kloe_id)

        self.guard.on_value(widget, on_change, ("kloe", self.kloe_id, field))

    def _descriptors(self, record: KloeRecord) -> W.Widget:
        lowest = min(self.kloe.descriptors)
        columns = []
        for level in sorted(self.kloe.descriptors, reverse=True):
            scale_level = next((lv for lv in self.scale.levels if lv.level == level), None) if self.scale else None
            label = scale_level.label if scale_level and scale_level.label else f"Level {level}"
            heading = scale_level.heading if scale_level and scale_level.heading else ""
            header = f"<h4>{escape(heading or f'{level} {label}')}</h4>"
            if heading:
                header += f"<div><small>level {level}: {escape(label)}</small></div>"
            if level in self.kloe.descriptor_sources:
                header += f"<div><small>(descriptors from {escape(self.kloe.descriptor_sources[level])})</small></div>"
            boxes: list[W.Widget] = [W.HTML(header)]
            for index, statement in enumerate(self.kloe.descriptors[level]):
                heading_above = self.kloe.descriptor_headings.get(level, {}).get(index)
                if heading_above:
                    boxes.append(W.HTML(f"<b>{escape(heading_above)}</b>"))
                box = statement_box(statement, index in record.met.get(level, []), f"{level} {label}")
                self._bind(box, lambda value, level=level, index=index: self._set_met(level, index, bool(value)), f"met.{level}.{index}")
                self.statements[(level, index)] = box
                boxes.append(box)
                if level == lowest and self.best_fit:
                    short = falls_short_box(index in record.falls_short.get(level, []), f"{level} {label}")
                    self._bind(short, lambda value, level=level, index=index: self._set_short(level, index, bool(value)), f"falls_short.{level}.{index}")
                    self.short[(level, index)] = short
                    boxes.append(short)
            column = W.VBox(boxes, layout=W.Layout(flex="1 1 0", min_width="16em", margin="0 8px 0 0"))
            column.add_class("kloe-descriptor-column")
            columns.append(column)
        if self.best_fit:
            instruction = (
                "<h4>Descriptors: which picture fits this organisation best?</h4>"
                "<p>Tick each statement that <b>describes this organisation</b>, in any column. In the lower column, "
                "tick <b>falls short of this</b> where the organisation does not even reach the statement. Leave a "
                "statement blank where you have no view. A strong organisation ticks the top column and none of the "
                "lower one. The suggestion is the workbook's best fit from these marks; you decide the level.</p>"
            )
        else:
            instruction = "<h4>Descriptors: tick each statement that is met</h4><p>Each level presupposes every statement of the levels below it.</p>"
        return W.VBox([W.HTML(instruction), W.HBox(columns, layout=W.Layout(width="100%", align_items="flex-start", flex_flow="row wrap"))])

    def _set_met(self, level: int, index: int, value: bool) -> bool:
        changed = self.session.set_met(self.kloe_id, level, index, value)
        if changed:
            self._show_verdicts()
        return changed

    def _set_short(self, level: int, index: int, value: bool) -> bool:
        """Falls short of / not: the two verdicts of a lower statement exclude each other."""
        record = self.session.record(self.kloe_id)
        if value:
            changed = self.session.set_verdict(self.kloe_id, level, index, "falls_short")
        elif index in record.falls_short.get(level, []):
            changed = self.session.set_verdict(self.kloe_id, level, index, "")
        else:
            changed = False
        if changed:
            self._show_verdicts()
        return changed

    def _show_verdicts(self) -> None:
        record = self.session.record(self.kloe_id)
        for (level, index), box in self.statements.items():
            set_value(box, index in record.met.get(level, []))
        for (level, index), box in self.short.items():
            set_value(box, index in record.falls_short.get(level, []))

    # -- showing the model -------------------------------------------------------------------
    def update_suggestion(self) -> None:
        """The suggestion beside the picker, and the rationale box shown where the level differs."""
        if not self.scored or self.level is None or self.rationale is None:
            return
        record = self.session.record(self.kloe_id)
        suggestion = self.session.suggestion(self.kloe_id)
        value = suggestion_html(self.scale, suggestion, record.level)
        if self.suggestion.value != value:
            self.suggestion.value = value
        moderated = moderation_note_html(self.scale, record)
        if self.moderated.value != moderated:
            self.moderated.value = moderated
        differs = record.level is not None and suggestion.level is not None and record.level != suggestion.level
        display = "flex" if differs or record.rationale else "none"
        if self.rationale.layout.display != display:
            self.rationale.layout.display = display

    def refresh(self) -> None:
        """Put the session's values back into every control (after a merge or a reload)."""
        record = self.session.record(self.kloe_id)
        if self.level is not None:
            set_value(self.level, BLANK if record.level is None else record.level)
        if self.rationale is not None:
            set_value(self.rationale, record.rationale)
        self._show_verdicts()
        for name, area in self.texts.items():
            set_value(area, getattr(record, name))
        self.evidence.refresh()
        self.actions.refresh()
        self.update_suggestion()

    def close(self) -> None:
        close_tree(self.widget)
