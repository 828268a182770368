"""The batch run: the report notebook for every council of a list, in parallel, with an index.

Modules, in the order the work flows: ``slugs`` (safe file names, collisions), ``parameters``
(what the notebook declares, the values each council gets), ``kernel`` (a kernel kept across
jobs and the papermill engine using it; ``ready``: waiting for one to answer), ``job`` (one notebook job: execute, render; never
raises for the job's own failures), ``outputs`` (the output folder and its atomic writes).
Two producers of jobs: ``council`` (one council's report, written to its output folder) and
``comparison`` (``kloe compare``: a comparison page). Then ``pool`` (worker processes),
``index`` (index.html and summary.csv), ``runner`` (``kloe run``), ``single`` (``kloe render``).

This module stays light: the command line imports it to build its parser, and the statuses
are here so that ``kloe run``'s own process never imports papermill or nbconvert (only its
workers do).
"""

import sys

OK, FAILED, UP_TO_DATE = "ok", "failed", "up to date"
INTERRUPTED = "not run: the batch was interrupted"

DEFAULT_TIMEOUT = 120.0
"""Seconds one council may take before its kernel is stopped and the council failed."""


#: Optional libraries jsonschema imports, when installed, only to check string formats ("iri",
#: "uri-template", "duration", "uri"): nbformat never checks formats (see skip_slow_optional_imports).
FORMAT_CHECK_LIBRARIES = ("rfc3987_syntax", "uri_template", "isoduration", "rfc3986_validator")


def skip_slow_optional_imports() -> None:
    """Keep jsonschema from importing its format-checking libraries in this process (call before papermill or nbconvert).

    jsonschema imports them, when installed, for its format checks: ``rfc3987_syntax`` builds a
    parser for RFC 3987 on import (2-4 s of CPU), ``isoduration`` imports ``arrow``, and the others
    cost ~0.1 s together, in every process that imports nbformat. nbformat never checks formats,
    so the batch's processes (``kloe run``, its workers, ``kloe render``, ``kloe compare``) do
    without them; jsonschema skips the check for what it cannot import. Kernels are not touched:
    a notebook's own code sees its environment as it is.
    """
    if "jsonschema" not in sys.modules:
        for name in FORMAT_CHECK_LIBRARIES:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]
