"""``make demo``: the main job on the bundled data.

1. every bundled framework validated and written as a self-contained HTML handbook under
   ``runs/handbooks/``;
2. the illustrative example councils (``examples/assessments/*.json``) imported into a fresh
   store ``runs/demo/kloe.db`` (the folder is deleted and recreated each time);
3. ``kloe run`` for each framework's example councils (``examples/councils/<framework>.csv``)
   into ``runs/demo/<framework>/``: one report per council, index.html and summary.csv;
4. ``kloe compare`` for each framework into ``runs/demo/<framework>/compare.html`` (peer groups
   from the same councils CSV), and for the framework with the most peer groups one page per
   group, ``compare-<group>.html``; each executed notebook beside its page; each index.html
   then links its comparison pages.

The comparisons run on one kernel of their own, started before the batch so that its imports
overlap the councils' reports. The paths of the handbooks, of each index.html and of each
comparison page are printed at the end.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kloe_nb.framework.loader import load_all
from kloe_nb.render.terminal_text import visible

if TYPE_CHECKING:
    from kloe_nb.batch.comparison import ComparisonJob
    from kloe_nb.batch.runner import BatchOptions, BatchOutcome

REPO_DIR = Path(__file__).resolve().parents[1]
RUNS_DIR = REPO_DIR / "runs"
EXAMPLES_DIR = REPO_DIR / "examples"


def write_handbooks(out_dir: Path) -> tuple[list[Path], int]:
    """Every bundled framework as an HTML handbook; the paths written and the number of frameworks that failed to load."""
    from kloe_nb.render.handbook import write_handbook

    loaded, errors = load_all()
    for error in errors:
        print(f"kloe: {visible(str(error), lines=True)}", file=sys.stderr)
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
    from kloe_nb.store import AssessmentKey, open_store

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


def plan_comparisons(store: Path, lists: list[Path], demo_dir: Path) -> tuple[list[ComparisonJob], list[str]]:
    """The comparison pages to write (step 4 of the module docstring), and the errors of frameworks that cannot be compared."""
    from kloe_nb.batch.comparison import ComparisonJob
    from kloe_nb.batch.slugs import slug
    from kloe_nb.comparison.data import gather
    from kloe_nb.errors import KloeError
    from kloe_nb.interchange.councils_csv import read_councils_csv

    jobs: list[ComparisonJob] = []
    errors: list[str] = []
    groups: dict[str, tuple[list[str], int]] = {}
    for path in lists:
        try:
            gathered = gather(path.stem, store, councils_csv=path, with_agreement=False)
        except KloeError as error:
            errors.append(f"{path.stem}: {error}")
            continue
        groups[path.stem] = (sorted(name for name in gathered.groups if name), len(gathered.councils))
        jobs.append(ComparisonJob(path.stem, store, demo_dir / path.stem / "compare.html", councils=path))
    if groups:
        chosen = max(groups, key=lambda framework: (len(groups[framework][0]), groups[framework][1], framework))
        councils = next(path for path in lists if path.stem == chosen)
        if len(groups[chosen][0]) > 1:
            reports = {slug(council.code) for council in read_councils_csv(councils)}
            for name in groups[chosen][0]:
                page = f"compare-{slug(name)}"
                if page in reports:
                    errors.append(f"{chosen}: the page for peer group {name!r} would overwrite the report {page}.html")
                    continue
                jobs.append(ComparisonJob(chosen, store, demo_dir / chosen / f"{page}.html", group=name, councils=councils))
    return jobs, errors


def link_comparisons(outcomes: list[BatchOutcome], batches: list[BatchOptions]) -> None:
    """Write each batch's index.html again, now linking the comparison pages beside it."""
    from kloe_nb.batch.index import comparison_links, index_html
    from kloe_nb.files import write_text_atomically
    from kloe_nb.framework.loader import load_framework_by_id
    from kloe_nb.render.inert import require_inert

    for options, outcome in zip(batches, outcomes):
        links = comparison_links(outcome.index.parent)
        if links:
            page = index_html(load_framework_by_id(options.framework), outcome.rows, Path(options.notebook).name, comparisons=links)
            write_text_atomically(outcome.index, require_inert(page, str(outcome.index)))


def main(runs_dir: Path = RUNS_DIR) -> int:
    """The demo (see the module docstring); 0 when everything was written, 1 otherwise."""
    from kloe_nb.batch.comparison import run_comparisons, warming_session
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
    jobs, comparison_errors = plan_comparisons(store, lists, demo_dir)
    session = warming_session(demo_dir)  # imports while the batch runs
    try:
        outcomes = run_batches(batches)  # one set of workers for every framework: kernels start once
        compared = run_comparisons(jobs, session=session)
    finally:
        session.shutdown()
    link_comparisons(outcomes, batches)
    indexes = [outcome.index for outcome in outcomes]
    failed = sum(outcome.count("failed") for outcome in outcomes)
    for options, outcome in zip(batches, outcomes):
        print(f"{options.framework}: {outcome.count('ok')} reports, {outcome.count('failed')} failed")
    for message in comparison_errors:
        print(visible(f"kloe: comparison not written: {message}", lines=True), file=sys.stderr)
    for result in compared:
        if result.status != "ok":
            print(visible(f"kloe: comparison not written: {result.job.output}: {result.reason}", lines=True), file=sys.stderr)
    pages = [result.job.output for result in compared if result.status == "ok"]
    failed += len(comparison_errors) + len(compared) - len(pages)
    print(f"\n{len(handbooks)} framework handbooks written:")
    for path in handbooks:
        print(f"  {path}")
    print(f"\n{len(indexes)} batch indexes (each links to its councils' reports):")
    for path in indexes:
        print(f"  {path}")
    print(f"\n{len(pages)} comparison pages (league table, peer groups, direction of travel; each executed notebook beside it as .ipynb):")
    for path in pages:
        print(f"  {path}")
    print("\nOpen any of them in a browser: they are self-contained and work offline. All council data is illustrative.")
    return 1 if framework_errors or failed else 0


if __name__ == "__main__":
    sys.exit(main())
