"""Levels in the workbook's cells: the drop-downs that offer a scale's levels, and reading a level cell back.

The question sheets' Level column and the Judgements sheet's Decided level use the same words
('3 Good', the bare number where a scale has no labels) and the same reading rules, so a level
is written and read one way wherever it appears. Built on ``xlsx_layout``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.datavalidation import DataValidation

from kloe_nb.framework.model import Scale
from kloe_nb.interchange.xlsx_layout import WRAP, cell_text, put_text, shown_value, unescape_text


def list_validation(options: Sequence[str], title: str, error: str) -> DataValidation:
    """A drop-down of ``options`` that refuses anything else (blank allowed), as one of Excel's typed lists."""
    validation = DataValidation(type="list", formula1=f'"{",".join(options)}"', allow_blank=True, showErrorMessage=True)
    validation.errorTitle, validation.error = title, error
    return validation


def level_options(scale: Scale | None) -> list[str]:
    """What a level drop-down offers: '3 Good' where the scale has labels, '3' where it has none."""
    return [f"{level.level} {level.label}" if level.label else str(level.level) for level in scale.levels] if scale else []


def level_validation(scale: Scale, blank: str) -> DataValidation:
    """The drop-down of a scale's levels; plain numbers where a label has a comma or the list passes Excel's 255 characters."""
    options = level_options(scale)
    if any("," in option or '"' in option for option in options) or len(",".join(options)) > 255:
        options = [str(level.level) for level in scale.levels]
    return list_validation(options, "Level", f"Choose a level from the list, or leave it blank ({blank}).")


def put_level(cell: Cell, level: int | None, scale: Scale | None) -> None:
    """A level as the drop-down shows it ('3 Good'), or the bare number where the scale has no labels."""
    cell.alignment = WRAP
    if level is None:
        return
    options = dict(zip((lv.level for lv in scale.levels), level_options(scale))) if scale else {}
    if level in options and not options[level].isdigit():
        put_text(cell, options[level])
    else:
        cell.value = level


_STARS = re.compile("[\u2605\u2606]+|\\b0 stars\\b")


def parse_level(value: Any, scale: Scale | None) -> tuple[int | None, str | None]:
    """The level in a Level cell (blank = not yet assessed) or why it is not one.

    Accepted: the number (3, 3.0, "3"), the dropdown's "3 Good" (stars ignored), or the label alone.
    """
    levels = {level.level: (level.label or "") for level in scale.levels} if scale else {n: "" for n in (4, 3, 2, 1)}
    rule = f"use {min(levels)}-{max(levels)} or leave blank"

    def number(candidate: int, shown: str) -> tuple[int | None, str | None]:
        return (candidate, None) if candidate in levels else (None, f"level {shown} is not on the scale; {rule}")

    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time)):
        return None, f"level {shown_value(value)} is not a level; {rule}"
    if isinstance(value, int):
        return number(value, str(value))
    if isinstance(value, float):
        return number(int(value), cell_text(value)) if value.is_integer() else (None, f"level {value:g} is not a whole number; {rule}")
    text = " ".join(unescape_text(str(value)).split())
    match = re.fullmatch(r"\+?(\d+)(?:\.0+)?(?:\s+(.*))?", text)
    if match:
        rest = _STARS.sub("", match.group(2) or "").strip().lower()
        level = int(match.group(1))
        if not rest or rest == levels.get(level, "").lower():
            return number(level, repr(text))
        owner = [n for n, label in levels.items() if label and label.lower() == rest]
        if owner:
            return None, f"level {text!r} mixes {level} with the label of level {owner[0]}; choose one from the list, or {rule}"
        return None, f"level {text!r} is not a level; {rule}"
    for level, label in levels.items():
        if label and _STARS.sub("", text).strip().lower() == label.lower():
            return level, None
    return None, f"level {text!r} is not a level; {rule}"
