"""Lecture-room mode: the interview in a browser through textual-serve, one process per browser tab."""

from __future__ import annotations

import shlex
import sys

NO_AUTH_NOTICE = (
    "spine-interview serve has no authentication of its own: anyone who can reach {url} can use it. "
    "Keep it on 127.0.0.1 or behind your own access control; never enter identifiable patient data."
)


def app_command(case_id: str | None = None) -> str:
    """The command textual-serve starts for each browser tab (each tab gets its own process and state).

    Args:
        case_id: serve the quiz of this teaching case instead of the interview.
    """
    python = shlex.quote(sys.executable)
    return f"{python} -m interview teach {shlex.quote(case_id)}" if case_id else f"{python} -m interview"


def serve(host: str = "127.0.0.1", port: int = 8000, case_id: str | None = None) -> None:
    """Run the web server until interrupted (blocks)."""
    from textual_serve.server import Server

    url = f"http://{host}:{port}"
    print(f"Serving the spine interview on {url} (press Ctrl+C to stop).", flush=True)
    print(NO_AUTH_NOTICE.format(url=url), flush=True)
    Server(app_command(case_id), host=host, port=port, title="Spinal metastases interview").serve()
