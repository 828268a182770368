"""One council's run on a kept kernel: papermill executes, nbconvert renders, the outputs are written.

Every way a council can fail ends here as a ``CouncilResult`` with a reason a person can act
on (which cell raised what; the kernel killed by which signal; the timeout), never as an
exception that would stop the batch. A kernel that died or timed out is replaced before the
next council.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import papermill
from papermill.exceptions import PapermillExecutionError

from kloe_nb.batch.kernel import ENGINE_NAME, KernelSession
from kloe_nb.batch.outputs import OutputFolder
from kloe_nb.errors import KloeError
from kloe_nb.report.exporter import PageRenderer, summary

OK, FAILED, UP_TO_DATE = "ok", "failed", "up to date"
INJECTED_TAG = "injected-parameters"


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


def execute_council(session: KernelSession, renderer: PageRenderer, notebook: Path, parameters: dict[str, str], timeout: float, what: str) -> Executed:
    """Execute the notebook for one council on the kept kernel and render its page; never raises for the council's own failures."""
    if session.km is None or session.exit_status() is not None:
        session.restart()
    try:
        session.reset()
    except Exception:  # noqa: BLE001 - a kernel that cannot reset is replaced
        session.restart()
    session.current = None
    restart = False
    executed = Executed(None)
    timer = session.watchdog(timeout)
    try:
        executed.nb = papermill.execute_notebook(
            _notebook_input(notebook),
            None,
            parameters=parameters,
            engine_name=ENGINE_NAME,
            kernel_name=session.kernel_name,
            progress_bar=False,
            request_save_on_cell_execute=False,
            kernel_session=session,
        )
    except PapermillExecutionError as error:
        executed.nb = session.current.nb if session.current is not None else None
        executed.reason = describe_cell_error(executed.nb, error) if executed.nb is not None else f"{error.ename}: {error.evalue}"
    except Exception as error:  # noqa: BLE001 - a dead kernel, a hang, or a bug: this council fails, the batch goes on
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
            executed.html = renderer.render(executed.nb, what=what)
        except (KloeError, ValueError) as error:
            executed.reason = f"the report page could not be rendered: {error}"
    if restart:
        try:
            session.restart()
        except Exception:  # noqa: BLE001 - the next council restarts it again, and reports if it cannot
            pass
    return executed


def run_council(session: KernelSession, renderer: PageRenderer, task: CouncilTask, timeout: float) -> CouncilResult:
    """Execute, render and write one council into its batch's output folder (see the module docstring)."""
    started = time.monotonic()
    result = CouncilResult(task.index, task.code, FAILED)
    outputs = OutputFolder(task.out_dir)
    executed = execute_council(session, renderer, task.notebook, task.parameters, timeout, f"council {task.code}")
    result.reason = executed.reason
    if executed.ok:
        try:
            outputs.write_success(task.slug, executed.nb, executed.html)
        except OSError as error:
            result.reason = f"the report could not be written: {error}"
        else:
            result.status = OK
            result.report = outputs.relative(outputs.html(task.slug))
            result.notebook = outputs.relative(outputs.notebook(task.slug))
            result.summary = summary(executed.nb)
    if result.status == FAILED:
        try:
            result.failed_notebook = outputs.write_failure(task.slug, executed.nb)
        except OSError as error:
            result.reason += f" (and the failed notebook could not be kept: {error})"
    result.seconds = time.monotonic() - started
    return result
