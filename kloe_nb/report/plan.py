"""The improvement plan as a report shows it: every action in one table, and the areas still without one.

The seeds ask for plans that are "genuinely SMART": clear priorities, an owner for every
action, timescales and a measure of success. So the plan is ordered the way a reader acts on
it (priority high, medium, low, then not set; then due date, earliest first, undated last; then
the framework's KLOE order), and each action says what it still lacks ("not yet SMART: no
owner, no due date"). An area for improvement counts as planned when an action of its KLOE
names it (its words, or a line of them); the rest are listed so none is forgotten.
"""

from __future__ import annotations

import re

from kloe_nb.assessment.model import Action, Assessment, KloeRecord
from kloe_nb.framework.model import Framework, Group, Kloe
from kloe_nb.framework.naming import group_heading, kloe_number, kloe_prefixes
from kloe_nb.report.anchors import kloe_anchors
from kloe_nb.report.views import ActionView, ImprovementPoint

PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2, "": 3}
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013]|\d+[.)])\s+")
_SPACE = re.compile(r"\s+")


def _placed(framework: Framework, assessment: Assessment) -> list[tuple[int, str, Group | None, Kloe | None, KloeRecord]]:
    """(framework order, id, group, KLOE, record) of every KLOE record; KLOEs the framework lacks come last."""
    order = {kloe.id: (index, group, kloe) for index, (group, kloe) in enumerate(framework.iter_kloes())}
    placed = []
    for kloe_id, record in assessment.kloes.items():
        index, group, kloe = order.get(kloe_id, (len(order), None, None))
        placed.append((index, kloe_id, group, kloe, record))
    return sorted(placed, key=lambda item: (item[0], item[1]))


def missing_words(action: Action) -> str:
    """'no owner, no due date' for the SMART fields still blank ('' when none is)."""
    return ", ".join(f"no {words}" for words in action.missing())


def action_views(framework: Framework, assessment: Assessment) -> list[ActionView]:
    """Every action of every KLOE, by priority, then due date, then KLOE order (then as recorded).

    One table across themes: each names its KLOE as no other KLOE is named (``kloe_prefixes``).
    """
    rows = []
    anchors, prefixes = kloe_anchors(framework), kloe_prefixes(framework)
    for index, kloe_id, group, kloe, record in _placed(framework, assessment):
        for position, action in enumerate(record.actions):
            view = ActionView(
                kloe=prefixes[kloe.id] if kloe else kloe_id,  # its theme where its title alone is shared: on paper the link does not help
                title=kloe.title if kloe else "",
                group=group_heading(group) if group else "",
                area=action.area,
                action=action.action,
                owner=action.owner,
                due=action.due,
                priority=action.priority,
                resources=action.resources,
                measure=action.measure,
                missing=missing_words(action),
                anchor=anchors.get(kloe_id, ""),
            )
            key = (PRIORITY_ORDER.get(action.priority, 3), action.due == "", action.due, index, kloe_id, position)
            rows.append((key, view))
    return [view for _, view in sorted(rows, key=lambda item: item[0])]


def _normal(text: str) -> str:
    return _SPACE.sub(" ", _BULLET.sub("", text)).strip().rstrip(".;:").casefold()


def area_points(text: str) -> list[str]:
    """The separate areas in a KLOE's 'areas for improvement' text: one per non-blank line (bullets allowed)."""
    return [line.strip() for line in text.splitlines() if _normal(line)]


def _addressed(point: str, actions: list[Action], only_point: bool) -> bool:
    wanted = _normal(point)
    for action in actions:
        named = " ".join(_normal(line) for line in action.area.splitlines() if _normal(line))
        if named and wanted in named:  # the area's words, or a longer text holding them
            return True
        if not named and only_point and action.action.strip():  # the KLOE has one area: an action naming none is for it
            return True
    return False


def unplanned_areas(framework: Framework, assessment: Assessment) -> list[ImprovementPoint]:
    """The areas for improvement no action addresses yet, in KLOE order (a KLOE's unplanned lines together).

    ``whole`` where they are all of the KLOE's areas: the report then links to its row rather than repeat them.
    """
    points = []
    anchors = kloe_anchors(framework)
    for _, kloe_id, group, kloe, record in _placed(framework, assessment):
        lines = area_points(record.areas_for_improvement)
        left = [line for line in lines if not _addressed(line, record.actions, len(lines) == 1)]
        if left:
            points.append(
                ImprovementPoint(
                    kloe_number(kloe) if kloe else kloe_id,
                    kloe.title if kloe else "",
                    group_heading(group) if group else "",
                    "\n".join(left),
                    anchor=anchors.get(kloe_id, ""),
                    whole=kloe_id in anchors and len(left) == len(lines),
                )
            )
    return points
