"""Extract the Housing Inspectorate Judgement Two KLOE into frameworks/hi-prospects.yaml.

Source: frameworks/sources/003_9076d7d260bc82b7.txt, a PDF-extracted
three-column table: KLOE cell, "excellent prospects" cell (level 4), "uncertain prospects" cell
(level 2). Cells hold HTML (<p>, <ul><li>, <b>).

Page breaks repeat the running title and the header row; the row after a break continues the row
before it (its first cell is empty or holds only the tail of a sentence, i.e. has no bold title).
A continuation cell whose first block is a <p> (or bare text) fragment starting with a lower-case
letter finishes the last item before the break and is rejoined to it with a single space; any
other block is a new item.

Run from anywhere:  .venv/bin/python tools/extract_hi_prospects.py
Standard library + PyYAML only.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED = "003_9076d7d260bc82b7.txt"
SEED_PATH = ROOT / "frameworks" / "sources" / SEED
OUT_PATH = ROOT / "frameworks" / "hi-prospects.yaml"

HEADER_ROW = "Key line of enquiry (KLOE)\tAn organisation with excellent prospects for improvement\tAn organisation with uncertain prospects for improvement"
HEADING_4 = "An organisation with excellent prospects for improvement"
HEADING_2 = "An organisation with uncertain prospects for improvement"
RUNNING_TITLE = "No. 1: 'What are the prospects for improvement?' KLOE Housing Inspectorate"

# Stable slug ids for the ten areas (the seed numbers none of them).
KLOE_IDS = {
    "Track record": "track-record",
    "Service user benefits": "service-user-benefits",
    "Learning": "learning",
    "Use of best value principles": "best-value-principles",
    "Contents of plans": "contents-of-plans",
    "Quality of plans": "quality-of-plans",
    "Ambitions": "ambitions",
    "Prioritisation": "prioritisation",
    "Capacity": "capacity",
    "Performance management": "performance-management",
}

QUESTION_RE = re.compile(r"^Judgement Two – question (\d) – (.+)$")
BLOCK_RE = re.compile(r"<p>(.*?)</p>|<li>(.*?)</li>", re.S)
GLYPH_RE = re.compile(r"^[\u2022\u25c6\u25aa\uf0b7]\s*")


def clean(text: str) -> str:
    """Plain text of one block: tags and a leading bullet glyph removed, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", "", text)
    text = " ".join(text.split())
    return GLYPH_RE.sub("", text)


def blocks(cell: str) -> list[tuple[str, str]]:
    """The cell's blocks in order as (kind, raw html): kind is 'p', 'li' or 'text' (bare text)."""
    cell = cell.strip()
    if not cell:
        return []
    found = [("p" if m.group(1) is not None else "li", m.group(1) if m.group(1) is not None else m.group(2)) for m in BLOCK_RE.finditer(cell)]
    leftover = BLOCK_RE.sub("", cell)
    leftover = re.sub(r"</?ul[^>]*>", "", leftover).strip()
    if not found:
        return [("text", cell)]
    assert not leftover, f"text outside blocks: {leftover!r}"
    return found


def table_rows(lines: list[str]) -> list[list[str]]:
    """The table's rows (three cells each), with header rows and running titles dropped."""
    start = lines.index(HEADER_ROW)
    rows = []
    for line in lines[start:]:
        if not line.strip() or line == HEADER_ROW:
            continue
        if clean(line.strip("#* ")) == RUNNING_TITLE:
            continue
        cells = line.split("\t")
        assert len(cells) == 3, f"row with {len(cells)} cells: {line[:80]!r}"
        rows.append(cells)
    return rows


def merge_rows(rows: list[list[str]]) -> list[dict]:
    """Logical rows: each a list of (kind, html) blocks per column, page-break tails rejoined."""
    merged: list[dict] = []
    for cells in rows:
        cols = [blocks(c) for c in cells]
        if merged and "<b>" not in cells[0]:
            prev = merged[-1]
            for i, col in enumerate(cols):
                for n, (kind, raw) in enumerate(col):
                    text = clean(raw)
                    if n == 0 and kind in ("p", "text") and text[:1].islower():
                        # tail of the last item before the page break
                        last_kind, last_text = prev["cols"][i][-1]
                        prev["cols"][i][-1] = (last_kind, last_text + " " + text)
                        prev["joins"].append((i, clean(re.sub(r"<b>.*?</b>", "", last_text)), text))
                    else:
                        prev["cols"][i].append((kind, text))
            continue
        merged.append({"cols": [[(k, clean(r)) if i else (k, r) for k, r in col] for i, col in enumerate(cols)], "joins": []})
    return merged


