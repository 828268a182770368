"""What a council's report shows, as plain data: built from framework + stored assessment + scores.

Pure functions of their inputs (and the clock, for the generated time, which callers may
pass), so the same revision always gives the same report. Templates only lay this data out;
every word shown comes from the framework file or from what the analyst recorded.

A report is refused (``ReportError``) when it would mislead: scores with problems (a decision
without its rationale, a KLOE the framework no longer has), or nothing assessed at all.
Work still pending (KLOEs not yet levelled, a "2 or 3" not yet decided) is shown as such.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from kloe_nb import __version__
from kloe_nb.analysis.sensitivity import sensitivity
from kloe_nb.analysis.trend import Trend
from kloe_nb.assessment.model import KloeRecord
from kloe_nb.errors import KloeError
from kloe_nb.framework.labels import level_name
from kloe_nb.framework.loader import LoadedFramework
from kloe_nb.framework.model import CombinationTable, Framework, Group, Kloe, Scale
from kloe_nb.framework.naming import group_heading, group_label, kloe_number, kloe_prefixes, kloe_reference
from kloe_nb.render.charts import level_chart
from kloe_nb.render.labels import level_text
from kloe_nb.report.anchors import kloe_anchors
from kloe_nb.report.plan import action_views, unplanned_areas
from kloe_nb.report.travel import travel_view
from kloe_nb.report.views import (
    FlagView,
    GroupView,
    ImprovementPoint,
    JudgementView,
    KloeView,
    MetGroup,
    Provenance,
    ReportContext,
    SensitivityView,
    TableView,
)
from kloe_nb.report.wording import judgement_sentence
from kloe_nb.scoring.score import LevelScore, Scores, score
from kloe_nb.store.address import display
from kloe_nb.store.base import StoredAssessment

__all__ = ["ReportError", "build_context", "summary_data"]


class ReportError(KloeError):
    """This council's report cannot be produced; the message says why and what to do."""


# -- small helpers ---------------------------------------------------------------------------
def _suggested_text(scale: Scale | None, result: LevelScore) -> str:
    return level_name(scale, result.suggested) if result.suggested is not None else ""


def _spread_text(scale: Scale | None, result: LevelScore) -> str:
    if not result.spread:
        return ""
    parts = [f"{count} at {level_name(scale, int(level))}" for level, count in result.spread.items()]
    text = ", ".join(parts)
    if result.missing:
        text += f"; {len(result.missing)} not yet assessed"
    return text


def _statement_heading(scale: Scale | None, level: int) -> str:
    if scale is not None:
        for item in scale.levels:
            if item.level == level and item.heading and (item.label or "").lower() not in item.heading.lower():
                return f"{level_name(scale, level)}: {item.heading}"
    name = level_name(scale, level)
    return name if name != str(level) else f"Level {name}"  # "4 Excellent", or "Level 3" on a scale without labels


def _every_column(scale: Scale | None, kloe: Kloe, met: list[MetGroup]) -> list[MetGroup]:
    """The statements met at each described level, highest first, with an empty group where none is."""
    found = {group.level: group for group in met}
    return [
        found.get(level) or MetGroup(level, _statement_heading(scale, level), [], len(kloe.descriptors[level]))
        for level in sorted(kloe.descriptors, reverse=True)
        if kloe.descriptors[level]
    ]


# -- the parts -------------------------------------------------------------------------------
def _input_names(framework: Framework) -> dict[str, str]:
    """What a judgement's 'not yet assessed' list calls each input, never by id: a KLOE by number ('KLOE 2.1'), else
    by its title in quotes (after its theme where another theme has a KLOE of that title), a group by its label,
    a judgement by its title in quotes."""
    prefixes = kloe_prefixes(framework)
    names = {judgement.id: f"\u201c{judgement.title}\u201d" for judgement in framework.judgements}
    names |= {group.id: group_label(group) for group in framework.groups}
    for _, kloe in framework.iter_kloes():
        shared = prefixes[kloe.id] and not kloe_number(kloe)
        names[kloe.id] = f"{prefixes[kloe.id]} {kloe_reference(kloe)}" if shared else kloe_reference(kloe)
    return names


