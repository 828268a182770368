"""One exception family for everything a user can act on.

Every error names where the problem is (file and line, sheet and cell, council, field path)
and what to do. The command line prints these without a traceback and exits 2; anything
else escaping is a bug (shown with ``--debug``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem found in an input, with where it is."""

    where: str
    path: str
    message: str

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        field_part = f"{self.path}: " if self.path else ""
        return f"{prefix}{field_part}{self.message}"


class KloeError(Exception):
    """Base of every error a user can act on."""


@dataclass
class InvalidInputError(KloeError):
    """An input (framework file, assessment, CSV...) has problems; all of them are listed."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{self.source}: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([head, *(f"  {problem}" for problem in self.problems)])


class NotFoundError(KloeError):
    """Something asked for by name (a framework id, a council) does not exist."""


class StoreError(KloeError):
    """Something went wrong with the assessment store; nothing already saved was lost."""


class StoreBusyError(StoreError):
    """Another program held the store's write lock for longer than we waited."""


class StoreWriteError(StoreError):
    """A save failed (disk full, I/O error); it was rolled back and the previous revision is intact."""


class CorruptStoreError(StoreError):
    """The store file is damaged; it was set aside (never deleted) and a backup is offered where there is one."""


class IncompatibleStoreError(StoreError):
    """The file is a healthy SQLite database this version cannot use (a newer schema, or not a kloe-workbook store)."""
