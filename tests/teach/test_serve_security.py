"""`spine-interview serve` hardened: a per-run secret, an Origin check, a session cap, no case store, no outside hosts."""

from __future__ import annotations

import asyncio
import gc
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestServer

from interview.cli import build_parser, main, served
from interview.teach import serve as room

#: Stands in for the app in most tests: says it is a Textual app, then waits for the quit message.
STAND_IN = (f"{sys.executable} -c \"import sys; sys.stdout.write('__GANGLION__\\n'); sys.stdout.flush(); "
            "sys.stdin.buffer.read(1)\"")
SECRET = "test-secret-0123456789abcdefghijklmnopqrstuvwxyz"
FOREIGN = "http://evil.example"
WAIT = 30  # seconds: a bound on start-up waits, never a timed assertion


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def room_server(request: pytest.FixtureRequest) -> AsyncIterator[room.RoomServer]:
    """A RoomServer on 127.0.0.1 and a free port, running the stand-in app; ``max_sessions`` via indirect param."""
    port = _free_port()
    max_sessions = getattr(request, "param", room.DEFAULT_MAX_SESSIONS)
    server = room.make_server(STAND_IN, host="127.0.0.1", port=port, max_sessions=max_sessions, secret=SECRET)
    test_server = TestServer(await server._make_app(), host="127.0.0.1", port=port)
    await test_server.start_server()
    try:
        yield server
    finally:
        await _until(lambda: server.sessions == 0)
        await test_server.close()
        # textual-serve never waits for a tab's process: collect its transport while the loop still runs.
        await asyncio.sleep(0.2)
        gc.collect()
        await asyncio.sleep(0)


async def _until(predicate, timeout: float = WAIT) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


def _ws_url(server: room.RoomServer, secret: str | None = SECRET) -> str:
    base = server.public_url.replace("http://", "ws://")
    return f"{base}/{secret}/ws?width=80&height=24" if secret else f"{base}/ws?width=80&height=24"


async def _refused(url: str, origin: str | None) -> int:
    """The HTTP status a WebSocket handshake got when it was refused (fails if it was accepted)."""
    headers = {"Origin": origin} if origin else {}
    async with aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            async with client.ws_connect(url, headers=headers):
                pass
    return refused.value.status


async def test_websocket_with_a_foreign_origin_or_without_the_secret_is_refused(room_server):
    """A foreign Origin, no Origin, a missing or wrong secret: HTTP 403 before the upgrade, no app started."""
    served_origin = room_server.public_url
    assert await _refused(_ws_url(room_server), FOREIGN) == 403
    assert await _refused(_ws_url(room_server), "null") == 403
    assert await _refused(_ws_url(room_server), None) == 403
    assert await _refused(_ws_url(room_server), served_origin.replace("127.0.0.1", "localhost")) == 403
    assert await _refused(_ws_url(room_server, secret=None), served_origin) == 403
    assert await _refused(_ws_url(room_server, secret=SECRET[:-1] + "X"), served_origin) == 403
    assert await _refused(_ws_url(room_server, secret=None), FOREIGN) == 403
    assert room_server.sessions == 0


async def test_websocket_with_the_served_origin_and_the_secret_is_accepted(room_server):
    """The served origin with the secret opens a session; closing it frees the place."""
    async with aiohttp.ClientSession() as client, \
            client.ws_connect(_ws_url(room_server), headers={"Origin": room_server.public_url}) as ws:
        assert not ws.closed
        await _until(lambda: room_server.sessions == 1)
    await _until(lambda: room_server.sessions == 0)


async def test_the_page_needs_the_secret(room_server):
    """`/`, a wrong secret and a directory listing are refused; the secret path serves the page."""
    base = room_server.public_url
    async with aiohttp.ClientSession() as client:
        for path in ("/", "/ws", f"/{SECRET[:-1]}/", "/static/", "/index.html"):
            async with client.get(base + path) as response:
                assert response.status in (403, 404), path
        async with client.get(base + "/") as response:
            assert "link printed by" in await response.text()
        async with client.get(f"{base}/{SECRET}/") as response:
            assert response.status == 200 and "textual-terminal" in await response.text()