def _judgements(framework: Framework, scores: Scores, boundary: set[str]) -> list[JudgementView]:
    views = []
    names = _input_names(framework)
    for judgement in framework.judgements:
        result = scores.judgements[judgement.id]
        scale = framework.scale(judgement.scale) if judgement.scale else None
        derived = ""
        if judgement.rule and judgement.rule.inputs:
            inputs = []
            for input_id in judgement.rule.inputs:
                other = scores.judgements.get(input_id) or scores.groups.get(input_id)
                if other is not None:
                    shown = str(other.level) if other.level is not None else "not yet"
                    inputs.append(f"{other.title} {shown}")
            rule = judgement.rule.name.replace("_", " ")
            derived = f"{rule} of " + ", ".join(inputs)
            if judgement.rule.rounding:
                derived += f" (rounded {judgement.rule.rounding.replace('_', ' ')})"
        elif result.spread:
            derived = _spread_text(scale, result)
        views.append(
            JudgementView(
                id=judgement.id,
                title=judgement.title,
                scored=judgement.scored,
                level=result.level,
                level_text=level_text(scale, result),
                suggested_text=_suggested_text(scale, result),
                differs=result.differs,
                needs_judgement=result.needs_judgement,
                options_text=" or ".join(level_name(scale, option) for option in result.options) if len(result.options) > 1 else "",
                rationale=result.rationale,
                derived_from=derived,
                note=judgement.note or "",
                missing=[names.get(input_id, input_id) for input_id in result.missing],
                at_boundary=judgement.id in boundary,
                provisional=result.provisional,
            )
        )
    return views


def moderation_text(record: KloeRecord) -> tuple[str, str]:
    """('agreed in moderation: A 2, B 3 → 3', 'why; moderated by whom') for a KLOE agreed in moderation, else ('', '')."""
    moderation = record.moderation
    if moderation is None:
        return "", ""
    tracks = sorted(moderation.levels, key=lambda track: (track != "", track))
    parts = [
        f"{moderation.assessors.get(track) or track or 'lead'} {level if level is not None else 'not levelled'}"
        for track, level in ((track, moderation.levels[track]) for track in tracks)
    ]
    agreed = str(record.level) if record.level is not None else "not levelled"
    note = "; ".join(part for part in (moderation.note, f"moderated by {moderation.moderated_by}" if moderation.moderated_by else "") if part)
    return f"agreed in moderation: {', '.join(parts)} \u2192 {agreed}", note


def _kloe_view(framework: Framework, group: Group, kloe: Kloe, stored: StoredAssessment, result: LevelScore, anchor: str) -> KloeView:
    scale = framework.scale_for_group(group)
    record = stored.assessment.record(kloe.id)
    verdicts: dict[str, list[MetGroup]] = {"met": [], "falls_short": []}
    for name, marked in verdicts.items():
        for level, indexes in sorted(getattr(record, name).items(), reverse=True):
            statements = kloe.descriptors.get(level, [])
            chosen = [statements[index] for index in indexes if index < len(statements)]
            if chosen:
                marked.append(MetGroup(level, _statement_heading(scale, level), chosen, len(statements)))
    if result.counts:  # something is marked: every column gets its count ("0 of 6"), so the note need not repeat them
        verdicts["met"] = _every_column(scale, kloe, verdicts["met"])
    moderated, moderation_note = moderation_text(record)
    return KloeView(
        id=kloe.id,
        number=kloe_number(kloe),
        title=kloe.title,
        section=kloe.section or "",
        scored=kloe.scored,
        level=result.level,
        level_text="context only (not scored)" if not kloe.scored else level_text(scale, result),
        suggested_text=_suggested_text(scale, result),
        differs=result.differs,
        higher_met=result.higher_met,
        met=verdicts["met"],
        falls_short=verdicts["falls_short"],
        counts=result.next_verdict,
        mixed=result.mixed,
        described=bool(kloe.descriptors),
        evidence=list(record.evidence),
        strengths=record.strengths,
        areas_for_improvement=record.areas_for_improvement,
        current_position=record.current_position,
        rationale=record.rationale,
        moderation=moderated,
        moderation_note=moderation_note,
        actions=len(record.actions),
        anchor=anchor,
    )


