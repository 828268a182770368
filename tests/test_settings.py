"""One settings object: the command line, the form and the loader read the environment the same way."""

from __future__ import annotations

from pathlib import Path

from kloe_nb.cli.main import build_parser
from kloe_nb.form.app import store_path
from kloe_nb.framework.loader import BUNDLED_DIR, search_dirs
from kloe_nb.settings import DEFAULT_STORE, settings


def test_an_empty_store_variable_means_the_default_store_for_the_command_and_the_form(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KLOE_STORE", "")
    assert settings().store == DEFAULT_STORE
    assert build_parser().parse_args(["frameworks", "list"]).store == DEFAULT_STORE
    assert store_path(None) == (tmp_path / DEFAULT_STORE).resolve()


def test_a_store_variable_is_what_the_command_and_the_form_use(monkeypatch, tmp_path):
    chosen = tmp_path / "team.db"
    monkeypatch.setenv("KLOE_STORE", str(chosen))
    assert build_parser().parse_args(["frameworks", "list"]).store == str(chosen)
    assert store_path(None) == chosen.resolve()
    assert store_path(tmp_path / "given.db") == (tmp_path / "given.db").resolve()  # a store given wins


def test_framework_folders_come_before_the_bundled_ones_and_empty_parts_are_ignored(monkeypatch, tmp_path):
    import os

    monkeypatch.setenv("KLOE_FRAMEWORKS_PATH", os.pathsep.join([str(tmp_path / "a"), "", str(tmp_path / "b")]))
    assert search_dirs() == [tmp_path / "a", tmp_path / "b", BUNDLED_DIR]
    monkeypatch.setenv("KLOE_FRAMEWORKS_PATH", "")
    assert search_dirs() == [BUNDLED_DIR]
    assert isinstance(BUNDLED_DIR, Path)


def test_a_variable_is_read_in_any_case_and_other_kloe_variables_are_ignored(monkeypatch):
    monkeypatch.delenv("KLOE_STORE", raising=False)
    monkeypatch.setenv("kloe_store", "lower.db")
    monkeypatch.setenv("KLOE_SOMETHING_ELSE", "x")
    assert settings().store == "lower.db"
