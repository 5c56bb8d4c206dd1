"""Issue 17, items 7, 8 and 10: the one private writer, `run --save` in one transaction, the database's files.

Each test names the defect it holds fixed; every one of them failed before the fix.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from interview.cli import main
from interview.files.writing import WriteError, append_private, make_private_dirs, write_private
from interview.store.sqlite import CaseStore, StoreError, save_result_case
from store.helpers import EXAMPLES, ROOT, example_answers, stored_example

ANSWERS = str(EXAMPLES / "renal_stable.answers.yaml")
PYTHON = sys.executable


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _private_tree(root: Path) -> list[str]:
    """Every file and directory under root that group or world can read, write or enter."""
    return [f"{p} {_mode(p):o}" for p in [root, *root.rglob("*")] if _mode(p) & 0o077 and not p.is_symlink()]


@pytest.fixture
def umask_zero():
    """The most permissive umask: nothing the app writes may rely on the user's."""
    old = os.umask(0)
    yield
    os.umask(old)


# --- the writer itself --------------------------------------------------------------------------------


def test_writer_creates_0600_and_0700_each_directory_whatever_the_umask(tmp_path, umask_zero):
    """Defect 10/7: a file is 0600 and every directory it needs (not only the last) 0700, under umask 0."""
    target = tmp_path / "a" / "b" / "c" / "report.md"
    write_private(target, "text")
    assert target.read_text() == "text" and _mode(target) == 0o600
    for d in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert _mode(d) == 0o700, d
    assert make_private_dirs(tmp_path / "a") == tmp_path / "a"  # existing: left alone


def test_writer_never_overwrites_without_force_and_never_chmods_the_old_file(tmp_path):
    """Defect 7: an existing file is kept unless forced; forced, it is replaced by a new 0600 inode."""
    target = tmp_path / "out.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    old_inode = tmp_path / "old-inode"
    os.link(target, old_inode)
    with pytest.raises(WriteError) as caught:
        write_private(target, "new")
    assert caught.value.exists and "--force" in caught.value.message
    assert target.read_text() == "old"
    write_private(target, "new", force=True)
    assert target.read_text() == "new" and _mode(target) == 0o600
    assert old_inode.read_text() == "old" and _mode(old_inode) == 0o644, "the old file was not chmod-ed"


def test_writer_refuses_a_symlink_even_forced(tmp_path):
    """Defect 7: a symlink at the target is never followed (nor replaced), even with force."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.chmod(victim, 0o644)
    link = tmp_path / "export.md"
    link.symlink_to(victim)
    for force in (False, True):
        with pytest.raises(WriteError, match="symbolic link"):
            write_private(link, "attack", force=force)
    assert victim.read_text() == "precious" and _mode(victim) == 0o644 and link.is_symlink()


def test_writer_refuses_a_database_even_forced(tmp_path):
    """Defect 7: a file starting 'SQLite format 3' is never overwritten, --force or not."""
    db = tmp_path / "cases.sqlite3"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    before = _digest(db)
    with pytest.raises(WriteError, match="database"):
        write_private(db, "x", force=True)
    assert _digest(db) == before


def test_writer_refuses_devices_and_fifos_without_touching_them(tmp_path):
    """Defect 7: a device or a FIFO is refused (no hang, no chmod), even forced."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o644)
    with pytest.raises(WriteError, match="not a regular file"):
        write_private(fifo, "x", force=True)
    assert _mode(fifo) == 0o644
    before = _mode(Path("/dev/null"))
    with pytest.raises(WriteError, match="not a regular file"):
        write_private("/dev/null", "x", force=True)
    assert _mode(Path("/dev/null")) == before
    with pytest.raises(WriteError):
        append_private(fifo, "x")
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"


def test_append_log_refuses_a_symlink_and_a_database(tmp_path):
    """The learning log is appended through the same rules: no link, no database, 0600 new."""
    log = tmp_path / "d" / "log.jsonl"
    append_private(log, "a\n")
    append_private(log, "b\n")
    assert log.read_text() == "a\nb\n" and _mode(log) == 0o600 and _mode(log.parent) == 0o700
    link = tmp_path / "link.jsonl"
    link.symlink_to(log)
    with pytest.raises(WriteError, match="symbolic link"):
        append_private(link, "c\n")
    db = tmp_path / "x.sqlite3"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(WriteError, match="database"):
        append_private(db, "c\n")


