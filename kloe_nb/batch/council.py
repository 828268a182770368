"""One council's report as a notebook job: its parameters in, its page and notebook written to its output folder.

The batch (``runner.py``, ``pool.py``) makes one ``CouncilTask`` per council; executing it
is the generic job (``job.py``); what is kept, on success and on failure, is the output
folder's business (``outputs.py``). A council cut short because the batch is being stopped
writes nothing and removes nothing: it is reported as not run, like the councils never begun.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kloe_nb.batch import FAILED, INTERRUPTED, OK
from kloe_nb.batch.outputs import OutputFolder
from kloe_nb.errors import KloeError

if TYPE_CHECKING:  # the tasks and results are light: ``kloe run``'s own process imports no papermill
    from kloe_nb.batch.job import NotebookJob
    from kloe_nb.batch.kernel import KernelSession
    from kloe_nb.render.exporter import PageRenderer


@dataclass
class CouncilRow:
    """One council of a batch, as the index and summary.csv show it (here, not in ``index.py``: planning the run needs no page)."""

    index: int
    code: str
    name: str
    group: str
    period: str
    status: str
    reason: str = ""
    revision: int | None = None
    report: str = ""
    notebook: str = ""
    failed_notebook: str = ""
    summary: dict[str, Any] | None = None
    seconds: float = 0.0

    def judgement(self, judgement_id: str) -> dict[str, Any]:
        """The judgement's entry in the report summary ({} when there is none)."""
        return ((self.summary or {}).get("judgements") or {}).get(judgement_id) or {}

    def kloe_level(self, kloe_id: str) -> int | None:
        """The KLOE's decided level in this council's report."""
        return ((self.summary or {}).get("kloes") or {}).get(kloe_id)

    @property
    def illustrative(self) -> bool:
        """The council's data is illustrative (the index then says so)."""
        return bool((self.summary or {}).get("illustrative"))


@dataclass
class CouncilTask:
    """One council to run: its parameters and where its outputs go."""

    index: int
    code: str
    name: str
    slug: str
    parameters: dict[str, str]
    out_dir: Path
    notebook: Path
    fresh_kernel: bool = False  # a notebook of the user's: nothing it changes in its kernel may reach the next council

    def job(self) -> NotebookJob:
        """The notebook job that makes this council's report."""
        from kloe_nb.batch.job import NotebookJob

        return NotebookJob(self.notebook, self.parameters, f"council {self.code}")


@dataclass
class CouncilResult:
    """How one council went, with the paths written (relative to its output folder)."""

    index: int
    code: str
    status: str
    reason: str = ""
    report: str = ""  # relative to the output folder
    notebook: str = ""
    failed_notebook: str = ""
    summary: dict[str, Any] | None = None
    seconds: float = 0.0


def run_council(session: KernelSession, renderer: PageRenderer, task: CouncilTask, timeout: float) -> CouncilResult:
    """Execute, render and write one council into its batch's output folder (see the module docstring)."""
    from kloe_nb.batch.job import execute_job
    from kloe_nb.render.exporter import summary

    started = time.monotonic()
    result = CouncilResult(task.index, task.code, FAILED)
    outputs = OutputFolder(task.out_dir)
    executed = execute_job(session, renderer, task.job(), timeout, fresh_kernel=task.fresh_kernel)
    result.reason = executed.reason
    if not executed.ok and session.abandoned:  # stopped by the batch's interruption: as if not run, nothing removed
        result.reason = INTERRUPTED
        return result
    if executed.ok:
        try:
            outputs.write_success(task.slug, executed.nb, executed.html)
        except (OSError, KloeError) as error:
            result.reason = f"the report could not be written: {error}"
        else:
            result.status = OK
            result.report = outputs.relative(outputs.html(task.slug))
            result.notebook = outputs.relative(outputs.notebook(task.slug))
            result.summary = summary(executed.nb)
    if result.status == FAILED:
        try:
            result.failed_notebook = outputs.write_failure(task.slug, executed.nb)
        except (OSError, KloeError) as error:
            result.reason += f" (and the failed notebook could not be kept: {error})"
    result.seconds = time.monotonic() - started
    return result
