"""The interview engine: state machine, session, scoring and rules. Pure Python: no I/O, no UI."""
