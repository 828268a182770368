"""Moderation: where two independent assessors disagree, side by side, and the agreed level.

The lead assessment (track "") is the one reports show; a named track ("B") is another
assessor's independent scoring of the same council and period. A moderation view lists
every scored KLOE with both levels and both records (evidence, strengths, areas), and the
agreed level is written into the lead with a ``Moderation`` record that keeps the
independent levels as they were, so agreement statistics never change after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass

from kloe_nb.assessment.model import Assessment, KloeRecord, Moderation
from kloe_nb.errors import KloeError
from kloe_nb.framework.model import Framework


@dataclass(frozen=True)
class ModerationItem:
    """One scored KLOE as each track scored it, and the agreed level if it has been moderated."""

    kloe_id: str
    title: str
    group_title: str
    levels: dict[str, int | None]
    records: dict[str, KloeRecord]
    assessors: dict[str, str]
    agreed: int | None
    moderated: bool

    @property
    def disagree(self) -> bool:
        """Both tracks levelled the KLOE, differently."""
        levels = [level for level in self.levels.values() if level is not None]
        return len(levels) >= 2 and len(set(levels)) > 1


def _check_pair(lead: Assessment, other: Assessment) -> None:
    """The two must be the lead and a named track of the same council, period and framework."""
    if lead.track:
        raise KloeError(f"the first assessment must be the lead (blank track), not track {lead.track!r}")
    if not other.track:
        raise KloeError("the second assessment must be an independent scoring with a named track (such as 'B'), not the lead")
    mine = (lead.framework, lead.organisation.code, lead.period)
    theirs = (other.framework, other.organisation.code, other.period)
    if mine != theirs:
        raise KloeError(
            f"track {other.track!r} is {' '.join(filter(None, theirs))} but the lead is {' '.join(filter(None, mine))}: "
            "moderate two scorings of the same council, period and framework"
        )


def moderation_items(framework: Framework, lead: Assessment, other: Assessment) -> list[ModerationItem]:
    """Every scored KLOE, framework order, with the independent levels and records of the lead and the other track."""
    _check_pair(lead, other)
    track = other.track
    items: list[ModerationItem] = []
    for group, kloe in framework.iter_kloes():
        if not kloe.scored:
            continue
        mine, theirs = lead.record(kloe.id), other.record(kloe.id)
        moderation = mine.moderation
        levels = {"": mine.level, track: theirs.level}
        assessors = {"": lead.assessor, track: other.assessor}
        if moderation is not None:
            levels.update({name: level for name, level in moderation.levels.items() if name in levels})
            assessors.update({name: who for name, who in moderation.assessors.items() if name in assessors and who})
        items.append(
            ModerationItem(
                kloe_id=kloe.id,
                title=kloe.title,
                group_title=group.title,
                levels=levels,
                records={"": mine, track: theirs},
                assessors=assessors,
                agreed=mine.level if moderation is not None else None,
                moderated=moderation is not None,
            )
        )
    return items


def record_agreed(
    lead: Assessment,
    other: Assessment,
    kloe_id: str,
    level: int,
    note: str,
    moderated_by: str,
    *,
    framework: Framework | None = None,
) -> Assessment:
    """A copy of ``lead`` with the KLOE's agreed level and its moderation record.

    The first moderation of a KLOE keeps both independent levels and assessors; moderating
    it again keeps those originals and replaces only the agreed level, note and moderator.
    ``framework`` defaults to the lead's framework file.
    """
    _check_pair(lead, other)
    if framework is None:
        from kloe_nb.framework.loader import load_framework

        framework = load_framework(lead.framework)
    council = f"{lead.organisation.code} {lead.period}".strip()
    found = next(((group, kloe) for group, kloe in framework.iter_kloes() if kloe.id == kloe_id), None)
    if found is None:
        raise KloeError(f"{council}: framework {framework.id} has no KLOE {kloe_id!r}; nothing was recorded")
    group, kloe = found
    if not kloe.scored:
        raise KloeError(f"{council}: KLOE {kloe_id} is not scored (context only), so it has no agreed level to record")
    scale = framework.scale_for_group(group)
    allowed = sorted(item.level for item in scale.levels) if scale else []
    if isinstance(level, bool) or not isinstance(level, int) or level not in allowed:
        raise KloeError(f"{council}: KLOE {kloe_id}: {level!r} is not a level of its scale ({', '.join(map(str, allowed))}); nothing was recorded")
    mine, theirs = lead.record(kloe_id), other.record(kloe_id)
    previous = mine.moderation
    if previous is None:
        levels = {"": mine.level, other.track: theirs.level}
        assessors = {"": lead.assessor, other.track: other.assessor}
    else:
        levels = dict(previous.levels)
        levels.setdefault(other.track, theirs.level)
        assessors = dict(previous.assessors)
        assessors.setdefault(other.track, other.assessor)
    moderation = Moderation(levels=levels, assessors=assessors, note=note, moderated_by=moderated_by)
    updated = lead.model_copy(deep=True)
    updated.kloes[kloe_id] = mine.model_copy(update={"level": level, "moderation": moderation}, deep=True)
    return Assessment.model_validate(updated.model_dump())
