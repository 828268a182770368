"""Finding the stored assessment a report is about, from what a councils CSV or a person gives.

A councils CSV often has no period column. Where no period is given and the store holds
exactly one assessment of that council against that framework, that one is meant; where it
holds several, the error lists their periods so the CSV can say which.
"""

from __future__ import annotations

from pathlib import Path

from kloe_nb.errors import NotFoundError
from kloe_nb.store import AssessmentKey, AssessmentStore, open_store
from kloe_nb.store.base import StoredAssessment


def find_assessment(store: AssessmentStore, framework: str, code: str, period: str = "", track: str = "") -> StoredAssessment:
    """The council's current stored revision (see the module docstring), read once; NotFoundError saying what is there."""
    if not period:
        return store.load(resolve_key(store, framework, code, period, track))
    stored = store.find(AssessmentKey(framework, code, period, track))
    if stored is None:
        of_track = f" (track {track})" if track else ""
        there = _periods_there(store, framework, code, track)
        raise NotFoundError(f"no assessment of council {code!r}{of_track} against {framework} for period {period!r} in the store {store.path}{there}")
    return stored


def resolve_key(store: AssessmentStore, framework: str, code: str, period: str = "", track: str = "") -> AssessmentKey:
    """The key of the council's assessment (see the module docstring), or NotFoundError saying what is there.

    With a period, the assessment is read (so an unreadable one is found here, council by council).
    """
    if period:
        return find_assessment(store, framework, code, period, track).key
    of_track = f" (track {track})" if track else ""
    found = [key for key in store.keys(framework) if key.org_code == code and key.track == track]
    if not found:
        raise NotFoundError(f"no assessment of council {code!r}{of_track} against {framework} in the store {store.path}; import one with 'kloe import'")
    if len(found) > 1:
        periods = ", ".join(repr(key.period) for key in found)
        raise NotFoundError(
            f"council {code!r}{of_track} has assessments for several periods ({periods}) against {framework}; say which (a period column in the CSV, or --period)"
        )
    return found[0]


def _periods_there(store: AssessmentStore, framework: str, code: str, track: str) -> str:
    periods = [key.period for key in store.keys(framework) if key.org_code == code and key.track == track]
    if not periods:
        return ""
    return f"; it has the periods {', '.join(repr(period) for period in periods)}"


def load_assessment(store_path: str | Path, framework: str, code: str, period: str = "") -> StoredAssessment:
    """The council's current stored revision, from the store opened read-only."""
    with open_store(store_path, read_only=True) as store:
        return find_assessment(store, framework, code, period)
