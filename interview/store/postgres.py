"""Cases on a clinic's PostgreSQL server: the same event log as the SQLite file, shared by several clinicians.

Chosen by a ``postgresql://`` URL in ``--db`` or ``$SPINE_INTERVIEW_DB``. Everything lives in the
schema ``spine_cases`` (the app needs no privilege outside it; README "A clinic server" lists the
GRANTs); its version is the ``schema_version`` table, created and raised only by
``spine-interview db migrate`` — the app refuses a schema older or newer than its own with one line.

Each case carries ``event_count``: an append locks the case's row, checks the count the writer
last saw (optimistic concurrency: a changed case raises :class:`CaseChanged`, never an overwrite),
numbers its events after it and raises it, all in one transaction. Events are keyed
``(case_id, n)``, so a log has no gap and no duplicate, whatever the number of writers.

Connection settings come from the URL and the standard ``PG*`` variables and ``~/.pgpass`` (libpq
reads them); a password written into the URL is refused, so none reaches a command line, a shell
history or a message. ``sslmode`` and any other libpq parameter pass through unchanged.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from interview.store import records
from interview.store.protocol import Attaching, result_events
from interview.store.records import (
    CaseChanged,
    CaseRecord,
    CaseSummary,
    EventRecord,
    NoDatabase,
    ServerUnavailable,
    StoreError,
    UnknownCase,
    dump_json,
    load_json,
)

if TYPE_CHECKING:
    import psycopg

    from interview.engine.reevaluate import Reevaluation
    from interview.engine.session import Event
    from interview.flow.load import LoadedFlow
    from interview.result import Result

SCHEMA = "spine_cases"
#: 1: cases, events (with who and a per-case number), schema_version.
SCHEMA_VERSION = 1
CONNECT_TIMEOUT_S = 5
#: A lock number of our own for migrations ("SPIN" again), so two `db migrate` never interleave.
_MIGRATE_LOCK = 0x5350494E

_MIGRATIONS: dict[int, str] = {
    1: f"""
CREATE TABLE {SCHEMA}.schema_version (version integer NOT NULL);
CREATE TABLE {SCHEMA}.cases (
    id             text PRIMARY KEY,
    label          text NOT NULL,
    created        text NOT NULL,
    updated        text NOT NULL,
    status         text NOT NULL CHECK (status IN ('{records.STATUS_IN_PROGRESS}', '{records.STATUS_COMPLETE}')),
    headline       text,
    headline_title text,
    flow_id        text NOT NULL,
    flow_version   text NOT NULL,
    flow_sha256    text NOT NULL,
    identifiers    text NOT NULL DEFAULT '{{}}',
    result         text,
    event_count    integer NOT NULL DEFAULT 0
);
CREATE TABLE {SCHEMA}.events (
    case_id  text NOT NULL REFERENCES {SCHEMA}.cases(id) ON DELETE CASCADE,
    n        integer NOT NULL,
    time     text NOT NULL,
    kind     text NOT NULL,
    question text NOT NULL,
    old      text,
    new      text,
    who      text,
    PRIMARY KEY (case_id, n)
);
CREATE INDEX events_by_who ON {SCHEMA}.events(who, case_id);
INSERT INTO {SCHEMA}.schema_version (version) VALUES (0);
""",
}

_CASE_COLUMNS = "id, label, created, updated, status, headline, headline_title"

#: :meth:`PostgresStore.append` in one statement: lock the case, check the count the writer expects,
#: insert the events numbered after it, raise the count (and reopen a finished case when the events
#: change its answers). Returns the count before, or NULL when nothing was written.
_APPEND = f"""
WITH locked AS (
    SELECT id, status, event_count FROM {SCHEMA}.cases WHERE id = %(id)s FOR UPDATE
), ok AS (
    UPDATE {SCHEMA}.cases c SET
        updated = %(t)s,
        event_count = l.event_count + %(k)s,
        status = CASE WHEN %(reopens)s THEN '{records.STATUS_IN_PROGRESS}' ELSE c.status END,
        headline = CASE WHEN %(reopens)s THEN NULL ELSE c.headline END,
        headline_title = CASE WHEN %(reopens)s THEN NULL ELSE c.headline_title END,
        result = CASE WHEN %(reopens)s THEN NULL ELSE c.result END
    FROM locked l
    WHERE c.id = l.id AND (%(expected)s::integer IS NULL OR l.event_count = %(expected)s::integer)
    RETURNING l.event_count AS base
), ins AS (
    INSERT INTO {SCHEMA}.events (case_id, n, time, kind, question, old, new, who)
    SELECT %(id)s, ok.base + e.ord, %(t)s, e.kind, e.question, e.old, e.new, %(who)s
    FROM ok, unnest(%(kinds)s::text[], %(questions)s::text[], %(olds)s::text[], %(news)s::text[])
        WITH ORDINALITY AS e(kind, question, old, new, ord)
    RETURNING 1
)
SELECT (SELECT base FROM ok), (SELECT count(*) FROM ins)
"""


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError("a postgresql:// case store needs psycopg: pip install 'spine-interview[postgres]'") from None
    return psycopg


def safe_location(url: str) -> str:
    """The URL as messages show it: user, host, port, database and sslmode — never a password."""
    psycopg = _psycopg()
    try:
        params = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(an unreadable URL)"
    user = f"{params['user']}@" if params.get("user") else ""
    host = params.get("host") or "localhost"
    port = f":{params['port']}" if params.get("port") else ""
    db = f"/{params['dbname']}" if params.get("dbname") else ""
    return f"postgresql://{user}{host}{port}{db}"


def check_url(url: str) -> dict[str, Any]:
    """The URL's libpq parameters; a password in it, or a URL libpq cannot read, is one clear error."""
    psycopg = _psycopg()
    try:
        params = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as err:
        raise StoreError(f"not a PostgreSQL URL libpq can read ({str(err).splitlines()[0]}); expected "
                         "postgresql://USER@HOST:PORT/DATABASE?sslmode=…") from None
    if params.get("password"):
        raise StoreError(f"{safe_location(url)}: the URL holds a password; put it in ~/.pgpass or $PGPASSWORD "
                         "instead (a URL is seen on the command line and in shell history)")
    return params


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def connect(url: str, *, read_only: bool = False) -> psycopg.Connection:
    """A connection to the server the URL names; ServerUnavailable if there is none.

    Autocommit: every transaction is an explicit ``conn.transaction()`` block, so none stays open
    between an interview's answers holding a snapshot or a lock.
    """
    psycopg = _psycopg()
    check_url(url)
    options = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "spine-interview"}
    try:
        conn = psycopg.connect(url, autocommit=True, **options)
        if read_only:
            conn.execute("SET default_transaction_read_only = on")
    except psycopg.OperationalError as err:
        raise ServerUnavailable(f"{safe_location(url)}: cannot reach the case server ({_first_line(err)})") from None
    return conn


