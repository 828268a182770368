"""A writer killed in the middle of saving never leaves a mixed or unreadable store (RELIABILITY.md 19)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import time

from kloe_nb.store import AssessmentKey, open_store

WRITER = textwrap.dedent(
    """
    import sys
    from kloe_nb.assessment import Assessment, KloeRecord, Organisation
    from kloe_nb.store import open_store
    path = sys.argv[1]
    with open_store(path) as store:
        key = __import__("kloe_nb.store", fromlist=["AssessmentKey"]).AssessmentKey("hi-prospects", "K1")
        current = store.find(key)
        revision = current.revision if current else None
        n = revision or 0
        while True:
            n += 1
            text = f"save {n} " * 6000  # ~50 KB: a torn write would show
            doc = Assessment(framework="hi-prospects", organisation=Organisation(code="K1", name="Kill Test"),
                             kloes={"track-record": KloeRecord(level=1 + n % 4, strengths=text)})
            revision = store.save(doc, based_on=revision).revision
            sys.stdout.write(f"{revision}\\n"); sys.stdout.flush()
    """
)


def test_killing_a_writer_mid_save_leaves_old_or_new_never_a_mix(tmp_path):
    path = tmp_path / "kloe.db"
    key = AssessmentKey("hi-prospects", "K1")
    rng = random.Random(19)
    for _ in range(20):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip().isdigit()  # it is saving
        time.sleep(rng.uniform(0.0, 0.15))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        confirmed = [int(line) for line in writer.stdout.read().split() if line.isdigit()]
        with open_store(path) as store:
            stored = store.load(key)
            assert store._connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            record = stored.assessment.kloes["track-record"]
        n = stored.revision
        # the content is exactly what revision n was saved with: no torn or mixed document
        assert record.strengths == f"save {n} " * 6000 and record.level == 1 + n % 4
        assert not confirmed or n >= max(confirmed)
