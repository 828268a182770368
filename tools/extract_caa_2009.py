#!/usr/bin/env python3
"""Transcribe the Comprehensive Area Assessment 2009 framework into frameworks/caa-2009.yaml.

Source: frameworks/sources/002_e78f7ceaf1ef1da2.txt, Rotherham Borough Council's report to its
Corporate Improvement Board (9 March 2009) summarising the inspectorates' CAA framework
(published 12 February 2009). Only section 7.1 and Appendices A, B and C describe the
framework; the meeting minutes around them are ignored.

Every text is copied from the seed line it is found on (markup and bullets removed), so the
YAML cannot drift from the source; the structure (which line is a KLOE, a focus bullet, a
flag criterion) is stated here. Run with ``--check`` to compare with the file on disk.
Standard library + pyyaml only.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED_NAME = "002_e78f7ceaf1ef1da2.txt"
SEED = ROOT / "frameworks" / "sources" / SEED_NAME
OUT = ROOT / "frameworks" / "caa-2009.yaml"

LINES = SEED.read_text(encoding="utf-8").splitlines()


def clean(line: str) -> str:
    """A seed line without bullets, emphasis or list numbering markup."""
    text = line.strip()
    text = re.sub(r"^[-▪•]\s*", "", text)
    return text.replace("*", "").strip()


def index_of(text: str, start: int = 0) -> int:
    """The index of the first line at or after start whose cleaned text begins with text."""
    for index in range(start, len(LINES)):
        if clean(LINES[index]).startswith(text):
            return index
    raise SystemExit(f"not found in the seed: {text!r}")


def line(text: str, start: int = 0) -> str:
    """The whole cleaned line that begins with text."""
    return clean(LINES[index_of(text, start)])


def bullets_after(heading: str, start: int = 0, stop_at: tuple[str, ...] = ()) -> list[str]:
    """The bullet lines following a heading line, up to the first line that is not a bullet."""
    index = index_of(heading, start) + 1
    items: list[str] = []
    while index < len(LINES):
        raw = LINES[index].strip()
        if not raw:
            if items:
                # a blank line ends the list unless another bullet follows directly
                following = LINES[index + 1].strip() if index + 1 < len(LINES) else ""
                if not following.startswith("-"):
                    break
            index += 1
            continue
        if not raw.startswith("-") or raw == "-" or any(clean(raw).startswith(stop) for stop in stop_at):
            break
        items.append(clean(raw))
        index += 1
    return items


def appendix_a() -> list[tuple[str, list[str]]]:
    """Appendix A: the three area assessment questions and their sub-questions."""
    start = index_of("Appendix A – Area Assessment Questions")
    end = index_of("Appendix B – Organisational Assessment Questions")
    questions: list[tuple[str, list[str]]] = []
    for raw in LINES[start + 1 : end]:
        text = raw.strip()
        if not text:
            continue
        numbered = re.match(r"^-\s*\d\)\s*(.+)$", text)
        if numbered:
            questions.append((numbered.group(1).strip(), []))
        elif text.startswith("-"):
            questions[-1][1].append(clean(text))
    return questions


def appendix_b_kloes(start_text: str, end_text: str | None) -> list[dict]:
    """The organisational assessment KLOEs between two headings, with their focus bullets."""
    start = index_of(start_text, index_of("Appendix B"))
    end = index_of(end_text, start + 1) if end_text else index_of("Appendix C")
    kloes: list[dict] = []
    for index in range(start + 1, end):
        text = LINES[index].strip()
        match = re.match(r"^(\d\.\d)\s*-?\s*(.+)$", text)
        if match:
            kloes.append({"id": match.group(1), "title": match.group(2).strip(), "focus": []})
        elif text.startswith("KLOE focus, "):
            kloes[-1]["focus"] = bullets_after(text, index)
            kloes[-1]["focus_lead"] = text.removeprefix("KLOE focus, ")
    return kloes


def theme_intro(heading: str) -> tuple[str, str]:
    """'Managing finances: How effectively ...?' split into the theme name and its question."""
    text = line(heading, index_of("Appendix B"))
    name, question = text.split(":", 1)
    return name.strip(), question.strip()


class Quoted(str):
    """A string written with double quotes (ids and numbers, so YAML keeps them as text)."""


def _quoted(dumper: yaml.SafeDumper, value: Quoted) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


class Flow(list):
    """A short list written on one line ([2, 3])."""


def _flow(dumper: yaml.SafeDumper, value: Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(value), flow_style=True)


yaml.SafeDumper.add_representer(Quoted, _quoted)
yaml.SafeDumper.add_representer(Flow, _flow)


def build() -> dict:
    themes = [
        ("managing_finances", "1", "Managing finances", "Governing the business"),
        ("governing_the_business", "2", "Governing the business", "Managing resources"),
        ("managing_resources", "3", "Managing resources", "Managing Performance"),
    ]
    groups: list[dict] = []
    for group_id, number, heading, following in themes:
        name, question = theme_intro(heading)
        groups.append(
            {
                "id": Quoted(group_id),
                "kind": "theme",
                "number": Quoted(number),
                "title": name,
                "judgement": Quoted(group_id),
                "intro": [line(heading + ":", index_of("Appendix B"))],
                "kloes": [kloe_entry(k) for k in appendix_b_kloes(heading, following)],
            }
        )
    performance = appendix_b_kloes("Managing Performance:", None)
    shared = performance[-1]
    assert len(performance) == 2 and not performance[0]["focus"] and shared["focus"], "expected one focus list, after 4.2"
    performance[0] = {**performance[0], "focus": shared["focus"], "focus_lead": shared["focus_lead"]}
    performance_kloes = [kloe_entry(k) for k in performance]
    for entry in performance_kloes:
        entry["notes"] = [
            "The source prints one 'KLOE focus, The organisation is:' list for the Managing Performance theme, after 4.2; "
            "the workbook shows it with both 4.1 and 4.2, as the theme's focus."
        ]
    groups.append(
        {
            "id": Quoted("managing_performance"),
            "kind": "theme",
            "number": Quoted("4"),
            "title": line("Managing performance", index_of("It is based on key lines of enquiry")),
            "judgement": Quoted("managing_performance"),
            "intro": [line("KLOE for Use of Resources have been published")],
            "notes": ["The source prints one focus list for this theme, after KLOE 4.2; the workbook shows it with both KLOEs."],
            "kloes": performance_kloes,
        }
    )
    section_71 = index_of("7.1 The Assessment")
    explanations = {
        "1": line("This is about engagement and involvement", section_71),
        "2": line("This is about accessing current and recent performance", section_71),
        "3": line("This builds on the first two questions", section_71),
    }
    for number, (question, subquestions) in enumerate(appendix_a(), start=1):
        groups.append(
            {
                "id": Quoted(f"area_q{number}"),
                "kind": "question",
                "number": Quoted(str(number)),
                "title": question,
                "judgement": Quoted("area_assessment"),
                "scored": False,
                "intro": [explanations[str(number)]],
                "kloes": [{"id": Quoted(f"A{number}.{index}"), "title": text, "scored": False} for index, text in enumerate(subquestions, start=1)],
            }
        )

    table_start = index_of("Managing Performance", index_of("There will be scores for organisational assessments"))
    cells = []
    for raw in LINES[table_start + 2 : table_start + 6]:
        parts = [part.strip() for part in raw.split("\t") if part.strip()]
        row = int(parts[0])
        for column, value in enumerate(parts[1:], start=1):
            cells.append({"row": row, "column": column, "options": Flow(int(x) for x in value.split(" or "))})

    return {
        "schema_version": 1,
        "id": Quoted("caa-2009"),
        "version": Quoted("2"),
        "descriptor_reading": "best_fit",
        "title": "Comprehensive Area Assessment",
        "publisher": "Audit Commission and partner inspectorates (as summarised by Rotherham Borough Council)",
        "date": Quoted("February 2009"),
        "source": {
            "document": SEED_NAME,
            "title": line("ROTHERHAM BOROUGH COUNCIL – REPORT TO MEMBERS") + ": Comprehensive Area Assessment Framework",
            "note": (
                "A council's report to its Corporate Improvement Board (9th March 2009) summarising the final CAA framework, "
                "published on 12th February 2009 by the inspectorates. Only section 7.1 and Appendices A, B and C describe the framework."
            ),
        },
        "description": [
            line("The new CAA Framework is designed to connect"),
            line("The assessment has two elements, separate but connected."),
            line("The Area Assessment takes the area's Local Area Agreement"),
            line("The effectiveness of authorities will be assessed"),
            line("There are no specific Key Lines of Enquiry for the Area Assessment"),
        ],
        "scales": [
            {
                "id": Quoted("caa-score"),
                "title": "Scores",
                "levels": [{"level": level} for level in (4, 3, 2, 1)],
                "note": "The source gives no labels for CAA scores, only the numbers 1 to 4.",
            }
        ],
        "judgements": [
            {"id": Quoted("managing_finances"), "title": "Managing finances", "scale": Quoted("caa-score"), "note": "Use of Resources theme 1."},
            {"id": Quoted("governing_the_business"), "title": "Governing the business", "scale": Quoted("caa-score"), "note": "Use of Resources theme 2."},
            {"id": Quoted("managing_resources"), "title": "Managing resources", "scale": Quoted("caa-score"), "note": "Use of Resources theme 3."},
            {
                "id": Quoted("use_of_resources"),
                "title": "Use of Resources",
                "scale": Quoted("caa-score"),
                "rule": {
                    "name": Quoted("average"),
                    "inputs": [Quoted("managing_finances"), Quoted("governing_the_business"), Quoted("managing_resources")],
                    "rounding": "half_up",
                    "note": "The source says: an average of the scores for the three UOR themes; it does not say how the average is rounded.",
                },
            },
            {"id": Quoted("managing_performance"), "title": "Managing performance", "scale": Quoted("caa-score")},
            {
                "id": Quoted("organisational_assessment"),
                "title": "Organisational assessment",
                "scale": Quoted("caa-score"),
                "rule": {
                    "name": Quoted("combination_table"),
                    "inputs": [Quoted("use_of_resources"), Quoted("managing_performance")],
                    "table": Quoted("caa-organisational-assessment"),
                },
            },
            {
                "id": Quoted("area_assessment"),
                "title": "Area Assessment",
                "scored": False,
                "note": line("The Area assessment is not scored"),
            },
        ],
        "groups": groups,
        "tables": [
            {
                "id": Quoted("caa-organisational-assessment"),
                "title": "Use of Resources and Managing Performance scores will be combined into a single score",
                "row_input": Quoted("use_of_resources"),
                "column_input": Quoted("managing_performance"),
                "cells": cells,
                "rules": [
                    *sentences(line("There will be scores for organisational assessments.")),
                    *sentences(line("Where the managing performance theme and the use of resources score are the same")),
                    line("Where the managing performance theme score and the use of resources scores are different"),
                ],
            }
        ],
        "flags": {
            "judgement": Quoted("area_assessment"),
            "note": line("Red and green flags will be kept under review"),
            "kinds": [
                {
                    "colour": "red",
                    "meaning": [
                        line("Red flags will be reported where there are significant concerns"),
                        line("Red flags are likely to be reported when one or more of the following applies"),
                        line("Because red flags reflect significant concerns"),
                    ],
                    "criteria": bullets_after("Red flags are likely to be reported when one or more of the following applies"),
                    "considerations": bullets_after("Because red flags reflect significant concerns"),
                },
                {
                    "colour": "green",
                    "meaning": [line("Green flags represent exceptional performance")],
                    # the paragraph's two sentences are its test: what earns a green flag, and what does not
                    "criteria": sentences(line("Green flags represent exceptional performance")),
                },
            ],
        },
        "self_assessment_template": template(),
        "notes": [
            "descriptor_reading: best_fit is the workbook's own choice for this framework: the seed gives no descriptor statements for its KLOEs (only focus lists), so nothing is suggested from statements here.",
            line("The results of the statutory assessments of children"),
            line("There will no longer be a separate direction of travel assessment"),
            "Links to Care Quality Commission and Ofsted: " + line("For councils with responsibility for children"),
            line("The organisational assessment will contain an explicit statement"),
            line("These contributory assessments will carry significant weight"),
            line("CAA is a joint inspectorate assessment"),
            line("Inspectorates will gather evidence from a range of sources including"),
            *bullets_after("Inspectorates will gather evidence from a range of sources including"),
            line("Inspectorates will only undertake additional work"),
            "The table title is the seed's sentence introducing it, without its parenthesis.",
        ],
    }


def sentences(text: str) -> list[str]:
    """A paragraph split after each full stop followed by a space (words unchanged)."""
    return [part.strip() for part in re.split(r"(?<=\.) ", text) if part.strip()]


def kloe_entry(kloe: dict) -> dict:
    entry = {"id": Quoted(kloe["id"]), "title": kloe["title"]}
    if kloe["focus"]:
        entry["focus_lead"] = kloe["focus_lead"]
        entry["focus"] = kloe["focus"]
    return entry


def template() -> dict:
    start = index_of("Appendix C")
    sections: list[dict] = []
    for raw in LINES[start + 1 :]:
        text = raw.strip()
        if not text or text.startswith("KLoE / Criteria"):
            continue
        cells = [cell.strip() for cell in raw.split("\t")]
        if text.startswith("Question "):
            number = re.match(r"Question (\d)", text).group(1)
            sections.append({"title": cells[0], "group": Quoted(f"area_q{number}"), "criteria": []})
        else:
            sections[-1]["criteria"].append(cells[0])
    header = next(raw for raw in LINES[start:] if raw.startswith("KLoE / Criteria"))
    return {
        "title": clean(LINES[start]),
        "columns": [cell.strip() for cell in header.split("\t") if cell.strip()],
        "sections": sections,
    }


HEADER = (
    "# Comprehensive Area Assessment 2009, as summarised in a council report.\n"
    f"# Transcribed from frameworks/sources/{SEED_NAME}.\n"
    "# GENERATED by tools/extract_caa_2009.py - do not edit by hand; change the script and re-run it.\n"
)


def render() -> str:
    return HEADER + yaml.safe_dump(build(), sort_keys=False, allow_unicode=True, width=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare with the file on disk instead of writing it")
    args = parser.parse_args()
    text = render()
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} differs from what {Path(__file__).name} produces; re-run it")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
