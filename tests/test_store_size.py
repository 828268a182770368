"""A revision stores what changed, not the whole document again (issue 13 points 6 and 8).

An autosave of the wao-housing example (one character typed into a strengths field or an
evidence note) costs under 2 KB of store, measured two ways: the bytes of its row (every
column, whatever the schema) and the growth of the store compacted by ``VACUUM INTO``. Any
revision reads back byte for byte, rebuilt from at most ``SNAPSHOT_EVERY - 1`` deltas; a
damaged delta loses only the revisions up to the next full copy. A store of schema version 1
(one made by kloe-workbook d56718e, and larger ones written the way that code wrote them)
migrates in place in one transaction: every revision's document byte-equal, and a program
killed during the migration leaves the old store as it was.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT

from kloe_nb.assessment import Assessment, KloeRecord, Organisation
from kloe_nb.assessment.fields import changed_fields
from kloe_nb.demo import import_assessments
from kloe_nb.errors import CorruptStoreError, IncompatibleStoreError
from kloe_nb.store import AssessmentKey, open_store, revision_codec
from kloe_nb.store import sqlite as store_sqlite
from kloe_nb.store.sqlite import SQLiteStore

EXAMPLE = REPO_ROOT / "examples" / "assessments" / "wao-housing--EX-WA01--2008-09.json"
WAO = AssessmentKey("wao-housing", "EX-WA01", "2008/09")
FIXTURE = Path(__file__).parent / "data" / "stores" / "schema-1.sqlite"  # written by kloe-workbook d56718e (schema version 1)
SMALL = AssessmentKey("hi-prospects", "00123", "2008/09")


def typed(assessment: Assessment, number: int) -> Assessment:
    """The assessment with one more character typed: into a KLOE's strengths, or its first evidence note, by turns."""
    copy = assessment.model_copy(deep=True)
    kloe_ids = sorted(copy.kloes)
    record = copy.kloes[kloe_ids[(number // 10) % len(kloe_ids)]]  # ten keystrokes in a field, then the next KLOE
    if number % 2 or not record.evidence:
        record.strengths += "abcdefghij"[number % 10]
    else:
        first = record.evidence[0]
        record.evidence = [first.model_copy(update={"note": first.note + "k"}), *record.evidence[1:]]
    return copy


def row_bytes(connection: sqlite3.Connection) -> list[int]:
    """The bytes of each revision row, every column counted (so it measures any schema, old or new), in order."""
    columns = [row[1] for row in connection.execute("PRAGMA table_info(revisions)")]
    total = " + ".join(f"coalesce(length({name}), 0)" for name in columns)
    return [row[0] for row in connection.execute(f"SELECT {total} FROM revisions ORDER BY assessment_id, number")]


def compacted_size(store: SQLiteStore, folder: Path, name: str) -> int:
    """The size of the store written out compacted (``VACUUM INTO``): its pages, free pages left out."""
    target = folder / name
    assert store._connection is not None
    store._connection.execute("VACUUM INTO ?", (str(target),))
    return target.stat().st_size


def test_an_autosave_of_the_wao_housing_example_costs_under_2_kb(tmp_path):
    path = tmp_path / "kloe.db"
    import_assessments(path, [EXAMPLE])
    saves = 200
    with SQLiteStore(path) as store:
        before = compacted_size(store, tmp_path, "before.db")
        stored = store.load(WAO)
        for number in range(saves):
            stored = store.save(typed(stored.assessment, number), based_on=stored.revision, author="analyst")
        after = compacted_size(store, tmp_path, "after.db")
        assert store._connection is not None
        per_row = row_bytes(store._connection)[1:]  # the revisions after the import
    assert stored.revision == saves + 1 and len(per_row) == saves
    assert statistics.median(per_row) < 2048, f"median {statistics.median(per_row)} bytes a revision"
    assert (after - before) / saves < 2048, f"the store grew {(after - before) / saves:.0f} bytes a revision"


def test_every_revision_reads_back_byte_for_byte_from_at_most_n_minus_1_deltas(tmp_path, monkeypatch):
    rng = random.Random(13)
    path = tmp_path / "kloe.db"
    import_assessments(path, [EXAMPLE])
    texts = {}
    with SQLiteStore(path) as store:
        stored = store.load(WAO)
        texts[1] = stored.assessment.model_dump_json()
        for number in range(2, 3 * revision_codec.SNAPSHOT_EVERY + 5):
            assessment = typed(stored.assessment, number)
            kloe_ids = list(assessment.kloes)
            if number % 7 == 0:  # a KLOE recorded for the first time, among the others rather than last
                assessment.kloes = {
                    **dict(list(assessment.kloes.items())[:3]),
                    f"new-{number}": KloeRecord(level=2),
                    **dict(list(assessment.kloes.items())[3:]),
                }
            if number % 11 == 0:  # evidence removed, a level cleared, text rewritten in the middle
                record = assessment.kloes[rng.choice(kloe_ids)]
                record.evidence = record.evidence[1:]
                record.level = None
                record.areas_for_improvement = "Ynys Môn — “quoted” ✓ 😀\n\t" + record.areas_for_improvement[5:]
            if number % 13 == 0:
                assessment.kloes.pop(kloe_ids[-1])
            if number % 17 == 0:  # a blank of another kind (absent, "", None): not a change, so a later one gives its before
                assessment.kloes[kloe_ids[0]].rationale = ["", "Because.", ""][number % 3]
            stored = store.save(assessment, based_on=stored.revision, author=f"analyst{number % 3}")
            texts[stored.revision] = assessment.model_dump_json()
        restored = store.restore(WAO, 5, based_on=stored.revision)
        texts[restored.revision] = texts[5]

        applied: list[int] = []
        real_apply = revision_codec.apply

        def counting_apply(document: Any, delta: Any) -> Any:
            applied.append(1)
            return real_apply(document, delta)

        monkeypatch.setattr(revision_codec, "apply", counting_apply)
        kinds = dict(store._connection.execute("SELECT number, snapshot FROM revisions r JOIN assessments a ON a.id = r.assessment_id"))
        for number, text in texts.items():
            applied.clear()
            assert store.document_text(WAO, number) == text
            assert len(applied) <= revision_codec.SNAPSHOT_EVERY - 1
            applied.clear()
            assert store.at_revision(WAO, number) == Assessment.model_validate_json(text)
            assert len(applied) <= revision_codec.SNAPSHOT_EVERY - 1
        applied.clear()
        assert store.load(WAO).assessment.model_dump_json() == texts[restored.revision] and applied == []  # the current one is kept whole
        history = store.history(WAO)
        assert [info.number for info in history] == sorted(texts)
        for info in history:  # each change list, its values before derived from the history, is the documents' difference
            expected = changed_fields(json.loads(texts[info.number - 1]) if info.number > 1 else None, json.loads(texts[info.number]))
            assert info.changes == expected, info.number
    assert {number for number, snapshot in kinds.items() if snapshot} >= {1, 33, 65, 97}
    assert sum(1 for snapshot in kinds.values() if not snapshot) > len(kinds) * 0.8  # the rest are deltas


def test_a_damaged_delta_loses_only_the_revisions_up_to_the_next_full_copy(tmp_path):
    path = tmp_path / "kloe.db"
    import_assessments(path, [EXAMPLE])
    with SQLiteStore(path) as store:
        stored = store.load(WAO)
        for number in range(2, 71):
            stored = store.save(typed(stored.assessment, number), based_on=stored.revision)
        texts = {number: store.document_text(WAO, number) for number in range(1, 71)}
    with sqlite3.connect(path) as connection:  # revision 5's delta now says something else, still well-formed
        body = connection.execute("SELECT body FROM revisions WHERE number = 5").fetchone()[0]
        delta = revision_codec.unpack_json(body)
        delta[0][-1] = "tampered"
        connection.execute("UPDATE revisions SET body = ? WHERE number = 5", (revision_codec.pack_json(delta),))
        connection.execute("UPDATE revisions SET body = x'7a00' WHERE number = 40")  # and revision 40's is not even zlib
    with SQLiteStore(path) as store:
        for number in range(1, 71):
            if 5 <= number < 33 or 40 <= number < 65:
                damaged = 5 if number < 33 else 40
                with pytest.raises(CorruptStoreError, match=f"revision {number} of .* cannot be read: revision {damaged} is damaged"):
                    store.at_revision(WAO, number)
            else:
                assert store.document_text(WAO, number) == texts[number]
        assert store.load(WAO).revision == 70 and len(store.history(WAO)) == 70
        assert store.save(typed(store.load(WAO).assessment, 71), based_on=70).revision == 71


def test_a_damaged_change_list_is_named_and_leaves_the_documents_readable(tmp_path):
    path = tmp_path / "kloe.db"
    import_assessments(path, [EXAMPLE])
    with SQLiteStore(path) as store:
        stored = store.load(WAO)
        for number in range(2, 6):
            stored = store.save(typed(stored.assessment, number), based_on=stored.revision)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE revisions SET changes = ? WHERE number = 3", (revision_codec.pack_json([["s", "kloes.nowhere.strengths", 0, 0, "x"]]),))
    with SQLiteStore(path) as store:
        with pytest.raises(CorruptStoreError, match="the change list of revision 3 of wao-housing EX-WA01 2008/09 .* is damaged"):
            store.history(WAO)
        assert store.at_revision(WAO, 3) and store.load(WAO).revision == 5


# -- the codec on its own ---------------------------------------------------------------------------


def random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.choice(["str", "int", "none", "bool", "list", "dict"] if depth < 4 else ["str", "int", "none", "bool"])
    if kind == "str":
        return "".join(rng.choice('ab é“😀\n"\\') for _ in range(rng.randint(0, 40)))
    if kind == "int":
        return rng.randint(-3, 3)
    if kind == "none":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "list":
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice("abcdef"): random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def mutated(rng: random.Random, value: Any) -> Any:
    """A copy of ``value`` with a few changes anywhere in it (including 1 -> True, which compare equal in Python)."""
    if isinstance(value, dict):
        copy = {key: mutated(rng, item) if rng.random() < 0.3 else item for key, item in value.items()}
        if rng.random() < 0.2:
            copy[rng.choice("abcdefgh")] = random_json(rng, 3)
        if copy and rng.random() < 0.2:
            copy.pop(rng.choice(list(copy)))
        if rng.random() < 0.2:
            copy = dict(sorted(copy.items(), reverse=True))
        return copy
    if isinstance(value, list):
        copy = [mutated(rng, item) if rng.random() < 0.3 else item for item in value]
        if rng.random() < 0.3:
            copy.insert(rng.randint(0, len(copy)), random_json(rng, 3))
        return copy
    if isinstance(value, str) and value and rng.random() < 0.7:
        at = rng.randrange(len(value))
        return value[:at] + rng.choice(["", "x", "😀", "ab"]) + value[at + 1 :]
    if value == 1 and rng.random() < 0.5:
        return True
    return random_json(rng, 3)


def test_a_delta_turns_any_json_into_any_other_and_leaves_the_old_one_alone():
    rng = random.Random(6)
    for _ in range(2000):
        old = random_json(rng)
        new = mutated(rng, old)
        old_text = revision_codec.canonical_text(old)
        rebuilt = revision_codec.apply(old, revision_codec.diff(old, new))
        assert revision_codec.canonical_text(old) == old_text  # not changed in place
        if revision_codec.canonical_text(rebuilt) != revision_codec.canonical_text(new):
            assert rebuilt == new  # only a type Python calls equal (1 and True) may differ: encode stores those whole
        stored = revision_codec.encode(2, old, new, revision_codec.canonical_text(new))
        chain = [revision_codec.encode(1, None, old, old_text), stored]
        assert revision_codec.decode(chain if not stored.snapshot else chain[1:]) == revision_codec.canonical_text(new)


def test_one_character_typed_is_a_delta_of_a_few_dozen_bytes():
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    edited = json.loads(json.dumps(document))
    first = next(iter(edited["kloes"].values()))
    first["strengths"] = first["strengths"][:10] + "x" + first["strengths"][10:]
    stored = revision_codec.encode(2, document, edited, revision_codec.canonical_text(edited))
    assert not stored.snapshot and len(stored.body) < 80
    assert revision_codec.encode(33, document, edited, revision_codec.canonical_text(edited)).snapshot  # a full copy is due


# -- from schema version 1 ------------------------------------------------------------------------


def legacy_store(path: Path, assessments: list[list[Assessment]]) -> None:
    """A store of schema version 1 with these revisions, written row for row as kloe-workbook d56718e wrote them."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN")
    store_sqlite._migration_1(connection)  # shipped, so never edited: the version 1 schema
    connection.execute("PRAGMA user_version = 1")
    for revisions in assessments:
        first = revisions[0]
        assessment_id = connection.execute(
            "INSERT INTO assessments (framework, org_code, period, track, current_revision) VALUES (?, ?, ?, ?, ?)",
            (first.framework, first.organisation.code, first.period, first.track, len(revisions)),
        ).lastrowid
        previous = None
        for number, assessment in enumerate(revisions, start=1):
            text = assessment.model_dump_json()
            document = json.loads(text)
            changes = [change.__dict__ for change in changed_fields(previous, document)]
            connection.execute(
                "INSERT INTO revisions (assessment_id, number, based_on, saved_at, saved_by, framework, framework_version, "
                "framework_sha256, document, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (assessment_id, number, number - 1 or None, f"2009-01-01T10:{number // 60:02d}:{number % 60:02d}.000+00:00", "alice",
                 assessment.framework, "", "", text, json.dumps(changes, ensure_ascii=False)),
            )  # fmt: skip
            previous = document
    connection.execute("COMMIT")
    connection.close()


def old_rows(path: Path) -> list[tuple[Any, ...]]:
    """Every revision of a version 1 store as it stands: key, number, based_on, saved_at, saved_by, document, changes."""
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT a.framework, a.org_code, a.period, a.track, r.number, r.based_on, r.saved_at, r.saved_by, r.document, r.changes "
            "FROM revisions r JOIN assessments a ON a.id = r.assessment_id ORDER BY 1, 2, 3, 4, 5"
        ).fetchall()


def assert_migrated(path: Path, rows: list[tuple[Any, ...]]) -> None:
    with open_store(path) as store:
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(store_sqlite.MIGRATIONS)
        histories = {}
        for framework, org_code, period, track, number, based_on, saved_at, saved_by, document, changes in rows:
            key = AssessmentKey(framework, org_code, period, track)
            assert store.document_text(key, number) == document  # byte for byte
            history = histories.setdefault(key, store.history(key))
            info = history[number - 1]
            assert (info.number, info.based_on, info.saved_at, info.saved_by) == (number, based_on, saved_at, saved_by)
            assert [change.__dict__ for change in info.changes] == json.loads(changes)
        last = {AssessmentKey(*row[:4]): row[8] for row in rows}  # rows are in revision order
        for key, text in last.items():
            assert store.load(key).assessment == Assessment.model_validate_json(text)


def test_the_store_made_by_schema_version_1_migrates_with_every_revision_byte_equal(tmp_path):
    path = tmp_path / "kloe.db"
    shutil.copy(FIXTURE, path)
    rows = old_rows(path)
    assert len(rows) == 8 and any("“" in row[8] for row in rows)
    assert_migrated(path, rows)
    with open_store(path) as store:  # and it takes new saves as deltas
        current = store.load(SMALL)
        edited = current.assessment.model_copy(deep=True)
        edited.kloes["track-record"].strengths += " and one more"
        assert store.save(edited, based_on=current.revision).revision == 7
        assert store.at_revision(SMALL, 6) == current.assessment
        assert store._connection.execute("SELECT snapshot FROM revisions WHERE number = 7 AND assessment_id = 1").fetchone() == (0,)


def wao_revisions(count: int) -> list[Assessment]:
    assessment = Assessment.model_validate_json(EXAMPLE.read_text(encoding="utf-8"))
    revisions = [assessment]
    for number in range(count - 1):
        revisions.append(typed(revisions[-1], number))
    return revisions


def test_a_large_version_1_store_migrates_byte_equal_and_shrinks(tmp_path):
    path = tmp_path / "kloe.db"
    small = Assessment(framework="hi-prospects", organisation=Organisation(code="9", name="N"), kloes={"access": KloeRecord(level=1)})
    legacy_store(path, [wao_revisions(80), [small, small.model_copy(update={"assessor": "bob"})]])
    rows = old_rows(path)
    size = path.stat().st_size
    assert_migrated(path, rows)
    assert path.stat().st_size < size / 5  # compacted after the migration


def test_a_migration_that_fails_half_way_leaves_the_version_1_store_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "kloe.db"
    legacy_store(path, [wao_revisions(40)])
    rows = old_rows(path)
    calls = []
    real_encode = revision_codec.encode

    def failing_encode(*args: Any) -> revision_codec.StoredBody:
        calls.append(1)
        if len(calls) == 30:
            raise RuntimeError("the program stops here")
        return real_encode(*args)

    monkeypatch.setattr(revision_codec, "encode", failing_encode)
    with pytest.raises(RuntimeError, match="the program stops here"):
        SQLiteStore(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1
    assert old_rows(path) == rows
    monkeypatch.setattr(revision_codec, "encode", real_encode)
    assert_migrated(path, rows)


MIGRATOR = textwrap.dedent(
    """
    import sys
    from kloe_nb.store.sqlite import SQLiteStore
    print("opening", flush=True)
    SQLiteStore(sys.argv[1]).close()
    print("migrated", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_program_killed_while_migrating_leaves_the_old_store_or_the_migrated_one(tmp_path):
    original = tmp_path / "original.db"
    legacy_store(original, [wao_revisions(150)])
    rows = old_rows(original)
    outcomes = []
    for attempt, delay in enumerate([0.05, 0.15, 0.3, 0.5, 3.0]):
        path = tmp_path / f"kloe{attempt}.db"
        shutil.copy(original, path)
        migrator = subprocess.Popen([sys.executable, "-c", MIGRATOR, str(path)], stdout=subprocess.PIPE, text=True)
        assert migrator.stdout is not None and migrator.stdout.readline().strip() == "opening"
        time.sleep(delay)
        migrator.send_signal(signal.SIGKILL)
        migrator.wait()
        version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
        outcomes.append(version)
        if version == 1:  # killed before the migration committed: the old store, whole
            assert old_rows(path) == rows
        assert_migrated(path, rows)  # and from either state the store opens with every revision byte-equal
    assert outcomes[0] == 1 and outcomes[-1] == len(store_sqlite.MIGRATIONS), outcomes


def test_a_reader_of_a_version_1_store_upgrades_it_once_where_it_can_be_written(tmp_path):
    path = tmp_path / "kloe.db"
    shutil.copy(FIXTURE, path)
    rows = old_rows(path)
    with open_store(path, read_only=True) as store:  # kloe run, render, score...: readers
        assert store.load(SMALL).revision == 6
    assert_migrated(path, rows)


def test_a_reader_of_a_version_1_store_that_cannot_be_written_is_told_what_to_do(tmp_path):
    from mounts import read_only_view

    folder = tmp_path / "share"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "kloe.db")
    before = (folder / "kloe.db").read_bytes()
    with read_only_view(folder) as view, pytest.raises(IncompatibleStoreError, match="cannot be upgraded here because it cannot be written"):
        open_store(view / "kloe.db", read_only=True)
    assert (folder / "kloe.db").read_bytes() == before
