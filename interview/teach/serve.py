"""Lecture-room mode: the interview in a browser through textual-serve, one process per browser tab.

What :class:`RoomServer` adds to textual-serve's ``Server`` (and what ``serve`` therefore protects):

* **a per-run secret** (``secrets.token_urlsafe``) as the first segment of the page's and the
  WebSocket's path, compared with :func:`hmac.compare_digest`; every other path but the static files
  of textual-serve and its download keys is refused with 403;
* **an Origin check** on the WebSocket: only the served origin (``http://HOST:PORT`` as bound, or
  ``--public-url``) may open a session; any other ``Origin``, or none, is refused with 403 before
  the upgrade, so a web page open in the same browser cannot start the app;
* **a cap on concurrent sessions** (``--max-sessions``, default 40): the next tab gets a page, or its
  WebSocket a message and close code 1013, saying the room is full;
* **no case store**: each tab runs :mod:`interview.cli.served`, which gives the app an empty
  private case database deleted when the tab closes, and the room's learning log
  (``--learning-db DIR``) — never the clinician's case database;
* **no outside requests**: the page template is our own copy with the web font served from the
  machine, and a Content-Security-Policy limits the page to its own origin.

It does not give TLS or user accounts: put it behind your own access control (README).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import shlex
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server

DEFAULT_MAX_SESSIONS = 40
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The WebSocket close code for "try again later" (RFC 6455 registry).
CLOSE_TRY_AGAIN_LATER = 1013
ROOM_FULL = "The room is full ({n} sessions, the --max-sessions limit): close a tab or try again later."
NEEDS_SECRET = ("This address needs the link printed by `spine-interview serve` when it started "
                "(it holds the run's secret).")
FOREIGN_ORIGIN = "WebSocket refused: it was not opened from the page this server serves."

NOTICE = (
    "Open it with the link above: it holds this run's secret, so keep it to the room. What serve protects: "
    "the secret, an Origin check on the WebSocket, at most {max_sessions} sessions at once, no case database "
    "(each tab gets an empty private one; quiz answers go to {learning}), no outside requests. "
    "What it does not: no TLS and no user accounts — anyone who has the link and can reach the address can "
    "use it. Keep it on 127.0.0.1 or behind your own access control; never enter identifiable patient data."
)


class ServeError(ValueError):
    """Options that cannot be served safely; the message says why in one line."""


def default_learning_dir() -> Path:
    """The room's learning-only directory in the user data directory (never the case store)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("spine-interview", appauthor=False)) / "learning-room"


def app_command(case_id: str | None = None, learning_dir: Path | str | None = None, room: str | None = None) -> str:
    """The command textual-serve starts for each browser tab (each tab gets its own process and state).

    Args:
        case_id: serve the quiz of this teaching case instead of the interview.
        learning_dir: the room's learning log: a directory (default :func:`default_learning_dir`) or a
            ``postgresql://`` URL (its password, if any, in ~/.pgpass — a URL with one is refused).
        room: the room name every tab's quiz sessions are tagged with.
    """
    parts = [sys.executable, "-m", "interview.cli.served",
             "--learning-db", str(learning_dir or default_learning_dir())]
    if case_id:
        parts += ["--case", case_id]
    if room:
        parts += ["--room", room]
    return " ".join(shlex.quote(p) for p in parts)


