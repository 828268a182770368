"""The page check (``kloe_nb.render.inert``): what a browser would run, load or follow is refused.

Each construct here passes for markup in a page with the workbook's own head; ``require_inert``
must refuse every one, whatever a notebook emits, and still pass every page the workbook writes
(the report, comparison, handbook and index tests check those). One test writes a page through
``kloe render`` with a notebook of one's own. When the check was written each construct was opened
in Chromium without the page's policy; most ran script, loaded from the network or navigated, and
the rest are refused as what they would do with something to act on (a stylesheet, a click).
"""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from builders import stored
from conftest import REPO_ROOT

from kloe_nb.render.inert import UnsafePageError, inert_problems, require_inert

POLICY = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">"
HEAD = f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n{POLICY}\n<title>A page</title>\n</head>\n<body>\n'
NET = "http://example.invalid/"


def page(body: str) -> str:
    return f"{HEAD}<p>before</p>{body}<p>after</p>\n</body>\n</html>\n"


# The twelve constructs of issue 12 item 6: each passed the earlier regular-expression check.
ISSUE = {
    "meta refresh, slashes for spaces": (f'<meta/http-equiv="refresh"/content="0;url={NET}">', "http-equiv='refresh'"),
    "script, slash for a space": ("<script/x>alert(1)</script>", "<script>"),
    "img onerror, slashes": ("<img/src=x/onerror=alert(1)>", "src="),
    "iframe": (f"<iframe/src={NET}></iframe>", "<iframe>"),
    "object": (f"<object/data={NET}></object>", "<object>"),
    "embed": (f"<embed/src={NET}>", "<embed>"),
    "base": (f"<base/href={NET}>", "<base>"),
    "link": (f"<link/rel=stylesheet/href={NET}x.css>", "<link>"),
    "form": (f"<form/action={NET}><button>go</button></form>", "<form>"),
    "a href javascript": ("<a/href=javascript:alert(1)>x</a>", "href="),
    "animate values javascript": ("<svg><a><animate attributeName=href values=javascript:alert(1) /><text>x</text></a></svg>", "<animate>"),
    "style url with a CSS escape": (f'<p style="background:u\\72l({NET}bg.png)">x</p>', "style="),
}

