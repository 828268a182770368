#!/usr/bin/env python3
"""Transcribe the Wales Audit Office "Housing Key Lines of Enquiry" into frameworks/wao-housing.yaml.

Source: frameworks/sources/004_9d6156c9eb967c4b.txt, PDF-extracted text:
guidance notes, then seven KLOE documents, each a flattened three-column table whose rows are
``KLOE cell <TAB> excellent (strong) cell <TAB> satisfactory (weak) cell`` with HTML markup.

How the table is read:

* Header rows ("KEY LINE OF ENQUIRY (KLOE) ...") are page-break furniture and are dropped; the
  header text is kept once, as the scale level ``heading``.
* A row whose KLOE cell opens with a ``<p>Heading</p>`` (capitalised) starts a KLOE; any other
  row continues the KLOE before it (page break): its cells are appended to that KLOE's cells.
  A continuation cell whose first text starts lower-case, following text that does not end in
  . ? ! ; or :, is the tail of a bullet split by the page break and is rejoined with one space.
* In Performance Management / Continuous Improvement (2.10/2.11) rows whose only text is one of
  the three main questions are section headings.
* One statement per ``•`` bullet. Where a cell has no bullets (the extraction lost them) it is
  split into sentence groups: a new statement starts at each sentence that opens with a verb
  (Has, Does, Provides ... - the form every bulleted statement takes); any other sentence
  (This ..., Service users ..., As a result ...) stays with the statement before it.

Every irregular place is listed in the constants below and noted in the KLOE's
``notes``. Run with ``--check`` to compare with the file on disk without writing it.
Standard library + pyyaml only.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED_NAME = "004_9d6156c9eb967c4b.txt"
SEED = ROOT / "frameworks" / "sources" / SEED_NAME
OUT = ROOT / "frameworks" / "wao-housing.yaml"

# (group id, the KLOE document's own heading line, title as the guidance notes' list prints it, judgement)
GROUPS = [
    ("1.2", "1.2 Rents and Service Charges", "Rents and Service Charges", "J1"),
    ("1.3", "1.3 Letting Housing", "Letting Housing", "J1"),
    ("1.4", "1.4 Managing Housing", "Managing Housing", "J1"),
    ("1.5", "1.5 Maintaining Housing", "Maintaining Housing", "J1"),
    ("2.2", "2.2 Relationship to Residents", "Relationship to Tenants", "J1"),
    ("2.3", "2.3 Equal Opportunities", "Equal Opportunities", "J1"),
    ("2.10/2.11", "2.10 Performance Management", "Performance Management and Continuous Improvement", "J2"),
]
# The number the guidance notes' list prints before each title (2.10/2.11 is listed as "2.10").
LIST_NUMBER = {"2.10/2.11": "2.10"}

# --- irregular places, each checked by hand against the seed ---------------------------------

# KLOE cells that open with a <p> but continue the KLOE before them (their descriptor cells are
# empty): a further question of "Prioritisation" printed after a page break.
CONTINUATION_CELLS = ("Are service priorities consistent with corporate priorities",)

# 2.10/2.11 prints each row heading and its question in one paragraph ("Track record How ...").
RUN_IN_HEADINGS = (
    "Track record",
    "Service user benefits",
    "Learning",
    "Contents of plans",
    "Quality of plans",
    "Ambitions",
    "Capacity",
)

# Sub-items of a 2.10/2.11 question printed run together without bullets: split after "; and",
# as the bulleted sub-items of "Capacity" are.
PROMPT_ITEM_SPLITS = ("peer review; and ", "desired outcome; and ")

# Places where a new statement starts although the seed prints no full stop before it (or the
# sentence does not open with a verb but is plainly its own point, parallel to a statement in
# the other column).
FORCED_SPLITS = {
    "Has carried out a full analysis of the costs and benefits": "no full stop before it",
    "Routinely consults residents about the nature and content": "no full stop before it",
    "Have some un-ambitious targets which do not link": "no full stop before it",
    "Some limited choice is available to some applicants": "a point of its own (choice-based lettings)",
    "Lines of responsibility for different strands of the service": "a point of its own (the excellent column's 'Has clearly defined lines of responsibility')",
    "Service and/or improvement plans include realistic and achievable actions": "a bullet of its own in the Housing Inspectorate's printing of this KLOE (source 003)",
    "The organisation has set future objectives and new targets which are clear": "a bullet of its own in the Housing Inspectorate's printing of this KLOE (source 003)",
    "In developing plans, the organisation does not look to the best performers": "a point of its own (the strong column's 'Regularly looks at good practice in other organisations')",
}

# Sentences that open with a verb but continue the statement before them, with the reason.
FORCED_JOINS = {
    "Has resources identified, but may not have allocated them yet": "one statement with the sentence before, as the bulleted 1.5 and 2.2 print it",
    "Has a good understanding of the priorities of the local community": "one statement with the sentence before, as the Housing Inspectorate's printing of this KLOE (source 003) gives it in one bullet",
}

# First words of a sentence that start a new statement in an unbulleted cell (the descriptor's
# implied subject is the organisation) ...
VERBS = set(
    """Actively Acts Adapts Arranges Automatically Can Carries Clearly Collects Completes Consistently
    Deals Delivers Demonstrates Does Efficiently Either Employs Ensures Fails Follows Generally Has Have
    Inspects Involves Is Keeps Knows Lacks Maintains Makes May Meets Minimises Monitors Often Orders
    Periodically Prevents Pro-actively Produces Promotes Provides Pursues Records Regularly Responds
    Seeks Separately Services Shows Systematically Takes Tells Treats Updates Uses Works""".split()
)
# ... and first words that continue the statement before them.
CONTINUING = set(
    """A Abandoned All Any As At Customers' Eg Explanations For In Insufficient It Its Lines Many Measures
    Priorities Resident Residents Resources Responsibility Reviews Service Some Staff Targets The There
    These This Timescales""".split()
)

# Description: the guidance notes' paragraphs (each with the list that follows it), by opening words.
DESCRIPTION_STARTS = (
    "In order to provide housing associations in Wales",
    "KLOEs represent sets of questions and statements which provide",
    "KLOEs are designed to provide inspectors",
    "KLOEs seek to describe what we would expect",
    "The current set of KLOEs is based on",
    "The KLOEs cover service specific areas within housing",
    "The KLOE 2.10 covers the criteria",
    "Seven KLOEs in total",
    "Because all of the service specific KLOEs",
    "All KLOEs have the same structure.",
    "The KLOE covering prospects for improvement",
    "The Wales Audit Office will use the KLOEs by applying",
    "The questions that appear under each KLOE",
)

HEADER_FIRST_CELL = "KEY LINE OF ENQUIRY (KLOE)"
UL = '<ul style="list-style-type: none">'
TERMINAL = (".", "?", "!", ";", ":")


# --- reading the seed ---------------------------------------------------------------------------


def clean(text: str) -> str:
    """Markup and bullet glyphs removed, whitespace collapsed; words and punctuation untouched."""
    text = re.sub(r"</?(?:p|i|b)>", " ", text).replace(UL, " ").replace("•", " ")
    return " ".join(text.split())


@dataclass
class Block:
    """One piece of a cell: a bullet (LI), a paragraph (P) or unbulleted list text (TXT)."""

    kind: str
    text: str
    line: int
    italic: bool = False


def cell_blocks(cell: str, line: int) -> list[Block]:
    """A cell as its paragraphs, bullets and unbulleted text, in order."""
    out: list[Block] = []
    for part in re.split(r"(<p>.*?</p>|<ul style=\"list-style-type: none\">)", cell):
        if not part.strip() or part == UL:
            continue
        if part.startswith("<p>"):
            out.append(Block("P", clean(part), line, italic="<i>" in part))
        elif "•" in part:
            before, *items = part.split("•")
            if before.strip():
                out.append(Block("TXT", clean(before), line))
            out.extend(Block("LI", clean(item), line) for item in items if item.strip())
        else:
            out.append(Block("TXT", clean(part), line))
    return out


@dataclass
class Row:
    line: int
    cells: list[str]


@dataclass
class KloeDraft:
    title: str
    line: int
    section: str | None
    prompts: list[Block] = field(default_factory=list)
    guidance: list[str] = field(default_factory=list)
    columns: dict[int, list[Block]] = field(default_factory=lambda: {4: [], 2: []})
    continuation_lines: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def last_index(lines: list[str], text: str) -> int:
    hits = [i for i, line in enumerate(lines) if line.strip() == text]
    if not hits:
        raise SystemExit(f"heading not found in seed: {text!r}")
    return hits[-1]


def list_after(lines: list[str], index: int) -> list[str]:
    """The '- ' (or '1. ') items printed after line ``index``, in order."""
    items: list[str] = []
    for line in lines[index + 1 :]:
        stripped = line.strip()
        if not stripped:
            if items:
                break
            continue
        if stripped.startswith("- "):
            items.append(stripped[2:].strip())
        elif re.match(r"^\d+\. ", stripped):
            items.append(stripped)
        else:
            break
    return items


def plain_lines_after(lines: list[str], index: int) -> list[str]:
    """Non-empty lines printed directly after ``index`` (no bullet), up to a blank line gap."""
    items: list[str] = []
    for line in lines[index + 1 :]:
        if not line.strip():
            if items:
                break
            continue
        items.append(line.strip())
    return items


# --- splitting text into prompts and statements ------------------------------------------------


def split_questions(text: str) -> list[str]:
    """A run of questions printed without bullets: one prompt per question sentence."""
    pieces = re.split(r"(?<=\?)\s+(?=[A-Z])", text)
    out: list[str] = []
    for piece in pieces:
        for marker in PROMPT_ITEM_SPLITS:
            if marker in piece:
                head, tail = piece.split(marker, 1)
                out.append(head + marker.rstrip())
                piece = tail
        out.append(piece)
    return [p.strip() for p in out if p.strip()]


def sentence_groups(text: str, used: Counter) -> tuple[list[str], list[str]]:
    """Unbulleted descriptor text as statements (sentence groups), and notes on forced splits."""
    notes: list[str] = []
    pieces: list[tuple[str, bool]] = []  # (sentence, starts a statement by a forced split)
    for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z])", text):
        cuts = sorted(sentence.find(" " + m) + 1 for m in FORCED_SPLITS if sentence.find(" " + m) > 0)
        bounds = [0, *cuts, len(sentence)]
        for a, b in zip(bounds, bounds[1:]):
            piece = sentence[a:b].strip()
            marker = next((m for m in FORCED_SPLITS if piece.startswith(m)), None)
            if marker:
                used[marker] += 1
                notes.append(f"A new statement starts at '{marker} ...': {FORCED_SPLITS[marker]}.")
            pieces.append((piece, marker is not None))
    if " ".join(piece for piece, _ in pieces) != text:
        raise SystemExit(f"splitting changed the text: {text[:80]!r}")
    statements: list[str] = []
    for sentence, forced in pieces:
        first = sentence.split()[0].rstrip(",")
        joined = next((m for m in FORCED_JOINS if sentence.startswith(m)), None)
        if joined and statements:
            used[joined] += 1
            notes.append(f"'{joined} ...' is {FORCED_JOINS[joined]}.")
            statements[-1] += " " + sentence
        elif forced or first in VERBS or not statements:
            statements.append(sentence)
        elif first in CONTINUING:
            statements[-1] += " " + sentence
        else:
            raise SystemExit(f"decide whether a sentence starting {first!r} starts a statement: {sentence[:80]!r}")
    return statements, notes


def joins(previous: Block | None, following: Block) -> bool:
    """A continuation block that finishes the previous block's text (split by a page break)."""
    return previous is not None and following.text[:1].islower() and not previous.text.rstrip().endswith(TERMINAL)


