"""Extract the generic Audit Commission Judgement 2 KLOE into frameworks/ac-judgement2.yaml.

Source: frameworks/sources/001_b03b6d61303c8cf7.txt ("Judgement 2 (Prospects for Improvement)
KLOE and detailed descriptors"), a PDF table flattened to tab-separated rows:

    KLOE cell <TAB> PROMISING cell <TAB> UNCERTAIN cell

Layout facts this script relies on (checked against the seed by hand):

* Every page repeats the header row ("KEY LINE OF ENQUIRY (KLOE) <TAB> AN ORGANISATION WITH
  PROMISING ... <TAB> ... UNCERTAIN ..."); on one page the header and rows have an extra tab
  between the KLOE number and its question ("5.2.3 <TAB> Are effective ...").
* A row whose first cell is empty continues the row before it across a page break. Where
  the previous part of the cell ends mid-sentence the bullet is rejoined (one space);
  where it ends with a full stop the continuation starts a new bullet.
* The PDF's bullet glyphs did not survive extraction (only a few "•" remain), so bullets
  run on inside a cell. Each bullet is a predicate of "The service/organisation:" starting
  with a lowercase word (has, can, does, ...), so a new bullet starts wherever a lowercase
  word follows a full stop, and at each "•". The result was checked bullet by bullet
  against the bulleted version of the same descriptors in 000_014e849d60115a45.txt.
* The lead-in "The service/organisation:" stays at the start of the first statement.

Cells 001 leaves empty are filled from 000 (see FROM_000). The scale comes from 000's
"Judgement 2 – What are the prospects for improvement?" scoring table: 001 has none.

Run from the repository root:  .venv/bin/python tools/extract_ac_judgement2.py
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED = "001_b03b6d61303c8cf7.txt"
OTHER = "000_014e849d60115a45.txt"
SOURCES = ROOT / "frameworks" / "sources"
OUT = ROOT / "frameworks" / "ac-judgement2.yaml"

PROMISING, UNCERTAIN = 3, 2
HEADING = {
    PROMISING: "AN ORGANISATION WITH PROMISING PROSPECTS FOR IMPROVEMENT",
    UNCERTAIN: "AN ORGANISATION WITH UNCERTAIN PROSPECTS FOR IMPROVEMENT",
}
LEVEL_NAME = {PROMISING: "promising (level 3)", UNCERTAIN: "uncertain (level 2)"}

# Umbrella questions: their descriptor cells are empty; they are scored through their sub-KLOEs.
UMBRELLAS = {"5.1", "5.2"}

# 5.2.4 promising: the bullet "learns from ... as a result of:" has six sub-items, which the
# extraction ran together with nothing between them. They are kept in that one statement,
# one sub-item a line (the words only; no markers added).
SUB_ITEMS = {
    ("5.2.4", PROMISING): [
        "systematic analysis of its own success and failures",
        "user feedback, including complaints, compliments, comments and suggestions",
        "staff feedback, including suggestions",
        "assembling and sharing best practice of other service providers in the public, private or voluntary sectors",
        "outcomes of Best Value and other review mechanisms",
        "external inspections",
    ]
}

# Cells empty in 001 but present in 000 (lines ~465-771, "Level 3 Promising prospects"):
# (kloe, level) -> (the 000 heading line the cell follows, the line ending the cell).
FROM_000 = {
    ("5.1.1", PROMISING): (
        "KLOE 5.1.1: Does it have aims and priorities",
        "KLOE 5.1.2:",
    ),
}


# --------------------------------------------------------------------------- reading 001
def read_rows(text: str) -> tuple[list[dict], list[dict]]:
    """The groups (Key Questions) and the table rows of the seed, page breaks rejoined."""
    groups: list[dict] = []
    rows: list[dict] = []
    for raw in text.splitlines():
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        heading = re.match(r"^Key Question (\d+) - (.+)$", line)
        if heading:
            groups.append({"number": heading.group(1), "title": heading.group(2).strip(), "kloes": []})
            continue
        if "\t" not in line:
            continue  # the document title
        cells = line.split("\t")
        if "PROSPECTS FOR IMPROVEMENT" in line and cells[0].startswith("KEY"):
            continue  # repeated header row
        if len(cells) == 4 and re.fullmatch(r"\d+(\.\d+)+", cells[0].strip()):
            cells = [cells[0].strip() + " " + cells[1].strip(), cells[2], cells[3]]
        if len(cells) != 3:
            raise ValueError(f"unexpected row layout: {line[:80]!r}")
        first, promising, uncertain = cells
        if not first.strip():
            row = rows[-1]
            row["parts"][PROMISING].append(promising.strip())
            row["parts"][UNCERTAIN].append(uncertain.strip())
            continue
        number, title = re.match(r"^(\d+(?:\.\d+)+)\s+(.+)$", first.strip()).groups()
        row = {
            "number": number,
            "title": title.strip(),
            "group": groups[-1]["number"],
            "parts": {PROMISING: [promising.strip()], UNCERTAIN: [uncertain.strip()]},
        }
        rows.append(row)
        groups[-1]["kloes"].append(row)
    return groups, rows


def split_bullets(part: str) -> list[str]:
    """The bullets of one piece of a cell: a new one at '•' and at '. ' + lowercase word."""
    pieces: list[str] = []
    for chunk in part.split("\u2022"):
        pieces += re.split(r"(?<=\.) (?=[a-z])", chunk.strip())
    pieces = [p.strip() for p in pieces if p.strip()]
    # a lead-in left on its own ("The service/organisation: • seeks ...") joins its bullet
    merged: list[str] = []
    for piece in pieces:
        if merged and re.fullmatch(r"The service ?/ ?organisation:", merged[-1]):
            merged[-1] = merged[-1] + " " + piece
        else:
            merged.append(piece)
    return merged


def cell_statements(row: dict, level: int) -> tuple[list[str], list[str]]:
    """A cell's statements, the page-break parts rejoined; and notes on what was rejoined."""
    statements: list[str] = []
    notes: list[str] = []
    parts = [p for p in row["parts"][level] if p]
    for index, part in enumerate(parts):
        key = (row["number"], level)
        if index > 0 and key in SUB_ITEMS:
            items = SUB_ITEMS[key]
            if " ".join(items) != part:
                raise ValueError(f"sub-items of {key} do not match the seed")
            statements[-1] = statements[-1] + "\n" + "\n".join(items)
            notes.append(
                f'The {LEVEL_NAME[level]} bullet "{statements[-1].splitlines()[0]}" continues on the next page '
                "with six sub-items, which the extracted text runs together; they are kept in that statement, "
                "one a line, as 000_014e849d60115a45.txt lists them."
            )
            continue
        bullets = split_bullets(part)
        if index > 0 and statements and not statements[-1].endswith("."):
            head = statements[-1]
            statements[-1] = head + " " + bullets[0]
            notes.append(f'The {LEVEL_NAME[level]} statement ending "...{_tail(head)}" is split by a page break; rejoined with "{_head(bullets[0])}".')
            bullets = bullets[1:]
        elif index > 0:
            notes.append(f'The {LEVEL_NAME[level]} cell continues after a page break with a new bullet ("{_head(bullets[0])}").')
        statements += bullets
    return statements, notes


