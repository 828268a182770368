"""Direction of travel: one council's decided levels across its assessed periods.

The seeds ask what a service's direction of travel is over three years; the store already
holds one assessment per period, so the trend is read from them: per judgement and per
KLOE, the decided level in each period, the last step and the change over the whole run.
A judgement's level is what ``score`` decides (the analyst's decision, else the rule's
suggestion); a CAA "2 or 3" cell not yet decided has no level, so no direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kloe_nb.analysis.periods import period_sort_key
from kloe_nb.assessment.model import Assessment
from kloe_nb.framework.model import Framework
from kloe_nb.scoring.score import Scores
from kloe_nb.store import open_store
from kloe_nb.store.base import AssessmentStore, StoredAssessment
from kloe_nb.store.lookup import find_assessment


@dataclass(frozen=True)
class Movement:
    """One judgement's or KLOE's decided level in each period, and how it moved."""

    id: str
    kind: str  # "judgement" | "kloe"
    title: str
    levels: list[int | None]
    step: int | None
    overall: int | None

    @property
    def direction(self) -> str:
        """ "up", "down" or "same" over the last step; "" when either of the last two periods has no level."""
        if self.step is None:
            return ""
        return "up" if self.step > 0 else "down" if self.step < 0 else "same"


@dataclass(frozen=True)
class Trend:
    """A council's periods (oldest first) with who assessed each, at which revision, and every movement."""

    framework: str
    org_code: str
    name: str
    periods: list[str]
    assessors: list[str]
    revisions: list[int]
    judgements: list[Movement]
    kloes: list[Movement]

    @property
    def has_history(self) -> bool:
        """At least two periods: there is a direction to speak of."""
        return len(self.periods) >= 2


def movement(id: str, kind: str, title: str, levels: list[int | None]) -> Movement:
    """A movement from its levels: the last step, and last assessed minus first assessed."""
    step = None
    if len(levels) >= 2 and levels[-1] is not None and levels[-2] is not None:
        step = levels[-1] - levels[-2]
    assessed = [level for level in levels if level is not None]
    overall = assessed[-1] - assessed[0] if len(assessed) >= 2 else None
    return Movement(id, kind, title, list(levels), step, overall)


def trend_from_assessments(
    framework: Framework, assessments: Sequence[Assessment], *, revisions: Sequence[int] | None = None, scores: Sequence[Scores | None] | None = None
) -> Trend:
    """The trend of one council's assessments (any order; sorted by period). ``revisions`` pairs with them; 0 if unknown.

    ``scores``, when given, pairs with them too: each assessment's ``score`` already computed
    (a comparison scores every assessment once and shares it; a report its current one), so
    none is scored again here; None where one is not known.
    """
    from kloe_nb.scoring import score

    count = len(assessments)
    paired = list(zip(assessments, revisions if revisions is not None else [0] * count, scores if scores is not None else [None] * count, strict=True))
    paired.sort(key=lambda item: period_sort_key(item[0].period))
    ordered = [assessment for assessment, _, _ in paired]
    scored = [given if given is not None else score(framework, assessment) for assessment, _, given in paired]
    judgements = [
        movement(j.id, "judgement", j.title, [s.judgements[j.id].level for s in scored]) for j in framework.judgements if j.scored and j.scale is not None
    ]
    kloes = [movement(k.id, "kloe", k.title, [a.record(k.id).level for a in ordered]) for _, k in framework.iter_kloes() if k.scored]
    latest = ordered[-1] if ordered else None
    return Trend(
        framework=framework.id,
        org_code=latest.organisation.code if latest else "",
        name=latest.organisation.name if latest else "",
        periods=[a.period for a in ordered],
        assessors=[a.assessor for a in ordered],
        revisions=[revision for _, revision, _ in paired],
        judgements=judgements,
        kloes=kloes,
    )


def load_trend(
    store: AssessmentStore,
    framework: Framework,
    org_code: str,
    *,
    upto: str | None = None,
    track: str = "",
    current: tuple[StoredAssessment, Scores] | None = None,
) -> Trend:
    """Every stored period of a council (the lead track unless told), up to and including ``upto``.

    A council with nothing stored gives an empty trend (no periods, ``has_history`` false),
    so a report of an assessment read from a file still renders. ``current`` is one of them
    already read from this store and scored (a report's own): it is neither read nor scored again.
    """
    limit = period_sort_key(upto) if upto is not None else None
    keys = [
        key for key in store.keys(framework.id) if key.org_code == org_code and key.track == track and (limit is None or period_sort_key(key.period) <= limit)
    ]
    known, known_scores = current if current is not None else (None, None)
    stored = [known if known is not None and key == known.key else store.load(key) for key in keys]
    scores = [known_scores if item is known else None for item in stored]
    trend = trend_from_assessments(framework, [s.assessment for s in stored], revisions=[s.revision for s in stored], scores=scores)
    if not stored:
        trend = Trend(framework.id, org_code, "", [], [], [], trend.judgements, trend.kloes)
    return trend


def load_with_trend(store_path: str | Path, framework: Framework, code: str, period: str = "") -> tuple[StoredAssessment, Scores, Trend]:
    """The council's current stored revision, its scores, and its periods up to that one (the lead track), from one opening of
    the store; the current revision is read and scored once, for the report and its trend alike."""
    from kloe_nb.scoring import score

    with open_store(store_path, read_only=True) as store:
        stored = find_assessment(store, framework.id, code, period)
        scores = score(framework, stored.assessment)
        return stored, scores, load_trend(store, framework, code, upto=stored.assessment.period, current=(stored, scores))
