"""Analysis across assessments: direction of travel, period changes, assessor agreement,
moderation and sensitivity. Pure data (no HTML, no widgets): reports, the comparison page,
the form and the command line all read these results.
"""

from kloe_nb.analysis.agreement import Agreement, AgreementReport, PairAgreement, agreement, agreement_report
from kloe_nb.analysis.changes import IGNORED_FIELDS, PeriodChange, period_changes
from kloe_nb.analysis.moderation import ModerationItem, moderation_items, record_agreed
from kloe_nb.analysis.periods import period_sort_key
from kloe_nb.analysis.sensitivity import JudgementSensitivity, Swing, sensitivity
from kloe_nb.analysis.trend import Movement, Trend, load_trend, trend_from_assessments

__all__ = [
    "IGNORED_FIELDS",
    "Agreement",
    "AgreementReport",
    "JudgementSensitivity",
    "ModerationItem",
    "Movement",
    "PairAgreement",
    "PeriodChange",
    "Swing",
    "Trend",
    "agreement",
    "agreement_report",
    "load_trend",
    "moderation_items",
    "period_changes",
    "period_sort_key",
    "record_agreed",
    "sensitivity",
    "trend_from_assessments",
]
