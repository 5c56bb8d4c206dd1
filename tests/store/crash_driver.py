"""A process to kill: answers a case through a Session (or the real TUI) and says when each answer is saved.

Usage:
    python crash_driver.py session DB ANSWERS_JSON          # answer all, then wait to be killed
    python crash_driver.py session-race DB ANSWERS_JSON     # answer all without pausing (killed mid-way)
    python crash_driver.py tui DB ANSWERS_JSON N            # the Textual app, headless: N answers by keys
    python crash_driver.py tui-resume DB CASE_ID            # reopen the case in the app; print where it is

Prints ``SAVED <question> <case id>`` after each answer is in the store, ``READY <next question>``
when it has given all it was asked to, then sleeps until killed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def answer_session(db: str, answers: dict[str, Any], pause: bool) -> None:
    from sessions import step

    from interview.engine.session import Session
    from interview.flow.load import load_flow
    from interview.store.sqlite import CaseStore

    flow = load_flow()
    store = CaseStore(db)
    case_id = store.create_case(flow)
    session = Session(flow)
    store.attach(session, case_id)
    while (qid := session.current_id) is not None:
        step(session, answers)
        say(f"SAVED {qid} {case_id}")
    say(f"READY {session.current_id}")
    if pause:
        time.sleep(3600)


async def answer_tui(db: str, answers: dict[str, Any], count: int) -> None:
    try:
        sys.path.insert(0, str(TESTS / "tui"))
        from tui_keys import keys_for

        from interview.flow.load import load_flow
        from interview.tui.app import InterviewApp
        from interview.tui.storage import CaseKeeper
    except ImportError as err:
        say(f"SKIP the TUI cannot be driven here: {err}")
        return
    flow = load_flow()
    app = InterviewApp(flow, keeper=CaseKeeper(db))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(count):
            qid = app.session.current_id
            await pilot.press(*keys_for(app, qid, answers.get(qid)))
            await pilot.pause()
            if qid not in app.session.answers and qid not in app.session.skipped:
                say(f"STUCK {qid}")
                return
            say(f"SAVED {qid} {app.keeper.case_id}")
        say(f"READY {app.session.current_id}")
        await asyncio.sleep(3600)


async def resume_tui(db: str, case_id: str) -> None:
    from interview.flow.load import load_flow
    from interview.tui.app import InterviewApp
    from interview.tui.storage import CaseKeeper

    flow = load_flow()
    keeper = CaseKeeper(db)
    session, _ = keeper.resume(case_id, flow)
    app = InterviewApp(flow, session=session, keeper=keeper)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        say("RESUMED " + json.dumps({"current": app.session.current_id, "answers": app.session.answers,
                                     "skipped": sorted(app.session.skipped)}))


def main(argv: list[str]) -> None:
    mode, db = argv[0], argv[1]
    if mode == "tui-resume":
        asyncio.run(resume_tui(db, argv[2]))
        return
    answers = json.loads(argv[2])
    if mode in ("session", "session-race"):
        answer_session(db, answers, pause=mode == "session")
    elif mode == "tui":
        asyncio.run(answer_tui(db, answers, int(argv[3])))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
