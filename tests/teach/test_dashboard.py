"""The lecture room: quiz answers tagged by room in a shared learning log, and the teacher's live dashboard."""

from __future__ import annotations

import random

import pytest

from interview.teach.dashboard import room_view
from interview.teach.log import LogError, append_entry, check_room, read_entries
from interview.teach.quiz import Quiz
from interview.tui.screens.dashboard import CheckpointBars, DashboardApp, DashboardScreen

CASE = "colon_stable_cebrt"
LEARNERS = 30


@pytest.fixture(scope="module")
def quiz(flow, library_case):
    """A quiz of one library case: its checkpoints are what the room answers."""
    return Quiz(flow, library_case(CASE))


def _answer(cp, rng: random.Random, skill: float) -> str:
    """Right with probability ``skill``, else a wrong option (or a near-miss number)."""
    if rng.random() < skill:
        return cp.expected
    if cp.number_range is not None:
        return str(min(cp.number_range[1], int(cp.expected) + rng.choice((1, 2, -1))))
    return rng.choice([c.value for c in cp.choices if c.value != cp.expected])


def room_entries(quiz, room: str = "ward-round", n: int = LEARNERS) -> list[dict]:
    """n learners' finished sessions, deterministic: each checkpoint harder than the one before it."""
    rng = random.Random(30)
    entries = []
    for learner in range(n):
        cps = []
        for i, cp in enumerate(quiz.checkpoints):
            given = _answer(cp, rng, 0.95 - 0.15 * i)
            cps.append({"id": cp.id, "prompt": cp.prompt, "expected": cp.expected, "given": given,
                        "correct": given == cp.expected})
        entries.append({"at": f"2026-11-29T09:{learner:02d}:00+00:00", "room": room, "learner": f"L{learner:02d}",
                        "case_id": CASE, "case_title": quiz.case.title, "score": sum(c["correct"] for c in cps),
                        "out_of": len(cps), "checkpoints": cps})
    return entries


def _checkpoints(quiz):
    return lambda case_id: quiz.checkpoints if case_id == CASE else None


# --- the tally -----------------------------------------------------------------------------------------


def test_tally_counts_every_answer_and_marks_the_right_one(quiz):
    """Each checkpoint counts all 30 answers, one option marked right, every offered option shown."""
    view = room_view(room_entries(quiz), room="ward-round", checkpoints=quiz.checkpoints)
    assert view.sessions == LEARNERS and view.case_id == CASE
    assert {t.id for t in view.checkpoints} == {cp.id for cp in quiz.checkpoints}
    for t in view.checkpoints:
        assert t.answered == sum(o.count for o in t.options) == LEARNERS
        assert [o.value for o in t.options if o.right] == [t.expected]
        cp = next(c for c in quiz.checkpoints if c.id == t.id)
        assert {c.value for c in cp.choices} <= {o.value for o in t.options}


def test_most_disagreement_first(quiz):
    """Checkpoints are ordered by how split the room is, the most split first."""
    view = room_view(room_entries(quiz), room="ward-round", checkpoints=quiz.checkpoints)
    split = [t.disagreement for t in view.checkpoints]
    assert split == sorted(split, reverse=True) and split[0] > split[-1]


def test_other_rooms_and_cases_are_kept_apart(quiz):
    """Another room's sessions are not counted; other cases of the room are named, not mixed in."""
    entries = room_entries(quiz) + room_entries(quiz, room="other", n=5)
    entries.append({**entries[0], "case_id": "lung_unstable_unfit"})
    view = room_view(entries, room="ward-round", case_id=CASE)
    assert view.sessions == LEARNERS and view.other_cases == {"lung_unstable_unfit": 1}


# --- the log: rooms, scrubbing, a server ---------------------------------------------------------------


def test_room_tag_from_the_environment_and_identifiers_dropped(tmp_path, monkeypatch, quiz):
    """A served tab's entry carries its room; keys a quiz entry does not have (a name, an MRN) never reach the log."""
    monkeypatch.setenv("SPINE_INTERVIEW_ROOM", "ward-round")
    entry = {**room_entries(quiz, n=1)[0], "room": None, "patient_name": "Jan Kowalski", "mrn": "12345678"}
    entry["checkpoints"][0]["identifiers"] = {"mrn": "12345678"}
    path = append_entry(entry, tmp_path)
    raw = path.read_text(encoding="utf-8")
    assert "Kowalski" not in raw and "12345678" not in raw
    [stored] = read_entries(tmp_path, room="ward-round")
    assert stored["room"] == "ward-round" and "mrn" not in stored


@pytest.mark.parametrize("name", ["", " ", "a" * 41, "-dash", "ward/round", "x\ny"])
def test_bad_room_names_are_refused(name):
    """A room name is 1–40 letters, digits, spaces, '.', '_' or '-'; anything else is one clear error."""
    with pytest.raises(LogError, match="expected 1 to 40 letters"):
        check_room(name)


