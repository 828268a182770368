"""The stylesheet a page carries (render/stylesheet.py): compacted, and on report and comparison pages only
the rules that can match the page, so the same page looks the same with fewer bytes."""

from __future__ import annotations

import re

from builders import page_of, stored
from conftest import REPO_ROOT
from test_report_content import documents

from kloe_nb.render.exporter import TEMPLATES_DIR
from kloe_nb.render.stylesheet import classes_in, compact_css, used_rules
from kloe_nb.report import Report

SHEET = """
/* a comment */
:root { --ink: #1d2330; }
h2 { margin: 2rem 0 .6rem; }
.used, .absent { color: red; }
.absent { color: blue; }
.used .absent { color: green; }
.used:not(.absent) { font-weight: 700; }
.used:has(.absent) { font-style: italic; }
.used th:nth-child(2) { width: 11%; }
@media print {
  .used { color: black; }
  .absent { display: none; }
}
@media print { .absent-too { display: none; } }
"""


def test_compacting_drops_comments_and_white_space_only():
    assert (
        compact_css(".a  >  b ,  .c { color:  red ;  margin: 0 }\nnav :first-child { margin: 0; }") == ".a>b,.c{color:red;margin:0}nav :first-child{margin:0}"
    )
    assert "/*" not in compact_css(SHEET) and compact_css(SHEET).count("{") == SHEET.count("{")


def test_a_page_keeps_exactly_the_rules_that_can_match_it():
    kept = compact_css(SHEET, page='<p class="used other">x</p>')
    assert kept == (
        ":root{--ink:#1d2330}h2{margin:2rem 0 .6rem}.used,.absent{color:red}"
        ".used:not(.absent){font-weight:700}.used:has(.absent){font-style:italic}.used th:nth-child(2){width:11%}"
        "@media print{.used{color:black}}"
    )
    assert used_rules(compact_css(SHEET), set()) == ":root{--ink:#1d2330}h2{margin:2rem 0 .6rem}"


def test_class_names_are_read_from_class_attributes_not_from_escaped_text():
    assert classes_in('<p class="a  b">class=&#34;c&#34;</p><path class="bar-3"/>&lt;p class=&#34;d&#34;&gt;') == {"a", "b", "bar-3"}


def test_a_report_carries_its_own_rules_and_not_the_index_or_the_handbook(tmp_path, renderer):
    store = stored(tmp_path, *documents("wao-housing", "EX-WA02"))
    page, _ = page_of(Report.load("wao-housing", "EX-WA02", str(store), "2008/09"), renderer)
    css = re.search(r"<style>\n(.*?)\n</style>", page, re.S).group(1)  # type: ignore[union-attr]
    whole = compact_css((TEMPLATES_DIR / "style.css").read_text(encoding="utf-8"))
    assert len(css) < len(whole) - 2000
    for rule in (".report-kloes dt{", ".report-chart .bar-3{stroke:var(--l3)}", ".report-unplanned ul li{", ".provenance{", "@media print{"):
        assert rule in css, rule
    for gone in (".heatmap", ".index-ordering", ".kloe h4", ".report-combination-table"):
        assert gone not in css, gone
    assert used_rules(whole, classes_in(page)) == css  # what the page keeps is decided by the page alone


def test_the_index_and_the_handbook_still_carry_the_whole_sheet():
    text = (REPO_ROOT / "kloe_nb" / "render" / "nbconvert" / "kloe" / "index.html.j2").read_text(encoding="utf-8")
    assert "only_used_css" in text  # report and comparison pages, rendered by the exporter
    for template in ("index.html.j2", "handbook.html.j2"):
        assert "only_used_css" not in (TEMPLATES_DIR / template).read_text(encoding="utf-8")
