"""One kernel reused across councils: nothing of one council reaches the next; parameters arrive exactly.

The batch keeps each worker's kernel alive from council to council (that is what makes it
fast), so these tests run councils one after another on one ``KernelSession``, as a worker
does, and look for anything the first leaves behind (RELIABILITY scenarios 13 and 14 too).
Each runs on both kinds of batch kernel: launched, and forked from its worker.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import REPO_ROOT
from nbformat.v4 import new_code_cell

from kloe_nb.batch.forked_kernel import Preforked
from kloe_nb.batch.job import NotebookJob, execute_job
from kloe_nb.batch.kernel import KernelSession
from kloe_nb.batch.parameters import check_names, check_notebook, council_parameters
from kloe_nb.demo import import_assessments
from kloe_nb.errors import InvalidInputError
from kloe_nb.render.exporter import PageRenderer, summary

NOTEBOOK = REPO_ROOT / "notebooks" / "report.ipynb"
EXAMPLE = REPO_ROOT / "examples" / "assessments" / "hi-prospects--EX-HI01--2008-09.json"
CANARY = "LEAK-CANARY-FROM-COUNCIL-A"


def probe_notebook(path: Path, first: list[str], last: list[str] | None = None, report: bool = True) -> Path:
    """The report notebook with probe cells after its parameters cell (and at its end)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [nb.cells[0], nb.cells[1], *(new_code_cell(source) for source in first)]
    if report:
        cells += nb.cells[2:]
    cells += [new_code_cell(source) for source in (last or [])]
    nb.cells = cells
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"probe-{number}"
    nbformat.write(nb, path)
    return path


def printed(nb: nbformat.NotebookNode, cell_index: int) -> str:
    return "".join(output.get("text", "") for output in nb.cells[cell_index].outputs if output.output_type == "stream")


KINDS = ["launched", "forked"]
"""A batch kernel is launched (a new process), or forked from its worker (a worker's first kernel: ``forked_kernel.py``)."""


def start_kernel(folder: Path, kind: str, preforked: Preforked | None = None, **options: Any) -> KernelSession:
    kernel = KernelSession(folder, **options)
    if kind == "forked":
        kernel.launch(preforked or Preforked())
        kernel.wait_ready()
    else:
        kernel.start()
    return kernel


@pytest.fixture(scope="module", params=KINDS)
def session(request, tmp_path_factory):
    kernel = start_kernel(tmp_path_factory.mktemp("kernel"), request.param)
    yield kernel
    kernel.shutdown()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    a = json.loads(json.dumps(document))
    a["organisation"] = {"code": "A", "name": "Council A"}
    a["kloes"]["track-record"]["strengths"] = CANARY
    a["flags"] = []
    b = json.loads(json.dumps(document))
    b["organisation"] = {"code": "B", "name": "Council B"}
    b["kloes"]["track-record"].pop("strengths", None)
    b["kloes"]["track-record"]["areas_for_improvement"] = ""
    paths = []
    for name, data in (("a", a), ("b", b)):
        path = folder / f"{name}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
    import_assessments(folder / "kloe.db", paths)
    return folder / "kloe.db"


def test_nothing_of_one_council_reaches_the_next_on_the_same_kernel(session, store, tmp_path):
    notebook = probe_notebook(
        tmp_path / "probe.ipynb",
        first=["print(sorted(name for name in globals() if not name.startswith('_')))"],
        last=["leak_canary = council_code", "import json as leaked_module_alias"],
    )
    declared = check_notebook(notebook)
    renderer = PageRenderer()
    fresh = session.user_globals()
    runs = {}
    for code in ("A", "B"):
        parameters = council_parameters(declared, "hi-prospects", code, store, "2008/09")
        runs[code] = execute_job(session, renderer, NotebookJob(notebook, parameters, code), 60)
        assert runs[code].ok, runs[code].reason
    a, b = runs["A"], runs["B"]
    assert CANARY in a.html and CANARY not in b.html
    assert CANARY not in json.dumps(b.nb) and "Council A" not in b.html
    assert printed(a.nb, 3) == printed(b.nb, 3)  # the same globals() at the start of each council
    for leftover in ("leak_canary", "leaked_module_alias", "report", "Report"):
        assert leftover not in printed(b.nb, 3)
    assert [cell.execution_count for cell in b.nb.cells if cell.cell_type == "code"][:3] == [1, 2, 3]
    assert summary(b.nb)["code"] == "B" and summary(b.nb)["parameters"]["council_code"] == "B"
    session.reset()
    assert session.user_globals() == fresh  # what a fresh kernel has, after two councils


