"""One analyst's editing session of one assessment: the model behind the form, without ipywidgets.

The session holds the framework, the assessment as it is being edited and the store revision
it is based on. Every edit (``edits.py``) is checked against the framework first (a level must be on
the scale, a statement must exist; blank means "not yet assessed", never a score), applied
to the assessment, and saved by a background throttle (``autosave.py``) at most one interval
late. The store is the only record: a session always starts from what the store holds.

What a save can meet, and what the session does (RELIABILITY.md 18, 20, 22):
- saved: the status says "saved at HH:MM:SS" with the revision;
- disk full, store busy, any other store error: "NOT SAVED: ... retrying"; the edit stays in
  memory and the save is retried until it succeeds;
- a stale revision (the council is open twice and the other copy saved first): changes to
  different fields are merged onto theirs and saved; changes to the same field are a
  conflict: both values are shown, nothing is saved or overwritten until the analyst picks
  mine or theirs (``resolve``). Edits made meanwhile are kept.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from kloe_nb.assessment.fields import IDENTITY_FIELDS, Conflict, merge
from kloe_nb.assessment.model import Assessment, Flag, FrameworkVersion, JudgementDecision, KloeRecord, Organisation
from kloe_nb.errors import KloeError, StoreBusyError, StoreWriteError
from kloe_nb.form.autosave import SaveTiming, Throttle
from kloe_nb.form.edits import Editing
from kloe_nb.form.reopen import first_open, last_edited
from kloe_nb.framework.model import Framework, Group, Kloe, Scale
from kloe_nb.framework.naming import kloe_reference
from kloe_nb.scoring import Scores, score, suggest_kloe_level
from kloe_nb.scoring.kloe_suggestion import KloeSuggestion
from kloe_nb.store.base import AssessmentKey, AssessmentStore, RevisionInfo, StaleRevisionError, StoredAssessment, login_name

if TYPE_CHECKING:
    from kloe_nb.analysis.sensitivity import JudgementSensitivity

KloeStatus = Literal["not started", "in progress", "levelled"]
State = Literal["new", "loaded", "unsaved", "saved", "error", "conflict", "closed"]


def clock(saved_at: str | None) -> str:
    """A store timestamp (UTC, ISO) as the analyst's local HH:MM:SS."""
    if not saved_at:
        return ""
    try:
        return datetime.fromisoformat(saved_at).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return saved_at


def known_name(store: AssessmentStore, key: AssessmentKey) -> str:
    """The council's name as the store already has it (the lead of the same period first), so a new
    scoring opened without a name does not show the bare code or an invented one."""
    same_council = [other for other in store.keys(key.framework) if other.org_code == key.org_code and other != key]
    same_council.sort(key=lambda other: (other.period != key.period, other.track != "", other.period, other.track))
    for other in same_council:
        found = store.find(other)
        if found is not None and found.assessment.organisation.name:
            return found.assessment.organisation.name
    return ""


@dataclass(frozen=True)
class SaveStatus:
    """Where the assessment stands against the store, in words for the status line."""

    state: State
    message: str
    revision: int | None = None
    saved_at: str | None = None
    conflicts: tuple[Conflict, ...] = ()
    theirs: StoredAssessment | None = None

    @property
    def ok(self) -> bool:
        return self.state in ("new", "loaded", "saved")


@dataclass
class _Pending:
    """Counting edits so a save knows whether later edits are still unsaved."""

    edits: int = 0
    saved: int = 0

    @property
    def waiting(self) -> bool:
        """Edits made since the last save began (a method of its own: the count changes under the caller)."""
        return self.edits != self.saved


@dataclass
class _Listeners:
    status: list[Callable[[SaveStatus], None]] = field(default_factory=list)
    reload: list[Callable[[], None]] = field(default_factory=list)


_OPEN_SESSIONS: weakref.WeakSet[FormSession] = weakref.WeakSet()


@atexit.register
def _flush_open_sessions() -> None:
    """On a kernel shutdown or restart, save what the last interval had not saved yet."""
    for session in list(_OPEN_SESSIONS):
        try:
            session.close()
        except Exception:  # noqa: BLE001 - exiting: nothing better to do than try the next one
            pass


