"""Agreement between independent assessors: exact, within one level, and weighted kappa.

Moderation needs to know how far two assessors scoring the same council agree. Exact and
within-one agreement are the shares people read at a glance; quadratic-weighted Cohen's
kappa discounts the agreement two assessors would reach by chance and counts a two-level
gap as four times a one-level one, which suits an ordered 1-4 scale. Levels are the
independent ones: a KLOE moderated later keeps its original levels in ``Moderation.levels``,
so the statistics never change after the fact.

The kappa is the textbook formula on a 4 x 4 table (``weighted_kappa``), in whole numbers
until one division: the same value as scikit-learn's ``cohen_kappa_score(weights="quadratic",
labels=[1, 2, 3, 4])`` (tests/test_analysis_agreement.py cross-checks them), without the
second and a half that importing scikit-learn costs every comparison page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

from kloe_nb.assessment.model import Assessment
from kloe_nb.framework.model import Framework
from kloe_nb.store.base import AssessmentKey, AssessmentStore

LEVELS = [1, 2, 3, 4]


@dataclass(frozen=True)
class Agreement:
    """How closely two sequences of levels (one per KLOE levelled by both) agree."""

    compared: int
    exact: float | None
    within_one: float | None
    kappa: float | None
    note: str


def agreement(first: Sequence[int], second: Sequence[int]) -> Agreement:
    """Exact and within-one shares and quadratic-weighted kappa of paired levels (1-4)."""
    if len(first) != len(second):
        raise ValueError(f"paired levels needed: {len(first)} against {len(second)}")
    compared = len(first)
    if compared == 0:
        return Agreement(0, None, None, None, "no KLOE was levelled by both assessors")
    exact = sum(a == b for a, b in zip(first, second)) / compared
    within_one = sum(abs(a - b) <= 1 for a, b in zip(first, second)) / compared
    if compared < 2:
        return Agreement(compared, exact, within_one, None, "kappa needs at least two KLOEs levelled by both assessors")
    kappa = weighted_kappa(first, second)
    if kappa is None:
        return Agreement(
            compared,
            exact,
            within_one,
            None,
            "kappa is undefined: both assessors gave every KLOE the same level, so there is no variation to compare",
        )
    return Agreement(compared, exact, within_one, kappa, "")


def weighted_kappa(first: Sequence[int], second: Sequence[int], levels: Sequence[int] = LEVELS, weights: str = "quadratic") -> float | None:
    """Cohen's kappa of paired levels, weighted by the distance between levels; None when it is 0/0.

    With ``w[i][j]`` the distance between the i-th and j-th of ``levels`` (squared for
    "quadratic", as is for "linear"), ``observed[i][j]`` how many pairs are (i, j) and
    ``expected[i][j] = rows[i] * columns[j] / n`` what chance alone would give,

        kappa = 1 - sum(w * observed) / sum(w * expected)

    Pairs with a level not in ``levels`` are left out of the table (as scikit-learn does).
    It is undefined (None) when both sides put every pair on one and the same level (or there is no pair).
    """
    if weights not in ("quadratic", "linear"):
        raise ValueError(f"weights must be 'quadratic' or 'linear', not {weights!r}")
    if len(first) != len(second):
        raise ValueError(f"paired levels needed: {len(first)} against {len(second)}")
    index = {level: at for at, level in enumerate(levels)}
    pairs = Counter((index[a], index[b]) for a, b in zip(first, second) if a in index and b in index)
    rows, columns = [0] * len(levels), [0] * len(levels)
    for (i, j), count in pairs.items():
        rows[i] += count
        columns[j] += count

    def weight(i: int, j: int) -> int:
        return (i - j) ** 2 if weights == "quadratic" else abs(i - j)

    observed = sum(weight(i, j) * count for (i, j), count in pairs.items())
    chance = sum(weight(i, j) * row * column for i, row in enumerate(rows) for j, column in enumerate(columns))  # n * sum(w * expected)
    if chance == 0:
        return None
    n = sum(rows)
    return 1 - n * observed / chance


@dataclass(frozen=True)
class PairAgreement:
    """Agreement between two named assessors over the councils both scored."""

    framework: str
    assessors: tuple[str, str]
    councils: list[str]
    agreement: Agreement


@dataclass(frozen=True)
class AgreementReport:
    """A framework's agreement overall and per assessor pair; ``councils`` counts (council, period) pairs compared."""

    framework: str
    overall: Agreement
    pairs: list[PairAgreement]
    councils: int


