"""Scoring an assessment: pure functions of framework + assessment.

Per KLOE: the decided level and the level its ticked statements suggest. Per question or
theme and per judgement: a suggested level from the levels below it by the framework's rule
(``rules.py``; default ``lower_median``), the spread of those levels, the decided level, and
the label and stars from the scale. A judgement decision that differs from the suggestion
needs a rationale; a two-option cell (CAA "2 or 3") needs a decision within exactly those
options, with a rationale. ``score`` always returns (the form shows work in progress);
``require_valid_scores`` turns problems into an error for ``kloe score``; work still
pending (KLOEs not yet levelled, a table choice not yet made) is listed, not an error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from kloe_nb.assessment.model import Assessment, JudgementDecision
from kloe_nb.assessment.validate import check_assessment
from kloe_nb.errors import KloeError
from kloe_nb.framework.model import Framework, Judgement, Scale
from kloe_nb.scoring.kloe_suggestion import suggest_kloe_level
from kloe_nb.scoring.rules import ACCEPTS_PARTIAL_INPUTS, DEFAULT_RULE, rule_function


class ScoringError(KloeError):
    """The assessment cannot be given final scores yet; the message lists why and what to do."""


@dataclass
class LevelScore:
    """A score at any tier: suggested and decided level, with the scale's label and stars."""

    id: str
    title: str
    scored: bool = True
    suggested: int | None = None
    level: int | None = None
    label: str | None = None
    stars: int | None = None
    needs_judgement: bool = False
    options: list[int] = field(default_factory=list)
    rationale: str = ""
    differs: bool = False
    higher_met: bool = False
    mixed: bool = False
    reason: str = ""
    counts: str = ""
    next_verdict: str = ""
    spread: dict[str, int] = field(default_factory=dict)
    assessed: int = 0
    total: int = 0
    missing: list[str] = field(default_factory=list)
    kloes_levelled: int = 0
    kloes_total: int = 0
    decided_by_analyst: bool = False  # the level was decided, not taken over from the suggestion
    provisional: str = ""  # "provisional: 2 of 10 KLOEs levelled" where a suggestion rests on only some KLOEs

    def mark_provisional(self) -> None:
        """Say so where the suggestion rests on only some of the KLOEs under it."""
        partial = self.suggested is not None and self.kloes_levelled < self.kloes_total
        self.provisional = f"provisional: {self.kloes_levelled} of {self.kloes_total} KLOEs levelled" if partial else ""


@dataclass
class Scores:
    """Every score of one assessment, and what stops them being final."""

    framework: str
    organisation: dict[str, str]
    period: str
    judgements: dict[str, LevelScore]
    groups: dict[str, LevelScore]
    kloes: dict[str, LevelScore]
    flags: list[dict[str, Any]]
    unknown_kloes: list[str]
    problems: list[str]
    pending: list[str]

    @property
    def complete(self) -> bool:
        """Every scored KLOE levelled and every judgement decided, with no problems."""
        return not self.problems and not self.pending

    def to_json_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["complete"] = self.complete
        return data


def _labelled(score: LevelScore, scale: Scale | None) -> LevelScore:
    if scale is not None and score.level is not None:
        for level in scale.levels:
            if level.level == score.level:
                score.label, score.stars = level.label, level.stars
    return score


def _spread(levels: list[int]) -> dict[str, int]:
    counts = Counter(levels)
    return {str(level): counts[level] for level in sorted(counts, reverse=True)}


def _score_kloes(framework: Framework, assessment: Assessment) -> dict[str, LevelScore]:
    kloes: dict[str, LevelScore] = {}
    for group, kloe in framework.iter_kloes():
        scale = framework.scale_for_group(group)
        record = assessment.record(kloe.id)
        if not kloe.scored:
            kloes[kloe.id] = LevelScore(kloe.id, kloe.title, scored=False)
            continue
        suggestion = suggest_kloe_level(kloe, record, scale, framework.descriptor_reading)
        score = LevelScore(
            kloe.id,
            kloe.title,
            suggested=suggestion.level,
            level=record.level,
            higher_met=suggestion.higher_met,
            mixed=suggestion.mixed,
            reason=suggestion.reason,
            counts=suggestion.counts,
            next_verdict=suggestion.next_verdict,
            rationale=record.rationale,
            differs=record.level is not None and suggestion.level is not None and record.level != suggestion.level,
            assessed=int(record.level is not None),
            total=1,
            missing=[] if record.level is not None else [kloe.id],
        )
        kloes[kloe.id] = _labelled(score, scale)
    return kloes