def test_learning_log_on_the_server_is_its_own_schema_and_role(pg_server, pg_url, quiz):
    """On PostgreSQL the room's role writes and reads its sessions and is refused the case tables."""
    from interview.teach.log_postgres import migrate_learning

    assert migrate_learning(pg_url) == (0, 1)
    assert migrate_learning(pg_url) == (1, 1)
    name = pg_url.rsplit("/", 1)[1].split("?")[0]
    pg_server.psql(name, pg_server.sql_from_readme("learning-role-sql", name))
    room_url = pg_server.url(name, user="spine_room")
    for entry in room_entries(quiz):
        append_entry(entry, room_url)
    assert len(read_entries(room_url, room="ward-round")) == LEARNERS
    import psycopg

    with psycopg.connect(room_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT * FROM spine_cases.cases")
    with psycopg.connect(room_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO spine_cases.events (case_id, n, time, kind, question) VALUES ('X', 1, '', '', '')")


# --- the screen ----------------------------------------------------------------------------------------


def _app(quiz, entries, refresh=None):
    screen = DashboardScreen(lambda: list(entries), room="ward-round", checkpoints=_checkpoints(quiz),
                             refresh_seconds=refresh)
    return DashboardApp(screen)


async def test_dashboard_shows_every_checkpoint_most_split_first(quiz):
    """Pilot: one bar block per checkpoint, in the tally's order, each naming the right answer."""
    entries = room_entries(quiz)
    app = _app(quiz, entries)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        blocks = list(app.screen.query(CheckpointBars))
        want = room_view(entries, room="ward-round", checkpoints=quiz.checkpoints).checkpoints
        assert [b.tally.id for b in blocks] == [t.id for t in want]
        assert all("right answer" in str(b.render()) for b in blocks)


async def test_dashboard_refreshes_as_answers_arrive(quiz):
    """New sessions in the log show on the next refresh (here: the r key) without restarting."""
    entries = room_entries(quiz, n=10)
    app = _app(quiz, entries)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert "10 quiz sessions" in str(app.screen.query_one("#status").render())
        entries.extend(room_entries(quiz)[10:])
        await pilot.press("r")
        await pilot.pause()
        assert "30 quiz sessions" in str(app.screen.query_one("#status").render())
        assert all(b.tally.answered == LEARNERS for b in app.screen.query(CheckpointBars))


async def test_dashboard_says_when_the_log_cannot_be_read(quiz):
    """A log that fails to read is named on screen; the last view stays."""
    calls = []

    def load():
        calls.append(1)
        if len(calls) > 1:
            raise LogError("learning log: postgresql://h/db: cannot reach the case server")
        return room_entries(quiz)

    screen = DashboardScreen(load, room="ward-round", checkpoints=_checkpoints(quiz), refresh_seconds=None)
    app = DashboardApp(screen)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        status = str(app.screen.query_one("#status").render())
        assert status.startswith("Cannot read the learning log: learning log: postgresql://h/db")
        assert len(app.screen.query(CheckpointBars)) == len(quiz.checkpoints)


def test_dashboard_snapshot(snap_compare, quiz):
    """The dashboard of 30 learners at 100×32."""
    assert snap_compare(_app(quiz, room_entries(quiz)), terminal_size=(100, 32))


# --- the command line ----------------------------------------------------------------------------------


def test_served_tab_gets_the_server_log_and_its_room(tmp_path, monkeypatch, pg_url):
    """A served tab with --learning-db URL --room NAME sees the URL and the room, and no directory is made."""
    import os

    from interview.cli import served

    seen = []
    monkeypatch.setattr("interview.cli.main", lambda argv: seen.append(
        (list(argv), os.environ["SPINE_INTERVIEW_LEARNING_LOG"], os.environ["SPINE_INTERVIEW_ROOM"])) or 0)
    monkeypatch.chdir(tmp_path)
    assert served.main(["--learning-db", pg_url, "--case", CASE, "--room", "ward-round"]) == 0
    [(argv, log, room)] = seen
    assert argv == ["teach", CASE, "--log", pg_url] and log == pg_url and room == "ward-round"
    assert list(tmp_path.iterdir()) == []


def test_serve_command_carries_the_room():
    """Every tab's command names the room, so its quiz sessions are tagged with it."""
    from interview.teach.serve import app_command

    assert app_command(CASE, "postgresql://spine_room@db/spine", "ward-round").endswith(
        f"--learning-db postgresql://spine_room@db/spine --case {CASE} --room ward-round")


def test_serve_refuses_a_learning_server_it_cannot_use(pg_server, capsys):
    """serve --learning-db URL on a server without the learning schema stops at once with one line."""
    from interview.cli import main

    pg_server.psql("postgres", "CREATE DATABASE no_room")
    code = main(["serve", "--learning-db", pg_server.url("no_room"), "--room", "ward-round"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and "db migrate --learning-db" in err


def test_teach_dashboard_reads_the_room(tmp_path, monkeypatch, quiz, capsys):
    """`teach --room NAME --dashboard --learning-db DIR` opens the dashboard on that room's sessions;
    without --room it says what is missing."""
    from interview.cli import main

    for entry in room_entries(quiz) + room_entries(quiz, room="other", n=3):
        append_entry(entry, tmp_path)
    shown = []
    monkeypatch.setattr(DashboardApp, "run", lambda self: shown.append(self._dashboard))
    assert main(["teach", "--room", "ward-round", "--dashboard", "--learning-db", str(tmp_path)]) == 0
    [screen] = shown
    assert screen.view.sessions == LEARNERS and screen.view.case_id == CASE
    assert {cp.id for cp in screen.view.checkpoints} == {cp.id for cp in quiz.checkpoints}
    assert main(["teach", "--dashboard", "--learning-db", str(tmp_path)]) == 2
    assert "--dashboard needs --room NAME" in capsys.readouterr().err
