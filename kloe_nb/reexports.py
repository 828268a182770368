"""Names a package re-exports from its modules, imported when first asked for (a module ``__getattr__``, PEP 562).

A package ``__init__`` importing every module it re-exports makes importing the package cost all of
them (openpyxl, pydantic, ipywidgets), where ``kloe run``, its workers and the kernels want one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_reexports(package: str, exported: Mapping[str, str]) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``: each name of ``exported`` (name -> its module in the package), imported on first use."""

    def __getattr__(name: str) -> Any:
        module = exported.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__
