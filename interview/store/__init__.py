"""The case store: an event log per case, in one SQLite file (the default) or on a clinic's PostgreSQL server.

:func:`open_store` picks the backend from ``--db``/``$SPINE_INTERVIEW_DB``: a ``postgresql://`` URL
opens :mod:`interview.store.postgres`, anything else is a file path for :mod:`interview.store.sqlite`.
Both implement :class:`interview.store.protocol.CaseStore`.
"""

from __future__ import annotations

import os
from typing import Any

URL_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(db: str | os.PathLike[str] | None) -> bool:
    """True for a PostgreSQL URL (``postgresql://…``), false for a file path."""
    return isinstance(db, str) and db.strip().lower().startswith(URL_SCHEMES)


def chosen_db(db: str | os.PathLike[str] | None) -> str | os.PathLike[str] | None:
    """An explicit ``--db``, else ``$SPINE_INTERVIEW_DB``, else ``None`` (the default file)."""
    from interview.store.records import DB_ENV

    return db or os.environ.get(DB_ENV) or None


def open_store(db: str | os.PathLike[str] | None = None, *, read_only: bool = False,
               user: str | None = None) -> Any:
    """The case store ``db`` names (see the module docstring); raises StoreError with one line if it cannot."""
    db = chosen_db(db)
    if is_server_url(db):
        from interview.store.postgres import PostgresStore

        return PostgresStore(str(db), read_only=read_only, user=user)
    from interview.store.sqlite import CaseStore

    return CaseStore(db, read_only=read_only, user=user)


__all__ = ["chosen_db", "is_server_url", "open_store"]
