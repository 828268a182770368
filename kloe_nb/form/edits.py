"""The edits a form can make to an assessment, each checked against the framework first.

A level must be on the KLOE's scale (blank means "not yet assessed", never a score; ``0``,
``5``, ``3.5``, ``"three"`` and ``True`` are refused), a statement or flag criterion must exist,
text must be storable. A refused edit raises ``InvalidInputError`` naming the council, the
field path and the rule, and changes nothing. Mixed into ``FormSession``, which supplies the
lock, the assessment and ``_changed`` (saving). No ipywidgets here.
"""

from __future__ import annotations

import threading
from typing import Any

from pydantic import ValidationError

from kloe_nb.assessment.dates import read_date_seen
from kloe_nb.assessment.model import Action, Assessment, Evidence, Flag, JudgementDecision, KloeRecord
from kloe_nb.errors import InvalidInputError, Problem
from kloe_nb.framework.model import Framework, Kloe, Scale
from kloe_nb.framework.naming import kloe_reference
from kloe_nb.store.base import AssessmentKey

KLOE_TEXT_FIELDS = ("strengths", "areas_for_improvement", "current_position", "rationale")
EVIDENCE_FIELDS = ("source", "reference", "note", "date_seen")
ACTION_FIELDS = ("area", "action", "owner", "due", "priority", "resources", "measure")


