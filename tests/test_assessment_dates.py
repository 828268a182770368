"""Dates an assessment records: the date evidence was seen is read like a due date is checked.

The model keeps a date seen as free text (stored assessments hold whatever was typed); what
counts as a date is ``assessment/dates.py``, which the form uses to refuse a bad one and the
check of a stored assessment uses to warn.
"""

from __future__ import annotations

from datetime import date

import pytest

from kloe_nb.assessment.dates import date_seen_problem, read_date_seen
from kloe_nb.assessment.model import Assessment, Evidence, KloeRecord, Organisation
from kloe_nb.assessment.validate import check_assessment
from kloe_nb.framework.loader import load_framework_by_id


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        ("2009-03-01", date(2009, 3, 1)),
        (" 2009-03-01 ", date(2009, 3, 1)),
        ("01/03/2009", date(2009, 3, 1)),
        ("1/3/2009", date(2009, 3, 1)),
        ("1.3.2009", date(2009, 3, 1)),
        ("01-03-2009", date(2009, 3, 1)),
        ("1 March 2009", date(2009, 3, 1)),
        ("1 mar 2009", date(2009, 3, 1)),
        ("30 Sept 2009", date(2009, 9, 30)),
        ("29/02/2008", date(2008, 2, 29)),
    ],
)
def test_a_date_seen_is_read_day_first_in_the_formats_the_workbook_takes(typed, seen):
    assert read_date_seen(typed) == seen
    assert date_seen_problem(typed) == ""


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_date_seen_is_no_date_and_no_problem(blank):
    assert read_date_seen(blank) is None and date_seen_problem(blank) == ""


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("31/02/2008", "February 2008 has no day 31 (it has 29 days)"),
        ("29/02/2009", "February 2009 has no day 29 (it has 28 days)"),
        ("2009-02-30", "February 2009 has no day 30"),
        ("03/13/2009", "there is no month 13 (the day comes first"),
        ("01/03/09", "write the year with four digits"),
        ("1 March 09", "write the year with four digits"),
        ("last spring", "is not a date the workbook reads: write the day it was seen as 2009-03-01, 01/03/2009 or 1 March 2009"),
        ("March 2009", "is not a date the workbook reads"),
        ("1 Marchember 2009", "is not a date the workbook reads"),
        ("=TODAY()", "is not a date the workbook reads"),
    ],
)
def test_a_date_seen_that_is_not_a_real_date_is_refused_in_plain_words(typed, words):
    with pytest.raises(ValueError) as raised:
        read_date_seen(typed)
    assert words in str(raised.value) and repr(typed.strip()) in str(raised.value)
    assert date_seen_problem(typed) == str(raised.value)


def test_the_model_still_takes_free_text_so_old_assessments_load():
    assert Evidence(date_seen="spring 2009").date_seen == "spring 2009"
    assert Evidence(date_seen="31/02/2008").date_seen == "31/02/2008"


def test_checking_a_stored_assessment_warns_about_a_date_seen_and_finds_no_problem():
    framework = load_framework_by_id("ac-benefits").framework
    assessment = Assessment(
        framework="ac-benefits",
        organisation=Organisation(code="00AB", name="Ynys Môn"),
        kloes={"2.1": KloeRecord(evidence=[Evidence(date_seen="2009-03-01"), Evidence(date_seen="31/02/2008")])},
    )
    findings = check_assessment(framework, assessment)
    assert findings.problems == []
    assert [(warning.path, warning.message) for warning in findings.warnings] == [
        ("kloes.2.1.evidence[1].date_seen", "'31/02/2008' is not a date: February 2008 has no day 31 (it has 29 days) (kept as it is)")
    ]
