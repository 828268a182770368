"""Control characters from files and the store are shown as escapes in every terminal output.

A framework title, an organisation name, flag text, who saved a revision or a council name from a
councils CSV can hold escape bytes (``\\x1b[2J`` clears the screen), carriage returns or bidi
overrides. The commands are run as a user runs them (``kloe_nb.cli.main.main``), and nothing they
print may carry such a character raw; each shows as an escape instead.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from builders import ac, caa, save_all

from kloe_nb.assessment.model import Flag
from kloe_nb.cli.main import main
from kloe_nb.render.terminal_text import visible, visible_json
from kloe_nb.store import AssessmentKey, open_store

HOSTILE = "\x1b[2J\x1b]0;owned\x07\r\x9b31m\u202e\u2066\x7f\u200b\ufeff\u2028"


def raw_controls(text: str) -> list[str]:
    """Every character a terminal would act on rather than show (newlines and tabs are layout)."""
    return [ch for ch in text if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# -- visible() -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, shown",
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("a\rb", "a\\rb"),
        ("a\nb\tc", "a\\nb\\tc"),
        ("\x00\x07\x08\x7f", "\\x00\\x07\\x08\\x7f"),
        ("\x85\x9b31m", "\\x85\\x9b31m"),
        ("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
        ("zero\u200bwidth\u200e\u200f\ufeff", "zero\\u200bwidth\\u200e\\u200f\\ufeff"),
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("\udc80", "\\udc80"),
    ],
)
def test_visible_escapes_control_and_format_characters(text, shown):
    assert visible(text) == shown and raw_controls(visible(text)) == []


def test_visible_leaves_other_text_alone_and_can_keep_lines():
    for text in ("Ynys Môn", "Cyngor Sir Ceredigion – “quoted” ★★", "Conwy\u00a0County", "日本語", "C:\\path\\x1b", "😀"):
        assert visible(text) == text
    assert visible("one\ntwo\tthree\r\x1b", lines=True) == "one\ntwo\tthree\\r\\x1b"
    assert visible(visible(HOSTILE)) == visible(HOSTILE)


def test_visible_json_is_the_same_data_with_nothing_raw():
    data = {"name": HOSTILE + "\U000e0041 Môn", "list": ["\x7f", "\x1b"]}
    text = visible_json(json.dumps(data, ensure_ascii=False, indent=2))
    assert json.loads(text) == data and raw_controls(text) == [] and "Môn" in text and "\\u202e" in text


# -- kloe frameworks, from a framework file with escapes in it -------------------------------------
@pytest.fixture
def hostile_framework(framework_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    text = (framework_data / "good_minimal.yaml").read_text(encoding="utf-8")
    for plain, hostile in (
        ("title: Minimal framework", 'title: "Minimal \\e[2J\\e]0;owned\\a framework \\u202e"'),
        ("publisher: Test publisher", 'publisher: "Test \\x9b31m publisher"'),
        ("title: Is it accessible?", 'title: "Is it \\e[31maccessible\\e[0m?"'),
        ('3: ["Access is good."]', '3: ["Access \\ris good.\\u2066"]'),
    ):
        assert plain in text
        text = text.replace(plain, hostile)
    folder = tmp_path / "frameworks"
    folder.mkdir()
    (folder / "good-minimal.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("KLOE_FRAMEWORKS_PATH", str(folder))
    return folder / "good-minimal.yaml"


def test_frameworks_show_list_and_validate_print_no_escape_byte(hostile_framework, capsys):
    code, shown = run(capsys, "frameworks", "show", "good-minimal")
    assert code == 0 and shown.count("\x1b") == 0 and raw_controls(shown) == []
    assert "good-minimal: Minimal \\x1b[2J\\x1b]0;owned\\x07 framework \\u202e" in shown
    assert "Test \\x9b31m publisher" in shown and "Is it \\x1b[31maccessible\\x1b[0m?" in shown and "Access \\ris good.\\u2066" in shown
    code, listed = run(capsys, "frameworks", "list")
    assert code == 0 and raw_controls(listed) == [] and "Minimal \\x1b[2J" in listed
    code, validated = run(capsys, "frameworks", "validate", str(hostile_framework))
    assert code == 0 and raw_controls(validated) == []


def test_frameworks_show_json_keeps_the_title_exactly_with_nothing_raw(hostile_framework, capsys):
    code, shown = run(capsys, "frameworks", "show", "good-minimal", "--json")
    assert code == 0 and raw_controls(shown) == []
    assert json.loads(shown)["title"] == "Minimal \x1b[2J\x1b]0;owned\x07 framework \u202e"


def test_an_error_quoting_a_file_shows_its_escapes(framework_data, tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text((framework_data / "good_minimal.yaml").read_text(encoding="utf-8").replace("version:", '"\\e[2Jversion":'), encoding="utf-8")
    code, shown = run(capsys, "frameworks", "validate", str(broken))
    assert code == 2 and raw_controls(shown) == [] and "\\x1b[2Jversion" in shown


# -- assessments in the store: names, who saved them, flags ------------------------------------------
NAME = "Alder\x1b[31mmere\u202e"
AUTHOR = "mallory\x1b]0;owned\x07"


@pytest.fixture
def hostile_store(tmp_path: Path) -> Path:
    store = tmp_path / "kloe.db"
    first = ac("A1", NAME, "2007/08", 2, 2, assessor="Ann\x1b[2J")
    second = ac("A1", NAME, "2008/09", 3, 2, assessor="Ann\x1b[2J")
    lead = ac("A1", NAME, "2008/09", 3, 3, assessor="Ann\x1b[2J")
    other = ac("A1", NAME, "2008/09", 2, 3, track="B", assessor="Bob\u202e")
    flagged = caa("C1", NAME, "2009/10", 3, 3).model_copy(
        update={"flags": [Flag(colour="red", subject="Delayed \x1b[2Jtransfers", reason="Waiting \rtimes\u2067")]}
    )
    save_all(store, first, second, other, flagged)
    with open_store(store) as opened:
        found = opened.find(AssessmentKey.of(lead))
        opened.save(lead, based_on=found.revision if found else None, author=AUTHOR)
    return store


def test_score_history_diff_and_agreement_print_no_escape_byte(hostile_store, capsys):
    store = str(hostile_store)
    outputs = {}
    for name, argv in {
        "score": ["score", "--org", "A1", "--framework", "ac-benefits", "--period", "2008/09"],
        "score json": ["score", "--org", "A1", "--framework", "ac-benefits", "--period", "2008/09", "--json"],
        "flags": ["score", "--org", "C1", "--framework", "caa-2009", "--period", "2009/10"],
        "history": ["history", "--org", "A1", "--framework", "ac-benefits", "--period", "2008/09"],
        "diff": ["diff", "--org", "A1", "--framework", "ac-benefits", "--from", "2007/08", "--to", "2008/09"],
        "agreement": ["agreement", "--framework", "ac-benefits"],
    }.items():
        code, outputs[name] = run(capsys, "--store", store, *argv)
        assert code == 0, outputs[name]
        assert raw_controls(outputs[name]) == [], name
    assert "Alder\\x1b[31mmere\\u202e (A1)" in outputs["score"]
    assert json.loads(outputs["score json"])["organisation"]["name"] == NAME
    assert "RED flag: Delayed \\x1b[2Jtransfers - Waiting \\rtimes\\u2067" in outputs["flags"]
    assert "mallory\\x1b]0;owned\\x07" in outputs["history"] and "mallory\\x1b]0;owned\\x07" in outputs["diff"]
    assert "Ann\\x1b[2J / Bob\\u202e" in outputs["agreement"] or "Bob\\u202e / Ann\\x1b[2J" in outputs["agreement"]


def test_import_prints_the_code_and_errors_visibly(tmp_path, capsys):
    document = ac("A\x1b[2J1", NAME, "2008/09", 3, 3).model_dump(mode="json")
    path = tmp_path / "a.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, shown = run(capsys, "--store", str(tmp_path / "kloe.db"), "import", str(path))
    assert code == 0 and raw_controls(shown) == [] and "A\\x1b[2J1 ac-benefits saved as revision 1" in shown


# -- a batch: council names from the councils CSV -----------------------------------------------------
@pytest.mark.parametrize("progress", [True, False], ids=["progress bar", "no progress bar"])
def test_a_batch_prints_council_names_from_the_csv_visibly(tmp_path, capsys, progress):
    store = save_all(tmp_path / "kloe.db", ac("A1", "Aldermere", "2008/09", 3, 3))
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name\nZZ9,Evil\x1b[2J Council\u202e\n", encoding="utf-8")
    argv = ["--store", str(store), "run", "--framework", "ac-benefits", "--councils", str(councils), "--out", str(tmp_path / "out")]
    code, shown = run(capsys, *argv, *([] if progress else ["--no-progress"]))
    assert code == 1 and raw_controls(shown) == []
    assert "failed: ZZ9 (Evil\\x1b[2J Council\\u202e): no assessment of council 'ZZ9'" in shown


@pytest.mark.slow
def test_a_council_failing_under_the_progress_bar_is_shown_visibly(tmp_path, capsys):
    import nbformat
    from conftest import REPO_ROOT

    store = save_all(tmp_path / "kloe.db", ac("A1", "Aldermere", "2008/09", 3, 3))
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name,period\nA1,Evil\x1b[2J Council\u202e,2008/09\n", encoding="utf-8")
    nb = nbformat.read(REPO_ROOT / "notebooks" / "report.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('raise ValueError("broken \\x1b[2J on purpose")'))
    notebook = tmp_path / "broken.ipynb"
    nbformat.write(nb, notebook)
    argv = ["--store", str(store), "run", "--framework", "ac-benefits", "--councils", str(councils), "--out", str(tmp_path / "out")]
    code, shown = run(capsys, *argv, "--notebook", str(notebook), "-j", "1")
    assert code == 1
    assert "\x1b" not in shown and "\u202e" not in shown  # the bar itself redraws with carriage returns
    assert shown.count("failed: A1 (Evil\\x1b[2J Council\\u202e): ") == 2 and "broken \\x1b[2J on purpose" in shown  # the bar's line and the account
