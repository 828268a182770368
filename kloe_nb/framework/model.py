"""The framework schema: strict pydantic models for what a source document defines.

A framework file describes one inspection framework exactly as its source document
does: its scales (levels, labels, stars, overall descriptors), its judgements, the
questions or themes that group its Key Lines of Enquiry (KLOEs), each KLOE's
descriptor statements per level, and the rule data the document gives (the CAA
combination table, red/green flag criteria, the self-assessment template).

Every model forbids unknown fields so a typo such as ``levles`` is an error, not a
silently ignored key. Semantic checks that need the whole framework (unique ids,
references that resolve, levels inside their scale) live in ``checks.py``.
"""

from __future__ import annotations

from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# A string that must not be empty or only whitespace (YAML ``""`` or ``~`` is a mistake).
Text = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, pattern=r"\S")]
# Ids are strings, strictly: ``1.10`` must stay ``1.10``, never become the number 1.1.
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")]
Level = Annotated[int, Field(ge=1, le=4, strict=True)]
DescriptorReading = Literal["best_fit", "threshold"]


class StrictModel(BaseModel):
    """Base of every framework model: unknown fields are errors, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Source(StrictModel):
    """The source document a framework (or one cell of it) was transcribed from."""

    document: Text = Field(description="File name of the source text in frameworks/sources, e.g. 000_014e849d60115a45.txt")
    title: Text = Field(description="The document's own title")
    note: Text | None = Field(default=None, description="Anything a reader should know about the source")


class ScaleLevel(StrictModel):
    """One level of a scale, with the label and stars the source document gives it."""

    level: Level = Field(description="The level number, 1 (lowest) to 4 (highest)")
    label: Text | None = Field(default=None, description="The label in the source's words, e.g. 'Excellent'; none where the source gives none (CAA)")
    stars: int | None = Field(default=None, ge=0, le=3, description="Stars where the scale has them (Poor = 0 stars)")
    descriptor: Text | None = Field(default=None, description="The overall descriptor of this level, where the source gives one")
    heading: Text | None = Field(
        default=None,
        description="The column heading the source uses for this level's descriptors, e.g. 'An organisation with uncertain prospects for improvement'",
    )


class Scale(StrictModel):
    """A scoring scale: the levels a KLOE or judgement can be given."""

    id: Identifier
    title: Text
    levels: list[ScaleLevel] = Field(min_length=1, description="The levels, highest first as the sources print them")
    note: Text | None = None


class Rule(StrictModel):
    """How a judgement's suggested level is derived: a rule name from the scoring registry and its inputs."""

    name: Identifier = Field(description="Name of a scoring rule in kloe_nb's rule registry")
    inputs: list[Identifier] = Field(default_factory=list, description="Ids of the groups or judgements the rule reads")
    table: Identifier | None = Field(default=None, description="Id of a combination table, for table rules")
    rounding: Literal["half_up", "down", "up"] | None = Field(default=None, description="How an average is rounded to a level")
    note: Text | None = None


class Judgement(StrictModel):
    """A judgement the framework makes (e.g. AC Judgement 1 'How good is the service?')."""

    id: Identifier
    title: Text
    scale: Identifier | None = Field(default=None, description="Id of the scale; none for an unscored judgement")
    scored: bool = Field(default=True, description="False where the source says it is not scored (e.g. CAA area assessment)")
    rule: Rule | None = None
    note: Text | None = None


class Kloe(StrictModel):
    """One Key Line of Enquiry: its question and what the source says each level looks like."""

    id: Identifier = Field(description="The source's number (e.g. '2.1', '5.1.1') or a stable slug where it has none")
    title: Text = Field(description="The KLOE's question or heading in the source's words")
    number: Text | None = Field(default=None, description="The number the source prints, where it differs from the id")
    parent: Identifier | None = Field(default=None, description="Id of the KLOE this one is a sub-question of (5.1.1 of 5.1)")
    section: Text | None = Field(default=None, description="A sub-heading inside the group the KLOE sits under")
    scored: bool = Field(default=True, description="False for context-only KLOEs that never produce a score")
    prompts: list[Text] = Field(default_factory=list, description="Sub-questions printed with the KLOE title (bullets under it)")
    descriptors: dict[Level, list[Text]] = Field(default_factory=dict, description="Descriptor statements per level, in the source's words, one per bullet")
    descriptor_headings: dict[Level, dict[int, Text]] = Field(
        default_factory=dict,
        description=(
            "Lead-in lines the source prints above some of a level's statements (e.g. 'The service meets "
            "satisfactory requirements for minimising fraud and error:'), keyed by the position (from 0, as in "
            "an assessment's 'met') of the first statement each heads. Shown as headings; never marked."
        ),
    )
    descriptor_sources: dict[Level, Text] = Field(
        default_factory=dict,
        description="For a level whose cell was missing in this framework's source and taken from another seed: that seed",
    )
    focus: list[Text] = Field(default_factory=list, description="'KLOE focus' statements (CAA)")
    focus_lead: Text | None = Field(default=None, description="The words each focus statement completes, as the source prints them (CAA: 'The organisation:')")
    evidence_that: list[Text] = Field(default_factory=list, description="'Evidence that' prompts specific to this KLOE")
    sources_of_evidence: list[Text] = Field(default_factory=list, description="Sources of evidence specific to this KLOE")
    guidance: list[Text] = Field(default_factory=list, description="Other instructions the source gives for this KLOE")
    notes: list[Text] = Field(default_factory=list, description="Transcription notes: where text came from, what was rejoined")

    def statement_runs(self, level: int) -> list[StatementRun]:
        """A level's statements in runs, each under the source's lead-in line where it prints one."""
        headings = self.descriptor_headings.get(level, {})
        runs: list[StatementRun] = []
        for index, statement in enumerate(self.descriptors.get(level, [])):
            if index in headings or not runs:
                runs.append(StatementRun(headings.get(index), []))
            runs[-1].statements.append((index, statement))
        return runs