# More that a browser runs, loads or follows (each checked in Chromium by the browser test below).
EXTRAS = {
    "script in capitals": ("<SCRIPT>alert(1)</SCRIPT>", "<script>"),
    "script inside svg": ("<svg><script>alert(1)</script></svg>", "<script>"),
    "event handler": ("<details open ontoggle=alert(1)>x</details>", "ontoggle="),
    "event handler after a quoted value": ('<img src="#"onerror=alert(1)>', "onerror="),
    "event handler after a slash": ("<img src='#'/onerror=alert(1)>", "onerror="),
    "style url escaped as \\75": (f'<p style="background:\\75rl({NET}bg.png)">x</p>', "style="),
    "style url with a comment": (f'<p style="background:url/**/({NET}bg.png)">x</p>', "style="),
    "style expression": ('<p style="width:expr/**/ession(alert(1))">x</p>', "style="),
    "style image-set": (f"<p style=\"background-image:image-set('{NET}x.png' 1x)\">x</p>", "style="),
    "stylesheet @import": (f"<style>@import '{NET}x.css';</style>", "stylesheet"),
    "stylesheet @import escaped": (f"<style>@\\69mport '{NET}x.css';</style>", "stylesheet"),
    "stylesheet url escaped": (f"<style>body{{background:u\\72l({NET}x.png)}}</style>", "stylesheet"),
    "svg stylesheet with an entity": (f"<svg><style>rect{{fill:&#x75;rl({NET}p.svg#p)}}</style></svg>", "stylesheet"),
    "svg fill url": (f'<svg><rect width="9" height="9" fill="url({NET}p.svg#p)"/></svg>', "fill="),
    "svg use xlink:href": (f'<svg><use xlink:href="{NET}u.svg#a"/></svg>', "xlink:href="),
    "svg use href": (f'<svg><use href="{NET}u.svg#a"/></svg>', "href="),
    "svg image href": (f'<svg><image href="{NET}i.png"/></svg>', "href="),
    "svg feImage href": (f'<svg><filter id="f"><feImage href="{NET}f.png"/></filter></svg>', "href="),
    "svg set href": ("<svg><a><set attributeName=href to=javascript:alert(1) /><text>x</text></a></svg>", "<set>"),
    "animate to a data page": ("<svg><a><animate attributeName=xlink:href to=data:text/html,x /></a></svg>", "<animate>"),
    "srcdoc": ('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', "srcdoc="),
    "javascript with a tab entity": ('<a href="jav&#x09;ascript:alert(1)">x</a>', "href="),
    "javascript as an entity": ('<a href="&#106;avascript:alert(1)">x</a>', "href="),
    "vbscript in any attribute": ('<svg><animate attributeName="x" values="vbscript:msgbox(1)"/></svg>', "script URL"),
    "protocol-relative html link": ('<a href="//example.invalid/x.html">x</a>', "href="),
    "rooted html link": ('<a href="/x.html">x</a>', "href="),
    "svg image as data": ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', "src="),
    "network image": (f'<img src="{NET}x.gif">', "src="),
    "video poster": (f'<video poster="{NET}p.png"></video>', "poster="),
    "input image": (f'<input type="image" src="{NET}i.png">', "src="),
    "button formaction": (f'<button formaction="{NET}">x</button>', "formaction="),
    "a ping": (f'<a href="#x" ping="{NET}">x</a>', "ping="),
    "mathml href": ('<math><mtext href="javascript:alert(1)">x</mtext></math>', "href="),
    "xml:base": (f'<svg xml:base="{NET}"><a href="#x">x</a></svg>', "xml:base="),
    "meta set-cookie": ('<meta http-equiv="set-cookie" content="a=b">', "set-cookie"),
    "meta refresh in capitals": (f'<META HTTP-EQUIV="Refresh" CONTENT="0;url={NET}">', "refresh"),
    "meta refresh behind a policy name": (f'<meta http-equiv="refresh" http-equiv="content-security-policy" content="0;url={NET}">', "refresh"),
    # html.parser ends these where a browser does not; each is refused rather than read its way
    "comment closed by <!-->": ("<!--><img src=x onerror=alert(1)>-->", "comment"),
    "comment closed by --!>": ("<!-- --!><img src=x onerror=alert(1)> -->", "comment"),
    "CDATA outside svg": ("<![CDATA[ ><img src=x onerror=alert(1)> ]]>", "<![...]>"),
    "end of noscript in an attribute": ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', "<noscript>"),
    "end of xmp in an attribute": ('<xmp><p title="</xmp><img src=x onerror=alert(1)>"></xmp>', "<xmp>"),
    "end of title in an attribute": ('<title><p title="</title><img src=x onerror=alert(1)>"></title>', "inside <title>"),
    "end of textarea in an attribute": ('<textarea><p title="</textarea><img src=x onerror=alert(1)>"></textarea>', "inside <textarea>"),
    "style ended by </style x>": ("<style></style x><img src=x onerror=alert(1)></style>", "inside <style>"),
    "tags inside an svg style": ("<svg><style><img src=x onerror=alert(1)></style></svg>", "inside <style>"),
    "plaintext": ("<plaintext><b>x</b>", "<plaintext>"),
}


@pytest.mark.parametrize("construct, named", ISSUE.values(), ids=list(ISSUE))
def test_each_construct_of_the_issue_is_refused(construct, named):
    with pytest.raises(UnsafePageError, match="refusing to write a page that is not inert") as refused:
        require_inert(page(construct), "report.html")
    assert named in str(refused.value) and str(refused.value).startswith("report.html: ")


@pytest.mark.parametrize("construct, named", EXTRAS.values(), ids=list(EXTRAS))
def test_more_that_a_browser_would_run_or_load_is_refused(construct, named):
    problems = inert_problems(page(construct))
    assert any(named in problem for problem in problems), problems


def test_what_the_workbook_writes_on_its_pages_passes():
    body = (
        '<nav><a href="#judgements">Judgements</a> <a href="ex-01.html">a report</a> <a href="ex-01.html#travel">its travel</a>'
        ' <a href="notebooks/ex-01.ipynb">notebook</a> <a href="failed/ex-02.ipynb">failed notebook</a> <a href="summary.csv">summary.csv</a>'
        ' <a href="compare-districts.html">comparison</a></nav>'
        '<meta name="viewport" content="width=device-width"><img alt="" src="data:image/png;base64,iVBORw0KGgo=">'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9" role="img" aria-labelledby="t"><title id="t">A chart &amp; its key</title>'
        '<defs><linearGradient id="g"></linearGradient></defs><rect fill="url(#g)" width="9" height="9"/><use href="#g"/></svg>'
        "<style>.a > .b { color: #333 } @media print { .c { display: none } }</style>"
        '<p style="color: red">text that says &lt;script&gt; and onerror= and javascript is only text</p><!-- a comment -->'
    )
    assert require_inert(page(body), "ok") == page(body)


