"""Killed mid-case (SIGKILL): on restart every saved answer is there and the case resumes at the same question."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from interview.engine.restore import open_session
from interview.engine.session import Session
from interview.store.sqlite import CaseStore
from store.helpers import example_answers

DRIVER = Path(__file__).with_name("crash_driver.py")
#: Generous: only a hung driver ever reaches it; no assertion depends on timing.
READ_TIMEOUT_S = 120


def _start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, str(DRIVER), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _read_until(proc: subprocess.Popen[str], stop: str, *, max_saved: int | None = None) -> list[str]:
    """Lines until one starts with `stop` (or the max_saved-th SAVED line); fails if the driver dies."""
    lines: list[str] = []
    saved = 0
    while True:
        line = proc.stdout.readline()
        if not line:
            proc.wait(READ_TIMEOUT_S)
            pytest.fail(f"driver ended early (exit {proc.returncode}): {proc.stderr.read()[-2000:]}")
        lines.append(line.rstrip("\n"))
        if line.startswith("SKIP"):
            proc.kill()
            pytest.skip(line[5:].strip())
        if line.startswith("STUCK"):
            proc.kill()
            pytest.fail(line)
        saved += line.startswith("SAVED")
        if line.startswith(stop) or (max_saved is not None and saved >= max_saved):
            return lines


def _kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(READ_TIMEOUT_S)
    assert proc.returncode == -signal.SIGKILL
    proc.stdout.close()
    proc.stderr.close()


def _expected_after(flow, given: list[tuple[str, object]]) -> Session:
    """A fresh session that has seen exactly the saved answers, for comparison."""
    session = Session(flow)
    for qid, value in given:
        assert session.current_id == qid
        if value is None:
            session.skip()
        else:
            session.answer(value)
    return session


def test_sigkill_while_waiting_keeps_every_answer(db_path, flow):
    """Killed after its answers were saved, the case reopens with all of them at the same next question."""
    answers = example_answers("emergency_breast")
    proc = _start("session", str(db_path), json.dumps(answers))
    lines = _read_until(proc, "READY")
    _kill(proc)
    saved = [line.split()[1] for line in lines if line.startswith("SAVED")]
    with CaseStore(db_path) as store:
        [case] = store.list_cases()
        session, warnings = open_session(store, case.id, flow)
    assert warnings == []
    assert list(session.answers) == [q for q in saved if q in session.answers]
    assert set(session.answers) | session.skipped == set(saved)
    assert session.current_id is None  # every question was answered before the kill


@pytest.mark.parametrize("kill_after", [1, 5, 12])
def test_sigkill_mid_case_keeps_a_prefix_and_the_next_question(db_path, flow, kill_after):
    """Killed while answering, the store holds at least every answer announced, and resumes exactly there."""
    answers = example_answers("renal_stable")
    proc = _start("session-race", str(db_path), json.dumps(answers))
    lines = _read_until(proc, "READY", max_saved=kill_after)
    _kill(proc)
    announced = [line.split()[1] for line in lines if line.startswith("SAVED")]
    with CaseStore(db_path) as store:
        [case] = store.list_cases()
        record = store.get_case(case.id)
        session, _ = open_session(store, case.id, flow)
    done = [e.question for e in record.events]
    assert done[: len(announced)] == announced  # nothing announced as saved was lost
    expected = _expected_after(flow, [(e.question, e.new if e.kind == "answer" else None) for e in record.events])
    assert session.answers == expected.answers
    assert session.current_id == expected.current_id


def test_sigkill_of_the_real_tui_then_resume_in_the_tui(db_path, flow):
    """The Textual app, driven by keys and SIGKILLed mid-case, reopens (in the app) at the same question."""
    pytest.importorskip("textual")
    answers = example_answers("emergency_breast")
    given = 6
    proc = _start("tui", str(db_path), json.dumps(answers), str(given))
    lines = _read_until(proc, "READY")
    _kill(proc)
    saved = [line.split() for line in lines if line.startswith("SAVED")]
    next_question = lines[-1].split()[1]
    case_id = saved[-1][2]
    assert len(saved) == given
    resume = _start("tui-resume", str(db_path), case_id)
    out, err = resume.communicate(timeout=READ_TIMEOUT_S)
    assert resume.returncode == 0, err[-2000:]
    state = json.loads(next(line for line in out.splitlines() if line.startswith("RESUMED"))[8:])
    assert state["current"] == next_question
    for _, qid, _ in saved:
        assert qid in state["answers"] or qid in state["skipped"]
        if qid in state["answers"]:
            assert state["answers"][qid] == answers[qid]