# --- the table ----------------------------------------------------------------------------------


def read_table(rows: list[Row], sections: list[str], report: list[str]) -> list[KloeDraft]:
    kloes: list[KloeDraft] = []
    section: str | None = None
    for row in rows:
        kloe_cell, strong, weak = row.cells
        if not strong.strip() and not weak.strip() and clean(kloe_cell) in sections:
            section = clean(kloe_cell)
            continue
        blocks = cell_blocks(kloe_cell, row.line)
        starts = bool(blocks) and blocks[0].kind == "P" and blocks[0].text[:1].isupper() and not blocks[0].text.startswith(CONTINUATION_CELLS)
        if starts:
            heading = blocks.pop(0)
            draft = KloeDraft(title=heading.text, line=row.line, section=section)
            for run_in in RUN_IN_HEADINGS:
                if heading.text.startswith(run_in + " "):
                    draft.title = run_in
                    blocks.insert(0, Block("TXT", heading.text[len(run_in) + 1 :], row.line))
                    draft.notes.append(
                        f"The seed prints the heading and its question in one paragraph ('{heading.text[:60]}...'): "
                        f"the heading '{run_in}' is the title, the question the first prompt."
                    )
            kloes.append(draft)
        else:
            if not kloes:
                raise SystemExit(f"line {row.line}: a continuation row before any KLOE")
            draft = kloes[-1]
            draft.continuation_lines.append(row.line)
            if blocks and blocks[0].text.startswith(CONTINUATION_CELLS):
                draft.notes.append(
                    f"Seed line {row.line}: a row whose KLOE cell holds a further question of this KLOE "
                    "(printed as a paragraph, with empty descriptor cells) after a page break; taken as a prompt."
                )
        # the KLOE cell's prompts (and an italic note, which is guidance)
        for i, block in enumerate(blocks):
            if block.italic:
                draft.guidance.append(block.text)
                draft.notes.append("The italic note printed between the questions is kept as guidance.")
                continue
            previous = draft.prompts[-1] if draft.prompts else None
            if i == 0 and not starts and joins(previous, block):
                report.append(f"  line {row.line} KLOE cell: rejoined '...{previous.text[-30:]}' + '{block.text[:30]}...'")
                draft.notes.append(f"A question split by a page break is rejoined: '...{previous.text[-25:]}' + '{block.text[:25]}...'.")
                previous.text += " " + block.text
            else:
                draft.prompts.append(block)
        # the descriptor cells
        for level, cell in ((4, strong), (2, weak)):
            cblocks = cell_blocks(cell, row.line)
            column = draft.columns[level]
            if cblocks and not starts:
                previous = column[-1] if column else None
                if joins(previous, cblocks[0]):
                    report.append(f"  line {row.line} level {level}: rejoined '...{previous.text[-30:]}' + '{cblocks[0].text[:30]}...'")
                    draft.notes.append(
                        f"Level {level}: a statement split by a page break is rejoined: '...{previous.text[-25:]}' + '{cblocks[0].text[:25]}...'."
                    )
                    previous.text += " " + cblocks.pop(0).text
                elif previous is not None:
                    report.append(f"  line {row.line} level {level}: new statement after '...{previous.text[-30:]}' -> '{cblocks[0].text[:30]}...'")
            column.extend(cblocks)
    return kloes


