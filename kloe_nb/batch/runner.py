"""``kloe run``: every council of a CSV through the report notebook, then the index and summary.csv.

The order of work, so that bad input stops the run before anything is written:

1. the councils CSV, the framework and the notebook's parameters are checked; file names are
   planned from the council codes and every collision is reported (``slugs.py``);
2. the store is read, council by council: a council without an assessment, or whose stored
   assessment cannot be read, is failed with the reason, without a kernel; with ``--resume``,
   a council whose report is newer than its assessment's latest revision (and than the
   notebook and the framework file) is skipped as "up to date";
3. the rest run in worker processes (``pool.py``) with a progress bar; a notebook other than the
   bundled report gets a fresh kernel for every council. The first worker is started before
   step 1 and the others as soon as the councils are counted, so their kernels boot while the
   checks and the store are read (workers write nothing; bad input stops them); this process
   imports neither papermill nor nbconvert, and the index page's modules only for step 4;
4. ``index.html`` and ``summary.csv`` are written, also when the run is interrupted (Ctrl-C or
   SIGTERM: ``pool.py`` stops the workers and reports every council they finished).

Exit code (docs/design.md): 0 when every council has a current report, 1 when any failed.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kloe_nb.batch import DEFAULT_TIMEOUT, FAILED, INTERRUPTED, UP_TO_DATE, skip_slow_optional_imports
from kloe_nb.batch.council import CouncilResult, CouncilTask
from kloe_nb.batch.outputs import OutputFolder, written_by_us
from kloe_nb.batch.parameters import DEFAULT_NOTEBOOK, check_names, check_notebook, council_parameters
from kloe_nb.batch.slugs import check_collisions
from kloe_nb.errors import KloeError, NotFoundError, StoreError
from kloe_nb.render.terminal_text import visible

if TYPE_CHECKING:  # imported where used: the first worker starts before they are (see the module docstring)
    from kloe_nb.batch.council import CouncilRow
    from kloe_nb.batch.pool import Pool
    from kloe_nb.framework.loader import LoadedFramework
    from kloe_nb.interchange.councils_csv import Council


def default_jobs() -> int:
    """The CPUs this process may use (what ``-j`` defaults to)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class BatchOptions:
    """What ``kloe run`` was asked to do."""

    framework: str
    councils: Path
    out_dir: Path
    store: str | Path
    jobs: int = field(default_factory=default_jobs)
    resume: bool = False
    timeout: float = DEFAULT_TIMEOUT
    notebook: Path = DEFAULT_NOTEBOOK
    extra: dict[str, str] = field(default_factory=dict)
    progress: bool = True


@dataclass
class BatchOutcome:
    """What a run did: one row per council, and the index and summary written."""

    rows: list[CouncilRow]
    index: Path
    summary: Path
    interrupted: bool = False

    def count(self, status: str) -> int:
        """How many councils ended with this status."""
        return sum(1 for row in self.rows if row.status == status)

    @property
    def exit_code(self) -> int:
        """1 when any council failed or the run was interrupted, else 0 (docs/design.md)."""
        return 1 if self.count(FAILED) or self.interrupted else 0


@dataclass
class _Planned:
    row: CouncilRow
    slug: str
    task: CouncilTask | None


def _saved_time(saved_at: str) -> float:
    try:
        return datetime.fromisoformat(saved_at).timestamp()
    except ValueError:
        return float("inf")  # unreadable: never treat a report as newer


def read_summary(path: Path) -> dict[str, Any] | None:
    """The summary a finished report notebook holds (None if there is none or it cannot be read)."""
    try:
        from kloe_nb.render.sections import summary as notebook_summary  # plain JSON: no nbformat, no nbconvert in this process

        notebook = json.loads(path.read_text(encoding="utf-8"))
        return notebook_summary(notebook) if isinstance(notebook, dict) else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # unreadable, or not shaped like a notebook
        return None


def up_to_date(outputs: OutputFolder, slug: str, revision: int, saved_at: str, inputs: list[Path]) -> dict[str, Any] | None:
    """The summary of a council's existing report when it can be kept (see the module docstring), else None."""
    html, notebook = outputs.html(slug), outputs.notebook(slug)
    if not written_by_us(html):
        return None  # missing, or someone else's file: not a report of ours to keep
    try:
        made = html.stat().st_mtime
        notebook.stat()
    except OSError:
        return None
    if made <= _saved_time(saved_at) or any(made < path.stat().st_mtime for path in inputs if path.exists()):
        return None
    summary = read_summary(notebook)
    if summary is None or summary.get("revision") != revision:
        return None
    return summary


def plan(
    options: BatchOptions, councils: list[Council], slugs: dict[str, str], outputs: OutputFolder, inputs: list[Path], declared: tuple[str, ...]
) -> list[_Planned]:
    """Each council's row, and the task to run where there is one (see the module docstring, step 2)."""
    from kloe_nb.batch.council import CouncilRow
    from kloe_nb.store import open_store
    from kloe_nb.store.lookup import resolve_key

    planned = []
    notebook = Path(options.notebook).resolve()
    fresh_kernel = notebook != DEFAULT_NOTEBOOK.resolve()
    with open_store(options.store, read_only=True) as store:
        latest = store.latest_revisions(options.framework)
        for index, council in enumerate(councils):
            slug = slugs[council.code]
            row = CouncilRow(index, council.code, council.name, council.group, council.period, FAILED)
            try:
                key = resolve_key(store, options.framework, council.code, council.period)
            except (NotFoundError, StoreError) as error:  # this council's, e.g. its stored document unreadable
                row.reason = str(error)
                planned.append(_Planned(row, slug, None))
                continue
            revision, saved_at = latest[key]
            row.period, row.revision = key.period, revision
            kept = up_to_date(outputs, slug, revision, saved_at, inputs) if options.resume else None
            if kept is not None:
                row.status, row.summary = UP_TO_DATE, kept
                row.report, row.notebook = outputs.relative(outputs.html(slug)), outputs.relative(outputs.notebook(slug))
                planned.append(_Planned(row, slug, None))
                continue
            parameters = council_parameters(declared, options.framework, council.code, options.store, key.period, options.extra)
            task = CouncilTask(index, council.code, council.name, slug, parameters, outputs.root, notebook, fresh_kernel)
            planned.append(_Planned(row, slug, task))
    return planned