def _ordered(framework: Framework) -> list[Judgement]:
    """Judgements so that each comes after the judgements its rule reads."""
    by_id = {j.id: j for j in framework.judgements}
    done: list[Judgement] = []
    seen: set[str] = set()

    def visit(judgement: Judgement, trail: tuple[str, ...]) -> None:
        if judgement.id in seen:
            return
        if judgement.id in trail:
            raise KloeError(f"framework {framework.id}: judgement rules form a cycle: {' -> '.join((*trail, judgement.id))}")
        for input_id in judgement.rule.inputs if judgement.rule else []:
            if input_id in by_id:
                visit(by_id[input_id], (*trail, judgement.id))
        seen.add(judgement.id)
        done.append(judgement)

    for judgement in framework.judgements:
        visit(judgement, ())
    return done


def _decide(score: LevelScore, options: list[int], decision: JudgementDecision | None, problems: list[str], pending: list[str]) -> None:
    """Fill the decided level from the suggestion and the analyst's decision, noting what is missing."""
    score.options = options
    score.suggested = options[0] if len(options) == 1 else None
    chosen = decision.level if decision else None
    score.decided_by_analyst = chosen is not None
    score.rationale = decision.rationale if decision else ""
    name = f"{score.id} ({score.title})"
    if len(options) == 2:
        if chosen is None:
            score.needs_judgement = True
            pending.append(f"{name}: the table allows {options[0]} or {options[1]}; record a decision between them with a rationale")
        elif chosen not in options:
            score.needs_judgement = True
            problems.append(f"{name}: decision {chosen} is not one of the options {options[0]} or {options[1]}")
        else:
            score.level = chosen
            if not score.rationale.strip():
                problems.append(f"{name}: choosing {chosen} of {options[0]} or {options[1]} needs a rationale")
        return
    score.level = chosen if chosen is not None else score.suggested
    if chosen is not None and score.suggested is not None and chosen != score.suggested:
        score.differs = True
        if not score.rationale.strip():
            problems.append(f"{name}: the decided level {chosen} differs from the suggested {score.suggested}; record a rationale")


Decide = Callable[[Judgement, list[int], list[str], list[int]], int | None]
"""Given a judgement, the levels its rule read, what it still lacks and the rule's options: its level."""


def group_inputs(framework: Framework, kloe_levels: Mapping[str, int | None]) -> tuple[dict[str, list[int]], dict[str, list[str]]]:
    """Per group: the levels of its scored KLOEs, and the scored KLOEs not yet levelled (none for an unscored group)."""
    levels: dict[str, list[int]] = {}
    missing: dict[str, list[str]] = {}
    for group in framework.groups:
        scored = [k.id for k in group.kloes if k.scored]
        levels[group.id] = [level for k in scored if (level := kloe_levels.get(k)) is not None]
        missing[group.id] = [k for k in scored if kloe_levels.get(k) is None] if group.scored and scored else []
    return levels, missing


def judgement_chain(
    framework: Framework, group_levels: Mapping[str, list[int]], group_missing: Mapping[str, list[str]], decide: Decide
) -> dict[str, int | None]:
    """Every judgement's level, by the framework's rules in dependency order: the one implementation of the chain.

    A rule reads judgements computed before it (by their level as ``decide`` returned it) or
    groups (their KLOE levels); without inputs, the judgement's own groups. ``score`` decides
    with the analyst's decisions; ``suggested_options`` with the suggestion alone.
    """
    decided: dict[str, int | None] = {}
    tables = {table.id: table for table in framework.tables}
    for judgement in _ordered(framework):
        decided[judgement.id] = None
        if not judgement.scored or judgement.scale is None:
            continue
        rule = judgement.rule or DEFAULT_RULE
        reads_judgements = {i for i in rule.inputs if i in decided and i != judgement.id}
        inputs = rule.inputs or [g.id for g in framework.groups if g.judgement == judgement.id]
        levels: list[int] = []
        missing: list[str] = []
        for input_id in inputs:
            if input_id in reads_judgements:
                level = decided[input_id]
                levels += [level] if level is not None else []
                missing += [] if level is not None else [input_id]
            else:
                levels += group_levels.get(input_id, [])
                missing += group_missing[input_id] if input_id in group_missing else [input_id]
        table = tables.get(rule.table) if rule.table else None
        usable = levels and (not missing or rule.name in ACCEPTS_PARTIAL_INPUTS)
        options = rule_function(rule)(levels, rule, table) if usable else []
        decided[judgement.id] = decide(judgement, levels, missing, options)
    return decided


def suggested_options(framework: Framework, kloe_levels: Mapping[str, int | None]) -> dict[str, list[int]]:
    """Each scored judgement's options from KLOE levels alone, decisions set aside, nothing validated.

    Why: sensitivity asks "what if this KLOE were one level higher" once per KLOE and
    direction (100 times for a 50-KLOE framework), where a full ``score`` would re-check the
    whole assessment each time. A two-option cell decides nothing, so judgements reading it
    have no level either, as in ``score`` before the analyst decides.
    """
    options: dict[str, list[int]] = {}

    def suggest(judgement: Judgement, levels: list[int], missing: list[str], found: list[int]) -> int | None:
        options[judgement.id] = found
        return found[0] if len(found) == 1 else None

    judgement_chain(framework, *group_inputs(framework, kloe_levels), suggest)
    return options


