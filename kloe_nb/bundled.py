"""Where the bundled frameworks and notebooks are: the repository's folders, or the copies installed in the package.

A checkout or an editable install (``make``) reads ``frameworks/`` and ``notebooks/`` at the top of
the repository, so an edit there is seen at once. A plain ``pip install .`` has no repository: the
wheel carries copies as ``kloe_nb/bundled_frameworks`` and ``kloe_nb/bundled_notebooks`` (see
``[tool.setuptools.package-dir]`` in pyproject.toml), and those are used when present.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """``frameworks`` or ``notebooks``: the installed copy if this is an installed wheel, else the repository's folder."""
    installed = _PACKAGE_DIR / f"bundled_{name}"
    return installed if installed.is_dir() else _PACKAGE_DIR.parent / name
