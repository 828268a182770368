"""A PostgreSQL revision stores what changed, as a SQLite one does (issue 13 point 6; test_store_size.py for SQLite).

An autosave of the wao-housing example costs under 2 KB of row, measured by ``pg_column_size``
of every column (the bytes PostgreSQL keeps for each value: compressed, or out of line in
TOAST, as it stores it). Every revision reads back byte for byte from at most
``SNAPSHOT_EVERY - 1`` deltas, counted. A store of schema version 1 (the version 1 DDL, rows
written as that code wrote them) migrates in place in one transaction: every revision
byte-equal, the grants kept, and a migration that fails half way leaves it as it was.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

import psycopg
import pytest
from test_store_size import EXAMPLE, WAO, typed, wao_revisions

from kloe_nb.assessment import Assessment, KloeRecord, Organisation
from kloe_nb.assessment.fields import changed_fields
from kloe_nb.demo import import_assessments
from kloe_nb.store import AssessmentKey, open_store, revision_codec
from kloe_nb.store import postgres as store_postgres


def row_bytes(connection: psycopg.Connection[Any]) -> list[int]:
    """``pg_column_size`` summed over every column of each revision row (any schema, old or new), in order."""
    columns = [row[0] for row in connection.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'revisions'")]
    total = " + ".join(f"coalesce(pg_column_size({name}), 0)" for name in columns)
    return [row[0] for row in connection.execute(f"SELECT {total} FROM revisions ORDER BY assessment_id, number")]


def test_an_autosave_of_the_wao_housing_example_costs_under_2_kb(pg_url):
    import_assessments(pg_url, [EXAMPLE])  # type: ignore[arg-type]
    saves = 200
    with open_store(pg_url) as store:
        stored = store.load(WAO)
        for number in range(saves):
            stored = store.save(typed(stored.assessment, number), based_on=stored.revision, author="analyst")
    with psycopg.connect(pg_url) as connection:
        per_row = row_bytes(connection)[1:]  # the revisions after the import
    assert stored.revision == saves + 1 and len(per_row) == saves
    assert statistics.median(per_row) < 2048, f"median {statistics.median(per_row)} bytes a revision"


def test_every_revision_reads_back_byte_for_byte_from_at_most_n_minus_1_deltas(pg_url, monkeypatch):
    import_assessments(pg_url, [EXAMPLE])  # type: ignore[arg-type]
    texts = {}
    with open_store(pg_url) as store:
        stored = store.load(WAO)
        texts[1] = stored.assessment.model_dump_json()
        for number in range(2, 3 * revision_codec.SNAPSHOT_EVERY + 5):
            assessment = typed(stored.assessment, number)
            if number % 11 == 0:  # evidence removed, text rewritten in the middle, a level cleared
                record = assessment.kloes[sorted(assessment.kloes)[number % len(assessment.kloes)]]
                record.evidence = record.evidence[1:]
                record.level = None
                record.areas_for_improvement = "Ynys Môn — “quoted” ✓ 😀\n\t" + record.areas_for_improvement[5:]
            if number % 13 == 0:
                assessment.kloes.pop(sorted(assessment.kloes)[-1])
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
        for number, text in texts.items():
            applied.clear()
            assert store.document_text(WAO, number) == text, number
            assert len(applied) <= revision_codec.SNAPSHOT_EVERY - 1
            applied.clear()
            assert store.at_revision(WAO, number) == Assessment.model_validate_json(text)
            assert len(applied) <= revision_codec.SNAPSHOT_EVERY - 1
        applied.clear()
        assert store.load(WAO).assessment.model_dump_json() == texts[restored.revision] and applied == []  # the current one is kept whole
        history = store.history(WAO)
        assert [info.number for info in history] == sorted(texts)
        for info in history:
            expected = changed_fields(json.loads(texts[info.number - 1]) if info.number > 1 else None, json.loads(texts[info.number]))
            assert info.changes == expected, info.number
    with psycopg.connect(pg_url) as connection:
        kinds = dict(connection.execute("SELECT number, snapshot FROM revisions").fetchall())
    assert {number for number, snapshot in kinds.items() if snapshot} >= {1, 33, 65, 97}
    assert sum(1 for snapshot in kinds.values() if not snapshot) > len(kinds) * 0.8  # the rest are deltas


# -- from schema version 1 ------------------------------------------------------------------------


def legacy_store(url: str, assessments: list[list[Assessment]]) -> None:
    """A PostgreSQL store of schema version 1 with these revisions, written row for row as version 1's save wrote them."""
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE kloe_store (schema_version INTEGER NOT NULL, application TEXT NOT NULL DEFAULT 'kloe-workbook')")
        cursor.execute("INSERT INTO kloe_store (schema_version) VALUES (1)")
        store_postgres._migration_1(cursor)  # shipped, so never edited: the version 1 schema
        for revisions in assessments:
            first = revisions[0]
            (assessment_id,) = cursor.execute(
                "INSERT INTO assessments (framework, org_code, period, track, current_revision) VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (first.framework, first.organisation.code, first.period, first.track, len(revisions)),
            ).fetchone()
            previous = None
            for number, assessment in enumerate(revisions, start=1):
                text = assessment.model_dump_json()
                document = json.loads(text)
                changes = [change.__dict__ for change in changed_fields(previous, document)]
                cursor.execute(
                    "INSERT INTO revisions (assessment_id, number, based_on, saved_at, saved_by, framework, framework_version, "
                    "framework_sha256, document, changes) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (assessment_id, number, number - 1 or None, f"2009-01-01T10:{number // 60:02d}:{number % 60:02d}.000+00:00", "alice",
                     assessment.framework, "", "", text, json.dumps(changes, ensure_ascii=False)),
                )  # fmt: skip
                previous = document