def score(framework: Framework, assessment: Assessment) -> Scores:
    """Every score of the assessment, never raising (see ``require_valid_scores``)."""
    findings = check_assessment(framework, assessment)
    problems = [str(problem) for problem in findings.problems]
    if findings.unknown_kloes:
        problems.append(
            "KLOEs not in framework "
            f"{framework.id} {framework.version}: {', '.join(findings.unknown_kloes)}; "
            "move what they hold to current KLOEs or remove them"
        )
    pending: list[str] = []
    kloes = _score_kloes(framework, assessment)
    group_levels, group_missing = group_inputs(framework, {kloe_id: k.level for kloe_id, k in kloes.items()})
    groups: dict[str, LevelScore] = {}
    for group in framework.groups:
        levels = group_levels[group.id]
        scored_count = sum(1 for k in group.kloes if k.scored)
        score_ = LevelScore(group.id, group.title, scored=group.scored and bool(scored_count))
        if score_.scored:
            score_.spread, score_.assessed, score_.total = _spread(levels), len(levels), scored_count
            score_.missing = group_missing[group.id]
            options = rule_function(DEFAULT_RULE)(levels, DEFAULT_RULE, None) if levels else []
            _decide(score_, options, None, [], [])
        groups[group.id] = _labelled(score_, framework.scale_for_group(group))

    judgements = {j.id: LevelScore(j.id, j.title, scored=j.scored) for j in _ordered(framework)}

    def decide(judgement: Judgement, levels: list[int], missing: list[str], options: list[int]) -> int | None:
        score_ = judgements[judgement.id]
        score_.spread, score_.assessed, score_.missing = _spread(levels), len(levels), missing
        score_.total = len(levels) + len(missing)
        if missing:
            pending.append(f"{judgement.id} ({judgement.title}): not yet assessed: {', '.join(missing)}")
        _decide(score_, options, assessment.judgements.get(judgement.id), problems, pending)
        if judgement.scale:
            _labelled(score_, framework.scale(judgement.scale))
        return score_.level

    judgement_chain(framework, group_levels, group_missing, decide)
    _count_kloes(framework, kloes, groups, judgements)

    flags = []
    kinds = {kind.colour: kind for kind in framework.flags.kinds} if framework.flags else {}
    for flag in assessment.flags:
        kind = kinds.get(flag.colour)
        criteria = [kind.criteria[i] for i in flag.criteria if kind and i < len(kind.criteria)]
        flags.append({"colour": flag.colour, "subject": flag.subject, "reason": flag.reason, "criteria": criteria})

    return Scores(
        framework=framework.id,
        organisation={"code": assessment.organisation.code, "name": assessment.organisation.name},
        period=assessment.period,
        judgements=judgements,
        groups=groups,
        kloes=kloes,
        flags=flags,
        unknown_kloes=findings.unknown_kloes,
        problems=problems,
        pending=pending,
    )


def _count_kloes(framework: Framework, kloes: dict[str, LevelScore], groups: dict[str, LevelScore], judgements: dict[str, LevelScore]) -> None:
    """How many scored KLOEs under each group and judgement have a level (a judgement read from
    other judgements, such as the CAA's overall score, counts every scored KLOE)."""
    levelled_by_group: dict[str, tuple[int, int]] = {}
    for group in framework.groups:
        scored = [kloes[k.id] for k in group.kloes if k.scored]
        levelled_by_group[group.id] = (sum(1 for k in scored if k.level is not None), len(scored))
        groups[group.id].kloes_levelled, groups[group.id].kloes_total = levelled_by_group[group.id]
        groups[group.id].mark_provisional()
    everything = tuple(map(sum, zip(*levelled_by_group.values()))) if levelled_by_group else (0, 0)
    for judgement_id, score_ in judgements.items():
        own = [levelled_by_group[g.id] for g in framework.groups if g.judgement == judgement_id]
        score_.kloes_levelled, score_.kloes_total = tuple(map(sum, zip(*own))) if own else everything
        score_.mark_provisional()


def require_valid_scores(scores: Scores) -> Scores:
    """The scores, or ScoringError listing every problem (work still pending is not an error)."""
    if scores.problems:
        head = f"organisation {scores.organisation['code']} ({scores.organisation['name']}), framework {scores.framework}"
        raise ScoringError(head + ": cannot be scored:\n" + "\n".join(f"  {problem}" for problem in scores.problems))
    return scores
