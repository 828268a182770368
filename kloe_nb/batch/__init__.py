"""The batch run: the report notebook for every council of a list, in parallel, with an index.

Modules, in the order the work flows: ``slugs`` (safe file names, collisions), ``parameters``
(what the notebook declares, the values each council gets), ``kernel`` (a kernel kept across
jobs and the papermill engine using it), ``job`` (one notebook job: execute, render; never
raises for the job's own failures), ``outputs`` (the output folder and its atomic writes).
Two producers of jobs: ``council`` (one council's report, written to its output folder) and
``comparison`` (``kloe compare``: a comparison page). Then ``pool`` (worker processes),
``index`` (index.html and summary.csv), ``runner`` (``kloe run``), ``single`` (``kloe render``).

This module stays light: the command line imports it to build its parser.
"""

DEFAULT_TIMEOUT = 120.0
"""Seconds one council may take before its kernel is stopped and the council failed."""