def _tail(text: str, words: int = 4) -> str:
    return " ".join(text.split()[-words:])


def _head(text: str, words: int = 4) -> str:
    split = text.split()
    return " ".join(split[:words]) + ("..." if len(split) > words else "")


# --------------------------------------------------------------------------- reading 000
def cell_from_000(text: str, start: str, end: str) -> list[str]:
    """The level 3 statements of one KLOE in 000: lead-in kept with the first bullet."""
    lines = text.splitlines()
    begin = next(i for i, line in enumerate(lines) if line.startswith(start))
    begin = next(i for i in range(begin, len(lines)) if lines[i].startswith("Level 3 Promising prospects"))
    finish = next(i for i in range(begin, len(lines)) if lines[i].startswith(end))
    lead_in = None
    statements: list[str] = []
    for line in lines[begin + 1 : finish]:
        if not line.strip():
            continue
        if line.startswith("- "):
            statements.append(line[2:].strip())
        elif line.strip().endswith(":") and not statements:
            lead_in = line.strip()
        else:
            raise ValueError(f"unexpected line in 000 cell: {line!r}")
    statements[0] = f"{lead_in} {statements[0]}"
    return statements


def scale_from_000(text: str) -> list[dict]:
    """The levels of 000's 'Judgement 2 – What are the prospects for improvement?' table."""
    lines = text.splitlines()
    start = lines.index("Judgement 2 \u2013 What are the prospects for improvement?")
    levels = []
    for line in lines[start + 1 :]:
        if line.startswith("Sources of evidence"):
            break
        match = re.match(r"^([1-4])\t([^\t]+)\t(.+)$", line)
        if match:
            level = int(match.group(1))
            entry = {"level": level, "label": match.group(2).strip(), "descriptor": match.group(3).strip()}
            if level in HEADING:
                entry["heading"] = HEADING[level]
            levels.append(entry)
    return levels