def _groups(framework: Framework, stored: StoredAssessment, scores: Scores) -> list[GroupView]:
    views = []
    anchors = kloe_anchors(framework)
    for group in framework.groups:
        scale = framework.scale_for_group(group)
        result = scores.groups[group.id]
        kloes = [_kloe_view(framework, group, kloe, stored, scores.kloes[kloe.id], anchors[kloe.id]) for kloe in group.kloes]
        scored_kloes = [view for view in kloes if view.scored]
        chart = level_chart(group_heading(group), scale, scored_kloes) if scored_kloes and scale is not None else None
        views.append(
            GroupView(
                id=group.id,
                kind=group.kind,
                heading=group_heading(group),
                judgement_title=framework.judgement(group.judgement).title,
                scored=result.scored,
                score_text=level_text(scale, result) if result.scored else "not scored",
                spread_text=_spread_text(scale, result),
                kloes=kloes,
                chart=chart,
            )
        )
    return views


def _table_view(framework: Framework, table: CombinationTable, scores: Scores, result_id: str | None) -> TableView:
    rows = sorted({cell.row for cell in table.cells}, reverse=True)
    columns = sorted({cell.column for cell in table.cells})
    cells = {(cell.row, cell.column): " or ".join(str(option) for option in cell.options) for cell in table.cells}
    row_level = scores.judgements[table.row_input].level if table.row_input in scores.judgements else None
    column_level = scores.judgements[table.column_input].level if table.column_input in scores.judgements else None
    highlight = (row_level, column_level) if row_level is not None and column_level is not None else None
    result = scores.judgements.get(result_id) if result_id else None
    result_text = ""
    if result is not None:
        scale = framework.scale(framework.judgement(result.id).scale or "") if framework.judgement(result.id).scale else None
        result_text = level_text(scale, result)
    return TableView(
        title=table.title,
        row_title=framework.judgement(table.row_input).title,
        column_title=framework.judgement(table.column_input).title,
        rows=rows,
        columns=columns,
        cells=cells,
        highlight=highlight,
        rules=list(table.rules),
        result_title=result.title if result else "",
        result_text=result_text,
    )


def _tables(framework: Framework, scores: Scores) -> list[TableView]:
    users = {j.rule.table: j.id for j in framework.judgements if j.rule and j.rule.table}
    return [_table_view(framework, table, scores, users.get(table.id)) for table in framework.tables]


def _improvements(groups: list[GroupView]) -> list[ImprovementPoint]:
    points = []
    for group in groups:
        for kloe in group.kloes:
            if kloe.areas_for_improvement.strip():
                points.append(ImprovementPoint(kloe.number, kloe.title, group.heading, kloe.areas_for_improvement))
    return points


def _sensitivity(framework: Framework, stored: StoredAssessment) -> list[SensitivityView]:
    found = sensitivity(framework, stored.assessment)
    views = []
    for judgement in framework.judgements:
        item = found.get(judgement.id)
        if item is None or not judgement.scored or not judgement.scale:
            continue
        scale = framework.scale(judgement.scale)
        suggested = " or ".join(level_name(scale, option) for option in item.options)
        views.append(SensitivityView(judgement.id, judgement.title, suggested, item.at_boundary, list(item.sentences)))
    return views


def _check(scores: Scores, stored: StoredAssessment) -> None:
    who = f"council {stored.assessment.organisation.code} ({stored.assessment.organisation.name}), framework {scores.framework}"
    if scores.problems:
        raise ReportError(f"{who}: the assessment has problems to resolve first: " + "; ".join(scores.problems))
    if not any(result.scored and result.level is not None for result in scores.kloes.values()):
        raise ReportError(f"{who}: nothing assessed yet (no KLOE has a level, revision {stored.revision}); level at least one KLOE first")


