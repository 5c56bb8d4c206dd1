"""Screenshot of lecture-room mode: serve the app, drive headless Chromium in real time over DevTools.

Starts ``spine-interview serve`` on a free localhost port, launches headless Chromium with remote
debugging, loads the page through the Chrome DevTools Protocol (websocket client: aiohttp) and waits
in real time until the app has drawn its first screen. What the app drew is reconstructed from the
terminal bytes textual-serve sends to the page (a tiny VT emulator; the canvas itself has no text),
printed, and a PNG is captured. Optionally keys are pressed and a second PNG is taken.

Not part of the test suite (Chromium is not installed in CI). Everything stays on 127.0.0.1: the page's
Google Fonts link is made unresolvable, so the terminal uses a local monospace font. Usage:

    python scripts/screenshot_serve.py [--case ID] [--out /tmp/serve.png] [--expect deficit]
                                      [--keys n] [--gl swiftshader]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import codecs
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

#: Special keys for ``--keys``: name -> (DOM key, DOM code, Windows virtual key code, text).
SPECIAL_KEYS: dict[str, tuple[str, str, int, str]] = {
    "enter": ("Enter", "Enter", 13, "\r"),
    "escape": ("Escape", "Escape", 27, ""),
    "tab": ("Tab", "Tab", 9, "\t"),
    "space": (" ", "Space", 32, " "),
    "up": ("ArrowUp", "ArrowUp", 38, ""),
    "down": ("ArrowDown", "ArrowDown", 40, ""),
    "left": ("ArrowLeft", "ArrowLeft", 37, ""),
    "right": ("ArrowRight", "ArrowRight", 39, ""),
    "backspace": ("Backspace", "Backspace", 8, ""),
    "f1": ("F1", "F1", 112, ""),
    "f2": ("F2", "F2", 113, ""),
}

#: Chromium flags per ``--gl`` choice.
GL_FLAGS: dict[str, list[str]] = {
    "none": ["--disable-gpu"],
    "swiftshader": ["--disable-gpu", "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
}

_ESCAPE = re.compile(
    r"\x1b\[(?P<params>[0-9;?<=>]*)[ -/]*(?P<final>[@-~])"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1bP[^\x1b]*\x1b\\"  # DCS
    r"|\x1b[()][0-9A-Za-z]"  # charset designation
    r"|\x1b[^\[\]P()]"  # other two-byte escapes
)


class Screen:
    """Just enough of a VT100 to read back what Textual draws (cursor moves, text, erases)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], str] = {}
        self.row = 0
        self.col = 0
        self.frames = 0
        self.last_frame = 0.0
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""

    def feed(self, data: bytes) -> None:
        """Apply a chunk of terminal output."""
        self.frames += 1
        self.last_frame = time.monotonic()
        text = self._pending + self._decoder.decode(data)
        # Keep an escape sequence that is cut off at the end of the chunk for the next one.
        cut = text.rfind("\x1b")
        if cut != -1 and not _ESCAPE.match(text, cut) and len(text) - cut < 64:
            text, self._pending = text[:cut], text[cut:]
        else:
            self._pending = ""
        pos = 0
        for match in _ESCAPE.finditer(text):
            self._print(text[pos : match.start()])
            if match.group("final"):
                self._csi(match.group("params"), match.group("final"))
            pos = match.end()
        self._print(text[pos:])

    def _print(self, text: str) -> None:
        for char in text:
            if char == "\r":
                self.col = 0
            elif char == "\n":
                self.row += 1
            elif char == "\b":
                self.col = max(0, self.col - 1)
            elif char >= " ":
                self.cells[(self.row, self.col)] = char
                self.col += 1

    def _csi(self, params: str, final: str) -> None:
        if params.startswith("?"):
            return
        numbers = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
        first = numbers[0] if numbers else 0
        if final in "Hf":
            self.row = max(first, 1) - 1
            self.col = max(numbers[1] if len(numbers) > 1 else 1, 1) - 1
        elif final == "A":
            self.row = max(0, self.row - max(first, 1))
        elif final == "B":
            self.row += max(first, 1)
        elif final == "C":
            self.col += max(first, 1)
        elif final == "D":
            self.col = max(0, self.col - max(first, 1))
        elif final == "G":
            self.col = max(first, 1) - 1
        elif final == "J" and first == 2:
            self.cells.clear()
        elif final == "K":
            for key in [k for k in self.cells if k[0] == self.row and (first != 0 or k[1] >= self.col)]:
                del self.cells[key]

    def text(self) -> str:
        """The screen as lines of text (trailing blanks stripped)."""
        if not self.cells:
            return ""
        rows = max(r for r, _ in self.cells) + 1
        cols = max(c for _, c in self.cells) + 1
        grid = [[" "] * cols for _ in range(rows)]
        for (r, c), char in self.cells.items():
            grid[r][c] = char
        return "\n".join("".join(line).rstrip() for line in grid).rstrip("\n")


