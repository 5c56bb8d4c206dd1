"""Cases that survive: one SQLite file whose event log is both the case's answers and its audit trail.

Every answer, skip, back, edit and dropped answer a :class:`~interview.engine.session.Session`
announces is appended to the ``events`` table and committed before the listener returns, so the
UI never moves on from an answer that is not on disk. Current answers are derived by folding the
log. A file this module does not recognise (another program's database, garbage, a truncated
file) is never written to: its header is read as raw bytes before SQLite is let near it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interview.store import records
from interview.store.protocol import Attaching, result_events
from interview.store.records import (
    ANSWER_KINDS,  # noqa: F401 - re-exported: the kinds are the log's, readers import them from here
    DB_ENV,
    CaseChanged,
    CaseRecord,
    CaseSummary,
    EventRecord,
    NoDatabase,
    StoreError,
    UnknownCase,
    dump_json,
    fold_events,
    load_json,
)

if TYPE_CHECKING:
    from interview.engine.reevaluate import Reevaluation
    from interview.engine.session import Event, Session
    from interview.flow.load import LoadedFlow
    from interview.result import Result

DB_NAME = "cases.sqlite3"
#: PRAGMA application_id of our files: "SPIN" — how we tell our database from anyone else's.
APPLICATION_ID = 0x5350494E
#: 1: the first schema; 2: events record who wrote them (``who``).
SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 10_000
_SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA = f"""
CREATE TABLE cases (
    id            TEXT PRIMARY KEY,
    label         TEXT NOT NULL,
    created       TEXT NOT NULL,
    updated       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('{records.STATUS_IN_PROGRESS}', '{records.STATUS_COMPLETE}')),
    headline      TEXT,
    headline_title TEXT,
    flow_id       TEXT NOT NULL,
    flow_version  TEXT NOT NULL,
    flow_sha256   TEXT NOT NULL,
    identifiers   TEXT NOT NULL DEFAULT '{{}}',
    result        TEXT
);
CREATE TABLE events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id   TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    time      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    question  TEXT NOT NULL,
    old       TEXT,
    new       TEXT,
    who       TEXT
);
CREATE INDEX events_by_case ON events(case_id, seq);
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SCHEMA_VERSION};
"""


def default_db_path() -> Path:
    """The case database in the user's data directory (``…/spine-interview/cases.sqlite3``)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("spine-interview", appauthor=False)) / DB_NAME


def resolve_db_path(path: str | Path | None = None) -> Path:
    """An explicit path, else ``$SPINE_INTERVIEW_DB``, else :func:`default_db_path`."""
    if path:
        return Path(path).expanduser()
    env = os.environ.get(DB_ENV)
    return Path(env).expanduser() if env else default_db_path()


def _describe(err: sqlite3.Error, path: Path, doing: str) -> StoreError:
    """One clear line for an SQLite failure."""
    text = str(err)
    low = text.lower()
    if "full" in low:
        return StoreError(f"{path}: the disk is full; {doing} was not saved (free some space and try again)")
    if "readonly" in low or "read-only" in low:
        return StoreError(f"{path}: the case database is read-only; {doing} was not saved")
    if "locked" in low or "busy" in low:
        return StoreError(f"{path}: the case database is busy (another program holds a lock); {doing} was not saved")
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        return StoreError(f"{path}: the case database is damaged ({text}); it was left as it is")
    if "unable to open" in low:
        return StoreError(f"{path}: cannot open the case database (is the directory writable?)")
    return StoreError(f"{path}: {doing} failed: {text}")


