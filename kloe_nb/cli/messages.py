"""What the commands tell the user about what they wrote.

A file written into standard output (``-o -``, ``/dev/stdout``, a pipe) carries the data; the
message then goes to standard error, so the data stays clean for whatever reads it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kloe_nb.files import STANDARD_OUTPUT, is_stream
from kloe_nb.render.terminal_text import visible


def wrote(output: Path, detail: str = "") -> None:
    """``wrote FILE (detail)``, on standard error when FILE was a stream."""
    shown = "standard output" if str(output) == STANDARD_OUTPUT else str(output)
    print(visible(f"wrote {shown}{f' ({detail})' if detail else ''}"), file=sys.stderr if is_stream(output) else sys.stdout)
