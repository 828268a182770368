"""The council report: what it shows, in the frameworks' words, as one inert, self-contained page.

These tests build the page without a kernel (the same ``Report`` sections the notebook cells
display, placed in a notebook as their outputs, rendered by the same exporter), so they are
fast; tests/test_batch*.py run the real notebook.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys

import markupsafe
import nbformat
import papermill
import pytest
from builders import page_of, stored, string_constants
from conftest import REPO_ROOT
from htmlcheck import inert_problems
from nbformat.v4 import new_code_cell, new_output

from kloe_nb.framework import load_framework
from kloe_nb.render.exporter import sections, summary
from kloe_nb.render.inert import inert_problems as fast_inert_problems
from kloe_nb.report import Report, ReportError
from kloe_nb.report.wording import judgement_sentence
from kloe_nb.scoring import score

EXAMPLES = REPO_ROOT / "examples" / "assessments"
NOTEBOOK = REPO_ROOT / "notebooks" / "report.ipynb"
HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<iframe src="https://evil.example"></iframe>',
    "</body></html><p>after</p>",
    "{{ 7*7 }} {% raw %}",
    "He said \"quoted\" & 'single'",
    "left \u202e right-to-left override",
]


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


# -- the judgement sentence, in each framework's own words --------------------------------------
@pytest.mark.parametrize(
    "name, sentence",
    [
        ("ac-benefits--EX-AC01--2008-09", "a 'fair', one-star service with uncertain prospects for improvement"),
        ("ac-benefits--EX-AC03--2008-09", "a 'poor', zero-star service with uncertain prospects for improvement"),
        ("ac-benefits--EX-AC02--2008-09", "a 'good', two-star service with excellent prospects for improvement"),
        ("ac-judgement2--EX-J201--2008-09", "an organisation with promising prospects for improvement"),
        ("hi-prospects--EX-HI02--2008-09", "an organisation with uncertain prospects for improvement"),
        ("wao-housing--EX-WA02--2008-09", "a 'satisfactory' service; an organisation which shows weaknesses in processes and performance"),
        ("caa-2009--EX-CA01--2009-10", None),
    ],
)
def test_the_judgement_sentence_is_built_from_the_frameworks_labels_and_stars(name, sentence):
    from kloe_nb.assessment.model import Assessment

    assessment = Assessment.model_validate(example(name))
    framework = load_framework(assessment.framework)
    assert judgement_sentence(framework, score(framework, assessment)) == sentence


def test_no_label_or_kloe_is_written_into_the_report_code():
    literals = set().union(*(string_constants(path) for path in (REPO_ROOT / "kloe_nb" / "report").glob("*.py")))
    words = " ".join(literals).lower()
    for framework_id in ("ac-benefits", "hi-prospects", "wao-housing", "caa-2009"):
        framework = load_framework(framework_id)
        labels = {level.label.lower() for scale in framework.scales for level in scale.levels if level.label}
        for label in labels:
            assert not re.search(rf"\b{re.escape(label)}\b", words), label
        assert not {kloe.id for _, kloe in framework.iter_kloes()} & literals


# -- what a report shows -----------------------------------------------------------------------
def test_an_ac_report_shows_header_judgements_questions_improvements_and_provenance(tmp_path, renderer):
    document = example("ac-benefits--EX-AC01--2008-09")
    store = stored(tmp_path, document)
    html, nb = page_of(Report.load("ac-benefits", "EX-AC01", str(store)), renderer)
    assert inert_problems(html) == []
    text = re.sub(r"\s+", " ", html)
    assert "Aldermere Borough Council" in text and "EX-AC01" in text and "2008/09" in text
    assert document["assessor"] in text
    assert "A &#39;fair&#39;, one-star service with uncertain prospects for improvement" in text
    assert "2 Fair ★" in text and "Uncertain prospects" in text
    for number in ("Question 2: Is the service meeting the needs of the community and users?", "Question 6"):
        assert number in text
    assert text.count('class="report-chart"') == 5  # Q2-Q6; Q1 is context only
    assert "context only (not scored)" in text
    afi = next(record["areas_for_improvement"] for record in document["kloes"].values() if record.get("areas_for_improvement"))
    assert str(markupsafe.escape(afi)) in text
    evidence = next(record["evidence"][0] for record in document["kloes"].values() if record.get("evidence"))
    assert str(markupsafe.escape(evidence["reference"])) in text
    footer = text[text.index('<footer class="provenance">') :]
    for fact in ("ac-benefits", "000_014e849d60115a45.txt", "kloe-workbook 0.1.0", "Assessment revision 1", "Generated"):
        assert fact in footer
    assert "Illustrative example data" in text and "@bottom-center" in text  # on screen and on every printed page
    assert summary(nb)["judgements"]["J1"]["label"] == "Fair"


def test_a_caa_report_highlights_this_councils_cell_and_shows_the_decision_and_flags(tmp_path, renderer):
    store = stored(tmp_path, example("caa-2009--EX-CA01--2009-10"), example("caa-2009--EX-CA02--2009-10"), example("caa-2009--EX-CA03--2009-10"))
    decided, _ = page_of(Report.load("caa-2009", "EX-CA01", str(store)), renderer)
    highlighted = re.findall(r'<td class="highlight"[^>]*>([^<]*)', decided)
    assert highlighted == ["2 or 3 "]
    assert "Organisational assessment: <strong>3</strong>" in decided
    assert "on balance the higher of the two scores" in decided
    assert "green flag" in decided and "Reducing delayed transfers of care" in decided
    undecided, _ = page_of(Report.load("caa-2009", "EX-CA02", str(store)), renderer)
    assert re.findall(r'<td class="highlight"[^>]*>([^<]*)', undecided) == ["3 or 4 "]
    assert "needs a decision:</strong> 3 or 4" in undecided and "Provisional" in undecided
    flagged, _ = page_of(Report.load("caa-2009", "EX-CA03", str(store)), renderer)
    assert "red flag" in flagged and "Criteria that apply" in flagged
    for html in (decided, undecided, flagged):
        assert inert_problems(html) == []


# every lead assessment (a second assessor's track, "...--B", is not reported on: tests/test_examples.py checks those)
@pytest.mark.parametrize("name", sorted(path.stem for path in EXAMPLES.glob("*.json") if path.stem.count("--") == 2))
def test_every_example_report_is_inert_illustrative_and_under_100_kb(name, tmp_path, renderer):
    document = example(name)
    assert document["illustrative"] is True
    council = sorted(EXAMPLES.glob(f"{document['framework']}--{document['organisation']['code']}--*.json"))
    store = stored(tmp_path, *(json.loads(path.read_text(encoding="utf-8")) for path in council))  # every period and track, as make demo stores them
    html, _ = page_of(Report.load(document["framework"], document["organisation"]["code"], str(store), document["period"]), renderer)
    assert inert_problems(html) == [] and fast_inert_problems(html) == []
    assert "Illustrative example data" in html and 'id="travel"' in html and 'id="improvement"' in html
    assert len(html.encode()) < 100_000, len(html.encode())  # every period's, not only the latest (issue 16)


def test_a_real_assessment_has_no_illustrative_banner(tmp_path, renderer):
    document = example("hi-prospects--EX-HI01--2008-09") | {"illustrative": False}
    store = stored(tmp_path, document)
    html, _ = page_of(Report.load("hi-prospects", "EX-HI01", str(store)), renderer)
    assert "Illustrative example data" not in html and "@page" not in html


def test_nothing_assessed_is_refused_with_the_council_and_the_reason(tmp_path):
    document = example("hi-prospects--EX-HI01--2008-09")
    document["kloes"] = {kloe: {"evidence": record["evidence"]} for kloe, record in document["kloes"].items()}
    document["judgements"] = {}
    store = stored(tmp_path, document)
    with pytest.raises(ReportError, match="EX-HI01.*nothing assessed yet"):
        Report.load("hi-prospects", "EX-HI01", str(store))


def test_a_missing_store_is_an_error_not_a_new_empty_store(tmp_path):
    from kloe_nb.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no assessment store"):
        Report.load("hi-prospects", "EX-HI01", str(tmp_path / "missing.db"))
    assert not (tmp_path / "missing.db").exists()


# -- scenario 9: hostile text is stored byte for byte and shown as literal text -----------------------
def test_hostile_text_is_stored_exactly_and_shown_as_text_everywhere(tmp_path, renderer):
    document = example("ac-benefits--EX-AC01--2008-09")
    hostile = "\n".join(HOSTILE)
    document["organisation"]["name"] = "<script>alert('name')</script> Council"
    document["assessor"] = '<img src=x onerror="alert(2)">'
    record = document["kloes"]["2.1"]
    record["strengths"] = hostile
    record["areas_for_improvement"] = hostile
    record["evidence"] = [{"source": HOSTILE[0], "reference": HOSTILE[3], "note": HOSTILE[1], "date_seen": HOSTILE[2]}]
    document["judgements"]["J2"]["rationale"] = hostile
    record["actions"] = [
        {"area": hostile, "action": hostile, "owner": HOSTILE[1], "due": "2010-03-31", "priority": "high", "resources": HOSTILE[4], "measure": HOSTILE[6]},
        {"action": HOSTILE[5]},
    ]
    record["moderation"] = {"levels": {"": 1, "B<script>": 3}, "assessors": {"B<script>": HOSTILE[1]}, "note": hostile, "moderated_by": HOSTILE[0]}
    store = stored(tmp_path, document)
    report = Report.load("ac-benefits", "EX-AC01", str(store))
    from kloe_nb.store import AssessmentKey, open_store

    with open_store(store) as opened:
        kept = opened.load(AssessmentKey("ac-benefits", "EX-AC01", "2008/09")).assessment
    assert kept.kloes["2.1"].strengths == hostile and kept.organisation.name == document["organisation"]["name"]
    assert kept.kloes["2.1"].actions[0].action == hostile and kept.kloes["2.1"].moderation.note == hostile
    html, _ = page_of(report, renderer)
    plan = html[html.index('<table class="report-plan-table">') :]
    plan = plan[: plan.index("</table>")]
    assert plan.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") == 2 and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in plan
    assert "{{ 7*7 }}" in plan and "&lt;/body&gt;&lt;/html&gt;&lt;p&gt;after" in plan
    assert "agreed in moderation: lead 1, &lt;img src=x onerror=&#34;alert(1)&#34;&gt; 3" in html
    assert inert_problems(html) == [] and fast_inert_problems(html) == []
    assert not re.search(r"<(script|iframe|img)\b", html, re.I)  # as tags: only their escaped text is there
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*(javascript|data):""", html, re.I)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; Council" in html  # in the title and the heading
    assert "{{ 7*7 }}" in html and ">49<" not in html
    assert "\u202e" not in html and "left [U+202E] right-to-left override" in html
    assert "</body></html><p>" not in html and "&lt;/body&gt;&lt;/html&gt;&lt;p&gt;after" in html
    assert html.count("</body>") == 1
    assert 'http-equiv="Content-Security-Policy" content="default-src \'none\'' in html


