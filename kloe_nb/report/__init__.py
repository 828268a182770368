"""Per-council reports: what a report shows, as inert HTML sections, assembled by nbconvert.

The stages, each a module with one job:

- ``context``: the data a report shows, built from framework + stored assessment + scores
  (and the council's earlier periods, for direction of travel);
- ``naming``: how KLOEs and questions are called (the numbers and headings the sources print);
- ``travel``: direction of travel (``kloe_nb.analysis.trend``) in arrows and words;
- ``plan``: the improvement plan, in priority order, and areas for improvement without an action;
- ``wording``: the judgement sentence in the frameworks' own words;
- ``charts``: the KLOE-level chart of each question or theme and the trend chart, as inline SVG;
- ``page``: each section rendered to HTML with the escaping report environment;
- ``notebook``: what the cells of ``notebooks/report.ipynb`` call (no logic lives in the notebook);
- ``exporter``: the executed notebook rendered to one self-contained HTML page (nbconvert,
  with a template of our own: no code, no prompts, no script, nothing from the network);
- ``text``: how user text is neutralised and how a finished page is checked to be inert.
"""

from kloe_nb.report.context import ReportError, build_context
from kloe_nb.report.notebook import Report
from kloe_nb.report.views import ReportContext

__all__ = ["Report", "ReportContext", "ReportError", "build_context"]
