"""Shared fixtures: paths to test data, and the tests folder on sys.path for seedtext."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
DATA_DIR = TESTS_DIR / "data"
ARTIFACTS_DIR = TESTS_DIR / "artifacts"

if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))


@pytest.fixture
def framework_data() -> Path:
    """Folder of small framework files named for what they prove."""
    return DATA_DIR / "frameworks"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests keep screenshots and other artifacts for people to look at."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="session")
def renderer():  # type: ignore[no-untyped-def]
    """The page exporter, built once (building it reads the nbconvert templates)."""
    from kloe_nb.render.exporter import PageRenderer

    return PageRenderer()


@pytest.fixture
def forms(tmp_path):  # type: ignore[no-untyped-def]
    """Open real widget forms on a store in tmp_path (``forms(framework, code, timing)``); all closed afterwards."""
    from builders import FAST

    from kloe_nb.form import SaveTiming, build_form

    opened = []

    def open_form(framework: str = "ac-benefits", code: str = "00AB", timing: SaveTiming = FAST):  # type: ignore[no-untyped-def]
        form = build_form(framework, code, "Ynys Môn", tmp_path / "kloe.db", "alice", timing=timing)
        opened.append(form)
        return form

    yield open_form
    for form in opened:
        form.close()


# -- the two store backends (issue 13) -------------------------------------------------------------

_PG_SKIPPED: list[str] = []


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """A throwaway PostgreSQL server for the whole session (tests/pgserver.py), or a skip saying why not."""
    import os

    import pgserver

    reason = pgserver.why_not_available()
    if reason:
        if os.environ.get("KLOE_REQUIRE_POSTGRESQL") == "1":
            pytest.fail(f"KLOE_REQUIRE_POSTGRESQL=1 but {reason}", pytrace=False)
        _PG_SKIPPED.append(reason)
        pytest.skip(reason)
    server = pgserver.Server()
    previous = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(server.passfile)  # subprocesses and kernels find the password as libpq does
    yield server
    if previous is None:
        os.environ.pop("PGPASSFILE", None)
    else:
        os.environ["PGPASSFILE"] = previous
    server.close()


@pytest.fixture
def pg_url(pg_server):  # type: ignore[no-untyped-def]
    """The URL of a fresh, empty PostgreSQL database (no password in it: .pgpass has it)."""
    return pg_server.url(pg_server.new_database())


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):  # type: ignore[no-untyped-def]
    """A fresh store per test, once on each backend: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "kloe.db")
    return request.getfixturevalue("pg_url")


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """Say plainly, at the end, that the PostgreSQL store tests did not run and why."""
    if _PG_SKIPPED:
        skipped = len([report for report in terminalreporter.stats.get("skipped", []) if "PostgreSQL" in str(report.longrepr)])
        terminalreporter.write_line(f"NOT RUN: {skipped} PostgreSQL store tests: {_PG_SKIPPED[0]}", yellow=True, bold=True)
