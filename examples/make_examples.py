"""Writes the illustrative example councils: their assessments (JSON) and a councils CSV per framework.

Every council, name, person, document and finding here is invented. Each file says
``"illustrative": true``, every person's name ends "(illustrative)", and every page made from
the files carries an "illustrative example data" banner. The files are committed; run this
again (``python examples/make_examples.py``) only to regenerate them after a framework or this
script changes. The output is deterministic (seeded), and the script checks everything it
writes (see ``_problems``) before writing anything.

What the examples hold, so that comparison, direction of travel, moderation and improvement
plans all have something to show:

- peer groups: each council's ``Organisation.group`` is its councils CSV group, and every
  framework has at least two councils in one group;
- periods: for the Audit Commission, Housing Inspectorate and Wales Audit Office frameworks
  most councils are assessed for 2006/07, 2007/08 and 2008/09, some improving, one declining
  and one flat (an earlier period's KLOE levels are the next period's moved back along the
  council's direction of travel). The CAA 2009 framework was used only for 2009/10 (CAA was
  abolished in 2010), so its councils have that one period;
- second assessors: a few councils' latest period is also scored independently by a second
  assessor (track "B"), disagreeing on four KLOEs (three by one level, one by two). One lead
  has moderated every disagreement, one some of them, one none yet. A moderated KLOE's level
  is the agreed one and its ``moderation`` keeps both independent levels;
- improvement plans: in most councils' latest period some areas for improvement have become
  actions (owner, due date, priority, resources, measure of success); a few deliberately
  lack an owner or a measure, as a plan being drafted does.

One file per assessment: ``<framework>--<code>--<period, "/" as "-">[--<track>].json``. The
councils CSV lists each council once, with its latest period: the one a batch reports on
(the report finds the earlier periods in the store).

The statement verdicts (which statements describe the council, which of the lower column it
falls short of) are the picture a council of the recorded level shows, so the best-fit
suggestion agrees with the decided level; the generator refuses to write one that does not,
except the Audit Commission's level 4, which statements never suggest and whose record says why.
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from example_text import CAA_POSITION, DOCUMENTS, EARLY_MONTHS, MODERATION_NOTES, MONTHS, OWNERS, PLANS, SEEN, STRENGTHS, WEAKNESSES  # noqa: E402

from kloe_nb.assessment.model import (  # noqa: E402
    Action,
    Assessment,
    Evidence,
    Flag,
    JudgementDecision,
    KloeRecord,
    Moderation,
    Organisation,
)
from kloe_nb.framework import load_framework  # noqa: E402
from kloe_nb.framework.model import Framework, Group, Kloe  # noqa: E402
from kloe_nb.interchange.json_io import read_assessment_json, write_assessment_json  # noqa: E402
from kloe_nb.scoring import score  # noqa: E402
from kloe_nb.scoring.kloe_suggestion import suggest_kloe_level  # noqa: E402

PERIODS = ["2006/07", "2007/08", "2008/09"]
"""The periods of the frameworks assessed over several years, oldest first."""
SECOND = "B"
"""The track of a second assessor's independent scoring."""
MAX_ACTIONS = 8
"""Most actions one council's plan gets (a plan of a page or two, as the seeds' examples)."""


@dataclass
class Second:
    """A second assessor's independent scoring of a council's latest period, and how far moderation has got."""

    assessor: str
    seed: int
    moderated: int = 0  # how many of the disagreements (in framework order) the lead has moderated
    moderated_by: str = ""


@dataclass
class Council:
    framework: str
    code: str
    name: str
    group: str
    period: str  # the latest period
    assessor: str
    profile: list[int]  # levels drawn from, weighted by repetition
    seed: int
    unassessed: int = 0  # scored KLOEs of the latest period left without a level (work in progress)
    overrides: dict[str, int] = field(default_factory=dict)  # KLOE id -> level, to steer CAA theme scores
    judgements: dict[str, tuple[int, str]] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    travel: str = "flat"  # direction of travel into the latest period: "improving", "declining" or "flat"
    earlier: int = 2  # periods assessed before the latest (0: first assessed in the latest period)
    second: Second | None = None
    plan: bool = True  # some areas for improvement of the latest period made into actions


