"""Per-council reports: what a report shows, as inert HTML sections, assembled by nbconvert.

A producer of pages on the shared page layer (``kloe_nb.render``); it never imports
``kloe_nb.comparison``. The stages, each a module with one job:

- ``context`` / ``views``: the data a report shows, built from framework + stored assessment +
  scores (and the council's earlier periods, for direction of travel), as plain dataclasses;
- ``travel``: direction of travel (``kloe_nb.analysis.trend``) in arrows and words;
- ``plan``: the improvement plan, in priority order, and areas for improvement without an action;
- ``wording``: the judgement sentence in the frameworks' own words;
- ``page``: each section rendered to HTML by the shared escaping environment;
- ``notebook``: what the cells of ``notebooks/report.ipynb`` call (no logic lives in the notebook).

KLOE names come from ``kloe_nb.framework.naming``; charts, sections, the inertness checks and
the nbconvert exporter that makes the page are in ``kloe_nb.render``; ``kloe_nb.batch.council``
runs the notebook.
"""

from kloe_nb.report.context import ReportError, build_context
from kloe_nb.report.notebook import Report
from kloe_nb.report.views import ReportContext

__all__ = ["Report", "ReportContext", "ReportError", "build_context"]