@pytest.mark.parametrize("room_server", [2], indirect=True)
async def test_the_session_past_the_cap_is_refused_with_the_message(room_server):
    """With --max-sessions 2 the third tab's WebSocket is closed (1013) with the message, and the page says so."""
    origin = {"Origin": room_server.public_url}
    async with aiohttp.ClientSession() as client:
        first = await client.ws_connect(_ws_url(room_server), headers=origin)
        second = await client.ws_connect(_ws_url(room_server), headers=origin)
        await _until(lambda: room_server.sessions == 2)
        async with client.ws_connect(_ws_url(room_server), headers=origin) as third:
            shown = await third.receive(timeout=WAIT)
            assert shown.type == WSMsgType.BINARY and b"The room is full (2 sessions" in shown.data
            closing = await third.receive(timeout=WAIT)
            assert closing.type == WSMsgType.CLOSE
            assert closing.data == room.CLOSE_TRY_AGAIN_LATER and "room is full" in closing.extra
        async with client.get(f"{room_server.public_url}/{SECRET}/") as page:
            assert page.status == 503 and "The room is full" in await page.text()
        assert room_server.sessions == 2
        await first.close()
        await _until(lambda: room_server.sessions == 1)
        async with client.ws_connect(_ws_url(room_server), headers=origin) as again:
            await _until(lambda: room_server.sessions == 2)
            assert not again.closed
        await second.close()
    await _until(lambda: room_server.sessions == 0)


def test_the_default_cap_is_40():
    """Forty sessions at once unless --max-sessions says otherwise; fewer than one is refused."""
    assert room.DEFAULT_MAX_SESSIONS == 40
    assert build_parser().parse_args(["serve"]).max_sessions == 40
    assert room.make_server("true", port=_free_port()).max_sessions == 40
    with pytest.raises(room.ServeError):
        room.make_server("true", max_sessions=0)


async def test_the_served_page_names_no_outside_host(room_server):
    """Every http(s)/ws URL in the page is on the served origin; the CSP keeps the page to it."""
    async with aiohttp.ClientSession() as client, client.get(f"{room_server.public_url}/{SECRET}/") as response:
        html = await response.text()
        csp = response.headers["Content-Security-Policy"]
    urls = re.findall(r"(?:https?|wss?)://[^\s\"'<>)]+", html)
    assert urls, "the page names its own static files"
    served_origin = room_server.public_url
    outside = [u for u in urls if not re.match(rf"(?:https?|wss?)://{re.escape(served_origin.split('://')[1])}/", u)]
    assert outside == []
    assert "googleapis" not in html and "@font-face" in html and "/static/fonts/RobotoMono" in html
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_the_local_font_is_served(room_server):
    """The font the page names comes from this server."""
    async with aiohttp.ClientSession() as client, \
            client.get(f"{room_server.public_url}/static/fonts/RobotoMono-VariableFont_wght.ttf") as response:
        assert response.status == 200 and len(await response.read()) > 10_000


def test_a_wildcard_address_needs_a_public_url():
    """`--host 0.0.0.0` alone cannot name its origin: refused in one line; with --public-url it is that origin."""
    with pytest.raises(room.ServeError, match="--public-url"):
        room.served_url("0.0.0.0", 8000)
    assert room.served_url("0.0.0.0", 8000, "http://192.168.1.10:8000/") == "http://192.168.1.10:8000"
    assert room.served_url("::1", 8000) == "http://[::1]:8000"
    for bad in ("ftp://x", "http://x/path", "http://user@x:1", "x:8000"):
        with pytest.raises(room.ServeError):
            room.served_url("0.0.0.0", 8000, bad)


@pytest.mark.parametrize("argv", [["serve", "--db", "cases.sqlite"], ["--db", "cases.sqlite", "serve"]])
def test_serve_with_db_is_refused(argv, capsys, tmp_path, monkeypatch):
    """`serve --db` (or `--db … serve`) is refused with one line saying why; nothing is created."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SPINE_INTERVIEW_DB", raising=False)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "serve never opens a case database" in err and "--learning-db" in err
    assert list(tmp_path.iterdir()) == []


def test_each_tab_runs_on_a_private_empty_database(tmp_path, monkeypatch):
    """The tab's app gets a fresh 0700 temporary case DB (removed afterwards) and the room's log, never $SPINE_INTERVIEW_DB."""
    clinic = tmp_path / "clinic.sqlite"
    monkeypatch.setenv("SPINE_INTERVIEW_DB", str(clinic))
    monkeypatch.setenv("SPINE_INTERVIEW_LEARNING_LOG", str(tmp_path / "my-own-log.jsonl"))
    seen: list[tuple[list[str], str, str, str, int]] = []

    def fake_main(argv):  # noqa: ANN001, ANN202
        workdir = Path.cwd()
        seen.append((list(argv), os.environ["SPINE_INTERVIEW_DB"], os.environ["SPINE_INTERVIEW_LEARNING_LOG"],
                     str(workdir), os.stat(workdir).st_mode & 0o777))
        return 0

    monkeypatch.setattr("interview.cli.main", fake_main)
    learning = tmp_path / "room"
    monkeypatch.chdir(tmp_path)
    assert served.main(["--learning-db", str(learning)]) == 0
    assert served.main(["--learning-db", str(learning), "--case", "emergency_unknown_primary"]) == 0
    (tui_argv, db, log, workdir, mode), (quiz_argv, _, quiz_log, _, _) = seen
    assert tui_argv == ["--db", db] and Path(db).parent == Path(workdir) and mode == 0o700
    assert db != str(clinic) and log == quiz_log == str(learning / "learning_log.jsonl")
    assert quiz_argv == ["teach", "emergency_unknown_primary", "--log", str(learning / "learning_log.jsonl")]
    assert not Path(workdir).exists(), "the tab's private directory is removed when it closes"
    assert not clinic.exists()


def _tab_processes(learning: Path) -> list[int]:
    """The app processes `serve` started for tabs of this room (not the server itself)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"interview.cli.served" in cmdline and str(learning).encode() in cmdline:
                found.append(int(entry.name))
    return found


