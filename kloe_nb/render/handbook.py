"""A framework as one self-contained HTML page, for people who would rather read it than the PDF."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from kloe_nb.files import write_text_atomically
from kloe_nb.framework.labels import level_name, stars_text
from kloe_nb.framework.loader import LoadedFramework
from kloe_nb.framework.model import CombinationTable, Framework, Scale
from kloe_nb.render.environment import environment
from kloe_nb.render.inert import require_inert


def _heading(scale: Scale | None, level: int) -> str:
    """A descriptor column heading: the source's own heading where it has one, else the level's name."""
    if scale is not None:
        for item in scale.levels:
            if item.level == level and item.heading and (item.label or "").lower() not in item.heading.lower():
                return f"{level_name(scale, level)}: {item.heading}"
    return f"Level {level_name(scale, level)}"


def _table_rows(table: CombinationTable) -> list[int]:
    return sorted({cell.row for cell in table.cells})


def _table_columns(table: CombinationTable) -> list[int]:
    return sorted({cell.column for cell in table.cells})


def _cell_text(table: CombinationTable, row: int, column: int) -> str:
    for cell in table.cells:
        if (cell.row, cell.column) == (row, column):
            return " or ".join(str(option) for option in cell.options)
    return ""


def render_handbook(framework: Framework, sha256: str, generated: datetime | None = None) -> str:
    """The handbook page as HTML text."""
    generated = generated or datetime.now(timezone.utc)
    return (
        environment()
        .get_template("handbook.html.j2")
        .render(
            fw=framework,
            sha256=sha256,
            generated=generated.strftime("%Y-%m-%d %H:%M UTC"),
            groups_of={j.id: [g for g in framework.groups if g.judgement == j.id] for j in framework.judgements},
            scale_of={j.id: (framework.scale(j.scale) if j.scale else None) for j in framework.judgements},
            heading=_heading,
            stars=stars_text,
            table_rows=_table_rows,
            table_columns=_table_columns,
            cell_text=_cell_text,
        )
    )


def write_handbook(record: LoadedFramework, output: Path) -> Path:
    """Write the handbook of a loaded framework to ``output`` (atomically), checked inert like every page."""
    write_text_atomically(output, require_inert(render_handbook(record.framework, record.sha256), str(output)))
    return output
