"""A framework as readable terminal text (``kloe frameworks show ID``), its control characters shown as escapes."""

from __future__ import annotations

import shutil
import textwrap

from kloe_nb.framework.labels import level_name
from kloe_nb.framework.model import Framework
from kloe_nb.render.terminal_text import visible


def _wrap(text: str, indent: int, bullet: str = "") -> list[str]:
    width = max(60, min(110, shutil.get_terminal_size((100, 20)).columns))
    first = " " * indent + bullet
    rest = " " * (indent + len(bullet))
    return textwrap.wrap(visible(text), width=width, initial_indent=first, subsequent_indent=rest) or [first]


def framework_text(framework: Framework) -> str:
    """Every KLOE with its descriptors by level, grouped by judgement and question/theme."""
    lines = [f"{framework.id}: {framework.title}", f"{framework.publisher}, {framework.date}; source {framework.source.document}", ""]
    for listed in framework.scales:
        lines.append(f"Scale {listed.id}: {listed.title}")
        for level in listed.levels:
            lines += _wrap(level_name(listed, level.level) + (f": {level.descriptor}" if level.descriptor else ""), 2, "")
        lines.append("")
    for judgement in framework.judgements:
        groups = [g for g in framework.groups if g.judgement == judgement.id]
        scored = "" if judgement.scored else " (not scored)"
        lines.append(f"== {judgement.id} {judgement.title}{scored}")
        scale = framework.scale(judgement.scale) if judgement.scale else None
        for group in groups:
            label = f"{group.kind.title()} {group.number}" if group.number else group.kind.title()
            context = "" if group.scored else " (not scored)"
            lines += _wrap(f"{label}: {group.title}{context}", 2)
            for kloe in group.kloes:
                flag = "" if kloe.scored else " (not scored)"
                lines += _wrap(f"KLOE {kloe.id}: {kloe.title}{flag}", 4)
                for prompt in kloe.prompts:
                    lines += _wrap(prompt, 6, "? ")
                if kloe.focus_lead:
                    lines += _wrap(f"KLOE focus, {kloe.focus_lead}", 6)
                for statement in kloe.focus:
                    lines += _wrap(statement, 6, "focus: ")
                for described in sorted(kloe.descriptors, reverse=True):
                    lines += _wrap(f"Level {level_name(scale, described)}", 6)
                    for run in kloe.statement_runs(described):
                        if run.heading:
                            lines += _wrap(run.heading, 8)
                        for _, statement in run.statements:
                            lines += _wrap(statement, 10 if run.heading else 8, "- ")
            lines.append("")
    return "\n".join(visible(line) for line in lines) + "\n"