def test_outputs_the_report_package_did_not_tag_never_reach_the_page(tmp_path, renderer):
    store = stored(tmp_path, example("hi-prospects--EX-HI01--2008-09"))
    _, nb = page_of(Report.load("hi-prospects", "EX-HI01", str(store)), renderer)
    nb = copy.deepcopy(nb)
    stray = new_code_cell("display(HTML(...))")
    stray.outputs = [
        new_output("display_data", data={"text/html": "<script>alert(1)</script><b>stray</b>"}),
        new_output("display_data", data={"application/javascript": "alert(2)"}),
        new_output("stream", name="stdout", text="<script>printed</script>"),
        new_output("error", ename="ValueError", evalue="<b>boom</b>", traceback=["<script>tb</script>"]),
    ]
    nb.cells.insert(2, stray)
    html = renderer.render(nb)
    assert "stray" not in html and "alert(2)" not in html and "printed" not in html and "boom" not in html
    assert [section.name for section in sections(nb)] == ["header", "judgements", "sensitivity", "travel", "groups", "end", "footer"]


def test_the_page_checker_refuses_what_could_run():
    from kloe_nb.render.inert import UnsafePageError, require_inert

    csp = '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
    for bad in (
        "<script>1</script>",
        "<svg onload=alert(1)>",
        '<a href="javascript:alert(1)">',
        '<a href=" JavaScript:x">',
        "<iframe src=x>",
        '<link rel=stylesheet href="https://cdn/x.css">',
        "<style>@import 'x.css';</style>",
        '<img src="https://tracker/x.gif">',
        "<object data=x>",
        '<meta http-equiv="refresh" content="0;url=x">',
    ):
        with pytest.raises(UnsafePageError):
            require_inert(csp + bad, "test page")
    assert require_inert(csp + '<a href="#x">in page</a><a href="ex-01.html">report</a>', "ok")
    with pytest.raises(UnsafePageError, match="Content-Security-Policy"):
        require_inert("<p>no policy</p>", "test page")


