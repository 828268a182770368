"""What the batch's fork server imports once, so that every worker forked from it starts warm.

Workers are made with multiprocessing's ``forkserver`` start method (``pool.py``): one server
process, started with the first worker, imports this module; each worker is then a fork of
that server, with jupyter_client, papermill, nbconvert and the compiled page templates already
in memory, and ipykernel and the report package for the kernel it forks (``forked_kernel.py``) (shared with the server until written to), instead of a fresh interpreter importing
them again (``spawn``: about 0.7 s of CPU per worker, on cores the kernels are booting on).

The server lives as long as the process that started it, and serves every later pool of that
process, so what it holds must not depend on one run: it imports code and compiles templates,
and reads nothing of the environment, the working folder or the settings. Each worker takes
those from the run that asks for it (``apply_environment``; the working folder and
``sys.path`` multiprocessing already sends with every process).
"""

from __future__ import annotations

import gc
import os
import tempfile
from typing import TYPE_CHECKING

from kloe_nb.batch import skip_slow_optional_imports

if TYPE_CHECKING:
    from kloe_nb.render.exporter import PageRenderer

_RENDERERS: list[PageRenderer] = []


def preload() -> None:
    """Import what a worker needs and compile the page templates, then freeze it out of the collector's sight."""
    skip_slow_optional_imports()
    import ipykernel.ipkernel  # noqa: F401 - for the kernels forked from the workers (``forked_kernel.py``)
    import ipykernel.kernelapp  # noqa: F401

    from kloe_nb.batch import council, engine, job  # noqa: F401 - imported for the workers forked from here
    from kloe_nb.batch.kernel import REPORT_MODULES
    from kloe_nb.batch.kernel_launcher import warm

    for name in REPORT_MODULES:  # what a batch kernel imports and warms before it answers (``kernel.py``)
        warm(name)
    if not _RENDERERS:
        _RENDERERS.append(_compiled_renderer())
    gc.collect()
    gc.freeze()


def _compiled_renderer() -> PageRenderer:
    from kloe_nb.render.exporter import PageRenderer

    made = PageRenderer()
    made.warm_up()
    return made


def renderer() -> PageRenderer:
    """The page renderer compiled in the fork server, or a new one (a worker not forked from it)."""
    return _RENDERERS[0] if _RENDERERS else _compiled_renderer()


def apply_environment(environ: dict[str, str]) -> None:
    """Make this worker's environment the run's own, not the one the fork server started with.

    The kernel inherits it (``KLOE_*`` settings, ``TMPDIR``, Jupyter's folders); ``tempfile``'s
    cached folder is forgotten so the kernel's private folder goes where this run's ``TMPDIR`` says.
    """
    if dict(os.environ) != environ:
        os.environ.clear()
        os.environ.update(environ)
    tempfile.tempdir = None


preload()  # on import: the fork server imports this module by name (``set_forkserver_preload``)
