"""The assessment record: what an analyst found for one organisation against one framework.

This is the interchange JSON of docs/design.md as strict pydantic models. A blank level means
"not yet assessed", never a score; levels are whole numbers 1-4 and nothing else (not
``3.5``, ``"three"`` or ``true``). Text fields refuse what cannot be stored or shown
safely (NUL, lone surrogates) and anything over ``MAX_TEXT`` characters, with a message.
Checks that need the framework (is the level on the scale, does statement 7 exist) are in
``validate.py``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from kloe_nb.assessment.dates import due_date_or_blank

MAX_TEXT = 100_000
"""Longest text a field accepts (characters): a long report section, not a pasted file."""


def _storable_text(value: str) -> str:
    """Refuse text that would corrupt a store or a page: NUL, lone surrogates, huge pastes."""
    if "\x00" in value:
        raise ValueError("contains a NUL character (\\x00); remove it")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains a broken character (a lone surrogate); re-type or re-paste the text") from None
    if len(value) > MAX_TEXT:
        raise ValueError(f"is {len(value):,} characters long; the limit is {MAX_TEXT:,}: attach long documents as evidence references instead")
    return value


Text = Annotated[str, AfterValidator(_storable_text)]
Level = Annotated[StrictInt, Field(ge=1, le=4)]


def _track_name(value: str) -> str:
    """A track names an independent scoring ("B", "second"): short, printable, no leading or trailing spaces."""
    if value != value.strip() or len(value) > 40 or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError(f"{value!r} is not a usable track name: up to 40 printable characters, no leading or trailing spaces")
    return value


IsoDate = Annotated[Text, AfterValidator(due_date_or_blank)]
TrackName = Annotated[Text, AfterValidator(_track_name)]
Priority = Literal["high", "medium", "low", ""]


class AssessmentModel(BaseModel):
    """Base of the assessment models: unknown fields are errors; numbers are not coerced from text."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Organisation(AssessmentModel):
    code: Text = Field(min_length=1, description="The organisation's code, kept exactly (leading zeros too)")
    name: Text = Field(min_length=1)
    group: Text = Field(default="", description="Peer group for comparison (county, district, unitary, metropolitan, Welsh...)")


class Evidence(AssessmentModel):
    """One piece of evidence seen."""

    source: Text = Field(default="", description="A source of evidence from the framework, or typed")
    reference: Text = Field(default="", description="Document reference, page, link text")
    note: Text = Field(default="", description="What it shows")
    date_seen: Text = Field(default="", description="When it was seen, as typed (free text here: the form reads it as a date, see dates.py), e.g. 2009-03-01")


class Action(AssessmentModel):
    """One action of the improvement plan: an area for improvement made SMART.

    The seeds ask for plans with clear priorities, responsibilities for all actions, the
    resources they need, timescales and measures ("genuinely SMART"): hence owner, due date,
    priority, resources and the measure of success. Blank fields are allowed while a plan is
    being drafted; the report lists what each action still lacks.
    """

    area: Text = Field(default="", description="The area for improvement the action addresses (the KLOE record's words)")
    action: Text = Field(default="", description="What will be done")
    owner: Text = Field(default="", description="Who is responsible")
    due: IsoDate = Field(default="", description="When it is due, YYYY-MM-DD")
    priority: Priority = Field(default="", description="high, medium or low")
    resources: Text = Field(default="", description="The resources it needs")
    measure: Text = Field(default="", description="The measure of success: how everyone will know it is done")

    def missing(self) -> list[str]:
        """The SMART fields still blank, in words ("owner", "due date"...)."""
        names = {"action": "action", "owner": "owner", "due": "due date", "priority": "priority", "measure": "measure of success"}
        return [words for name, words in names.items() if not getattr(self, name).strip()]


class Moderation(AssessmentModel):
    """How a KLOE's agreed level was reached where independent assessors disagreed.

    ``levels`` keeps each independent track's level as it was when moderated (so agreement
    statistics never change after the fact); ``assessors`` names who scored each track;
    the agreed level is the KLOE record's own ``level``; ``note`` says why.
    """

    levels: dict[TrackName, Level | None] = Field(default_factory=dict)
    assessors: dict[TrackName, Text] = Field(default_factory=dict)
    note: Text = ""
    moderated_by: Text = ""


