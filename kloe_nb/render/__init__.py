"""Rendering: frameworks and assessments as HTML pages and terminal text."""