COUNCILS = [
    Council(
        "ac-benefits",
        "EX-AC01",
        "Aldermere Borough Council",
        "Shire districts",
        "2008/09",
        "Priya Castellan (illustrative)",
        [2, 2, 2, 3, 1],
        11,
        judgements={"J2": (2, "")},
        travel="improving",
        second=Second("Tom Ellery (illustrative)", 111),
    ),
    Council(
        "ac-benefits",
        "EX-AC02",
        "Brackenford District Council",
        "Shire districts",
        "2008/09",
        "Tom Ellery (illustrative)",
        [3, 3, 3, 2, 4],
        12,
        judgements={
            "J1": (3, ""),
            "J2": (
                4,
                "Recent restructuring has already cut processing times for two quarters running, the improvement plan is funded to 2011 and the council has a record of delivering its plans, so the team judged prospects excellent rather than promising.",
            ),
        },
        travel="improving",
    ),
    Council(
        "ac-benefits",
        "EX-AC03",
        "Cindervale City Council",
        "Unitary authorities",
        "2008/09",
        "Priya Castellan (illustrative)",
        [1, 2, 1, 2],
        13,
        unassessed=3,
        travel="declining",
    ),
    Council(
        "ac-benefits",
        "EX-AC04",
        "London Borough of Marlowe Green",
        "London boroughs",
        "2008/09",
        "Priya Castellan (illustrative)",
        [3, 3, 2, 3],
        14,
        travel="flat",
        second=Second("Tom Ellery (illustrative)", 141, moderated=4, moderated_by="Margaret Ashdown (illustrative), lead inspector"),
    ),
    Council(
        "ac-benefits",
        "EX-AC05",
        "Thornleigh District Council",
        "Shire districts",
        "2008/09",
        "Tom Ellery (illustrative)",
        [2, 3, 3, 2],
        15,
        earlier=0,
        plan=False,
    ),
    Council(
        "ac-judgement2",
        "EX-J201",
        "Dunmarsh District Council",
        "Shire districts",
        "2008/09",
        "Grace Okafor (illustrative)",
        [3, 3, 2, 3],
        21,
        travel="improving",
    ),
    Council(
        "ac-judgement2",
        "EX-J202",
        "Eltonbury Borough Council",
        "Metropolitan boroughs",
        "2008/09",
        "Grace Okafor (illustrative)",
        [2, 1, 2, 2],
        22,
        travel="declining",
    ),
    Council(
        "ac-judgement2",
        "EX-J203",
        "Harrowfield Metropolitan Borough Council",
        "Metropolitan boroughs",
        "2008/09",
        "Martin Abernethy (illustrative)",
        [2, 2, 3],
        23,
        travel="flat",
        plan=False,
    ),
    Council(
        "ac-judgement2",
        "EX-J204",
        "Ingleby County Council",
        "Counties",
        "2008/09",
        "Martin Abernethy (illustrative)",
        [3, 3, 4, 2],
        24,
        travel="improving",
        earlier=1,
    ),
    Council(
        "caa-2009",
        "EX-CA01",
        "Fernlow County Council",
        "Counties",
        "2009/10",
        "Harriet Quayle (illustrative)",
        [2, 3],
        31,
        overrides={"1.1": 2, "1.2": 2, "1.3": 2, "2.1": 3, "2.2": 2, "2.3": 2, "2.4": 2, "3.1": 2, "3.2": 3, "3.3": 2, "4.1": 3, "4.2": 3},
        judgements={
            "organisational_assessment": (
                3,
                "Managing performance is strong and improving, and the weaker Use of Resources score rests on one theme where the council's own recovery plan is already ahead of schedule; on balance the higher of the two scores the table allows.",
            )
        },
        flags=[
            Flag(
                colour="green",
                subject="Reducing delayed transfers of care (illustrative)",
                reason="Partners pooled budgets and the number of delayed transfers has halved in two years.",
                criteria=[0],
            )
        ],
        earlier=0,
    ),
    Council(
        "caa-2009",
        "EX-CA02",
        "Greyhaven Metropolitan Borough Council",
        "Metropolitan boroughs",
        "2009/10",
        "Harriet Quayle (illustrative)",
        [3, 4],
        32,
        overrides={"1.1": 3, "1.2": 3, "1.3": 4, "2.1": 3, "2.2": 4, "2.3": 3, "2.4": 3, "3.1": 3, "3.2": 3, "3.3": 4, "4.1": 4, "4.2": 4},
        earlier=0,
        plan=False,
    ),
    Council(
        "caa-2009",
        "EX-CA03",
        "Hollinsby Unitary Council",
        "Unitary authorities",
        "2009/10",
        "Ravi Dunmore (illustrative)",
        [1, 2, 2],
        33,
        overrides={"1.1": 1, "1.2": 2, "1.3": 1, "2.1": 2, "2.2": 2, "2.3": 2, "2.4": 1, "3.1": 2, "3.2": 2, "3.3": 2, "4.1": 2, "4.2": 2},
        flags=[
            Flag(
                colour="red",
                subject="Young people not in education, employment or training (illustrative)",
                reason="The proportion has risen for three years and partners have no shared plan to reverse it.",
                criteria=[0, 1],
            )
        ],
        earlier=0,
    ),
    Council(
        "caa-2009",
        "EX-CA04",
        "Wealdmoor County Council",
        "Counties",
        "2009/10",
        "Ravi Dunmore (illustrative)",
        [2, 3],
        34,
        overrides={"1.1": 2, "1.2": 3, "1.3": 2, "2.1": 2, "2.2": 2, "2.3": 3, "2.4": 2, "3.1": 2, "3.2": 2, "3.3": 3, "4.1": 2, "4.2": 2},
        earlier=0,
    ),
    Council(
        "hi-prospects",
        "EX-HI01",
        "Kestrelmoor Homes (illustrative ALMO)",
        "Housing organisations",
        "2008/09",
        "Owen Marchetti (illustrative)",
        [3, 3, 4, 2],
        41,
        travel="improving",
    ),
    Council(
        "hi-prospects", "EX-HI02", "Larkspur District Council", "Shire districts", "2008/09", "Owen Marchetti (illustrative)", [2, 2, 1, 3], 42, travel="flat"
    ),
    Council(
        "hi-prospects",
        "EX-HI03",
        "Millbrook Housing Partnership (illustrative ALMO)",
        "Housing organisations",
        "2008/09",
        "Joanna Whitcombe (illustrative)",
        [2, 3, 2, 2],
        43,
        travel="declining",
        plan=False,
    ),
    Council(
        "wao-housing",
        "EX-WA01",
        "Cyngor Sir Llanfeidr – Llanfeidr County Council",
        "Welsh unitary authorities",
        "2008/09",
        "Siân Pritchard (illustrative)",
        [3, 2, 3, 4],
        51,
        travel="improving",
        second=Second("Gareth Llewellyn (illustrative)", 511, moderated=2, moderated_by="Eleri Vaughan (illustrative), moderating inspector"),
    ),
    Council(
        "wao-housing",
        "EX-WA02",
        "Pen-y-Dŵr County Borough Council",
        "Welsh unitary authorities",
        "2008/09",
        "Siân Pritchard (illustrative)",
        [2, 2, 1, 3],
        52,
        unassessed=4,
        travel="declining",
    ),
    Council(
        "wao-housing",
        "EX-WA03",
        "Cyngor Bwrdeistref Sirol Nant-y-Garth – Nant-y-Garth County Borough Council",
        "Welsh unitary authorities",
        "2008/09",
        "Gareth Llewellyn (illustrative)",
        [2, 3, 3, 2],
        53,
        travel="flat",
    ),
    Council(
        "wao-housing",
        "EX-WA04",
        "Cyngor Sir Glanrhyd – Glanrhyd County Council",
        "Welsh unitary authorities",
        "2008/09",
        "Gareth Llewellyn (illustrative)",
        [3, 3, 2, 4],
        54,
        travel="improving",
        earlier=1,
        plan=False,
    ),
]