def printed_by(kernel: KernelSession, code: str) -> str:
    """What ``code`` prints, run outside any notebook (then the kernel is reset)."""
    from jupyter_core.utils import run_sync

    found: list[str] = []

    def hook(message: dict) -> None:
        if message.get("msg_type") == "stream":
            found.append(message["content"]["text"])

    run_sync(kernel.kc.execute_interactive)(code, store_history=False, allow_stdin=False, timeout=30, output_hook=hook)
    kernel.reset()
    return "".join(found)


def test_a_kernel_started_warm_has_the_namespace_of_one_started_cold(session, tmp_path):
    """The batch's kernels import the report package before they answer and freeze it out of the
    garbage collector's sight: that is in ``sys.modules`` and the collector only, never in what a
    notebook sees."""
    cold = KernelSession(tmp_path, preload=())
    cold.start()
    try:
        session.reset()
        assert session.user_globals() == cold.user_globals()
        probe = "import sys, gc; print('kloe_nb.report' in sys.modules, gc.get_freeze_count() > 0)"
        assert printed_by(session, probe) == "True True\n"
        assert printed_by(cold, probe) == "False True\n"
        assert session.user_globals() == cold.user_globals()
    finally:
        cold.shutdown()


def test_a_batch_kernel_starts_without_the_debugger_and_a_notebook_can_still_import_debugpy(session):
    probe = "import sys\nprint(sys.modules['ipykernel.debugger']._is_debugpy_available)\nimport debugpy\nprint(debugpy.__name__)"
    assert printed_by(session, probe) == "False\ndebugpy\n"


RANDOM = "import random, numpy; print(random.random(), numpy.random.random())"


def test_every_forked_kernel_draws_its_own_random_numbers(session, tmp_path):
    """Forked kernels copy their worker's memory, random generators included: each is seeded afresh
    (these two are forked one right after the other, from the same state, with numpy imported:
    Python reseeds ``random`` in a forked child by itself, numpy does not)."""
    import numpy.random  # noqa: F401 - its generator in the state the twins copy

    twins = [Preforked(), Preforked()]
    kernels = [start_kernel(tmp_path, "forked", twin) for twin in twins] + [start_kernel(tmp_path, "launched")]
    try:
        drawn = [printed_by(kernel, RANDOM) for kernel in [session, *kernels]]
    finally:
        for kernel in kernels:
            kernel.shutdown()
    for generator in zip(*(text.split() for text in drawn)):  # random's draws, then numpy's
        assert len(set(generator)) == len(drawn), drawn


@pytest.mark.parametrize(
    "value",
    ["King's Lynn and West Norfolk", 'x"""; import os', "00123", "None", "line one\nline two", 'back\\slash "q" \u202e Môn'],
)
def test_parameter_values_arrive_exactly_as_text_and_nothing_runs(session, value, tmp_path):
    notebook = probe_notebook(tmp_path / "values.ipynb", first=["print(repr(council_code), type(council_code).__name__, 'os' in globals())"], report=False)
    parameters = council_parameters(check_notebook(notebook), "hi-prospects", value, tmp_path / "none.db", "")
    executed = execute_job(session, PageRenderer(), NotebookJob(notebook, parameters, "values"), 30)
    assert executed.nb is not None
    assert printed(executed.nb, 3) == f"{value!r} str False\n"


def test_a_misspelled_or_unsafe_parameter_name_is_refused_not_warned(tmp_path):
    declared = check_notebook(NOTEBOOK)
    with pytest.raises(InvalidInputError, match="councl: unknown parameter; did you mean 'council_code'"):
        check_names(["councl"], declared, NOTEBOOK)
    with pytest.raises(InvalidInputError, match="not a valid parameter name"):
        check_names(["x = 1; import os; y"], declared, NOTEBOOK)
    check_names(["period"], declared, NOTEBOOK)


@pytest.mark.parametrize("kind", KINDS)
def test_a_kernel_ready_before_its_output_folder_exists_moves_there_at_the_first_council(kind, tmp_path):
    """A forked kernel is ready before ``kloe run`` has made its output folder: it waits where it is."""
    folder = tmp_path / "made-later"
    kernel = start_kernel(folder, kind)
    try:
        folder.mkdir()
        kernel.reset()
        assert printed_by(kernel, "import os; print(os.getcwd())") == f"{folder.resolve()}\n"
    finally:
        kernel.shutdown()
