"""Importing a filled-in Excel template over a stored assessment without losing what it cannot hold.

The template holds levels, current position, evidence, strengths and areas for improvement.
Which statements are met, KLOE rationales, judgement decisions and flags live only in the
store (the form records them), so they are carried over from the stored revision.
"""

from __future__ import annotations

from kloe_nb.assessment.model import Assessment


def carry_over_untemplated(stored: Assessment, imported: Assessment) -> Assessment:
    """The imported template's fields, with everything the template cannot hold taken from ``stored``."""
    kloes = dict(imported.kloes)
    for kloe_id, previous in stored.kloes.items():
        record = kloes.get(kloe_id)
        kept = {"met": previous.met, "rationale": previous.rationale}
        kloes[kloe_id] = record.model_copy(update=kept) if record is not None else previous.model_copy(
            update={"level": None, "evidence": [], "strengths": "", "areas_for_improvement": "", "current_position": ""}
        )
    kloes = {kloe_id: record for kloe_id, record in kloes.items() if not record.is_empty()}
    return imported.model_copy(
        update={
            "kloes": kloes,
            "judgements": stored.judgements,
            "flags": stored.flags,
            "framework_version": imported.framework_version or stored.framework_version,
        }
    )
