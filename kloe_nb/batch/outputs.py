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

**Only what this workbook wrote is ever removed or replaced.** The output folder may hold
other things of the user's: a file is this workbook's when it is a regular file (not a link)
carrying its mark: a page's ``<meta name="generator" content="kloe-workbook ...">``, a
notebook's ``kloe_workbook`` metadata (or, for notebooks written before the mark, papermill's
record of the report's parameters), the summary's header row; a leftover temporary file is
this workbook's when its name is one this module gives them. Anything else in the way of a
council's file fails that council, saying which file, and is left as it is; ``notebooks`` or
``failed`` being a link (which would lead the run out of the folder) stops the run before
anything is written.

A page written on its own (``kloe render``, ``kloe compare``) follows the same rules with
its files side by side (``PageFiles``): ``FILE.html``, its executed notebook, and
``FILE.html.failed.ipynb`` when it failed. The page itself is the file the user named, so it
is written whatever was there (a stream such as ``-`` or ``/dev/stdout`` is written into);
only the files beside it, which the user did not name, are checked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kloe_nb import __version__
from kloe_nb.errors import KloeError
from kloe_nb.files import is_stream, os_error_text, write_text_atomically

NOTEBOOKS = "notebooks"
FAILED = "failed"
SUMMARY_HEADER = "code,name,group,period,status,reason"
"""How summary.csv begins (batch/index.py writes it): the mark of a summary this workbook wrote."""
PAGE_MARK = '<meta name="generator" content="kloe-workbook'
NOTEBOOK_MARK = "kloe_workbook"
_OUR_TEMPORARY = re.compile(r"^\.(?P<name>.+\.(?:html|ipynb|csv))\.[a-z0-9_]{8}\.tmp$")  # files.replacing's names
_HEAD_BYTES = 4096


class NotOursError(KloeError):
    """A file this workbook would replace or remove was not written by it: it is left as it is."""


def notebook_text(nb: Any) -> str:
    """The notebook as .ipynb JSON, carrying this workbook's mark (as nbformat writes it, without re-validating
    what papermill and nbclient built; a notebook cut short by a dead kernel is kept whatever shape it is in)."""
    marked = {**nb, "metadata": {**nb.get("metadata", {}), NOTEBOOK_MARK: {"version": __version__}}}
    return json.dumps(marked, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def written_by_us(path: Path) -> bool:
    """Whether ``path`` is a regular file this workbook wrote (see the module docstring)."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        if path.suffix == ".ipynb":
            metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
            parameters = metadata.get("papermill", {}).get("parameters", {})
            return NOTEBOOK_MARK in metadata or ("framework" in parameters and "store" in parameters)
        with open(path, encoding="utf-8", errors="replace") as file:
            head = file.read(_HEAD_BYTES)
    except (OSError, ValueError, AttributeError):
        return False
    if path.suffix == ".csv":
        return head.lstrip("\ufeff").startswith(SUMMARY_HEADER)
    return PAGE_MARK in head


def _remove_if_ours(path: Path) -> None:
    if written_by_us(path):
        path.unlink(missing_ok=True)


def _require_free_or_ours(path: Path, shown: str) -> None:
    if (path.exists() or path.is_symlink()) and not written_by_us(path):
        raise NotOursError(f"{shown} is in the way and was not written by kloe-workbook, so it was left as it is: move it, or choose another folder")


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

    def prepare(self, own_files: tuple[str, ...] = ("index.html", "summary.csv")) -> None:
        """Create the folders and remove the temporary files a killed run of ours left behind.

        Refuses (before anything is written) a folder whose ``notebooks`` or ``failed`` is a link
        or not a folder, or whose ``own_files`` are someone else's.
        """
        if self.root.exists() and not self.root.is_dir():
            raise NotOursError(f"{self.root} is a file, not a folder: give --out a folder for the reports (it is made if missing)")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise NotOursError(f"the output folder {self.root} could not be made: {os_error_text(error)}") from None
        for name in own_files:
            _require_free_or_ours(self.root / name, str(self.root / name))
        for folder in (self.root / NOTEBOOKS, self.root / FAILED):
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                raise NotOursError(f"{folder} is a link or a file, not a folder: kloe run writes only inside {self.root}; remove it or choose another folder")
            folder.mkdir(exist_ok=True)
        for folder in (self.root, self.root / NOTEBOOKS, self.root / FAILED):
            for leftover in folder.iterdir():
                if _OUR_TEMPORARY.match(leftover.name) and leftover.is_file() and not leftover.is_symlink():
                    leftover.unlink(missing_ok=True)

    def write_success(self, slug: str, nb: Any, html: str) -> None:
        """The executed notebook, then the report (the report last: its time says the council is done).

        NotOursError, before anything is written, if a file not written by this workbook is in the way.
        """
        for path in (self.notebook(slug), self.html(slug)):
            _require_free_or_ours(path, self.relative(path))
        write_text_atomically(self.notebook(slug), notebook_text(nb))
        write_text_atomically(self.html(slug), html)
        _remove_if_ours(self.failed(slug))

    def write_failure(self, slug: str, nb: Any | None) -> str:
        """Remove the council's previous report and notebook (ours only); keep the failed one aside. Returns its relative path ('' if none)."""
        _remove_if_ours(self.html(slug))
        _remove_if_ours(self.notebook(slug))
        failed = self.failed(slug)
        if nb is None:
            _remove_if_ours(failed)
            return ""
        if (failed.exists() or failed.is_symlink()) and not written_by_us(failed):
            return ""  # someone else's file has the name: the failure is still reported, the notebook not kept
        write_text_atomically(failed, notebook_text(nb))
        return self.relative(failed)

    def write_text(self, name: str, text: str) -> Path:
        """Write a file of the folder itself (index.html, summary.csv), atomically (``prepare`` checked it is ours)."""
        path = self.root / name
        _require_free_or_ours(path, str(path))
        write_text_atomically(path, text)
        return path


@dataclass(frozen=True)
class PageFiles:
    """One page written on its own, with its executed notebook beside it when one is wanted (see the module docstring).

    ``notebook_named`` says the user named the notebook (``kloe render --save-notebook``), so it
    is written whatever is there; a notebook the workbook puts beside the page (``kloe compare``'s
    ``FILE.ipynb``) never replaces someone else's file.
    """

    page: Path
    notebook: Path | None = None
    notebook_named: bool = False

    @property
    def failed(self) -> Path | None:
        """Where the notebook of a failed run is kept aside (None for a page written into a stream)."""
        return None if is_stream(self.page) else self.page.with_name(self.page.name + ".failed.ipynb")

    def write_success(self, nb: Any, html: str) -> None:
        """The notebook (when wanted), then the page (last: its time says the run is done); the old failed notebook goes."""
        if self.notebook is not None:
            if not self.notebook_named:
                _require_free_or_ours(self.notebook, str(self.notebook))
            write_text_atomically(self.notebook, notebook_text(nb))
        write_text_atomically(self.page, html)
        if self.failed is not None:
            _remove_if_ours(self.failed)

    def write_failure(self, nb: Any | None) -> Path | None:
        """Remove the previous page and notebook if this workbook wrote them (they would look current); keep the failed notebook aside."""
        if not is_stream(self.page):
            _remove_if_ours(self.page)
        if self.notebook is not None:
            _remove_if_ours(self.notebook)
        failed = self.failed
        if nb is None or failed is None or ((failed.exists() or failed.is_symlink()) and not written_by_us(failed)):
            return None
        write_text_atomically(failed, notebook_text(nb))
        return failed
