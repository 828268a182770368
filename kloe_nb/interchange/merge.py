"""Importing a filled-in Excel template over a stored assessment without losing what it cannot hold.

The template holds levels, current position, evidence, strengths, areas for improvement and
the improvement plan's actions (its "Action plan" sheet), so those come from the file: an
action deleted there is deleted. Which statements describe the organisation (and which it
falls short of), KLOE rationales, moderation
records, judgement decisions, flags, the peer group and the track live only in the store (the
form records them), so they are carried over from the stored revision.
"""

from __future__ import annotations

from typing import Any

from kloe_nb.assessment.model import Assessment, KloeRecord
from kloe_nb.interchange.xlsx_layout import INPUTS

TEMPLATED: dict[str, Any] = {name: KloeRecord.model_fields[name].get_default(call_default_factory=True) for name in (*INPUTS.values(), "actions")}
"""The KLOE fields the template holds (the question sheets' columns and the Action plan sheet), blank:
what a KLOE the file has no entries for is left with."""


def carry_over_untemplated(stored: Assessment, imported: Assessment) -> Assessment:
    """The imported template's fields, with everything the template cannot hold taken from ``stored``."""
    kloes = dict(imported.kloes)
    for kloe_id, previous in stored.kloes.items():
        record = kloes.get(kloe_id)
        kept = {"met": previous.met, "falls_short": previous.falls_short, "rationale": previous.rationale, "moderation": previous.moderation}
        kloes[kloe_id] = record.model_copy(update=kept) if record is not None else previous.model_copy(update=TEMPLATED)
    kloes = {kloe_id: record for kloe_id, record in kloes.items() if not record.is_empty()}
    organisation = imported.organisation
    if not organisation.group and stored.organisation.group:
        organisation = organisation.model_copy(update={"group": stored.organisation.group})
    return imported.model_copy(
        update={
            "kloes": kloes,
            "judgements": stored.judgements,
            "flags": stored.flags,
            "organisation": organisation,
            "track": imported.track or stored.track,
            "framework_version": imported.framework_version or stored.framework_version,
        }
    )
