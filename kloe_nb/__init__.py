"""kloe-workbook: assess public services against Key Lines of Enquiry (KLOE) frameworks.

The package follows the data flow, each layer importing only the layers below it (drawn in
docs/design.md and checked by tests/test_layers.py): errors and small utilities; framework;
assessment; scoring and store; interchange and analysis; render (the shared page layer);
report and comparison (two page producers that never import each other); batch and form;
cli and demo.
"""

__version__ = "0.1.0"
