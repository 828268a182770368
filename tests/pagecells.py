"""The rows and cells of a page's tables, read as a browser reads them where end tags are left out.

Report tables leave out the end tags HTML infers (``</td>``, ``</th>``, ``</tr>``): a cell ends
where the next cell, row or table part starts. tests/test_report_content.py checks in Chromium
that a browser builds the same cells.
"""

from __future__ import annotations

import re

_ROW = re.compile(r"<tr\b([^>]*)>(.*?)(?=<tr\b|</tbody>|</table>)", re.S)
_CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)(?=<t[hd]\b|</t[hd]>|</tr>|$)", re.S)


def table_rows(html: str) -> list[tuple[str, str]]:
    """(attributes, content) of every table row in the HTML, in order."""
    return [(match.group(1), match.group(2)) for match in _ROW.finditer(html)]


def row_cells(row: str) -> list[str]:
    """The HTML of each cell (th or td) of one row's content, in order."""
    return [match.group(1) for match in _CELL.finditer(row)]


def text_of(html: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, white space made one (references kept as written)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
