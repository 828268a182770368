"""Agreement between independent assessors: kappa checked against arithmetic done by hand, and against scikit-learn."""

from __future__ import annotations

import math
import random
import warnings
from fractions import Fraction

import pytest

from kloe_nb.analysis import agreement, agreement_report, record_agreed
from kloe_nb.analysis.agreement import weighted_kappa
from kloe_nb.assessment import Assessment, KloeRecord, Organisation
from kloe_nb.framework import load_framework
from kloe_nb.store import open_store

LEVELS = [1, 2, 3, 4]


def test_kappa_matches_the_hand_computed_quadratic_weighted_value():
    first = [1, 2, 3, 3, 4]
    second = [2, 2, 3, 4, 4]
    # Observed table (rows: first assessor's level 1-4, columns: second's), counts:
    observed = [
        [0, 1, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 1],
        [0, 0, 0, 1],
    ]
    rows = [1, 1, 2, 1]  # row totals
    columns = [0, 2, 1, 2]  # column totals
    n = 5
    # Quadratic weights (i - j)^2 / (4 - 1)^2:
    weights = [
        [Fraction(0), Fraction(1, 9), Fraction(4, 9), Fraction(9, 9)],
        [Fraction(1, 9), Fraction(0), Fraction(1, 9), Fraction(4, 9)],
        [Fraction(4, 9), Fraction(1, 9), Fraction(0), Fraction(1, 9)],
        [Fraction(9, 9), Fraction(4, 9), Fraction(1, 9), Fraction(0)],
    ]
    # Expected counts by chance, row total x column total / n:
    expected = [
        [Fraction(0), Fraction(2, 5), Fraction(1, 5), Fraction(2, 5)],
        [Fraction(0), Fraction(2, 5), Fraction(1, 5), Fraction(2, 5)],
        [Fraction(0), Fraction(4, 5), Fraction(2, 5), Fraction(4, 5)],
        [Fraction(0), Fraction(2, 5), Fraction(1, 5), Fraction(2, 5)],
    ]
    assert expected == [[Fraction(rows[i] * columns[j], n) for j in range(4)] for i in range(4)]
    weighted_observed = sum(weights[i][j] * observed[i][j] for i in range(4) for j in range(4))
    weighted_expected = sum(weights[i][j] * expected[i][j] for i in range(4) for j in range(4))
    # 1/9 (cell 1,2) + 1/9 (cell 3,4) = 2/9; and 10/9 by chance
    assert weighted_observed == Fraction(2, 9)
    assert weighted_expected == Fraction(10, 9)
    by_hand = 1 - weighted_observed / weighted_expected
    assert by_hand == Fraction(4, 5)

    result = agreement(first, second)
    assert result.compared == 5
    assert result.exact == pytest.approx(3 / 5)
    assert result.within_one == pytest.approx(1.0)
    assert result.kappa == pytest.approx(float(by_hand))
    assert result.note == ""


def test_complete_reversal_is_kappa_minus_one_by_hand():
    # first [1, 1, 4, 4], second [4, 4, 1, 1]: observed 2 in cell (1,4) and 2 in (4,1), weight 9/9 each = 4;
    # row and column totals [2, 0, 0, 2], expected 1 in each corner cell: (1,4) + (4,1) weighted = 2.
    result = agreement([1, 1, 4, 4], [4, 4, 1, 1])
    assert result.kappa == pytest.approx(float(1 - Fraction(4) / Fraction(2)))
    assert result.exact == 0 and result.within_one == 0


def test_one_level_apart_counts_as_within_one_but_not_exact():
    result = agreement([1, 2, 3, 4], [2, 2, 4, 2])
    assert result.exact == pytest.approx(1 / 4)
    assert result.within_one == pytest.approx(3 / 4)


def test_kappa_is_undefined_with_fewer_than_two_kloes_or_no_variation():
    none = agreement([], [])
    assert (none.compared, none.exact, none.within_one, none.kappa) == (0, None, None, None)
    assert "no KLOE" in none.note
    one = agreement([3], [2])
    assert one.kappa is None and one.exact == 0 and one.within_one == 1
    assert "at least two KLOEs" in one.note
    same = agreement([2, 2, 2], [2, 2, 2])
    assert same.kappa is None and same.exact == 1
    assert "no variation" in same.note


def _sklearn_kappa(first: list[int], second: list[int], weights: str) -> float | None:
    """scikit-learn's weighted kappa over levels 1-4 (None for its NaN of a table without variation)."""
    import numpy
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings(), numpy.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(first, second, weights=weights, labels=LEVELS))
    return None if math.isnan(value) else value


