"""The ``kloe`` command: thin wrappers that parse arguments and call the package."""
