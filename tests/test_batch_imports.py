"""The batch's processes do without jsonschema's format-checking libraries, and nbformat still validates."""

from __future__ import annotations

import json
import subprocess
import sys

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