def _edge_cases() -> list[tuple[list[int], list[int]]]:
    cases = [
        ([2, 2, 2], [2, 2, 2]),  # all equal: 0/0
        ([1, 1], [1, 1]),
        ([4] * 9, [4] * 9),
        ([3, 3, 3], [1, 2, 4]),  # one side a single category
        ([1, 2, 4], [3, 3, 3]),
        ([1, 1, 1], [4, 4, 4]),  # each side one category, different ones
        ([1, 4], [4, 1]),
        ([1, 2], [1, 2]),  # perfect agreement
        ([1, 2, 3, 4], [1, 2, 3, 4]),
        ([1, 2, 3, 4], [4, 3, 2, 1]),  # reversal
        ([2, 3], [3, 2]),  # levels 1 and 4 never used (missing labels)
        ([2, 2, 3, 3], [2, 3, 2, 3]),
        ([1, 1, 1, 2], [1, 1, 1, 1]),
    ]
    rng = random.Random(16)
    for _ in range(400):
        size = rng.randint(2, 60)
        used = rng.sample(LEVELS, rng.randint(1, 4))  # some draws leave levels out
        first = [rng.choice(used) for _ in range(size)]
        second = [min(4, max(1, level + rng.choice([-2, -1, 0, 0, 0, 1, 2]))) if rng.random() < 0.8 else rng.choice(LEVELS) for level in first]
        cases.append((first, second))
    return cases


@pytest.mark.parametrize("weights", ["quadratic", "linear"])
def test_weighted_kappa_is_scikit_learns_on_random_and_edge_cases(weights):
    for first, second in _edge_cases():
        ours, theirs = weighted_kappa(first, second, weights=weights), _sklearn_kappa(first, second, weights)
        if theirs is None:
            assert ours is None, (first, second)
        else:
            assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12), (first, second)


def test_agreement_kappa_is_scikit_learns_quadratic_kappa():
    for first, second in _edge_cases():
        assert agreement(first, second).kappa == (None if (theirs := _sklearn_kappa(first, second, "quadratic")) is None else pytest.approx(theirs)), (
            first,
            second,
        )


def test_weighted_kappa_refuses_unknown_weights_and_unpaired_levels():
    with pytest.raises(ValueError):
        weighted_kappa([1, 2], [1, 2], weights="cubic")
    with pytest.raises(ValueError):
        weighted_kappa([1, 2], [1])


def test_paired_levels_must_be_the_same_length():
    with pytest.raises(ValueError):
        agreement([1, 2], [1])


def _hi(code: str, levels: list[int | None], *, track: str = "", assessor: str = "", period: str = "2008/09") -> Assessment:
    framework = load_framework("hi-prospects")
    ids = [kloe.id for _, kloe in framework.iter_kloes()]
    return Assessment(
        framework="hi-prospects",
        organisation=Organisation(code=code, name=f"Council {code}"),
        period=period,
        assessor=assessor,
        track=track,
        kloes={kloe_id: KloeRecord(level=level) for kloe_id, level in zip(ids, levels)},
    )


def test_agreement_report_per_pair_and_overall_from_a_real_store(tmp_path):
    framework = load_framework("hi-prospects")
    ann_1 = [3, 3, 2, 2, 3, 3, 2, 2, 3, 3]
    bob_1 = [3, 2, 2, 2, 3, 4, 2, 1, 3, None]  # nine compared (the last not levelled by Bob)
    ann_2 = [2, 2, 2, 2, 2, 3, 3, 3, 3, 3]
    cat_2 = [2, 2, 2, 2, 2, 3, 3, 3, 3, 3]
    with open_store(tmp_path / "kloe.db") as store:
        store.save(_hi("A1", ann_1, assessor="Ann"), based_on=None)
        store.save(_hi("A1", bob_1, track="B", assessor="Bob"), based_on=None)
        store.save(_hi("A2", ann_2, assessor="Ann"), based_on=None)
        store.save(_hi("A2", cat_2, track="B", assessor="Cat"), based_on=None)
        store.save(_hi("A3", ann_2, assessor="Ann"), based_on=None)  # no second scoring: not compared
        store.save(_hi("A4", cat_2, track="B", assessor="Cat"), based_on=None)  # no lead: not compared
        report = agreement_report(store, framework)
    assert report.councils == 2
    assert [pair.assessors for pair in report.pairs] == [("Ann", "Bob"), ("Ann", "Cat")]
    ann_bob, ann_cat = report.pairs
    assert ann_bob.councils == ["A1 2008/09"] and ann_bob.agreement.compared == 9
    assert ann_bob.agreement == agreement(ann_1[:9], bob_1[:9])
    assert ann_cat.agreement.exact == 1 and ann_cat.agreement.kappa == pytest.approx(1.0)
    assert report.overall == agreement(ann_1[:9] + ann_2, bob_1[:9] + cat_2)


def test_moderation_never_changes_the_agreement_statistics(tmp_path):
    framework = load_framework("hi-prospects")
    lead = _hi("A1", [3, 3, 2, 2, 3, 3, 2, 2, 3, 3], assessor="Ann")
    other = _hi("A1", [2, 3, 2, 1, 3, 4, 2, 2, 3, 3], track="B", assessor="Bob")
    with open_store(tmp_path / "kloe.db") as store:
        saved = store.save(lead, based_on=None)
        store.save(other, based_on=None)
        before = agreement_report(store, framework)
        moderated = record_agreed(lead, other, "track-record", 2, "Bob's evidence on arrears is stronger", "Moderator")
        moderated = record_agreed(moderated, other, "best-value-principles", 1, "agreed", "Moderator")
        store.save(moderated, based_on=saved.revision)
        after = agreement_report(store, framework)
    assert before.overall.exact == pytest.approx(0.7)
    assert after == before
