"""Checking an assessment against its framework.

Three kinds of finding: *problems* (a level off the scale, a level on a context-only KLOE, a
statement index that does not exist, an unknown judgement) make the assessment invalid;
*unknown KLOEs* (recorded against a KLOE the framework no longer has) are kept, never
dropped, and listed, and scoring refuses the assessment until they are resolved; *warnings*
(an evidence date seen that is not a date, from before the form checked it) are said and change
nothing: the assessment loads, scores and keeps the text as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kloe_nb.assessment.dates import date_seen_problem
from kloe_nb.assessment.model import Assessment
from kloe_nb.errors import InvalidInputError, Problem
from kloe_nb.framework.model import Framework


@dataclass
class Findings:
    """What checking an assessment against its framework found."""

    problems: list[Problem] = field(default_factory=list)
    unknown_kloes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _where(assessment: Assessment) -> str:
    return f"organisation {assessment.organisation.code} ({assessment.organisation.name})"


def check_assessment(framework: Framework, assessment: Assessment) -> Findings:
    """Every problem of the assessment against the framework, and the KLOEs it does not know."""
    findings = Findings()
    where = _where(assessment)

    def problem(path: str, message: str) -> None:
        findings.problems.append(Problem(where, path, message))

    if assessment.framework != framework.id:
        problem("framework", f"the assessment is for {assessment.framework!r}, not {framework.id!r}")
    known = {kloe.id: (group, kloe) for group, kloe in framework.iter_kloes()}
    for kloe_id, record in assessment.kloes.items():
        if kloe_id not in known:
            findings.unknown_kloes.append(kloe_id)
            continue
        group, kloe = known[kloe_id]
        for index, item in enumerate(record.evidence):
            if seen := date_seen_problem(item.date_seen):
                findings.warnings.append(Problem(where, f"kloes.{kloe_id}.evidence[{index}].date_seen", f"{seen} (kept as it is)"))
        scale = framework.scale_for_group(group)
        levels = {level.level for level in scale.levels} if scale else set()
        path = f"kloes.{kloe_id}"
        if record.level is not None:
            if not kloe.scored:
                problem(f"{path}.level", f"KLOE {kloe_id} is context only and is not scored; remove the level {record.level}")
            elif record.level not in levels:
                problem(f"{path}.level", f"level {record.level} is not on the scale (levels {sorted(levels)})")
        for field_name in ("met", "falls_short"):
            for level, indexes in getattr(record, field_name).items():
                statements = kloe.descriptors.get(level)
                where_field = f"{path}.{field_name}.{level}"
                if statements is None:
                    described = sorted(kloe.descriptors) or "none"
                    problem(where_field, f"KLOE {kloe_id} has no level {level} descriptors (it describes levels {described})")
                    continue
                if field_name == "falls_short" and level != min(kloe.descriptors):
                    problem(
                        where_field,
                        f"only statements of the lowest described level ({min(kloe.descriptors)}) can be fallen short of; "
                        f"for level {level} leave the statement unmarked",
                    )
                for index in indexes:
                    if index >= len(statements):
                        problem(
                            where_field,
                            f"statement {index} does not exist: KLOE {kloe_id} level {level} has statements 0-{len(statements) - 1}",
                        )
    judgements = {judgement.id: judgement for judgement in framework.judgements}
    for judgement_id, decision in assessment.judgements.items():
        judgement = judgements.get(judgement_id)
        if judgement is None:
            problem(f"judgements.{judgement_id}", f"unknown judgement (the framework has {', '.join(judgements)})")
        elif decision.level is not None:
            if not judgement.scored or judgement.scale is None:
                problem(f"judgements.{judgement_id}.level", f"{judgement.title!r} is not scored; remove the level")
            elif decision.level not in {lv.level for lv in framework.scale(judgement.scale).levels}:
                problem(f"judgements.{judgement_id}.level", f"level {decision.level} is not on the scale")
    if assessment.flags and framework.flags is None:
        problem("flags", f"framework {framework.id} has no flags; flags belong to the CAA area assessment")
    elif framework.flags is not None:
        kinds = {kind.colour: kind for kind in framework.flags.kinds}
        for index, flag in enumerate(assessment.flags):
            kind = kinds.get(flag.colour)
            if kind is None:
                problem(f"flags[{index}].colour", f"the framework has no {flag.colour} flags")
                continue
            for criterion in flag.criteria:
                if criterion >= len(kind.criteria):
                    problem(f"flags[{index}].criteria", f"criterion {criterion} does not exist ({flag.colour} flags have {len(kind.criteria)})")
    return findings


def require_valid(framework: Framework, assessment: Assessment, source: str) -> Findings:
    """The findings, or InvalidInputError listing every problem (unknown KLOEs alone are not an error here)."""
    findings = check_assessment(framework, assessment)
    if findings.problems:
        raise InvalidInputError(source, findings.problems)
    return findings


def framework_change_note(framework: Framework, sha256: str, assessment: Assessment) -> str | None:
    """What changed since the assessment was saved, when its framework file has changed since (None if not).

    The assessment records the framework version and file digest it was made against; KLOEs
    it holds that the framework no longer has are kept (never dropped) and named here.
    """
    recorded = assessment.framework_version
    if recorded is None or not recorded.sha256 or recorded.sha256 == sha256:
        return None
    known = {kloe.id for _, kloe in framework.iter_kloes()}
    removed = sorted(kloe_id for kloe_id in assessment.kloes if kloe_id not in known)
    unassessed = sum(1 for kloe_id in known if kloe_id not in assessment.kloes)
    parts = [
        f"framework {framework.id} has changed since this assessment was saved "
        f"(saved against version {recorded.version}, {recorded.sha256[:12]}; now version {framework.version}, {sha256[:12]})"
    ]
    if removed:
        parts.append(f"KLOEs no longer in the framework, kept with what they hold: {', '.join(removed)}")
    parts.append(f"{unassessed} KLOEs of the current framework have nothing recorded")
    return "; ".join(parts)