def inspect_header(path: Path) -> str:
    """What a file is, from its first 100 bytes alone (nothing is written).

    Returns:
        ``"new"`` (missing or empty), ``"ours"`` (our application id), ``"blank"`` (SQLite without
        an application id — maybe a database SQLite created but nothing wrote to).

    Raises:
        StoreError: not an SQLite file, truncated, another program's database, or a newer schema.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "new"
    except OSError as err:
        raise StoreError(f"{path}: cannot read the case database ({err.strerror})") from None
    if stat.S_ISDIR(mode):
        raise StoreError(f"{path}: is a directory, not a case database")
    if not stat.S_ISREG(mode):
        # A device or FIFO: never read (a FIFO would hang), never opened by SQLite, never chmod-ed.
        raise StoreError(f"{path}: not a regular file (a device or pipe), not a case database; it was left as it is")
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except FileNotFoundError:
        return "new"
    except OSError as err:
        raise StoreError(f"{path}: cannot read the case database ({err.strerror})") from None
    if not header:
        return "new"
    if not header.startswith(_SQLITE_MAGIC):
        raise StoreError(f"{path}: not a spine-interview case database (not an SQLite file); it was left as it is")
    if len(header) < 100:
        raise StoreError(f"{path}: the case database is damaged (truncated header); it was left as it is")
    user_version, = struct.unpack(">I", header[60:64])
    application_id, = struct.unpack(">I", header[68:72])
    if application_id == APPLICATION_ID:
        if user_version > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: made by a newer spine-interview (schema {user_version}, this one reads up to "
                f"{SCHEMA_VERSION}); update spine-interview to open it"
            )
        return "ours"
    if application_id != 0:
        raise StoreError(
            f"{path}: an SQLite database of another program (application id {application_id:#x}), not a "
            "spine-interview case database; it was left as it is"
        )
    return "blank"


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back an open transaction; one SQLite already ended (e.g. on a full disk) is left alone."""
    if getattr(db, "in_transaction", True):
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")


