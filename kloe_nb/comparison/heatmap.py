"""The KLOE heatmap's columns, shared by the batch index and the comparison page.

Both pages show councils by KLOEs, one coloured cell per KLOE that also carries the level as
text (the index with ``heatmap.html.j2``; the comparison with ``compare_heatmap.html.j2``, its rows
grouped by peer group with each group's median, ``context._heat_blocks``). The columns are the framework's scored KLOEs, grouped under their
question or theme for the table's two header rows; a KLOE the source does not number is
headed by the start of its title.
"""

from __future__ import annotations

from dataclasses import dataclass

from kloe_nb.framework.model import Framework
from kloe_nb.framework.naming import group_label, kloe_number


@dataclass(frozen=True)
class HeatColumn:
    """One KLOE column of the heatmap."""

    id: str
    label: str
    title: str


def heat_columns(framework: Framework) -> list[tuple[str, list[HeatColumn]]]:
    """Scored KLOEs grouped by question or theme, for the heatmap's two header rows."""
    groups = []
    for group in framework.groups:
        columns = [HeatColumn(kloe.id, kloe_number(kloe) or kloe.title[:24], kloe.title) for kloe in group.kloes if kloe.scored]
        if columns:
            groups.append((group_label(group), columns))
    return groups
