"""The dates an assessment records, read the way the workbook reads them: one home for both rules.

- An action's **due date** is a calendar date written YYYY-MM-DD, or blank. The model refuses
  anything else (sortable, and unambiguous across locales).
- An evidence item's **date seen** has always been free text in the model (stored assessments
  hold whatever was typed), so the model still takes any text. What the workbook reads as a date
  seen is the project's own choice: YYYY-MM-DD, day/month/year with a four-digit year
  (01/03/2009, 1.3.2009, 01-03-2009: the day first, as UK councils write it), or the day, the
  month's English name and the year (1 March 2009, 1 Mar 2009). The form refuses anything
  else, and any import may do the same (``read_date_seen``); checking a stored assessment only
  warns (``validate.py``), so an old free-text date still loads.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

SEEN_EXAMPLES = "2009-03-01, 01/03/2009 or 1 March 2009"
"""How to write a date seen, in the words the messages use."""

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{2,4})")
_NAMED = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{2,4})")
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9


def due_date_or_blank(value: str) -> str:
    """A due date is a calendar date written YYYY-MM-DD (sortable, unambiguous across locales), or blank."""
    value = value.strip()
    if not value:
        return ""
    try:
        if len(value) != 10:
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD (for example 2010-03-31); leave it blank if there is none yet") from None
    return value


def _real(text: str, year: int, month: int, day: int) -> date:
    """The date, or ValueError saying in words why it is not one (no month 13, no 31 February)."""
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} is not a date: there is no month {month} (the day comes first: 01/03/2009 is 1 March 2009)")
    if not 1 <= year:
        raise ValueError(f"{text!r} is not a date: there is no year {year}")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise ValueError(f"{text!r} is not a date: {calendar.month_name[month]} {year} has no day {day} (it has {days} days)")
    return date(year, month, day)


def _four_digit(text: str, year: str) -> int:
    if len(year) != 4:
        raise ValueError(f"{text!r}: write the year with four digits (for example {SEEN_EXAMPLES}), so the century is certain")
    return int(year)


def read_date_seen(value: str) -> date | None:
    """The date an evidence item was seen (None when blank); ValueError saying what is wrong and how to write it.

    Spaces around the date are ignored. Formats: see the module docstring."""
    text = value.strip()
    if not text:
        return None
    if iso := _ISO.fullmatch(text):
        return _real(text, int(iso[1]), int(iso[2]), int(iso[3]))
    if numeric := _DAY_FIRST.fullmatch(text):
        return _real(text, _four_digit(text, numeric[4]), int(numeric[3]), int(numeric[1]))
    if (named := _NAMED.fullmatch(text)) and named[2].lower() in _MONTHS:
        return _real(text, _four_digit(text, named[3]), _MONTHS[named[2].lower()], int(named[1]))
    raise ValueError(f"{text!r} is not a date the workbook reads: write the day it was seen as {SEEN_EXAMPLES} (day first), or leave it blank")


def date_seen_problem(value: str) -> str:
    """Why a date seen is not read as a date, or "" when it is one (or blank)."""
    try:
        read_date_seen(value)
    except ValueError as error:
        return str(error)
    return ""