def schema_version(conn: psycopg.Connection) -> int | None:
    """The schema's version, or ``None`` when the database has no spine-interview tables."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.schema_version",))
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"SELECT max(version) FROM {SCHEMA}.schema_version")
        return cur.fetchone()[0] or 0


def migrate(url: str) -> tuple[int, int]:
    """Create or raise the schema to :data:`SCHEMA_VERSION` (run by ``spine-interview db migrate``).

    Returns:
        (version before, version after); ``0`` before means the tables were created.

    Raises:
        StoreError: a newer schema than this program's, or no privilege to change it.
    """
    psycopg = _psycopg()
    where = safe_location(url)
    conn = connect(url)
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            before = schema_version(conn) or 0
            if before > SCHEMA_VERSION:
                raise StoreError(_newer(where, before))
            for version in range(before + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[version].split(";"):
                    if statement.strip():
                        cur.execute(statement)
                cur.execute(f"UPDATE {SCHEMA}.schema_version SET version = %s", (version,))
        return before, SCHEMA_VERSION
    except psycopg.errors.InsufficientPrivilege as err:
        raise StoreError(f"{where}: not allowed to create or change the schema {SCHEMA} ({_first_line(err)}); "
                         "run db migrate as the schema's owner (see README, A clinic server)") from None
    except psycopg.OperationalError as err:
        raise ServerUnavailable(f"{where}: the case server went away during the migration ({_first_line(err)}); "
                                "nothing was changed (run it again)") from None
    finally:
        conn.close()


def _newer(where: str, version: int) -> str:
    return (f"{where}: the case tables were made by a newer spine-interview (schema {version}, this one reads up "
            f"to {SCHEMA_VERSION}); update spine-interview to use them")


class PostgresStore(Attaching):
    """The case store on a PostgreSQL server. One instance per process; not shared between threads.

    A connection lost (the server restarted, the network dropped) fails the write in hand with
    :class:`ServerUnavailable` — nothing of it was saved — and the next call connects again.
    """

    def __init__(self, url: str, *, read_only: bool = False, user: str | None = None) -> None:
        check_url(url)
        self.url = url
        self.location = safe_location(url)
        self.user = user or records.current_user()
        self.read_only = read_only
        self._conn: psycopg.Connection | None = None
        self._closed = False
        self._connect()

    # --- connecting ------------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection:
        conn = connect(self.url, read_only=self.read_only)
        try:
            version = schema_version(conn)
        except Exception:
            conn.close()
            raise
        if version is None or version == 0:
            conn.close()
            if self.read_only:
                raise NoDatabase(f"no case tables at {self.location} (run `spine-interview db migrate --db URL` "
                                 "once to create them)")
            raise StoreError(f"{self.location}: no spine-interview case tables yet; run `spine-interview db migrate "
                             "--db URL` once (as the schema's owner) to create them")
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(_newer(self.location, version))
        if version < SCHEMA_VERSION:
            conn.close()
            raise StoreError(f"{self.location}: the case tables are at schema {version}, this spine-interview "
                             f"needs {SCHEMA_VERSION}; run `spine-interview db migrate --db URL`")
        self._conn = conn
        return conn

    @property
    def conn(self) -> psycopg.Connection:
        if self._closed:
            raise StoreError(f"{self.location}: the case store is closed")
        if self._conn is None or self._conn.closed:
            return self._connect()
        return self._conn

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        self._closed = True
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # --- transactions ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _tx(self, doing: str, *, block: bool = True) -> Iterator[Any]:
        """One committed transaction; a server failure becomes one line saying what was not saved.

        ``block=False``: no BEGIN/COMMIT around it — for one statement, which autocommit makes a
        transaction of its own (one round trip instead of three).
        """
        psycopg = _psycopg()
        try:
            conn = self.conn  # connects again after a lost connection
        except ServerUnavailable as err:
            raise ServerUnavailable(f"{err.message}; {doing} was not saved" if doing != "reading" else err.message) \
                from None
        try:
            with conn.transaction() if block else contextlib.nullcontext(), conn.cursor() as cur:
                yield cur
        except psycopg.OperationalError as err:
            self._drop()
            raise ServerUnavailable(f"{self.location}: cannot reach the case server ({_first_line(err)}); "
                                    f"{doing} was not saved") from None
        except psycopg.errors.InsufficientPrivilege as err:
            raise StoreError(f"{self.location}: not allowed ({_first_line(err)}); {doing} was not saved "
                             "(see README, A clinic server, for the GRANTs)") from None
        except psycopg.errors.ReadOnlySqlTransaction:
            raise StoreError(f"{self.location}: the case store was opened read-only; {doing} was not saved") from None
        except psycopg.Error as err:
            if conn.closed or conn.broken:
                self._drop()
                raise ServerUnavailable(f"{self.location}: the connection to the case server broke "
                                        f"({_first_line(err)}); {doing} was not saved") from None
            raise StoreError(f"{self.location}: {doing} failed: {_first_line(err)}") from None

    def _drop(self) -> None:
        """Forget a broken connection: the next call connects again."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._tx("reading") as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    # --- writing ---------------------------------------------------------------------------------

    def create_case(self, flow: LoadedFlow, label: str | None = None, identifiers: dict | None = None) -> str:
        label = records.checked_label(label) if label and label.strip() else ""
        with self._tx("the new case") as cur:
            return self._insert_case(cur, flow, label, identifiers, records.now())

    def _insert_case(self, cur: Any, flow: Any, label: str, identifiers: dict | None, stamp: str) -> str:
        for _ in range(20):
            case_id = records.new_case_id()
            cur.execute(
                f"INSERT INTO {SCHEMA}.cases (id, label, created, updated, status, flow_id, flow_version,"
                " flow_sha256, identifiers) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                (case_id, label or f"case-{case_id[:4]}", stamp, stamp, records.STATUS_IN_PROGRESS, flow.id,
                 flow.version, flow.sha256, json.dumps(dict(identifiers or {}), ensure_ascii=False)))
            if cur.rowcount == 1:
                return case_id
        raise StoreError(f"{self.location}: could not find a free case id")  # pragma: no cover - 30^8 ids

    def _insert_events(self, cur: Any, case_id: str, start: int, events: list[Any], stamp: str | None,
                       who: str | None = None) -> None:
        rows = [(case_id, start + i + 1, stamp or e.time, e.kind, e.question, dump_json(e.old), dump_json(e.new),
                 who if stamp else e.who) for i, e in enumerate(events)]
        sql = (f"INSERT INTO {SCHEMA}.events (case_id, n, time, kind, question, old, new, who)"
               " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)")
        if len(rows) == 1:
            cur.execute(sql, rows[0])
        elif rows:
            cur.executemany(sql, rows)

    def _lock(self, cur: Any, case_id: str) -> tuple[str, int]:
        """Lock the case's row for this transaction: writers of one case go one at a time."""
        cur.execute(f"SELECT status, event_count FROM {SCHEMA}.cases WHERE id = %s FOR UPDATE", (case_id,))
        row = cur.fetchone()
        if row is None:
            raise self._unknown(case_id)
        return row

    def append(self, case_id: str, events: Iterable[Event], *, time: str | None = None,
               expected: int | None = None) -> int:
        """Append events, committed before it returns; returns the case's event count (see the module doc).

        One statement, so one round trip to the server (autocommit makes it its own transaction): it
        locks the case's row, checks ``expected``, numbers the events after the count and raises it.
        When it writes nothing — no such case, or the case moved on — a second look says which.
        """
        stamp = time or records.now()
        events = list(events)
        params = {
            "id": case_id, "t": stamp, "k": len(events), "expected": expected, "who": self.user,
            "reopens": records.reopens(events),  # a clock mark leaves a finished case's result standing
            "kinds": [e.kind for e in events], "questions": [e.question for e in events],
            "olds": [dump_json(e.old) for e in events], "news": [dump_json(e.new) for e in events],
        }
        with self._tx("the answer", block=False) as cur:
            cur.execute(_APPEND, params)
            base = cur.fetchone()[0]
        if base is not None:
            return base + len(events)
        with self._tx("the answer") as cur:
            _, count = self._lock(cur, case_id)  # raises UnknownCase
            missed = self._event_rows(cur, case_id, after=expected or 0)
        raise CaseChanged(records.changed_message(case_id, missed), missed, count)

    def finish(self, case_id: str, result: Result) -> None:
        with self._tx("the result") as cur:
            if self._set_outcome(cur, case_id, result.flow, result, records.now()) == 0:
                raise self._unknown(case_id)

    @staticmethod
    def _set_outcome(cur: Any, case_id: str, flow: Any, result: Result | None, stamp: str) -> int:
        rec = result.recommendation if result is not None else None
        cur.execute(
            f"UPDATE {SCHEMA}.cases SET status = %s, headline = %s, headline_title = %s, result = %s, updated = %s,"
            " flow_id = %s, flow_version = %s, flow_sha256 = %s WHERE id = %s",
            (records.STATUS_COMPLETE if result is not None else records.STATUS_IN_PROGRESS,
             rec.headline if rec else None, rec.headline_title if rec else None,
             json.dumps(result.to_json_dict(), ensure_ascii=False) if result is not None else None, stamp,
             flow.id, flow.version, flow.sha256, case_id))
        return cur.rowcount

    def record_reevaluation(self, case_id: str, reevaluation: Reevaluation) -> bool:
        """Log a case's re-reading under another flow, then give it the new flow and outcome (one transaction)."""
        from interview.engine.reevaluate import EVENT_KIND, EVENT_QUESTION
        from interview.engine.session import Event

        old = reevaluation.stored
        stamp = records.now()
        with self._tx("the re-evaluation") as cur:
            _, count = self._lock(cur, case_id)
            cur.execute(f"SELECT flow_id, flow_version, flow_sha256 FROM {SCHEMA}.cases WHERE id = %s", (case_id,))
            if tuple(cur.fetchone()) != (old.id, old.version, old.sha256):
                return False
            event = Event(EVENT_KIND, EVENT_QUESTION, reevaluation.event_old(), reevaluation.event_new())
            self._insert_events(cur, case_id, count, [event], stamp, self.user)
            cur.execute(f"UPDATE {SCHEMA}.cases SET event_count = %s WHERE id = %s", (count + 1, case_id))
            self._set_outcome(cur, case_id, reevaluation.current, reevaluation.result, stamp)
        return True

    def set_label(self, case_id: str, label: str) -> None:
        label = records.checked_label(label)
        with self._tx("the label") as cur:
            cur.execute(f"UPDATE {SCHEMA}.cases SET label = %s WHERE id = %s", (label, case_id))
            if cur.rowcount == 0:
                raise self._unknown(case_id)

    def delete_case(self, case_id: str) -> None:
        with self._tx("the deletion") as cur:
            cur.execute(f"DELETE FROM {SCHEMA}.events WHERE case_id = %s", (case_id,))
            cur.execute(f"DELETE FROM {SCHEMA}.cases WHERE id = %s", (case_id,))
            if cur.rowcount == 0:
                raise self._unknown(case_id)

    def save_result(self, flow: LoadedFlow, result: Result, *, label: str | None = None,
                    identifiers: dict | None = None) -> str:
        label = records.checked_label(label) if label and label.strip() else ""
        stamp = records.now()
        events = result_events(result)
        with self._tx("the case") as cur:
            case_id = self._insert_case(cur, flow, label, identifiers, stamp)
            self._insert_events(cur, case_id, 0, events, stamp, self.user)
            cur.execute(f"UPDATE {SCHEMA}.cases SET event_count = %s WHERE id = %s", (len(events), case_id))
            self._set_outcome(cur, case_id, result.flow, result, stamp)
        return case_id

    def import_case(self, record: CaseRecord) -> str:
        """Copy a case with its whole log under its own id (see :meth:`CaseStore.import_case` of SQLite)."""
        s, src = record.summary, record.events
        with self._tx(f"the copy of case {s.id}") as cur:
            cur.execute(f"SELECT event_count FROM {SCHEMA}.cases WHERE id = %s FOR UPDATE", (s.id,))
            here = self._event_rows(cur, s.id) if cur.fetchone() is not None else None
            start = records.import_plan(here, src)
            if isinstance(start, str):
                return start
            if here is None:
                cur.execute(
                    f"INSERT INTO {SCHEMA}.cases (id, label, created, updated, status, flow_id, flow_version,"
                    " flow_sha256, identifiers) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (s.id, s.label, s.created, s.updated, s.status, record.flow_id, record.flow_version,
                     record.flow_sha256, json.dumps(record.identifiers, ensure_ascii=False)))
            self._insert_events(cur, s.id, start, src[start:], None)
            cur.execute(
                f"UPDATE {SCHEMA}.cases SET label = %s, updated = %s, status = %s, headline = %s, headline_title = %s,"
                " result = %s, flow_id = %s, flow_version = %s, flow_sha256 = %s, event_count = %s WHERE id = %s",
                (s.label, s.updated, s.status, s.headline, s.headline_title, dump_json(record.result), record.flow_id,
                 record.flow_version, record.flow_sha256, len(src), s.id))
            return "copied" if here is None else "extended"

    # --- reading ---------------------------------------------------------------------------------

    def _unknown(self, case_id: str) -> StoreError:
        return UnknownCase(f"no case {case_id!r} in {self.location} (see `spine-interview cases list`)")

    def event_count(self, case_id: str) -> int:
        rows = self._read(f"SELECT event_count FROM {SCHEMA}.cases WHERE id = %s", (case_id,))
        if not rows:
            raise self._unknown(case_id)
        return rows[0][0]

    def case_ids(self) -> list[str]:
        return [r[0] for r in self._read(f"SELECT id FROM {SCHEMA}.cases ORDER BY id")]

    def resolve(self, key: str) -> str:
        return records.resolve_case(key, self._ids_where, self._unknown)

    def _ids_where(self, column: str, value: str) -> list[str]:
        sql = f"SELECT id FROM {SCHEMA}.cases WHERE {column} = %s ORDER BY id"
        return [r[0] for r in self._read(sql, (value,))]

    def list_cases(self, *, user: str | None = None, since: str | None = None,
                   pending: bool = False) -> list[CaseSummary]:
        where, params = records.list_filters(
            user=user, since=since, pending=pending, mark="%s", updated="c.updated", status="c.status",
            written_by=f"EXISTS (SELECT 1 FROM {SCHEMA}.events e WHERE e.case_id = c.id AND e.who = %s)")
        sql = (f"SELECT {_CASE_COLUMNS} FROM {SCHEMA}.cases c" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY c.updated DESC, c.id")
        return [CaseSummary(*r) for r in self._read(sql, tuple(params))]

    @staticmethod
    def _event_rows(cur: Any, case_id: str, after: int = 0) -> list[EventRecord]:
        cur.execute(f"SELECT n, time, kind, question, old, new, who FROM {SCHEMA}.events WHERE case_id = %s"
                    " AND n > %s ORDER BY n", (case_id, after))
        return [EventRecord(n, t, kind, q, load_json(old), load_json(new), who) for n, t, kind, q, old, new, who in cur]

    def events(self, case_id: str) -> list[EventRecord]:
        with self._tx("reading") as cur:
            return self._event_rows(cur, case_id)

    def get_case(self, case_id: str) -> CaseRecord:
        with self._tx("reading") as cur:
            cur.execute(f"SELECT {_CASE_COLUMNS}, flow_id, flow_version, flow_sha256, identifiers, result"
                        f" FROM {SCHEMA}.cases WHERE id = %s", (case_id,))
            r = cur.fetchone()
            if r is None:
                raise self._unknown(case_id)
            events = self._event_rows(cur, case_id)
        return records.case_record(r, events, self.location)


__all__ = ["SCHEMA", "SCHEMA_VERSION", "PostgresStore", "check_url", "connect", "migrate", "safe_location",
           "schema_version"]
