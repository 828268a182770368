"""The two ways to install (pip and conda) name the same runtime dependencies with lower bounds."""

from __future__ import annotations

import re

import tomllib
import yaml
from conftest import REPO_ROOT


def _name_and_bound(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)(?:\[[a-z,]+\])?\s*(>=\s*[0-9][0-9.]*)?\s*", spec)  # pip's extras: conda has none
    assert match, f"unexpected dependency spec {spec!r}"
    return match.group(1).lower().replace("_", "-"), (match.group(2) or "").replace(" ", "")


def test_environment_yml_and_pyproject_name_the_same_dependencies():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    runtime = dict(_name_and_bound(spec) for spec in project["dependencies"])
    tests = dict(_name_and_bound(spec) for spec in project["optional-dependencies"]["test"])
    environment = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    conda = dict(_name_and_bound(spec) for spec in environment["dependencies"] if isinstance(spec, str) and not spec.startswith(("python", "pip")))
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


def test_the_package_list_names_every_subpackage():
    """pyproject lists packages by hand (to map the bundled folders in); a new subpackage must not be left out."""
    from setuptools import find_packages

    listed = set(tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert set(find_packages(str(REPO_ROOT), include=["kloe_nb*"])) <= listed


def test_a_plain_pip_install_carries_the_frameworks_and_notebooks(tmp_path):
    """`pip install .` (not editable) gives a package that finds its frameworks and notebooks without the repository."""
    import shutil
    import subprocess
    import sys
    import zipfile

    source = tmp_path / "source"  # a copy, so the build writes nothing into the checkout
    skip = shutil.ignore_patterns(".git", ".venv", "runs", "build", "dist", "*.egg-info", "artifacts", "__pycache__", ".hypothesis", ".pytest_cache")
    shutil.copytree(REPO_ROOT, source, ignore=skip)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("kloe_workbook-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in sorted((REPO_ROOT / "frameworks").glob("*.yaml")) + sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        assert f"kloe_nb/bundled_{path.parent.name}/{path.name}" in names, path.name
    site = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    probe = (
        "import kloe_nb, json\n"
        "from kloe_nb.framework.loader import load_framework, BUNDLED_DIR\n"
        "from kloe_nb.batch.parameters import DEFAULT_NOTEBOOK\n"
        "from kloe_nb.batch.comparison import DEFAULT_COMPARE_NOTEBOOK\n"
        "print(json.dumps([kloe_nb.__file__, str(BUNDLED_DIR), load_framework('caa-2009').id,"
        " DEFAULT_NOTEBOOK.is_file(), str(DEFAULT_COMPARE_NOTEBOOK), DEFAULT_COMPARE_NOTEBOOK.is_file()]))\n"
    )
    import json
    import os

    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("KLOE_FRAMEWORKS_PATH", None)
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    module, frameworks, loaded, report_found, compare, compare_found = json.loads(ran.stdout)
    assert module.startswith(str(site)) and frameworks.startswith(str(site)) and compare.startswith(str(site))
    assert loaded == "caa-2009" and report_found and compare_found


def test_every_link_between_the_guides_leads_somewhere():
    """The README links the guides in docs/ and they link each other: a moved or renamed guide must not leave a dead link."""
    import re

    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    dead = [
        f"{page.relative_to(REPO_ROOT)}: {target}"
        for page in pages
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
        if "://" not in target and not (page.parent / target).exists()
    ]
    assert len(pages) >= 6 and dead == []