class KloeRecord(AssessmentModel):
    """What was recorded against one KLOE."""

    level: Level | None = Field(default=None, description="The decided level; null = not yet assessed")
    met: dict[Level, list[Annotated[StrictInt, Field(ge=0)]]] = Field(
        default_factory=dict,
        description=(
            "Descriptor statements that describe the organisation (under 'threshold' reading: that are met), by level, as indexes into the framework's list"
        ),
    )
    falls_short: dict[Level, list[Annotated[StrictInt, Field(ge=0)]]] = Field(
        default_factory=dict,
        description="Statements of the lowest described level that the organisation does not even reach, by level, as indexes",
    )
    evidence: list[Evidence] = Field(default_factory=list)
    strengths: Text = ""
    areas_for_improvement: Text = ""
    current_position: Text = Field(default="", description="The CAA self-assessment template's column")
    rationale: Text = Field(default="", description="Why the level differs from the suggestion, where it does")
    actions: list[Action] = Field(default_factory=list, description="The improvement plan's actions for this KLOE")
    moderation: Moderation | None = Field(default=None, description="Set when the level was agreed in moderation")

    @field_validator("met", "falls_short", mode="before")
    @classmethod
    def _level_keys_from_json(cls, value: object) -> object:
        """JSON object keys are strings: accept "3" as level 3, but nothing that is not a whole number."""
        if isinstance(value, dict):
            converted: dict[object, object] = {}
            for key, statements in value.items():
                if isinstance(key, str) and key.strip().isdigit():
                    converted[int(key)] = statements
                else:
                    converted[key] = statements
            return converted
        return value

    @field_validator("met", "falls_short")
    @classmethod
    def _sorted_unique(cls, value: dict[int, list[int]]) -> dict[int, list[int]]:
        return {level: sorted(set(indexes)) for level, indexes in sorted(value.items(), reverse=True) if indexes}

    @model_validator(mode="after")
    def _one_verdict_per_statement(self) -> KloeRecord:
        """A statement either describes the organisation or is one it falls short of, never both."""
        for level, indexes in self.falls_short.items():
            both = sorted(set(indexes) & set(self.met.get(level, ())))
            if both:
                numbers = ", ".join(str(index) for index in both)
                raise ValueError(
                    f"level {level} statement {numbers} is marked both as describing the organisation (met) and as "
                    "falling short of it (falls_short): keep one of the two"
                )
        return self

    def is_empty(self) -> bool:
        """Nothing recorded at all (such a record need not be stored)."""
        return self == KloeRecord()


class JudgementDecision(AssessmentModel):
    """The analyst's decided level for a judgement, with the reasoning."""

    level: Level | None = None
    rationale: Text = ""


class Flag(AssessmentModel):
    """A CAA area-assessment flag."""

    colour: Literal["red", "green"]
    subject: Text = Field(min_length=1)
    reason: Text = ""
    criteria: list[Annotated[StrictInt, Field(ge=0)]] = Field(
        default_factory=list, description="Indexes of the framework's criteria for this colour that apply"
    )


class FrameworkVersion(AssessmentModel):
    """The framework file an assessment was made against."""

    version: Text
    sha256: Text = ""


class Assessment(AssessmentModel):
    """One organisation assessed against one framework for one period (the interchange JSON)."""

    framework: Text = Field(min_length=1)
    framework_version: FrameworkVersion | None = None
    organisation: Organisation
    period: Text = ""
    assessor: Text = ""
    track: TrackName = Field(
        default="", description="Blank for the lead (agreed) assessment; a name such as 'B' for an independent scoring by another assessor"
    )
    illustrative: bool = Field(default=False, description="True for example data: marked as such everywhere it is shown")
    kloes: dict[Text, KloeRecord] = Field(default_factory=dict)
    judgements: dict[Text, JudgementDecision] = Field(default_factory=dict)
    flags: list[Flag] = Field(default_factory=list)

    def record(self, kloe_id: str) -> KloeRecord:
        """The record of a KLOE (an empty one if nothing was recorded)."""
        return self.kloes.get(kloe_id) or KloeRecord()

    def to_json_data(self) -> dict[str, object]:
        """Plain data for the interchange JSON (met levels as string keys, as JSON needs)."""
        return self.model_dump(mode="json", exclude_none=False)
