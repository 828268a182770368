"""Frameworks: the schema, the safe YAML loader and the semantic checks."""

from kloe_nb.framework.loader import bundled_ids, load_framework, load_framework_file
from kloe_nb.framework.model import Framework, Group, Judgement, Kloe, Scale, ScaleLevel

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
