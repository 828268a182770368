"""The flattened JSON view of a framework (docs/design.md contract for ``kloe frameworks show --json``).

Other tools read this shape, so it is built here in one place: one list of KLOEs, each
carrying its judgement, question or theme, and descriptors keyed by level as a string.
"""

from __future__ import annotations

from typing import Any

from kloe_nb.framework.model import Framework, Group, Kloe, Scale


def _scale(scale: Scale) -> dict[str, Any]:
    return {
        "title": scale.title,
        "note": scale.note,
        "levels": [level.model_dump(exclude_none=False) for level in scale.levels],
    }


def _kloe(group: Group, kloe: Kloe) -> dict[str, Any]:
    return {
        "id": kloe.id,
        "number": kloe.number,
        "judgement": group.judgement,
        "question": group.id if group.kind == "question" else None,
        "theme": group.id if group.kind == "theme" else None,
        "group_title": group.title,
        "parent": kloe.parent,
        "section": kloe.section,
        "title": kloe.title,
        "scored": kloe.scored,
        "prompts": list(kloe.prompts),
        "descriptors": {str(level): list(statements) for level, statements in sorted(kloe.descriptors.items(), reverse=True)},
        "descriptor_sources": {str(level): source for level, source in kloe.descriptor_sources.items()},
        "focus": list(kloe.focus),
        "evidence_that": [*group.evidence_that, *kloe.evidence_that],
        "sources_of_evidence": [*group.sources_of_evidence, *kloe.sources_of_evidence],
        "guidance": list(kloe.guidance),
    }


def flatten(framework: Framework, sha256: str | None = None) -> dict[str, Any]:
    """The framework as the flattened JSON object of docs/design.md."""
    return {
        "id": framework.id,
        "version": framework.version,
        "sha256": sha256,
        "title": framework.title,
        "publisher": framework.publisher,
        "date": framework.date,
        "source": framework.source.document,
        "source_title": framework.source.title,
        "other_sources": [source.document for source in framework.other_sources],
        "judgements": [
            {"id": j.id, "title": j.title, "scale": j.scale, "scored": j.scored, "rule": j.rule.model_dump() if j.rule else None} for j in framework.judgements
        ],
        "scales": {scale.id: _scale(scale) for scale in framework.scales},
        "groups": [{"id": g.id, "kind": g.kind, "number": g.number, "title": g.title, "judgement": g.judgement, "scored": g.scored} for g in framework.groups],
        "kloes": [_kloe(group, kloe) for group, kloe in framework.iter_kloes()],
        "tables": [table.model_dump() for table in framework.tables],
        "flags": framework.flags.model_dump() if framework.flags else None,
        "self_assessment_template": (framework.self_assessment_template.model_dump() if framework.self_assessment_template else None),
    }


def summary(framework: Framework) -> dict[str, Any]:
    """One line of ``kloe frameworks list --json``."""
    kloes = framework.iter_kloes()
    return {
        "id": framework.id,
        "title": framework.title,
        "publisher": framework.publisher,
        "date": framework.date,
        "source": framework.source.document,
        "judgements": [j.id for j in framework.judgements],
        "kloes": len(kloes),
        "scored_kloes": sum(1 for _, kloe in kloes if kloe.scored),
    }
