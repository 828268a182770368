"""The framework handbook: one self-contained, inert, readable HTML page per framework."""

from __future__ import annotations

import re

import pytest
from browser import open_file_page
from htmlcheck import inert_problems

from kloe_nb.framework.loader import load_framework_by_id, load_framework_record
from kloe_nb.render.handbook import render_handbook, write_handbook

ALL_IDS = ["ac-benefits", "ac-judgement2", "caa-2009", "hi-prospects", "wao-housing"]


def _assert_self_contained(html: str) -> None:
    assert inert_problems(html) == []


@pytest.mark.parametrize("framework_id", ALL_IDS)
def test_handbook_has_every_kloe_and_statement_and_loads_nothing(framework_id):
    record = load_framework_by_id(framework_id)
    html = render_handbook(record.framework, record.sha256)
    _assert_self_contained(html)
    for _, kloe in record.framework.iter_kloes():
        assert f'id="k-{kloe.id.replace("/", "_")}"' in html
        for statements in kloe.descriptors.values():
            for statement in statements:
                assert _escaped(statement) in html, statement[:80]
    assert record.framework.source.document in html


def _escaped(text: str) -> str:
    import markupsafe

    return str(markupsafe.escape(text))


def test_text_from_a_framework_file_is_escaped_not_run(framework_data, tmp_path):
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> {{ 7*7 }}"
    text = (framework_data / "good_minimal.yaml").read_text().replace('"Access is good."', f"'{hostile}'")
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    record = load_framework_record(path)
    html = render_handbook(record.framework, record.sha256)
    _assert_self_contained(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html


def test_descriptors_sit_side_by_side_under_their_level_headings():
    record = load_framework_by_id("hi-prospects")
    html = render_handbook(record.framework, record.sha256)
    article = html[html.index('id="k-track-record"') :]
    article = article[: article.index("</article>")]
    headings = re.findall(r'<th scope="col" class="level-(\d)">([^<]*)</th>', article)
    assert [level for level, _ in headings] == ["4", "2"]
    assert "Excellent prospects" in headings[0][1] and "Uncertain prospects" in headings[1][1]


@pytest.mark.browser
def test_handbook_opens_offline_in_a_real_browser(tmp_path, artifacts_dir):
    record = load_framework_by_id("hi-prospects")
    output = write_handbook(record, tmp_path / "hi-prospects.html")
    with open_file_page(output) as (page, visit):
        title = page.title()
        kloe_count = page.locator("article.kloe").count()
        page.screenshot(path=str(artifacts_dir / "handbook-hi-prospects.png"), full_page=False)
    assert "prospects for improvement" in title
    assert kloe_count == len(record.framework.iter_kloes())
    assert [url for url in visit.requests if not url.startswith("file://")] == []
    assert visit.console_errors == [] and visit.page_errors == []


def test_handbook_is_written_atomically_and_readable_by_others(tmp_path):
    record = load_framework_by_id("hi-prospects")
    output = write_handbook(record, tmp_path / "out" / "hb.html")
    assert output.stat().st_mode & 0o044 == 0o044
    assert [p.name for p in output.parent.iterdir()] == ["hb.html"]


def test_the_handbook_says_how_the_descriptors_are_read():
    from kloe_nb.framework import load_framework
    from kloe_nb.render.handbook import render_handbook

    framework = load_framework("hi-prospects")
    assert framework.descriptor_reading == "best_fit"
    page = render_handbook(framework, "0" * 64)
    assert "How to read the descriptors" in page and "find the picture that fits best" in page
    threshold = render_handbook(framework.model_copy(update={"descriptor_reading": "threshold"}), "0" * 64)
    assert "each level presupposes every statement of the levels below it" in threshold


def test_a_lead_in_heads_its_list_and_is_not_a_statement():
    html = render_handbook(load_framework_by_id("ac-benefits").framework, "0" * 64)
    article = html[html.index('id="k-2.7"') :]
    article = article[: article.index("</article>")]
    assert '<p class="lead-in">The service meets satisfactory requirements for minimising fraud and error:</p><ul><li>There are robust procedures' in article
    assert "<li>The service meets satisfactory requirements" not in article
