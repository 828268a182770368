"""Comparison pages (``kloe compare``, ``make demo``): ``notebooks/compare.ipynb`` run like a council's report.

The same machinery as the reports: papermill executes the notebook on a kept kernel
(``kernel.py``) as a notebook job (``job.py``), with every parameter passed as text and every
name checked against what the notebook declares (``parameters.py``); the page exporter renders
the page and refuses one that is not inert; files are written atomically (``outputs.py``).

Before any notebook runs, each comparison's input is checked in this process (framework,
store, peer group, at least one council to compare: ``comparison.data.check_comparable``,
which stops at the first council that can be compared), so bad input is a plain error
(exit 2) and nothing is written. Several comparisons share one kernel: it starts once,
launched before the checks so that it boots (importing the comparison package) while they run.

What is written for ``-o FILE.html``: the page, and the executed notebook beside it as
``FILE.ipynb``. When a comparison fails, its previous page and notebook are removed (they
would look current) and the failed notebook is kept as ``FILE.html.failed.ipynb``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kloe_nb.batch import DEFAULT_TIMEOUT, FAILED, OK, skip_slow_optional_imports
from kloe_nb.batch.kernel import KernelSession
from kloe_nb.batch.outputs import PageFiles
from kloe_nb.batch.parameters import check_names, declared_parameters
from kloe_nb.batch.slugs import slug
from kloe_nb.bundled import bundled_dir
from kloe_nb.errors import InvalidInputError, KloeError, Problem
from kloe_nb.store.address import for_another_process

if TYPE_CHECKING:
    from kloe_nb.batch.job import NotebookJob

DEFAULT_COMPARE_NOTEBOOK = bundled_dir("notebooks") / "compare.ipynb"
#: The parameters a comparison notebook must declare (``councils`` only when a councils CSV is given).
REQUIRED = ("framework", "store", "group")
COMPARISON_MODULES = ("kloe_nb.comparison", "kloe_nb.comparison.notebook")
"""What the bundled comparison notebook imports: its kernel has them imported before it answers."""


@dataclass(frozen=True)
class ComparisonJob:
    """One comparison page to write."""

    framework: str
    store: str | Path
    output: Path
    group: str = ""
    councils: Path | None = None
    notebook: Path = DEFAULT_COMPARE_NOTEBOOK


@dataclass
class ComparisonResult:
    """How one comparison went, and what was written."""

    job: ComparisonJob
    status: str
    reason: str = ""
    notebook: Path | None = None  # the executed notebook (or the failed one)
    summary: dict[str, Any] | None = None
    seconds: float = 0.0
    councils: int = 0


def page_files(output: Path) -> PageFiles:
    """The page and its executed notebook beside it, FILE.ipynb (and FILE.html.failed.ipynb when it fails)."""
    return PageFiles(output, output.with_suffix(".ipynb"))


def _check_notebook(job: ComparisonJob) -> tuple[str, ...]:
    declared = declared_parameters(job.notebook)
    wanted = [*REQUIRED, *(["councils"] if job.councils else [])]
    missing = [name for name in wanted if name not in declared]
    if missing:
        raise InvalidInputError(
            str(job.notebook),
            [
                Problem(
                    str(job.notebook),
                    "parameters",
                    f"the parameters cell does not declare {', '.join(missing)} "
                    f"(it declares: {', '.join(declared) or 'nothing'}); tag one cell 'parameters' and give each a default",
                )
            ],
        )
    check_names(wanted, declared, job.notebook)
    return declared


def check_job(job: ComparisonJob) -> None:
    """Check a comparison's input without a kernel: KloeError when there can be no comparison (see the module docstring)."""
    from kloe_nb.comparison.data import check_comparable

    if job.output.suffix.lower() != ".html":
        raise KloeError(f"{job.output}: the page is HTML, so name it FILE.html (its executed notebook is written beside it as FILE.ipynb)")
    _check_notebook(job)
    check_comparable(job.framework, job.store, job.group, job.councils or "")


