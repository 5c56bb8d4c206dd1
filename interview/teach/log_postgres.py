"""A lecture room's learning log on PostgreSQL: the ``spine_learning`` schema, never the case tables.

One table of quiz sessions, each a scrubbed entry (see :func:`interview.teach.log.scrub`) tagged
with its room. The room's role needs only ``USAGE`` on this schema and ``SELECT, INSERT`` on its
table (README, "A clinic server"); it is given nothing on ``spine_cases``, so a served tab cannot
read or write a patient's case even if it tried. The schema is created by
``spine-interview db migrate --learning-db URL``.
"""

from __future__ import annotations

import json
from typing import Any

from interview.teach.log import LogError

SCHEMA = "spine_learning"
SCHEMA_VERSION = 1
_MIGRATE_LOCK = 0x5350494F  # "SPIO": not the case schema's lock

_CREATE = f"""
CREATE TABLE {SCHEMA}.schema_version (version integer NOT NULL);
CREATE TABLE {SCHEMA}.sessions (
    id      bigserial PRIMARY KEY,
    room    text NOT NULL DEFAULT '',
    at      text,
    case_id text,
    entry   text NOT NULL
);
CREATE INDEX sessions_by_room ON {SCHEMA}.sessions(room, id);
INSERT INTO {SCHEMA}.schema_version (version) VALUES (1);
"""


def _connect(url: str, *, read_only: bool = False) -> Any:
    from interview.store.postgres import connect
    from interview.store.records import StoreError

    try:
        return connect(url, read_only=read_only)
    except StoreError as err:
        raise LogError(f"learning log: {err.message}") from None


def _where(url: str) -> str:
    from interview.store.postgres import safe_location

    return safe_location(url)


def migrate_learning(url: str) -> tuple[int, int]:
    """Create the learning schema if it is not there; returns (version before, version after)."""
    import psycopg

    conn = _connect(url)
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            cur.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.schema_version",))
            if cur.fetchone()[0] is not None:
                cur.execute(f"SELECT max(version) FROM {SCHEMA}.schema_version")
                before = cur.fetchone()[0] or 0
                if before > SCHEMA_VERSION:
                    raise LogError(f"{_where(url)}: the learning log was made by a newer spine-interview (schema "
                                   f"{before}, this one reads up to {SCHEMA_VERSION}); update spine-interview")
                return before, SCHEMA_VERSION
            for statement in _CREATE.split(";"):
                if statement.strip():
                    cur.execute(statement)
        return 0, SCHEMA_VERSION
    except psycopg.errors.InsufficientPrivilege as err:
        raise LogError(f"{_where(url)}: not allowed to create the schema {SCHEMA} ({str(err).splitlines()[0]}); "
                       "run db migrate as its owner") from None
    finally:
        conn.close()


def _run(url: str, doing: str, work: Any, *, read_only: bool = False) -> Any:
    import psycopg

    conn = _connect(url, read_only=read_only)
    try:
        with conn.transaction(), conn.cursor() as cur:
            return work(cur)
    except psycopg.errors.UndefinedTable:
        raise LogError(f"{_where(url)}: no learning log there yet; run `spine-interview db migrate --learning-db "
                       "URL` once") from None
    except psycopg.errors.InsufficientPrivilege as err:
        raise LogError(f"{_where(url)}: not allowed to {doing} ({str(err).splitlines()[0]}); see README, A clinic "
                       "server, for the learning role's GRANTs") from None
    except psycopg.Error as err:
        raise LogError(f"{_where(url)}: cannot {doing} ({str(err).strip().splitlines()[0]})") from None
    finally:
        conn.close()


def append_to_server(url: str, entry: dict[str, Any]) -> None:
    """Add one (already scrubbed) quiz session to the room's log on the server."""
    def work(cur: Any) -> None:
        cur.execute(f"INSERT INTO {SCHEMA}.sessions (room, at, case_id, entry) VALUES (%s, %s, %s, %s)",
                    (entry.get("room") or "", entry.get("at"), entry.get("case_id"),
                     json.dumps(entry, ensure_ascii=False)))

    _run(url, "write the learning log", work)


def read_from_server(url: str, *, room: str | None = None) -> list[dict[str, Any]]:
    """The sessions on the server (of one room), oldest first."""
    def work(cur: Any) -> list[dict[str, Any]]:
        if room is None:
            cur.execute(f"SELECT entry FROM {SCHEMA}.sessions ORDER BY id")
        else:
            cur.execute(f"SELECT entry FROM {SCHEMA}.sessions WHERE room = %s ORDER BY id", (room,))
        return [json.loads(r[0]) for r in cur.fetchall()]

    return _run(url, "read the learning log", work, read_only=True)


__all__ = ["SCHEMA", "append_to_server", "migrate_learning", "read_from_server"]
