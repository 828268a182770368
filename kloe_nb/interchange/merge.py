"""Importing a filled-in Excel workbook over a stored assessment: a field the workbook holds wins, one it lacks is kept.

A workbook of the current layout holds every field the form edits: each KLOE's level, current
position, evidence, strengths, areas for improvement, rationale ("Why it differs") and actions
(its question sheets and Action plan), the statement verdicts of every KLOE with descriptors
(Descriptors), the judgement decisions (Judgements) and, for a framework with flags, the flags
(Flags). Those come from the file: a verdict cleared or an action deleted there is cleared or
deleted. What it never holds (moderation records, the peer group, and anything of a KLOE or
judgement it has no row or sheet for: a KLOE the framework no longer has keeps its verdicts, a
workbook of layout 1 keeps every verdict, rationale, decision and flag) is carried over from the
stored revision. ``Carried`` says which is which; the reader fills it in from what the file has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kloe_nb.assessment.model import Assessment, JudgementDecision, KloeRecord
from kloe_nb.interchange.xlsx_layout import INPUTS, LAYOUT_1_INPUTS


@dataclass(frozen=True)
class Carried:
    """What a workbook holds, so an import takes those fields from it and keeps every other from the store."""

    kloe_fields: frozenset[str] = frozenset({*INPUTS.values(), "actions"})
    """The KLOE fields of the question sheets and the Action plan (for every KLOE: one without a row has them blank)."""
    statement_kloes: frozenset[str] = frozenset()
    """The KLOEs whose statement verdicts the Descriptors sheet holds."""
    statement_fields: frozenset[str] = frozenset({"met", "falls_short"})
    """Which verdicts it holds: both, or only ``met`` for a threshold framework (its form offers no "falls short of this")."""
    judgements: frozenset[str] = frozenset()
    """The judgements with a row on the Judgements sheet."""
    flags: bool = False
    """Whether the workbook has a Flags sheet (the whole list of flags)."""


LAYOUT_1 = Carried(kloe_fields=frozenset({*LAYOUT_1_INPUTS.values(), "actions"}))
"""What a workbook written before layout 2 holds: levels, text, evidence and actions."""

BLANK = KloeRecord()


@dataclass(frozen=True)
class WorkbookRead:
    """A workbook read back: the assessment it holds, which fields it holds, and the store revision it was exported at."""

    assessment: Assessment
    carried: Carried = field(default_factory=Carried)
    revision: int | None = None
    """The revision the workbook was exported at (None: a blank template, or a workbook of layout 1)."""


def carry_over(stored: Assessment, read: WorkbookRead) -> Assessment:
    """The workbook's fields, with every field it does not hold taken from ``stored``."""
    imported, carried = read.assessment, read.carried
    kloes: dict[str, KloeRecord] = {}
    for kloe_id in [*stored.kloes, *(kloe_id for kloe_id in imported.kloes if kloe_id not in stored.kloes)]:
        previous, record = stored.record(kloe_id), imported.record(kloe_id)
        names = set(carried.kloe_fields) | (set(carried.statement_fields) if kloe_id in carried.statement_kloes else set())
        merged = KloeRecord.model_validate({**previous.model_dump(), **{name: getattr(record, name) for name in names}})
        if merged != BLANK:
            kloes[kloe_id] = merged
    judgements = dict(stored.judgements)
    for judgement_id in carried.judgements:
        judgements[judgement_id] = imported.judgements.get(judgement_id, JudgementDecision())
    judgements = {judgement_id: decision for judgement_id, decision in judgements.items() if decision != JudgementDecision()}
    organisation = imported.organisation
    if not organisation.group and stored.organisation.group:
        organisation = organisation.model_copy(update={"group": stored.organisation.group})
    return imported.model_copy(
        update={
            "kloes": kloes,
            "judgements": judgements,
            "flags": imported.flags if carried.flags else stored.flags,
            "organisation": organisation,
            "track": imported.track or stored.track,
            "framework_version": imported.framework_version or stored.framework_version,
        }
    )