def _read_line(proc: subprocess.Popen, timeout: float) -> str:
    line: list[bytes] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return line[0].decode("utf-8", "replace") if line else ""


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to check for leftover processes")
async def test_serve_end_to_end_runs_the_real_app_without_the_case_store(tmp_path):
    """The real `serve` prints the secret link once, refuses `/`, runs the real app for the served origin only,
    never touches $SPINE_INTERVIEW_DB, and leaves no process behind."""
    port = _free_port()
    clinic = tmp_path / "clinic.sqlite"
    learning = tmp_path / "room-log-marker"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SPINE_INTERVIEW_DB": str(clinic)}
    proc = subprocess.Popen([sys.executable, "-m", "interview", "serve", "--port", str(port),
                             "--learning-db", str(learning)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
                            bufsize=0,  # unbuffered: the first line is read alone, the rest by communicate()
                            start_new_session=True)  # its own group: a stuck tab process is killed with it
    try:
        first = await asyncio.to_thread(_read_line, proc, WAIT)
        match = re.search(rf"http://127\.0\.0\.1:{port}/([A-Za-z0-9_-]{{40,}})/", first)
        assert match, first
        url, secret = match.group(0), match.group(1)
        origin = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as client:
            deadline = time.monotonic() + WAIT
            while True:
                try:
                    async with client.get(origin + "/") as response:
                        assert response.status == 403
                    break
                except aiohttp.ClientConnectorError:
                    assert time.monotonic() < deadline and proc.poll() is None, "serve did not start"
                    await asyncio.sleep(0.2)
            async with client.get(url) as response:
                assert response.status == 200
            ws_url = f"ws://127.0.0.1:{port}/{secret}/ws?width=100&height=30"
            assert await _refused(ws_url, FOREIGN) == 403
            async with client.ws_connect(ws_url, headers={"Origin": origin}) as ws:
                message = await ws.receive(timeout=WAIT)
                assert message.type == WSMsgType.BINARY, "the app drew its first frame"
                assert _tab_processes(learning), "the tab's app process runs"
        await _until(lambda: not _tab_processes(learning))
        assert not clinic.exists(), "the clinician's case store is never opened"
        assert learning.is_dir()
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:
            # A tab process still alive holds the pipe open, so communicate() would wait for ever after
            # killing serve alone (seen under load): kill the whole group, and bound the wait again.
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate(timeout=WAIT)
    text = first + out.decode("utf-8", "replace")
    assert text.count(secret) == 1, "the secret is printed once"
    assert "no TLS and no user accounts" in text
    assert not _tab_processes(learning), "no process left behind"


async def test_the_41st_session_is_refused_at_the_default_cap(room_server):
    """At the default cap, 40 tabs run and the 41st is refused with the message (the issue's own case)."""
    assert room_server.max_sessions == 40
    origin = {"Origin": room_server.public_url}
    async with aiohttp.ClientSession() as client:
        tabs = [await client.ws_connect(_ws_url(room_server), headers=origin) for _ in range(40)]
        await _until(lambda: room_server.sessions == 40)
        async with client.ws_connect(_ws_url(room_server), headers=origin) as extra:
            shown = await extra.receive(timeout=WAIT)
            assert shown.type == WSMsgType.BINARY and b"The room is full (40 sessions" in shown.data
        for tab in tabs:
            await tab.close()
    await _until(lambda: room_server.sessions == 0)
