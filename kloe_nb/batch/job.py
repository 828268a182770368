"""Executing one notebook job on a kept kernel: papermill executes, nbconvert renders the page.

A job is a notebook, its parameters and a name for messages; a council's report
(``council.py``) and a comparison page (``comparison.py``) are the two producers of jobs.
Every way a job can fail ends here as an ``Executed`` with a reason a person can act on
(which cell raised what; the kernel killed by which signal; the timeout), never as an
exception that would stop the batch. A kernel that died or timed out is replaced before the
next job; a job asking for a fresh kernel gets one if its kernel has run a job before.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import papermill
from papermill.exceptions import PapermillExecutionError

from kloe_nb.batch.kernel import ENGINE_NAME, KernelSession
from kloe_nb.errors import KloeError
from kloe_nb.render.exporter import PageRenderer

OK, FAILED, UP_TO_DATE = "ok", "failed", "up to date"
INJECTED_TAG = "injected-parameters"


@dataclass(frozen=True)
class NotebookJob:
    """A notebook to execute, the parameters it gets (all text), and what it is in a person's words."""

    notebook: Path
    parameters: dict[str, str]
    what: str


def _first_line(source: str) -> str:
    line = next((text.strip() for text in source.splitlines() if text.strip()), "")
    return line if len(line) <= 70 else line[:67] + "..."


def describe_cell_error(nb: Any, error: PapermillExecutionError) -> str:
    """'cell 3 (report.questions()): KeyError: ...', counting the notebook's own code cells from 1."""
    number, source = None, error.source
    counted = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or INJECTED_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        counted += 1
        if cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            number, source = counted, cell.get("source", source)
            break
    where = f"cell {number}" if number else "a cell"
    message = (error.evalue or "").strip()
    message = message if len(message) <= 500 else message[:497] + "..."
    return f"{where} ({_first_line(source)}) raised {error.ename}" + (f": {message}" if message else "")


def describe_exit(status: int | None) -> str:
    """Why a kernel stopped, from its exit status, in words."""
    if status is None:
        return "the kernel stopped answering"
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        hint = " (out of memory, or killed by hand)" if -status == signal.SIGKILL else ""
        return f"the kernel was killed by {name}{hint}"
    return f"the kernel exited with status {status}"


def _notebook_input(path: Path) -> str:
    """papermill formats the input path with the parameters (``{name}``); braces in a real path must survive that."""
    return str(path).replace("{", "{{").replace("}", "}}")


@dataclass
class Executed:
    """A council's notebook after execution: the page on success, the reason (and what is left of the notebook) on failure."""

    nb: Any
    html: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        """The notebook ran and its page was rendered."""
        return not self.reason


INTERRUPTED = "not run: the batch was interrupted"


def execute_job(session: KernelSession, renderer: PageRenderer, job: NotebookJob, timeout: float, fresh_kernel: bool = False) -> Executed:
    """Execute the job's notebook on the kept kernel (a fresh one if asked) and render its page; never raises for the job's own failures."""
    if session.km is None or session.exit_status() is not None or (fresh_kernel and session.used):
        session.restart()
    try:
        session.reset()
    except Exception:  # noqa: BLE001 - a kernel that cannot reset is replaced
        session.restart()
    if session.abandoned:  # stopped while it was getting ready: no kernel is left to run on
        return Executed(None, reason=INTERRUPTED)
    session.used = True
    session.current = None
    restart = False
    executed = Executed(None)
    timer = session.watchdog(timeout)
    try:
        executed.nb = papermill.execute_notebook(
            _notebook_input(job.notebook),
            None,
            parameters=job.parameters,
            engine_name=ENGINE_NAME,
            kernel_name=session.kernel_name,
            progress_bar=False,
            request_save_on_cell_execute=False,
            kernel_session=session,
        )
    except PapermillExecutionError as error:
        executed.nb = session.current.nb if session.current is not None else None
        executed.reason = describe_cell_error(executed.nb, error) if executed.nb is not None else f"{error.ename}: {error.evalue}"
    except Exception as error:  # noqa: BLE001 - a dead kernel, a hang, or a bug: this job fails, the batch goes on
        executed.nb = session.current.nb if session.current is not None else None
        restart = True
        if session.timed_out.is_set():
            executed.reason = f"timed out after {timeout:g} s (the kernel was stopped)"
        elif session.exit_status() is not None:
            executed.reason = describe_exit(session.exit_status())
        else:
            executed.reason = f"{type(error).__name__}: {error}"
        if executed.nb is not None:
            executed.nb.metadata.setdefault("kloe", {})["partial"] = executed.reason
    finally:
        timer.cancel()
    if executed.ok:
        try:
            executed.html = renderer.render(executed.nb, what=job.what)
        except (KloeError, ValueError) as error:
            executed.reason = f"the report page could not be rendered: {error}"
    if restart:
        try:
            session.restart()
        except Exception:  # noqa: BLE001 - the next job restarts it again, and reports if it cannot
            pass
    return executed
