"""The batch's index page and summary.csv: every council with its status, reason and judgements.

``index.html`` is inert like the reports (no script: the Content-Security-Policy forbids it
and a page that is emailed must not need it). So "sortable" is done without JavaScript: the
table is rendered once per ordering (by code, name, group, status, and each judgement, best
first), each ordering a block with its own id; the column headings are in-page links to the
ordering by that column, and CSS ``:target`` shows the one linked to (by code when none is).
Reading the page costs nothing; a browser without ``:has()`` shows the default ordering above
the chosen one. A heatmap of KLOE levels (councils by KLOEs, coloured cells that also carry
the level as text, ``heatmap.html.j2``, shared with the comparison page) follows. Comparison
pages written into the same folder (``compare.html``, ``compare-<group>.html``: ``kloe compare``,
``make demo``) are linked from the top.

The page is linear in councils: what the template needs about all the rows (whether any has a
group) is computed once here, and each council's table row, the same in every ordering, is
rendered once (``index_row.html.j2``) and placed in each (tests/test_batch_index.py counts the
reads; ``bench/batch.py --index-only`` times it). It is still one table per ordering, ~2 KB per
council: 22 MB for 10,000 councils.

``summary.csv`` has one row per council: code, name, group, period, status, reason, each
judgement's level and label, the assessment revision, and the report and notebook paths;
every cell that a spreadsheet would run as a formula is defused.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kloe_nb import __version__
from kloe_nb.batch.council import CouncilRow
from kloe_nb.comparison.heatmap import heat_columns
from kloe_nb.framework.loader import LoadedFramework
from kloe_nb.framework.model import Framework
from kloe_nb.interchange.cells import defuse
from kloe_nb.render.environment import environment

STATUS_ORDER = {"failed": 0, "ok": 1, "up to date": 2}
__all__ = ["CouncilRow", "comparison_links", "index_html", "scored_judgements", "summary_csv_text"]  # CouncilRow: batch/council.py


@dataclass(frozen=True)
class Column:
    """A judgement column of the index and summary.csv."""

    key: str
    title: str


def scored_judgements(framework: Framework) -> list[Column]:
    """The judgements that have levels (the columns of the index and summary.csv)."""
    return [Column(judgement.id, judgement.title) for judgement in framework.judgements if judgement.scored and judgement.scale]


def _judgement_label(cell: dict[str, Any]) -> str:
    if cell.get("needs_judgement"):
        return "needs a decision: " + " or ".join(str(option) for option in cell.get("options") or [])
    return cell.get("label") or ""


def summary_csv_text(framework: Framework, rows: list[CouncilRow]) -> str:
    """summary.csv (see the module docstring)."""
    judgements = scored_judgements(framework)
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    header = ["code", "name", "group", "period", "status", "reason"]
    for column in judgements:
        header += [f"{column.key} level", f"{column.key} label"]
    writer.writerow(header + ["revision", "report", "notebook"])
    for row in sorted(rows, key=lambda r: r.index):
        cells: list[Any] = [row.code, row.name, row.group, row.period, row.status, row.reason]
        for column in judgements:
            cell = row.judgement(column.key)
            level = cell.get("level")
            cells += ["" if level is None else level, _judgement_label(cell)]
        cells += ["" if row.revision is None else row.revision, row.report, row.notebook or row.failed_notebook]
        writer.writerow([defuse(value) for value in cells])
    return stream.getvalue()


@dataclass(frozen=True)
class Ordering:
    """The council table in one order, with the id its column heading links to."""

    id: str
    title: str
    rows: list[CouncilRow]


def orderings(framework: Framework, rows: list[CouncilRow]) -> list[Ordering]:
    """The table's orderings: by code (the default), name, group, status, and each judgement (best first)."""

    def by_code(row: CouncilRow) -> tuple[str, str]:
        return (row.code.casefold(), row.code)

    found = [Ordering("by-code", "code", sorted(rows, key=by_code)), Ordering("by-name", "name", sorted(rows, key=lambda r: (r.name.casefold(), by_code(r))))]
    if any(row.group for row in rows):
        found.append(Ordering("by-group", "group", sorted(rows, key=lambda r: (r.group.casefold() or "\uffff", by_code(r)))))
    found.append(Ordering("by-status", "status", sorted(rows, key=lambda r: (STATUS_ORDER.get(r.status, 9), by_code(r)))))
    for number, column in enumerate(scored_judgements(framework), start=1):

        def best_first(row: CouncilRow, key: str = column.key) -> tuple[int, tuple[str, str]]:
            level = row.judgement(key).get("level")
            return (-(level or 0), by_code(row))

        found.append(Ordering(f"by-j{number}", column.title, sorted(rows, key=best_first)))
    return found


_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def comparison_links(folder: Path) -> list[tuple[str, str]]:
    """(file name, page title) of the comparison pages in a batch's folder: compare.html first, then each group's."""
    found = []
    for path in sorted(Path(folder).glob("compare*.html"), key=lambda p: (p.name != "compare.html", p.name)):
        if path.name != "compare.html" and not path.name.startswith("compare-"):
            continue
        try:
            head = path.read_text(encoding="utf-8")[:4000]
        except OSError:
            continue
        match = _TITLE.search(head)
        found.append((path.name, html.unescape(match.group(1)).strip() if match else path.name))
    return found


def index_html(
    record: LoadedFramework,
    rows: list[CouncilRow],
    notebook_name: str,
    generated: datetime | None = None,
    comparisons: list[tuple[str, str]] | None = None,
) -> str:
    """index.html (see the module docstring); ``comparisons``: (file name, title) of comparison pages to link."""
    framework = record.framework
    generated = generated or datetime.now(timezone.utc)
    counts = {status: sum(1 for row in rows if row.status == status) for status in ("ok", "up to date", "failed")}
    judgements = scored_judgements(framework)
    has_groups = any(row.group for row in rows)  # once here: the template asking per row made the page quadratic
    tables = orderings(framework, rows)
    # A council's row is the same in every ordering: rendered once, then placed in each.
    council_row = environment().get_template("index_row.html.j2").module.council_row  # type: ignore[attr-defined]
    row_html = {id(row): council_row(row, judgements, has_groups) for row in rows}
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            fw=framework,
            sha256=record.sha256,
            rows=sorted(rows, key=lambda r: (r.code.casefold(), r.code)),
            has_groups=has_groups,
            judgements=judgements,
            orderings=tables,
            placed={table.id: [row_html[id(row)] for row in table.rows] for table in tables},
            heat_groups=heat_columns(framework),
            counts=counts,
            illustrative=any(row.illustrative for row in rows),
            generated=generated.strftime("%Y-%m-%d %H:%M UTC"),
            notebook_name=notebook_name,
            package_version=__version__,
            comparisons=comparisons or [],
        )
    )
