"""What a notebook declares, read without papermill: the same names papermill lists, and the same refusals."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import papermill
import pytest
from conftest import REPO_ROOT

from kloe_nb.batch.parameters import assigned_names, check_notebook, declared_parameters
from kloe_nb.errors import InvalidInputError

NOTEBOOKS = REPO_ROOT / "notebooks"


def notebook_with(tmp_path, source, **metadata):  # type: ignore[no-untyped-def]
    nb = nbformat.read(NOTEBOOKS / "report.ipynb", as_version=4)
    nb.cells[1].source = source
    nb.metadata.update(metadata)
    path = tmp_path / "mine.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("name", ["report.ipynb", "compare.ipynb"])
def test_the_batch_notebooks_declare_what_papermill_lists(name):
    assert declared_parameters(NOTEBOOKS / name) == tuple(papermill.inspect_notebook(str(NOTEBOOKS / name)))


def test_top_level_assignments_are_the_names_in_order():
    source = 'a: str = "x"  # help = words\nb = c = 1\nd: int\nif a:\n    e = 2\nf, g = 1, 2\nb = 3\nh = {\n  "k": 1,\n}\n'
    assert assigned_names(source) == ("a", "b", "c", "h")
    assert assigned_names("a = (") is None


def test_an_equals_sign_in_a_comment_does_not_hide_a_parameter(tmp_path):
    path = notebook_with(tmp_path, 'framework = "x"  # id; blank = none\ncouncil_code = ""\nstore = "kloe.db"  # a = b')
    assert check_notebook(path) == ("framework", "council_code", "store")  # papermill skips the lines whose comment has '='


def test_a_cell_that_does_not_parse_is_read_as_papermill_reads_it(tmp_path):
    path = notebook_with(tmp_path, 'framework = "x"\ncouncil_code = ""\nstore = "kloe.db"\nperiod = (')
    assert declared_parameters(path) == tuple(papermill.inspect_notebook(str(path)))
    assert declared_parameters(path)[:3] == ("framework", "council_code", "store")


def test_a_notebook_without_a_kernelspec_is_refused_as_papermill_refuses_it(tmp_path):
    path = notebook_with(tmp_path, 'framework = "x"')
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["metadata"]["kernelspec"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="is not a Jupyter notebook .No kernel name found"):
        declared_parameters(path)


@pytest.mark.parametrize("text", ["hello\n", '{"cells": "no"}', "\x00\x01binary", '{"nbformat": 4, "cells": [1], "metadata": {}}'])
def test_what_is_not_a_notebook_is_named(tmp_path, text):
    path = tmp_path / "report.ipynb"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInputError, match="is not a Jupyter notebook"):
        check_notebook(path)


def test_a_notebook_lacking_a_parameter_says_which_and_what_it_declares(tmp_path):
    path = notebook_with(tmp_path, 'framework = "x"\nstore = "kloe.db"')
    with pytest.raises(InvalidInputError) as raised:
        check_notebook(path)
    assert "does not declare council_code (it declares: framework, store)" in str(raised.value)


def test_checking_the_bundled_notebook_imports_no_papermill():
    code = (
        "import sys\nfrom kloe_nb.batch.parameters import DEFAULT_NOTEBOOK, check_notebook\ncheck_notebook(DEFAULT_NOTEBOOK)\nprint('papermill' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
