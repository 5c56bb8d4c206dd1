"""What every layer shares, defined once below everything: exit codes, variables, the one-line error.

The command line (:mod:`interview.cli`), the browser tabs of ``serve`` and the tests read these names;
nothing else defines an exit code or the database variable.
"""

from __future__ import annotations

EXIT_OK = 0
#: A store, an output or an unexpected failure (the case database could not be read or written).
EXIT_FAILED = 1
#: A bad file, value, option or flow: the message says what is wrong and what is allowed.
EXIT_BAD_INPUT = 2
#: `run`: an answer the case's path needs is missing (CONTRACT.md §1).
EXIT_MISSING = 3
#: Interrupted by the user (Ctrl+C), as a shell reports SIGINT.
EXIT_INTERRUPTED = 130

#: The case database: a path (SQLite) or, where supported, a server URL.
DB_ENV = "SPINE_INTERVIEW_DB"


class OneLineError(Exception):
    """A failure the user is told about in one line: ``message`` says what is wrong and, where it can,
    what is allowed. The base of each layer's own error (a store's, a clock mark's, a handover's…), so
    that every caller finds the line in the same place and shows it instead of a traceback."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)
