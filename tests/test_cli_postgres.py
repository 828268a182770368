"""The rest of the workbook on a PostgreSQL store (issue 13 points 4, 5, 7): the commands, the batch,
the comparison, the moderation view; ``kloe store init/copy/check``; a reader role that may only read.

Against the real throwaway server of tests/pgserver.py; the password is in ``PGPASSFILE``, never in a URL.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from conftest import REPO_ROOT
from pgserver import PASSWORD

from kloe_nb.form import build_form
from kloe_nb.form.moderation import build_moderation
from kloe_nb.store import AssessmentKey, open_store

EXAMPLES = sorted((REPO_ROOT / "examples" / "assessments").glob("ac-benefits--*.json"))
COUNCILS = REPO_ROOT / "examples" / "councils" / "ac-benefits.csv"


def kloe(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kloe_nb.cli.main", *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def filled(pg_url):
    """A PostgreSQL store holding the ac-benefits examples (three periods, a second track), with a second revision."""
    ok(kloe("--store", pg_url, "import", *map(str, EXAMPLES)))
    with open_store(pg_url) as store:
        key = AssessmentKey("ac-benefits", "EX-AC01", "2008/09")
        stored = store.load(key)
        changed = stored.assessment.model_copy(deep=True)
        changed.kloes["2.1"].strengths = "Revised by bob"
        store.save(changed, based_on=stored.revision, author="bob")
    return pg_url


def history_of(url: str) -> dict:
    with open_store(url, read_only=True) as store:
        return {key: [(r.number, r.saved_at, r.saved_by, r.based_on, r.changes) for r in store.history(key)] for key in store.keys()} | {
            (key, "doc"): store.load(key).assessment for key in store.keys()
        }


def test_the_commands_that_read_and_write_work_on_a_postgresql_store(filled, tmp_path):
    score = json.loads(ok(kloe("--store", filled, "score", "--framework", "ac-benefits", "--org", "EX-AC01", "--period", "2008/09", "--json")))
    assert score["framework"] == "ac-benefits"
    history = ok(kloe("--store", filled, "history", "--framework", "ac-benefits", "--org", "EX-AC01", "--period", "2008/09"))
    assert "bob" in history and "Revised by bob" in history
    diff = ok(kloe("--store", filled, "diff", "--framework", "ac-benefits", "--org", "EX-AC01", "--from", "2006/07", "--to", "2008/09"))
    assert "2006/07" in diff and "2008/09" in diff
    agreement = json.loads(ok(kloe("--store", filled, "agreement", "--framework", "ac-benefits", "--json")))
    assert agreement
    exported = tmp_path / "out.json"
    ok(kloe("--store", filled, "export", "--framework", "ac-benefits", "--org", "EX-AC01", "--period", "2008/09", "--format", "json", "-o", str(exported)))
    assert json.loads(exported.read_text())["kloes"]["2.1"]["strengths"] == "Revised by bob"
    restored = ok(kloe("--store", filled, "history", "--framework", "ac-benefits", "--org", "EX-AC01", "--period", "2008/09", "--restore", "1"))
    assert "3" in restored
    missing = kloe("--store", filled, "score", "--framework", "ac-benefits", "--org", "NOPE")
    assert missing.returncode == 2 and "postgresql://kloe_admin@127.0.0.1" in missing.stderr and "Traceback" not in missing.stderr


def test_copying_sqlite_to_postgresql_and_back_keeps_every_revision_author_and_time(filled, pg_server, tmp_path):
    sqlite_copy = tmp_path / "copy.db"
    output = ok(kloe("store", "copy", filled, str(sqlite_copy)))
    with open_store(filled, read_only=True) as store:
        count, revisions = len(store.keys()), sum(len(store.history(key)) for key in store.keys())
    assert f"copied {count} assessments with {revisions} revisions from postgresql://kloe_admin@127.0.0.1:" in output
    assert "checked: the copy has the same counts and the same sha256 of every revision" in output
    back = pg_server.url(pg_server.new_database())
    ok(kloe("store", "copy", str(sqlite_copy), back))
    assert history_of(filled) == history_of(str(sqlite_copy)) == history_of(back)
    sums = {ok(kloe("store", "check", url)).split("sha256 of all: ")[1].split(")")[0] for url in (filled, str(sqlite_copy), back)}
    assert len(sums) == 1
    # and a saved copy carries on where the source left off
    with open_store(back) as store:
        key = AssessmentKey("ac-benefits", "EX-AC01", "2008/09")
        current = store.load(key)
        assert store.save(current.assessment.model_copy(update={"assessor": "carol"}), based_on=current.revision).revision == current.revision + 1


def test_copying_into_a_store_that_holds_anything_is_refused_and_changes_nothing(filled, tmp_path):
    target = tmp_path / "target.db"
    ok(kloe("--store", str(target), "import", str(EXAMPLES[0])))
    before = target.read_bytes()
    refused = kloe("store", "copy", filled, str(target))
    assert refused.returncode == 2 and "already holds 1 assessment" in refused.stderr and "nothing was copied" in refused.stderr
    assert target.read_bytes() == before
    back = kloe("store", "copy", str(target), filled)
    assert back.returncode == 2 and "already holds" in back.stderr


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_check_reports_integrity_and_names_each_problem(filled, tmp_path, backend):
    url = filled
    if backend == "sqlite":
        url = str(tmp_path / "kloe.db")
        ok(kloe("store", "copy", filled, url))
    assert "ok: the database's own check passed, every revision is readable" in ok(kloe("store", "check", url))
    # Both backends keep revisions encoded (store/revision_codec.py): the bad document is stored as a save would store it
    from kloe_nb.store import revision_codec

    bad = revision_codec.encode(1, None, {"framework": 5}, '{"framework": 5}')
    first = "(SELECT min(id) FROM assessments)"
    statements = [
        ("UPDATE assessments SET current_revision = 7 WHERE org_code = 'EX-AC02' AND period = '2008/09'", ()),
        (f"UPDATE revisions SET snapshot = ?, body = ?, document_crc = ? WHERE number = 1 AND assessment_id = {first}", (True, bad.body, bad.crc)),
        (f"UPDATE assessments SET document = ? WHERE id = {first}", (revision_codec.pack(b'{"framework": 5}'),)),
    ]
    if backend == "sqlite":
        with sqlite3.connect(url) as connection:
            for statement, values in statements:
                connection.execute(statement, values)
    else:
        with psycopg.connect(url) as connection:
            for statement, values in statements:
                connection.execute(statement.replace("?", "%s"), values)
    result = kloe("store", "check", url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ac-benefits EX-AC02 2008/09: its current revision is not among its revisions 1-1: the store " in result.stdout
    assert "has lost revision 7 of ac-benefits EX-AC02 2008/09" in result.stdout
    assert "revision 1: revision 1 of" in result.stdout and "is no longer a valid assessment" in result.stdout
    assert "2 problems found; nothing was changed" in result.stdout


def test_init_with_roles_a_reader_runs_reports_and_comparisons_but_cannot_save(pg_server, pg_url, tmp_path):
    suffix = pg_url.rsplit("_", 1)[1]
    writer, reader = f"writer_{suffix}", f"reader_{suffix}"
    pg_server.new_role(writer, "Wr1ter-pw")
    pg_server.new_role(reader, "Re4der-pw")
    out = ok(kloe("store", "init", pg_url, "--writer", writer, "--reader", reader))
    assert "is ready (0 assessments)" in out and f"{writer} may read and save" in out and f"{reader} may only read" in out
    ok(kloe("--store", pg_url.replace("kloe_admin@", f"{writer}@"), "import", *map(str, EXAMPLES)))
    as_reader = pg_url.replace("kloe_admin@", f"{reader}@")
    refused = kloe("--store", as_reader, "import", str(EXAMPLES[0]), "--author", "mallory")
    assert refused.returncode in (1, 2) and f"the role '{reader}' may only read this store" in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
    # reports, the batch and the comparison need only SELECT
    report = tmp_path / "one.html"
    ok(kloe("--store", as_reader, "render", "--framework", "ac-benefits", "--council", "EX-AC01", "--period", "2008/09", "-o", str(report)))
    assert "EX-AC01" in report.read_text()
    ran = ok(
        kloe("--store", as_reader, "run", "--framework", "ac-benefits", "--councils", str(COUNCILS), "--out", str(tmp_path / "run"), "-j", "1", "--no-progress")
    )
    councils = len(COUNCILS.read_text().splitlines()) - 1
    assert f"{councils} reports written, 0 up to date, 0 failed" in ran and (tmp_path / "run" / "index.html").exists()
    page = tmp_path / "compare.html"
    ok(kloe("--store", as_reader, "compare", "--framework", "ac-benefits", "-o", str(page)))
    html = page.read_text()
    assert f"postgresql://{reader}@127.0.0.1:{pg_server.port}/" in html and "Re4der-pw" not in html


def test_init_roles_on_a_sqlite_store_are_refused_plainly(tmp_path):
    result = kloe("store", "init", str(tmp_path / "kloe.db"), "--reader", "someone")
    assert result.returncode == 2 and "are PostgreSQL roles" in result.stderr and not (tmp_path / "kloe.db").exists()


def test_a_password_in_the_url_is_refused_for_kernels_and_never_printed(filled, pg_server, tmp_path):
    with_password = filled.replace("kloe_admin@", f"kloe_admin:{PASSWORD}@")
    history = kloe("--store", with_password, "history", "--framework", "ac-benefits", "--org", "NOPE")
    assert history.returncode == 2 and PASSWORD not in history.stderr and "postgresql://kloe_admin@127.0.0.1" in history.stderr
    run = kloe("--store", with_password, "render", "--framework", "ac-benefits", "--council", "EX-AC01", "--period", "2008/09", "-o", str(tmp_path / "x.html"))
    assert run.returncode == 2 and "has a password in it, which would be written into every executed notebook" in run.stderr
    assert PASSWORD not in run.stderr + run.stdout and not (tmp_path / "x.html").exists()


def test_the_form_and_the_moderation_view_save_into_a_postgresql_store(pg_url):
    from builders import FAST

    lead = build_form("ac-benefits", "00AB", "Ynys Môn", pg_url, "alice", period="2008/09", timing=FAST)
    try:
        assert "postgresql://kloe_admin@127.0.0.1" in lead.widget.children[1].value
        for kloe_id, level in (("2.1", 3), ("2.2", 2)):
            lead.session.set_level(kloe_id, level)
        assert lead.session.flush().state == "saved"
    finally:
        lead.close()
    second = build_form("ac-benefits", "00AB", "Ynys Môn", pg_url, "bob", period="2008/09", track="B", timing=FAST)
    try:
        for kloe_id, level in (("2.1", 2), ("2.2", 2)):
            second.session.set_level(kloe_id, level)
        assert second.session.flush().state == "saved"
    finally:
        second.close()
    view = build_moderation("ac-benefits", "00AB", pg_url, period="2008/09", track="B", assessor="carol")
    try:
        assert list(view.boxes) == ["2.1"]
        box = view.boxes["2.1"]
        box.level.value = 3
        box.note.value = "agreed"
        next(w for w in _walk(box.widget) if getattr(w, "description", "") == "Record agreed level").click()
        assert "Recorded" in view.message.value
    finally:
        view.close()
    with open_store(pg_url, read_only=True) as store:
        record = store.load(AssessmentKey("ac-benefits", "00AB", "2008/09")).assessment.kloes["2.1"]
    assert record.moderation.levels == {"": 3, "B": 2} and record.moderation.moderated_by == "carol"


def _walk(widget):  # type: ignore[no-untyped-def]
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
