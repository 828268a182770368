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


@pytest.fixture
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
