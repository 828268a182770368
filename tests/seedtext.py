"""Reading the seed documents in tests: is a transcribed statement really the seed's words?

The seeds are text extracted from PDFs, with HTML cell markup, bullet glyphs and page-break
furniture. ``normalise`` reduces both the seed and a transcribed statement to plain words so
they can be compared; ``find_in_seed`` accepts a statement that occurs in the seed as one run
of words, or as up to ``max_pieces`` runs in document order (a statement rejoined across a
page break or a flattened table row).
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

# The seeds ship with the repository (frameworks/sources) so tests never depend on ../shared.
SEEDS_DIR = Path(__file__).resolve().parents[1] / "frameworks" / "sources"

_TAG = re.compile(r"<[^>]+>")
_GLYPHS = re.compile(r"[\u2022\u25c6\u25aa\uf0b7\u25cf\u25a0\u2023\u2043\u25e6\*]")


def normalise(text: str) -> str:
    """Plain words: markup, bullets and emphasis removed, whitespace collapsed."""
    text = html.unescape(_TAG.sub(" ", text)).replace("**", "")
    text = _GLYPHS.sub(" ", text)
    text = re.sub(r"(?m)^\s*-\s+", " ", text)
    return " ".join(text.split())


@cache
def seed_text(name: str) -> str:
    """The normalised text of one seed file."""
    return normalise((SEEDS_DIR / name).read_text(encoding="utf-8"))


def find_in_seed(statement: str, seed: str, max_pieces: int = 3, max_gap: int = 2000) -> bool:
    """True if the statement's words occur in the seed, in order, in at most max_pieces runs.

    Each run after the first must start within ``max_gap`` characters of the end of the one
    before it, so words gathered from far-apart places do not pass.
    """
    haystack = seed_text(seed)
    words = normalise(statement).split()
    position = 0
    pieces = 0
    while words:
        pieces += 1
        if pieces > max_pieces:
            return False
        # the longest prefix of the remaining words found at or after `position`
        best_len, best_at = 0, -1
        low, high = 1, len(words)
        while low <= high:
            mid = (low + high) // 2
            at = haystack.find(" ".join(words[:mid]), position)
            if at >= 0 and (pieces == 1 or at - position <= max_gap):
                best_len, best_at = mid, at
                low = mid + 1
            else:
                high = mid - 1
        if best_len == 0:
            return False
        position = best_at + len(" ".join(words[:best_len]))
        words = words[best_len:]
    return True
