"""The illustrative example data: valid against its frameworks, in peer groups, over three periods,
with second assessors, moderation and improvement plans, all marked illustrative, and exactly what
examples/make_examples.py generates (so the committed files are never stale)."""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from kloe_nb.assessment.model import Assessment
from kloe_nb.assessment.validate import check_assessment
from kloe_nb.demo import import_examples
from kloe_nb.framework import load_framework
from kloe_nb.interchange.councils_csv import read_councils_csv
from kloe_nb.interchange.json_io import assessment_json_text, read_assessment_json
from kloe_nb.scoring import score
from kloe_nb.store import AssessmentKey, open_store

EXAMPLES = REPO_ROOT / "examples"
FRAMEWORKS = ["ac-benefits", "ac-judgement2", "caa-2009", "hi-prospects", "wao-housing"]
OVER_YEARS = ["ac-benefits", "ac-judgement2", "hi-prospects", "wao-housing"]
THREE_PERIODS = ["2006/07", "2007/08", "2008/09"]
GROUPS = {
    "Shire districts",
    "Counties",
    "Unitary authorities",
    "Metropolitan boroughs",
    "London boroughs",
    "Welsh unitary authorities",
    "Housing organisations",
}


def load_all() -> dict[Path, Assessment]:
    return {path: read_assessment_json(path) for path in sorted((EXAMPLES / "assessments").glob("*.json"))}


EXAMPLE_FILES = load_all()


def examples_of(framework: str, track: str | None = "") -> list[Assessment]:
    return [a for a in EXAMPLE_FILES.values() if a.framework == framework and (track is None or a.track == track)]


def by_key() -> dict[tuple[str, str, str, str], Assessment]:
    return {(a.framework, a.organisation.code, a.period, a.track): a for a in EXAMPLE_FILES.values()}


