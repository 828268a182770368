"""The live summary, the status line and the suggestion note as HTML, without ipywidgets.

Everything shown is escaped (framework text and analyst's text alike). The chart is a small
inline SVG: one stacked bar per question or theme, KLOE counts by level, with a text
legend and an accessible name, so it needs no script and no network.
"""

from __future__ import annotations

from html import escape

from kloe_nb.assessment.model import KloeRecord
from kloe_nb.framework.labels import level_name
from kloe_nb.framework.model import Framework, Scale
from kloe_nb.framework.naming import group_heading, group_label, kloe_names
from kloe_nb.scoring import LevelScore, Scores
from kloe_nb.scoring.kloe_suggestion import KloeSuggestion

COLOURS = {4: "#1a7f37", 3: "#6aa84f", 2: "#d29922", 1: "#cf222e"}
NOT_ASSESSED = "#d0d7de"
STATUS_COLOURS = {
    "new": "#57606a",
    "loaded": "#1a7f37",
    "saved": "#1a7f37",
    "unsaved": "#9a6700",
    "error": "#cf222e",
    "conflict": "#cf222e",
    "closed": "#57606a",
}


def level_text(scale: Scale | None, level: int | None, blank: str = "not yet assessed") -> str:
    return blank if level is None else level_name(scale, level)


def status_html(state: str, message: str) -> str:
    """The save indicator: a live region so screen readers hear 'saved at ...' and 'NOT SAVED'."""
    colour = STATUS_COLOURS.get(state, "#57606a")
    weight = "bold" if state in ("error", "conflict") else "normal"
    return (
        f'<div class="kloe-status kloe-status-{escape(state)}" role="status" aria-live="polite" '
        f'style="color:{colour};font-weight:{weight}">{escape(message)}</div>'
    )


def suggestion_html(scale: Scale | None, suggestion: KloeSuggestion, chosen: int | None) -> str:
    """'Suggested: 3 Good ★★' beside the level picker, with a clear mark when the choice differs."""
    if suggestion.level is None:
        text = f"Suggested: none yet ({escape(suggestion.reason)})"
        return f'<span class="kloe-suggestion">{text}</span>'
    parts = [f"Suggested: <b>{escape(level_name(scale, suggestion.level))}</b> <small>({escape(suggestion.reason)})</small>"]
    if suggestion.counts:
        parts.append(f'<br><small class="kloe-counts">{escape(suggestion.counts)}; {escape(suggestion.next_verdict)}</small>')
    if suggestion.mixed:
        parts.append('<br><small class="kloe-mixed"><b>A mixed picture:</b> statements are marked in both columns.</small>')
    if suggestion.higher_met:
        parts.append("<small>; some higher statements are met too</small>")
    if chosen is not None and chosen != suggestion.level:
        parts.append(
            ' <span class="kloe-differs" style="color:#cf222e;font-weight:bold">'
            f"&#9888; differs from your level {escape(level_name(scale, chosen))}: give a rationale</span>"
        )
    return f'<span class="kloe-suggestion">{"".join(parts)}</span>'


def moderation_note_html(scale: Scale | None, record: KloeRecord) -> str:
    """Under the level picker of a KLOE whose level was agreed in moderation: with whom, and the note."""
    moderation = record.moderation
    if moderation is None:
        return ""
    levels = ", ".join(
        f"{'lead' if track == '' else 'track ' + track} {'not levelled' if level is None else level_name(scale, level)}"
        for track, level in moderation.levels.items()
    )
    agreed = "not levelled" if record.level is None else level_name(scale, record.level)
    by = f" by {moderation.moderated_by}" if moderation.moderated_by else ""
    note = f": {moderation.note}" if moderation.note else ""
    return (
        f'<div class="kloe-moderated" style="color:#57606a">Agreed in moderation{escape(by)} (independent levels: '
        f"{escape(levels)}); the level is now {escape(agreed)}{escape(note)}</div>"
    )