@contextlib.contextmanager
def _private_umask() -> Iterator[None]:
    """Files created inside (the database, -wal, -shm) are owner-only."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


class CaseStore(Attaching):
    """The case database. One instance per process; not shared between threads.

    Args:
        path: the database file; ``None`` means ``$SPINE_INTERVIEW_DB`` or :func:`default_db_path`.
        user: who the events are written as (default: the OS login).

    Raises:
        StoreError: the file is damaged or foreign, or the directory cannot be written.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False, user: str | None = None) -> None:
        self.path = resolve_db_path(path)
        self.location = str(self.path)
        self.user = user or records.current_user()
        #: Opened for reading only (``cases list``/``show``/``export``): nothing is created or written.
        self.read_only = read_only
        #: the events' ``who`` column, or NULL when reading a schema-1 file that has none
        self._who = "who"
        self._db: sqlite3.Connection | None = None
        self._db = self._open_read_only() if read_only else self._open()

    # --- opening ---------------------------------------------------------------------------------

    def _open_read_only(self) -> sqlite3.Connection:
        """Open an existing database for reading; a missing one is :class:`NoDatabase`, never created."""
        from urllib.parse import quote

        path = self.path
        kind = inspect_header(path)
        if kind == "new":
            raise NoDatabase(f"no case database at {path}")
        try:
            with _private_umask():  # the -shm a reader of a WAL database may create
                db = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro", uri=True, isolation_level=None,
                                     timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        except sqlite3.Error as err:
            raise _describe(err, path, "opening") from None
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if kind == "blank":
                if self._has_tables(db):
                    raise StoreError(
                        f"{path}: an SQLite database of another program (it has tables but no spine-interview "
                        "mark), not a case database; it was left as it is")
                raise NoDatabase(f"no case database at {path} (an empty SQLite file)")
            self._check_ours(db, path)
            if db.execute("PRAGMA user_version").fetchone()[0] < 2:
                self._who = "NULL"  # a schema-1 file, read as it is (never migrated by a reader)
        except StoreError:
            db.close()
            raise
        except sqlite3.Error as err:
            db.close()
            raise _describe(err, path, "opening") from None
        return db

    @staticmethod
    def _check_ours(db: sqlite3.Connection, path: Path) -> None:
        """Read-only checks of one of our databases before anything writes to it."""
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise StoreError(f"{path}: the case database is damaged ({check}); it was left as it is")
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"cases", "events"} <= tables:
            raise StoreError(f"{path}: the case database is damaged (tables missing); it was left as it is")

    def _open(self) -> sqlite3.Connection:
        path = self.path
        kind = inspect_header(path)
        if kind == "new":
            self._check_directory(path.parent)
        elif not os.access(path, os.R_OK | os.W_OK):
            # Write-protected (e.g. 0400): left as it is, never chmod-ed to make it writable.
            raise StoreError(f"{path}: the case database is write-protected; it was left as it is (cases list, "
                             "show and export can still read it)")
        try:
            with _private_umask():
                db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                                     check_same_thread=False)
        except sqlite3.Error as err:
            raise _describe(err, path, "opening") from None
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if kind == "blank" and self._has_tables(db):
                raise StoreError(
                    f"{path}: an SQLite database of another program (it has tables but no spine-interview "
                    "mark), not a case database; it was left as it is"
                )
            if kind == "ours":
                # Read-only checks before anything that writes (journal mode, schema).
                self._check_ours(db, path)
            if kind in ("new", "blank"):
                # Before WAL: the application id must reach the main file itself, or another
                # process reading the raw header would take our fresh database for a foreign one.
                self._create_schema(db)
            else:
                migrate_schema(db)
            with _private_umask():
                db.execute("PRAGMA journal_mode = WAL")
            # FULL: an answer the UI showed as saved survives a power cut, not only a crash.
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
        except StoreError:
            db.close()
            raise
        except sqlite3.Error as err:
            db.close()
            raise _describe(err, path, "the new case database" if kind == "new" else "opening") from None
        # Created under a 0077 umask, so a new file is 0600 already; an existing one only loses group
        # and world bits (never gains any: a write-protected 0400 file stays 0400).
        with contextlib.suppress(OSError):
            mode = stat.S_IMODE(os.stat(path).st_mode)
            if mode & 0o077:
                os.chmod(path, mode & 0o700)
        return db

    @staticmethod
    def _check_directory(directory: Path) -> None:
        from interview.files.writing import WriteError, make_private_dirs

        try:
            make_private_dirs(directory)  # 0700 each, not only the last
        except WriteError as err:
            raise StoreError(f"cannot create the case database directory: {err.message}") from None
        if not os.access(directory, os.W_OK | os.X_OK):
            raise StoreError(f"{directory}: the directory is read-only; cannot create the case database there "
                             "(use --db PATH or $SPINE_INTERVIEW_DB)")

    @staticmethod
    def _has_tables(db: sqlite3.Connection) -> bool:
        return db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0

    @staticmethod
    def _create_schema(db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have created it between our check and the lock.
            if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)  # a failed COMMIT (disk full) may have rolled back already: keep its error
            raise

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError(f"{self.path}: the case store is closed")
        return self._db

    def close(self) -> None:
        """Close the database (safe to call twice)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- writing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One committed transaction; any SQLite failure becomes a StoreError saying what was lost."""
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise _describe(err, self.path, doing) from None
        try:
            yield db
            db.execute("COMMIT")
        except sqlite3.Error as err:
            _rollback(db)
            raise _describe(err, self.path, doing) from None
        except BaseException:
            _rollback(db)
            raise

    def create_case(self, flow: LoadedFlow, label: str | None = None, identifiers: dict | None = None) -> str:
        """A new, empty case on a flow; returns its id. The label defaults to a pseudonym ``case-7F3K``.

        Raises:
            StoreError: the label cannot be stored (see :func:`interview.text.check_label`).
        """
        label = records.checked_label(label) if label and label.strip() else ""
        with self._write("the new case") as db:
            return self._insert_case(db, flow, label, identifiers, records.now())

    def _insert_case(self, db: sqlite3.Connection, flow: Any, label: str, identifiers: dict | None,
                     stamp: str) -> str:
        """Insert a new case row in the open transaction; returns its id."""
        identifiers = dict(identifiers or {})
        for _ in range(20):
            case_id = records.new_case_id()
            if db.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
                break
        else:  # pragma: no cover - 30^8 ids
            raise StoreError(f"{self.path}: could not find a free case id")
        db.execute(
            "INSERT INTO cases (id, label, created, updated, status, flow_id, flow_version, flow_sha256,"
            " identifiers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (case_id, label or f"case-{case_id[:4]}", stamp, stamp, records.STATUS_IN_PROGRESS, flow.id,
             flow.version, flow.sha256, json.dumps(identifiers, ensure_ascii=False)),
        )
        return case_id

    def _insert_events(self, db: sqlite3.Connection, case_id: str, events: list[Any], stamp: str) -> None:
        db.executemany(
            "INSERT INTO events (case_id, time, kind, question, old, new, who) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(case_id, stamp, e.kind, e.question, dump_json(e.old), dump_json(e.new), self.user) for e in events],
        )

    def append(self, case_id: str, events: Iterable[Event], *, time: str | None = None,
               expected: int | None = None) -> int:
        """Append events to a case's log in one committed transaction; returns the case's event count.

        With ``expected`` (the count this writer last saw) a case another writer changed meanwhile
        is not written to: :class:`CaseChanged` carries the events it missed. A change after the
        case was finished reopens it: its stored result no longer holds (a clock mark does not).
        """
        stamp = time or records.now()
        events = list(events)
        with self._write("the answer") as db:
            row = db.execute("SELECT status FROM cases WHERE id = ?", (case_id,)).fetchone()
            if row is None:
                raise self._unknown(case_id)
            count = db.execute("SELECT count(*) FROM events WHERE case_id = ?", (case_id,)).fetchone()[0]
            if expected is not None and count != expected:
                missed = self._event_rows(db, case_id, offset=expected)
                raise CaseChanged(records.changed_message(case_id, missed), missed, count)
            self._insert_events(db, case_id, events, stamp)
            if row[0] == records.STATUS_COMPLETE and records.reopens(events):
                db.execute("UPDATE cases SET updated = ?, status = ?, headline = NULL, headline_title = NULL,"
                           " result = NULL WHERE id = ?", (stamp, records.STATUS_IN_PROGRESS, case_id))
            else:
                db.execute("UPDATE cases SET updated = ? WHERE id = ?", (stamp, case_id))
        return count + len(events)

    def event_count(self, case_id: str) -> int:
        """How many events the case's log holds (the sequence a writer expects next)."""
        rows = self._read("SELECT (SELECT count(*) FROM events WHERE case_id = ?) FROM cases WHERE id = ?",
                          (case_id, case_id))
        if not rows:
            raise self._unknown(case_id)
        return rows[0][0]

    def finish(self, case_id: str, result: Result) -> None:
        """Mark a case complete with its result (headline and the contract's JSON)."""
        with self._write("the result") as db:
            if self._set_outcome(db, case_id, result.flow, result, records.now()) == 0:
                raise self._unknown(case_id)

    @staticmethod
    def _set_outcome(db: sqlite3.Connection, case_id: str, flow: Any, result: Result | None, stamp: str) -> int:
        """Set a case's flow and its result (complete) or no result (in progress); returns rows changed."""
        rec = result.recommendation if result is not None else None
        return db.execute(
            "UPDATE cases SET status = ?, headline = ?, headline_title = ?, result = ?, updated = ?,"
            " flow_id = ?, flow_version = ?, flow_sha256 = ? WHERE id = ?",
            (records.STATUS_COMPLETE if result is not None else records.STATUS_IN_PROGRESS,
             rec.headline if rec else None, rec.headline_title if rec else None,
             json.dumps(result.to_json_dict(), ensure_ascii=False) if result is not None else None, stamp,
             flow.id, flow.version, flow.sha256, case_id),
        ).rowcount

    def record_reevaluation(self, case_id: str, reevaluation: Reevaluation) -> bool:
        """Log a case's re-reading under another flow, then give it the new flow and outcome.

        One transaction, the event first: the log says why the status and result changed before
        they do. The stored outcome is in the event (``old``), so nothing is lost. A case that
        another process re-evaluated meanwhile (its flow is no longer the one read) is left alone.

        Returns:
            Whether the case was changed.
        """
        from interview.engine.reevaluate import EVENT_KIND, EVENT_QUESTION

        old = reevaluation.stored
        stamp = records.now()
        with self._write("the re-evaluation") as db:
            row = db.execute("SELECT flow_id, flow_version, flow_sha256 FROM cases WHERE id = ?", (case_id,)).fetchone()
            if row is None:
                raise self._unknown(case_id)
            if tuple(row) != (old.id, old.version, old.sha256):
                return False
            db.execute(
                "INSERT INTO events (case_id, time, kind, question, old, new, who) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (case_id, stamp, EVENT_KIND, EVENT_QUESTION, dump_json(reevaluation.event_old()),
                 dump_json(reevaluation.event_new()), self.user),
            )
            self._set_outcome(db, case_id, reevaluation.current, reevaluation.result, stamp)
        return True

    def set_label(self, case_id: str, label: str) -> None:
        """Rename a case (the label is checked: see :func:`interview.text.check_label`)."""
        label = records.checked_label(label)
        with self._write("the label") as db:
            if db.execute("UPDATE cases SET label = ? WHERE id = ?", (label, case_id)).rowcount == 0:
                raise self._unknown(case_id)

    def delete_case(self, case_id: str) -> None:
        """Delete a case and its log."""
        with self._write("the deletion") as db:
            db.execute("DELETE FROM events WHERE case_id = ?", (case_id,))
            if db.execute("DELETE FROM cases WHERE id = ?", (case_id,)).rowcount == 0:
                raise self._unknown(case_id)

    # --- reading ---------------------------------------------------------------------------------

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as err:
            raise _describe(err, self.path, "reading") from None

    def _unknown(self, case_id: str) -> StoreError:
        return UnknownCase(f"no case {case_id!r} in {self.path} (see `spine-interview cases list`)")

    def case_ids(self) -> list[str]:
        """Every case id, in id order."""
        return [r[0] for r in self._read("SELECT id FROM cases ORDER BY id")]

    def resolve(self, key: str) -> str:
        """A case id from an id (any letter case) or a unique label (:func:`~interview.store.records.resolve_case`).

        Raises:
            StoreError: no such case, or a label several cases share.
        """
        return records.resolve_case(key, self._ids_where, self._unknown)

    def _ids_where(self, column: str, value: str) -> list[str]:
        return [r[0] for r in self._read(f"SELECT id FROM cases WHERE {column} = ? ORDER BY id", (value,))]

    def list_cases(self, *, user: str | None = None, since: str | None = None,
                   pending: bool = False) -> list[CaseSummary]:
        """Cases, most recently changed first: all, or those ``user`` wrote to, changed since ``since``
        (an ISO time, compared as text), or still in progress (``pending``)."""
        where, params = records.list_filters(
            user=user, since=since, pending=pending, mark="?",
            written_by=f"EXISTS (SELECT 1 FROM events e WHERE e.case_id = cases.id AND e.{self._who} = ?)")
        sql = ("SELECT id, label, created, updated, status, headline, headline_title FROM cases"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY updated DESC, id")
        return [CaseSummary(*r) for r in self._read(sql, tuple(params))]

    def _event_rows(self, db: sqlite3.Connection, case_id: str, offset: int = 0) -> list[EventRecord]:
        rows = db.execute(f"SELECT seq, time, kind, question, old, new, {self._who} FROM events WHERE case_id = ?"
                          " ORDER BY seq LIMIT -1 OFFSET ?", (case_id, offset)).fetchall()
        return [EventRecord(seq, t, kind, q, load_json(old), load_json(new), who) for seq, t, kind, q, old, new, who in rows]

    def events(self, case_id: str) -> list[EventRecord]:
        """A case's log, oldest first."""
        try:
            return self._event_rows(self.db, case_id)
        except sqlite3.Error as err:
            raise _describe(err, self.path, "reading") from None

    def get_case(self, case_id: str) -> CaseRecord:
        """Everything about a case.

        Raises:
            StoreError: unknown id, or a record that cannot be read.
        """
        rows = self._read(
            "SELECT id, label, created, updated, status, headline, headline_title, flow_id, flow_version,"
            " flow_sha256, identifiers, result FROM cases WHERE id = ?", (case_id,))
        if not rows:
            raise self._unknown(case_id)
        return records.case_record(rows[0], self.events(case_id), self.location)

    # --- whole cases ----------------------------------------------------------------------------

    def save_result(self, flow: LoadedFlow, result: Result, *, label: str | None = None,
                    identifiers: dict | None = None) -> str:
        """Store a finished result as a new case: its log and its outcome in one transaction."""
        label = records.checked_label(label) if label and label.strip() else ""
        stamp = records.now()
        with self._write("the case") as db:
            case_id = self._insert_case(db, flow, label, identifiers, stamp)
            self._insert_events(db, case_id, result_events(result), stamp)
            self._set_outcome(db, case_id, result.flow, result, stamp)
        return case_id

    def import_case(self, record: CaseRecord) -> str:
        """Copy a case from another store under its own id, with its whole log (times and writers kept).

        Returns ``"copied"`` (new here), ``"extended"`` (the log here was the start of the other's:
        the rest was added), ``"same"`` (nothing to do) or ``"diverged"`` (both logs went their own
        way since they parted: nothing is changed; the case must be reconciled by hand).
        """
        s, src = record.summary, record.events
        with self._write(f"the copy of case {s.id}") as db:
            here = self._event_rows(db, s.id) if db.execute(
                "SELECT 1 FROM cases WHERE id = ?", (s.id,)).fetchone() else None
            start = records.import_plan(here, src)
            if isinstance(start, str):
                return start
            if here is None:
                db.execute(
                    "INSERT INTO cases (id, label, created, updated, status, flow_id, flow_version, flow_sha256,"
                    " identifiers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (s.id, s.label, s.created, s.updated, s.status, record.flow_id, record.flow_version,
                     record.flow_sha256, json.dumps(record.identifiers, ensure_ascii=False)))
            db.executemany(
                "INSERT INTO events (case_id, time, kind, question, old, new, who) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(s.id, e.time, e.kind, e.question, dump_json(e.old), dump_json(e.new), e.who) for e in src[start:]])
            db.execute(
                "UPDATE cases SET label = ?, updated = ?, status = ?, headline = ?, headline_title = ?, result = ?,"
                " flow_id = ?, flow_version = ?, flow_sha256 = ? WHERE id = ?",
                (s.label, s.updated, s.status, s.headline, s.headline_title, dump_json(record.result),
                 record.flow_id, record.flow_version, record.flow_sha256, s.id))
            return "copied" if here is None else "extended"


def file_schema_version(path: str | Path | None) -> int:
    """The schema version of a case file from its header alone (0 for none yet); nothing is opened."""
    path = resolve_db_path(path)
    if inspect_header(path) != "ours":
        return 0
    with path.open("rb") as fh:
        return struct.unpack(">I", fh.read(100)[60:64])[0]


def migrate_schema(db: sqlite3.Connection) -> int:
    """Bring one of our files up to :data:`SCHEMA_VERSION`; returns the version it had.

    A file is one user's on one machine, so the app migrates it when it opens it for writing
    (``spine-interview db migrate`` does the same on request); adding a column keeps every row.
    """
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version >= SCHEMA_VERSION:
        return version
    db.execute("BEGIN IMMEDIATE")
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] < 2:  # another process may have done it
            db.execute("ALTER TABLE events ADD COLUMN who TEXT")
            db.execute("PRAGMA user_version = 2")
        db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise
    return version


def save_session_case(store: CaseStore, flow: LoadedFlow, session: Session, *, label: str | None = None,
                      identifiers: dict | None = None) -> str:
    """Store a finished session as a new case: its answers and skips in path order, then its result."""
    return save_result_case(store, flow, session.result(), label=label, identifiers=identifiers)


def save_result_case(store: Any, flow: LoadedFlow, result: Result, *, label: str | None = None,
                     identifiers: dict | None = None) -> str:
    """Store a finished result (e.g. a replayed answers file) as a new case; returns its id."""
    return store.save_result(flow, result, label=label, identifiers=identifiers)


__all__ = [
    "APPLICATION_ID", "CaseChanged", "CaseRecord", "CaseStore", "CaseSummary", "DB_ENV", "EventRecord", "NoDatabase",
    "StoreError", "UnknownCase", "default_db_path", "file_schema_version", "fold_events", "inspect_header", "migrate_schema",
    "resolve_db_path", "save_result_case", "save_session_case",
]
