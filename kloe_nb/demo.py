"""``make demo``: the main job on the bundled data.

1. every bundled framework validated and written as a self-contained HTML handbook under
   ``runs/handbooks/``;
2. the illustrative example councils (``examples/assessments/*.json``) imported into a fresh
   store ``runs/demo/kloe.db`` (the folder is deleted and recreated each time);
3. ``kloe run`` for each framework's example councils (``examples/councils/<framework>.csv``)
   into ``runs/demo/<framework>/``: one report per council, index.html and summary.csv.

The paths of the handbooks and of each index.html are printed at the end.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from kloe_nb.framework.loader import load_all

REPO_DIR = Path(__file__).resolve().parents[1]
RUNS_DIR = REPO_DIR / "runs"
EXAMPLES_DIR = REPO_DIR / "examples"


def write_handbooks(out_dir: Path) -> tuple[list[Path], int]:
    """Every bundled framework as an HTML handbook; the paths written and the number of frameworks that failed to load."""
    from kloe_nb.render.handbook import write_handbook

    loaded, errors = load_all()
    for error in errors:
        print(f"kloe: {error}", file=sys.stderr)
    written = [write_handbook(record, out_dir / f"{framework_id}.html") for framework_id, record in loaded.items()]
    return written, len(errors)


def import_examples(store_path: Path, examples: Path = EXAMPLES_DIR) -> int:
    """Import every example assessment into the store; the number imported."""
    return import_assessments(store_path, sorted((examples / "assessments").glob("*.json")))


def import_assessments(store_path: Path, paths: list[Path]) -> int:
    """Import assessment JSON files into the store (validated, stamped with the framework version) as new revisions."""
    from kloe_nb.assessment.model import FrameworkVersion
    from kloe_nb.assessment.validate import require_valid
    from kloe_nb.framework.loader import load_framework_by_id
    from kloe_nb.interchange.json_io import read_assessment_json
    from kloe_nb.store import open_store

    from kloe_nb.store import AssessmentKey

    count = 0
    with open_store(store_path) as store:
        for path in paths:
            assessment = read_assessment_json(path)
            record = load_framework_by_id(assessment.framework)
            require_valid(record.framework, assessment, str(path))
            stamped = assessment.model_copy(update={"framework_version": FrameworkVersion(version=record.framework.version, sha256=record.sha256)})
            existing = store.find(AssessmentKey.of(stamped))
            store.save(stamped, based_on=existing.revision if existing else None, author="make demo")
            count += 1
    return count


def main(runs_dir: Path = RUNS_DIR) -> int:
    """The demo (see the module docstring); 0 when everything was written, 1 otherwise."""
    from kloe_nb.batch.runner import BatchOptions, run_batches

    handbooks, framework_errors = write_handbooks(runs_dir / "handbooks")
    demo_dir = runs_dir / "demo"
    shutil.rmtree(demo_dir, ignore_errors=True)
    demo_dir.mkdir(parents=True)
    store = demo_dir / "kloe.db"
    imported = import_examples(store)
    print(f"imported {imported} illustrative example assessments into {store}")
    lists = sorted((EXAMPLES_DIR / "councils").glob("*.csv"))
    batches = [BatchOptions(framework=path.stem, councils=path, out_dir=demo_dir / path.stem, store=store) for path in lists]
    outcomes = run_batches(batches)  # one set of workers for every framework: kernels start once
    indexes = [outcome.index for outcome in outcomes]
    failed = sum(outcome.count("failed") for outcome in outcomes)
    for options, outcome in zip(batches, outcomes):
        print(f"{options.framework}: {outcome.count('ok')} reports, {outcome.count('failed')} failed")
    print(f"\n{len(handbooks)} framework handbooks written:")
    for path in handbooks:
        print(f"  {path}")
    print(f"\n{len(indexes)} batch indexes (each links to its councils' reports):")
    for path in indexes:
        print(f"  {path}")
    print("\nOpen any of them in a browser: they are self-contained and work offline. All council data is illustrative.")
    return 1 if framework_errors or failed else 0


if __name__ == "__main__":
    sys.exit(main())
