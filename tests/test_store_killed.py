"""A writer killed in the middle of saving never leaves a mixed or unreadable store (RELIABILITY.md 19).

A child process saves revisions in a tight loop, each a ~50 KB document whose text says which
save it is ("save N save N ..."), so a torn or mixed write would show. It is SIGKILLed at a
random moment, 20 times; after each kill the store must open cleanly (quick_check runs on
open), and its latest revision must be exactly one the writer saved, no older than the last
save the writer reported as done.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from kloe_nb.store import AssessmentKey, open_store

KEY = AssessmentKey("hi-prospects", "K1")

WRITER = textwrap.dedent(
    """
    import sys
    from kloe_nb.assessment import Assessment, KloeRecord, Organisation
    from kloe_nb.store import AssessmentKey, open_store
    with open_store(sys.argv[1]) as store:
        current = store.find(AssessmentKey("hi-prospects", "K1"))
        revision = current.revision if current else None
        while True:
            n = (revision or 0) + 1
            doc = Assessment(framework="hi-prospects", organisation=Organisation(code="K1", name="Kill Test"),
                             kloes={"track-record": KloeRecord(level=1 + n % 4, strengths=f"save {n} " * 6000)})
            revision = store.save(doc, based_on=revision).revision
            print(revision, flush=True)
    """
)


def expected_text(n: int) -> str:
    return f"save {n} " * 6000


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killing_a_writer_mid_save_leaves_the_old_or_the_new_revision_never_a_mix(tmp_path):
    path = tmp_path / "kloe.db"
    rng = random.Random(19)
    for _ in range(20):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip().isdigit()  # it is saving
        time.sleep(rng.uniform(0.0, 0.1))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        confirmed = [int(line) for line in writer.stdout.read().split() if line.isdigit()]
        with open_store(path) as store:  # opens cleanly: quick_check passed, nothing set aside
            assert store._connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            stored = store.load(KEY)
            n = stored.revision
            record = stored.assessment.kloes["track-record"]
            assert record.strengths == expected_text(n) and record.level == 1 + n % 4
            assert not confirmed or n >= max(confirmed)  # a save reported done is never lost
            assert [r.number for r in store.history(KEY)] == list(range(1, n + 1))
            if n > 1:
                assert store.at_revision(KEY, n - 1).kloes["track-record"].strengths == expected_text(n - 1)
        assert not list(tmp_path.glob("kloe.db.corrupt-*"))
