"""``kloe render``: one council's report, with the same checks and machinery as the batch.

Its kernel is launched first, so that it boots (importing the report package) while this
process checks the input, reads the store, imports papermill and nbconvert and compiles the
page templates; bad input stops it before anything is written.
"""

from __future__ import annotations

from pathlib import Path

from kloe_nb.batch import FAILED, OK, skip_slow_optional_imports
from kloe_nb.batch.council import CouncilResult
from kloe_nb.batch.kernel import KernelSession
from kloe_nb.batch.outputs import PageFiles


def render_one(
    framework: str,
    code: str,
    store: str | Path,
    output: Path,
    notebook: Path,
    period: str = "",
    extra: dict[str, str] | None = None,
    timeout: float = 120.0,
    save_notebook: Path | None = None,
) -> CouncilResult:
    """Render one council to ``output``. Bad input raises KloeError; a failing report comes back as a failed result.

    On failure the previous ``output`` is removed (it would look current) and the failed notebook
    is kept beside it as ``<output>.failed.ipynb``.
    """
    skip_slow_optional_imports()
    output = Path(output)
    session = KernelSession(output.resolve().parent if output.parent.exists() else Path.cwd())
    session.launch()  # see the module docstring
    try:
        from kloe_nb.batch.parameters import check_names, check_notebook, council_parameters
        from kloe_nb.framework.loader import load_framework_by_id
        from kloe_nb.store import open_store
        from kloe_nb.store.lookup import resolve_key

        load_framework_by_id(framework)
        declared = check_notebook(notebook)
        check_names(extra or {}, declared, notebook)
        with open_store(store, read_only=True) as opened:
            key = resolve_key(opened, framework, code, period)
        parameters = council_parameters(declared, framework, code, store, key.period, extra)
        from kloe_nb.batch.job import NotebookJob, execute_job
        from kloe_nb.render.exporter import PageRenderer, summary

        renderer = PageRenderer()
        renderer.warm_up()
        session.wait_ready()
        executed = execute_job(session, renderer, NotebookJob(Path(notebook).resolve(), parameters, f"council {code}"), timeout)
    finally:
        session.shutdown()
    result = CouncilResult(0, code, OK if executed.ok else FAILED, executed.reason)
    if executed.ok:
        PageFiles(output, save_notebook, notebook_named=True).write_success(executed.nb, executed.html)
        result.report, result.summary = str(output), summary(executed.nb)
    else:
        # a notebook saved by an earlier run (--save-notebook) is the user's to keep: only the page goes
        failed = PageFiles(output).write_failure(executed.nb)
        result.failed_notebook = str(failed) if failed else ""
    return result
