"""The stores a benchmark runs on (``--store``): a fresh SQLite file, or a fresh schema in a PostgreSQL database.

``--store sqlite`` (the default) is a temporary file; ``--store postgresql://user@host/db`` gets a
schema of its own in that database (``kloe_bench_<pid>``, through libpq's ``options``), dropped
afterwards, so a bench never touches a team's store. Give ``--store`` twice to compare side by side.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from kloe_nb.store.address import display, is_server


@contextmanager
def fresh_store(given: str, suffix: str = "") -> Iterator[str]:
    """A store URL or file to fill, gone afterwards (``suffix``: a second one alongside, in its own schema)."""
    if not is_server(given):
        with tempfile.TemporaryDirectory() as folder:
            yield str(Path(folder) / "bench.db")
        return
    import psycopg

    schema = f"kloe_bench_{os.getpid()}{suffix}"
    with psycopg.connect(given, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in given else "?"
    try:
        yield f"{given}{joiner}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(given, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def label(given: str) -> str:
    """The backend's name in the printed table."""
    return f"PostgreSQL {display(given).split('?')[0]}" if is_server(given) else "SQLite (temporary file)"
