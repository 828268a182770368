"""Safe file names from council codes, and the collisions found before anything is written.

A council code comes from a spreadsheet: it may hold ``../``, slashes, backslashes, ``C:\\``,
NUL, quotes, any Unicode, a Windows device name (``CON``), a trailing dot, or 300 bytes. The
file name of its report is a *slug* of the code that is safe on every common file system and
in a URL, and never leaves the output folder:

- Unicode is decomposed (NFKD) and accents dropped, so ``Ynys Môn`` typed as NFC or as NFD
  gives the same ``ynys-mon``; anything but ``a-z 0-9`` becomes ``-`` (no dots, slashes or
  separators survive, so no ``..`` and no extension games); lower case, because Windows and
  macOS file systems ignore case;
- Windows device names (``con``, ``nul``, ``com1``...) and the names the output folder uses
  itself (``index``, ``summary``) get a ``_`` suffix; a slug is at most ``MAX_SLUG`` bytes;
- a code with nothing left (all punctuation, or a script with no Latin letters) gets
  ``council-`` and a digest of the code.

Two councils whose slugs are equal would overwrite each other's reports: ``check_collisions``
finds every such pair before any write and names both councils.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from kloe_nb.errors import InvalidInputError, Problem

MAX_SLUG = 80
WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
#: Names the batch output folder uses for itself (``compare``: the comparison page ``make demo`` writes there).
RESERVED = frozenset({"index", "summary", "notebooks", "failed", "compare"})
_NOT_SAFE = re.compile(r"[^a-z0-9]+")


def slug(code: str) -> str:
    """The file-name stem of a council's report (see the module docstring)."""
    decomposed = unicodedata.normalize("NFKD", code)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode("ascii", "ignore").decode("ascii")
    text = _NOT_SAFE.sub("-", ascii_text.lower()).strip("-")[:MAX_SLUG].rstrip("-")
    if not text:
        return "council-" + hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    if text in WINDOWS_DEVICES or text in RESERVED:
        return text + "_"
    return text


@dataclass(frozen=True)
class Named:
    """Anything with a code and a name (a council from the CSV)."""

    code: str
    name: str


class HasCodeAndName(Protocol):
    """What slugs are made from: a council of the CSV, or a ``Named``."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


def check_collisions(councils: Iterable[HasCodeAndName], source: str) -> dict[str, str]:
    """Slug by council code, or InvalidInputError naming every pair of councils whose file names would collide."""
    slugs: dict[str, str] = {}
    owner: dict[str, HasCodeAndName] = {}
    problems: list[Problem] = []
    for council in councils:
        name = slug(council.code)
        first = owner.get(name)
        if first is not None:
            problems.append(
                Problem(
                    source,
                    "code",
                    f"councils {first.code!r} ({first.name}) and {council.code!r} ({council.name}) would both be written as "
                    f"{name}.html (file names ignore case, accents and punctuation); give one of them a distinct code",
                )
            )
            continue
        owner[name] = council
        slugs[council.code] = name
    if problems:
        raise InvalidInputError(source, problems)
    return slugs
