"""Comparing councils: every council's latest assessment of one framework, on one inert page.

A producer of pages on the shared page layer (``kloe_nb.render``), like ``kloe_nb.report``
and never importing it. The stages, each a module with one job:

- ``data``: the councils gathered from the store (latest period each, peer groups, earlier periods);
- ``ranking``: the league table's order, read from the framework's own judgement rules;
- ``peers``: each council against its peer group's median;
- ``heatmap``: the KLOE heatmap's columns (shared with the batch index);
- ``charts``: the distribution bar charts (line charts are ``kloe_nb.render.charts``);
- ``views`` / ``context``: what the page shows, as plain data;
- ``page``: each section rendered by the shared escaping environment;
- ``notebook``: the ``Comparison`` object whose methods the cells of ``notebooks/compare.ipynb`` call.

The page itself is made by the shared exporter (``kloe_nb.render.exporter``), and ``kloe
compare`` runs the notebook as a notebook job (``kloe_nb.batch.comparison``).
"""

from kloe_nb.comparison.data import ComparisonError
from kloe_nb.comparison.notebook import Comparison

__all__ = ["Comparison", "ComparisonError"]