class Editing:
    """Checked edits of ``self.assessment`` (see the module docstring)."""

    framework: Framework
    key: AssessmentKey
    assessment: Assessment
    _lock: threading.RLock
    _kloes: dict[str, Kloe]

    def _changed(self) -> None:  # supplied by FormSession: count the edit and schedule a save
        raise NotImplementedError

    def scale_of(self, kloe_id: str) -> Scale | None:  # supplied by FormSession
        raise NotImplementedError

    # -- checking input ----------------------------------------------------------------------
    def _problem(self, path: str, message: str) -> InvalidInputError:
        where = f"{self.key.org_code} {self.framework.id}"
        return InvalidInputError(f"the form ({where})", [Problem(where, path, message)])

    def _known_kloe(self, kloe_id: str) -> Kloe:
        if kloe_id not in self._kloes:
            raise self._problem(f"kloes.{kloe_id}", f"framework {self.framework.id} has no KLOE {kloe_id!r}")
        return self._kloes[kloe_id]

    def parse_level(self, value: Any, levels: list[int], path: str) -> int | None:
        """A level from the form: blank means not yet assessed; otherwise a whole number on the scale."""
        choices = ", ".join(str(level) for level in sorted(levels, reverse=True))
        hint = f"choose one of {choices}, or leave it blank (not yet assessed)"
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise self._problem(path, f"{value!r} is not a level: {hint}")
        if isinstance(value, str):
            text = value.strip()
            if not (text.isascii() and text.isdigit()):
                raise self._problem(path, f"{value!r} is not a level: {hint}")
            value = int(text)
        if value not in levels:
            raise self._problem(path, f"level {value} is not on the scale: {hint}")
        return int(value)

    def _text(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise self._problem(path, f"expected text, got {type(value).__name__}")
        return value

    # -- editing -----------------------------------------------------------------------------
    def _assign(self, target: Any, name: str, value: Any, path: str) -> bool:
        if getattr(target, name) == value:
            return False
        try:
            setattr(target, name, value)
        except ValidationError as error:
            messages = "; ".join(str(detail["msg"]).removeprefix("Value error, ") for detail in error.errors())
            raise self._problem(path, f"not saved: {messages}") from None
        return True

    def _record_for_edit(self, kloe_id: str) -> KloeRecord:
        record = self.assessment.kloes.get(kloe_id)
        if record is None:
            record = self.assessment.kloes[kloe_id] = KloeRecord()
        return record

    def _tidy(self, kloe_id: str) -> None:
        record = self.assessment.kloes.get(kloe_id)
        if record is not None and record.is_empty():
            del self.assessment.kloes[kloe_id]

    def _edit_record(self, kloe_id: str, name: str, value: Any, path: str) -> bool:
        with self._lock:
            record = self._record_for_edit(kloe_id)
            try:
                changed = self._assign(record, name, value, path)
            finally:
                self._tidy(kloe_id)
            if changed:
                self._changed()
            return changed

    def set_level(self, kloe_id: str, value: Any) -> bool:
        """Decide a KLOE's level (blank: not yet assessed). Returns whether anything changed."""
        kloe = self._known_kloe(kloe_id)
        path = f"kloes.{kloe_id}.level"
        scale = self.scale_of(kloe_id)
        if not kloe.scored or scale is None:
            if value is None or value == "":
                return False
            raise self._problem(path, f"{kloe_reference(kloe)} is context only and is not scored")
        level = self.parse_level(value, [lv.level for lv in scale.levels], path)
        return self._edit_record(kloe_id, "level", level, path)

    def set_met(self, kloe_id: str, level: int, index: int, met: bool) -> bool:
        """Mark one descriptor statement as describing the organisation, or clear that mark."""
        if not isinstance(met, bool):
            raise self._problem(f"kloes.{kloe_id}.met.{level}", f"met must be true or false, not {met!r}")
        if met:
            return self.set_verdict(kloe_id, level, index, "met")
        if index in self.assessment.record(kloe_id).met.get(level, []):
            return self.set_verdict(kloe_id, level, index, "")
        return False

    def set_verdict(self, kloe_id: str, level: int, index: int, verdict: str) -> bool:
        """One statement's verdict: "met" (describes the organisation), "falls_short" (lowest
        described level only: the organisation does not even reach it) or "" (not marked)."""
        kloe = self._known_kloe(kloe_id)
        field_name = verdict or "met"
        path = f"kloes.{kloe_id}.{field_name}.{level}"
        statements = kloe.descriptors.get(level) if isinstance(level, int) and not isinstance(level, bool) else None
        if statements is None:
            raise self._problem(path, f"{kloe_reference(kloe)} has no level {level!r} descriptors")
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(statements):
            raise self._problem(path, f"statement {index!r} does not exist (level {level} has 0-{len(statements) - 1})")
        if verdict not in ("", "met", "falls_short"):
            raise self._problem(path, f"a verdict is 'met', 'falls_short' or blank, not {verdict!r}")
        if verdict == "falls_short" and level != min(kloe.descriptors):
            raise self._problem(path, f"only statements of the lowest described level ({min(kloe.descriptors)}) can be fallen short of")
        with self._lock:
            changed = False
            for name in ("falls_short", "met") if verdict == "met" else ("met", "falls_short"):
                current = getattr(self.assessment.record(kloe_id), name)
                indexes = set(current.get(level, ()))
                indexes = indexes | {index} if name == verdict else indexes - {index}
                updated = {k: v for k, v in {**current, level: sorted(indexes)}.items() if v}
                changed = self._edit_record(kloe_id, name, updated, f"kloes.{kloe_id}.{name}.{level}") or changed
            return changed

    def set_kloe_text(self, kloe_id: str, name: str, value: Any) -> bool:
        """Strengths, areas for improvement, current position or the rationale of a KLOE."""
        self._known_kloe(kloe_id)
        if name not in KLOE_TEXT_FIELDS:
            raise self._problem(f"kloes.{kloe_id}.{name}", f"not a text field (fields: {', '.join(KLOE_TEXT_FIELDS)})")
        path = f"kloes.{kloe_id}.{name}"
        return self._edit_record(kloe_id, name, self._text(value, path), path)

    def add_evidence(self, kloe_id: str, source: str = "") -> int:
        """Add an empty evidence row (with a source if given); returns its index."""
        self._known_kloe(kloe_id)
        path = f"kloes.{kloe_id}.evidence"
        with self._lock:
            evidence = list(self.assessment.record(kloe_id).evidence)
            evidence.append(Evidence(source=self._text(source, path)))
            self._edit_record(kloe_id, "evidence", evidence, path)
            return len(evidence) - 1

    def remove_evidence(self, kloe_id: str, index: int) -> bool:
        self._known_kloe(kloe_id)
        path = f"kloes.{kloe_id}.evidence[{index}]"
        with self._lock:
            evidence = list(self.assessment.record(kloe_id).evidence)
            if not 0 <= index < len(evidence):
                raise self._problem(path, f"there is no evidence row {index}")
            del evidence[index]
            return self._edit_record(kloe_id, "evidence", evidence, path)

    def set_evidence(self, kloe_id: str, index: int, name: str, value: Any) -> bool:
        """Change one field of an evidence row; a date seen that is not a date (``read_date_seen``) is refused and nothing changes."""
        self._known_kloe(kloe_id)
        path = f"kloes.{kloe_id}.evidence[{index}].{name}"
        if name not in EVIDENCE_FIELDS:
            raise self._problem(path, f"not an evidence field (fields: {', '.join(EVIDENCE_FIELDS)})")
        text = self._text(value, path)
        if name == "date_seen":
            try:
                read_date_seen(text)
            except ValueError as error:
                raise self._problem(path, f"not saved: {error}") from None
        with self._lock:
            evidence = [item.model_copy() for item in self.assessment.record(kloe_id).evidence]
            if not 0 <= index < len(evidence):
                raise self._problem(path, f"there is no evidence row {index}")
            if not self._assign(evidence[index], name, text, path):
                return False
            return self._edit_record(kloe_id, "evidence", evidence, path)

    def add_action(self, kloe_id: str, area: str = "") -> int:
        """Add an improvement-plan action (for an area for improvement, if given); returns its index."""
        self._known_kloe(kloe_id)
        path = f"kloes.{kloe_id}.actions"
        with self._lock:
            actions = list(self.assessment.record(kloe_id).actions)
            try:
                actions.append(Action(area=self._text(area, f"{path}[{len(actions)}].area")))
            except ValidationError as error:
                raise self._problem(path, "; ".join(str(detail["msg"]) for detail in error.errors())) from None
            self._edit_record(kloe_id, "actions", actions, path)
            return len(actions) - 1

    def remove_action(self, kloe_id: str, index: int) -> bool:
        self._known_kloe(kloe_id)
        path = f"kloes.{kloe_id}.actions[{index}]"
        with self._lock:
            actions = list(self.assessment.record(kloe_id).actions)
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(actions):
                raise self._problem(path, f"there is no action {index!r}")
            del actions[index]
            return self._edit_record(kloe_id, "actions", actions, path)

    def set_action(self, kloe_id: str, index: int, name: str, value: Any) -> bool:
        """Change one field of an action; a bad due date or priority is refused and nothing changes."""
        self._known_kloe(kloe_id)
        path = f"kloes.{kloe_id}.actions[{index}].{name}"
        if name not in ACTION_FIELDS:
            raise self._problem(path, f"not an action field (fields: {', '.join(ACTION_FIELDS)})")
        with self._lock:
            actions = [item.model_copy() for item in self.assessment.record(kloe_id).actions]
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(actions):
                raise self._problem(path, f"there is no action {index!r}")
            if not self._assign(actions[index], name, self._text(value, path), path):
                return False
            return self._edit_record(kloe_id, "actions", actions, path)

    def _judgement_levels(self, judgement_id: str, path: str) -> list[int]:
        judgements = {judgement.id: judgement for judgement in self.framework.judgements}
        judgement = judgements.get(judgement_id)
        if judgement is None:
            raise self._problem(path, f"framework {self.framework.id} has no judgement {judgement_id!r}")
        if not judgement.scored or judgement.scale is None:
            raise self._problem(path, f"{judgement.title!r} is not scored")
        return [level.level for level in self.framework.scale(judgement.scale).levels]

    def _edit_decision(self, judgement_id: str, name: str, value: Any, path: str) -> bool:
        with self._lock:
            decision = (self.assessment.judgements.get(judgement_id) or JudgementDecision()).model_copy()
            if not self._assign(decision, name, value, path):
                return False
            if decision == JudgementDecision():
                self.assessment.judgements.pop(judgement_id, None)
            else:
                self.assessment.judgements[judgement_id] = decision
            self._changed()
            return True

    def set_judgement_level(self, judgement_id: str, value: Any) -> bool:
        """Decide a judgement's level (blank: take the suggestion)."""
        path = f"judgements.{judgement_id}.level"
        level = self.parse_level(value, self._judgement_levels(judgement_id, path), path)
        return self._edit_decision(judgement_id, "level", level, path)

    def set_judgement_rationale(self, judgement_id: str, value: Any) -> bool:
        path = f"judgements.{judgement_id}.rationale"
        self._judgement_levels(judgement_id, path)
        return self._edit_decision(judgement_id, "rationale", self._text(value, path), path)

    def _flag_colours(self) -> dict[str, int]:
        if self.framework.flags is None:
            raise self._problem("flags", f"framework {self.framework.id} has no flags")
        return {kind.colour: len(kind.criteria) for kind in self.framework.flags.kinds}

    def add_flag(self, colour: str, subject: str, reason: str = "") -> int:
        """Give a red or green flag (the subject is required); returns its index."""
        colours = self._flag_colours()
        path = f"flags[{len(self.assessment.flags)}]"
        if colour not in colours:
            raise self._problem(f"{path}.colour", f"{colour!r} is not a flag colour here ({', '.join(colours)})")
        if not isinstance(subject, str) or not subject.strip():
            raise self._problem(f"{path}.subject", "a flag needs a subject: say what it is about")
        try:
            flag = Flag(colour=colour, subject=subject, reason=self._text(reason, f"{path}.reason"))  # type: ignore[arg-type]
        except ValidationError as error:
            raise self._problem(path, "; ".join(str(detail["msg"]) for detail in error.errors())) from None
        with self._lock:
            self.assessment.flags = [*self.assessment.flags, flag]
            self._changed()
            return len(self.assessment.flags) - 1

    def remove_flag(self, index: int) -> bool:
        with self._lock:
            flags = list(self.assessment.flags)
            if not 0 <= index < len(flags):
                raise self._problem(f"flags[{index}]", "there is no such flag")
            del flags[index]
            self.assessment.flags = flags
            self._changed()
            return True

    def set_flag(self, index: int, name: str, value: Any) -> bool:
        """Change a flag's subject, reason or colour (changing colour clears its criteria)."""
        colours = self._flag_colours()
        path = f"flags[{index}].{name}"
        with self._lock:
            flags = [flag.model_copy() for flag in self.assessment.flags]
            if not 0 <= index < len(flags):
                raise self._problem(f"flags[{index}]", "there is no such flag")
            if name == "subject" and (not isinstance(value, str) or not value.strip()):
                raise self._problem(path, "a flag needs a subject: say what it is about (the last one given is kept)")
            if name == "colour":
                if value not in colours:
                    raise self._problem(path, f"{value!r} is not a flag colour here ({', '.join(colours)})")
                if flags[index].colour != value:
                    flags[index].criteria = []
            elif name not in ("subject", "reason"):
                raise self._problem(path, "flags have a colour, a subject and a reason")
            if not self._assign(flags[index], name, value, path):
                return False
            self.assessment.flags = flags
            self._changed()
            return True

    def set_flag_criterion(self, index: int, criterion: int, applies: bool) -> bool:
        colours = self._flag_colours()
        path = f"flags[{index}].criteria"
        with self._lock:
            flags = [flag.model_copy() for flag in self.assessment.flags]
            if not 0 <= index < len(flags):
                raise self._problem(f"flags[{index}]", "there is no such flag")
            count = colours[flags[index].colour]
            if isinstance(criterion, bool) or not isinstance(criterion, int) or not 0 <= criterion < count:
                raise self._problem(path, f"criterion {criterion!r} does not exist ({flags[index].colour} flags have {count})")
            chosen = set(flags[index].criteria)
            chosen = chosen | {criterion} if applies else chosen - {criterion}
            if not self._assign(flags[index], "criteria", sorted(chosen), path):
                return False
            self.assessment.flags = flags
            self._changed()
            return True
