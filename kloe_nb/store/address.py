"""Where a store is: a file (SQLite) or a server URL (PostgreSQL), and how to name it without its password.

A store is given as text everywhere (``--store``, ``KLOE_STORE``, a notebook parameter). A file
name is made absolute before it is handed to another process (a kernel has its own current
folder); a server URL is passed on exactly as given, since libpq reads it (and ``PG*``
variables, ``.pgpass``) itself. Whatever is shown to a person (messages, reports, summaries)
is ``display``: the URL with any password taken out.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from kloe_nb.errors import StoreError

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")  # two letters or more: "C:\..." is a path
SERVER_SCHEMES = ("postgresql", "postgres")


def scheme(store: str | os.PathLike[str]) -> str:
    """The store's scheme in lower case ("" for a plain file name)."""
    match = _SCHEME.match(str(store)) if isinstance(store, str) else None
    return match.group(1).lower() if match else ""


def is_server(store: str | os.PathLike[str]) -> bool:
    """True for a PostgreSQL URL (``postgresql://...`` or ``postgres://...``)."""
    return scheme(store) in SERVER_SCHEMES


def for_another_process(store: str | os.PathLike[str]) -> str:
    """The store as a notebook's kernel is given it: an absolute file name, or the URL unchanged.

    A URL holding a password is refused (StoreError): the parameter is written into each executed
    notebook kept beside the pages. libpq finds the password in ~/.pgpass or PGPASSWORD instead,
    which the kernels inherit.
    """
    if is_server(store):
        if without_password(str(store))[1] or "password=" in urlsplit(str(store)).query.lower():
            raise StoreError(
                f"the store's URL {display(store)} has a password in it, which would be written into every executed notebook: "
                "take it out of the URL and put it in ~/.pgpass (or PGPASSWORD); nothing was run"
            )
        return str(store)
    if scheme(store) == "sqlite":
        return str(store)
    return str(Path(store).expanduser().resolve())


def display(store: str | os.PathLike[str]) -> str:
    """The store as shown to a person: a file as given; a URL as ``postgresql://user@host:port/db``, never its password.

    Query options (``?sslmode=require``) are kept, except a ``password`` one.
    """
    text = str(store)
    if not is_server(text):
        return text
    parts = urlsplit(text)
    netloc = parts.netloc.rsplit("@", 1)
    hosts = netloc[-1]
    user = ""
    if len(netloc) == 2:
        user = quote(unquote(netloc[0].split(":", 1)[0]), safe="") + "@"
    query = "&".join(item for item in parts.query.split("&") if item and not item.lower().startswith("password="))
    return f"{parts.scheme}://{user}{hosts}{parts.path}" + (f"?{query}" if query else "")


def without_password(store: str) -> tuple[str, str]:
    """A URL with its password taken out, and that password ("" when it had none): for a kernel's environment."""
    if not is_server(store):
        return store, ""
    parts = urlsplit(store)
    netloc = parts.netloc.rsplit("@", 1)
    if len(netloc) < 2 or ":" not in netloc[0]:
        return store, ""
    user, secret = netloc[0].split(":", 1)
    cleaned = parts._replace(netloc=f"{user}@{netloc[1]}").geturl()
    return cleaned, unquote(secret)