def slug(text: str, words: int = 6) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:words])


def level_statements(blocks: list[Block], used: Counter) -> tuple[list[str], list[str]]:
    statements: list[str] = []
    notes: list[str] = []
    unbulleted_lines: list[int] = []
    for block in blocks:
        if block.kind == "LI":
            statements.append(block.text)
        else:
            groups, forced = sentence_groups(block.text, used)
            statements.extend(groups)
            notes.extend(forced)
            if len(groups) > 1 or block.kind == "TXT":
                unbulleted_lines.append(block.line)
    return statements, notes if not unbulleted_lines else [*_unbulleted_note(unbulleted_lines), *notes]


def _unbulleted_note(lines: list[int]) -> list[str]:
    where = ", ".join(str(n) for n in sorted(set(lines)))
    return [
        f"Cell printed without bullets (seed line{'s' if len(set(lines)) > 1 else ''} {where}): split into sentence groups, a new statement at each "
        "sentence opening with a verb (Has, Does, Provides ...), other sentences kept with the statement before."
    ]


# --- building the framework ---------------------------------------------------------------------


class Quoted(str):
    """A string always written double-quoted (ids, numbers, dates)."""


def _quoted(dumper: yaml.SafeDumper, value: Quoted) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


class Dumper(yaml.SafeDumper):
    pass


