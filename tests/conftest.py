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