def _apply(row: CouncilRow, result: CouncilResult) -> None:
    row.status, row.reason, row.seconds = result.status, result.reason, result.seconds
    row.report, row.notebook, row.failed_notebook = result.report, result.notebook, result.failed_notebook
    row.summary = result.summary
    if result.summary and result.summary.get("revision") is not None:
        row.revision = result.summary["revision"]


@dataclass
class _Batch:
    options: BatchOptions
    record: LoadedFramework
    outputs: OutputFolder
    planned: list[_Planned]


def _prepare(options: BatchOptions, counted: Callable[[int], None] = lambda count: None) -> _Batch:
    """Steps 1 and 2 for one batch: every check, then the plan. KloeError for bad input; nothing written yet.

    ``counted`` is told how many councils the CSV lists as soon as it is read: first, so that
    the other workers start while the framework and the store are read.
    """
    from kloe_nb.framework.loader import load_framework_by_id
    from kloe_nb.interchange.councils_csv import read_councils_csv

    councils = read_councils_csv(options.councils)
    if not councils:
        raise KloeError(f"{options.councils}: no councils listed (a header row code,name and one row per council)")
    counted(len(councils))
    record = load_framework_by_id(options.framework)
    declared = check_notebook(options.notebook)
    check_names(options.extra, declared, options.notebook)
    slugs = check_collisions(councils, str(options.councils))
    outputs = OutputFolder(options.out_dir)
    planned = plan(options, councils, slugs, outputs, [Path(options.notebook), record.path], declared)
    return _Batch(options, record, outputs, planned)


def run_batch(options: BatchOptions) -> BatchOutcome:
    """The whole run of one councils CSV (see the module docstring)."""
    return run_batches([options])[0]


def run_batches(batches: list[BatchOptions]) -> list[BatchOutcome]:
    """Several runs sharing one set of workers (``make demo`` runs every framework this way).

    Every batch is checked and planned before anything is written; the councils of all of them
    then go through one pool, so kernels start once. Jobs, timeout and the progress bar are the
    first batch's.
    """
    skip_slow_optional_imports()
    from kloe_nb.batch.pool import Pool, WorkerConfig

    first = batches[0]
    pool = Pool(WorkerConfig(first.timeout, Path(first.out_dir).resolve()), first.jobs)
    try:
        pool.start(1)  # its kernel boots while the input is checked and the store read (see the module docstring)
        return _run_batches(batches, pool)
    finally:
        pool.close()


def _run_batches(batches: list[BatchOptions], pool: Pool) -> list[BatchOutcome]:
    first = batches[0]
    listed = [0]

    def counted(count: int) -> None:
        listed[0] += count
        pool.start(listed[0])

    prepared = [_prepare(options, counted) for options in batches]
    slots: dict[int, CouncilRow] = {}
    tasks: list[CouncilTask] = []
    for batch in prepared:
        batch.outputs.prepare()  # every folder checked before anything is written in any of them
    for batch in prepared:
        for item in batch.planned:
            if item.task is None:
                if item.row.status == FAILED:
                    batch.outputs.write_failure(item.slug, None)  # no stale report left looking current
                continue
            slot = len(tasks)
            slots[slot] = item.row
            tasks.append(replace(item.task, index=slot))
    if not tasks:
        pool.close()  # the workers started early are not needed
    interrupted = False
    try:
        if tasks:
            for result in _progress(pool.run(tasks), len(tasks), first, slots):
                _apply(slots[result.index], result)
            interrupted = pool.interrupted
    except KeyboardInterrupt:
        interrupted = True
    if interrupted:
        for row in slots.values():
            if row.status == FAILED and not row.reason:
                row.reason = INTERRUPTED
    from kloe_nb.batch.index import comparison_links, index_html, summary_csv_text  # here: the pages are what comes last

    outcomes = []
    for batch in prepared:
        rows = [item.row for item in batch.planned]
        summary_path = batch.outputs.write_text("summary.csv", summary_csv_text(batch.record.framework, rows))
        page = index_html(batch.record, rows, Path(batch.options.notebook).name, comparisons=comparison_links(batch.outputs.root))
        index_path = batch.outputs.write_text("index.html", _checked(page))
        outcomes.append(BatchOutcome(rows, index_path, summary_path, interrupted))
    return outcomes


def _checked(page: str) -> str:
    from kloe_nb.render.inert import require_inert

    return require_inert(page, "index.html")


def _progress(results, total: int, options: BatchOptions, rows: dict[int, CouncilRow]):  # type: ignore[no-untyped-def]
    """The results, with a progress bar showing each council's status as it finishes."""
    if not options.progress:
        yield from results
        return
    from tqdm import tqdm

    with tqdm(total=total, unit="council", file=sys.stderr, dynamic_ncols=True, desc="reports") as bar:
        for result in results:
            name = rows[result.index].name
            bar.set_postfix_str(visible(f"{result.code}: {result.status}"), refresh=False)
            if result.status == FAILED:
                bar.write(visible(f"failed: {result.code} ({name}): {result.reason}", lines=True), file=sys.stderr)
            bar.update(1)
            yield result
