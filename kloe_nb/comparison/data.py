"""Gathering what a comparison compares: every council's lead assessment of one framework.

The store holds, per council, one lead assessment (track ``""``) per period, and perhaps
independent second scorings (named tracks). A comparison sets councils side by side as they
stand now, so each council is represented by its LATEST period (``period_sort_key``); its
earlier periods give its direction of travel. A council's peer group is its
``Organisation.group``, unless a councils CSV given by the user says otherwise.

A council is left out, with the reason, when its assessment has problems to resolve first
(the same ones a report refuses for) or has no KLOE levelled; the page lists such councils.
Asking for a peer group nobody is in, or a framework nobody was assessed against, is an
error that says what there is.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from kloe_nb.analysis.agreement import AgreementReport, agreement_report
from kloe_nb.analysis.periods import period_sort_key
from kloe_nb.analysis.trend import Trend, trend_from_assessments
from kloe_nb.errors import KloeError
from kloe_nb.framework.loader import LoadedFramework, load_framework_by_id
from kloe_nb.scoring.score import Scores, score
from kloe_nb.store import AssessmentKey, open_store
from kloe_nb.store.base import StoredAssessment


class ComparisonError(KloeError):
    """There can be no comparison as asked; the message says why and what there is instead."""


@dataclass(frozen=True)
class CouncilData:
    """One council as compared: its latest lead assessment, scored, and its run of periods."""

    code: str
    name: str
    group: str
    period: str
    assessor: str
    illustrative: bool
    revision: int
    saved_at: str
    scores: Scores
    trend: Trend


@dataclass(frozen=True)
class Excluded:
    """A council of the framework that could not be compared, and why."""

    code: str
    name: str
    period: str
    reason: str


@dataclass(frozen=True)
class Gathered:
    """Everything the comparison page is built from (see the module docstring)."""

    record: LoadedFramework
    store: str
    group: str  # the peer group asked for; "" = every council
    councils_csv: str  # the councils CSV whose groups were used, or ""
    councils: list[CouncilData]  # compared, in store order (by code)
    excluded: list[Excluded]
    groups: dict[str, int]  # every peer group of the framework's councils, with how many councils are in it
    agreement: AgreementReport | None  # None when not asked for (a check before running the notebook)


def group_overrides(councils_csv: str | Path) -> dict[str, str]:
    """Council code -> peer group, from a councils CSV's ``group`` column (rows with a blank group say nothing)."""
    from kloe_nb.interchange.councils_csv import read_councils_csv

    return {council.code: council.group for council in read_councils_csv(councils_csv) if council.group}


def _by_council(keys: list[AssessmentKey]) -> dict[str, list[AssessmentKey]]:
    """Each council's lead-track keys, oldest period first."""
    found: dict[str, list[AssessmentKey]] = {}
    for key in keys:
        if not key.track:
            found.setdefault(key.org_code, []).append(key)
    for periods in found.values():
        periods.sort(key=lambda key: period_sort_key(key.period))
    return found


def _why_not(scores: Scores, stored: StoredAssessment) -> str:
    """Why a council cannot be compared ('' when it can): the reasons a report is refused for."""
    if scores.problems:
        return "the assessment has problems to resolve first: " + "; ".join(scores.problems)
    if not any(result.scored and result.level is not None for result in scores.kloes.values()):
        return f"nothing assessed yet (no KLOE has a level, revision {stored.revision})"
    return ""


def _groups_text(groups: dict[str, int]) -> str:
    parts = [f"{name!r} ({count} council{'s' if count != 1 else ''})" for name, count in sorted(groups.items()) if name]
    return ", ".join(parts) or "none (no council has a peer group)"


