"""index.html costs the same per council however many councils there are (issue 12 item 14).

The page was quadratic: the template scanned every row (``rows|selectattr("group")``) for every
row of every ordering. Timing would guard that only loosely on a shared machine, so the test
counts instead: every attribute the index code reads from a council row. That count is exact
and the same on every run; a linear page reads a fixed number per row (plus a constant), so 4n
rows read 4 times what n rows do, where any scan of all rows per row reads 16 times as much.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from kloe_nb.batch.index import CouncilRow, index_html
from kloe_nb.framework.loader import load_framework_by_id


class CountedRow(CouncilRow):
    """A council row that counts every attribute read from it (by the index code or its template)."""

    reads = 0

    def __getattribute__(self, name: str) -> Any:
        CountedRow.reads += 1
        return super().__getattribute__(name)


def _rows(count: int) -> list[CouncilRow]:
    rows: list[CouncilRow] = []
    for number in range(count):
        status = "failed" if number % 9 == 4 else "ok"
        row = CountedRow(number, f"C{number:04d}", f"Council {count - number}", "" if number % 3 == 0 else f"Group {number % 5}", "2008/09", status)
        if status == "failed":
            row.reason = "no assessment"
        else:
            row.summary = {"judgements": {"J1": {"level": 1 + number % 4, "text": "level"}}, "kloes": {}}
            row.report = f"c{number:04d}.html"
        rows.append(row)
    return rows


def _reads(count: int) -> int:
    record = load_framework_by_id("ac-benefits")
    rows = _rows(count)
    CountedRow.reads = 0
    index_html(record, rows, "report.ipynb", generated=datetime(2009, 4, 1, tzinfo=timezone.utc))
    return CountedRow.reads


def test_the_index_reads_each_council_row_a_fixed_number_of_times():
    small, large = _reads(40), _reads(160)
    assert small > 40  # the count sees the template's reads
    # Linear: exactly proportional but for a small constant; a per-row scan of all rows would be ~16x.
    assert large <= 4 * small + 100, (small, large)


def test_the_group_column_is_shown_exactly_when_a_council_has_a_group():
    record = load_framework_by_id("ac-benefits")
    grouped = _rows(6)
    ungrouped = [row for row in grouped if not row.group]
    with_groups = index_html(record, grouped, "report.ipynb")
    without = index_html(record, ungrouped, "report.ipynb")
    assert 'id="by-group"' in with_groups and ">Group" in with_groups and "<td>Group 1</td>" in with_groups
    assert 'id="by-group"' not in without and ">Group" not in without