def _bar(score: LevelScore, width: int = 220) -> str:
    total = max(score.total, 1)
    x = 0.0
    pieces = []
    for level in (4, 3, 2, 1):
        count = score.spread.get(str(level), 0)
        if count:
            w = width * count / total
            pieces.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="14" fill="{COLOURS[level]}"><title>level {level}: {count}</title></rect>')
            x += w
    rest = score.total - score.assessed
    if rest:
        pieces.append(f'<rect x="{x:.1f}" y="0" width="{width - x:.1f}" height="14" fill="{NOT_ASSESSED}"><title>not yet assessed: {rest}</title></rect>')
    return "".join(pieces)


def chart_svg(framework: Framework, scores: Scores) -> str:
    """Stacked bars of KLOE levels per question or theme (grey: not yet assessed)."""
    rows = [(group, scores.groups[group.id]) for group in framework.groups if scores.groups[group.id].scored]
    if not rows:
        return ""
    label_width, bar_width, row_height = 230, 220, 20
    height = row_height * len(rows) + 24
    summary = "; ".join(f"{g.title}: {s.assessed} of {s.total} levelled" for g, s in rows)
    out = [
        f'<svg class="kloe-chart" role="img" aria-label="{escape(summary)}" width="{label_width + bar_width + 60}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg" style="font:11px sans-serif">'
    ]
    for row, (group, score) in enumerate(rows):
        y = row * row_height
        name = group_heading(group)
        short = name if len(name) <= 38 else name[:36] + "…"
        out.append(f'<text x="0" y="{y + 11}"><title>{escape(name)}</title>{escape(short)}</text>')
        out.append(f'<g transform="translate({label_width},{y})">{_bar(score, bar_width)}</g>')
        out.append(f'<text x="{label_width + bar_width + 6}" y="{y + 11}">{score.assessed}/{score.total}</text>')
    y = row_height * len(rows) + 8
    x = 0
    for level in (4, 3, 2, 1):
        out.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{COLOURS[level]}"/><text x="{x + 13}" y="{y + 9}">{level}</text>')
        x += 36
    out.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{NOT_ASSESSED}"/><text x="{x + 13}" y="{y + 9}">not yet assessed</text>')
    out.append("</svg>")
    return "".join(out)


def _spread_text(scale: Scale | None, score: LevelScore) -> str:
    if not score.spread:
        return "none levelled yet"
    return ", ".join(f"{count} at {escape(level_name(scale, int(level)))}" for level, count in score.spread.items())


def waiting_for(framework: Framework, ids: list[str], limit: int = 8) -> str:
    """What a score still waits for, as readers know it: 'KLOE 2.1, 2.2', a KLOE's title where the
    source gives it no number, 'Question 3' for a group (never a slug such as 'track-record')."""
    kloes = {kloe.id: kloe for _, kloe in framework.iter_kloes()}
    groups = {group.id: group for group in framework.groups}
    judgements = {judgement.id: judgement for judgement in framework.judgements}
    shown = ids[:limit]
    parts = []
    if named := [kloes[item] for item in shown if item in kloes]:
        parts.append(kloe_names(named))
    for item in shown:
        if item in groups:
            parts.append(group_label(groups[item]))
        elif item in judgements:
            parts.append(judgements[item].title)
        elif item not in kloes:
            parts.append(item)
    return ", ".join(parts) + (" …" if len(ids) > limit else "")


def judgement_note(framework: Framework, scale: Scale | None, score: LevelScore) -> str:
    """What a judgement's suggestion rests on and what it still needs, as HTML."""
    if score.options and len(score.options) == 2:
        a, b = (escape(level_name(scale, level)) for level in score.options)
        suggestion = f"the table allows <b>{a}</b> or <b>{b}</b>: decide between them, with a rationale"
    elif score.suggested is not None:
        suggestion = f"<b>{escape(level_name(scale, score.suggested))}</b>"
    else:
        suggestion = "none yet"
    lines = [
        f"Suggested: {suggestion}",
        f"Spread of levels: {_spread_text(scale, score)} ({score.assessed} of {score.total} assessed)",
    ]
    if score.missing:
        lines.append(f"Not yet assessed: {escape(waiting_for(framework, score.missing))}")
    return "<br>".join(lines)