def period_bounds(period: str) -> tuple[str, str]:
    """First and last day of a financial-year period such as "2008/09" (1 April 2008 to 31 March 2009)."""
    start = int(period[:4])
    return f"{start}-04-01", f"{start + 1}-03-31"


def file_name(assessment: Assessment) -> str:
    """``<framework>--<code>--<period, "/" as "-">[--<track>].json``: one file per assessment."""
    parts = [assessment.framework, assessment.organisation.code, assessment.period.replace("/", "-")]
    return "--".join(parts + ([assessment.track] if assessment.track else [])) + ".json"


def _verdicts_for(kloe: Kloe, level: int, described: list[int], rng: random.Random) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Statement verdicts (met, falls short) of a council at ``level``: the picture such a council shows.

    At the top described level: the whole top column and none of the lower one. Between the two
    (the HI and WAO level 3): the whole top column and a few of the lower column's weaknesses. At
    the lower described level: the lower column, with at most one top statement. Below it: falling
    short of more than half of the lower column.
    """
    top, low = described[-1], described[0]
    n_top, n_low = len(kloe.descriptors[top]), len(kloe.descriptors[low])
    every_top = list(range(n_top))
    if level >= top:
        return {top: every_top}, {}
    if level > low:
        return {top: every_top, low: sorted(rng.sample(range(n_low), rng.randint(1, max(1, n_low // 2))))}, {}
    if level == low:
        met: dict[int, list[int]] = {low: list(range(n_low))}
        if n_top > 1 and rng.random() < 0.5:
            met[top] = [rng.randrange(n_top)]
        return met, {}
    short = sorted(rng.sample(range(n_low), rng.randint(n_low // 2 + 1, n_low)))
    return {}, {low: short}


def _evidence(group: Group, kloe: Kloe, period: str, rng: random.Random) -> list[Evidence]:
    """One to three pieces of evidence, each seen (and, where dated, written) inside the period."""
    sources = kloe.sources_of_evidence or group.sources_of_evidence or ["Documents reviewed", "Interviews", "Reality checks"]
    start = int(period[:4])
    items = []
    for _ in range(rng.randint(1, 3)):
        document, month, number = rng.choice(DOCUMENTS), rng.choice(MONTHS), rng.randint(1, 120)
        reference = document.format(period=period, month=month, year=start + (month in EARLY_MONTHS), n=number)
        source, seen = rng.choice(sources), rng.choice(SEEN)
        month_seen, day_seen = rng.randint(1, 12), rng.randint(1, 28)
        date_seen = f"{start + (month_seen < 4)}-{month_seen:02d}-{day_seen:02d}"
        items.append(Evidence(source=source, reference=reference, note=seen + ".", date_seen=date_seen))
    return items


def _record(framework: Framework, group: Group, kloe: Kloe, period: str, level: int | None, rng: random.Random) -> KloeRecord:
    evidence = _evidence(group, kloe, period, rng)
    if not kloe.scored:
        return KloeRecord(
            evidence=evidence[:1], current_position="Context: the council's aims are set out in its corporate plan and summarised at interview (illustrative)."
        )
    if level is None:
        return KloeRecord(evidence=evidence[:1])
    described = sorted(kloe.descriptors)
    met, falls_short = _verdicts_for(kloe, level, described, rng) if described else ({}, {})
    strengths = rng.choice(STRENGTHS[level])
    weakness = rng.choice(WEAKNESSES[level])
    rationale = ""
    if described and level > described[-1]:
        rationale = "The whole top picture fits and the service goes further: the team judged it excellent on the strength of its outcomes (illustrative)."
    record = KloeRecord(
        level=level, met=met, falls_short=falls_short, evidence=evidence, strengths=strengths, areas_for_improvement=weakness, rationale=rationale
    )
    suggested = suggest_kloe_level(kloe, record, framework.scale_for_group(group), framework.descriptor_reading).level
    if described and suggested != level and not rationale:
        raise AssertionError(f"{framework.id} {kloe.id}: the marks suggest {suggested}, not {level}")
    if framework.self_assessment_template is not None:
        record = record.model_copy(update={"current_position": CAA_POSITION[level]})
    return record


def make_assessment(
    council: Council,
    period: str | None = None,
    levels: dict[str, int | None] | None = None,
    *,
    seed: int | None = None,
    assessor: str | None = None,
    track: str = "",
) -> Assessment:
    """One assessment of the council: the latest period's levels drawn from its profile, or the ``levels`` given."""
    framework = load_framework(council.framework)
    period = period or council.period
    latest_lead = levels is None
    rng = random.Random(council.seed if seed is None else seed)
    scored = [(group, kloe) for group, kloe in framework.iter_kloes() if kloe.scored]
    left_out = {kloe.id for _, kloe in rng.sample(scored, council.unassessed)} if latest_lead and council.unassessed else set()
    kloes: dict[str, KloeRecord] = {}
    for group, kloe in framework.iter_kloes():
        if not group.scored and not kloe.scored and rng.random() < 0.5 and framework.flags is not None:
            continue  # not every area-assessment question has notes
        if levels is not None:
            level = levels.get(kloe.id) if kloe.scored else None
        else:
            level = council.overrides.get(kloe.id, rng.choice(council.profile)) if kloe.scored and kloe.id not in left_out else None
        kloes[kloe.id] = _record(framework, group, kloe, period, level, rng)
    assessment = Assessment(
        framework=framework.id,
        organisation=Organisation(code=council.code, name=council.name, group=council.group),
        period=period,
        assessor=assessor or council.assessor,
        track=track,
        illustrative=True,
        kloes=kloes,
        judgements={key: JudgementDecision(level=level, rationale=why) for key, (level, why) in council.judgements.items()} if latest_lead else {},
        flags=council.flags if latest_lead else [],
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


def _scored_levels(framework: Framework, assessment: Assessment) -> dict[str, int | None]:
    return {kloe.id: assessment.record(kloe.id).level for _, kloe in framework.iter_kloes() if kloe.scored}


def _step_back(council: Council, level: int | None, rng: random.Random) -> int:
    """A KLOE's level one period earlier, along the council's direction of travel (1-4)."""
    level = rng.choice(council.profile) if level is None else level  # levelled then, though not yet this period
    chance = rng.random()
    if council.travel == "improving" and chance < 0.4:
        level -= 1
    elif council.travel == "declining" and chance < 0.4:
        level += 1
    elif council.travel == "flat" and (chance < 0.07 or chance > 0.93):
        level += 1 if chance > 0.5 else -1
    return min(4, max(1, level))


def _earlier(framework: Framework, council: Council, latest: Assessment) -> list[Assessment]:
    """The council's earlier periods, oldest first, each with its judgements decided as its KLOEs suggest."""
    rng = random.Random(council.seed * 1000 + 7)
    index = PERIODS.index(council.period) if council.earlier else 0
    levels = _scored_levels(framework, latest)
    found = []
    for offset, period in enumerate(reversed(PERIODS[index - council.earlier : index]), start=1):
        levels = {kloe_id: _step_back(council, level, rng) for kloe_id, level in levels.items()}
        assessment = make_assessment(council, period, levels, seed=council.seed * 10 + offset)
        for judgement_id, result in score(framework, assessment).judgements.items():
            if result.scored and result.suggested is not None:
                assessment.judgements[judgement_id] = JudgementDecision(
                    level=result.suggested, rationale="Agrees with the level the KLOEs suggest (illustrative)."
                )
        found.append(assessment)
    return found[::-1]


def _second(framework: Framework, council: Council, lead: Assessment) -> tuple[Assessment, list[str]]:
    """The second assessor's scoring (track "B") and the KLOEs where it differs from the lead's, in framework order."""
    assert council.second is not None
    rng = random.Random(council.second.seed)
    levels = _scored_levels(framework, lead)
    levelled = [kloe_id for kloe_id, level in levels.items() if level is not None]
    far = rng.choice(levelled)
    near = rng.sample([kloe_id for kloe_id in levelled if kloe_id != far], 3)
    levels[far] += 2 if levels[far] <= 2 else -2  # 1 -> 3, 2 -> 4, 3 -> 1, 4 -> 2
    for kloe_id in near:
        step = rng.choice([-1, 1])
        levels[kloe_id] += step if 1 <= levels[kloe_id] + step <= 4 else -step
    second = make_assessment(council, council.period, levels, seed=council.second.seed, assessor=council.second.assessor, track=SECOND)
    return second, [kloe_id for kloe_id in levels if kloe_id == far or kloe_id in near]


def _moderate(framework: Framework, council: Council, lead: Assessment, second: Assessment, disagreements: list[str]) -> Assessment:
    """The lead after moderating the first ``council.second.moderated`` disagreements: agreed levels, both originals kept."""
    assert council.second is not None
    rng = random.Random(council.second.seed + 1)
    where = {kloe.id: (group, kloe) for group, kloe in framework.iter_kloes()}
    kloes = dict(lead.kloes)
    for number, kloe_id in enumerate(disagreements[: council.second.moderated]):
        original = lead.record(kloe_id)
        own, other = original.level, second.record(kloe_id).level
        assert own is not None and other is not None
        if abs(own - other) == 2:
            agreed, how = (own + other) // 2, "between"
        else:
            agreed, how = (own, "lead") if number % 2 == 0 else (other, "second")
        group, kloe = where[kloe_id]
        record = original if agreed == own else _record(framework, group, kloe, lead.period, agreed, rng).model_copy(update={"evidence": original.evidence})
        reference = original.evidence[0].reference if original.evidence else "the case files"
        moderation = Moderation(
            levels={"": own, SECOND: other},
            assessors={"": lead.assessor, SECOND: second.assessor},
            note=MODERATION_NOTES[how].format(reference=reference),
            moderated_by=council.second.moderated_by,
        )
        kloes[kloe_id] = record.model_copy(update={"moderation": moderation})
    moderated = lead.model_copy(update={"kloes": kloes})
    _explain_differences(framework, moderated)
    return moderated


def _plan(council: Council, lead: Assessment) -> Assessment:
    """The lead with about half its areas for improvement made actions (3 to MAX_ACTIONS); the 3rd has no measure yet, the 6th no owner."""
    rng = random.Random(council.seed * 100 + 1)
    owners = OWNERS[council.framework]
    end = int(lead.period[:4]) + 1  # 2008/09 ends on 31 March 2009: plans run from then
    dues = [f"{end}-06-30", f"{end}-09-30", f"{end}-12-31", f"{end + 1}-03-31"]
    areas = [kloe_id for kloe_id, record in lead.kloes.items() if record.level is not None and record.areas_for_improvement]
    rng.shuffle(areas)
    first: dict[str, str] = {}
    for kloe_id in areas:
        first.setdefault(lead.kloes[kloe_id].areas_for_improvement, kloe_id)
    areas.sort(key=lambda kloe_id: kloe_id not in first.values())  # each area's words once before any twice
    chosen = set(areas[: min(len(areas), MAX_ACTIONS, max(3, len(areas) // 2))])
    kloes = dict(lead.kloes)
    count = 0
    for kloe_id, record in lead.kloes.items():
        if kloe_id not in chosen:
            continue
        count += 1
        action, resources, measure = PLANS[record.areas_for_improvement]
        priority = {1: "high", 2: "high" if rng.random() < 0.5 else "medium", 3: "medium", 4: "low"}[record.level]
        owner = "" if count == 6 else rng.choice(owners)
        kloes[kloe_id] = record.model_copy(
            update={
                "actions": [
                    Action(
                        area=record.areas_for_improvement,
                        action=action,
                        owner=owner,
                        due=rng.choice(dues),
                        priority=priority,
                        resources=resources,
                        measure="" if count == 3 else measure,
                    )
                ]
            }
        )
    return lead.model_copy(update={"kloes": kloes})


def make_assessments(framework: Framework, council: Council) -> list[Assessment]:
    """Every assessment of one council: earlier periods, the latest lead, and a second assessor's track if any."""
    lead = make_assessment(council)
    second = None
    if council.second is not None:
        second, disagreements = _second(framework, council, lead)
        lead = _moderate(framework, council, lead, second, disagreements)
    earlier = _earlier(framework, council, lead)  # stepping back from the agreed levels
    if council.plan:
        lead = _plan(council, lead)
    return [*earlier, lead, *([second] if second else [])]


def _problems(framework: Framework, assessment: Assessment, lead: Assessment | None, second: Assessment | None) -> list[str]:
    """Everything that would make an example wrong (empty when right). ``lead``/``second``: the tracks of its council and period."""
    scores = score(framework, assessment)
    found = list(scores.problems) + list(scores.unknown_kloes)
    found += [
        f"KLOE {k.id}: level {k.level} but {k.suggested} suggested, with no rationale" for k in scores.kloes.values() if k.differs and not k.rationale.strip()
    ]
    if not assessment.illustrative or not assessment.assessor.endswith("(illustrative)") or not assessment.organisation.group:
        found.append("not marked illustrative, an assessor not marked illustrative, or no peer group")
    first, last = period_bounds(assessment.period)
    scales = {kloe.id: framework.scale_for_group(group) for group, kloe in framework.iter_kloes()}
    for kloe_id, record in assessment.kloes.items():
        found += [f"KLOE {kloe_id}: evidence seen {e.date_seen}, outside {assessment.period}" for e in record.evidence if not first <= e.date_seen <= last]
        for action in record.actions:
            if action.area != record.areas_for_improvement or action.due <= last or not action.action:
                found.append(f"KLOE {kloe_id}: an action not for its area for improvement, without an action, or due inside the period")
        moderation = record.moderation
        if moderation is None:
            continue
        levels = moderation.levels
        if assessment.track or lead is None or second is None or set(levels) != {"", SECOND} or set(moderation.assessors) != {"", SECOND}:
            found.append(f"KLOE {kloe_id}: moderation belongs on a lead with a second track, with both tracks' levels and assessors")
            continue
        own, other = levels[""], levels[SECOND]
        if own is None or other is None or own == other or record.level is None or not min(own, other) <= record.level <= max(own, other):
            found.append(f"KLOE {kloe_id}: moderated levels {own} and {other} must differ and the agreed level {record.level} lie between them")
        if other != second.record(kloe_id).level or moderation.assessors != {"": lead.assessor, SECOND: second.assessor}:
            found.append(f"KLOE {kloe_id}: moderation does not match the second track's level or the assessors")
        scale = scales[kloe_id]
        if (
            scale is None
            or {own, other, record.level} - {level.level for level in scale.levels}
            or not moderation.note
            or "(illustrative)" not in moderation.moderated_by
        ):
            found.append(f"KLOE {kloe_id}: moderation levels off the scale, or no note, or a moderator not marked illustrative")
    return found


def main() -> None:
    out = HERE / "assessments"
    out.mkdir(exist_ok=True)
    documents: list[Assessment] = []
    latest: dict[str, list[Council]] = {}
    for council in COUNCILS:
        framework = load_framework(council.framework)
        made = make_assessments(framework, council)
        by_track = {a.track: a for a in made if a.period == council.period}
        for assessment in made:
            problems = _problems(framework, assessment, by_track.get(""), by_track.get(SECOND))
            if problems:
                raise SystemExit(f"{file_name(assessment)}:\n  " + "\n  ".join(problems))
        documents += made
        latest.setdefault(council.framework, []).append(council)
    written = set()
    for assessment in documents:
        path = write_assessment_json(assessment, out / file_name(assessment))
        if read_assessment_json(path) != assessment:
            raise SystemExit(f"{path}: does not read back as written")
        written.add(path)
    for stale in sorted(set(out.glob("*.json")) - written):
        stale.unlink()
        print(f"removed {stale.name} (no longer generated)")
    councils_dir = HERE / "councils"
    councils_dir.mkdir(exist_ok=True)
    for framework_id, councils in latest.items():
        with (councils_dir / f"{framework_id}.csv").open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(["code", "name", "group", "period"])
            for council in councils:
                writer.writerow([council.code, council.name, council.group, council.period])
    print(f"wrote {len(documents)} assessments of {len(COUNCILS)} councils to {out} and {len(latest)} councils CSVs to {councils_dir}")


if __name__ == "__main__":
    main()
