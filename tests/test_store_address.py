"""Where a store is, as text: a file made absolute for a kernel, a URL passed on unchanged, never a password shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from kloe_nb.batch.parameters import council_parameters
from kloe_nb.errors import StoreError
from kloe_nb.form.app import store_path
from kloe_nb.store.address import display, for_another_process, is_server


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("postgresql://alice:s3cret@db.example:5432/kloe", "postgresql://alice@db.example:5432/kloe"),
        ("postgres://alice@db.example/kloe?sslmode=require&password=s3cret", "postgres://alice@db.example/kloe?sslmode=require"),
        ("postgresql://db.example/kloe", "postgresql://db.example/kloe"),
        ("postgresql:///kloe?host=%2Fvar%2Frun%2Fpostgresql", "postgresql:///kloe?host=%2Fvar%2Frun%2Fpostgresql"),
        ("kloe.db", "kloe.db"),
    ],
)
def test_a_store_is_shown_without_its_password(given, shown):
    assert display(given) == shown and "s3cret" not in display(given)


def test_a_url_passes_to_a_kernel_unchanged_and_a_file_is_made_absolute(tmp_path, monkeypatch):
    url = "postgresql://alice@db.example:5432/kloe?sslmode=require"
    assert council_parameters(("framework", "council_code", "store"), "ac-benefits", "00AB", url, "")["store"] == url
    monkeypatch.chdir(tmp_path)
    assert council_parameters((), "ac-benefits", "00AB", Path("kloe.db"), "")["store"] == str(tmp_path / "kloe.db")
    assert store_path(url) == url and store_path("kloe.db") == tmp_path / "kloe.db"
    assert is_server(url) and not is_server("C:\\kloe.db") and not is_server(tmp_path / "postgresql:x")


@pytest.mark.parametrize("url", ["postgresql://alice:s3cret@db.example/kloe", "postgresql://alice@db.example/kloe?password=s3cret"])
def test_a_url_holding_a_password_is_not_written_into_notebooks(url):
    with pytest.raises(StoreError, match="has a password in it, which would be written into every executed notebook") as caught:
        for_another_process(url)
    assert "s3cret" not in str(caught.value)