def summary_html(framework: Framework, scores: Scores, unknown_kloes: list[str] | None = None) -> str:
    """Progress, every score so far with its label and stars, the chart, and what is pending."""
    scored = [score for score in scores.kloes.values() if score.scored]
    levelled = sum(1 for score in scored if score.level is not None)
    percent = int(100 * levelled / len(scored)) if scored else 100
    out = [
        '<div class="kloe-summary">',
        f"<p><b>Progress:</b> {levelled} of {len(scored)} scored KLOEs levelled, {len(scored) - levelled} left "
        f'<progress value="{levelled}" max="{max(len(scored), 1)}" aria-label="KLOEs levelled">{percent}%</progress></p>',
        '<table class="kloe-scores" style="border-collapse:collapse"><thead><tr>'
        "<th style='text-align:left'>Judgement / question or theme</th><th style='text-align:left'>Suggested</th>"
        "<th style='text-align:left'>Decided</th><th style='text-align:left'>Levelled</th></tr></thead><tbody>",
    ]
    for judgement in framework.judgements:
        score = scores.judgements[judgement.id]
        scale = framework.scale(judgement.scale) if judgement.scale else None
        if score.scored:
            if len(score.options) == 2:
                suggested = " or ".join(escape(level_name(scale, level)) for level in score.options)
            else:
                suggested = escape(level_text(scale, score.suggested, "—"))
            if score.provisional:
                suggested += f" <small class='kloe-provisional'>({escape(score.provisional)})</small>"
            decided = escape(level_text(scale, score.level, "—")) if score.decided_by_analyst else "not yet decided"
            if score.differs:
                decided += " <span style='color:#cf222e'>(differs)</span>"
            if score.needs_judgement:
                decided += " <span style='color:#9a6700'>(needs your judgement)</span>"
            counts = f"{score.assessed}/{score.total}"
        else:
            suggested, decided, counts = "not scored", "", ""
        out.append(
            f"<tr style='border-top:1px solid #d0d7de'><td><b>{escape(judgement.title)}</b></td><td>{suggested}</td><td>{decided}</td><td>{counts}</td></tr>"
        )
        for group in framework.groups:
            if group.judgement != judgement.id:
                continue
            group_score = scores.groups[group.id]
            group_scale = framework.scale_for_group(group)
            if group_score.scored:
                suggested = escape(level_text(group_scale, group_score.suggested, "—"))
                if group_score.provisional:
                    suggested += f" <small class='kloe-provisional'>({escape(group_score.provisional)})</small>"
                counts = f"{group_score.assessed}/{group_score.total}"
            else:
                suggested, counts = "context / not scored", ""
            title = group_heading(group)
            out.append(f"<tr><td style='padding-left:1.5em'>{escape(title)}</td><td>{suggested}</td><td></td><td>{counts}</td></tr>")
    out.append("</tbody></table>")
    out.append(chart_svg(framework, scores))
    if scores.flags:
        reds = sum(1 for flag in scores.flags if flag["colour"] == "red")
        out.append(f"<p><b>Flags:</b> {reds} red, {len(scores.flags) - reds} green</p>")
    if scores.problems:
        out.append("<p><b>To put right before final scores:</b></p><ul>")
        out.extend(f"<li>{escape(problem)}</li>" for problem in scores.problems)
        out.append("</ul>")
    if unknown_kloes:
        out.append(
            f"<p><b>Kept from an older framework version:</b> {escape(', '.join(unknown_kloes))} "
            "(recorded against KLOEs this framework no longer has; nothing was dropped)</p>"
        )
    out.append("</div>")
    return "".join(out)