_KILL_DRIVER = textwrap.dedent("""
    import sys
    from interview.files.writing import write_private
    write_private(sys.argv[1], b"x" * (300 * 1024 * 1024), force=len(sys.argv) > 2)
""")


@pytest.mark.parametrize("force", [False, True])
def test_sigkill_mid_write_leaves_no_partial_target(tmp_path, force):
    """Defect 7: SIGKILL while a big file is written leaves the target absent (or the old one), never
    0-byte or partial, and the temporary file is owner-only."""
    target = tmp_path / "out" / "big.json"
    if force:
        make_private_dirs(target.parent)
        target.write_bytes(b"old")
        os.chmod(target, 0o600)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([PYTHON, "-c", _KILL_DRIVER, str(target), *(["force"] if force else [])],
                            env=env, umask=0)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        temps = list(target.parent.glob(".*.tmp")) if target.parent.exists() else []
        if temps and temps[0].stat().st_size > 1024 * 1024:
            break
        time.sleep(0.005)
    else:
        proc.kill()
        pytest.fail("the writer never started writing")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if force:
        assert target.read_bytes() == b"old"
    else:
        assert not target.exists()
    assert _private_tree(tmp_path / "out") == []


def test_sigkill_during_cases_export_leaves_no_partial_or_readable_file(tmp_path, db_path, flow):
    """Defect 7: `cases export --output` killed at any moment leaves no file, or the whole export; all 0600."""
    with CaseStore(db_path) as store:
        case_id = stored_example(store, flow, "renal_stable")
    env = os.environ | {"PYTHONPATH": str(ROOT), "SPINE_INTERVIEW_DB": str(db_path)}
    outputs = tmp_path / "exports"
    whole = None
    for attempt, delay in enumerate((0.3, 0.6, 0.9, 1.2, 1.6, 2.2, 10)):
        target = outputs / f"case-{attempt}.json"
        proc = subprocess.Popen([PYTHON, "-m", "interview", "cases", "export", case_id, "--format", "fhir",
                                 "--output", str(target)], env=env, umask=0, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        if target.exists():
            data = json.loads(target.read_text(encoding="utf-8"))  # whole, never cut
            assert data["resourceType"] == "Bundle"
            whole = target
        if outputs.exists():
            assert _private_tree(outputs) == []
    assert whole is not None, "the last, unhurried export completes"


# --- cases export --output ------------------------------------------------------------------------


def test_export_onto_the_database_itself_is_refused(db_path, flow, capsys):
    """Defect 7: `cases export --output DB --force` is refused and every case is still there."""
    with CaseStore(db_path) as store:
        case_id = stored_example(store, flow, "renal_stable")
    before = _digest(db_path)
    for extra in ([], ["--force"]):
        code, _, err = _run(capsys, "cases", "export", case_id, "--format", "json", "--output", str(db_path), *extra)
        assert code != 0 and "database" in err and err.count("\n") == 1
    assert _digest(db_path) == before
    with CaseStore(db_path) as store:
        assert [c.id for c in store.list_cases()] == [case_id]


def test_export_through_a_symlink_is_refused(tmp_path, db_path, flow, capsys):
    """Defect 7: an --output that is a symlink (to anything) is refused; its target is untouched."""
    with CaseStore(db_path) as store:
        case_id = stored_example(store, flow, "renal_stable")
    victim = tmp_path / "authorized_keys"
    victim.write_text("ssh-ed25519 AAAA")
    link = tmp_path / "report.md"
    link.symlink_to(victim)
    code, _, err = _run(capsys, "cases", "export", case_id, "--output", str(link), "--force")
    assert code != 0 and "symbolic link" in err
    assert victim.read_text() == "ssh-ed25519 AAAA"


def test_export_onto_a_device_is_refused(db_path, flow, capsys):
    """Defect 7: --output /dev/null --force is refused and the device keeps its mode."""
    with CaseStore(db_path) as store:
        case_id = stored_example(store, flow, "renal_stable")
    before = _mode(Path("/dev/null"))
    code, _, err = _run(capsys, "cases", "export", case_id, "--output", "/dev/null", "--force")
    assert code != 0 and "not a regular file" in err
    assert _mode(Path("/dev/null")) == before


def test_learning_log_export_needs_force(tmp_path, capsys):
    """Defect 7: `teach --log-export FILE` keeps an existing file unless --force; writes 0600."""
    target = tmp_path / "portfolio.md"
    target.write_text("mine")
    log = tmp_path / "log.jsonl"
    code, _, err = _run(capsys, "teach", "--log", str(log), "--log-export", str(target))
    assert code == 2 and "--force" in err and target.read_text() == "mine"
    code, _, _ = _run(capsys, "teach", "--log", str(log), "--log-export", str(target), "--force")
    assert code == 0 and "Learning log" in target.read_text() and _mode(target) == 0o600


def test_one_writer_in_the_package():
    """Defect 7 as a class: no module but the writer creates, opens for writing or chmods a file itself."""
    import re

    # sqlite: its -wal/-shm files.
    allowed = {"files/writing.py", "store/sqlite.py"}
    writes = re.compile(r"\.mkdir\(|os\.open\((?!os\.devnull)[^)]*O_(?:CREAT|WRONLY|RDWR|APPEND)|\bchmod\(|\.write_text\("
                        r"|\.write_bytes\(|(?<![\w.])open\([^)]*['\"][wax]|\.open\([^)]*['\"][wax]|makedirs\(")
    offenders = [f"{path.relative_to(ROOT).as_posix()}: {m.group()}"
                 for path in sorted((ROOT / "interview").rglob("*.py"))
                 if path.relative_to(ROOT / "interview").as_posix() not in allowed
                 for m in writes.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []


# --- run --save -------------------------------------------------------------------------------------


def test_run_save_into_a_closed_pipe_saves_and_fails(tmp_path):
    """Defect 8: `run --save | head` (the reader gone) still stores the case and exits non-zero, saying so."""
    db = tmp_path / "cases.sqlite3"
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.run([PYTHON, "-m", "interview", "run", "--answers", ANSWERS, "--save", "--db", str(db)],
                          stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    os.close(write_end)
    assert proc.returncode != 0
    assert "broken pipe" in proc.stderr and "Traceback" not in proc.stderr
    with CaseStore(db) as store:
        assert len(store.list_cases()) == 1


def test_run_into_a_full_output_fails(tmp_path):
    """Defect 8: `run > /dev/full` (with or without --save) is an error, not exit 0 or a traceback."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    for extra in ([], ["--save", "--db", str(tmp_path / "c.sqlite3")]):
        with open("/dev/full", "w") as full:
            proc = subprocess.run([PYTHON, "-m", "interview", "run", "--answers", ANSWERS, *extra],
                                  stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=120)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        assert proc.stderr.count("\n") == 1 and "could not" in proc.stderr


def test_run_save_is_one_transaction(store, flow, monkeypatch):
    """Defect 8: a failure while the result is stored leaves no half-saved case (one transaction)."""
    from interview.engine.replay import replay

    result = replay(flow, example_answers("renal_stable")).result

    def broken(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(CaseStore, "_set_outcome", staticmethod(broken))
    with pytest.raises(StoreError, match="disk is full"):
        save_result_case(store, flow, result)
    assert store.list_cases() == []
    assert store.db.execute("SELECT count(*) FROM events").fetchone()[0] == 0


@pytest.fixture
def tiny_disk(tmp_path):
    """A 16 KiB tmpfs (needs root and mount); skipped elsewhere."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)],
                                            capture_output=True).returncode != 0:
        pytest.skip("needs root and mount for a full-disk tmpfs")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_full_disk_on_a_new_database_says_so(tiny_disk):
    """Defect 8: a full disk while creating a database says the disk is full (not 'cannot rollback')."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.run([PYTHON, "-m", "interview", "run", "--answers", ANSWERS, "--save",
                           "--db", str(tiny_disk / "new.sqlite3")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert "disk is full" in proc.stderr and "cannot rollback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


# --- the database's files (item 10) ----------------------------------------------------------------


def test_write_protected_database_is_not_made_writable(db_path, flow, capsys):
    """Defect 10: opening a 0400 database (to read or to save) never chmods it to 0600."""
    with CaseStore(db_path) as store:
        stored_example(store, flow, "renal_stable")
    os.chmod(db_path, 0o400)
    code, out, _ = _run(capsys, "cases", "list", "--db", str(db_path))
    assert code == 0 and "case-" in out
    _run(capsys, "run", "--answers", ANSWERS, "--save", "--db", str(db_path))  # root may write; no one chmods
    assert _mode(db_path) == 0o400


@pytest.mark.parametrize("command", [["cases", "list"], ["cases", "show", "ABCD2345"], ["cases", "export", "ABCD2345"]])
def test_read_only_commands_never_create_a_database(tmp_path, command, capsys):
    """Defect 10: list/show/export at a mistyped path create nothing and say there is no database."""
    typo = tmp_path / "nosuchdir" / "casse.sqlite3"
    code, out, err = _run(capsys, *command, "--db", str(typo))
    assert f"no case database at {typo}" in out + err
    assert code == (0 if command[1] == "list" else 2)
    assert not typo.parent.exists()


def test_database_directories_are_0700_all_the_way(tmp_path, flow, umask_zero):
    """Defect 10: every directory created for a new database is 0700, not only the last."""
    db = tmp_path / "x" / "y" / "z" / "cases.sqlite3"
    with CaseStore(db) as store:
        stored_example(store, flow, "renal_stable")
    assert [_mode(d) for d in (tmp_path / "x", tmp_path / "x" / "y", tmp_path / "x" / "y" / "z")] == [0o700] * 3
    assert _private_tree(tmp_path / "x") == []


def test_no_file_the_app_writes_is_group_or_world_readable(tmp_path):
    """Defect 7/10: under umask 000, the database (-wal, -shm), every export, the learning log and its
    export are owner-only, and so is every directory made for them."""
    root = tmp_path / "home"
    db, log = root / "data" / "cases.sqlite3", root / "learn" / "log.jsonl"
    env = os.environ | {"PYTHONPATH": str(ROOT), "SPINE_INTERVIEW_DB": str(db),
                        "SPINE_INTERVIEW_LEARNING_LOG": str(log)}

    def cli(*argv: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([PYTHON, "-m", "interview", *argv], capture_output=True, text=True, env=env,
                              umask=0, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc

    case_id = cli("run", "--answers", ANSWERS, "--save").stderr.strip().rsplit(" ", 1)[-1]
    for fmt in ("markdown", "json", "fhir"):
        cli("cases", "export", case_id, "--format", fmt, "--output", str(root / "exports" / "deep" / f"c.{fmt}"))
    script = ("from interview.teach.log import append_entry; import sys; "
              "append_entry({'case_id': 'x', 'score': 1, 'out_of': 2}, __import__('pathlib').Path(sys.argv[1]))")
    subprocess.run([PYTHON, "-c", script, str(log)], env=env, umask=0, check=True)
    cli("teach", "--log", str(log), "--log-export", str(root / "portfolio" / "log.md"))
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert {"data/cases.sqlite3", "exports/deep/c.fhir", "learn/log.jsonl", "portfolio/log.md"} <= set(written)
    assert _private_tree(root) == []


async def test_tui_report_and_transcript_are_private_and_ask_before_overwriting(tmp_path, flow, monkeypatch):
    """Defect 7: the TUI's report (m) and transcript (x) are 0600; an existing file is replaced only after a yes."""

    from interview.engine.session import Session
    from interview.tui.app import InterviewApp
    from interview.tui.screens.modals import ConfirmScreen
    from interview.tui.storage import CaseKeeper

    monkeypatch.chdir(tmp_path)
    session = Session(flow)
    from interview.engine.replay import fill

    fill(session, example_answers("renal_stable"))
    app = InterviewApp(flow, session=session, keeper=CaseKeeper(str(tmp_path / "db" / "cases.sqlite3")))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        report = app.write_file(tmp_path / "out" / "r.md", "one", "report")
        assert report is not None and _mode(report) == 0o600 and _mode(report.parent) == 0o700
        assert app.write_file(report, "two", "report") is None
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and report.read_text() == "one"
        await pilot.press("n")
        await pilot.pause()
        assert report.read_text() == "one"
        app.write_file(report, "three", "report")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert report.read_text() == "three" and _mode(report) == 0o600
        link = tmp_path / "out" / "link.md"
        link.symlink_to(tmp_path / "victim")
        assert app.write_file(link, "x", "report") is None
        assert not (tmp_path / "victim").exists()