class StatementRun(NamedTuple):
    """Consecutive statements of one level and the lead-in the source prints above them (or None)."""

    heading: str | None
    statements: list[tuple[int, str]]


class Group(StrictModel):
    """A question or theme grouping KLOEs under a judgement."""

    id: Identifier
    kind: Literal["question", "theme"] = Field(description="What the source calls the grouping")
    number: Text | None = Field(default=None, description="The number the source prints, e.g. '2' for Question 2")
    title: Text
    judgement: Identifier = Field(description="Id of the judgement this group contributes to")
    scored: bool = True
    intro: list[Text] = Field(default_factory=list, description="Text the source prints before the KLOEs (e.g. 'In terms of:')")
    evidence_that: list[Text] = Field(default_factory=list, description="'Evidence that' prompts covering the group's KLOEs")
    sources_of_evidence: list[Text] = Field(default_factory=list, description="Sources of evidence for the group's KLOEs")
    notes: list[Text] = Field(default_factory=list)
    kloes: list[Kloe] = Field(min_length=1)


class TableCell(StrictModel):
    """One cell of a combination table: the row and column inputs and the level(s) it allows."""

    row: Level
    column: Level
    options: list[Level] = Field(min_length=1, max_length=2, description="One level, or two where professional judgement decides")


class CombinationTable(StrictModel):
    """A table combining two scores into one (the CAA organisational assessment table)."""

    id: Identifier
    title: Text
    row_input: Identifier = Field(description="Judgement id read down the rows")
    column_input: Identifier = Field(description="Judgement id read across the columns")
    cells: list[TableCell] = Field(min_length=1)
    rules: list[Text] = Field(default_factory=list, description="The source's words on how the table is applied")


class FlagKind(StrictModel):
    """A kind of flag (red or green) with the meaning and criteria the source gives."""

    colour: Literal["red", "green"]
    meaning: list[Text] = Field(min_length=1, description="What the flag means, in the source's words")
    criteria: list[Text] = Field(default_factory=list, description="When the flag is likely to be given")
    considerations: list[Text] = Field(default_factory=list, description="What inspectors consider before giving it")


class Flags(StrictModel):
    """Flags given instead of scores (the CAA area assessment)."""

    judgement: Identifier = Field(description="The unscored judgement the flags belong to")
    note: Text | None = None
    kinds: list[FlagKind] = Field(min_length=1)


class TemplateSection(StrictModel):
    """One section of a self-assessment template: a heading and the criteria it lists."""

    title: Text
    group: Identifier | None = Field(default=None, description="The group whose KLOEs the section lists")
    criteria: list[Text] = Field(default_factory=list)


class SelfAssessmentTemplate(StrictModel):
    """The source's self-assessment template (CAA Appendix C): its columns and sections."""

    title: Text
    columns: list[Text] = Field(min_length=1)
    sections: list[TemplateSection] = Field(default_factory=list)


class Framework(StrictModel):
    """One inspection framework, transcribed from its source document."""

    schema_version: Literal[1] = 1
    id: Identifier
    version: Text = Field(description="Version of this transcription; bump it when KLOEs or statements change")
    descriptor_reading: DescriptorReading = Field(
        default="best_fit",
        description=(
            "How the descriptors are read: 'best_fit' (each described level is a picture of an organisation at "
            "that level; the analyst finds which fits best) or 'threshold' (a level presupposes every statement "
            "of the described levels below it: for frameworks written as cumulative minimum requirements)"
        ),
    )
    title: Text
    publisher: Text
    date: Text = Field(description="Date of the source document as it prints it (quoted in YAML)")
    source: Source
    other_sources: list[Source] = Field(default_factory=list, description="Other seeds cells were taken from")
    description: list[Text] = Field(default_factory=list, description="The source's own account of the framework")
    scales: list[Scale] = Field(min_length=1)
    judgements: list[Judgement] = Field(min_length=1)
    groups: list[Group] = Field(min_length=1)
    tables: list[CombinationTable] = Field(default_factory=list)
    flags: Flags | None = None
    self_assessment_template: SelfAssessmentTemplate | None = None
    notes: list[Text] = Field(default_factory=list)

    # -- lookups used by later stages -------------------------------------------------
    def iter_kloes(self) -> list[tuple[Group, Kloe]]:
        """Every KLOE with the group it sits in, in document order."""
        return [(group, kloe) for group in self.groups for kloe in group.kloes]

    def kloe(self, kloe_id: str) -> Kloe:
        """The KLOE with this id (KeyError if the framework has none)."""
        for _, kloe in self.iter_kloes():
            if kloe.id == kloe_id:
                return kloe
        raise KeyError(kloe_id)

    def scale(self, scale_id: str) -> Scale:
        """The scale with this id (KeyError if the framework has none)."""
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)

    def judgement(self, judgement_id: str) -> Judgement:
        """The judgement with this id (KeyError if the framework has none)."""
        for judgement in self.judgements:
            if judgement.id == judgement_id:
                return judgement
        raise KeyError(judgement_id)

    def scale_for_group(self, group: Group) -> Scale | None:
        """The scale a group's KLOEs are levelled on: the scale of the group's judgement."""
        scale_id = self.judgement(group.judgement).scale
        return self.scale(scale_id) if scale_id else None
