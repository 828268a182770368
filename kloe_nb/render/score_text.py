"""Scores as a readable terminal table (``kloe score`` without ``--json``), its control characters shown as escapes."""

from __future__ import annotations

from kloe_nb.framework.labels import STAR
from kloe_nb.render.terminal_text import visible
from kloe_nb.scoring.score import LevelScore, Scores


def _cell(score: LevelScore) -> str:
    if not score.scored:
        return "not scored"
    if score.needs_judgement:
        return f"needs judgement: {' or '.join(map(str, score.options))}"
    counts = f"; {score.counts}" if score.counts else ""
    mixed = "; a mixed picture" if score.mixed else ""
    if score.level is None:
        if score.suggested is not None:
            return f"not yet decided: suggested {score.suggested}{counts}{mixed}"
        return "not yet assessed"
    label = f" {score.label}" if score.label else ""
    stars = f" {STAR * score.stars}" if score.stars else (" (0 stars)" if score.stars == 0 else "")
    suggested = f"  (suggested {score.suggested}{counts}{mixed})" if score.differs else ""
    provisional = f"  ({score.provisional})" if score.provisional else ""
    return f"{score.level}{label}{stars}{suggested}{provisional}"


def scores_text(scores: Scores) -> str:
    """Judgements, then questions/themes, then KLOEs, one line each, then what is pending."""
    org = scores.organisation
    lines = [f"{org['name']} ({org['code']}) - {scores.framework}" + (f", {scores.period}" if scores.period else ""), ""]
    for title, tier in (("Judgements", scores.judgements), ("Questions and themes", scores.groups), ("KLOEs", scores.kloes)):
        lines.append(title)
        width = max((len(key) for key in tier), default=4)
        for key, score in tier.items():
            spread = ""
            if score.spread and tier is not scores.kloes:
                spread = "  spread " + ", ".join(f"{level}:{count}" for level, count in score.spread.items())
            lines.append(f"  {key:<{width}}  {_cell(score)}{spread}")
        lines.append("")
    for flag in scores.flags:
        lines.append(f"{flag['colour'].upper()} flag: {flag['subject']} - {flag['reason']}")
    if scores.pending:
        lines += ["Still to do:", *(f"  {item}" for item in scores.pending)]
    return "\n".join(visible(line) for line in lines) + "\n"
