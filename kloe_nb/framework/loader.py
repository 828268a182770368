"""Loading framework files: safe YAML, the strict schema, then the semantic checks.

Loading is all-or-nothing: a file with any problem raises ``InvalidInputError`` listing
every problem as ``file:line: field path: what is wrong``; nothing half-loaded is returned,
and one bad file never stops the others from loading (see ``load_all``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from kloe_nb.bundled import bundled_dir
from kloe_nb.errors import InvalidInputError, NotFoundError, Problem
from kloe_nb.framework.checks import Found, run_checks
from kloe_nb.framework.model import Framework
from kloe_nb.schema_errors import problems_from_validation
from kloe_nb.settings import settings
from kloe_nb.yaml_source import YamlDocument, dotted_path, read_yaml_file

#: The frameworks shipped with the workbook.
BUNDLED_DIR = bundled_dir("frameworks")


@dataclass(frozen=True)
class LoadedFramework:
    """A validated framework with where it came from and a digest of its file."""

    framework: Framework
    path: Path
    sha256: str


def _problem(found: Found, document: YamlDocument) -> Problem:
    """A check's finding, placed in the file (and naming the other line involved, if any)."""
    message = found.message
    if found.also_at is not None:
        message += f" (also at line {document.line_of(found.also_at)}, {dotted_path(found.also_at)})"
    return Problem(document.where(found.path), dotted_path(found.path), message)


def validate_document(document: YamlDocument) -> Framework:
    """The framework in a parsed document, or InvalidInputError with every problem."""
    try:
        framework = Framework.model_validate(document.data)
    except ValidationError as error:
        raise InvalidInputError(document.source, problems_from_validation(error, document, Framework)) from None
    problems = [_problem(found, document) for found in run_checks(framework)]
    if problems:
        raise InvalidInputError(document.source, problems)
    return framework


def load_framework_file(path: Path | str) -> Framework:
    """Load and validate one framework file."""
    return load_framework_record(path).framework


def load_framework_record(path: Path | str) -> LoadedFramework:
    """Load one framework file, keeping its path and digest (the version an assessment records).

    Frameworks are immutable once loaded, so a file is parsed once per process and again
    only when it changes on disk (its modification time or size).
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return _load_uncached(path)
    return _load_cached(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _load_cached(path: Path, mtime_ns: int, size: int) -> LoadedFramework:
    return _load_uncached(path)


def _load_uncached(path: Path) -> LoadedFramework:
    document = read_yaml_file(path)
    framework = validate_document(document)
    return LoadedFramework(framework, path, hashlib.sha256(path.read_bytes()).hexdigest())


def search_dirs() -> list[Path]:
    """Folders searched for ``ID.yaml``: those in $KLOE_FRAMEWORKS_PATH, then the bundled ones."""
    return [*settings().framework_dirs(), BUNDLED_DIR]


def framework_paths() -> dict[str, Path]:
    """Every framework file found, by id (file stem); earlier folders win."""
    found: dict[str, Path] = {}
    for folder in search_dirs():
        for path in sorted(folder.glob("*.yaml")):
            found.setdefault(path.stem, path)
    return found


def bundled_ids() -> list[str]:
    """Ids of every framework that can be loaded by id."""
    return sorted(framework_paths())


def framework_path(framework_id: str) -> Path:
    """The file of a framework id, or NotFoundError naming the ids there are."""
    paths = framework_paths()
    if framework_id not in paths:
        import difflib

        close = difflib.get_close_matches(framework_id, list(paths), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise NotFoundError(f"unknown framework {framework_id!r}{hint} (known: {', '.join(sorted(paths))})")
    return paths[framework_id]


def load_framework(framework_id: str) -> Framework:
    """Load a framework by id (see ``search_dirs``), checking the file's id matches its name."""
    return load_framework_by_id(framework_id).framework


def load_framework_by_id(framework_id: str) -> LoadedFramework:
    """Like ``load_framework``, with the file path and digest."""
    record = load_framework_record(framework_path(framework_id))
    if record.framework.id != framework_id:
        raise InvalidInputError(
            str(record.path),
            [Problem(str(record.path), "id", f"the file declares id {record.framework.id!r} but is named {framework_id}.yaml; make them match")],
        )
    return record


def load_all() -> tuple[dict[str, LoadedFramework], list[InvalidInputError]]:
    """Every framework that loads, and the errors of those that do not (one never stops the rest)."""
    loaded: dict[str, LoadedFramework] = {}
    errors: list[InvalidInputError] = []
    for framework_id in bundled_ids():
        try:
            loaded[framework_id] = load_framework_by_id(framework_id)
        except InvalidInputError as error:
            errors.append(error)
    return loaded, errors
