"""What the batch's processes import and warm: no format-checking libraries (nbformat still validates), no pydantic model where none is used, compiled templates in kernels."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

from kloe_nb.batch import FORMAT_CHECK_LIBRARIES

_CODE = """
import json, sys
from kloe_nb.batch import skip_slow_optional_imports
skip_slow_optional_imports()
import nbformat
from kloe_nb.batch.parameters import DEFAULT_NOTEBOOK
nb = nbformat.read(DEFAULT_NOTEBOOK, as_version=4)
nbformat.validate(nb)
nb.cells[0]["cell_type"] = "nonsense"
try:
    nbformat.validate(nb)
    refused = False
except nbformat.ValidationError:
    refused = True
print(json.dumps({"refused": refused, "imported": [name for name, module in sys.modules.items() if module is not None and name.partition(".")[0] in sys.argv[1:]]}))
"""


def test_nbformat_validates_without_the_format_libraries():
    result = subprocess.run([sys.executable, "-c", _CODE, *FORMAT_CHECK_LIBRARIES, "arrow"], capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["refused"] is True  # an invalid notebook is still refused
    assert found["imported"] == []


_PRELOADED = """
import json
from kloe_nb.batch.kernel import REPORT_MODULES
from kloe_nb.batch.kernel_launcher import preload
preload(REPORT_MODULES + ("kloe_nb.no_such_module", "kloe_nb.report.page:no_such_function"))
from kloe_nb.render.environment import environment
print(json.dumps(sorted(name for _, name in environment().cache.keys())))
"""


def test_a_preloaded_kernel_has_every_report_template_compiled_and_a_bad_name_is_passed_over():
    result = subprocess.run([sys.executable, "-c", _PRELOADED], capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    compiled = json.loads(result.stdout.strip().splitlines()[-1])
    templates = sorted(path.name for path in (REPO_ROOT / "kloe_nb" / "render" / "templates").glob("report_*.j2"))
    assert compiled == templates and "report_header.html.j2" in compiled


@pytest.mark.parametrize("module", ["kloe_nb.batch.runner", "kloe_nb.batch.pool", "kloe_nb.render.exporter"])
def test_what_starts_the_workers_and_what_a_worker_renders_with_import_no_pydantic_model(module):
    # kloe run starts its first worker once the runner is imported; a worker's page exporter needs no framework model
    code = f"import sys, {module}\nprint(sorted({{name.partition('.')[0] for name in sys.modules}} & {{'pydantic', 'yaml', 'papermill'}}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("text", ["{", "[]", '{"cells": "no"}', '{"cells": [1]}', '{"cells": [{"cell_type": "code", "outputs": "x"}]}'])
def test_a_notebook_that_is_not_one_has_no_summary_to_resume_from(tmp_path, text):
    from kloe_nb.batch.runner import read_summary

    path = tmp_path / "b0001.ipynb"
    path.write_text(text, encoding="utf-8")
    assert read_summary(path) is None


def test_resuming_reads_a_summary_without_nbformat_or_nbconvert(tmp_path):
    code = (
        "import json, sys\nfrom pathlib import Path\nfrom kloe_nb.batch.runner import read_summary\n"
        "nb = {'cells': [{'cell_type': 'code', 'outputs': [{'output_type': 'display_data', 'metadata': {'kloe_report': {'section': 'summary'}},"
        " 'data': {'application/json': {'revision': 3}}}]}]}\n"
        "path = Path(sys.argv[1]); path.write_text(json.dumps(nb))\n"
        "print(read_summary(path), sorted({'nbformat', 'nbconvert'} & {name.partition('.')[0] for name in sys.modules}))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "b.ipynb")], capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'revision': 3} []"
