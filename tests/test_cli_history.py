"""``kloe history``: a burst of autosaves by one author is one entry; ``--all`` lists every revision."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

from conftest import REPO_ROOT

from kloe_nb.assessment import Assessment, KloeRecord, Organisation
from kloe_nb.store import RevisionInfo, open_store
from kloe_nb.store import sqlite as store_sqlite
from kloe_nb.store.bursts import BURST_GAP, bursts

START = datetime(2009, 3, 2, 10, 0, tzinfo=timezone.utc)


def kloe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kloe_nb.cli.main", *args], capture_output=True, text=True, cwd=REPO_ROOT)


def saved_at(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def test_a_burst_of_autosaves_is_one_entry_with_its_count_and_combined_changes(tmp_path, monkeypatch):
    path = tmp_path / "kloe.db"
    times = iter([0, *range(60, 60 + 27 * 20, 20), 1200, 3600, 3900])  # import; 27 autosaves 20 s apart; bob; alice twice
    monkeypatch.setattr(store_sqlite, "_now", lambda: saved_at(next(times)))
    assessment = Assessment(framework="hi-prospects", organisation=Organisation(code="00123", name="Ynys Môn"), period="2008/09", kloes={})
    with open_store(path) as store:
        stored = store.save(assessment, based_on=None, author="alice")
        text = ""
        for letter in "Tenants are involved in al":  # 26 keystrokes, then a level: 27 autosaves
            text += letter
            edited = stored.assessment.model_copy(update={"kloes": {"track-record": KloeRecord(strengths=text)}})
            stored = store.save(edited, based_on=stored.revision, author="alice")
        edited = stored.assessment.model_copy(update={"kloes": {"track-record": KloeRecord(strengths=text, level=3)}})
        stored = store.save(edited, based_on=stored.revision, author="alice")
        stored = store.save(stored.assessment.model_copy(update={"assessor": "bob"}), based_on=stored.revision, author="bob")
        level_2 = stored.assessment.model_copy(deep=True)
        level_2.kloes["track-record"].level = 2
        stored = store.save(level_2, based_on=stored.revision, author="alice")
        back = stored.assessment.model_copy(deep=True)
        back.kloes["track-record"].level = 3
        stored = store.save(back, based_on=stored.revision, author="alice")
    assert stored.revision == 31

    where = ["--store", str(path), "history", "--framework", "hi-prospects", "--org", "00123", "--period", "2008/09"]
    grouped = kloe(*where)
    assert grouped.returncode == 0, grouped.stderr
    entries = [line for line in grouped.stdout.splitlines() if not line.startswith("    ")]
    assert entries == [
        f"revision 1  {saved_at(0)}  alice  (4 changes)",  # framework, organisation code and name, period
        f"revisions 2-28  {saved_at(60)} to {saved_at(580)}  alice  (27 saves, 2 fields changed)",
        f"revision 29  {saved_at(1200)}  bob  (1 changes)",
        f"revisions 30-31  {saved_at(3600)} to {saved_at(3900)}  alice  (2 saves, no field changed overall)",
    ]
    assert '    kloes.track-record.strengths: null -> "Tenants are involved in al"' in grouped.stdout
    assert "    kloes.track-record.level: null -> 3" in grouped.stdout

    every = kloe(*where, "--all")
    assert every.returncode == 0, every.stderr
    entries = [line for line in every.stdout.splitlines() if not line.startswith("    ")]
    assert [line.split("  ")[0] for line in entries] == [f"revision {number}" for number in range(1, 32)]
    assert '    kloes.track-record.strengths: "Tenants are involved in a" -> "Tenants are involved in al"' in every.stdout
    assert "10 minutes" in kloe("history", "--help").stdout


def revision(number: int, seconds: float, author: str = "alice") -> RevisionInfo:
    return RevisionInfo(number, saved_at(seconds), author, number - 1 or None, [])


def test_saves_more_than_ten_minutes_apart_or_by_another_author_start_a_new_entry():
    gap = BURST_GAP.total_seconds()
    history = [revision(1, 0), revision(2, 10), revision(3, 10 + gap), revision(4, 10 + 2 * gap + 1), revision(5, 10 + 2 * gap + 2, "bob")]
    assert [[r.number for r in burst.revisions] for burst in bursts(history)] == [[1], [2, 3], [4], [5]]
    assert bursts([]) == []