Dumper.add_representer(Quoted, _quoted)


def paragraph_with_list(lines: list[str], start: str) -> list[str]:
    index = next((i for i, line in enumerate(lines) if line.strip().startswith(start)), None)
    if index is None:
        raise SystemExit(f"description paragraph not found: {start!r}")
    return [lines[index].strip(), *list_after(lines, index)]


def build(report: list[str]) -> tuple[dict, dict[str, tuple[Counter, Counter]]]:
    lines = seed_lines()
    starts = [last_index(lines, heading) for _, heading, _, _ in GROUPS]
    ends = [*starts[1:], len(lines)]

    guidance_end = starts[0]
    listed = [line.strip() for line in lines[:guidance_end]]
    sections: list[str] = []
    headers: dict[str, list[str]] = {}
    groups: list[dict] = []
    coverage: dict[str, tuple[Counter, Counter]] = {}
    forced_used: Counter = Counter()

    for (gid, heading, title, judgement), start, end in zip(GROUPS, starts, ends):
        number = LIST_NUMBER.get(gid, gid)
        if f"{number} {title}" not in listed:
            raise SystemExit(f"the guidance notes do not list {number} {title!r}")
        doc = lines[start:end]
        areas_at = next(i for i, line in enumerate(doc) if "following areas" in line)
        intro = [doc[areas_at].strip(), *list_after(doc, areas_at)]
        if judgement == "J2":
            framed = next(i for i, line in enumerate(doc) if "three main questions" in line)
            sections = plain_lines_after(doc, framed)
            if len(sections) != 3:
                raise SystemExit(f"expected the three main questions, found {sections}")

        rows: list[Row] = []
        header: list[str] | None = None
        for offset, line in enumerate(doc):
            if "\t" not in line:
                continue
            cells = line.split("\t")
            if len(cells) != 3:
                raise SystemExit(f"line {start + offset + 1}: expected 3 cells, found {len(cells)}")
            if cells[0].strip().upper() == HEADER_FIRST_CELL:
                if header is None:
                    header = [c.strip() for c in cells]
                elif [c.strip() for c in cells] != header:
                    raise SystemExit(f"line {start + offset + 1}: a different header row")
                continue
            rows.append(Row(start + offset + 1, cells))
        headers[judgement] = header  # type: ignore[assignment]
        report.append(f"{gid} {title}: {len(rows)} table rows")
        drafts = read_table(rows, sections, report)

        kloes: list[dict] = []
        seen: Counter = Counter()
        yaml_words: Counter = Counter()
        for draft in drafts:
            kid = f"{gid}-{slug(draft.title)}"
            seen[kid] += 1
            if seen[kid] > 1:
                kid += f"-{seen[kid]}"
            prompts: list[str] = []
            for block in draft.prompts:
                prompts.extend([block.text] if block.kind == "LI" else split_questions(block.text))
            descriptors: dict[int, list[str]] = {}
            notes: list[str] = []
            if draft.continuation_lines:
                lines_text = ", ".join(str(n) for n in draft.continuation_lines)
                notes.append(
                    f"The row (seed line {draft.line}) continues after {'page breaks' if len(draft.continuation_lines) > 1 else 'a page break'} "
                    f"(seed line{'s' if len(draft.continuation_lines) > 1 else ''} {lines_text}); "
                    "the continuation rows' cells are appended."
                )
            notes.extend(draft.notes)
            level_notes: dict[int, list[str]] = {}
            for level in (4, 2):
                statements, level_notes[level] = level_statements(draft.columns[level], forced_used)
                if statements:
                    descriptors[level] = statements
                else:
                    notes.append(f"The level {level} cell is empty in the seed.")
            for note in level_notes[4]:
                notes.append(f"Levels 4 and 2: {note}" if note in level_notes[2] else f"Level 4: {note}")
            notes.extend(f"Level 2: {note}" for note in level_notes[2] if note not in level_notes[4])
            kloe: dict = {"id": Quoted(kid), "title": draft.title}
            if draft.section:
                kloe["section"] = draft.section
            if prompts:
                kloe["prompts"] = prompts
            kloe["descriptors"] = descriptors
            if draft.guidance:
                kloe["guidance"] = draft.guidance
            if notes:
                kloe["notes"] = notes
            kloes.append(kloe)
            for text in [draft.title, *prompts, *draft.guidance, *(s for ss in descriptors.values() for s in ss)]:
                yaml_words.update(text.split())

        seed_words: Counter = Counter()
        for row in rows:
            kloe_cell = clean(row.cells[0])
            if not (clean(row.cells[1]) or clean(row.cells[2])) and kloe_cell in sections:
                continue
            for cell in row.cells:
                seed_words.update(clean(cell).split())
        coverage[gid] = (seed_words, yaml_words)

        group: dict = {
            "id": Quoted(gid),
            "kind": "theme",
            "number": Quoted(gid),
            "title": title,
            "judgement": Quoted(judgement),
            "intro": intro,
        }
        group_notes: list[str] = []
        if heading != f"{number} {title}":
            group_notes.append(
                f"The guidance notes list this KLOE as '{number} {title}'; the KLOE document itself is headed "
                + ("'2.10 Performance Management' and '2.11 Continuous Improvement' (one document, one table)." if gid == "2.10/2.11" else f"'{heading}'.")
            )
        if judgement == "J1":
            group_notes.append("The table has one row per area, with no separate section-heading rows, so its KLOEs have no section.")
        if group_notes:
            group["notes"] = group_notes
        group["kloes"] = kloes
        groups.append(group)

    unused = [m for m in (*FORCED_SPLITS, *FORCED_JOINS) if not forced_used[m]]
    if unused:
        raise SystemExit(f"forced splits or joins not found in the seed: {unused}")

    # scales, from the guidance notes' lists and the table headers
    service_at = next(i for i, line in enumerate(lines) if line.startswith("The KLOEs cover service specific areas"))
    prospects_at = next(i for i, line in enumerate(lines) if line.startswith("The KLOE 2.10 covers the criteria"))

    def labels(index: int) -> list[str]:
        items = [item.rstrip(",").strip() for item in list_after(lines, index)]
        return [item[:1].upper() + item[1:] for item in items]

    def levels(labels_: list[str], header: list[str]) -> list[dict]:
        out = []
        for level, label in zip((4, 3, 2, 1), labels_):
            entry: dict = {"level": level, "label": label}
            if level == 4:
                entry["heading"] = header[1]
            if level == 2:
                entry["heading"] = header[2]
            out.append(entry)
        return out

    service_labels, prospects_labels = labels(service_at), labels(prospects_at)
    if len(service_labels) != 4 or len(prospects_labels) != 4:
        raise SystemExit("expected four levels in each of the guidance notes' lists")

    description: list[str] = []
    for opening in DESCRIPTION_STARTS:
        description.extend(paragraph_with_list(lines, opening))

    title_line = next(line.strip() for line in lines if line.strip() == "Housing Key Lines of Enquiry")
    date_line = next(line.strip() for line in lines if line.strip())
    draft_note = next(line.strip() for line in lines if line.startswith("This document is a draft version"))
    service_q = "How good is the service?"
    prospects_q = "What are the prospects for improvement?"
    framework = {
        "schema_version": 1,
        "id": Quoted("wao-housing"),
        "version": Quoted("2"),
        "descriptor_reading": "best_fit",
        "title": title_line,
        "publisher": "Wales Audit Office",
        "date": Quoted(date_line),
        "source": {"document": SEED_NAME, "title": title_line, "note": draft_note},
        "description": description,
        "scales": [
            {
                "id": Quoted("wao-service"),
                "title": service_q,
                "levels": levels(service_labels, headers["J1"]),
                "note": "The service-specific KLOE tables describe levels 4 (excellent) and 2 (satisfactory) only.",
            },
            {
                "id": Quoted("wao-prospects"),
                "title": prospects_q,
                "levels": levels(prospects_labels, headers["J2"]),
                "note": "The 2.10/2.11 table describes levels 4 (strong corporate and strategic capabilities) "
                "and 2 (shows weaknesses in processes and performance) only.",
            },
        ],
        "judgements": [
            {"id": Quoted("J1"), "title": service_q, "scale": Quoted("wao-service")},
            {"id": Quoted("J2"), "title": prospects_q, "scale": Quoted("wao-prospects")},
        ],
        "groups": groups,
        "notes": [
            "The workbook reads these descriptors as best fit (descriptor_reading: best_fit): each described level is a picture of an organisation at that level and the analyst finds which fits best; the rule that suggests a level from the marked statements is the workbook's own. The seed's words behind it (004_9d6156c9eb967c4b.txt): the KLOEs \"give descriptions of what excellent and satisfactory organisations look like\".",
            "Transcribed by tools/extract_wao_housing.py: markup, bullet glyphs and the table header rows "
            "repeated at page breaks removed; rows continued after a page break appended to the row before, "
            "with bullets split by the break rejoined.",
            "One statement per bullet. Many cells lost their bullets in extraction: those are split into "
            "sentence groups (a new statement at each sentence opening with a verb); each KLOE's notes say where.",
            "Ids are the group number and a slug of the row heading (at most six words).",
        ],
    }
    for text in (service_q, prospects_q):
        if not any(text in line for line in lines):
            raise SystemExit(f"judgement title not in seed: {text}")
    return framework, coverage


