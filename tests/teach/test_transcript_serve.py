"""The plain-text transcript of a session, and lecture-room serving over HTTP on localhost."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from interview.engine.replay import replay
from interview.engine.session import Session
from interview.teach.library import find_case, load_library
from interview.teach.transcript import render_transcript


@pytest.fixture(scope="module")
def emergency_answers(flow):
    """Answers of the emergency case with an unknown primary."""
    return dict(find_case(load_library(flow=flow), "emergency_unknown_primary").case.answers)


def test_transcript_of_finished_session(flow, emergency_answers):
    """A finished session lists phases, answers, alerts, the headline, urgency, flags and the notice."""
    session = replay(flow, emergency_answers, keep_session=True).session
    text = render_transcript(session)
    for needle in ("== Safety screen ==", "A: Yes", "[EMERGENCY] Possible MSCC", "== Recommendation ==",
                   "Headline: Emergency decompression and stabilisation, then radiotherapy",
                   "Urgency: emergency", "send tissue from the operation", "Notice: Decision support"):
        assert needle in text, needle
    session.close()


def test_transcript_shows_set_aside_answers(flow, emergency_answers):
    """Answers that an edit took off the path are listed as set aside."""
    session = replay(flow, emergency_answers, keep_session=True).session
    session.edit("neuro_deficit", False)
    assert session.current_id == "radicular_pain"  # v2 asks it when there is no deficit
    session.answer(False)
    text = render_transcript(session)
    assert "== Answers set aside" in text and "20 h" in text
    assert "Headline: Biopsy and staging first" in text
    session.close()


def test_transcript_of_open_session(flow):
    """An open session says where the interview stands."""
    session = Session(flow)
    session.answer(False)
    text = render_transcript(session)
    assert "Interview in progress; next question:" in text and "not answered yet" in text
    session.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_http_on_localhost(tmp_path):
    """`spine-interview serve` binds 127.0.0.1, says it has no authentication, and serves the page."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "interview", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    try:
        page = None
        deadline = time.monotonic() + 30  # a bounded wait for start-up, not a timed assertion
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode("utf-8", "replace")
                break
            except OSError:
                time.sleep(0.3)
        assert proc.poll() is None, "serve exited early"
        assert page is not None and "textual" in page.lower()
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    text = out.decode("utf-8", "replace")
    assert f"http://127.0.0.1:{port}" in text and "no authentication" in text
