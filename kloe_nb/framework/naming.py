"""How people are told which KLOE or question: the number a reader knows, the heading the source prints.

Shared by the report, the batch index, the comparison, the form, the handbook (as Jinja
filters, ``render/environment.py``) and the analysis sentences (sensitivity), so a KLOE is
called the same everywhere. A KLOE whose id is not a number ('track-record') is named by its
title alone; its id is for files and commands, not for readers. Where such titles repeat
(wao-housing has a "Diversity" KLOE in five themes), ``kloe_prefixes`` adds the group's label,
so a list read on paper, without links, still says which KLOE.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only named here: the page filters are registered without the pydantic model (``framework/__init__.py``)
    from kloe_nb.framework.model import Framework, Group, Kloe

NUMBERED = re.compile(r"^[A-Za-z]?\d+(\.\d+)*$")


def kloe_number(kloe: Kloe) -> str:
    """The number a reader knows a KLOE by ('2.1'), or '' where the source numbers it only by its title."""
    if kloe.number:
        return kloe.number
    return kloe.id if NUMBERED.match(kloe.id) else ""


def group_label(group: Group) -> str:
    """'Question 2' where the source numbers the group, else its title (where space is short: chart columns, progress)."""
    return f"{group.kind.title()} {group.number}" if group.number else group.title


def group_heading(group: Group) -> str:
    """'Question 2: Is the service meeting the needs...?' (the kind and number the source prints, then the title)."""
    label = f"{group.kind.title()} {group.number}: " if group.number else ""
    return label + group.title


def kloe_prefixes(framework: Framework) -> dict[str, str]:
    """Each KLOE id's words before its title, so that together they name no other KLOE of the framework: its
    number ('2.1'); unnumbered, its group's label ('Theme 1.2') where another KLOE has the same title; else ''."""
    titles = Counter(kloe.title for _, kloe in framework.iter_kloes())
    return {kloe.id: kloe_number(kloe) or (group_label(group) if titles[kloe.title] > 1 else "") for group, kloe in framework.iter_kloes()}


def kloe_reference(kloe: Kloe) -> str:
    """'KLOE 2.1' where the source numbers it, else its title in quotes ('"Track record"')."""
    number = kloe_number(kloe)
    return f"KLOE {number}" if number else f"\u201c{kloe.title}\u201d"


def kloe_heading(kloe: Kloe) -> str:
    """'KLOE 2.1: Managing the caseload' where the source numbers it, else its title alone."""
    number = kloe_number(kloe)
    return f"KLOE {number}: {kloe.title}" if number else kloe.title


def kloe_label(kloe: Kloe) -> str:
    """'2.1 Managing the caseload' (lists and charts), else its title alone."""
    number = kloe_number(kloe)
    return f"{number} {kloe.title}" if number else kloe.title


def kloe_names(kloes: list[Kloe]) -> str:
    """Several KLOEs in a sentence: 'KLOE 2.5, 2.6', or their titles in quotes where the source numbers them by title only."""
    return "KLOE " + ", ".join(kloe_number(kloe) or f"\u201c{kloe.title}\u201d" for kloe in kloes)
