"""Chart labels wrapped onto lines by an estimate of their width: SVG text never wraps itself.

An inert page runs no script, so nothing can measure a label where it is drawn; the width is
estimated from its characters instead, for DejaVu Sans (what ``system-ui`` is on Debian and the
widest of the usual sans-serif faces, so other faces fit too). Lines break at spaces only: every
word is shown whole, and the reader sees the full label, never a shortened one.
"""

from __future__ import annotations

import re

#: Character widths in em, rounded up from DejaVu Sans: narrow, wide, capitals, and the rest.
_NARROW = frozenset(" \u00a0ijlIJtfr'\u2019.,:;!|/\\()[]-")
_WIDE = frozenset("mwMW@%#&+<=>^~\u2026\u2605")
NARROW, WIDE, CAPITAL, OTHER = 0.4, 1.0, 0.8, 0.65
_BREAK = re.compile(r"[^\S\u00a0]+")  # white space but the no-break space, which holds "(to\u00a02007/08)" together


def text_width(text: str, size: float) -> float:
    """About how wide ``text`` is drawn at ``size`` px (at least as wide as DejaVu Sans draws it)."""
    em = sum(NARROW if char in _NARROW else WIDE if char in _WIDE else CAPITAL if char.isupper() else OTHER for char in text)
    return em * size


def wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` in lines of at most ``width`` px at ``size`` px, broken at spaces; a longer word is a line of its own."""
    lines: list[str] = []
    for word in _BREAK.split(text.strip()):
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return [line for line in lines if line] or [""]


def fitting_width(texts: list[str], least: int, most: int, lines: int, size: float) -> int:
    """The narrowest width from ``least`` to ``most`` px (in steps of 4) at which every text takes at most ``lines`` lines;
    ``most`` where none is: a chart's margin grows for long labels before they take more lines."""
    for width in range(least, most, 4):
        if all(len(wrap(text, width, size)) <= lines for text in texts):
            return width
    return most
