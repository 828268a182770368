"""The two ways to install (pip and conda) name the same runtime dependencies with lower bounds."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import REPO_ROOT


def _name_and_bound(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*(>=\s*[0-9][0-9.]*)?\s*", spec)
    assert match, f"unexpected dependency spec {spec!r}"
    return match.group(1).lower().replace("_", "-"), (match.group(2) or "").replace(" ", "")


def test_environment_yml_and_pyproject_name_the_same_dependencies():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    runtime = dict(_name_and_bound(spec) for spec in project["dependencies"])
    tests = dict(_name_and_bound(spec) for spec in project["optional-dependencies"]["test"])
    environment = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    conda = dict(
        _name_and_bound(spec) for spec in environment["dependencies"] if isinstance(spec, str) and not spec.startswith(("python", "pip"))
    )
    assert conda == {**runtime, **tests}
    assert all(bound.startswith(">=") for bound in runtime.values()), "every runtime dependency needs a lower bound"


def test_nbconvert_is_pinned_past_the_known_injection_fixes():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert "nbconvert>=7.17.1" in project["dependencies"]


def test_ci_runs_the_readme_test_command():
    readme = (REPO_ROOT / "README.md").read_text()
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make demo" in readme
    assert ci.strip().splitlines()[-1] == "make test"
