"""Semantic checks of a framework: what the schema alone cannot see.

Each check is a small function taking the framework and returning a list of problems as
``(field path, message)``; the loader turns paths into file lines. All checks run, so a
file's problems are reported together (the way compliance-trestle's validators do).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kloe_nb.framework.model import Framework

FieldPath = tuple[Any, ...]


@dataclass(frozen=True)
class Found:
    """A problem at a field path; ``also_at`` points at the other place involved (a duplicate's first)."""

    path: FieldPath
    message: str
    also_at: FieldPath | None = None


Check = Callable[[Framework], list[Found]]


def _duplicates(items: Iterable[tuple[FieldPath, str]], what: str) -> list[Found]:
    """Problems for every id that appears more than once, pointing at each repeat and the first."""
    first: dict[str, FieldPath] = {}
    found: list[Found] = []
    for path, identifier in items:
        if identifier in first:
            found.append(Found(path, f"duplicate {what} id {identifier!r}", also_at=first[identifier]))
        else:
            first[identifier] = path
    return found


def unique_ids(framework: Framework) -> list[Found]:
    """Scale, judgement, group, KLOE and table ids are unique; so are levels in a scale."""
    found = _duplicates((((("scales", i, "id")), s.id) for i, s in enumerate(framework.scales)), "scale")
    found += _duplicates(((("judgements", i, "id"), j.id) for i, j in enumerate(framework.judgements)), "judgement")
    found += _duplicates(((("groups", i, "id"), g.id) for i, g in enumerate(framework.groups)), "group")
    found += _duplicates(
        ((("groups", gi, "kloes", ki, "id"), kloe.id) for gi, group in enumerate(framework.groups) for ki, kloe in enumerate(group.kloes)),
        "KLOE",
    )
    found += _duplicates(((("tables", i, "id"), t.id) for i, t in enumerate(framework.tables)), "table")
    for si, scale in enumerate(framework.scales):
        found += _duplicates(((("scales", si, "levels", li, "level"), str(lv.level)) for li, lv in enumerate(scale.levels)), "level")
    return found


def references_resolve(framework: Framework) -> list[Found]:
    """Every id a field refers to (scale, judgement, parent KLOE, table, rule input) exists."""
    scales = {s.id for s in framework.scales}
    judgements = {j.id for j in framework.judgements}
    groups = {g.id for g in framework.groups}
    tables = {t.id for t in framework.tables}
    found: list[Found] = []

    def need(path: FieldPath, value: str | None, known: set[str], what: str) -> None:
        if value is not None and value not in known:
            choices = ", ".join(sorted(known)) or "none defined"
            found.append(Found(path, f"unknown {what} {value!r} (known: {choices})"))

    for ji, judgement in enumerate(framework.judgements):
        need(("judgements", ji, "scale"), judgement.scale, scales, "scale")
        if judgement.rule:
            for ii, input_id in enumerate(judgement.rule.inputs):
                need(("judgements", ji, "rule", "inputs", ii), input_id, judgements | groups, "judgement or group")
            need(("judgements", ji, "rule", "table"), judgement.rule.table, tables, "table")
    for gi, group in enumerate(framework.groups):
        need(("groups", gi, "judgement"), group.judgement, judgements, "judgement")
        kloe_ids = {kloe.id for kloe in group.kloes}
        for ki, kloe in enumerate(group.kloes):
            if kloe.parent == kloe.id:
                found.append(Found(("groups", gi, "kloes", ki, "parent"), "a KLOE cannot be its own parent"))
            else:
                need(("groups", gi, "kloes", ki, "parent"), kloe.parent, kloe_ids, "parent KLOE (in the same group)")
    for ti, table in enumerate(framework.tables):
        need(("tables", ti, "row_input"), table.row_input, judgements, "judgement")
        need(("tables", ti, "column_input"), table.column_input, judgements, "judgement")
    if framework.flags:
        need(("flags", "judgement"), framework.flags.judgement, judgements, "judgement")
    if framework.self_assessment_template:
        for si, section in enumerate(framework.self_assessment_template.sections):
            need(("self_assessment_template", "sections", si, "group"), section.group, groups, "group")
    return found


def levels_inside_scales(framework: Framework) -> list[Found]:
    """Descriptor levels exist on the scale of the KLOE's judgement; scored work has a scale."""
    scales = {s.id: {lv.level for lv in s.levels} for s in framework.scales}
    judgements = {j.id: j for j in framework.judgements}
    found: list[Found] = []
    for gi, group in enumerate(framework.groups):
        judgement = judgements.get(group.judgement)
        if judgement is None:
            continue  # reported by references_resolve
        levels = scales.get(judgement.scale or "", set())
        if group.scored and not judgement.scale:
            found.append(Found(("groups", gi, "scored"), f"a scored group needs a judgement with a scale; {judgement.id!r} has none"))
        for ki, kloe in enumerate(group.kloes):
            for level in kloe.descriptors:
                if level not in levels:
                    found.append(Found(("groups", gi, "kloes", ki, "descriptors", level), f"level {level} is not on the scale {judgement.scale!r}"))
            for level, headings in kloe.descriptor_headings.items():
                count = len(kloe.descriptors.get(level, []))
                for position in headings:
                    if not 0 <= position < count:
                        found.append(
                            Found(
                                ("groups", gi, "kloes", ki, "descriptor_headings", level, position),
                                f"a heading must stand above one of level {level}'s {count} statements (positions 0 to {count - 1})"
                                if count
                                else f"level {level} has no statements to head",
                            )
                        )
            for level in kloe.descriptor_sources:
                if level not in kloe.descriptors:
                    found.append(Found(("groups", gi, "kloes", ki, "descriptor_sources", level), f"level {level} has no descriptors to source"))
            if kloe.scored and not group.scored:
                found.append(Found(("groups", gi, "kloes", ki, "scored"), "a scored KLOE inside a group that is not scored"))
    return found


def tables_complete(framework: Framework) -> list[Found]:
    """A combination table has exactly one cell for every pair of levels on its inputs' scales."""
    found: list[Found] = []
    for ti, table in enumerate(framework.tables):
        seen: dict[tuple[int, int], int] = {}
        for ci, cell in enumerate(table.cells):
            key = (cell.row, cell.column)
            if key in seen:
                found.append(Found(("tables", ti, "cells", ci), f"duplicate cell row {cell.row}, column {cell.column} (also cells[{seen[key]}])"))
            seen[key] = ci
            if len(set(cell.options)) != len(cell.options):
                found.append(Found(("tables", ti, "cells", ci, "options"), "the two options must differ"))
        rows = sorted({row for row, _ in seen})
        columns = sorted({column for _, column in seen})
        missing = [(r, c) for r in rows for c in columns if (r, c) not in seen]
        if missing:
            found.append(Found(("tables", ti, "cells"), f"missing cells (row, column): {missing}"))
    return found


CHECKS: dict[str, Check] = {
    "unique_ids": unique_ids,
    "references": references_resolve,
    "levels": levels_inside_scales,
    "tables": tables_complete,
}


def run_checks(framework: Framework) -> list[Found]:
    """Every problem every check finds."""
    return [problem for check in CHECKS.values() for problem in check(framework)]