def kloe_title_and_prompts(col: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """The bold area name and the prompts that follow it in the KLOE cell."""
    kind, first = col[0]
    m = re.match(r"\s*<b>(.*?)</b>(.*)$", first, re.S)
    assert m, first
    title = clean(m.group(1))
    prompts = []
    rest = clean(m.group(2))
    if rest:
        prompts.append(rest)
    for _kind, raw in col[1:]:
        prompts.append(clean(raw))
    return title, prompts


def build() -> dict:
    text = SEED_PATH.read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index(HEADER_ROW)

    # Introductory paragraphs; a bullet list is joined to the paragraph that introduces it.
    description: list[str] = []
    for line in lines[:start]:
        if not line.strip():
            continue
        if line.startswith("- "):
            description[-1] += " " + clean(line[2:])
        else:
            description.append(clean(line))

    groups: list[dict] = []
    for row in merge_rows(table_rows(lines)):
        kloe_col, exc_col, unc_col = row["cols"]
        head = clean(kloe_col[0][1])
        q = QUESTION_RE.match(head)
        if q:
            assert len(kloe_col) == 1 and not exc_col and not unc_col
            groups.append(
                {
                    "id": f"q{q.group(1)}",
                    "kind": "question",
                    "number": q.group(1),
                    "title": q.group(2),
                    "judgement": "J2",
                    "kloes": [],
                }
            )
            continue
        # the KLOE cell's blocks are kept raw (the <b> title is needed); descriptor blocks are clean
        title, prompts = kloe_title_and_prompts(kloe_col)
        for kind, _ in exc_col + unc_col:
            assert kind == "li", f"{title}: descriptor block that is not a bullet"
        kloe = {
            "id": KLOE_IDS[title],
            "title": title,
            "prompts": prompts,
            "descriptors": {4: [t for _, t in exc_col], 2: [t for _, t in unc_col]},
        }
        notes = []
        column_name = {0: "KLOE question", 1: "level 4 (excellent)", 2: "level 2 (uncertain)"}
        for i, before, after in row["joins"]:
            notes.append(f'{column_name[i]}: "{before}" and "{after}" are one item split across a page break; rejoined.')
        if notes:
            kloe["notes"] = notes
        groups[-1]["kloes"].append(kloe)

    return {
        "schema_version": 1,
        "id": "hi-prospects",
        "version": "1",
        "descriptor_reading": "best_fit",
        "title": "'What are the prospects for improvement?' KLOE",
        "publisher": "Housing Inspectorate",
        "date": "undated",
        "source": {
            "document": SEED,
            "title": RUNNING_TITLE,
            "note": (
                "PDF-extracted text of a three-column table (KLOE; an organisation with excellent prospects for "
                "improvement; an organisation with uncertain prospects for improvement). The running title and "
                "header row repeated at each page break are removed and rows split across page breaks are "
                "rejoined. The document prints no date."
            ),
        },
        "description": description,
        "scales": [
            {
                "id": "hi-prospects",
                "title": "Prospects for improvement",
                "levels": [
                    {"level": 4, "label": "Excellent prospects", "heading": HEADING_4},
                    {"level": 3, "label": "Promising prospects"},
                    {"level": 2, "label": "Uncertain prospects", "heading": HEADING_2},
                    {"level": 1, "label": "Poor prospects"},
                ],
                "note": (
                    "The seed describes levels 4 and 2 only (its two descriptor columns, 'An organisation with "
                    "excellent prospects for improvement' and 'An organisation with uncertain prospects for "
                    "improvement'). Levels 3 and 1 carry the Audit Commission's Judgement 2 labels (promising, "
                    "poor); the seed gives no descriptors for them."
                ),
            }
        ],
        "judgements": [
            {
                "id": "J2",
                "title": "What are the prospects for improvement?",
                "scale": "hi-prospects",
                "note": "The seed calls it Judgement Two of Housing Inspectorate inspections.",
            }
        ],
        "groups": groups,
        "notes": [
            'The workbook reads these descriptors as best fit (descriptor_reading: best_fit): each described level is a picture of an organisation at that level and the analyst finds which fits best; the rule that suggests a level from the marked statements is the workbook\'s own. The seed\'s words behind it (003_9076d7d260bc82b7.txt): its columns are headed "An organisation with excellent prospects for improvement" and "An organisation with uncertain prospects for improvement", and most of the lower column describes weaknesses.',
            "description: each introductory bullet list (the three questions; the ten areas) is joined, "
            "in the seed's words and order, to the paragraph that introduces it.",
            "KLOE ids are slugs of the area names; the seed numbers only the three questions.",
        ],
    }


HEADER_COMMENT = f"""\
# Housing Inspectorate Judgement Two KLOE: 'What are the prospects for improvement?'
# Transcribed from frameworks/sources/{SEED}.
# GENERATED by tools/extract_hi_prospects.py -- edit the script and re-run it, not this file.
"""


class Quoted(str):
    """An id, number, version or date: always written double-quoted, so it stays a string."""


yaml.SafeDumper.add_representer(Quoted, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"'))

# Short fields written double-quoted. Other text is left to safe_dump, which folds long statements as
# plain scalars and quotes any that need it (colons, quotes, '#', leading '-').
QUOTED_KEYS = {"id", "version", "date", "number", "scale", "judgement", "document", "title", "publisher", "label", "heading"}


def quote_ids(node):
    """The data with the values of QUOTED_KEYS as Quoted."""
    if isinstance(node, dict):
        return {key: Quoted(value) if key in QUOTED_KEYS and isinstance(value, str) else quote_ids(value) for key, value in node.items()}
    if isinstance(node, list):
        return [quote_ids(item) for item in node]
    return node


def main() -> None:
    data = build()
    body = yaml.safe_dump(quote_ids(data), sort_keys=False, allow_unicode=True, width=100)
    OUT_PATH.write_text(HEADER_COMMENT + body, encoding="utf-8")
    n = sum(len(g["kloes"]) for g in data["groups"])
    print(f"wrote {OUT_PATH.relative_to(ROOT)}: {len(data['groups'])} groups, {n} KLOEs")


if __name__ == "__main__":
    main()
