"""The workbook's settings from the environment, read one way by the command line, the form and the loader.

Every setting is an environment variable with the ``KLOE_`` prefix, its name in any case (as
pydantic-settings read them before); one set to the empty string counts as not set (so
``KLOE_STORE=`` means the default store, everywhere). Settings are read when asked for, not at
import, so a notebook or a test that sets a variable sees it. Read with ``os.environ`` alone:
pydantic-settings cost 0.1 s of every start of the command and of every kernel.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

DEFAULT_STORE = "kloe.db"
PREFIX = "KLOE_"


@dataclass(frozen=True)
class Settings:
    """What the environment says (``KLOE_STORE``, ``KLOE_FRAMEWORKS_PATH``, ``KLOE_COUNCILS``)."""

    store: str = DEFAULT_STORE
    """The assessment store: a SQLite file (or ``sqlite:PATH``), relative to the current folder, or ``postgresql://user@host/db``."""
    frameworks_path: str = ""
    """Folders searched for framework files before the bundled ones, separated like ``PATH``."""
    councils: str = ""
    """A councils CSV the app's start page lists (``kloe app --councils`` sets it)."""

    def framework_dirs(self) -> list[Path]:
        """The folders of ``frameworks_path``, in order, empty parts left out."""
        return [Path(part) for part in self.frameworks_path.split(os.pathsep) if part]


def settings() -> Settings:
    """The settings as the environment gives them now (see the module docstring)."""
    names = {(PREFIX + field.name).lower(): field.name for field in fields(Settings)}
    given = {names[key.lower()]: value for key, value in os.environ.items() if key.lower() in names and value != ""}
    return Settings(**given)
