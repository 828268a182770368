"""Scoring rules: how a suggested level is derived from the levels it rests on.

Rules are plain functions in a registry, named from the framework file (``rule: {name: ...}``),
the way papermill registers its engines. A rule returns the options it allows: one level,
or two where the source leaves the choice to professional judgement (the CAA table's
"2 or 3" cells), or none when there is nothing to go on yet.

The default for a judgement, question or theme with no declared rule is ``lower_median``
of its KLOE levels. This is the workbook's own convention, not the sources': they say how
KLOEs are used (descriptors are guidance, and inspectors make a rounded judgement against each
KLOE) but not how KLOE levels combine, except the CAA's table. Why this one: an average lets
one excellent KLOE lift a weak service; the lowest level lets one weak KLOE sink a good one.
The lower median is the level at least half the KLOEs reach, rounding down when the middle
falls between two levels, so it is only suggested when most of the KLOEs support it. The
analyst decides, and any decision that differs from the suggestion carries a rationale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from kloe_nb.errors import KloeError
from kloe_nb.framework.model import CombinationTable, Rule

RuleFunction = Callable[[Sequence[int], Rule, "CombinationTable | None"], list[int]]
DEFAULT_RULE = Rule(name="lower_median")

_ROUNDING = {"half_up": ROUND_HALF_UP, "down": ROUND_FLOOR, "up": ROUND_CEILING}


def lower_median(levels: Sequence[int], rule: Rule, table: CombinationTable | None = None) -> list[int]:
    """The level at least half the inputs reach (the lower of the two middle ones)."""
    if not levels:
        return []
    ordered = sorted(levels)
    return [ordered[(len(ordered) - 1) // 2]]


def lowest(levels: Sequence[int], rule: Rule, table: CombinationTable | None = None) -> list[int]:
    """The lowest input level: no weakness is compensated."""
    return [min(levels)] if levels else []


def average(levels: Sequence[int], rule: Rule, table: CombinationTable | None = None) -> list[int]:
    """The mean of the inputs, rounded as the rule says (default: half up).

    The CAA's Use of Resources is the average of three theme scores; three whole numbers
    average to k/3, so a half never arises there and half-up is simply "to the nearest".
    """
    if not levels:
        return []
    mean = Decimal(sum(levels)) / Decimal(len(levels))
    return [int(mean.quantize(Decimal(1), rounding=_ROUNDING[rule.rounding or "half_up"]))]


def combination_table(levels: Sequence[int], rule: Rule, table: CombinationTable | None = None) -> list[int]:
    """The cell of a two-input table: one level, or the two options the source allows."""
    if table is None:
        raise KloeError(f"rule {rule.name!r} needs a table")
    if len(levels) != 2:
        return []
    row, column = levels
    for cell in table.cells:
        if (cell.row, cell.column) == (row, column):
            return sorted(cell.options)
    raise KloeError(f"table {table.id!r} has no cell for row {row}, column {column}")


RULES: dict[str, RuleFunction] = {
    "lower_median": lower_median,
    "lowest": lowest,
    "average": average,
    "combination_table": combination_table,
}


ACCEPTS_PARTIAL_INPUTS = {"lower_median", "lowest"}
"""Rules that can suggest from the levels recorded so far; an average or a table needs every input."""


def rule_function(rule: Rule) -> RuleFunction:
    """The function of a named rule, or an error listing the rules there are."""
    try:
        return RULES[rule.name]
    except KeyError:
        raise KloeError(f"unknown scoring rule {rule.name!r} (known: {', '.join(sorted(RULES))})") from None
