"""Bad databases, unwritable places and full disks: one clear message, and a damaged file left untouched."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from interview.cli import main
from interview.engine.session import Session
from interview.store import sqlite as store_module
from interview.store.sqlite import APPLICATION_ID, SCHEMA_VERSION, CaseStore, StoreError
from store.helpers import stored_example


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _good_database(path: Path, flow) -> None:
    with CaseStore(path) as s:
        stored_example(s, flow, "renal_stable")


def _truncated(path: Path, flow) -> None:
    _good_database(path, flow)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _truncated_header(path: Path, flow) -> None:
    _good_database(path, flow)
    path.write_bytes(path.read_bytes()[:50])


def _garbage(path: Path, flow) -> None:
    path.write_bytes(bytes(range(256)) * 40)


def _text_file(path: Path, flow) -> None:
    path.write_text("patient notes, not a database\n", encoding="utf-8")


def _foreign_schema(path: Path, flow) -> None:
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        db.execute("INSERT INTO invoices (amount) VALUES (12.5)")


def _foreign_application(path: Path, flow) -> None:
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA application_id = 1234")
        db.execute("CREATE TABLE t (x)")


def _newer_schema(path: Path, flow) -> None:
    _good_database(path, flow)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


def _ours_without_tables(path: Path, flow) -> None:
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("CREATE TABLE other (x)")


def _corrupt_pages(path: Path, flow) -> None:
    _good_database(path, flow)
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page, len(data), page):  # keep the header page; scribble over the rest
        data[offset:offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


DAMAGED = {
    "truncated": (_truncated, "damaged"),
    "truncated header": (_truncated_header, "damaged"),
    "garbage bytes": (_garbage, "not an SQLite file"),
    "a text file": (_text_file, "not an SQLite file"),
    "foreign schema": (_foreign_schema, "another program"),
    "foreign application id": (_foreign_application, "another program"),
    "newer schema": (_newer_schema, "newer spine-interview"),
    "our mark but no tables": (_ours_without_tables, "damaged"),
    "corrupt pages": (_corrupt_pages, "damaged"),
}


@pytest.mark.parametrize("kind", list(DAMAGED))
def test_damaged_file_gives_one_message_and_is_left_untouched(kind, db_path, flow):
    """Opening a damaged or foreign file raises one StoreError and leaves it byte-for-byte as it was."""
    make, words = DAMAGED[kind]
    make(db_path, flow)
    for side in ("-wal", "-shm"):
        Path(str(db_path) + side).unlink(missing_ok=True)
    before = _digest(db_path)
    with pytest.raises(StoreError) as caught:
        CaseStore(db_path)
    assert words in caught.value.message
    assert "\n" not in caught.value.message
    assert _digest(db_path) == before
    assert not Path(str(db_path) + "-wal").exists()


@pytest.mark.parametrize("kind", ["garbage bytes", "foreign schema", "truncated"])
@pytest.mark.parametrize("command", [["cases", "list"], ["cases", "show", "X"], ["cases", "export", "X"]])
def test_cli_on_damaged_file_prints_one_line(kind, command, db_path, flow, capsys):
    """`spine-interview cases` on a damaged file prints one line, no traceback, exit 1, file untouched."""
    DAMAGED[kind][0](db_path, flow)
    before = _digest(db_path)
    code = main([*command, "--db", str(db_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("spine-interview: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert _digest(db_path) == before


def test_empty_sqlite_file_is_adopted(db_path, flow):
    """A blank SQLite file (no tables, no application id) becomes a case database."""
    sqlite3.connect(db_path).close()
    db_path.touch()
    with CaseStore(db_path) as s:
        s.create_case(flow)
        assert len(s.list_cases()) == 1


def test_read_only_directory(tmp_path, monkeypatch, flow):
    """A directory we cannot write gives one clear StoreError naming it.

    Tests run as root in CI, for whom no directory is read-only, so the permission check is
    simulated: os.access reports the directory as not writable.
    """
    folder = tmp_path / "locked"
    folder.mkdir()
    real_access = os.access
    monkeypatch.setattr(store_module.os, "access",
                        lambda p, mode, **kw: False if Path(p) == folder else real_access(p, mode, **kw))
    with pytest.raises(StoreError, match="read-only") as caught:
        CaseStore(folder / "cases.sqlite3")
    assert str(folder) in caught.value.message
    assert not (folder / "cases.sqlite3").exists()


def test_read_only_directory_on_the_command_line(tmp_path, monkeypatch, capsys):
    """`run --save` into an unwritable place prints the result, then one line saying it was not saved."""
    from store.helpers import EXAMPLES

    folder = tmp_path / "locked"
    folder.mkdir()
    monkeypatch.setattr(store_module.os, "access", lambda p, mode, **kw: Path(p) != folder)
    code = main(["run", "--answers", str(EXAMPLES / "renal_stable.answers.yaml"), "--save",
                 "--db", str(folder / "cases.sqlite3")])
    captured = capsys.readouterr()
    assert code == 1
    assert '"recommendation"' in captured.out
    assert "not saved" in captured.err and "read-only" in captured.err and "Traceback" not in captured.err


def test_unopenable_path(tmp_path):
    """A path whose parent is a file gives a StoreError, not an OSError."""
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="Not a directory"):
        CaseStore(tmp_path / "file" / "cases.sqlite3")


def test_directory_as_database(tmp_path):
    """A directory given as the database file is named as such."""
    with pytest.raises(StoreError, match="is a directory"):
        CaseStore(tmp_path)


def _fill_the_disk(store: CaseStore) -> None:
    """Simulate a full disk: SQLite refuses to grow the file past its current size (SQLITE_FULL)."""
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")


def test_full_disk_while_answering(store, flow):
    """On a full disk the answer raises one StoreError saying it was not saved; earlier answers stay."""
    case_id = store.create_case(flow)
    session = Session(flow)
    store.attach(session, case_id)
    session.answer(False)
    _fill_the_disk(store)
    with pytest.raises(StoreError, match="disk is full") as caught:
        for _ in range(200):  # a few answers fit in the last free page; the disk fills soon after
            store.append(case_id, [store_module_event("answer", "age", None, 64)])
    assert "not saved" in caught.value.message
    store.db.execute("PRAGMA max_page_count = 1073741823")
    assert store.get_case(case_id).events[0].new is False


def store_module_event(*args):
    """A session event (a helper so the loop above reads plainly)."""
    from interview.engine.session import Event

    return Event(*args)


def test_full_disk_when_creating(store, flow):
    """Creating a case on a full disk is one StoreError too."""
    _fill_the_disk(store)
    with pytest.raises(StoreError, match="disk is full"):
        for _ in range(200):
            store.create_case(flow, identifiers={"note": "x" * 2000})  # labels are short


def test_full_disk_reported_by_the_os(store, flow, monkeypatch):
    """An OperationalError 'database or disk is full' from SQLite (as the OS reports it) is translated."""

    class FullConnection:
        def __init__(self, real):
            self.real = real

        def execute(self, sql, *params):
            if sql.startswith("INSERT"):
                raise sqlite3.OperationalError("database or disk is full")
            return self.real.execute(sql, *params)

        def executemany(self, sql, rows):
            raise sqlite3.OperationalError("database or disk is full")

        def close(self):
            self.real.close()

    case_id = store.create_case(flow)
    monkeypatch.setattr(store, "_db", FullConnection(store._db))
    with pytest.raises(StoreError, match="disk is full"):
        store.append(case_id, [store_module_event("answer", "age", None, 64)])