class DevTools:
    """A minimal Chrome DevTools Protocol client over one aiohttp websocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._handlers: dict[str, Callable[[dict[str, Any]], None]] = {}
        self._reader = asyncio.create_task(self._read())

    def on(self, event: str, handler: Callable[[dict[str, Any]], None]) -> None:
        """Call ``handler(params)`` for every ``event`` notification."""
        self._handlers[event] = handler

    async def call(self, method: str, timeout: float = 15.0, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (raises on a protocol error)."""
        self._next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        await self.ws.send_json({"id": self._next_id, "method": method, "params": params})
        reply = await asyncio.wait_for(future, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        """Evaluate a JavaScript expression in the page and return its (JSON) value."""
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(message.data)
            if "id" in data:
                future = self._pending.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_result(data)
            elif (handler := self._handlers.get(data.get("method", ""))) is not None:
                handler(data.get("params", {}))
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("DevTools websocket closed"))

    async def close(self) -> None:
        """Stop reading and close the websocket."""
        self._reader.cancel()
        await self.ws.close()


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float) -> bytes:
    """GET ``url`` until it answers (bounded); returns the body."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.3)


def secret_link(log: Any, port: int, timeout: float) -> str:
    """The link `serve` prints at start (it holds the run's secret), read from its log (bounded wait)."""
    deadline = time.monotonic() + timeout
    while True:
        log.seek(0)
        found = re.search(rf"http://127\.0\.0\.1:{port}/[A-Za-z0-9_-]+/", log.read().decode("utf-8", "replace"))
        if found:
            return found.group(0)
        if time.monotonic() > deadline:
            raise TimeoutError(f"serve printed no link within {timeout:.0f} s")
        time.sleep(0.2)


def serve_command(port: int, case_id: str | None) -> list[str]:
    """The ``spine-interview serve`` command line (the venv's console script if there is one)."""
    script = Path(sys.executable).with_name("spine-interview")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "interview"]
    cmd += ["serve", "--host", "127.0.0.1", "--port", str(port)]
    return cmd + (["--case", case_id] if case_id else [])


