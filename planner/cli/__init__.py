"""The ``planner`` command line: thin shells that parse, call the core and present."""
