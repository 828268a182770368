"""Navigation: judgement, then question or theme, then KLOE, each showing what is left.

Three native selects (keyboard: Tab to one, arrow keys to move) and Previous/Next buttons
that walk every KLOE in document order (disabled at the first and the last). Each KLOE shows its status (not started, in
progress, levelled); each judgement and group how many scored KLOEs are left to level.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as W

from kloe_nb.form.session import FormSession
from kloe_nb.form.widgets import Guard, button
from kloe_nb.framework.labels import level_name
from kloe_nb.framework.model import Group
from kloe_nb.framework.naming import group_heading, kloe_label

MARKS = {"levelled": "\u25cf", "in progress": "\u25d0", "not started": "\u25cb"}


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


class Navigator:
    """The navigation controls; ``on_select(kloe_id)`` is called when the analyst moves."""

    def __init__(self, session: FormSession, guard: Guard, on_select: Callable[[str], None]) -> None:
        self.session = session
        self.on_select = on_select
        framework = session.framework
        self.order = [kloe.id for _, kloe in framework.iter_kloes()]
        self.groups_of = {judgement.id: [group for group in framework.groups if group.judgement == judgement.id] for judgement in framework.judgements}
        self.judgement_ids = [judgement_id for judgement_id, groups in self.groups_of.items() if groups]
        self._moving = False
        self._labels: dict[str, str] = {}
        style = {"description_width": "10em"}
        self.judgement = W.Dropdown(description="Judgement", style=style, layout=W.Layout(width="98%"))
        self.group = W.Dropdown(description="Question or theme", style=style, layout=W.Layout(width="98%"))
        rows = min(8, max(len(group.kloes) for group in framework.groups))
        self.kloe = W.Select(description="KLOE", rows=rows, style=style, layout=W.Layout(width="98%"))
        self.judgement.add_class("kloe-nav-judgements")
        self.group.add_class("kloe-nav-groups")
        self.kloe.add_class("kloe-nav-kloes")
        self.previous = button("Previous KLOE", "Go to the previous KLOE", "arrow-left")
        self.next = button("Next KLOE", "Go to the next KLOE", "arrow-right")
        self.left = W.HTML()
        guard.on_value(self.judgement, self._judgement_chosen, ("nav", "judgement"))
        guard.on_value(self.group, self._group_chosen, ("nav", "group"))
        guard.on_value(self.kloe, self._kloe_chosen, ("nav", "kloe"))
        guard.on_click(self.previous, lambda: self.step(-1), ("nav", "previous"))
        guard.on_click(self.next, lambda: self.step(1), ("nav", "next"))
        self.widget = W.VBox(
            [self.judgement, self.group, self.kloe, W.HBox([self.previous, self.next, self.left], layout=W.Layout(align_items="center", flex_flow="row wrap"))],
            layout=W.Layout(width="100%"),
        )
        self.widget.add_class("kloe-nav")
        self.current: str | None = None

    # -- labels ------------------------------------------------------------------------------
    def _left(self, kloe_ids: list[str]) -> int:
        return sum(1 for kloe_id in kloe_ids if self.session.kloe(kloe_id).scored and self.session.kloe_status(kloe_id) != "levelled")

    def _group_ids(self, group: Group) -> list[str]:
        return [kloe.id for kloe in group.kloes]

    def _judgement_label(self, judgement_id: str) -> str:
        judgement = self.session.framework.judgement(judgement_id)
        if not judgement.scored:
            return f"{judgement.title} (not scored)"
        left = sum(self._left(self._group_ids(group)) for group in self.groups_of[judgement_id])
        return f"{judgement.title} ({left} left)"

    def _group_label(self, group: Group) -> str:
        name = group_heading(group)
        if not group.scored or not any(kloe.scored for kloe in group.kloes):
            return f"{_short(name, 90)} (not scored)"
        return f"{_short(name, 90)} ({self._left(self._group_ids(group))} left)"

    def kloe_label(self, kloe_id: str) -> str:
        kloe = self.session.kloe(kloe_id)
        status = self.session.kloe_status(kloe_id)
        if status == "levelled":
            level = self.session.record(kloe_id).level
            word = f"levelled {level_name(self.session.scale_of(kloe_id), level)}" if level is not None else status
        elif not kloe.scored:
            word = "context, noted" if status != "not started" else "context"
        else:
            word = status
        return f"{MARKS[status]} {_short(kloe_label(kloe), 110)} [{word}]"

    def _set_options(self, widget: W.Dropdown | W.Select, options: list[tuple[str, str]], value: str) -> None:
        if list(widget._options_labels) == [label for label, _ in options] and widget.value == value:
            return
        self._moving = True
        try:
            with widget.hold_sync():
                if list(widget._options_labels) != [label for label, _ in options]:
                    widget.options = options
                widget.value = value
        finally:
            self._moving = False

    def update(self, kloe_id: str | None = None) -> None:
        """Show ``kloe_id`` (default: the current KLOE) selected, with fresh labels and counts.

        Only what changed is sent to the browser."""
        target = kloe_id or self.current or self.order[0]
        scored = [k for k in self.order if self.session.kloe(k).scored]
        left = self._left(scored)
        in_progress = sum(1 for k in self.order if self.session.kloe_status(k) == "in progress")
        text = f"<b>{left} of {len(scored)} scored KLOEs left to level</b>; {in_progress} in progress"
        if self.left.value != text:
            self.left.value = text
        self._steps(target)
        group = self.session.group_of(target)
        self._set_options(self.judgement, [(self._judgement_label(j), j) for j in self.judgement_ids], group.judgement)
        groups = self.groups_of[group.judgement]
        self._set_options(self.group, [(self._group_label(g), g.id) for g in groups], group.id)
        self._set_options(self.kloe, [(self.kloe_label(k), k) for k in self._group_ids(group)], target)

    # -- moving ------------------------------------------------------------------------------
    def go(self, kloe_id: str) -> None:
        """Show a KLOE: select its judgement, group and itself, then open its panel."""
        self.update(kloe_id)
        self._open(kloe_id)

    def _steps(self, kloe_id: str) -> None:
        """Previous and Next, disabled where there is nothing to go to (the first and the last KLOE)."""
        index = self.order.index(kloe_id)
        previous, following = index == 0, index == len(self.order) - 1
        if self.previous.disabled != previous:
            self.previous.disabled = previous
        if self.next.disabled != following:
            self.next.disabled = following

    def _open(self, kloe_id: str) -> None:
        self._steps(kloe_id)  # also when the KLOE was picked from the list, which moves without ``update``
        if kloe_id != self.current:
            self.current = kloe_id
            self.on_select(kloe_id)

    def step(self, delta: int) -> None:
        index = self.order.index(self.current) if self.current in self.order else -1
        target = self.order[max(0, min(len(self.order) - 1, index + delta))]
        self.go(target)

    def _judgement_chosen(self, judgement_id: str | None) -> None:
        if self._moving or judgement_id is None:
            return
        self.go(self.groups_of[judgement_id][0].kloes[0].id)

    def _group_chosen(self, group_id: str | None) -> None:
        if self._moving or group_id is None:
            return
        group = next(g for g in self.session.framework.groups if g.id == group_id)
        self.go(group.kloes[0].id)

    def _kloe_chosen(self, kloe_id: str | None) -> None:
        if self._moving or kloe_id is None:
            return
        self._open(kloe_id)
