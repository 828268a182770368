"""``kloe diff``, ``kloe agreement`` and ``--track`` on score/import/export/history, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO_ROOT

from kloe_nb.assessment import Assessment, KloeRecord, Organisation
from kloe_nb.framework import load_framework
from kloe_nb.interchange.json_io import write_assessment_json
from kloe_nb.store import AssessmentKey, open_store


def kloe(*args: str):
    return subprocess.run([sys.executable, "-m", "kloe_nb.cli.main", *args], capture_output=True, text=True, cwd=REPO_ROOT)


def _hi(levels: list[int | None], *, period: str = "2008/09", track: str = "", assessor: str = "Ann", code: str = "00123") -> Assessment:
    ids = [kloe.id for _, kloe in load_framework("hi-prospects").iter_kloes()]
    return Assessment(
        framework="hi-prospects",
        organisation=Organisation(code=code, name="Rotherham (illustrative)"),
        period=period,
        assessor=assessor,
        track=track,
        kloes={kloe_id: KloeRecord(level=level) for kloe_id, level in zip(ids, levels)},
    )


def test_diff_lists_each_change_with_who_when_and_revision(tmp_path):
    store_path = tmp_path / "kloe.db"
    with open_store(store_path) as store:
        store.save(_hi([2] * 10, period="2007/08"), based_on=None, author="Ann")
        first = store.save(_hi([2] * 10), based_on=None, author="Ann")
        edited = _hi([3] + [2] * 9)
        edited.kloes["track-record"].strengths = "Rent arrears down by a third"
        second = store.save(edited, based_on=first.revision, author="Bob Smith")
    table = kloe("--store", str(store_path), "diff", "--org", "00123", "--framework", "hi-prospects", "--from", "2007/08", "--to", "2008/09")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == "00123 hi-prospects: 2007/08 -> 2008/09: 2 fields changed"
    assert lines[1].split() == ["field", "before", "after", "who", "when", "revision"]
    level = next(line for line in lines if line.startswith("KLOE track-record level"))
    assert level.split()[3:] == ["2", "3", "Bob", "Smith", second.saved_at, "2"]
    assert any(line.startswith("KLOE track-record strengths  (blank)  Rent arrears down by a third") for line in lines)
    as_json = kloe("--store", str(store_path), "diff", "--org", "00123", "--framework", "hi-prospects", "--from", "2007/08", "--to", "2008/09", "--json")
    data = json.loads(as_json.stdout)
    assert data["changes"][0] == {
        "path": "kloes.track-record.level",
        "label": "KLOE track-record level",
        "before": 2,
        "after": 3,
        "revision": 2,
        "changed_by": "Bob Smith",
        "changed_at": second.saved_at,
    }
    same = kloe("--store", str(store_path), "diff", "--org", "00123", "--framework", "hi-prospects", "--from", "2008/09", "--to", "2008/09")
    assert same.returncode == 0 and same.stdout.strip().endswith("no differences")


def test_diff_of_a_period_not_in_the_store_is_exit_2_naming_it(tmp_path):
    store_path = tmp_path / "kloe.db"
    with open_store(store_path) as store:
        store.save(_hi([2] * 10, period="2007/08"), based_on=None)
    result = kloe("--store", str(store_path), "diff", "--org", "00123", "--framework", "hi-prospects", "--from", "2007/08", "--to", "2009/10")
    assert result.returncode == 2
    assert "no assessment of 00123 against hi-prospects for period 2009/10 (it has 2007/08)" in result.stderr
    assert "Traceback" not in result.stderr


def test_agreement_overall_and_per_pair(tmp_path):
    store_path = tmp_path / "kloe.db"
    with open_store(store_path) as store:
        store.save(_hi([3, 3, 2, 2, 3, 3, 2, 2, 3, 3]), based_on=None)
        store.save(_hi([3, 2, 2, 2, 3, 4, 2, 4, 3, 3], track="B", assessor="Bob"), based_on=None)  # one two-level gap
        store.save(_hi([2, 2, 2, 2, 2, 3, 3, 3, 3, 3], code="00124"), based_on=None)
        store.save(_hi([2, 2, 2, 2, 2, 3, 3, 3, 3, None], code="00124", track="B", assessor="Cat"), based_on=None)
    text = kloe("--store", str(store_path), "agreement", "--framework", "hi-prospects")
    assert text.returncode == 0, text.stderr
    rows = {line[:9].strip(): line.split() for line in text.stdout.splitlines() if line.startswith(("overall", "Ann"))}
    assert rows["overall"] == ["overall", "2", "19", "84%", "95%", rows["overall"][5]]
    assert rows["Ann / Bob"][3:7] == ["1", "10", "70%", "90%"]
    assert rows["Ann / Cat"][3:] == ["1", "9", "100%", "100%", "1.00"]
    data = json.loads(kloe("--store", str(store_path), "agreement", "--framework", "hi-prospects", "--json").stdout)
    assert data["councils"] == 2 and data["overall"]["compared"] == 19
    assert [pair["assessors"] for pair in data["pairs"]] == [["Ann", "Bob"], ["Ann", "Cat"]]
    assert data["pairs"][1]["kappa"] == 1.0 and data["pairs"][1]["councils"] == ["00124 2008/09"]
    assert float(rows["overall"][5]) == round(data["overall"]["kappa"], 2)


def test_agreement_with_nothing_to_compare_says_so(tmp_path):
    from kloe_nb.store import open_store

    open_store(tmp_path / "kloe.db").close()  # a store with nothing in it
    result = kloe("--store", str(tmp_path / "kloe.db"), "agreement", "--framework", "caa-2009")
    assert result.returncode == 0 and "nothing to compare" in result.stdout
    unknown = kloe("--store", str(tmp_path / "kloe.db"), "agreement", "--framework", "no-such")
    assert unknown.returncode == 2 and "no-such" in unknown.stderr


def test_reading_commands_on_a_missing_store_say_so_and_create_nothing(tmp_path):
    missing = tmp_path / "missing.db"
    for command in (["agreement", "--framework", "caa-2009"], ["diff", "--framework", "caa-2009", "--org", "X", "--from", "a", "--to", "b"]):
        result = kloe("--store", str(missing), *command)
        assert result.returncode == 2 and "no assessment store at" in result.stderr, result.stderr
    assert not missing.exists()


def test_a_second_track_imports_beside_the_lead_and_score_export_history_take_track(tmp_path):
    store_path = tmp_path / "kloe.db"
    lead = write_assessment_json(_hi([2] * 10), tmp_path / "lead.json")
    second = write_assessment_json(_hi([3] * 10, track="B", assessor="Bob"), tmp_path / "second.json")
    imported = kloe("--store", str(store_path), "import", str(lead), str(second))
    assert imported.returncode == 0, imported.stderr
    assert f"{lead}: 00123 hi-prospects saved as revision 1 of the lead track" in imported.stdout
    assert f"{second}: 00123 hi-prospects saved as revision 1 of track B" in imported.stdout
    with open_store(store_path) as store:
        assert {key.track for key in store.keys("hi-prospects")} == {"", "B"}
        assert store.load(AssessmentKey("hi-prospects", "00123", "2008/09", "B")).assessment.assessor == "Bob"
    where = ["--framework", "hi-prospects", "--org", "00123", "--period", "2008/09"]
    lead_score = json.loads(kloe("--store", str(store_path), "score", *where, "--json").stdout)
    b_score = json.loads(kloe("--store", str(store_path), "score", *where, "--track", "B", "--json").stdout)
    assert lead_score["judgements"]["J2"]["level"] == 2 and b_score["judgements"]["J2"]["level"] == 3
    out = tmp_path / "b.json"
    assert kloe("--store", str(store_path), "export", *where, "--track", "B", "--format", "json", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text())["track"] == "B"
    history = kloe("--store", str(store_path), "history", *where, "--track", "B")
    assert history.returncode == 0 and "revision 1" in history.stdout and "Bob" in history.stdout
    missing = kloe("--store", str(store_path), "history", *where, "--track", "C")
    assert missing.returncode == 2 and "(track C)" in missing.stderr


def test_diff_shows_a_list_of_records_as_its_count_and_the_start_of_the_first():
    from kloe_nb.cli.analysis import _value

    evidence = [{"source": "Cabinet report", "reference": "p. 3"}, {"source": "Minutes"}]
    assert _value(evidence) == "2 items: Cabinet report"
    assert _value([{"area": "", "action": "Cut the backlog"}]) == "1 item: Cut the backlog"
    assert _value([]) == "(blank)" and _value({"3": [0, 1]}) == '{"3": [0, 1]}'
    assert _value("x" * 60).endswith("...") and len(_value("x" * 60)) == 40