def _check_group(group: str, groups: dict[str, int], framework_id: str, store: str) -> None:
    if not group or group in groups:
        return
    close = difflib.get_close_matches(group, [name for name in groups if name], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ComparisonError(
        f"no council assessed against {framework_id} in the store {store} is in the peer group {group!r}{hint} "
        f"(the peer groups there are: {_groups_text(groups)})"
    )


def gather(framework: str, store: str | Path, group: str = "", councils_csv: str | Path = "", *, with_agreement: bool = True) -> Gathered:
    """The councils to compare (see the module docstring), or ComparisonError / NotFoundError saying why there are none.

    Each stored assessment is read (parsed) once and scored once: the latest period's scores
    serve the league table, heatmap and peer groups, every period's the direction of travel,
    and the assessor agreement reads the lead assessments already read.
    ``with_agreement=False`` skips the assessor agreement statistics.
    """
    record = load_framework_by_id(framework)
    overrides = group_overrides(councils_csv) if councils_csv else {}
    compared: list[CouncilData] = []
    excluded: list[Excluded] = []
    groups: dict[str, int] = {}
    with open_store(store, read_only=True) as opened:  # (a missing store is a NotFoundError, never created)
        shown = str(opened.path)  # a server URL without its password
        keys_of_framework = opened.keys(record.framework.id)
        scored_twice = {(key.org_code, key.period) for key in keys_of_framework if key.track} if with_agreement else set()
        kept: dict[AssessmentKey, StoredAssessment] = {}  # only the leads the agreement reads again: fewer objects alive

        def load(key: AssessmentKey) -> StoredAssessment:
            found = kept.get(key) or opened.load(key)
            if (key.org_code, key.period) in scored_twice:
                kept[key] = found
            return found

        for code, keys in sorted(_by_council(keys_of_framework).items()):
            latest = load(keys[-1])
            assessment = latest.assessment
            peer_group = overrides.get(code, assessment.organisation.group)
            groups[peer_group] = groups.get(peer_group, 0) + 1
            if group and peer_group != group:
                continue
            scores = score(record.framework, assessment)
            reason = _why_not(scores, latest)
            if reason:
                excluded.append(Excluded(code, assessment.organisation.name, assessment.period, reason))
                continue
            stored = [load(key) for key in keys[:-1]]  # earlier periods only for councils compared
            trend = trend_from_assessments(
                record.framework,
                [item.assessment for item in stored] + [assessment],
                revisions=[item.revision for item in stored] + [latest.revision],
                scores=[score(record.framework, item.assessment) for item in stored] + [scores],
            )
            compared.append(
                CouncilData(
                    code=code,
                    name=assessment.organisation.name,
                    group=peer_group,
                    period=assessment.period,
                    assessor=assessment.assessor,
                    illustrative=assessment.illustrative,
                    revision=latest.revision,
                    saved_at=latest.saved_at,
                    scores=scores,
                    trend=trend,
                )
            )
        _check_group(group, groups, record.framework.id, shown)
        agreement = agreement_report(opened, record.framework, lambda key: load(key).assessment) if with_agreement else None
    if not compared:
        _nothing_to_compare(record.framework.id, shown, group, excluded)
    return Gathered(record, shown, group, str(councils_csv or ""), compared, excluded, groups, agreement)


def _nothing_to_compare(framework_id: str, shown: str, group: str, excluded: list[Excluded]) -> NoReturn:
    within = f" in the peer group {group!r}" if group else ""
    if not excluded:
        raise ComparisonError(f"no council{within} has an assessment of {framework_id} in the store {shown}; import assessments with 'kloe import'")
    reasons = "; ".join(f"{item.code} ({item.name}): {item.reason}" for item in excluded)
    raise ComparisonError(f"none of the councils{within} assessed against {framework_id} in the store {shown} can be compared: {reasons}")


def check_comparable(framework: str, store: str | Path, group: str = "", councils_csv: str | Path = "") -> None:
    """Raise what ``gather`` raises when there is nothing to compare; else return at the first council that can be compared.

    ``kloe compare`` checks its input this way before the notebook runs, so bad input is a
    plain error: reading and scoring every council only to learn that one can be compared
    cost as long as the page's own gathering. Only when none can be is every council read,
    by ``gather`` itself, so the error is word for word the same (every peer group there is,
    every council left out and why). A stored revision that no longer reads, past the first
    council that can be compared, is left for the page to report.
    """
    record = load_framework_by_id(framework)
    overrides = group_overrides(councils_csv) if councils_csv else {}
    with open_store(store, read_only=True) as opened:
        for code, keys in sorted(_by_council(opened.keys(record.framework.id)).items()):
            latest = opened.load(keys[-1])
            if group and overrides.get(code, latest.assessment.organisation.group) != group:
                continue
            if not _why_not(score(record.framework, latest.assessment), latest):
                return
    gather(framework, store, group, councils_csv, with_agreement=False)  # raises, saying why