def build_context(
    record: LoadedFramework, stored: StoredAssessment, generated: datetime | None = None, *, trend: Trend | None = None, scores: Scores | None = None
) -> ReportContext:
    """Everything one council's report shows, or ReportError saying why there can be no report.

    ``trend`` is the council's periods up to this one (``kloe_nb.analysis.load_trend``); without
    it the report has no direction of travel section. ``scores`` is ``score(framework, assessment)``
    when the caller has it already (``load_with_trend`` does), so it is not computed twice.
    """
    framework = record.framework
    assessment = stored.assessment
    if assessment.framework != framework.id:
        raise ReportError(f"the stored assessment is for framework {assessment.framework!r}, not {framework.id!r}")
    scores = scores if scores is not None else score(framework, assessment)
    _check(scores, stored)
    generated = generated or datetime.now(timezone.utc)
    groups = _groups(framework, stored, scores)
    sensitive = _sensitivity(framework, stored)
    flag_meanings: dict[str, list[str]] = {kind.colour: list(kind.meaning) for kind in framework.flags.kinds} if framework.flags else {}
    provenance = Provenance(
        framework_id=framework.id,
        framework_title=framework.title,
        framework_version=framework.version,
        source_document=framework.source.document,
        source_title=framework.source.title,
        sha256=record.sha256,
        package_version=__version__,
        revision=stored.revision,
        saved_at=stored.saved_at,
        saved_by=stored.saved_by,
        generated=generated.strftime("%Y-%m-%d %H:%M UTC"),
        recorded_version=(assessment.framework_version.version if assessment.framework_version else ""),
    )
    return ReportContext(
        code=assessment.organisation.code,
        name=assessment.organisation.name,
        framework=framework,
        period=assessment.period,
        assessor=assessment.assessor,
        illustrative=assessment.illustrative,
        assessed_on=stored.saved_at[:10],
        sentence=judgement_sentence(framework, scores),
        judgements=_judgements(framework, scores, {view.id for view in sensitive if view.at_boundary}),
        groups=groups,
        tables=_tables(framework, scores),
        flags=[FlagView(f["colour"], f["subject"], f["reason"], list(f["criteria"])) for f in scores.flags],
        flag_meanings=flag_meanings,
        flags_apply=framework.flags is not None,
        improvements=_improvements(groups),
        pending=list(scores.pending),
        provenance=provenance,
        scores=scores,
        actions=action_views(framework, assessment),
        unplanned=unplanned_areas(framework, assessment),
        sensitivity=sensitive,
        travel=travel_view(framework, trend, assessment.period) if trend is not None else None,
    )


def _shown(parameters: dict[str, str]) -> dict[str, str]:
    """The parameters as received, a store URL without any password (the summary is read by people and the index)."""
    return {name: display(value) if name == "store" else value for name, value in parameters.items()}


def summary_data(context: ReportContext, parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """What the batch index and summary.csv need from a report, as JSON-ready data."""
    scores = context.scores
    travel = context.travel
    directions = {row.id: row.direction for row in travel.judgements} if travel is not None else {}
    judgements = {}
    for view in context.judgements:
        result = scores.judgements[view.id]
        judgements[view.id] = {
            "title": view.title,
            "scored": view.scored,
            "level": result.level,
            "label": result.label,
            "stars": result.stars,
            "text": view.level_text,
            "needs_judgement": result.needs_judgement,
            "options": result.options,
            "direction": directions.get(view.id, ""),  # "up", "down", "same" since the previous period, "" if none
        }
    return {
        "code": context.code,
        "name": context.name,
        "framework": context.framework.id,
        "period": context.period,
        "revision": context.provenance.revision,
        "saved_at": context.provenance.saved_at,
        "illustrative": context.illustrative,
        "complete": scores.complete,
        "sentence": context.sentence,
        "judgements": judgements,
        "kloes": {kloe_id: result.level for kloe_id, result in scores.kloes.items() if result.scored},
        "periods": list(travel.periods) if travel is not None else [context.period],
        "actions": len(context.actions),
        "parameters": _shown(parameters or {}),
    }
