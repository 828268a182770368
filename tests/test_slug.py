"""File names from council codes (RELIABILITY scenarios 11 and 12): safe everywhere, collisions found before any write."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest
from conftest import REPO_ROOT

from kloe_nb.batch.slugs import MAX_SLUG, Named, check_collisions, slug
from kloe_nb.errors import InvalidInputError

SAFE = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "code",
    [
        "../../etc/passwd",
        "..",
        ".",
        "a/b",
        "a\\b",
        "C:\\Windows\\system32",
        "x\x00y",
        '"quoted"',
        "King's Lynn",
        'x"""; import os',
        "Ynys Môn",
        "日本語",
        "🙂",
        "CON",
        "nul.txt",
        "abc.",
        " spaced ",
        "x" * 300,
        "é" * 300,
        "\u202eevil",
    ],
)
def test_a_slug_is_a_plain_file_name_that_stays_in_the_folder(code, tmp_path):
    name = slug(code)
    assert name and set(name) <= SAFE, name
    assert len(name.encode()) <= MAX_SLUG + 1
    assert not name.startswith(("-", ".")) and not name.endswith((".", " "))
    target = (tmp_path / f"{name}.html").resolve()
    assert target.parent == tmp_path.resolve()


def test_device_names_and_the_folders_own_names_are_never_used_as_they_are():
    assert slug("CON") == "con_" and slug("com1") == "com1_" and slug("LPT9") == "lpt9_"
    assert slug("index") == "index_" and slug("Summary") == "summary_"
    assert slug("E07000146") == "e07000146"


def test_codes_with_nothing_latin_get_a_stable_digest():
    assert slug("日本") == slug("日本") != slug("中国")
    assert slug("日本").startswith("council-")


@pytest.mark.parametrize(
    "first, second",
    [
        (unicodedata.normalize("NFC", "Ynys Môn"), unicodedata.normalize("NFD", "Ynys Môn")),
        ("ABC1", "abc1"),
        ("abc", "abc."),
        ("X" * 300 + "1", "X" * 300 + "2"),
        ("a/b", "a\\b"),
    ],
)
def test_colliding_codes_are_reported_naming_both_councils(first, second):
    with pytest.raises(InvalidInputError) as caught:
        check_collisions([Named(first, "First council"), Named(second, "Second council")], "councils.csv")
    message = str(caught.value)
    assert "First council" in message and "Second council" in message
    assert repr(first)[:40] in message and "councils.csv" in message


def test_distinct_codes_keep_distinct_names():
    slugs = check_collisions([Named("E07000146", "A"), Named("E07000147", "B"), Named("00123", "C")], "x.csv")
    assert slugs == {"E07000146": "e07000146", "E07000147": "e07000147", "00123": "00123"}


def test_kloe_run_refuses_colliding_councils_before_writing_anything(tmp_path):
    councils = tmp_path / "councils.csv"
    councils.write_text("code,name\nYnys M\u00f4n,Council NFC\nYnys Mo\u0302n,Council NFD\n", encoding="utf-8")
    store = tmp_path / "kloe.db"
    store.write_bytes(b"")  # the collision is found before the store is even read
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "kloe_nb.cli.main", "--store", str(store), "run", "--framework", "ac-benefits", "--councils", str(councils), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 2, result.stderr
    assert "Council NFC" in result.stderr and "Council NFD" in result.stderr
    assert not out.exists()
