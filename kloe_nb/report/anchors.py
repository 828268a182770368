"""Where each KLOE's row is on the page: one short id per KLOE, so other sections can link to it.

``k-<group>-<KLOE>`` by position in the framework (``k-2-3``: the third KLOE of the second
question or theme), so a link stays short and the same whichever rows a report shows.
"""

from __future__ import annotations

from kloe_nb.framework.model import Framework


def kloe_anchors(framework: Framework) -> dict[str, str]:
    """Each KLOE id's row id on the report page."""
    return {kloe.id: f"k-{group_index}-{kloe_index}" for group_index, group in enumerate(framework.groups, 1) for kloe_index, kloe in enumerate(group.kloes, 1)}
