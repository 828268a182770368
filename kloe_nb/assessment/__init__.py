"""Assessments: the record of what an analyst found, and its checks against a framework."""

from kloe_nb.assessment.model import (
    Assessment,
    Evidence,
    Flag,
    FrameworkVersion,
    JudgementDecision,
    KloeRecord,
    Organisation,
)
from kloe_nb.assessment.validate import Findings, check_assessment, require_valid

__all__ = [
    "Assessment",
    "Evidence",
    "Findings",
    "Flag",
    "FrameworkVersion",
    "JudgementDecision",
    "KloeRecord",
    "Organisation",
    "check_assessment",
    "require_valid",
]