def councils_csv(framework: str) -> list[dict[str, str]]:
    with (EXAMPLES / "councils" / f"{framework}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def decided(framework_id: str, assessment: Assessment) -> dict[str, int | None]:
    framework = load_framework(framework_id)
    return {key: result.level for key, result in score(framework, assessment).judgements.items() if result.scored}


@pytest.mark.parametrize("path", list(EXAMPLE_FILES), ids=lambda path: path.stem)
def test_every_example_loads_validates_and_scores_against_its_framework(path):
    assessment = EXAMPLE_FILES[path]
    framework = load_framework(assessment.framework)
    findings = check_assessment(framework, assessment)
    assert findings.problems == [] and findings.unknown_kloes == []
    scores = score(framework, assessment)
    assert scores.problems == []
    # a KLOE's decided level differs from what its ticked statements suggest only with a rationale saying why
    assert [k.id for k in scores.kloes.values() if k.differs and not k.rationale.strip()] == []
    parts = [assessment.framework, assessment.organisation.code, assessment.period.replace("/", "-")] + ([assessment.track] if assessment.track else [])
    assert path.name == "--".join(parts) + ".json"


def test_every_example_is_marked_illustrative_people_included():
    for path, assessment in EXAMPLE_FILES.items():
        assert assessment.illustrative is True and '"illustrative": true' in path.read_text(encoding="utf-8"), path.name
        assert assessment.assessor.endswith("(illustrative)"), path.name
        for record in assessment.kloes.values():
            if record.moderation is not None:
                assert all(name.endswith("(illustrative)") for name in record.moderation.assessors.values())
                assert "(illustrative)" in record.moderation.moderated_by


def test_evidence_was_seen_inside_its_period():
    for path, assessment in EXAMPLE_FILES.items():
        start = int(assessment.period[:4])
        first, last = f"{start}-04-01", f"{start + 1}-03-31"
        dates = [e.date_seen for record in assessment.kloes.values() for e in record.evidence]
        assert dates and all(first <= date <= last for date in dates), path.name


def test_every_council_is_in_a_peer_group_and_each_framework_has_a_group_of_two_or_more():
    for framework in FRAMEWORKS:
        rows = councils_csv(framework)
        groups = {row["code"]: row["group"] for row in rows}
        assert set(groups.values()) <= GROUPS
        for assessment in examples_of(framework, track=None):
            assert assessment.organisation.group == groups[assessment.organisation.code]
        sizes = defaultdict(int)
        for group in groups.values():
            sizes[group] += 1
        assert max(sizes.values()) >= 2, framework
    assert 18 <= sum(len(councils_csv(framework)) for framework in FRAMEWORKS) <= 22


def test_the_councils_csvs_list_each_council_once_with_its_latest_period():
    for framework in FRAMEWORKS:
        councils = read_councils_csv(EXAMPLES / "councils" / f"{framework}.csv")
        codes = [council.code for council in councils]
        assert len(codes) == len(set(codes))
        periods: dict[str, list[str]] = defaultdict(list)
        for assessment in examples_of(framework):
            periods[assessment.organisation.code].append(assessment.period)
        assert set(codes) == set(periods)
        for council in councils:
            assert council.period == max(periods[council.code])
            name = next(a.organisation.name for a in examples_of(framework) if a.organisation.code == council.code)
            assert council.name == name


@pytest.mark.parametrize("framework", OVER_YEARS)
def test_most_councils_have_three_periods(framework):
    periods: dict[str, set[str]] = defaultdict(set)
    for assessment in examples_of(framework):
        periods[assessment.organisation.code].add(assessment.period)
    three = [code for code, held in periods.items() if held == set(THREE_PERIODS)]
    assert len(three) * 2 > len(periods), periods


def test_caa_2009_has_its_one_period_only():
    assert {a.period for a in examples_of("caa-2009", track=None)} == {"2009/10"}


def test_the_direction_of_travel_goes_up_down_and_stays_flat():
    """Across the frameworks assessed over three years: a council whose every judgement rose, one whose every
    judgement fell, one where none moved."""
    travel = set()
    for framework in OVER_YEARS:
        history: dict[str, dict[str, dict[str, int | None]]] = defaultdict(dict)
        for assessment in examples_of(framework):
            history[assessment.organisation.code][assessment.period] = decided(framework, assessment)
        for _code, periods in history.items():
            if set(periods) != set(THREE_PERIODS):
                continue
            first, last = periods[THREE_PERIODS[0]], periods[THREE_PERIODS[-1]]
            if all(last[key] > first[key] for key in first):
                travel.add("up")
            elif all(last[key] < first[key] for key in first):
                travel.add("down")
            elif all(periods[period] == first for period in THREE_PERIODS):
                travel.add("flat")
    assert travel == {"up", "down", "flat"}


def second_tracks() -> list[tuple[Assessment, Assessment]]:
    """(lead, second) for every council and period scored by a second assessor."""
    keys = by_key()
    return [(keys[(b.framework, b.organisation.code, b.period, "")], b) for b in EXAMPLE_FILES.values() if b.track]


def test_second_assessors_scored_at_least_two_councils_in_two_frameworks_and_disagree_on_a_few_kloes():
    pairs = second_tracks()
    assert len(pairs) >= 2 and len({lead.framework for lead, _ in pairs}) >= 2
    for lead, second in pairs:
        assert second.track == "B" and second.assessor != lead.assessor
        assert second.kloes and not second.judgements and not any(record.actions or record.moderation for record in second.kloes.values())
        gaps = []
        for kloe_id, record in second.kloes.items():
            own = lead.record(kloe_id)
            independent = own.moderation.levels[""] if own.moderation else own.level
            if record.level is not None and independent is not None:
                gaps.append(abs(record.level - independent))
        disagree = [gap for gap in gaps if gap]
        assert 2 <= len(disagree) <= len(gaps) // 4, gaps  # a few, most KLOEs agree
        assert sorted(disagree)[-1] == 2 and sorted(disagree)[-2] == 1  # mostly by one level, one by two


def test_moderation_records_are_consistent_and_one_lead_is_fully_moderated_another_not_yet():
    how_far = []
    for lead, second in second_tracks():
        framework = load_framework(lead.framework)
        scales = {kloe.id: framework.scale_for_group(group) for group, kloe in framework.iter_kloes()}
        disagreements, moderated = 0, 0
        for kloe_id, record in lead.kloes.items():
            other = second.record(kloe_id).level
            moderation = record.moderation
            if moderation is None:
                disagreements += record.level is not None and other is not None and record.level != other
                continue
            disagreements += 1
            moderated += 1
            assert set(moderation.levels) == {"", "B"} and moderation.assessors == {"": lead.assessor, "B": second.assessor}
            own, theirs = moderation.levels[""], moderation.levels["B"]
            assert own is not None and theirs is not None and own != theirs and theirs == other
            assert record.level in {level.level for level in scales[kloe_id].levels}  # the agreed level is on the KLOE's scale
            assert min(own, theirs) <= record.level <= max(own, theirs)
            assert moderation.note.strip() and moderation.moderated_by.strip()
        how_far.append((moderated, disagreements))
    assert any(moderated == disagreements > 0 for moderated, disagreements in how_far)  # all moderated
    assert any(moderated == 0 < disagreements for moderated, disagreements in how_far)  # moderation still to do
    # no moderation anywhere else: only leads that have a second track record it
    paired = {(lead.framework, lead.organisation.code, lead.period) for lead, _ in second_tracks()}
    for assessment in EXAMPLE_FILES.values():
        if (assessment.framework, assessment.organisation.code, assessment.period) not in paired or assessment.track:
            assert not any(record.moderation for record in assessment.kloes.values())


def test_most_latest_periods_have_an_improvement_plan_some_actions_not_yet_smart():
    councils = [(framework, row) for framework in FRAMEWORKS for row in councils_csv(framework)]
    keys = by_key()
    planned, complete, incomplete = 0, 0, 0
    for framework, row in councils:
        latest = keys[(framework, row["code"], row["period"], "")]
        end = f"{int(row['period'][:4]) + 1}-03-31"
        actions = [(record, action) for record in latest.kloes.values() for action in record.actions]
        planned += bool(actions)
        for record, action in actions:
            assert action.area == record.areas_for_improvement and action.action.strip()
            assert action.due == "" or action.due > end  # due after the period it plans from
            missing = action.missing()
            assert set(missing) <= {"owner", "measure of success"}
            complete += not missing
            incomplete += bool(missing)
    assert planned * 2 > len(councils)
    assert incomplete >= 3 and complete > incomplete
    for assessment in EXAMPLE_FILES.values():  # plans belong to the latest period's lead
        latest = next(row["period"] for framework, row in councils if framework == assessment.framework and row["code"] == assessment.organisation.code)
        if assessment.period != latest or assessment.track:
            assert not any(record.actions for record in assessment.kloes.values())


def test_every_example_imports_into_one_store_each_track_under_its_own_key(tmp_path):
    store = tmp_path / "kloe.db"
    assert import_examples(store) == len(EXAMPLE_FILES)
    with open_store(store) as opened:
        keys = opened.keys()
        assert len(keys) == len(EXAMPLE_FILES)
        for lead, second in second_tracks():
            key = AssessmentKey(second.framework, second.organisation.code, second.period, "B")
            assert opened.load(key).assessment.assessor == second.assessor
            assert opened.load(AssessmentKey.of(lead)).assessment.assessor == lead.assessor


def test_the_committed_files_are_exactly_what_the_generator_writes(monkeypatch):
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_examples", module)  # its dataclasses look their module up
    monkeypatch.setattr(sys, "path", list(sys.path))  # it puts the repository and examples/ on the path
    spec.loader.exec_module(module)
    generated = {}
    for council in module.COUNCILS:
        for assessment in module.make_assessments(load_framework(council.framework), council):
            generated[module.file_name(assessment)] = assessment_json_text(assessment)
    committed = {path.name: path.read_text(encoding="utf-8") for path in EXAMPLE_FILES}
    assert sorted(generated) == sorted(committed)
    assert [name for name in generated if generated[name] != committed[name]] == []


def test_every_bundled_examples_report_is_under_100_kb(tmp_path, capsys):
    """Each example council's report as the batch makes it (latest period), every framework's: sizes printed (issue 16)."""
    from builders import page_of

    from kloe_nb.report import Report

    store = tmp_path / "kloe.db"
    import_examples(store, EXAMPLES)
    sizes = {}
    for framework in FRAMEWORKS:
        for council in read_councils_csv(EXAMPLES / "councils" / f"{framework}.csv"):
            html, _ = page_of(Report.load(framework, council.code, str(store), council.period or ""))
            sizes[(framework, council.code)] = len(html.encode())
    with capsys.disabled():
        print("\nreport sizes: " + ", ".join(f"{code} {size / 1024:.0f} KB" for (_, code), size in sizes.items()))
    assert len(sizes) == 20 and {framework for framework, _ in sizes} == set(FRAMEWORKS)
    assert {key: size for key, size in sizes.items() if size >= 100_000} == {}  # wao-housing's 50 KLOEs included: 129-135 KB before
