"""Executing one notebook job on a kept kernel: papermill executes, nbconvert renders the page.

A job is a notebook, its parameters and a name for messages; a council's report
(``council.py``) and a comparison page (``comparison.py``) are the two producers of jobs.
Every way a job can fail ends here as an ``Executed`` with a reason a person can act on
(which cell raised what; the kernel killed by which signal; the timeout), never as an
exception that would stop the batch. A kernel that died or timed out is replaced before the
next job; a job asking for a fresh kernel gets one if its kernel has run a job before.

Execution is papermill's ``execute_notebook`` step by step, with papermill's own functions
(load, parameterize, metadata, error markers, the engine, ``raise_for_execution_errors``), less
two things the batch does not need: serialising the executed notebook to no file at all (papermill
does so when it has no output path; the batch writes the notebook itself) and warning about
undeclared parameters (``parameters.py`` refuses them before any kernel starts).
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papermill.engines import papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
from papermill.iorw import load_notebook_node, local_file_io_cwd
from papermill.parameterize import parameterize_notebook

from kloe_nb.batch import FAILED, INTERRUPTED, OK, UP_TO_DATE
from kloe_nb.batch.engine import ENGINE_NAME
from kloe_nb.batch.kernel import KernelSession
from kloe_nb.errors import KloeError

if TYPE_CHECKING:
    from kloe_nb.render.exporter import PageRenderer

__all__ = ["FAILED", "INTERRUPTED", "OK", "UP_TO_DATE", "Executed", "NotebookJob", "execute_job"]
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


def execute_notebook(session: KernelSession, notebook: Path, parameters: dict[str, str]) -> Any:
    """papermill's ``execute_notebook(notebook, None, parameters, ...)`` on the session's kernel (see the module docstring).

    The path is used as it is (papermill's own function would format ``{name}`` in it with the parameters).
    """
    path = str(notebook)
    with local_file_io_cwd():
        nb = load_notebook_node(path)
        nb = parameterize_notebook(nb, parameters, kernel_name=session.kernel_name, engine_name=ENGINE_NAME)
        nb = prepare_notebook_metadata(nb, path, None)
        nb = remove_error_markers(nb)
        nb = papermill_engines.execute_notebook_with_engine(
            ENGINE_NAME,
            nb,
            input_path=path,
            output_path=None,
            kernel_name=session.kernel_name,
            progress_bar=False,
            log_output=False,
            start_timeout=60,
            stdout_file=None,
            stderr_file=None,
            kernel_session=session,
        )
        raise_for_execution_errors(nb, None)
    return nb


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
        executed.nb = execute_notebook(session, job.notebook, job.parameters)
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
