"""Writes the illustrative example councils: one assessment JSON per council and a councils CSV per framework.

Every council, name, person, document and finding here is invented. Each file says
``"illustrative": true`` and every page made from it carries an "illustrative example data"
banner. The files are committed; run this again (``python examples/make_examples.py``) only
to regenerate them after a framework changes. The output is deterministic (seeded).

The descriptor statements marked met agree with the level recorded, by the scoring
module's rule (a level is suggested when its statements and those of the described levels
below it are all met), so suggested and decided levels agree except where a council's
record says why they differ.
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kloe_nb.assessment.model import Assessment, Evidence, Flag, JudgementDecision, KloeRecord, Organisation  # noqa: E402
from kloe_nb.framework import load_framework  # noqa: E402
from kloe_nb.framework.model import Framework, Group, Kloe  # noqa: E402
from kloe_nb.interchange.json_io import write_assessment_json  # noqa: E402
from kloe_nb.scoring import score  # noqa: E402


@dataclass
class Council:
    framework: str
    code: str
    name: str
    group: str
    period: str
    assessor: str
    profile: list[int]  # levels drawn from, weighted by repetition
    seed: int
    unassessed: int = 0  # scored KLOEs left without a level (work in progress)
    overrides: dict[str, int] = field(default_factory=dict)  # KLOE id -> level, to steer CAA theme scores
    judgements: dict[str, tuple[int, str]] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)


COUNCILS = [
    Council("ac-benefits", "EX-AC01", "Aldermere Borough Council", "Shire districts", "2008/09", "Priya Castellan (illustrative)", [2, 2, 2, 3, 1], 11,
            judgements={"J2": (2, "")}),
    Council("ac-benefits", "EX-AC02", "Brackenford District Council", "Shire districts", "2008/09", "Tom Ellery (illustrative)", [3, 3, 3, 2, 4], 12,
            judgements={"J1": (3, ""), "J2": (4, "Recent restructuring has already cut processing times for two quarters running, the improvement plan is funded to 2011 and the council has a record of delivering its plans, so the team judged prospects excellent rather than promising.")}),
    Council("ac-benefits", "EX-AC03", "Cindervale City Council", "Unitary authorities", "2008/09", "Priya Castellan (illustrative)", [1, 2, 1, 2], 13, unassessed=3),
    Council("ac-judgement2", "EX-J201", "Dunmarsh District Council", "Shire districts", "2008/09", "Grace Okafor (illustrative)", [3, 3, 2, 3], 21),
    Council("ac-judgement2", "EX-J202", "Eltonbury Borough Council", "Metropolitan boroughs", "2008/09", "Grace Okafor (illustrative)", [2, 1, 2, 2], 22),
    Council("caa-2009", "EX-CA01", "Fernlow County Council", "Counties", "2009/10", "Harriet Quayle (illustrative)", [2, 3], 31,
            overrides={"1.1": 2, "1.2": 2, "1.3": 2, "2.1": 3, "2.2": 2, "2.3": 2, "2.4": 2, "3.1": 2, "3.2": 3, "3.3": 2, "4.1": 3, "4.2": 3},
            judgements={"organisational_assessment": (3, "Managing performance is strong and improving, and the weaker Use of Resources score rests on one theme where the council's own recovery plan is already ahead of schedule; on balance the higher of the two scores the table allows.")},
            flags=[Flag(colour="green", subject="Reducing delayed transfers of care (illustrative)", reason="Partners pooled budgets and the number of delayed transfers has halved in two years.", criteria=[0])]),
    Council("caa-2009", "EX-CA02", "Greyhaven Metropolitan Borough Council", "Metropolitan boroughs", "2009/10", "Harriet Quayle (illustrative)", [3, 4], 32,
            overrides={"1.1": 3, "1.2": 3, "1.3": 4, "2.1": 3, "2.2": 4, "2.3": 3, "2.4": 3, "3.1": 3, "3.2": 3, "3.3": 4, "4.1": 4, "4.2": 4}),
    Council("caa-2009", "EX-CA03", "Hollinsby Unitary Council", "Unitary authorities", "2009/10", "Ravi Dunmore (illustrative)", [1, 2, 2], 33,
            overrides={"1.1": 1, "1.2": 2, "1.3": 1, "2.1": 2, "2.2": 2, "2.3": 2, "2.4": 1, "3.1": 2, "3.2": 2, "3.3": 2, "4.1": 2, "4.2": 2},
            flags=[Flag(colour="red", subject="Young people not in education, employment or training (illustrative)", reason="The proportion has risen for three years and partners have no shared plan to reverse it.", criteria=[0, 1])]),
    Council("hi-prospects", "EX-HI01", "Kestrelmoor Homes (illustrative ALMO)", "Housing organisations", "2008/09", "Owen Marchetti (illustrative)", [3, 3, 4, 2], 41),
    Council("hi-prospects", "EX-HI02", "Larkspur District Council", "Shire districts", "2008/09", "Owen Marchetti (illustrative)", [2, 2, 1, 3], 42),
    Council("wao-housing", "EX-WA01", "Cyngor Sir Llanfeidr – Llanfeidr County Council", "Welsh unitary authorities", "2008/09", "Siân Pritchard (illustrative)", [3, 2, 3, 4], 51),
    Council("wao-housing", "EX-WA02", "Pen-y-Dŵr County Borough Council", "Welsh unitary authorities", "2008/09", "Siân Pritchard (illustrative)", [2, 2, 1, 3], 52, unassessed=4),
]

DOCUMENTS = [
    "Annual performance report {period}", "Service plan {period}", "Cabinet report, {month} {year}", "Audit and governance committee minutes, {month} {year}",
    "Customer survey results, {month} {year}", "Internal audit report IA/{n:03d}", "Team meeting notes, {month} {year}", "Improvement plan progress report, {month} {year}",
]
MONTHS = ["January", "March", "May", "June", "September", "October", "November"]
SEEN = ["Reviewed on site", "Discussed at interview with the service manager", "Read before the site visit", "Checked against the case files sampled",
        "Confirmed in the focus group with service users", "Tested by reality checking a sample of cases"]
STRENGTHS = {
    4: ["Consistently high performance, well above that of similar councils, sustained for three years.",
        "Users are involved in designing the service and can show how their views changed it.",
        "Innovative practice that others have visited to learn from."],
    3: ["Performance is above average and improving; targets are stretching and mostly met.",
        "Clear standards, published and monitored, with good results reported to members.",
        "Staff understand the priorities and can say how their work contributes."],
    2: ["Minimum requirements are met and performance is broadly stable.",
        "Some good practice in individual teams, not yet spread across the service.",
        "Recent improvements in response times, from a low base."],
    1: ["Staff are committed and aware of the weaknesses.",
        "A new manager has begun to gather reliable performance information."],
}
WEAKNESSES = {
    4: ["Keep the benefit of recent gains under review as budgets tighten.", ""],
    3: ["Extend the good practice of the best teams to the rest of the service.",
        "Make more use of comparative data to set targets.", ""],
    2: ["Set targets that are stretching and compare performance with the best councils.",
        "Use complaints and user feedback to change how the service is delivered, and show users what changed.",
        "Link the service plan to the budget so that priorities are funded."],
    1: ["Agree a recovery plan with clear milestones and report progress to members monthly.",
        "Reduce the backlog of cases and the time taken to process new claims.",
        "Put in place basic performance information that managers trust."],
}
CAA_POSITION = {
    4: "Performing strongly: arrangements are embedded and outcomes are among the best of comparable councils.",
    3: "Performing well: arrangements are effective and outcomes are improving.",
    2: "Adequate: arrangements meet minimum requirements; outcomes are mixed.",
    1: "Inadequate: arrangements do not meet minimum requirements.",
}


def _met_for(kloe: Kloe, level: int, described: list[int], rng: random.Random) -> dict[int, list[int]]:
    """Statements marked met so that the scoring module suggests ``level`` (see the module docstring)."""
    count = {d: len(kloe.descriptors[d]) for d in described}

    def some(d: int) -> list[int]:
        return sorted(rng.sample(range(count[d]), rng.randint(1, count[d] - 1))) if count[d] > 1 else []

    if level < described[0]:
        return {described[0]: some(described[0])} if count[described[0]] > 1 else {}
    met = {d: list(range(count[d])) for d in described if d <= level}
    above = [d for d in described if d > level]
    if above:
        if level not in described:  # an in-between level (HI's 3 between 2 and 4): some of the next level's statements
            met[above[0]] = some(above[0]) or [0]
        elif above[0] == level + 1 and rng.random() < 0.5:  # strengths above the level, which the suggestion does not count
            met[above[0]] = some(above[0])
    return {d: indexes for d, indexes in met.items() if indexes}


def _evidence(framework: Framework, group: Group, kloe: Kloe, council: Council, rng: random.Random) -> list[Evidence]:
    sources = kloe.sources_of_evidence or group.sources_of_evidence or ["Documents reviewed", "Interviews", "Reality checks"]
    items = []
    year = council.period[:4]
    for _ in range(rng.randint(1, 3)):
        reference = rng.choice(DOCUMENTS).format(period=council.period, month=rng.choice(MONTHS), year=year, n=rng.randint(1, 120))
        items.append(Evidence(source=rng.choice(sources), reference=reference, note=rng.choice(SEEN) + ".", date_seen=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"))
    return items


def _record(framework: Framework, group: Group, kloe: Kloe, council: Council, level: int | None, rng: random.Random) -> KloeRecord:
    evidence = _evidence(framework, group, kloe, council, rng)
    if not kloe.scored:
        return KloeRecord(evidence=evidence[:1], current_position="Context: the council's aims are set out in its corporate plan and summarised at interview (illustrative).")
    if level is None:
        return KloeRecord(evidence=evidence[:1])
    described = sorted(kloe.descriptors)
    met = _met_for(kloe, level, described, rng) if described else {}
    strengths = rng.choice(STRENGTHS[level])
    weakness = rng.choice(WEAKNESSES[level])
    rationale = ""
    if described and level > described[-1]:
        rationale = "Every descriptor is met and the service goes further: the team judged it excellent on the strength of its outcomes (illustrative)."
    record = KloeRecord(level=level, met=met, evidence=evidence, strengths=strengths, areas_for_improvement=weakness, rationale=rationale)
    if framework.self_assessment_template is not None:
        record = record.model_copy(update={"current_position": CAA_POSITION[level]})
    return record


def make_assessment(council: Council) -> Assessment:
    framework = load_framework(council.framework)
    rng = random.Random(council.seed)
    scored = [(group, kloe) for group, kloe in framework.iter_kloes() if kloe.scored]
    left_out = {kloe.id for _, kloe in rng.sample(scored, council.unassessed)} if council.unassessed else set()
    kloes: dict[str, KloeRecord] = {}
    for group, kloe in framework.iter_kloes():
        if not group.scored and not kloe.scored and rng.random() < 0.5 and framework.flags is not None:
            continue  # not every area-assessment question has notes
        level = council.overrides.get(kloe.id, rng.choice(council.profile)) if kloe.scored and kloe.id not in left_out else None
        kloes[kloe.id] = _record(framework, group, kloe, council, level, rng)
    assessment = Assessment(
        framework=framework.id,
        organisation=Organisation(code=council.code, name=council.name),
        period=council.period,
        assessor=council.assessor,
        illustrative=True,
        kloes=kloes,
        judgements={key: JudgementDecision(level=level, rationale=why) for key, (level, why) in council.judgements.items()},
        flags=council.flags,
    )
    _explain_differences(framework, assessment)
    return assessment


def _explain_differences(framework: Framework, assessment: Assessment) -> None:
    """Give every decision that differs from its suggestion the rationale the scoring asks for."""
    for judgement_id, result in score(framework, assessment).judgements.items():
        decision = assessment.judgements.get(judgement_id)
        if decision and decision.level is not None and not decision.rationale and result.suggested is not None and decision.level != result.suggested:
            decision.rationale = (
                f"The KLOE levels suggest {result.suggested}; the inspection team judged {decision.level} on the weight of the "
                "evidence as a whole, as the framework's rounded judgement allows (illustrative)."
            )
        elif decision and decision.level == result.suggested and not decision.rationale:
            decision.rationale = "Agrees with the level the KLOEs suggest (illustrative)."


def main() -> None:
    out = HERE / "assessments"
    out.mkdir(exist_ok=True)
    by_framework: dict[str, list[Council]] = {}
    for council in COUNCILS:
        assessment = make_assessment(council)
        problems = score(load_framework(council.framework), assessment).problems
        if problems:
            raise SystemExit(f"{council.code}: {problems}")
        write_assessment_json(assessment, out / f"{council.framework}--{council.code}.json")
        by_framework.setdefault(council.framework, []).append(council)
    councils_dir = HERE / "councils"
    councils_dir.mkdir(exist_ok=True)
    for framework_id, councils in by_framework.items():
        with (councils_dir / f"{framework_id}.csv").open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(["code", "name", "group", "period"])
            for council in councils:
                writer.writerow([council.code, council.name, council.group, council.period])
    print(f"wrote {len(COUNCILS)} assessments to {out} and {len(by_framework)} councils CSVs to {councils_dir}")


if __name__ == "__main__":
    main()