# --------------------------------------------------------------------------- building
def build() -> dict:
    text = (SOURCES / SEED).read_text(encoding="utf-8")
    other = (SOURCES / OTHER).read_text(encoding="utf-8")
    title = text.splitlines()[0].strip()
    groups, _rows = read_rows(text)

    out_groups = []
    for group in groups:
        kloes = []
        for row in group["kloes"]:
            number = row["number"]
            kloe: dict = {"id": number, "title": row["title"]}
            parent = number.rsplit(".", 1)[0] if number.count(".") == 2 else None
            if parent:
                kloe["parent"] = parent
            notes: list[str] = []
            if number in UMBRELLAS:
                if any(row["parts"][level] != [""] for level in row["parts"]):
                    raise ValueError(f"umbrella {number} has descriptor text")
                kloe["scored"] = False
                notes.append(
                    f"An umbrella question: its descriptor cells are empty in the source; it is scored "
                    f"through its sub-KLOEs {number}.1 to {number}.{4 if number == '5.2' else 3}."
                )
                kloe["notes"] = notes
                kloes.append(kloe)
                continue
            descriptors: dict[int, list[str]] = {}
            sources: dict[int, str] = {}
            for level in (PROMISING, UNCERTAIN):
                if (number, level) in FROM_000:
                    if any(row["parts"][level]):
                        raise ValueError(f"{number} level {level} is not empty in 001")
                    descriptors[level] = cell_from_000(other, *FROM_000[(number, level)])
                    sources[level] = OTHER
                    notes.append(
                        f"The {LEVEL_NAME[level]} cell is empty in {SEED}; its statements are taken from "
                        f'{OTHER} (KLOE {number}, "Level 3 Promising prospects").'
                    )
                    continue
                statements, rejoin_notes = cell_statements(row, level)
                if not statements:
                    raise ValueError(f"{number} level {level} is empty and has no other source")
                descriptors[level] = statements
                notes += rejoin_notes
            kloe["descriptors"] = descriptors
            if sources:
                kloe["descriptor_sources"] = sources
            if notes:
                kloe["notes"] = notes
            kloes.append(kloe)
        out_groups.append(
            {
                "id": f"Q{group['number']}",
                "kind": "question",
                "number": group["number"],
                "title": group["title"],
                "judgement": "J2",
                "kloes": kloes,
            }
        )

    scale_note = (
        f"{SEED} has no scale table, only the column headings of levels 3 and 2; the labels and "
        f"overall descriptors are from {OTHER}'s \"Judgement 2 \u2013 What are the prospects for "
        'improvement?" scoring table ("AC labels for judgement 2"), which gives no stars.'
    )
    return {
        "schema_version": 1,
        "id": "ac-judgement2",
        "version": "1",
        "descriptor_reading": "best_fit",
        "title": title,
        "publisher": "Audit Commission",
        "date": "undated",
        "source": {
            "document": SEED,
            "title": title,
            "note": (
                "PDF table flattened to tab-separated rows (KLOE, promising, uncertain); page breaks "
                "repeat the header row. The bullet glyphs were lost in extraction, so statement "
                "boundaries are inferred (see notes)."
            ),
        },
        "other_sources": [
            {
                "document": OTHER,
                "title": "Benefit service inspections",
                "note": (
                    "Its Judgement 2 scoring table gives the scale's labels and overall descriptors; its "
                    "'Level 3 Promising prospects' descriptors of KLOE 5.1.1 fill the cell empty in the source."
                ),
            }
        ],
        "scales": [
            {
                "id": "ac-prospects",
                "title": "AC labels for judgement 2",
                "levels": scale_from_000(other),
                "note": scale_note,
            }
        ],
        "judgements": [
            {
                "id": "J2",
                "title": "What are the prospects for improvement?",
                "scale": "ac-prospects",
                "note": (
                    f'{SEED} is titled only "Judgement 2 (Prospects for Improvement)"; the question is '
                    f"worded as in {OTHER}'s scoring table (elsewhere 000 prints \"What prospects are there "
                    'for improvement?").'
                ),
            }
        ],
        "groups": out_groups,
        "notes": [
            'The workbook reads these descriptors as best fit (descriptor_reading: best_fit): each described level is a picture of an organisation at that level and the analyst finds which fits best; the rule that suggests a level from the marked statements is the workbook\'s own. The seed\'s words behind it (001_b03b6d61303c8cf7.txt): its columns are headed "AN ORGANISATION WITH PROMISING PROSPECTS FOR IMPROVEMENT" and "AN ORGANISATION WITH UNCERTAIN PROSPECTS FOR IMPROVEMENT", and most of the lower column describes weaknesses.',
            'The source gives no date; "undated".',
            scale_note,
            (
                "The source's bullet glyphs did not survive PDF extraction (a few '\u2022' remain in 5.2.2 "
                "and 6.4), so each cell's bullets run on. A new statement starts where a bullet's "
                "lowercase first word (has, can, does, ...) follows a full stop, and at each '\u2022'; "
                f"every split was checked against the bulleted version of the same descriptors in {OTHER}."
            ),
            ('The lead-in "The service/organisation:" (spaced as printed) is kept at the start of the first statement of the cells that print it.'),
            (
                "Only levels 3 (promising) and 2 (uncertain) have descriptors, as in the source. KLOEs 5.1 "
                "and 5.2 are umbrella questions with empty cells, scored through their sub-KLOEs."
            ),
            'Spelling as in the source, e.g. "councilllors" (6.1), "athlough" (6.2), "userfocused" (5.2.2).',
        ],
    }


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        style = "|"
    elif re.fullmatch(r"[0-9][0-9.]*", value):
        style = '"'  # ids and numbers stay strings: "5.1.1", "4"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)

HEADER = f"""\
# Audit Commission: Judgement 2 (Prospects for Improvement) KLOE and detailed descriptors.
# Source: frameworks/sources/{SEED} (scale and one empty cell from {OTHER}).
# GENERATED by tools/extract_ac_judgement2.py -- edit the script, not this file.
"""


def main() -> None:
    data = build()
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    OUT.write_text(HEADER + body, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