def compared_count(job: ComparisonJob, summary: dict[str, Any] | None) -> int:
    """How many councils the page compares: from its summary, else (a notebook of the user's own without one) counted from the store."""
    if summary and summary.get("councils"):
        return len(summary["councils"])
    from kloe_nb.comparison.data import gather

    try:
        return len(gather(job.framework, job.store, job.group, job.councils or "", with_agreement=False).councils)
    except KloeError:
        return 0


def notebook_job(job: ComparisonJob) -> NotebookJob:
    """The notebook job that makes this comparison's page."""
    from kloe_nb.batch.job import NotebookJob

    within = f" of {job.group!r}" if job.group else ""
    return NotebookJob(Path(job.notebook).resolve(), parameters(job), f"comparison{within} ({job.framework})")


def parameters(job: ComparisonJob) -> dict[str, str]:
    """The values the notebook gets: all ``str``, paths absolute (the kernel runs in another folder), a store URL unchanged.

    ``report_links`` (when the notebook declares it): the councils whose report ``kloe run``
    wrote beside the page, ``<slug>.html``, as JSON, so their names link to them; a council
    with no report there is not linked (no dead links).
    """
    values = {"framework": str(job.framework), "store": for_another_process(job.store), "group": str(job.group)}
    if job.councils:
        values["councils"] = str(Path(job.councils).resolve())
    if "report_links" in declared_parameters(job.notebook):
        values["report_links"] = report_links(job)
    return values


def report_links(job: ComparisonJob) -> str:
    """JSON {council code: "<slug>.html"} of the councils of the framework whose report is beside the page ("" when none is)."""
    import json

    from kloe_nb.store import open_store

    folder = Path(job.output).resolve().parent
    if not folder.is_dir():
        return ""
    with open_store(job.store, read_only=True) as opened:
        codes = sorted({key.org_code for key in opened.keys(job.framework) if not key.track})
    links = {code: f"{slug(code)}.html" for code in codes if (folder / f"{slug(code)}.html").is_file()}
    return json.dumps(links, ensure_ascii=False) if links else ""


def _write(result: ComparisonResult, nb: Any, html: str) -> None:
    files = page_files(result.job.output)
    if result.status == OK:
        files.write_success(nb, html)
        result.notebook = files.notebook
    else:
        result.notebook = files.write_failure(nb)


def warming_session(folder: Path) -> KernelSession:
    """A started kernel with the comparison package imported, for comparisons run later.

    ``make demo`` starts it before the council batch, so the kernel's start-up and imports
    overlap the batch instead of following it.
    """
    session = KernelSession(folder, preload=COMPARISON_MODULES)
    session.start()
    return session


def run_comparisons(jobs: list[ComparisonJob], timeout: float = DEFAULT_TIMEOUT, session: KernelSession | None = None) -> list[ComparisonResult]:
    """Every job on one kernel (see the module docstring). Bad input raises KloeError before anything runs or is written."""
    if not jobs:
        return []
    skip_slow_optional_imports()
    own = session is None
    if session is None:  # launched first: it boots while the input is checked (see the module docstring)
        session = KernelSession(Path(jobs[0].output).resolve().parent, preload=COMPARISON_MODULES)
        session.launch()
    results = []
    try:
        for job in jobs:
            check_job(job)
        from kloe_nb.batch.job import execute_job
        from kloe_nb.render.exporter import PageRenderer, summary

        renderer = PageRenderer()
        if own:
            renderer.warm_up()
            Path(jobs[0].output).resolve().parent.mkdir(parents=True, exist_ok=True)
            session.wait_ready()
        for job in jobs:
            started = time.monotonic()
            executed = execute_job(session, renderer, notebook_job(job), timeout)
            result = ComparisonResult(job, OK if executed.ok else FAILED, executed.reason)
            try:
                _write(result, executed.nb, executed.html)
            except OSError as error:
                result.status, result.reason = FAILED, f"the page could not be written: {error}"
            if result.status == OK:
                result.summary = summary(executed.nb)
                result.councils = compared_count(job, result.summary)
            result.seconds = time.monotonic() - started
            results.append(result)
    finally:
        if own:
            session.shutdown()
    return results