def served_url(host: str, port: int, public_url: str | None = None) -> str:
    """The origin learners open (scheme://host:port, no path), from the bound address or ``--public-url``.

    Raises:
        ServeError: a wildcard address without ``--public-url``, or a public URL that is not an origin.
    """
    if public_url is not None:
        parts = urlsplit(public_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
                or parts.query or parts.fragment or parts.username or parts.password:
            raise ServeError(f"--public-url {public_url!r:.80}: expected http(s)://HOST[:PORT] with no path")
        return f"{parts.scheme}://{parts.netloc.lower()}"
    if host in ("", "0.0.0.0", "::", "*"):
        raise ServeError(f"--host {host or repr(host)} listens on every address, so the page's origin is unknown: "
                         "say which address learners open with --public-url http://ADDRESS:PORT")
    name = f"[{host}]" if ":" in host else host
    return f"http://{name.lower()}:{port}"


class RoomServer(Server):
    """textual-serve's Server with a secret path, an Origin check, a session cap and a local page."""

    def __init__(self, command: str, *, host: str, port: int, secret: str, max_sessions: int,
                 public_url: str, title: str = "Spinal metastases interview") -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url,
                         templates_path=TEMPLATES)
        self.secret = secret
        self.max_sessions = max_sessions
        self.sessions = 0
        self.origin = public_url.rstrip("/").lower()

    @property
    def url(self) -> str:
        """The page's address, secret included (printed once)."""
        return f"{self.public_url}/{self.secret}/"

    def initialize_logging(self) -> None:
        super().initialize_logging()
        # aiohttp's access log would print the secret path on every request.
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def _make_app(self) -> web.Application:
        """textual-serve's routes (same names and handlers), the page and WebSocket under the secret."""
        app = web.Application(middlewares=[self._guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes([
            web.get(f"/{self.secret}/", self.handle_index, name="index"),
            web.get(f"/{self.secret}/ws", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: ``serve`` prints the link itself, once."""

    def _has_secret(self, path: str) -> bool:
        given = path.split("/", 2)[1] if path.count("/") >= 2 else ""
        return hmac.compare_digest(given.encode(), self.secret.encode())

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Refuse any path without the secret (static files and download keys excepted); add headers."""
        public = request.path.startswith(("/static/", "/download/"))
        if not public and not self._has_secret(request.path):
            response: web.StreamResponse = web.Response(status=403, text=NEEDS_SECRET)
        else:
            response = await handler(request)
        if not response.prepared:  # a WebSocket is already upgraded
            response.headers.update(self._headers())
        return response

    def _headers(self) -> dict[str, str]:
        ws = "wss" + self.origin[5:] if self.origin.startswith("https") else "ws" + self.origin[4:]
        return {
            "Content-Security-Policy": (
                f"default-src 'self'; connect-src 'self' {ws}; script-src 'self' 'unsafe-inline'; "
                "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Cache-Control": "no-store",
        }

    def room_full(self) -> str:
        return ROOM_FULL.format(n=self.max_sessions)

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page, or a page saying the room is full."""
        if self.sessions >= self.max_sessions:
            return web.Response(status=503, content_type="text/html", text=(
                "<!DOCTYPE html><html><head><title>Room full</title></head>"
                f"<body><p>{self.room_full()}</p></body></html>"))
        return await super().handle_index(request)

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """A session, only from the served origin and only while the room has space."""
        origin = request.headers.get("Origin", "")
        if not hmac.compare_digest(origin.rstrip("/").lower().encode(), self.origin.encode()):
            raise web.HTTPForbidden(text=FOREIGN_ORIGIN)
        if self.sessions >= self.max_sessions:
            websocket = web.WebSocketResponse()
            await websocket.prepare(request)
            await websocket.send_bytes(f"\r\n  {self.room_full()}\r\n".encode())
            await websocket.close(code=CLOSE_TRY_AGAIN_LATER, message=self.room_full().encode())
            return websocket
        self.sessions += 1  # counted before any await: no two tabs race past the cap
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions -= 1


def make_server(command: str, *, host: str = "127.0.0.1", port: int = 8000, public_url: str | None = None,
                max_sessions: int = DEFAULT_MAX_SESSIONS, secret: str | None = None) -> RoomServer:
    """A :class:`RoomServer` for ``command`` with a fresh secret (or the one given, for tests)."""
    if max_sessions < 1:
        raise ServeError(f"--max-sessions {max_sessions}: expected at least 1")
    return RoomServer(command, host=host, port=port, secret=secret or secrets.token_urlsafe(32),
                           max_sessions=max_sessions, public_url=served_url(host, port, public_url))


def serve(host: str = "127.0.0.1", port: int = 8000, case_id: str | None = None, *,
          learning_dir: Path | str | None = None, max_sessions: int = DEFAULT_MAX_SESSIONS,
          public_url: str | None = None, room: str | None = None) -> None:
    """Run the web server until interrupted (blocks).

    Raises:
        ServeError: options that cannot be served safely.
    """
    from interview.teach.log import is_server

    learning_dir = learning_dir or default_learning_dir()
    server = make_server(app_command(case_id, learning_dir, room), host=host, port=port, public_url=public_url,
                         max_sessions=max_sessions)
    if is_server(learning_dir):
        from interview.store.postgres import safe_location

        learning = f"the learning log on {safe_location(str(learning_dir))}"
    else:
        learning = str(Path(learning_dir) / "learning_log.jsonl")
    if room:
        learning += f", room {room}"
    print(f"Serving the spine interview on {server.url} (press Ctrl+C to stop).", flush=True)
    print(NOTICE.format(max_sessions=max_sessions, learning=learning), flush=True)
    server.serve()
