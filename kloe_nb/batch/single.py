"""``kloe render``: one council's report, with the same checks and machinery as the batch."""

from __future__ import annotations

from pathlib import Path

from kloe_nb.batch.execute import FAILED, OK, CouncilResult, execute_council
from kloe_nb.batch.kernel import KernelSession
from kloe_nb.batch.outputs import notebook_text
from kloe_nb.batch.parameters import check_names, check_notebook, council_parameters
from kloe_nb.framework.loader import load_framework_by_id
from kloe_nb.render.environment import write_text_atomically
from kloe_nb.report.exporter import PageRenderer, summary
from kloe_nb.report.lookup import require_store_file, resolve_key
from kloe_nb.store import open_store


def render_one(
    framework: str,
    code: str,
    store: Path,
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
    load_framework_by_id(framework)
    declared = check_notebook(notebook)
    check_names(extra or {}, declared, notebook)
    with open_store(require_store_file(store)) as opened:
        key = resolve_key(opened, framework, code, period)
    parameters = council_parameters(declared, framework, code, store, key.period, extra)
    output = Path(output)
    session = KernelSession(output.resolve().parent if output.parent.exists() else Path.cwd())
    session.start()
    try:
        executed = execute_council(session, PageRenderer(), Path(notebook).resolve(), parameters, timeout, f"council {code}")
    finally:
        session.shutdown()
    result = CouncilResult(0, code, OK if executed.ok else FAILED, executed.reason)
    failed_path = output.with_name(output.name + ".failed.ipynb")
    if executed.ok:
        if save_notebook is not None:
            write_text_atomically(save_notebook, notebook_text(executed.nb))
        write_text_atomically(output, executed.html)
        failed_path.unlink(missing_ok=True)
        result.report, result.summary = str(output), summary(executed.nb)
    else:
        output.unlink(missing_ok=True)
        if executed.nb is not None:
            write_text_atomically(failed_path, notebook_text(executed.nb))
            result.failed_notebook = str(failed_path)
    return result