def key_events(name: str) -> list[dict[str, Any]]:
    """``Input.dispatchKeyEvent`` parameters (down, up) for one ``--keys`` entry."""
    if name.lower() in SPECIAL_KEYS:
        key, code, vk, text = SPECIAL_KEYS[name.lower()]
    elif len(name) == 1:
        key, text = name, name
        code = f"Key{name.upper()}" if name.isalpha() else (f"Digit{name}" if name.isdigit() else "")
        vk = ord(name.upper()) if name.isalnum() else 0
    else:
        raise ValueError(f"unknown key {name!r} (single characters or {', '.join(SPECIAL_KEYS)})")
    down: dict[str, Any] = {"type": "keyDown" if text else "rawKeyDown", "key": key, "code": code,
                            "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk}
    if text:
        down.update(text=text, unmodifiedText=text)
    return [down, {"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": vk,
                   "nativeVirtualKeyCode": vk}]


async def settle(screen: Screen, quiet: float, timeout: float) -> None:
    """Wait (real time, bounded) until no terminal output has arrived for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and time.monotonic() - screen.last_frame < quiet:
        await asyncio.sleep(0.1)


async def screenshot(tools: DevTools, path: Path) -> None:
    """Capture the viewport as PNG."""
    result = await tools.call("Page.captureScreenshot", timeout=30, format="png")
    path.write_bytes(base64.b64decode(result["data"]))
    print(f"screenshot: {path} ({path.stat().st_size} bytes)")


async def drive(debug_port: int, url: str, args: argparse.Namespace) -> bool:
    """Load ``url`` in the Chromium page, wait for the app, screenshot, press keys; True if it rendered."""
    targets = json.loads(wait_http(f"http://127.0.0.1:{debug_port}/json", 20))
    page = next(t for t in targets if t.get("type") == "page")
    screen = Screen()

    def on_frame(params: dict[str, Any]) -> None:
        response = params.get("response", {})
        if response.get("opcode") == 2:  # binary frame: terminal output for xterm.js
            screen.feed(base64.b64decode(response.get("payloadData", "")))

    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        tools = DevTools(ws)
        try:
            tools.on("Network.webSocketFrameReceived", on_frame)
            await tools.call("Page.enable")
            await tools.call("Network.enable")
            # Headless Chromium's viewport is smaller than --window-size; make it exactly that size.
            await tools.call("Emulation.setDeviceMetricsOverride", width=args.width, height=args.height,
                             deviceScaleFactor=1, mobile=False)
            await tools.call("Page.navigate", url=url)

            deadline = time.monotonic() + args.timeout
            found = False
            state: dict[str, Any] = {}
            while time.monotonic() < deadline:
                state = await tools.evaluate(
                    "({body: document.body ? document.body.className : null,"
                    " rows: (document.querySelector('.xterm-rows') || {}).innerText || '',"
                    " canvases: document.querySelectorAll('.xterm-screen canvas').length,"
                    " start: !!document.querySelector('#start.-delay')})"
                ) or {}
                if state.get("start"):
                    await tools.evaluate("document.querySelector('#start').click()")
                if args.expect.lower() in screen.text().lower() or args.expect.lower() in state.get("rows", "").lower():
                    found = True
                    break
                await asyncio.sleep(0.5)
            await settle(screen, quiet=1.5, timeout=10)
            await asyncio.sleep(0.5)  # let xterm.js paint the last frame
            print(f"page state: body class={state.get('body')!r}, xterm canvases={state.get('canvases')}, "
                  f"terminal frames={screen.frames}, DOM rows text={len(state.get('rows', ''))} chars")
            print(f"expected text {args.expect!r}: {'found' if found else 'NOT found'}")
            print("--- screen (from the terminal stream) ---")
            print(screen.text() or "(nothing drawn)")
            await screenshot(tools, args.out)

            if args.keys and found:
                await tools.evaluate("(document.querySelector('.xterm-helper-textarea') || document.body).focus()")
                for name in args.keys.split(","):
                    for event in key_events(name.strip()):
                        await tools.call("Input.dispatchKeyEvent", **event)
                    await asyncio.sleep(0.3)
                await asyncio.sleep(0.5)
                await settle(screen, quiet=1.5, timeout=10)
                await asyncio.sleep(0.5)
                print(f"--- screen after keys {args.keys!r} ---")
                print(screen.text() or "(nothing drawn)")
                await screenshot(tools, args.out.with_name(f"{args.out.stem}-keys{args.out.suffix}"))
            return found
        finally:
            await tools.close()


def main() -> int:
    """Serve, screenshot, stop; returns an exit code (0 when the expected text appeared)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", help="serve the quiz of this teaching case instead of the interview")
    parser.add_argument("--out", type=Path, default=Path("/tmp/serve.png"), help="PNG path (default %(default)s)")
    parser.add_argument("--expect", default="deficit",
                        help="text that shows the app has drawn its first screen (default %(default)r)")
    parser.add_argument("--keys", default="",
                        help="comma-separated keys to press afterwards, then a second PNG <out>-keys.png "
                             "(e.g. 'n' or 'down,enter'); default none")
    parser.add_argument("--timeout", type=float, default=40.0, help="seconds to wait for the app (real time)")
    parser.add_argument("--width", type=int, default=1280, help="viewport width in px (default %(default)s)")
    parser.add_argument("--height", type=int, default=800, help="viewport height in px (default %(default)s)")
    parser.add_argument("--gl", choices=sorted(GL_FLAGS), default="none",
                        help="Chromium graphics flags (default %(default)s)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found (apt-get install chromium)", file=sys.stderr)
        return 1
    port, debug_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="screenshot-serve-") as tmp:
        server_log = Path(tmp, "serve.log").open("w+b")  # noqa: SIM115 - closed in finally
        browser_log = Path(tmp, "chromium.log").open("w+b")  # noqa: SIM115 - closed in finally
        server = subprocess.Popen(serve_command(port, args.case), stdout=server_log, stderr=subprocess.STDOUT)
        browser: subprocess.Popen[bytes] | None = None
        ok = False
        try:
            url = secret_link(server_log, port, 30)  # the page needs the run's secret (printed once)
            wait_http(url, 30)
            browser = subprocess.Popen([
                chromium, "--headless=new", "--no-sandbox", *GL_FLAGS[args.gl], "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--user-data-dir={Path(tmp, 'profile')}", "--remote-debugging-address=127.0.0.1",
                f"--remote-debugging-port={debug_port}", f"--window-size={args.width},{args.height}", "about:blank",
            ], stdout=browser_log, stderr=subprocess.STDOUT)
            ok = asyncio.run(drive(debug_port, url, args))
        finally:
            for process in (browser, server):
                if process is None:
                    continue
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
            for name, log in (("serve", server_log), ("chromium", browser_log)):
                log.seek(0)
                tail = log.read().decode("utf-8", "replace").strip().splitlines()[-15:]
                log.close()
                if not ok and tail:
                    print(f"--- {name} log (last lines) ---", *tail, sep="\n", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
