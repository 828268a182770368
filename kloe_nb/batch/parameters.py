"""The report notebook's parameters: what it declares, and the values a council gets.

papermill only *warns* about a parameter the notebook does not declare, and pastes parameter
names into the injected cell as code; its command line turns ``00123`` into 123 and ``None``
into None. So the batch reads the notebook's declared parameters itself, refuses any name the
notebook does not declare or that is not a plain identifier, and passes every value as a
Python ``str`` through papermill's Python API, which quotes it safely.

The declared names are the names the ``parameters`` cell assigns at its top level, read with
``json`` and ``ast`` (importing papermill costs ~0.5 s, and ``kloe run``'s own process needs
nothing else of it). A notebook this cannot read so (not nbformat 4, not a Python kernel, a
cell that does not parse) is read by papermill's own ``inspect_notebook``, as before.
"""

from __future__ import annotations

import ast
import difflib
import json
import keyword
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from kloe_nb.bundled import bundled_dir
from kloe_nb.errors import InvalidInputError, Problem

#: The parameters every report notebook must declare (``period`` is optional).
REQUIRED = ("framework", "council_code", "store")
OPTIONAL = ("period",)
DEFAULT_NOTEBOOK = bundled_dir("notebooks") / "report.ipynb"


def assigned_names(source: str) -> tuple[str, ...] | None:
    """The names a cell assigns at its top level (``x = 1``, ``x: str = "a"``), in order; None if it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    names: list[str] = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets = [target.id for target in statement.targets if isinstance(target, ast.Name)]
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None and isinstance(statement.target, ast.Name):
            targets = [statement.target.id]
        else:
            continue
        names.extend(name for name in targets if name not in names)
    return tuple(names)


def _parameters_source(text: str) -> str | None:
    """The source of a Python nbformat-4 notebook's first ``parameters`` cell ("" if none); None for any other file."""
    try:
        nb: Any = json.loads(text)
    except ValueError:
        return None
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list) or not isinstance(nb.get("metadata"), dict):
        return None
    kernelspec, language = nb["metadata"].get("kernelspec"), nb["metadata"].get("language_info")
    if not (isinstance(kernelspec, dict) and kernelspec.get("name") and isinstance(language, dict) and language.get("name") == "python"):
        return None
    for cell in nb["cells"]:
        metadata = cell.get("metadata") if isinstance(cell, dict) else None
        if not isinstance(metadata, dict):
            return None
        tags = metadata.get("tags", [])
        if isinstance(tags, list) and "parameters" in tags:
            source = cell.get("source", "")
            return (
                "".join(source) if isinstance(source, list) and all(isinstance(part, str) for part in source) else source if isinstance(source, str) else None
            )
    return ""


@lru_cache(maxsize=8)
def _declared(path: str, mtime_ns: int) -> tuple[str, ...]:
    try:
        source = _parameters_source(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        source = None  # papermill's reading says what is wrong
    names = assigned_names(source) if source is not None else None
    return names if names is not None else _inspected(path)


def _inspected(path: str) -> tuple[str, ...]:
    """papermill's ``inspect_notebook`` (the names ``papermill --help-notebook`` lists), its failures as InvalidInputError."""
    import papermill

    try:
        return tuple(papermill.inspect_notebook(path))
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds (NotJSONError, ValidationError, KeyError...)
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise InvalidInputError(path, [Problem(path, "", f"is not a Jupyter notebook ({reason}): give an .ipynb file saved by Jupyter or by kloe")]) from None


def declared_parameters(notebook: Path) -> tuple[str, ...]:
    """The names the notebook's ``parameters`` cell declares, in order."""
    notebook = Path(notebook)
    if not notebook.is_file():
        raise InvalidInputError(str(notebook), [Problem(str(notebook), "", "no such notebook")])
    return _declared(str(notebook.resolve()), notebook.stat().st_mtime_ns)


def check_notebook(notebook: Path) -> tuple[str, ...]:
    """The declared names, or InvalidInputError when the notebook lacks a parameter the batch passes."""
    declared = declared_parameters(notebook)
    missing = [name for name in REQUIRED if name not in declared]
    if missing:
        raise InvalidInputError(
            str(notebook),
            [
                Problem(
                    str(notebook),
                    "parameters",
                    f"the parameters cell does not declare {', '.join(missing)} (it declares: {', '.join(declared) or 'nothing'}); "
                    "tag one cell 'parameters' and give each a default",
                )
            ],
        )
    return declared


def check_names(names: Mapping[str, str] | list[str], declared: tuple[str, ...], notebook: Path) -> None:
    """Every name must be a declared parameter and a plain identifier; all problems at once."""
    problems = []
    for name in names:
        if not name.isidentifier() or keyword.iskeyword(name):
            problems.append(Problem(str(notebook), name, "is not a valid parameter name (letters, digits and _ only)"))
        elif name not in declared:
            close = difflib.get_close_matches(name, declared, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(Problem(str(notebook), name, f"unknown parameter{hint} (the notebook declares: {', '.join(declared)})"))
    if problems:
        raise InvalidInputError(str(notebook), problems)


def council_parameters(
    declared: tuple[str, ...], framework: str, code: str, store: str | Path, period: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The values one council's run gets: all ``str``, exactly as given (no number or None guessing).

    The store is a file made absolute (the kernel runs in another folder) or a server URL unchanged.
    """
    from kloe_nb.store.address import for_another_process  # here: the store package imports the pydantic models, which kloe run's start does not wait for

    values = {"framework": str(framework), "council_code": str(code), "store": for_another_process(store)}
    if "period" in declared:
        values["period"] = str(period)
    for name, value in (extra or {}).items():
        values[name] = str(value)
    return values
