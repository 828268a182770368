"""A judgement's sensitivity as HTML for the judgement panel, without ipywidgets.

The sentences come from ``kloe_nb.analysis.sensitivity`` (labels from the framework); the
panel adds a visible marker when the judgement is one step from a boundary, so the
analyst sees at a glance where the evidence matters most. Everything is escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kloe_nb.analysis.sensitivity import JudgementSensitivity

BOUNDARY = "One step from a boundary"


def sensitivity_html(found: JudgementSensitivity | None, problem: str = "") -> str:
    """'What would change the suggestion', its sentences, and the boundary marker where it applies."""
    if problem:
        return f'<div class="kloe-sensitivity-problem" style="color:#9a6700">{escape(problem)}</div>'
    if found is None:
        return ""
    marker = ""
    if found.at_boundary:
        marker = (
            ' <span class="kloe-boundary" style="background:#fff8c5;border:1px solid #d4a72c;border-radius:3px;'
            f'padding:0 4px;font-weight:bold">&#9888; {BOUNDARY}</span>'
        )
    items = "".join(f"<li>{escape(sentence)}</li>" for sentence in found.sentences)
    return f'<div class="kloe-sensitivity-body"><b>What would change the suggestion</b>{marker}<ul style="margin:2px 0 4px 0">{items}</ul></div>'
