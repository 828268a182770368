"""An assessment as a flat CSV table: one row per KLOE, for spreadsheets and other tools.

Export only (the JSON and the Excel template are the formats that come back in). UTF-8 with
a BOM so Excel reads accents right, RFC 4180 quoting with CRLF line ends, and every cell that
a spreadsheet would run as a formula defused with a leading ``'`` (``cells.defuse``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kloe_nb.assessment.model import Assessment
from kloe_nb.errors import KloeError
from kloe_nb.files import replacing
from kloe_nb.framework.model import Framework, Group, Kloe
from kloe_nb.framework.naming import group_heading
from kloe_nb.interchange.cells import defuse, evidence_text

NOT_IN_FRAMEWORK = "(not in the framework)"
"""The group shown for a KLOE the assessment has but the framework no longer does."""


def described_levels(framework: Framework) -> list[int]:
    """Every level any KLOE of the framework has descriptor statements for, highest first."""
    return sorted({level for _, kloe in framework.iter_kloes() for level in kloe.descriptors}, reverse=True)


def csv_columns(framework: Framework) -> list[str]:
    """The header row: who and what, the level, statements met per described level, how many of the
    lowest described level's statements it falls short of, the texts."""
    return [
        "framework",
        "organisation_code",
        "organisation_name",
        "period",
        "group",
        "kloe_id",
        "kloe_title",
        "level",
        "level_label",
        *(f"met_level_{level}" for level in described_levels(framework)),
        "falls_short",
        "strengths",
        "areas_for_improvement",
        "current_position",
        "evidence",
    ]


def _label(framework: Framework, group: Group | None, level: int | None) -> str:
    if group is None or level is None:
        return ""
    scale = framework.scale_for_group(group)
    for scale_level in scale.levels if scale else []:
        if scale_level.level == level:
            return scale_level.label or ""
    return ""


def csv_rows(framework: Framework, assessment: Assessment) -> list[list[str]]:
    """The rows (header first) before defusing: every KLOE of the framework, then any it does not have."""
    if assessment.framework != framework.id:
        raise KloeError(f"the assessment is for framework {assessment.framework!r}, not {framework.id!r}")
    levels = described_levels(framework)
    entries: list[tuple[Group | None, Kloe | None, str]] = [(group, kloe, kloe.id) for group, kloe in framework.iter_kloes()]
    known = {kloe_id for _, _, kloe_id in entries}
    entries += [(None, None, kloe_id) for kloe_id in assessment.kloes if kloe_id not in known]
    rows = [csv_columns(framework)]
    for group, kloe, kloe_id in entries:
        record = assessment.record(kloe_id)
        met = [str(len(record.met.get(level, []))) if kloe is None or level in kloe.descriptors or level in record.met else "" for level in levels]
        rows.append(
            [
                framework.id,
                assessment.organisation.code,
                assessment.organisation.name,
                assessment.period,
                group_heading(group) if group else NOT_IN_FRAMEWORK,
                kloe_id,
                kloe.title if kloe else "",
                "" if record.level is None else str(record.level),
                _label(framework, group, record.level),
                *met,
                str(sum(len(indexes) for indexes in record.falls_short.values())) if kloe is None or kloe.descriptors else "",
                record.strengths,
                record.areas_for_improvement,
                record.current_position,
                evidence_text(record.evidence),
            ]
        )
    return rows


def assessment_csv_text(framework: Framework, assessment: Assessment) -> str:
    """The CSV as text (BOM first, CRLF line ends, every cell defused)."""
    stream = io.StringIO()
    writer = csv.writer(stream, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in csv_rows(framework, assessment):
        writer.writerow([defuse(cell) for cell in row])
    return "\ufeff" + stream.getvalue()


def write_assessment_csv(framework: Framework, assessment: Assessment, path: Path | str) -> Path:
    """Write one row per KLOE as CSV (to a temporary file first, then renamed into place)."""
    path = Path(path)
    data = assessment_csv_text(framework, assessment).encode("utf-8")
    with replacing(path) as temporary:
        temporary.write_bytes(data)
    return path