# -- the notebook --------------------------------------------------------------------------
def test_the_notebook_declares_exactly_the_four_parameters_each_with_help():
    declared = papermill.inspect_notebook(str(NOTEBOOK))
    assert list(declared) == ["framework", "council_code", "store", "period"]
    assert all(item["help"] and item["inferred_type_name"] == "str" for item in declared.values())


def test_papermill_help_notebook_lists_the_parameters():
    result = subprocess.run([sys.executable, "-m", "papermill", "--help-notebook", str(NOTEBOOK)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for name in ("framework", "council_code", "store", "period"):
        assert re.search(rf"^\s+{name}: str", result.stdout, re.M), result.stdout


def test_the_notebook_cells_only_call_the_package():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code[0].metadata["tags"] == ["parameters"]
    for cell in code[1:]:
        assert not re.search(r"^\s*(def|class|for|while|if|with|try|import os|lambda)\b", cell.source, re.M), cell.source
        assert all(not output for output in cell.get("outputs", []))


def test_a_judgements_not_yet_assessed_list_names_kloes_by_number_or_title_never_by_id(tmp_path, renderer):
    """hi-prospects numbers no KLOE (ids are slugs such as track-record); ac-benefits numbers them (2.1...)."""

    def last_scored(framework_id: str) -> str:
        return [kloe.id for _, kloe in load_framework(framework_id).iter_kloes() if kloe.scored][-1]

    documents = [
        {"framework": framework, "organisation": {"code": "X1", "name": "X"}, "period": "2009/10", "kloes": {last_scored(framework): {"level": 2}}}
        for framework in ("hi-prospects", "ac-benefits")
    ]
    store = stored(tmp_path, *documents)
    for framework_id in ("hi-prospects", "ac-benefits"):
        html, _ = page_of(Report.load(framework_id, "X1", str(store)), renderer)
        cells = [cell for cell in re.findall(r'<td class="note">(.*?)</td>', re.sub(r"\s+", " ", html)) if "not yet assessed: " in cell]
        assert cells, framework_id
        named = ", ".join(cell.split("not yet assessed: ", 1)[1] for cell in cells)
        framework = load_framework(framework_id)
        for _, kloe in framework.iter_kloes():
            if kloe.scored and not kloe.id[0].isdigit():
                assert kloe.id not in named.replace(kloe.title.lower(), "")
        if framework_id == "hi-prospects":
            assert "&#8220;Track record&#8221;" in named or "\u201cTrack record\u201d" in named
        else:
            assert "KLOE 2.1" in named