class FormSession(Editing):
    """The assessment being edited, its store revision, and its save status (edits: ``edits.py``)."""

    def __init__(
        self,
        framework: Framework,
        store: AssessmentStore,
        key: AssessmentKey,
        *,
        council_name: str = "",
        assessor: str = "",
        framework_sha256: str = "",
        owns_store: bool = False,
        timing: SaveTiming | None = None,
    ) -> None:
        if key.framework != framework.id:
            raise KloeError(f"the key {key} is for framework {key.framework!r}, not {framework.id!r}")
        self.framework = framework
        self.store = store
        self.key = key
        self.assessor = assessor or login_name()  # who the store records with each revision, shown as such
        self._owns_store = owns_store
        self._lock = threading.RLock()
        self._store_lock = threading.Lock()
        self._pending = _Pending()
        self._listeners = _Listeners()
        self._scores: tuple[int, Scores] | None = None
        self._sensitivity: tuple[tuple[tuple[str, int], ...], dict[str, JudgementSensitivity]] | None = None
        self._version = 0
        self._groups = {kloe.id: group for group, kloe in framework.iter_kloes()}
        self._kloes = {kloe.id: kloe for _, kloe in framework.iter_kloes()}
        self._framework_version = FrameworkVersion(version=framework.version, sha256=framework_sha256)
        self.loaded_framework_version: FrameworkVersion | None = None
        with self._store_lock:
            stored = store.find(key)
        if stored is None:
            self._base: Assessment | None = None
            self.revision: int | None = None
            self.assessment = Assessment(
                framework=framework.id,
                framework_version=self._framework_version,
                organisation=Organisation(code=key.org_code, name=council_name or known_name(store, key) or key.org_code),
                period=key.period,
                assessor=self.assessor,
                track=key.track,
            )
            # an independent scoring (track) starts empty, never from the lead: independent means independent
            what = f"new independent scoring (track {key.track})" if key.track else "new assessment"
            self.status = SaveStatus("new", f"{what} of {key.org_code}: nothing saved yet")
        else:
            self._base = stored.assessment
            self.revision = stored.revision
            self.assessment = stored.assessment.model_copy(deep=True)
            self.loaded_framework_version = stored.assessment.framework_version
            self.assessment.framework_version = self._framework_version
            self.status = SaveStatus(
                "loaded",
                f"restored revision {stored.revision} (last saved at {clock(stored.saved_at)} by {stored.saved_by})",
                stored.revision,
                stored.saved_at,
            )
        self._throttle = Throttle(self._save_once, timing or SaveTiming())
        _OPEN_SESSIONS.add(self)

    # -- listening ---------------------------------------------------------------------------
    def on_status(self, callback: Callable[[SaveStatus], None]) -> None:
        """Call ``callback(status)`` whenever the save status changes (from any thread)."""
        self._listeners.status.append(callback)

    def on_reload(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` when the assessment was replaced (merged with someone else's save)."""
        self._listeners.reload.append(callback)

    def _set_status(self, status: SaveStatus) -> None:
        self.status = status
        for callback in list(self._listeners.status):
            callback(status)

    def _reloaded(self) -> None:
        for callback in list(self._listeners.reload):
            callback()

    # -- reading -----------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Increases with every change to the assessment (edits and merges)."""
        return self._version

    def kloe(self, kloe_id: str) -> Kloe:
        return self._kloes[kloe_id]

    def group_of(self, kloe_id: str) -> Group:
        return self._groups[kloe_id]

    def scale_of(self, kloe_id: str) -> Scale | None:
        return self.framework.scale_for_group(self._groups[kloe_id])

    def record(self, kloe_id: str) -> KloeRecord:
        with self._lock:
            return self.assessment.record(kloe_id)

    def decision(self, judgement_id: str) -> JudgementDecision:
        with self._lock:
            return self.assessment.judgements.get(judgement_id) or JudgementDecision()

    def flags(self) -> list[Flag]:
        with self._lock:
            return list(self.assessment.flags)

    def suggestion(self, kloe_id: str) -> KloeSuggestion:
        kloe = self._kloes[kloe_id]
        return suggest_kloe_level(kloe, self.record(kloe_id), self.scale_of(kloe_id), self.framework.descriptor_reading)

    def kloe_status(self, kloe_id: str) -> KloeStatus:
        record = self.record(kloe_id)
        if record.level is not None:
            return "levelled"
        return "not started" if record.is_empty() else "in progress"

    def scores(self) -> Scores:
        """The scores of the assessment as it is now (cached until the next change)."""
        with self._lock:
            if self._scores is None or self._scores[0] != self._version:
                self._scores = (self._version, score(self.framework, self.assessment))
            return self._scores[1]

    def sensitivity(self) -> dict[str, JudgementSensitivity]:
        """Which single KLOE moving one level would change each judgement's suggestion.

        It reads the KLOE levels only (suggestions; decisions are set aside), so it is worked
        out again only when a level changed, never for a keystroke in a text field."""
        from kloe_nb.analysis.sensitivity import sensitivity

        with self._lock:
            levels = tuple(sorted((kloe_id, record.level) for kloe_id, record in self.assessment.kloes.items() if record.level is not None))
            if self._sensitivity is not None and self._sensitivity[0] == levels:
                return self._sensitivity[1]
            snapshot = self.assessment.model_copy(deep=True)
        found = sensitivity(self.framework, snapshot)
        with self._lock:
            self._sensitivity = (levels, found)
        return found

    def other_tracks(self) -> list[str]:
        """The other tracks the store holds for this council and period ("" is the lead assessment)."""
        with self._store_lock:
            keys = self.store.keys(self.key.framework)
        return [key.track for key in keys if (key.org_code, key.period) == (self.key.org_code, self.key.period) and key.track != self.key.track]

    def opening_kloe(self) -> str:
        """Where the form opens: the KLOE this assessor last changed, read from the store's history
        (``reopen.py``), else the first scored KLOE not yet levelled."""
        order = list(self._kloes)
        history: list[RevisionInfo] = []
        if self.revision is not None:
            try:
                with self._store_lock:
                    history = self.store.history(self.key)
            except KloeError:  # a history that cannot be read only costs the place: open where nothing is levelled
                history = []
        found = last_edited(history, order, self.assessor)
        if found is not None:
            return found
        scored = {kloe_id for kloe_id, kloe in self._kloes.items() if kloe.scored}
        return first_open(order, scored, {kloe_id for kloe_id in order if self.kloe_status(kloe_id) == "levelled"})

    def unknown_kloes(self) -> list[str]:
        """KLOEs the stored assessment records that this framework does not have (kept, never dropped)."""
        with self._lock:
            return [kloe_id for kloe_id in self.assessment.kloes if kloe_id not in self._kloes]

    @property
    def unsaved(self) -> bool:
        return self._pending.waiting

    # -- saving state after an edit ------------------------------------------------------
    def _changed(self) -> None:
        """Called with the lock held after the assessment changed."""
        self._version += 1
        self._pending.edits += 1
        if self.status.state not in ("conflict",):
            self._set_status(SaveStatus("unsaved", "changes not saved yet", self.revision, self.status.saved_at))
        self._throttle.touch()

    # -- saving ------------------------------------------------------------------------------
    def _save_once(self) -> float | None:
        """Save pending edits once; None when done or waiting for the analyst, else seconds to retry."""
        with self._lock:
            if not self.unsaved or self.status.state == "conflict" or self.status.state == "closed":
                return None
            snapshot = self.assessment.model_copy(deep=True)
            edits, based_on = self._pending.edits, self.revision
        try:
            with self._store_lock:
                stored = self.store.save(snapshot, based_on=based_on, author=self.assessor or None, track=self.key.track)
        except StaleRevisionError as stale:
            return self._stale(stale, based_on)
        except (StoreWriteError, StoreBusyError, KloeError) as error:
            return self._failed(str(error))
        except Exception as error:  # noqa: BLE001 - an unexpected failure must still leave the edit in memory and say so
            return self._failed(f"NOT SAVED: {type(error).__name__}: {error}")
        with self._lock:
            self.revision = stored.revision
            self._base = stored.assessment
            self._pending.saved = edits
            waiting = self._pending.waiting
        saved = f"saved at {clock(stored.saved_at)} (revision {stored.revision})"
        if waiting:  # edits made while this save ran: say so, and save them next
            self._set_status(SaveStatus("unsaved", f"{saved}; newer changes not saved yet", stored.revision, stored.saved_at))
            self._throttle.touch()
        else:
            self._set_status(SaveStatus("saved", saved, stored.revision, stored.saved_at))
        return None

    def _failed(self, message: str) -> float:
        retry = self._throttle.timing.retry
        text = message if message.startswith("NOT SAVED") else f"NOT SAVED: {message}"
        first_line = text.splitlines()[0]
        self._set_status(SaveStatus("error", f"{first_line} Your changes are kept here; retrying every {retry:g} s.", self.revision, self.status.saved_at))
        return retry

    def _stale(self, stale: StaleRevisionError, based_on: int | None) -> float | None:
        current = stale.current
        if current is None:
            # the store no longer has what we loaded (a store swapped underneath): save ours as new
            with self._lock:
                self.revision, self._base = None, None
            return 0.0
        with self._lock:
            conflicts = [conflict for conflict in stale.conflicts if conflict.key[0] not in IDENTITY_FIELDS]  # the form never edits those
            if not conflicts:
                self.assessment = merge(self._base, current.assessment, self.assessment)
                self.revision, self._base = current.revision, current.assessment
                self._version += 1
        if not conflicts:
            self._set_status(
                SaveStatus(
                    "unsaved",
                    f"merged with revision {current.revision} saved by {current.saved_by} at {clock(current.saved_at)} (different fields); saving",
                    self.revision,
                    self.status.saved_at,
                )
            )
            self._reloaded()
            return 0.0
        names = ", ".join(describe_field(self.framework, conflict.key) for conflict in conflicts)
        self._set_status(
            SaveStatus(
                "conflict",
                f"NOT SAVED: {current.saved_by} saved revision {current.revision} at {clock(current.saved_at)} "
                f"while you were editing (you had revision {based_on}), changing the same fields: {names}. "
                "Both values are shown; nothing was overwritten. Choose which to keep.",
                self.revision,
                self.status.saved_at,
                tuple(conflicts),
                current,
            )
        )
        return None

    def resolve(self, prefer: Literal["mine", "theirs"]) -> None:
        """Settle a conflict: keep my values or take theirs for the conflicting fields; every other edit of mine is kept."""
        if prefer not in ("mine", "theirs"):
            raise ValueError(prefer)
        with self._lock:
            if self.status.state != "conflict":
                return
        with self._store_lock:
            current = self.store.find(self.key)
        if current is None:
            return
        with self._lock:
            self.assessment = merge(self._base, current.assessment, self.assessment, prefer=prefer)
            self.revision, self._base = current.revision, current.assessment
            self._version += 1
            self._pending.edits += 1
            self.status = SaveStatus("unsaved", f"kept {prefer} for the conflicting fields; saving", self.revision)
        self._set_status(self.status)
        self._reloaded()
        self._throttle.touch(immediately=True)

    def flush(self) -> SaveStatus:
        """Save what is pending now (tests, closing); returns the status after trying."""
        self._throttle.flush()
        return self.status

    def close(self) -> None:
        """Save what is pending, stop the saver and close the store if the session opened it."""
        if self.status.state == "closed":
            return
        self._throttle.close(flush=True)
        _OPEN_SESSIONS.discard(self)
        if self.unsaved:
            self._set_status(SaveStatus("error", f"closed with unsaved changes: {self.status.message}", self.revision))
        else:
            self._set_status(SaveStatus("closed", "closed", self.revision, self.status.saved_at))
        if self._owns_store:
            with self._store_lock:
                self.store.close()


def describe_field(framework: Framework, key: tuple[str, ...]) -> str:
    """A field key as people name it: 'KLOE 2.1 level', 'judgement J1 rationale', 'flags'."""
    names = {
        "areas_for_improvement": "areas for improvement",
        "current_position": "current position",
        "met": "statements that describe it",
        "falls_short": "statements it falls short of",
        "actions": "improvement plan",
        "moderation": "moderation record",
    }
    if len(key) == 3:
        section, item_id, name = key
        kloes = {kloe.id: kloe for _, kloe in framework.iter_kloes()}
        if section == "kloes":
            what = kloe_reference(kloes[item_id]) if item_id in kloes else f"KLOE {item_id}"  # one the framework no longer has: its id is all there is
        else:
            what = f"judgement {item_id}"
        return f"{what} {names.get(name, name)}"
    return key[0]
