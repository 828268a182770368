"""Write frameworks/ac-benefits.yaml from the seed 000_014e849d60115a45.txt.

The seed ("Benefit service inspections", Audit Commission) is PDF-extracted text whose
two-column descriptor tables are flattened three different ways, sometimes within one KLOE:

* a level heading followed by that column's paragraphs ("Level 2 Fair" ... "Level 3 Good" ...);
* tab-separated rows, left cell = level 2, right cell = level 3, cells sometimes `<p>`/`<ul>` HTML;
* both level headings first, then paragraphs alternating left column, right column, row by row.

Page breaks also split bullets, whose halves turn up further down. No parser reads that
reliably, so every statement below is picked by its seed line number, and every pick asserts
the words it expects the line to start with: if the seed changes, the script fails loudly
instead of misplacing text. Run from anywhere:

    .venv/bin/python tools/extract_ac_benefits.py

Standard library and PyYAML only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SEED_NAME = "000_014e849d60115a45.txt"
SEED_PATH = REPO.parent / "shared" / "seeds" / SEED_NAME
OUT_PATH = REPO / "frameworks" / "ac-benefits.yaml"

LINES = SEED_PATH.read_text(encoding="utf-8").split("\n")

_MARKUP = re.compile(r"</?p>|<ul[^>]*>|</ul>|</?li>")


# -- reading the seed ------------------------------------------------------------------------
def clean(text: str) -> str:
    """Markup, a leading bullet glyph and surplus whitespace removed; words untouched."""
    text = _MARKUP.sub(" ", text).replace("**", "").strip()
    text = re.sub(r"^(?:- |• )", "", text)
    return " ".join(text.split())


def raw(n: int) -> str:
    """Seed line n (1-based, as `cat -n` numbers them)."""
    return LINES[n - 1]


def para(n: int, starts: str) -> str:
    """The cleaned text of line n, which must start with `starts`."""
    text = clean(raw(n))
    assert text.startswith(starts), f"line {n}: expected {starts!r}, got {text[:60]!r}"
    return text


def paras(*picks: tuple[int, str]) -> list[str]:
    return [para(n, starts) for n, starts in picks]


def cell(n: int, col: int) -> str:
    """Cell `col` of the tab-separated line n, raw (may hold several <p>)."""
    cells = raw(n).split("\t")
    return cells[col] if col < len(cells) else ""


def cell_paras(n: int, col: int, starts: str | None) -> list[str]:
    """The paragraphs (<p> ... </p>) of one cell; `starts=None` asserts the cell is empty."""
    text = cell(n, col)
    found = [clean(p) for p in re.split(r"</p>", text)]
    found = [p for p in found if p]
    if starts is None:
        assert not found, f"line {n} col {col}: expected an empty cell, got {found!r}"
        return []
    assert found and found[0].startswith(starts), f"line {n} col {col}: expected {starts!r}, got {found[:1]!r}"
    return found


def cell_bullets(n: int, col: int, lead: str) -> list[str]:
    """A cell made of a lead-in <p> and a <ul> of '•' items: [lead-in, item, item, ...]."""
    text = cell(n, col)
    head, _, rest = text.partition("</p>")
    items = [clean(i) for i in rest.split("•")]
    result = [clean(head)] + [i for i in items if i]
    assert result[0].startswith(lead), f"line {n} col {col}: expected {lead!r}, got {result[0][:60]!r}"
    return result


def joined(*parts: str) -> str:
    """A statement rejoined from pieces (a lead-in and its bullet, or halves split by a page break)."""
    return " ".join(parts)


def with_sublist(head: str, items: list[str]) -> str:
    """A bullet with a genuine sub-list: kept as one statement, sub-items on their own '- ' lines."""
    return "\n".join([head] + [f"- {item}" for item in items])


def kloe_title(n: int, kloe_id: str) -> str:
    """The KLOE wording printed at the head of its descriptors (line n)."""
    text = clean(raw(n).split("**")[0])
    prefix = re.match(rf"KLOE {re.escape(kloe_id)}:? ", text)
    assert prefix, f"line {n}: expected 'KLOE {kloe_id}', got {text[:40]!r}"
    return text[prefix.end() :]


def overview_title(n: int, kloe_id: str, cont: int | None = None) -> str:
    """The KLOE wording in the question overview near the top of the seed (line n)."""
    text = clean(raw(n))
    if cont:
        text = joined(text, clean(raw(cont)))
    assert text.startswith(f"{kloe_id} "), f"line {n}: expected {kloe_id!r}, got {text[:20]!r}"
    return text[len(kloe_id) + 1 :]


def lead_in(n: int) -> str:
    text = para(n, "The service")
    assert text in ("The service/organisation –", "The service/organisation:", "The service /organisation:"), text
    return text


def led(lead_line: int, picks: list[tuple[int, str]]) -> list[str]:
    """A J2 cell: the 'The service/organisation:' lead-in joined to its first bullet."""
    statements = paras(*picks)
    statements[0] = joined(lead_in(lead_line), statements[0])
    return statements


def items(first: int, last: int) -> list[str]:
    """Every non-blank line from first to last as one item each (a bulleted list)."""
    return [clean(raw(n)) for n in range(first, last + 1) if clean(raw(n))]


# -- YAML output -----------------------------------------------------------------------------
class Quoted(str):
    """A string written double-quoted (ids, numbers, version, date)."""


class Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # repeated lists are written out, never as &anchors
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


Dumper.add_representer(Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"'))
Dumper.add_representer(str, _represent_str)


def q(value: str) -> Quoted:
    return Quoted(value)


# -- the framework ---------------------------------------------------------------------------
COLUMN_NOTE_J1 = "Level 2 = the seed's 'Level 2 Fair' column, level 3 = 'Level 3 Good'."


def kloe(
    kloe_id: str,
    title: str,
    *,
    level2: list[str] | None = None,
    level3: list[str] | None = None,
    parent: str | None = None,
    section: str | None = None,
    scored: bool = True,
    evidence_that: list[str] | None = None,
    guidance: list[str] | None = None,
    notes: list[str] | None = None,
    headings: dict[int, dict[int, str]] | None = None,
) -> dict:
    entry: dict = {"id": q(kloe_id), "title": title}
    if parent:
        entry["parent"] = q(parent)
    if section:
        entry["section"] = section
    if not scored:
        entry["scored"] = False
    descriptors = {}
    if level3:
        descriptors[3] = level3
    if level2:
        descriptors[2] = level2
    if descriptors:
        entry["descriptors"] = descriptors
    if headings:
        entry["descriptor_headings"] = headings
    if evidence_that:
        entry["evidence_that"] = evidence_that
    if guidance:
        entry["guidance"] = guidance
    if notes:
        entry["notes"] = notes
    return entry


def differs_note(descriptor_title: str, overview: str) -> list[str]:
    if descriptor_title == overview:
        return []
    return [f'The question overview near the start of the seed words this KLOE: "{overview}"']


def question_1() -> dict:
    describe = paras(
        (214, "Describe the responsibilities"),
        (216, "Describe the objectives"),
        (218, "Describe any links"),
        (220, "Focus on the profile"),
    )
    overview_lines = {"1.1": 23, "1.2": 24, "1.3": 25}
    title_lines = {"1.1": 208, "1.2": 210, "1.3": 212}
    kloes = []
    for kid in ("1.1", "1.2", "1.3"):
        overview = overview_title(overview_lines[kid], kid)
        kloes.append(
            kloe(
                kid,
                kloe_title(title_lines[kid], kid),
                scored=False,
                guidance=describe,
                notes=[
                    "Context only: the seed gives no descriptors for Question 1's KLOEs.",
                    f"The question overview near the start of the seed lists this KLOE under 'In terms of:' as \"{kid} {overview}\".",
                    "The four 'Describe ...' / 'Focus on ...' lines are printed once, after the headings of KLOE 1.1, 1.2 "
                    "and 1.3 together; they are repeated as guidance on each of the three.",
                ],
            )
        )
    return {
        "id": "Q1",
        "kind": "question",
        "number": q("1"),
        "title": para(19, "Question 1. ").removeprefix("Question 1. "),
        "judgement": "J1",
        "scored": False,
        "intro": [para(27, "This question is for context only.")],
        "evidence_that": items(31, 35),
        "sources_of_evidence": items(199, 206),
        "notes": [
            "The seed heads this group's evidence list 'Evidence of:' (not 'Evidence that:').",
        ],
        "kloes": kloes,
    }


def question_2() -> dict:
    access = para(39, "Key lines of enquiry – Access")
    diversity = para(64, "Key line of enquiry – Diversity")
    outcomes = para(74, "Key lines of enquiry – Service outcomes")
    access_evidence = items(51, 54) + [with_sublist(para(55, "Customers can access the service easily. For example:"), items(56, 62))]
    outcomes_evidence = items(84, 90)
    diversity_evidence = items(70, 72)

    k21 = kloe(
        "2.1",
        kloe_title(250, "2.1"),
        section=access,
        level2=paras((254, "The standards set out in legislation"), (255, "The specific needs of local people"))
        + cell_paras(261, 0, "Staff have a positive approach")
        + cell_paras(262, 0, "Frontline staff have a sound knowledge"),
        level3=paras((259, "A strategic approach is taken"))
        + cell_paras(261, 1, "Staff embed a customer focus")
        + cell_paras(262, 1, "Frontline staff are knowledgeable"),
        notes=differs_note(kloe_title(250, "2.1"), overview_title(41, "2.1"))
        + [
            COLUMN_NOTE_J1,
            "Layout: the 'Level 2 Fair' and 'Level 3 Good' headings are each followed by their own paragraphs, then two "
            "tab-separated rows with no header follow (left = level 2, right = level 3, the column order of the tables of "
            "KLOE 2.2 onwards and the sense of the first row: 'positive approach to customer care' against 'embed a "
            "customer focus in all their work').",
            "Placement unsure: the second row ('Frontline staff have a sound knowledge and understanding of benefits ...' "
            "left, 'Frontline staff are knowledgeable and provide good advice ...' right) is placed by column order only; "
            "the words alone do not clearly rank the two.",
        ],
    )

    rows22 = [
        (265, "The service operates taking full account", "The service understands who its customers"),
        (266, "The service has had some success", "Take up campaigns are effective"),
        (267, "Basic information about the service", "Information is available through a range"),
        (269, "The service uses the standard benefit claim form", "The claim form is easy to complete."),
        (270, "Benefit notification letters meet statutory", None),
        (271, "The service works with local partners", "The service effectively targets money advice"),
        (272, "Customers receive a satisfactory service", "Service access remains good."),
    ]
    k22 = kloe(
        "2.2",
        kloe_title(263, "2.2"),
        section=access,
        level2=[p for n, left, _ in rows22 for p in cell_paras(n, 0, left)],
        level3=[p for n, _, right in rows22 for p in cell_paras(n, 1, right)],
        notes=differs_note(kloe_title(263, "2.2"), overview_title(43, "2.2"))
        + [
            COLUMN_NOTE_J1,
            "Layout: tab-separated rows under the header 'Level 2 Fair | Level 3 Good'; one statement per <p>.",
            "The Level 3 cell of the row 'Benefit notification letters meet statutory requirements ...' is empty in the "
            "seed (no other seed has this Judgement 1 KLOE).",
            "Kept as printed: 'There is easy access to the benefits service. and all means of access are well publicised.'",
        ],
    )

    k23 = kloe(
        "2.3",
        kloe_title(273, "2.3"),
        section=access,
        level2=cell_paras(275, 0, "Customer service standards are in place."),
        level3=cell_paras(275, 1, "Users are clear about what standard"),
        notes=differs_note(kloe_title(273, "2.3"), overview_title(45, "2.3"))
        + [COLUMN_NOTE_J1, "Layout: one tab-separated <p> row under the header 'Level 2 Fair | Level 3 Good'."],
    )

    k24 = kloe(
        "2.4",
        kloe_title(277, "2.4"),
        section=access,
        level2=paras((281, "Basic consultation requirements are met."), (283, "Communication with customers")),
        level3=paras((287, "Consultation and engagement are regular"), (289, "The service communicates well")),
        notes=differs_note(kloe_title(277, "2.4"), overview_title(47, "2.4"))
        + [COLUMN_NOTE_J1, "Layout: each level heading followed by its own two paragraphs."],
    )

    pairs25 = [
        ((297, "The council's performance against equalities"), (299, "The council's performance against equalities")),
        ((301, "The service works effectively with many"), (303, "The service works with all its local")),
        ((305, "Staff understand, and work in accordance"), (307, "Staff put into practice")),
        ((309, "Discretionary housing payments are suitably"), (311, "The service uses the discretionary housing")),
        ((313, "Procurement policies are inclusive"), (315, "Procurement practice is inclusive.")),
        ((317, "There is no evidence of direct or indirect"), (319, "The service is implementing its responsibilities")),
        ((321, "The service considers the equality"), (323, "Access to the service through new technology")),
        ((325, "Customer service points comply"), (327, "The service has effective procedures")),
    ]
    k25 = kloe(
        "2.5",
        kloe_title(291, "2.5"),
        section=diversity,
        level2=[para(*left) for left, _ in pairs25],
        level3=[para(*right) for _, right in pairs25],
        evidence_that=diversity_evidence,
        notes=differs_note(kloe_title(291, "2.5"), overview_title(66, "2.5"))
        + [
            COLUMN_NOTE_J1,
            "Layout: both level headings first, then 16 paragraphs alternating level 2, level 3 row by row. The first "
            "five pairs are clearly matched by topic and strength.",
            "Placement unsure: 'There is no evidence of direct or indirect discrimination. The service is meeting its legal "
            "requirements ...' (level 2) and 'The service is implementing its responsibilities to promote good race "
            "relations ...' (level 3) are close in strength; placed by the alternation.",
            "Placement unsure: the last four paragraphs have no obvious pairing; placed by the alternation: level 2 'The "
            "service considers the equality and diversity implications ...' and 'Customer service points comply with the "
            "Disability Discrimination Act.'; level 3 'Access to the service through new technology ...' and 'The service "
            "has effective procedures for ensuring that Appointees ...'. An empty cell in the original table would shift "
            "them.",
            "evidence_that: the 'Evidence that:' list printed under 'Key line of enquiry – Diversity', whose only KLOE is 2.5.",
        ],
    )

    k26 = kloe(
        "2.6",
        kloe_title(329, "2.6"),
        section=outcomes,
        level2=paras(
            (333, "A fair service refers to average"),
            (335, "The service's performance against its aims"),
            (337, "An accurate decision about benefit entitlement is made within"),
            (339, "Customers receive an accurate decision"),
            (341, "Progress is made on all work within 7 days"),
            (343, "The service makes direct payments to LHA"),
            (345, "Payments are accurate, paid quickly"),
        ),
        level3=paras(
            (349, "A good service refers to performance"),
            (351, "The benefits services' aims and objectives"),
            (353, "An accurate decision about benefit entitlement is made for new claims"),
            (355, "Customers receive an accurate decision"),
            (357, "All work is effectively progressed"),
        ),
        notes=differs_note(kloe_title(329, "2.6"), overview_title(76, "2.6"))
        + [
            COLUMN_NOTE_J1,
            "Layout: each level heading followed by its own paragraphs (7 at level 2, 5 at level 3).",
            "Kept as printed: 'An accurate decision about benefit entitlement is made within a satisfactory time for new claims' has no full stop.",
        ],
    )

    fraud2 = cell_bullets(369, 0, "The service meets satisfactory requirements for minimising fraud and error:")
    fraud3 = cell_bullets(369, 1, "The council performs well in minimising fraud and error:")
    assert fraud2[-1].endswith("the best mix of") and fraud3[-1].endswith("implemented a business plan")
    fraud2[-1] = joined(fraud2[-1], para(371, "interventions based on local risk factors."))
    fraud3[-1] = joined(fraud3[-1], para(379, "to reduce fraud and error based on the DWP"))
    before2 = (
        cell_paras(365, 0, "The service meets statutory requirements")
        + cell_paras(366, 0, "The service is taking satisfactory measures")
        + cell_paras(367, 0, "There are no significant backlogs")
        + cell_paras(368, 0, None)
    )
    before3 = (
        cell_paras(365, 1, "The service is performing well")
        + cell_paras(366, 1, "Incorrect payments are being actively prevented.")
        + cell_paras(367, 1, None)
        + cell_paras(368, 1, "The benefits service is addressing")
    )
    k27 = kloe(
        "2.7",
        kloe_title(359, "2.7"),
        section=outcomes,
        headings={3: {len(before3): fraud3[0]}, 2: {len(before2): fraud2[0]}},
        level2=before2
        + fraud2[1:]
        + paras(
            (373, "Benefits staff are effective"),
            (374, "Systems and procedures for dealing"),
            (375, "Potential fraudulent claims"),
            (376, "The council implements a clear policy"),
            (377, "The council is reducing fraud and error"),
        ),
        level3=before3 + fraud3[1:],
        notes=differs_note(kloe_title(359, "2.7"), overview_title(78, "2.7"))
        + [
            COLUMN_NOTE_J1,
            "Layout: both level headings first, then tab-separated <p>/<ul> rows, left = level 2, right = level 3.",
            "The row 'There are no significant backlogs of work by volume or age of work.' has an empty level 3 cell; the "
            "next row ('The benefits service is addressing ... Local Area Agreement themes.') an empty level 2 cell.",
            "The fraud and error cells: each cell's lead-in paragraph ('The service meets satisfactory requirements for "
            "minimising fraud and error:' / 'The council performs well in minimising fraud and error:') is the heading "
            "of the statements that follow it (descriptor_headings), not a statement to mark; one statement per '•' item. "
            "At level 2 the heading also covers the five bullets printed after the page break, which continue its list.",
            "Rejoined across the page break: level 2 '... the service is using the best mix of' + 'interventions based on "
            "local risk factors.'; level 3 'The council has successfully implemented a business plan' + 'to reduce fraud "
            "and error based on the DWP action plan for tackling fraud and error in HB and CTB.'.",
            "The five '- ' bullets printed after the page break ('Benefits staff are effective in preventing and managing "
            "fraud.' to 'The council is reducing fraud and error based on The Department of Work and Pensions (DWP) action "
            "plan ...') continue the level 2 column: they come between the level 2 and level 3 continuations and are "
            "minimum-standard statements ('are adequate'; the weaker form of the level 3 business plan item).",
        ],
    )

    k28 = kloe(
        "2.8",
        kloe_title(381, "2.8"),
        section=outcomes,
        level2=paras((385, "Customer satisfaction is satisfactory"), (387, "Customers experience an adequate level")),
        level3=paras((391, "Customer satisfaction is consistently high"), (393, "Customers experience a good level")),
        notes=differs_note(kloe_title(381, "2.8"), overview_title(80, "2.8"))
        + [COLUMN_NOTE_J1, "Layout: each level heading followed by its own two paragraphs."],
    )

    title_overview = para(37, "Question 2. ").removeprefix("Question 2. ")
    title_sources = para(222, "Question 2: ").removeprefix("Question 2: ")
    return {
        "id": "Q2",
        "kind": "question",
        "number": q("2"),
        "title": title_overview,
        "judgement": "J1",
        "evidence_that": access_evidence + outcomes_evidence,
        "sources_of_evidence": items(226, 248),
        "notes": [
            f"The heading of the 'Sources of evidence' part of the seed words this question \"{title_sources}\".",
            "evidence_that holds two of the seed's three 'Evidence that:' lists: the first five items follow the KLOEs "
            "under 'Key lines of enquiry – Access, customer care, user and community focus' (2.1-2.4), the last seven "
            "those under 'Key lines of enquiry – Service outcomes for users and the community' (2.6-2.8). The list under "
            "'Key line of enquiry – Diversity' is on KLOE 2.5.",
            "The item 'Customers can access the service easily. For example:' has a sub-list in the seed, kept in the same statement as '- ' lines.",
        ],
        "kloes": [k21, k22, k23, k24, k25, k26, k27, k28],
    }


def question_3() -> dict:
    rows31 = [
        (423, "Overall costs and unit costs", "Costs compare favourably"),
        (424, "Where costs are low", "There is a positive relationship"),
        (425, "Significant unintended high spending", "Unintended high spending is identified"),
        (426, "Overpayments are identified", None),
        (427, "Service capital projects", "Capital spending decisions"),
    ]
    k31_title = kloe_title(409, "3.1")
    k31 = kloe(
        "3.1",
        k31_title,
        level2=paras((413, "The service collates some information"), (415, "The service has recent evidence"))
        + [p for n, left, _ in rows31 for p in cell_paras(n, 0, left)]
        + paras((429, "The service's administrative systems"), (433, "Subsidy claim submission")),
        level3=paras((419, "The service has clear and accurate information"), (421, "Benchmarking groups are used"))
        + [p for n, _, right in rows31 for p in cell_paras(n, 1, right)]
        + paras((431, "The annual certification of the subsidy claim"), (435, "The benefits subsidy claim is accurate.")),
        evidence_that=items(104, 110),
        notes=differs_note(k31_title, overview_title(96, "3.1"))
        + [
            COLUMN_NOTE_J1,
            "Layout: each level heading followed by its own two paragraphs; then tab-separated <p> rows (left = level 2, "
            "right = level 3: 'not significantly higher than others' against 'compare favourably'); then four paragraphs "
            "with no heading, taken as alternating level 2, level 3.",
            "The row 'Overpayments are identified, reported and monitored ...' has an empty level 3 cell.",
            "Placement by alternation and sense for the last four paragraphs: level 2 'The service's administrative "
            "systems ... The auditor has minimal concerns ...' and 'Subsidy claim submission ... in accordance with the "
            "DWP's timetable to avoid penalty.'; level 3 'The annual certification ... results in no material errors ...' "
            "and 'The benefits subsidy claim is accurate. ...'.",
            "evidence_that: the seed's 'Evidence that:' list headed 'KLOE 3.1'.",
        ],
    )
    k32_title = kloe_title(437, "3.2")
    k32 = kloe(
        "3.2",
        k32_title,
        level2=paras(
            (443, "The council has effective procurement"),
            (447, "Consideration is given to the likely impact"),
            (451, "The benefits service contributes to maximise"),
            (455, "Processes for reviewing and improving value"),
            (459, "Service reviews in benefits have led"),
            (461, "Management arrangements include a focus"),
        ),
        level3=paras(
            (445, "Procurement strategies fully embrace"),
            (449, "Demonstrable improvements in value for money"),
            (453, "Working effectively with partners"),
            (457, "The scope for improving cost-effectiveness"),
            (463, "Management arrangements for value for money"),
        ),
        evidence_that=items(114, 121),
        notes=differs_note(k32_title, overview_title(98, "3.2"))
        + [
            COLUMN_NOTE_J1,
            "Layout: both level headings first, then 11 paragraphs alternating level 2, level 3 row by row.",
            "Placement unsure: the alternation is followed for the first nine paragraphs (the fifth level 2, 'Service "
            "reviews in benefits have led to some improvements ...', then has no level 3 partner). The last two "
            "paragraphs are a pair by topic and are placed by sense: 'Management arrangements include a focus on subsidy "
            "and minimising fraud. Other efficiency measures are in place ...' at level 2, 'Management arrangements for "
            "value for money including subsidy arrangements are regularly monitored and managed, and can show benefits "
            "...' at level 3 (strict alternation would give the reverse).",
            "evidence_that: the seed's 'Evidence that:' list headed 'KLOE 3.2'.",
        ],
    )
    return {
        "id": "Q3",
        "kind": "question",
        "number": q("3"),
        "title": para(92, "Question 3. ").removeprefix("Question 3. "),
        "judgement": "J1",
        "sources_of_evidence": items(399, 407),
        "notes": ["The seed's 'Evidence that:' lists for this question are headed per KLOE and sit on KLOEs 3.1 and 3.2."],
        "kloes": [k31, k32],
    }


COLUMN_NOTE_J2 = "Level 2 = the seed's 'Level 2 Uncertain prospects', level 3 = 'Level 3 Promising prospects'."
LEAD_NOTE = "The cell's lead-in ('The service/organisation ...') is kept at the start of its first statement."


def question_4() -> dict:
    spec = [
        ("4.1", 467, 129, None, (471, 472, "Has made changes"), (476, 477, "Has implemented changes")),
        ("4.2", 479, 130, None, (483, 484, "Has achieved some"), (488, 489, "Has made improvements")),
        ("4.3", 491, 131, None, (493, 495, "Has delivered variable"), (499, 501, "Can demonstrate, through")),
    ]
    kloes = []
    for kid, title_line, ov_line, ov_cont, (l2_lead, l2_line, l2_start), (l3_lead, l3_line, l3_start) in spec:
        title = kloe_title(title_line, kid)
        kloes.append(
            kloe(
                kid,
                title,
                level2=led(l2_lead, [(l2_line, l2_start)]),
                level3=led(l3_lead, [(l3_line, l3_start)]),
                notes=differs_note(title, overview_title(ov_line, kid, ov_cont)) + [COLUMN_NOTE_J2, LEAD_NOTE],
            )
        )
    title44 = kloe_title(503, "4.4")
    kloes.append(
        kloe(
            "4.4",
            title44,
            level2=led(505, [(507, "Can demonstrate steady"), (508, "Demonstrates investment"), (509, "Has officers and members")]),
            level3=led(
                513,
                [
                    (515, "Has made effective use"),
                    (516, "Can demonstrate investment"),
                    (517, "Has a clear focus"),
                    (518, "Has value for money and procurement"),
                ],
            ),
            notes=differs_note(title44, overview_title(132, "4.4", 134))
            + [
                COLUMN_NOTE_J2,
                LEAD_NOTE,
                "The question overview's wording of this KLOE is split over two lines by a stray line break "
                "('... demonstrate improving value' / 'for money over time?'), rejoined.",
            ],
        )
    )
    return {
        "id": "Q4",
        "kind": "question",
        "number": q("4"),
        "title": para(125, "Question 4. ").removeprefix("Question 4. "),
        "judgement": "J2",
        "kloes": kloes,
    }


def umbrella(kid: str, title_line: int, ov_line: int) -> dict:
    title = kloe_title(title_line, kid)
    return kloe(
        kid,
        title,
        scored=False,
        notes=differs_note(title, overview_title(ov_line, kid))
        + [f"An umbrella question with no descriptors of its own: it is scored through its sub-KLOEs {kid}.1 to {kid}.{3 if kid == '5.1' else 4}."],
    )


def question_5() -> dict:
    t511, t512, t513 = kloe_title(524, "5.1.1"), kloe_title(542, "5.1.2"), kloe_title(570, "5.1.3")
    t521, t522, t523, t524 = (
        kloe_title(586, "5.2.1"),
        kloe_title(607, "5.2.2"),
        kloe_title(651, "5.2.3"),
        kloe_title(669, "5.2.4"),
    )

    l2_512 = led(
        546,
        [
            (548, "Has included within its aims"),
            (549, "Has engaged with mainstream"),
            (550, "Has plans which include tasks"),
            (551, "Has not fully integrated"),
            (552, "Does not have clear priorities"),
            (566, "Can show the links between corporate aims through to community (if applicable), service and individual plans and priorities but"),
        ],
    )
    assert l2_512[4].endswith("not explicitly identified lower")
    l2_512[4] = joined(l2_512[4], para(564, "priority areas."))

    l2_522 = led(
        611,
        [
            (613, "Has managers, councillors and/or board members who are involved"),
            (614, "Does not have a good track record"),
            (615, "Has not fully integrated"),
            (616, "Has an adequate track record"),
            (617, "May have been unable"),
            (631, "Has plans which include tasks"),
            (632, "Produces regular information"),
            (633, "Has a range of performance monitoring"),
            (634, "Has performance monitoring which does not"),
            (635, "Coverage of service monitoring"),
            (636, "Is starting to embed"),
        ],
    )
    l2_522[4] = joined(l2_522[4], para(629, "which fully reflect service priorities"))
    l2_522[10] = joined(l2_522[10], para(647, "way to go."))
    l3_522 = led(
        621,
        [
            (623, "Has managers, councillors and/or board members and staff"),
            (624, "Has a strategic focus"),
            (625, "Has an integrated approach"),
            (626, "Has a good track record"),
            (627, "Has integrated its priorities"),
            (640, "Has plans that are realistic"),
            (641, "Produces regular, robust"),
            (642, "Has a range of complementary"),
            (643, "Ensures that information"),
            (644, "Reviews the frequency"),
            (645, "Has performance management well embedded"),
        ],
    )
    l3_522[4] = joined(l3_522[4], para(638, "service. These plans"))
    l3_522[10] = joined(l3_522[10], para(649, "involvement of its managers"))

    l3_524 = led(682, [(684, "Understands its strengths"), (685, "Has a well publicised"), (686, "Provides opportunities")])
    l3_524.append(with_sublist(para(687, "Learns from its own experiences"), items(688, 693)))
    assert items(688, 693)[0].startswith("systematic analysis") and items(688, 693)[-1] == "external inspections"

    kloes = [
        umbrella("5.1", 522, 140),
        kloe(
            "5.1.1",
            t511,
            parent="5.1",
            level2=led(528, [(530, "Has a vision"), (531, "Has aims which tend"), (532, "Has aims based on a basic")]),
            level3=led(536, [(538, "Has a clear vision"), (539, "Has aims that are stretching"), (540, "Has developed its aims")]),
            notes=differs_note(t511, overview_title(142, "5.1.1")) + [COLUMN_NOTE_J2, LEAD_NOTE],
        ),
        kloe(
            "5.1.2",
            t512,
            parent="5.1",
            level2=l2_512,
            level3=led(
                556,
                [
                    (558, "Has plans which address national"),
                    (559, "Has engaged with most services users"),
                    (560, "Has plans against which performance"),
                    (561, "Has integrated corporate, financial"),
                    (562, "Has translated its vision"),
                    (568, "Can show the links between corporate aims through to community (if applicable), service and individual plans, objectives"),
                ],
            ),
            notes=differs_note(t512, overview_title(144, "5.1.2"))
            + [
                COLUMN_NOTE_J2,
                LEAD_NOTE,
                "Rejoined across the page break: level 2 '... and/or not explicitly identified lower' + 'priority areas.'.",
                "After the page break the last bullet of each column follows: 'Can show the links ... but these could be "
                "strengthened ...' (level 2) and 'Can show the links ... so that individuals know what is expected of "
                "them ...' (level 3); 001_b03b6d61303c8cf7.txt places them the same way.",
            ],
        ),
        kloe(
            "5.1.3",
            t513,
            parent="5.1",
            level2=led(574, [(576, "Sets targets")]),
            level3=led(580, [(582, "Has set ambitious targets")]),
            notes=differs_note(t513, overview_title(146, "5.1.3")) + [COLUMN_NOTE_J2, LEAD_NOTE],
        ),
        umbrella("5.2", 584, 150),
        kloe(
            "5.2.1",
            t521,
            parent="5.2",
            level2=led(
                592,
                [(594, "Has a mixed quality"), (595, "Has a leadership style"), (596, "Has not maximised"), (605, "Has taken difficult decisions")],
            ),
            level3=led(
                598,
                [(600, "Has active, visible"), (601, "Leaders, having set"), (602, "Further demonstrates"), (603, "Can show that its managers")],
            ),
            notes=differs_note(t521, overview_title(152, "5.2.1"))
            + [
                COLUMN_NOTE_J2,
                LEAD_NOTE,
                "Layout: both level headings first, then the level 2 column's lead-in and bullets, then level 3's. The bullet "
                "'Has taken difficult decisions, but may have avoided other problem areas ...' printed after the level 3 "
                "bullets continues the level 2 column (the weaker form of level 3's 'willing to tackle difficult problems and "
                "to take (and stick to) tough decisions'; 001_b03b6d61303c8cf7.txt has it in the uncertain column).",
            ],
        ),
        kloe(
            "5.2.2",
            t522,
            parent="5.2",
            level2=l2_522,
            level3=l3_522,
            notes=differs_note(t522, overview_title(154, "5.2.2"))
            + [
                COLUMN_NOTE_J2,
                LEAD_NOTE,
                "The two columns interleave across two page breaks; each column's later bullets and the continuations of "
                "split bullets were followed by sense and checked against 001_b03b6d61303c8cf7.txt (same order there).",
                "Rejoined: level 2 'May have been unable to develop service/business/improvement plans and performance "
                "targets' + 'which fully reflect service priorities as these may be unclear. ...'; level 2 'Is starting to "
                "embed performance management but has some' + 'way to go. ...'; level 3 '... the aims and objectives for the' "
                "+ 'service. These plans set a framework ...'; level 3 '... with a track record of the active' + "
                "'involvement of its managers, ...'.",
            ],
        ),
        kloe(
            "5.2.3",
            t523,
            parent="5.2",
            level2=led(
                657, [(659, "Collects information on costs"), (660, "Understands the benefits"), (661, "Has councillors and/or board members and senior")]
            ),
            level3=led(663, [(665, "Is routinely generating"), (666, "Proactively works"), (667, "Councillors/board members")]),
            notes=differs_note(t523, overview_title(156, "5.2.3"))
            + [COLUMN_NOTE_J2, LEAD_NOTE, "Layout: both level headings first, then the level 2 column, then level 3's."],
        ),
        kloe(
            "5.2.4",
            t524,
            parent="5.2",
            level2=led(
                673,
                [(675, "Understands its strengths"), (676, "Has an adequate system"), (677, "Provides limited opportunity"), (678, "Uses its knowledge")],
            ),
            level3=l3_524,
            notes=differs_note(t524, overview_title(158, "5.2.4"))
            + [
                COLUMN_NOTE_J2,
                LEAD_NOTE,
                "The level 3 bullet 'Learns from its own experiences and from that of others, as a result of:' has a sub-list "
                "of six items in the seed; kept as one statement with the sub-items on '- ' lines.",
            ],
        ),
    ]
    return {
        "id": "Q5",
        "kind": "question",
        "number": q("5"),
        "title": para(136, "Question 5. ").removeprefix("Question 5. "),
        "judgement": "J2",
        "kloes": kloes,
    }


def question_6() -> dict:
    t61, t62, t63, t64 = (kloe_title(n, k) for n, k in ((697, "6.1"), (715, "6.2"), (745, "6.3"), (760, "6.4")))
    l3_62 = led(
        725,
        [
            (727, "Operates within a strategic HR framework"),
            (736, "Has HR practices which fully support"),
            (737, "has training and other development"),
            (738, "Has evidence (for example from staff surveys) that shows that staff believe"),
            (739, "Has a robust medium-term"),
            (740, "Can demonstrate consideration"),
            (741, "Has capacity fully utilised"),
        ],
    )
    assert l3_62[0].endswith("It works with partners, where") and l3_62[-1].endswith("for example, social")
    l3_62[0] = joined(l3_62[0], para(735, "appropriate to address issues"))
    l3_62[-1] = joined(l3_62[-1], para(743, "inclusion, community safety"))
    kloes = [
        kloe(
            "6.1",
            t61,
            level2=led(703, [(705, "May generally have"), (706, "Is clear about the strategic"), (707, "Uses information and communication")]),
            level3=led(709, [(711, "Has the people, skills"), (712, "Has councillors and/or board members and officers"), (713, "Uses ICT effectively")]),
            notes=differs_note(t61, overview_title(164, "6.1"))
            + [COLUMN_NOTE_J2, LEAD_NOTE, "Layout: both level headings first, then the level 2 column, then level 3's."],
        ),
        kloe(
            "6.2",
            t62,
            level2=led(
                721,
                [
                    (723, "Lacks a fully effective"),
                    (729, "Has HR practices which only partially"),
                    (730, "Provides training to cover"),
                    (731, "Has evidence (for example from staff surveys) that shows that only some"),
                    (732, "Has a medium term financial plan"),
                    (733, "Demonstrates minimum/limited"),
                    (734, "Has capacity which may not"),
                ],
            ),
            level3=l3_62,
            notes=differs_note(t62, overview_title(166, "6.2"))
            + [
                COLUMN_NOTE_J2,
                LEAD_NOTE,
                "Layout: both level headings first, then the two columns interleave across a page break: level 2 lead-in "
                "and first bullet, level 3 lead-in and first bullet (split), the rest of level 2, the end of level 3's first "
                "bullet (printed as '- appropriate to address issues ...') and the rest of level 3.",
                "The seed indents most bullets of each column as if they were a sub-list of 'Has HR practices ...'; "
                "001_b03b6d61303c8cf7.txt shows them as bullets of the same rank, so each is a statement of its own.",
                "Rejoined: level 3 '... It works with partners, where' + 'appropriate to address issues around recruitment, "
                "retention, training and development over the medium to long-term.'; level 3 '... These include, for "
                "example, social' + 'inclusion, community safety and the needs of young people.'.",
                "Kept as printed: level 3 'has training and other development activity ...' starts with a lower-case 'has'.",
            ],
        ),
        kloe(
            "6.3",
            t63,
            level2=led(749, [(751, "Does not base procurement decisions solely on lowest cost but")]),
            level3=led(755, [(757, "Does not base procurement decisions solely on lowest cost options"), (758, "Has engaged effectively")]),
            notes=differs_note(t63, overview_title(168, "6.3"))
            + [
                COLUMN_NOTE_J2,
                LEAD_NOTE,
                "001_b03b6d61303c8cf7.txt's uncertain cell for 6.3 has a further statement that this seed lacks ('pursues "
                "joint procurement with appropriate partners and improvements in value for money are being secured.') and "
                "words the other one differently ('... but reflect the best combination of cost and quality.'). This seed has "
                "the cell, so its words stand and nothing is taken from 001.",
                "Kept as printed: level 3 'Has engaged effectively in strategic partnering, with evidence of improvements in "
                "services or facilities' has no full stop.",
            ],
        ),
        kloe(
            "6.4",
            t64,
            level2=led(764, [(766, "Seeks external funding")]),
            level3=led(770, [(772, "Secures and maximises")]),
            notes=differs_note(t64, overview_title(170, "6.4")) + [COLUMN_NOTE_J2, LEAD_NOTE],
        ),
    ]
    return {
        "id": "Q6",
        "kind": "question",
        "number": q("6"),
        "title": para(160, "Question 6. ").removeprefix("Question 6. "),
        "judgement": "J2",
        "kloes": kloes,
    }


def scale_rows(first: int, last: int) -> list[list[str]]:
    rows = [raw(n).split("\t") for n in range(first, last + 1) if raw(n).strip()]
    assert all(len(r) == 3 for r in rows), rows
    return [[clean(c) for c in r] for r in rows]


def scales() -> list[dict]:
    assert scale_rows(176, 176) == [["Score level", "AC labels and stars for Judgement 1", "Overall descriptors"]]
    assert scale_rows(184, 184) == [["Score level", "AC labels for judgement 2", "Overall descriptors"]]
    service_rows = scale_rows(177, 180)
    prospects_rows = scale_rows(185, 189)
    intro = para(174, "The following scoring levels")
    printed = {"4": ("Excellent ★★★", "Excellent", 3), "3": ("Good ★★", "Good", 2), "2": ("Fair ★", "Fair", 1), "1": ("Poor (0 stars)", "Poor", 0)}
    service_levels = []
    for level, label_printed, descriptor in service_rows:
        expected, label, stars = printed[level]
        assert label_printed == expected, (label_printed, expected)
        entry = {"level": int(level), "label": label, "stars": stars, "descriptor": descriptor}
        if level in ("3", "2"):
            entry["heading"] = {"3": "Level 3 Good", "2": "Level 2 Fair"}[level]
        service_levels.append(entry)
    prospects_levels = []
    for level, label, descriptor in prospects_rows:
        entry = {"level": int(level), "label": label, "descriptor": descriptor}
        if level in ("3", "2"):
            entry["heading"] = f"Level {level} {label}"
        prospects_levels.append(entry)
    assert [e["label"] for e in prospects_levels] == [
        "Excellent prospects",
        "Promising prospects",
        "Uncertain prospects",
        "Poor prospects",
    ]
    return [
        {
            "id": "ac-service",
            "title": scale_rows(176, 176)[0][1],
            "levels": service_levels,
            "note": intro,
        },
        {
            "id": "ac-prospects",
            "title": scale_rows(184, 184)[0][1],
            "levels": prospects_levels,
            "note": intro,
        },
    ]


def judgements() -> list[dict]:
    j1 = para(17, "Judgement 1 – ").removeprefix("Judgement 1 – ")
    j2 = para(123, "Judgement 2 – ").removeprefix("Judgement 2 – ")
    j2_table = para(182, "Judgement 2 – ").removeprefix("Judgement 2 – ")
    return [
        {"id": "J1", "title": j1, "scale": "ac-service"},
        {
            "id": "J2",
            "title": j2,
            "scale": "ac-prospects",
            "note": f'The heading of the seed\'s scoring-levels table for this judgement words it "{j2_table}".',
        },
    ]


def framework() -> dict:
    title = para(3, "Benefit service inspections")
    description = [
        para(7, "Every council that administers"),
        para(11, "The benefit service descriptors"),
        para(13, "The Commission's inspection approach"),
        para(15, "Our Judgement 2 KLOE"),
        para(193, "Sources of evidence are provided"),
    ]
    return {
        "id": "ac-benefits",
        "version": q("2"),
        "descriptor_reading": "best_fit",
        "title": title,
        "publisher": "Audit Commission",
        "date": q("undated"),
        "source": {
            "document": SEED_NAME,
            "title": title,
            "note": "PDF-extracted text; the seed prints no date.",
        },
        "description": description,
        "scales": scales(),
        "judgements": judgements(),
        "groups": [question_1(), question_2(), question_3(), question_4(), question_5(), question_6()],
        "notes": [
            'The workbook reads these descriptors as best fit (descriptor_reading: best_fit): each described level is a picture of an organisation at that level and the analyst finds which fits best; the rule that suggests a level from the marked statements is the workbook\'s own. The seed\'s words behind it (000_014e849d60115a45.txt): descriptors are included "to provide examples of the type of arrangements and outputs that inspectors will be expecting to see for each level of performance"; "Neither the sources of evidence nor the descriptors are intended to be a checklist"; "Inspectors will make a rounded judgement against each KLOE based on all the evidence available to them and using the descriptors as guidance".',
            "Description: the seed's 'Background' and 'Focus' paragraphs, then its paragraph under 'Sources of evidence "
            "and descriptors' on how sources of evidence and descriptors are used.",
            "Judgement 1 KLOEs (2.1-3.2) give level 2 (Fair) and level 3 (Good) descriptors; Judgement 2 KLOEs (4.1-6.4) "
            "give level 2 (Uncertain prospects) and level 3 (Promising prospects). The seed describes no level 4 or 1.",
            "KLOE titles are the wording printed at the head of each KLOE's descriptors; where the question overview near "
            "the start of the seed words a KLOE differently, the KLOE's notes give that wording.",
            "No cell was taken from another seed: every Judgement 2 cell is present in this seed "
            "(001_b03b6d61303c8cf7.txt was read to check column placement only).",
            "Markup ('<p>', '<ul>', '**'), bullet glyphs and page-break splits removed; spelling, punctuation and typos kept as printed.",
        ],
    }


HEADER = f"""\
# Audit Commission: Benefit service inspections (KLOE, scoring levels, descriptors).
# Transcribed from frameworks/sources/{SEED_NAME}.
# GENERATED by tools/extract_ac_benefits.py: edit the script (its line-anchored picks and
# notes), not this file, then re-run it.
"""


def main() -> int:
    data = framework()
    text = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
    OUT_PATH.write_text(HEADER + text, encoding="utf-8")
    print(f"wrote {OUT_PATH.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