def test_the_page_needs_its_policy_first_in_its_head():
    assert inert_problems(page("")) == []
    no_policy = page("").replace(POLICY, "")
    late = no_policy.replace("<p>before</p>", f"<p>before</p>{POLICY}")
    hidden = no_policy.replace("<title>", f"<!--{POLICY}--><title>")
    loose = page("").replace("default-src 'none'", "default-src 'none' https:")
    for unprotected in (no_policy, late, hidden, loose):
        assert "no Content-Security-Policy meta tag with default-src 'none' among the page's first tags" in inert_problems(unprotected)
    with pytest.raises(UnsafePageError, match="Content-Security-Policy"):
        require_inert("<p>no policy</p>", "test page")


def test_css_is_read_through_escapes_and_comments():
    from kloe_nb.render.inert import css_loads_something

    for loads in ("u\\72l(x)", "\\75 rl(x)", "\\000075rl(x)", "URL(x)", "url (x)", "u\\\nrl(x)", "@\\69mport 'x'", "/* a */@import 'x'", "ex\\70ression(1)"):
        assert css_loads_something(loads), loads
    for harmless in ("color: red", "fill: url(#g)", "content: 'a > b'", ".a > .b { margin: 0 }"):
        assert not css_loads_something(harmless), harmless


def test_a_page_that_is_refused_says_how_many_problems_it_has():
    many = "".join(f"<img src='{NET}{n}.png'>" for n in range(8))
    with pytest.raises(UnsafePageError, match=r"\(and 3 more\)$"):
        require_inert(page(many), "index.html")


# -- through the real path: ``kloe render`` with a notebook of one's own ---------------------------------
@pytest.mark.slow
def test_kloe_render_refuses_a_page_a_custom_notebook_makes_navigate(tmp_path):
    document = json.loads((REPO_ROOT / "examples" / "assessments" / "ac-benefits--EX-AC01--2008-09.json").read_text(encoding="utf-8"))
    store = stored(tmp_path, document)
    nb = nbformat.read(REPO_ROOT / "notebooks" / "report.ipynb", as_version=4)
    nb.cells.insert(
        4,
        nbformat.v4.new_code_cell(
            "from IPython.display import HTML, display\n"
            f"display(HTML('<meta/http-equiv=\"refresh\"/content=\"0;url={NET}\">'), metadata={{'kloe_report': {{'section': 'extra'}}}})"
        ),
    )
    notebook = tmp_path / "mine.ipynb"
    nbformat.write(nb, notebook)
    output = tmp_path / "out" / "report.html"
    command = ["--store", str(store), "render", "--framework", "ac-benefits", "--council", "EX-AC01", "--period", "2008/09"]
    result = subprocess.run(
        [sys.executable, "-m", "kloe_nb.cli.main", *command, "--notebook", str(notebook), "-o", str(output)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert "kloe: report not written: EX-AC01:" in result.stderr
    assert "refusing to write a page that is not inert: a <meta http-equiv='refresh'>" in result.stderr
    assert not output.exists() and not list(tmp_path.rglob("*.html"))


def test_the_batch_index_linking_reports_notebooks_and_comparisons_passes():
    from kloe_nb.batch.index import CouncilRow, index_html
    from kloe_nb.framework.loader import load_framework_by_id

    rows = [
        CouncilRow(0, "A1", "Aldermere", "Districts", "2008/09", "ok", report="a1.html", notebook="notebooks/a1.ipynb"),
        CouncilRow(1, "B2", "Brackenford <b>", "", "2008/09", "failed", reason="no assessment", failed_notebook="failed/b2.ipynb"),
    ]
    index = index_html(
        load_framework_by_id("ac-benefits"), rows, "report.ipynb", comparisons=[("compare.html", "Comparison"), ("compare-districts.html", "Districts")]
    )
    assert 'href="a1.html"' in index and 'href="failed/b2.ipynb"' in index and 'href="compare-districts.html"' in index and 'href="summary.csv"' in index
    assert require_inert(index, "index.html") == index
