"""The package's shape: layers import downwards only, the two page producers never import each
other, and no module imports itself round a cycle (docs/design.md draws the same picture).

Imports are read from the source (every ``import``, also inside functions and ``TYPE_CHECKING``
blocks), so a lazy import cannot hide a dependency.
"""

from __future__ import annotations

import ast
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kloe_nb"

# Each unit of the package (a subpackage, or a top-level module) and its layer: a unit may import
# only units of a lower layer. report and comparison share a layer, so neither may import the other.
LAYERS: dict[str, int] = {
    "errors": 0,
    "yaml_source": 1,
    "files": 1,
    "settings": 1,
    "bundled": 1,
    "reexports": 1,
    "schema_errors": 2,
    "framework": 3,
    "assessment": 4,
    "scoring": 5,
    "store": 5,
    "interchange": 6,
    "analysis": 6,
    "render": 7,
    "report": 8,
    "comparison": 8,
    "batch": 9,
    "form": 9,
    "cli": 10,
    "demo": 10,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every kloe_nb module this file imports (``from kloe_nb.x import y`` counts as kloe_nb.x)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("kloe_nb."))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("kloe_nb."):
            found.add(node.module)
    return found


def _unit(module: str) -> str:
    return module.split(".")[1]


@cache
def module_graph() -> dict[str, frozenset[str]]:
    """Each kloe_nb module and the kloe_nb modules it imports."""
    graph: dict[str, frozenset[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        source = _module_name(path)
        graph[source] = frozenset(target for target in _imports(path) if target != source)
    return graph


@cache
def unit_graph() -> dict[str, set[str]]:
    """Each unit and the other units it imports."""
    units: dict[str, set[str]] = {unit: set() for unit in LAYERS}
    for source, targets in module_graph().items():
        if source != "kloe_nb":
            units[_unit(source)].update(_unit(target) for target in targets if _unit(target) != _unit(source))
    return units


def test_every_unit_has_a_layer():
    units = {_unit(module) for module in module_graph() if module != "kloe_nb"}
    assert units - set(LAYERS) == set(), "give the new subpackage or module a layer here and in docs/design.md"


@pytest.mark.parametrize("unit", sorted(LAYERS))
def test_a_unit_imports_only_lower_layers(unit):
    upward = sorted(target for target in unit_graph()[unit] if LAYERS[target] >= LAYERS[unit])
    assert upward == [], f"kloe_nb.{unit} (layer {LAYERS[unit]}) imports {upward}, which are not below it"


def test_report_and_comparison_never_import_each_other():
    units = unit_graph()
    assert "comparison" not in units["report"] and "report" not in units["comparison"]
    assert "render" in units["report"] and "render" in units["comparison"], "both build pages with the shared page layer"


def test_no_module_imports_itself_round_a_cycle():
    # A package's __init__ re-exports its modules, and they import their siblings directly: leaving
    # the __init__ files out keeps that re-export from counting as a cycle between modules.
    packages = {_module_name(path) for path in PACKAGE.rglob("__init__.py")}
    graph = {module: targets - packages for module, targets in module_graph().items() if module not in packages}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        pytest.fail(f"import cycle: {' -> '.join(cycle.args[1])}")
