"""Where a batch writes, and how: nothing half-written is ever visible, nothing stale looks current.

Layout of the output folder::

    index.html, summary.csv      the run's index page and table
    <slug>.html                  each council's report (slug: ``slugs.py``)
    notebooks/<slug>.ipynb       each council's executed notebook
    failed/<slug>.ipynb          the notebook of a council that failed (partial if its kernel died)

Every file is written to a hidden temporary name in its folder and renamed into place, so a
reader (or a batch killed mid-write) sees the old file or the new one, never a mix. When a
council fails, its previous report and notebook are removed, so no stale report sits there
looking current; when it succeeds, its old failed notebook goes. Temporary files left by a
killed run are removed when the next run starts.

A page written on its own (``kloe render``, ``kloe compare``) follows the same rules with
its files side by side (``PageFiles``): ``FILE.html``, its executed notebook, and
``FILE.html.failed.ipynb`` when it failed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kloe_nb.files import write_text_atomically

NOTEBOOKS = "notebooks"
FAILED = "failed"
TEMPORARY_GLOB = ".*.tmp"


def notebook_text(nb: Any) -> str:
    """The notebook as .ipynb JSON (as nbformat writes it, without re-validating what papermill and nbclient built;
    a notebook cut short by a dead kernel is kept whatever shape it is in)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n"


class OutputFolder:
    """The paths of one batch's outputs, and the writes that keep them consistent."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def html(self, slug: str) -> Path:
        """Where a council's report goes."""
        return self.root / f"{slug}.html"

    def notebook(self, slug: str) -> Path:
        """Where a council's executed notebook goes."""
        return self.root / NOTEBOOKS / f"{slug}.ipynb"

    def failed(self, slug: str) -> Path:
        """Where a failed council's notebook is kept aside."""
        return self.root / FAILED / f"{slug}.ipynb"

    def relative(self, path: Path) -> str:
        """A path as the index links to it (relative, with forward slashes)."""
        return path.relative_to(self.root).as_posix()

    def prepare(self) -> None:
        """Create the folders and remove temporary files a killed run left behind."""
        for folder in (self.root, self.root / NOTEBOOKS, self.root / FAILED):
            folder.mkdir(parents=True, exist_ok=True)
            for leftover in folder.glob(TEMPORARY_GLOB):
                leftover.unlink(missing_ok=True)

    def write_success(self, slug: str, nb: Any, html: str) -> None:
        """The executed notebook, then the report (the report last: its time says the council is done)."""
        write_text_atomically(self.notebook(slug), notebook_text(nb))
        write_text_atomically(self.html(slug), html)
        self.failed(slug).unlink(missing_ok=True)

    def write_failure(self, slug: str, nb: Any | None) -> str:
        """Remove the council's previous report and notebook; keep the failed one aside. Returns its relative path ('' if none)."""
        self.html(slug).unlink(missing_ok=True)
        self.notebook(slug).unlink(missing_ok=True)
        if nb is None:
            self.failed(slug).unlink(missing_ok=True)
            return ""
        write_text_atomically(self.failed(slug), notebook_text(nb))
        return self.relative(self.failed(slug))

    def write_text(self, name: str, text: str) -> Path:
        """Write a file of the folder itself (index.html, summary.csv), atomically."""
        path = self.root / name
        write_text_atomically(path, text)
        return path


@dataclass(frozen=True)
class PageFiles:
    """One page written on its own, with its executed notebook beside it when one is wanted (see the module docstring)."""

    page: Path
    notebook: Path | None = None

    @property
    def failed(self) -> Path:
        """Where the notebook of a failed run is kept aside."""
        return self.page.with_name(self.page.name + ".failed.ipynb")

    def write_success(self, nb: Any, html: str) -> None:
        """The notebook (when wanted), then the page (last: its time says the run is done); the old failed notebook goes."""
        if self.notebook is not None:
            write_text_atomically(self.notebook, notebook_text(nb))
        write_text_atomically(self.page, html)
        self.failed.unlink(missing_ok=True)

    def write_failure(self, nb: Any | None) -> Path | None:
        """Remove the previous page and notebook (they would look current); keep the failed notebook aside, if there is one."""
        self.page.unlink(missing_ok=True)
        if self.notebook is not None:
            self.notebook.unlink(missing_ok=True)
        if nb is None:
            return None
        write_text_atomically(self.failed, notebook_text(nb))
        return self.failed
