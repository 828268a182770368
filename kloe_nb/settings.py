"""The workbook's settings from the environment, read one way by the command line, the form and the loader.

Every setting is an environment variable with the ``KLOE_`` prefix; one set to the empty
string counts as not set (so ``KLOE_STORE=`` means the default store, everywhere). Settings
are read when asked for, not at import, so a notebook or a test that sets a variable sees it.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_STORE = "kloe.db"


class Settings(BaseSettings):
    """What the environment says (``KLOE_STORE``, ``KLOE_FRAMEWORKS_PATH``, ``KLOE_COUNCILS``)."""

    model_config = SettingsConfigDict(env_prefix="KLOE_", env_ignore_empty=True, extra="ignore")

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
    """The settings as the environment gives them now."""
    return Settings()
