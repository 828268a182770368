"""The moderation view's text as HTML, without ipywidgets: two scorings side by side, agreement.

A moderator compares what each assessor found before agreeing a level, so each KLOE where
they disagree shows both levels with their labels, the statements each ticked (in the
framework's words), their evidence, strengths and areas for improvement, each column
named with its assessor. Everything is escaped.
"""

from __future__ import annotations

from html import escape

from kloe_nb.analysis.agreement import Agreement
from kloe_nb.analysis.moderation import ModerationItem
from kloe_nb.assessment.model import KloeRecord
from kloe_nb.framework.labels import level_name
from kloe_nb.framework.model import Framework, Kloe, Scale
from kloe_nb.framework.naming import kloe_names

_CELL = "border:1px solid #d0d7de;padding:4px 6px;vertical-align:top;text-align:left"


def track_name(track: str) -> str:
    """'the lead assessment' or 'track B', as the view names a scoring."""
    return "the lead assessment" if track == "" else f"track {track}"


def level_words(scale: Scale | None, level: int | None) -> str:
    return "not levelled" if level is None else level_name(scale, level)


def _text(value: str) -> str:
    return f'<div style="white-space:pre-wrap">{escape(value)}</div>' if value.strip() else "<i>(blank)</i>"


def _met(kloe: Kloe, scale: Scale | None, record: KloeRecord) -> str:
    if not record.met:
        return "<i>none ticked</i>"
    parts = []
    for level, indexes in sorted(record.met.items(), reverse=True):
        statements = kloe.descriptors.get(level, [])
        items = "".join(
            f"<li>{escape(statements[index])}</li>" if index < len(statements) else f"<li><i>statement {index + 1} (not in this framework version)</i></li>"
            for index in indexes
        )
        parts.append(f"<div><b>{escape(level_words(scale, level))}</b></div><ul style='margin:0 0 4px 0'>{items}</ul>")
    return "".join(parts)


def _evidence(record: KloeRecord) -> str:
    if not record.evidence:
        return "<i>none recorded</i>"
    rows = []
    for item in record.evidence:
        head = " — ".join(part for part in (item.source, item.reference) if part)
        seen = f" (seen {item.date_seen})" if item.date_seen else ""
        rows.append(f"<li>{escape(head or '(no source)')}{escape(seen)}{': ' + escape(item.note) if item.note else ''}</li>")
    return f"<ul style='margin:0'>{''.join(rows)}</ul>"


def side_by_side_html(kloe: Kloe, scale: Scale | None, item: ModerationItem, track: str) -> str:
    """Both scorings of one KLOE in two columns: level, statements met, evidence, strengths, areas."""
    names = ["", track]
    heads = "".join(
        f"<th style='{_CELL};width:42%'>{escape('Lead assessment' if name == '' else f'Independent scoring, track {name}')}"
        f"<br><span style='font-weight:normal'>by {escape(item.assessors.get(name) or 'an assessor not named')}</span></th>"
        for name in names
    )
    rows = [
        ("Level", [f"<b>{escape(level_words(scale, item.levels.get(name)))}</b>" for name in names]),
        ("Statements met", [_met(kloe, scale, item.records[name]) for name in names]),
        ("Evidence", [_evidence(item.records[name]) for name in names]),
        ("Strengths", [_text(item.records[name].strengths) for name in names]),
        ("Areas for improvement", [_text(item.records[name].areas_for_improvement) for name in names]),
    ]
    body = "".join(
        f"<tr><th style='{_CELL};width:16%'>{escape(label)}</th>" + "".join(f"<td style='{_CELL}'>{cell}</td>" for cell in cells) + "</tr>"
        for label, cells in rows
    )
    return (
        "<table class='kloe-moderation-compare' style='border-collapse:collapse;width:100%'>"
        f"<thead><tr><th style='{_CELL}'></th>{heads}</tr></thead><tbody>{body}</tbody></table>"
    )


def item_status_html(scale: Scale | None, item: ModerationItem, track: str) -> str:
    """Where a KLOE stands: agreed in moderation (with the note), in disagreement, or agreed from the start."""
    lead, other = item.levels.get(""), item.levels.get(track)
    if item.moderated and item.agreed is not None:
        moderation = item.records[""].moderation
        by = f" by {moderation.moderated_by}" if moderation and moderation.moderated_by else ""
        note = f": {moderation.note}" if moderation and moderation.note else " (no note)"
        return (
            f"<div class='kloe-moderation-agreed' style='color:#1a7f37'><b>Agreed in moderation: {escape(level_words(scale, item.agreed))}</b>"
            f"{escape(by)}{escape(note)}</div>"
        )
    if item.disagree:
        return (
            "<div class='kloe-moderation-disagree' style='color:#9a6700'><b>They disagree</b>: "
            f"lead {escape(level_words(scale, lead))}, track {escape(track)} {escape(level_words(scale, other))}</div>"
        )
    return f"<div class='kloe-moderation-same' style='color:#1a7f37'>Both assessors: {escape(level_words(scale, lead))}</div>"


FEW_KLOES = 10
"""Below this many KLOEs levelled by both, the agreement figures carry a caution (the workbook's own threshold)."""


def agreement_html(result: Agreement, items: list[ModerationItem], track: str, framework: Framework) -> str:
    """Agreement on this council (independent levels, so it never changes after moderation) and what is left."""
    if result.compared:
        figures = (
            f"{result.compared} KLOE{'s' if result.compared != 1 else ''} levelled by both; "
            f"exact agreement {result.exact:.0%}, within one level {result.within_one:.0%}, "
            + (f"weighted kappa {result.kappa:.2f}" if result.kappa is not None else "weighted kappa not defined")
        )
    else:
        figures = "no KLOE levelled by both yet"
    lines = [f"<div><b>Agreement between the lead assessment and track {escape(track)}</b>: {escape(figures)}.</div>"]
    if 0 < result.compared < FEW_KLOES:
        lines.append(
            f"<div class='kloe-moderation-few' style='color:#9a6700'>Caution: these figures rest on only {result.compared} "
            f"KLOE{'s' if result.compared != 1 else ''} levelled by both (fewer than {FEW_KLOES}); one KLOE more or less "
            "moves them a long way, so read them as a rough indication, not a measure of agreement.</div>"
        )
    if result.note:
        lines.append(f"<div style='color:#57606a'>{escape(result.note[0].upper() + result.note[1:])}.</div>")
    disagree = [item for item in items if item.disagree]
    agreed = sum(1 for item in disagree if item.moderated)
    lines.append(
        f"<div>{len(disagree)} KLOE{'s' if len(disagree) != 1 else ''} where they disagree: "
        f"{agreed} agreed in moderation, {len(disagree) - agreed} still to agree.</div>"
    )
    single = [framework.kloe(item.kloe_id) for item in items if sum(level is not None for level in item.levels.values()) == 1]
    if single:
        lines.append(f"<div style='color:#57606a'>Levelled by one assessor only (compared once both have levelled them): {escape(kloe_names(single))}.</div>")
    return "<div class='kloe-moderation-agreement'>" + "".join(lines) + "</div>"