def track_levels(framework: Framework, lead: Assessment, assessment: Assessment, track: str) -> dict[str, int | None]:
    """Each scored KLOE's level as ``track`` scored it independently, in framework order.

    Where the lead's record of a KLOE carries a moderation record naming this track, its
    level from there (as it was before moderation); otherwise the track's current level.
    """
    levels: dict[str, int | None] = {}
    for _, kloe in framework.iter_kloes():
        if not kloe.scored:
            continue
        moderation = lead.record(kloe.id).moderation
        if moderation is not None and track in moderation.levels:
            levels[kloe.id] = moderation.levels[track]
        else:
            levels[kloe.id] = assessment.record(kloe.id).level
    return levels


def assessor_of(lead: Assessment, assessment: Assessment, track: str) -> str:
    """Who scored a track: the assessment's assessor, else a moderation record's name, else the track in words."""
    if assessment.assessor.strip():
        return assessment.assessor.strip()
    for record in lead.kloes.values():
        if record.moderation is not None and record.moderation.assessors.get(track, "").strip():
            return record.moderation.assessors[track].strip()
    return f"track {track}" if track else "lead"


def paired_levels(first: dict[str, int | None], second: dict[str, int | None]) -> tuple[list[int], list[int]]:
    """The levels of the KLOEs both levelled, paired, in the first's order."""
    kept = [(a, b) for kloe_id, a in first.items() if a is not None and (b := second.get(kloe_id)) is not None]
    return [a for a, _ in kept], [b for _, b in kept]


def agreement_report(store: AssessmentStore, framework: Framework, load: Callable[[AssessmentKey], Assessment] | None = None) -> AgreementReport:
    """Agreement over every (council, period) that has a lead and at least one named track, overall and per pair.

    ``load`` reads an assessment (default: the store's current revision); a comparison passes
    one that answers from the assessments it has already read, so none is parsed twice.
    """
    read = load or (lambda key: store.load(key).assessment)
    by_council: dict[tuple[str, str], dict[str, AssessmentKey]] = {}
    for key in store.keys(framework.id):
        by_council.setdefault((key.org_code, key.period), {})[key.track] = key
    overall: tuple[list[int], list[int]] = ([], [])
    by_pair: dict[tuple[str, str], tuple[list[int], list[int], list[str]]] = {}
    councils = 0
    for (org_code, period), tracks in sorted(by_council.items()):
        if "" not in tracks or len(tracks) < 2:
            continue
        councils += 1
        loaded = {track: read(key) for track, key in tracks.items()}
        lead = loaded[""]
        levels = {track: track_levels(framework, lead, assessment, track) for track, assessment in loaded.items()}
        names = {track: assessor_of(lead, assessment, track) for track, assessment in loaded.items()}
        for track_a, track_b in combinations(sorted(loaded), 2):
            if names[track_a] > names[track_b]:
                track_a, track_b = track_b, track_a
            first, second = paired_levels(levels[track_a], levels[track_b])
            pair = by_pair.setdefault((names[track_a], names[track_b]), ([], [], []))
            pair[0].extend(first)
            pair[1].extend(second)
            label = f"{org_code} {period}".strip()
            if label not in pair[2]:
                pair[2].append(label)
            overall[0].extend(first)
            overall[1].extend(second)
    pairs = [PairAgreement(framework.id, names_, councils_, agreement(first, second)) for names_, (first, second, councils_) in sorted(by_pair.items())]
    return AgreementReport(framework.id, agreement(*overall), pairs, councils)