def render(framework: dict) -> str:
    header = (
        f"# Wales Audit Office: Housing Key Lines of Enquiry (November 2005 draft).\n"
        f"# Transcribed from frameworks/sources/{SEED_NAME}.\n"
        "# GENERATED by tools/extract_wao_housing.py - do not edit by hand; change the script and re-run it.\n"
    )
    body = yaml.dump(framework, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the file on disk, write nothing")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args()

    report: list[str] = []
    framework, coverage = build(report)
    if not args.quiet:
        print("\n".join(report))
    print("\nwords coverage (seed table cells vs YAML, per group):")
    ok = True
    for group in framework["groups"]:
        seed_words, yaml_words = coverage[group["id"]]
        missing, extra = seed_words - yaml_words, yaml_words - seed_words
        counts = {level: sum(len(k["descriptors"].get(level, [])) for k in group["kloes"]) for level in (4, 2)}
        print(
            f"  {group['id']:10} {len(group['kloes']):2} KLOEs, statements L4={counts[4]:3} L2={counts[2]:3}; "
            f"words seed={sum(seed_words.values())} yaml={sum(yaml_words.values())} "
            f"missing={dict(missing) or 0} extra={dict(extra) or 0}"
        )
        ok = ok and not missing and not extra
    text = render(framework)
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"\n{OUT.relative_to(ROOT)} is {'up to date' if same else 'OUT OF DATE'}")
        return 0 if same and ok else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