def old_rows(url: str) -> list[tuple[Any, ...]]:
    """Every revision of a version 1 store as it stands: key, number, based_on, saved_at, saved_by, document, changes."""
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT a.framework, a.org_code, a.period, a.track, r.number, r.based_on, r.saved_at, r.saved_by, r.document, r.changes "
            "FROM revisions r JOIN assessments a ON a.id = r.assessment_id ORDER BY a.id, r.number"
        ).fetchall()


def schema_version(url: str) -> int:
    with psycopg.connect(url) as connection:
        return int(connection.execute("SELECT schema_version FROM kloe_store").fetchone()[0])


def assert_migrated(url: str, rows: list[tuple[Any, ...]]) -> None:
    with open_store(url) as store:
        assert schema_version(url) == len(store_postgres.MIGRATIONS)
        histories = {}
        for framework, org_code, period, track, number, based_on, saved_at, saved_by, document, changes in rows:
            key = AssessmentKey(framework, org_code, period, track)
            assert store.document_text(key, number) == document  # type: ignore[attr-defined]  # byte for byte
            history = histories.setdefault(key, store.history(key))
            info = history[number - 1]
            assert (info.number, info.based_on, info.saved_at, info.saved_by) == (number, based_on, saved_at, saved_by)
            assert [change.__dict__ for change in info.changes] == json.loads(changes)
        last = {AssessmentKey(*row[:4]): row[8] for row in rows}  # rows are in revision order
        for key, text in last.items():
            assert store.load(key).assessment == Assessment.model_validate_json(text)


def small_assessments() -> list[Assessment]:
    small = Assessment(framework="hi-prospects", organisation=Organisation(code="9", name="Ynys Môn “N”"), kloes={"access": KloeRecord(level=1)})
    return [small, small.model_copy(update={"assessor": "bob"})]


def test_a_version_1_store_migrates_in_place_byte_equal_keeps_its_grants_and_shrinks(pg_server, pg_url):
    legacy_store(pg_url, [wao_revisions(80), small_assessments()])
    rows = old_rows(pg_url)
    pg_server.new_role("kloe_reader_m", "r3ader-Pass")
    with psycopg.connect(pg_url) as connection:
        connection.execute("GRANT SELECT ON kloe_store, assessments, revisions TO kloe_reader_m")
        before = connection.execute("SELECT pg_total_relation_size('revisions')").fetchone()[0]
    assert_migrated(pg_url, rows)
    with psycopg.connect(pg_url) as connection:
        after = connection.execute("SELECT pg_total_relation_size('revisions')").fetchone()[0]
        per_row = row_bytes(connection)
    assert after < before / 3, (before, after)  # the old documents are gone from the table, not only hidden
    assert statistics.median(per_row) < 2048
    with open_store(pg_server.url(pg_url.rsplit("/", 1)[1], user="kloe_reader_m"), read_only=True) as reader:  # still granted
        assert reader.load(WAO).revision == 80
    with open_store(pg_url) as store:  # and it takes new saves as deltas
        current = store.load(WAO)
        assert store.save(typed(current.assessment, 80), based_on=80).revision == 81
        assert store.at_revision(WAO, 80) == current.assessment
    with psycopg.connect(pg_url) as connection:
        assert connection.execute("SELECT snapshot FROM revisions WHERE number = 81").fetchone() == (False,)


def test_a_migration_that_fails_half_way_leaves_the_version_1_store_as_it_was(pg_url, monkeypatch):
    legacy_store(pg_url, [wao_revisions(40)])
    rows = old_rows(pg_url)
    calls = []
    real_encode = revision_codec.encode

    def failing_encode(*args: Any) -> revision_codec.StoredBody:
        calls.append(1)
        if len(calls) == 30:
            raise RuntimeError("the program stops here")
        return real_encode(*args)

    monkeypatch.setattr(revision_codec, "encode", failing_encode)
    with pytest.raises(RuntimeError, match="the program stops here"):
        open_store(pg_url)
    assert schema_version(pg_url) == 1 and old_rows(pg_url) == rows
    monkeypatch.setattr(revision_codec, "encode", real_encode)
    assert_migrated(pg_url, rows)


def test_a_damaged_delta_loses_only_the_revisions_up_to_the_next_full_copy(pg_url):
    import_assessments(pg_url, [EXAMPLE])  # type: ignore[arg-type]
    with open_store(pg_url) as store:
        stored = store.load(WAO)
        for number in range(2, 41):
            stored = store.save(typed(stored.assessment, number), based_on=stored.revision)
        texts = {number: store.document_text(WAO, number) for number in range(1, 41)}  # type: ignore[attr-defined]
    with psycopg.connect(pg_url) as connection:  # revision 5's delta now says something else, still well-formed
        delta = revision_codec.unpack_json(connection.execute("SELECT body FROM revisions WHERE number = 5").fetchone()[0])
        delta[0][-1] = "tampered"
        connection.execute("UPDATE revisions SET body = %s WHERE number = 5", (revision_codec.pack_json(delta),))
    with open_store(pg_url) as store:
        for number in range(1, 41):
            if 5 <= number < 33:
                with pytest.raises(store_postgres.CorruptStoreError, match=f"revision {number} of .* cannot be read: revision 5 is damaged"):
                    store.at_revision(WAO, number)
            else:
                assert store.document_text(WAO, number) == texts[number]  # type: ignore[attr-defined]
        assert store.save(typed(store.load(WAO).assessment, 41), based_on=40).revision == 41
