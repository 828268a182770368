"""Ordering assessment periods: oldest first, whatever way a council writes them.

Periods are free text in the assessment (``2006/07``, ``2009-10``, ``2009``, or blank), so
sorting them as text would put ``2009`` after ``2008/09`` only by luck. The key reads the
first year and the numbers after it; anything without a leading year sorts after the
dated periods, by its text; a blank period (not stated) sorts first.
"""

from __future__ import annotations

import re

_YEAR = re.compile(r"^\s*(\d{4})(.*)$")
_NUMBER = re.compile(r"\d+")


def period_sort_key(period: str) -> tuple[int, int, tuple[int, ...], str]:
    """A key that sorts "2006/07" < "2007/08" < "2008/09", "2009" < "2009/10", "" first, other text last."""
    text = period.strip()
    if not text:
        return (0, 0, (), "")
    match = _YEAR.match(text)
    if match:
        rest = tuple(int(number) for number in _NUMBER.findall(match.group(2)))
        return (1, int(match.group(1)), rest, text.casefold())
    return (2, 0, (), text.casefold())
