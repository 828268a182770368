"""Scoring: suggested and decided levels per KLOE, question/theme and judgement, by the frameworks' rules."""

from kloe_nb.scoring.kloe_suggestion import KloeSuggestion, suggest_kloe_level
from kloe_nb.scoring.rules import DEFAULT_RULE, RULES
from kloe_nb.scoring.score import (
    LevelScore,
    Scores,
    ScoringError,
    group_inputs,
    judgement_chain,
    require_valid_scores,
    score,
    suggested_options,
)

__all__ = [
    "DEFAULT_RULE",
    "RULES",
    "KloeSuggestion",
    "LevelScore",
    "Scores",
    "ScoringError",
    "group_inputs",
    "judgement_chain",
    "require_valid_scores",
    "score",
    "suggest_kloe_level",
    "suggested_options",
]
