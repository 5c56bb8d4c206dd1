"""Screenshot of lecture-room mode: start `spine-interview serve`, load it in headless Chromium, save a PNG.

Not part of the test suite (Chromium is not installed in CI). Usage:
    python scripts/screenshot_serve.py [--case ID] [--out /tmp/serve.png] [--budget 15000]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    """Serve, screenshot, stop; returns an exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", help="serve the quiz of this teaching case instead of the interview")
    parser.add_argument("--out", default="/tmp/serve.png")
    parser.add_argument("--budget", type=int, default=15000, help="Chromium virtual time budget in ms")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found (apt-get install chromium)", file=sys.stderr)
        return 1
    port = free_port()
    cmd = [sys.executable, "-m", "interview", "serve", "--port", str(port)]
    if args.case:
        cmd += ["--case", args.case]
    server = subprocess.Popen(cmd)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run([
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--window-size=1200,800", f"--virtual-time-budget={args.budget}",
                f"--screenshot={args.out}", f"http://127.0.0.1:{port}",
            ], check=False, timeout=180, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"screenshot: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
