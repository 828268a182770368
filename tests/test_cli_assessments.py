"""``kloe import``, ``score``, ``export``, ``history`` run as a user runs them: real processes and files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

from kloe_nb.assessment import Assessment, JudgementDecision, KloeRecord, Organisation
from kloe_nb.framework import load_framework
from kloe_nb.interchange.json_io import write_assessment_json


def kloe(*args: str):
    return subprocess.run([sys.executable, "-m", "kloe_nb.cli.main", *args], capture_output=True, text=True, cwd=REPO_ROOT)


def caa_file(tmp_path, decision: JudgementDecision | None = None, name: str = "caa.json"):
    framework = load_framework("caa-2009")
    levels = {"1": 2, "2": 2, "3": 2, "4": 3}
    kloes = {kloe.id: KloeRecord(level=levels[kloe.id[0]]) for group, kloe in framework.iter_kloes() if kloe.scored}
    judgements = {"organisational_assessment": decision} if decision else {}
    assessment = Assessment(
        framework="caa-2009", organisation=Organisation(code="00123", name="Rotherham (illustrative)"), period="2008/09", kloes=kloes, judgements=judgements
    )
    return write_assessment_json(assessment, tmp_path / name)


def test_score_json_shows_a_two_option_cell_needing_judgement(tmp_path):
    result = kloe("score", str(caa_file(tmp_path)), "--json")
    assert result.returncode == 0, result.stderr
    oa = json.loads(result.stdout)["judgements"]["organisational_assessment"]
    assert oa["needs_judgement"] is True and oa["options"] == [2, 3] and oa["level"] is None
    assert json.loads(result.stdout)["judgements"]["use_of_resources"]["level"] == 2


def test_score_refuses_a_decision_outside_the_options_with_exit_2(tmp_path):
    result = kloe("score", str(caa_file(tmp_path, JudgementDecision(level=4, rationale="strong"))))
    assert result.returncode == 2
    assert "decision 4 is not one of the options 2 or 3" in result.stderr
    assert "Traceback" not in result.stderr


def test_score_text_is_readable(tmp_path):
    result = kloe("score", str(caa_file(tmp_path, JudgementDecision(level=3, rationale="Performance is strong"))))
    assert result.returncode == 0, result.stderr
    assert "organisational_assessment" in result.stdout and "3  (suggested" not in result.stdout


def test_import_then_score_and_export_from_the_store(tmp_path):
    store = tmp_path / "kloe.db"
    path = caa_file(tmp_path, JudgementDecision(level=3, rationale="Performance is strong"))
    imported = kloe("--store", str(store), "import", str(path))
    assert imported.returncode == 0, imported.stderr
    assert "saved as revision 1" in imported.stdout
    scored = kloe("score", "--org", "00123", "--framework", "caa-2009", "--period", "2008/09", "--json", "--store", str(store))
    assert json.loads(scored.stdout)["judgements"]["organisational_assessment"]["level"] == 3
    for fmt in ("json", "xlsx", "csv"):
        out = tmp_path / f"out.{fmt}"
        exported = kloe("export", "--framework", "caa-2009", "--org", "00123", "--period", "2008/09", "--format", fmt, "-o", str(out), "--store", str(store))
        assert exported.returncode == 0, exported.stderr
        assert out.stat().st_size > 0
    stored_json = json.loads((tmp_path / "out.json").read_text())
    assert stored_json["framework_version"]["sha256"]  # the framework version is recorded on import
    assert stored_json["organisation"]["code"] == "00123"


def test_importing_the_excel_template_keeps_what_it_cannot_hold(tmp_path):
    store = tmp_path / "kloe.db"
    path = caa_file(tmp_path, JudgementDecision(level=3, rationale="Performance is strong"))
    assert kloe("--store", str(store), "import", str(path)).returncode == 0
    xlsx = tmp_path / "template.xlsx"
    assert (
        kloe(
            "--store", str(store), "export", "--framework", "caa-2009", "--org", "00123", "--period", "2008/09", "--format", "xlsx", "-o", str(xlsx)
        ).returncode
        == 0
    )
    again = kloe("--store", str(store), "import", str(xlsx))
    assert again.returncode == 0, again.stderr
    scored = kloe("--store", str(store), "score", "--org", "00123", "--framework", "caa-2009", "--period", "2008/09", "--json")
    assert json.loads(scored.stdout)["judgements"]["organisational_assessment"]["rationale"] == "Performance is strong"


def test_history_lists_revisions_and_restore_adds_one(tmp_path):
    store = tmp_path / "kloe.db"
    first = caa_file(tmp_path)
    assert kloe("--store", str(store), "import", str(first)).returncode == 0
    second = caa_file(tmp_path, JudgementDecision(level=2, rationale="Use of resources weaker"), name="caa2.json")
    assert kloe("--store", str(store), "import", str(second)).returncode == 0
    history = kloe("--store", str(store), "history", "--framework", "caa-2009", "--org", "00123", "--period", "2008/09")
    assert "revision 1" in history.stdout and "revision 2" in history.stdout
    assert "judgements.organisational_assessment.level: null -> 2" in history.stdout
    restored = kloe("--store", str(store), "history", "--framework", "caa-2009", "--org", "00123", "--period", "2008/09", "--restore", "1")
    assert "revision 1 restored as revision 3" in restored.stdout


def test_a_bad_file_is_exit_2_and_names_the_file_and_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"framework": "hi-prospects", "organisation": {"code": "1", "name": "X"}, "kloes": {"learning": {"level": "three"}}}))
    result = kloe("--store", str(tmp_path / "s.db"), "import", str(bad))
    assert result.returncode == 2
    assert str(bad) in result.stderr and "kloes.learning.level" in result.stderr and "'three'" in result.stderr


def test_unknown_kloe_is_kept_on_import_and_score_refuses(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps({"framework": "hi-prospects", "organisation": {"code": "1", "name": "X"}, "kloes": {"old-area": {"level": 3, "strengths": "kept"}}})
    )
    store = tmp_path / "s.db"
    imported = kloe("--store", str(store), "import", str(path))
    assert imported.returncode == 0 and "kept KLOEs the framework does not have: old-area" in imported.stdout
    scored = kloe("--store", str(store), "score", "--org", "1", "--framework", "hi-prospects")
    assert scored.returncode == 2 and "old-area" in scored.stderr


def test_a_framework_changed_since_saving_is_summarised_and_nothing_is_lost(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps(
            {
                "framework": "hi-prospects",
                "framework_version": {"version": "0", "sha256": "0" * 64},
                "organisation": {"code": "1", "name": "X"},
                "kloes": {"learning": {"level": 3}, "old-area": {"level": 2, "strengths": "kept"}},
            }
        )
    )
    result = kloe("score", str(path))
    assert "framework hi-prospects has changed since this assessment was saved (saved against version 0" in result.stderr
    assert "KLOEs no longer in the framework, kept with what they hold: old-area" in result.stderr
    assert result.returncode == 2  # scoring refuses until old-area is resolved


# -- -o writes into what it names, never replaces it by something else (issue 12, item 3) ------------


def _stored_caa(tmp_path):
    store = tmp_path / "kloe.db"
    assert kloe("import", str(caa_file(tmp_path)), "--store", str(store)).returncode == 0
    return store


def _export(store, output, fmt="json", **run):
    command = [sys.executable, "-m", "kloe_nb.cli.main", "export", "--framework", "caa-2009", "--org", "00123", "--period", "2008/09"]
    return subprocess.run([*command, "--format", fmt, "-o", str(output), "--store", str(store)], capture_output=True, cwd=REPO_ROOT, **run)


def test_export_to_dash_writes_standard_output_and_the_message_to_standard_error(tmp_path):
    done = _export(_stored_caa(tmp_path), "-")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["organisation"]["code"] == "00123"
    assert b"wrote" in done.stderr


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_export_into_a_link_to_standard_output_writes_into_it_and_leaves_the_link(tmp_path, fmt):
    link = tmp_path / f"out.{fmt}"
    link.symlink_to("/proc/self/fd/1")
    done = _export(_stored_caa(tmp_path), link, fmt)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and str(link.readlink()) == "/proc/self/fd/1"
    assert done.stdout.startswith(b"PK" if fmt == "xlsx" else b"{")


def test_export_into_a_pipe_streams_into_it(tmp_path):
    import os
    import threading

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    done = _export(_stored_caa(tmp_path), fifo, timeout=120)
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert fifo.is_fifo() and json.loads(received[0])["period"] == "2008/09"


def test_export_through_a_link_to_a_regular_file_replaces_that_file_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert _export(_stored_caa(tmp_path), link).returncode == 0
    assert link.is_symlink() and json.loads(target.read_text(encoding="utf-8"))["period"] == "2008/09"


def test_export_onto_a_folder_is_refused_in_plain_words(tmp_path):
    folder = tmp_path / "folder.json"
    folder.mkdir()
    done = _export(_stored_caa(tmp_path), folder)
    assert done.returncode == 2 and folder.is_dir()
    assert b"is a folder; give the name of a file to write (or - for standard output)" in done.stderr
    assert b"Traceback" not in done.stderr


def test_handbook_into_a_link_to_standard_output_writes_the_page_there(tmp_path):
    link = tmp_path / "hb.html"
    link.symlink_to("/proc/self/fd/1")
    done = subprocess.run(
        [sys.executable, "-m", "kloe_nb.cli.main", "frameworks", "handbook", "hi-prospects", "-o", str(link)], capture_output=True, cwd=REPO_ROOT
    )
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and b'<meta name="generator" content="kloe-workbook' in done.stdout


# -- without --period, a council with several periods is told which periods the store has (issue 12 item 18) --
@pytest.fixture(scope="module")
def three_periods(tmp_path_factory):
    folder = tmp_path_factory.mktemp("periods")
    store = folder / "kloe.db"
    paths = sorted(str(path) for path in (REPO_ROOT / "examples" / "assessments").glob("ac-benefits--EX-AC01--*.json"))
    imported = kloe("--store", str(store), "import", *paths)
    assert imported.returncode == 0, imported.stderr
    return store


@pytest.mark.parametrize(
    "command",
    [
        ["score", "--framework", "ac-benefits", "--org", "EX-AC01"],
        ["export", "--framework", "ac-benefits", "--org", "EX-AC01", "--format", "json", "-o", "-"],
        ["history", "--framework", "ac-benefits", "--org", "EX-AC01"],
    ],
)
def test_without_a_period_the_periods_the_store_has_are_listed(three_periods, command):
    result = kloe("--store", str(three_periods), *command)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "council 'EX-AC01' has assessments for several periods ('2006/07', '2007/08', '2008/09')" in result.stderr
    assert "--period" in result.stderr


def test_a_period_the_store_lacks_is_named_with_the_periods_it_has(three_periods):
    result = kloe("--store", str(three_periods), "score", "--framework", "ac-benefits", "--org", "EX-AC01", "--period", "2099/00")
    assert result.returncode == 2
    assert "for period '2099/00'" in result.stderr and "it has the periods '2006/07', '2007/08', '2008/09'" in result.stderr


def test_a_council_with_one_period_needs_no_period(tmp_path):
    store = tmp_path / "kloe.db"
    assert kloe("--store", str(store), "import", str(caa_file(tmp_path))).returncode == 0
    result = kloe("--store", str(store), "score", "--framework", "caa-2009", "--org", "00123", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["organisation"]["code"] == "00123"


# -- commands that only read open the store read-only (issue 12 item 16) ------------------------------------
def test_reading_commands_never_create_a_store(tmp_path):
    missing = tmp_path / "missing.db"
    for command in (["score", "--framework", "caa-2009", "--org", "00123"], ["history", "--framework", "caa-2009", "--org", "00123"]):
        result = kloe("--store", str(missing), *command)
        assert result.returncode == 2 and "no assessment store at" in result.stderr
    assert not missing.exists()


def test_a_store_in_a_read_only_folder_can_be_read_and_saving_says_why_not(three_periods, tmp_path):
    from mounts import read_only_view

    folder = tmp_path / "share"
    folder.mkdir()
    store = folder / "kloe.db"
    shutil.copyfile(three_periods, store)
    before = store.read_bytes()
    with read_only_view(folder) as view:
        where = str(view / "kloe.db")
        scored = kloe("--store", where, "score", "--framework", "ac-benefits", "--org", "EX-AC01", "--period", "2007/08", "--json")
        assert scored.returncode == 0, scored.stderr
        assert json.loads(scored.stdout)["period"] == "2007/08"
        exported = kloe("--store", where, "export", "--framework", "ac-benefits", "--org", "EX-AC01", "--period", "2008/09", "--format", "json", "-o", "-")
        assert exported.returncode == 0 and json.loads(exported.stdout)["period"] == "2008/09"
        history = kloe("--store", where, "history", "--framework", "ac-benefits", "--org", "EX-AC01", "--period", "2008/09")
        assert history.returncode == 0 and "revision 1" in history.stdout
        restored = kloe("--store", where, "history", "--framework", "ac-benefits", "--org", "EX-AC01", "--period", "2008/09", "--restore", "1")
        assert restored.returncode == 2 and "Traceback" not in restored.stderr
        assert "cannot be written" in restored.stderr and "Nothing was changed" in restored.stderr
    assert store.read_bytes() == before and sorted(path.name for path in folder.iterdir()) == ["kloe.db"]


def test_an_imported_evidence_date_seen_that_is_not_a_date_is_kept_and_named_in_a_warning(tmp_path):
    """Stored assessments may hold free-text dates, so an import keeps them; it says which one the form would refuse."""
    path = tmp_path / "seen.json"
    evidence = [{"reference": "Minutes", "date_seen": "31/02/2008"}, {"reference": "Plan", "date_seen": "2009-03-01"}]
    path.write_text(json.dumps({"framework": "hi-prospects", "organisation": {"code": "1", "name": "X"}, "kloes": {"track-record": {"evidence": evidence}}}))
    store = tmp_path / "s.db"
    imported = kloe("--store", str(store), "import", str(path))
    assert imported.returncode == 0 and "saved as revision 1" in imported.stdout
    warnings = [line for line in imported.stderr.splitlines() if line.startswith("kloe: warning:")]
    assert len(warnings) == 1
    assert str(path) in warnings[0] and "kloes.track-record.evidence[0].date_seen" in warnings[0] and "February 2008 has no day 31" in warnings[0]
    exported = kloe("--store", str(store), "export", "--framework", "hi-prospects", "--org", "1", "--format", "json", "-o", "-")
    assert "31/02/2008" in exported.stdout
