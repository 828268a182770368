"""Frameworks: the schema, the safe YAML loader and the semantic checks.

Importing the package imports neither the loader nor the pydantic model: ``naming`` (the page
filters every batch worker's exporter registers) needs neither. The names re-exported here are
looked up when first used (``__getattr__``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kloe_nb.reexports import lazy_reexports

if TYPE_CHECKING:
    from kloe_nb.framework.loader import bundled_ids, load_framework, load_framework_file
    from kloe_nb.framework.model import Framework, Group, Judgement, Kloe, Scale, ScaleLevel

_EXPORTED = {
    "Framework": "model",
    "Group": "model",
    "Judgement": "model",
    "Kloe": "model",
    "Scale": "model",
    "ScaleLevel": "model",
    "bundled_ids": "loader",
    "load_framework": "loader",
    "load_framework_file": "loader",
}


__getattr__ = lazy_reexports(__name__, _EXPORTED)


__all__ = [
    "Framework",
    "Group",
    "Judgement",
    "Kloe",
    "Scale",
    "ScaleLevel",
    "bundled_ids",
    "load_framework",
    "load_framework_file",
]
