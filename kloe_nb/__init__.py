"""kloe-workbook: assess public services against Key Lines of Enquiry (KLOE) frameworks.

The package follows the data flow: framework -> assessment -> scoring -> render -> batch -> cli.
"""

__version__ = "0.1.0"
