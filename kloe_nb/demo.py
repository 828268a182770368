"""``make demo``: the main job on the bundled data.

For now that is the framework handbook: every bundled framework validated and written as one
self-contained HTML page under ``runs/handbooks/``; the paths are printed at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kloe_nb.framework.loader import load_all
from kloe_nb.render.handbook import write_handbook

RUNS_DIR = Path(__file__).resolve().parents[1] / "runs"


def main(out_dir: Path = RUNS_DIR / "handbooks") -> int:
    loaded, errors = load_all()
    for error in errors:
        print(f"kloe: {error}", file=sys.stderr)
    written = [write_handbook(record, out_dir / f"{framework_id}.html") for framework_id, record in loaded.items()]
    print(f"\n{len(written)} framework handbooks written:")
    for path in written:
        print(f"  {path}")
    print("\nOpen any of them in a browser: they are self-contained and work offline.")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
