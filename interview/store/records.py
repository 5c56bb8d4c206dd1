"""What every case store holds and returns, whatever the backend: cases, events, the errors.

An event is generic — kind, question, old and new values (JSON), who wrote it, when, and its
place in the case's log — so a kind added tomorrow (a clock mark, a re-evaluation, an export)
travels through every backend and through ``cases copy`` without code of its own.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from interview.errors import DB_ENV, OneLineError  # DB_ENV: defined once, below everything; re-exported

#: Event kinds that set an answer; ``default`` is an answer that took the flow's proposed value.
ANSWER_KINDS = ("answer", "edit", "default")
#: Event kinds that change the answers or the path: after a case was finished they reopen it. Any
#: other kind (a clock mark, a note) is recorded beside the answers and leaves the result standing.
PATH_KINDS = (*ANSWER_KINDS, "skip", "back", "drop")
STATUS_IN_PROGRESS = "in_progress"
STATUS_COMPLETE = "complete"


class StoreError(OneLineError):
    """The case store cannot do what was asked; ``message`` is one line saying what and why."""


class UnknownCase(StoreError):
    """No case with that id (or label) in the database."""


class NoDatabase(StoreError):
    """A read-only command was pointed at a path with no case database (nothing is created there)."""


class CaseChanged(StoreError):
    """Someone else wrote to the case since this writer last read it: nothing of this write was saved.

    ``events`` are the other writers' events the writer had not seen, oldest first; ``count`` is the
    case's event count now (the sequence to expect on the next try).
    """

    def __init__(self, message: str, events: list[EventRecord], count: int) -> None:
        super().__init__(message)
        self.events = events
        self.count = count


class ServerUnavailable(StoreError):
    """The case server cannot be reached (down, restarting, network): nothing of this write was saved."""


#: Crockford base32 without 0/1 look-alikes: case ids are read aloud and typed.
ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_case_id() -> str:
    """A random 8-character case id (30^8 of them: a clash is retried by the store, never expected)."""
    import secrets

    return "".join(secrets.choice(ID_ALPHABET) for _ in range(8))


def dump_json(value: Any) -> str | None:
    """A stored value as JSON text (``None`` stays NULL); text as written, not escaped."""
    import json

    return None if value is None else json.dumps(value, ensure_ascii=False)


def load_json(text: str | None) -> Any:
    import json

    return None if text is None else json.loads(text)


def now() -> str:
    """The current time as ISO 8601 UTC with microseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def current_user() -> str:
    """Who is writing: the OS login (``--user NAME`` overrides it where a command takes it)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"


@dataclass(frozen=True)
class CaseSummary:
    """One line of the case list."""

    id: str
    label: str
    created: str
    updated: str
    status: str
    headline: str | None = None
    headline_title: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "label": self.label, "created": self.created, "updated": self.updated,
            "status": self.status, "headline": self.headline, "headline_title": self.headline_title,
        }


@dataclass(frozen=True)
class EventRecord:
    """One stored event of a case's log; ``seq`` orders it within the store it was read from."""

    seq: int
    time: str
    kind: str
    question: str
    old: Any = None
    new: Any = None
    #: who wrote it (the OS login or ``--user``); ``None`` for events stored before it was recorded
    who: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "time": self.time, "kind": self.kind, "question": self.question,
                "old": self.old, "new": self.new, "who": self.who}

    def content(self) -> tuple[Any, ...]:
        """Everything but the store's own numbering: what must be equal after a copy."""
        return (self.time, self.kind, self.question, self.old, self.new, self.who)


@dataclass(frozen=True)
class CaseRecord:
    """Everything stored about a case: its summary, the answers folded from its log, and the log."""

    summary: CaseSummary
    flow_id: str
    flow_version: str
    flow_sha256: str
    answers: dict[str, Any]
    skipped: list[str]
    events: list[EventRecord]
    result: dict[str, Any] | None = None
    identifiers: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def label(self) -> str:
        return self.summary.label

    @property
    def status(self) -> str:
        return self.summary.status



def list_filters(*, user: str | None, since: str | None, pending: bool, mark: str, written_by: str,
                 updated: str = "updated", status: str = "status") -> tuple[list[str], list[Any]]:
    """The WHERE terms and parameters of ``list_cases`` for either backend (``mark``: its placeholder).

    ``written_by`` is the backend's own test that a case has an event by the user (one placeholder).
    """
    where: list[str] = []
    params: list[Any] = []
    if user is not None:
        where.append(written_by)
        params.append(user)
    if since is not None:
        where.append(f"{updated} >= {mark}")
        params.append(since)
    if pending:
        where.append(f"{status} = {mark}")
        params.append(STATUS_IN_PROGRESS)
    return where, params

def reopens(events: Iterable[Any]) -> bool:
    """Whether appending these events to a finished case reopens it (they change its answers or path)."""
    return any(e.kind in PATH_KINDS for e in events)


def fold_events(events: Iterable[Any]) -> tuple[dict[str, Any], list[str]]:
    """Current answers and skipped questions from a log, oldest event first.

    ``answer``/``edit``/``default`` set a value (and unskip), ``skip`` marks skipped,
    ``back``/``drop`` remove; any other kind (a mark, a re-evaluation) leaves the answers alone.
    Works on :class:`EventRecord` and session :class:`Event` alike.
    """
    answers: dict[str, Any] = {}
    skipped: dict[str, None] = {}  # a dict keeps the order questions were skipped in
    for e in events:
        if e.kind in ANSWER_KINDS:
            answers[e.question] = e.new
            skipped.pop(e.question, None)
        elif e.kind == "skip":
            answers.pop(e.question, None)
            skipped[e.question] = None
        elif e.kind in ("back", "drop"):
            answers.pop(e.question, None)
            skipped.pop(e.question, None)
    return answers, list(skipped)


def case_record(row: tuple[Any, ...], events: list[EventRecord], location: str) -> CaseRecord:
    """A case from its stored row — the summary's 7 columns, flow id, version, sha256, identifiers and
    result (both JSON text) — and its log, the answers folded from it. Every backend stores these alike."""
    import json

    answers, skipped = fold_events(events)
    try:
        identifiers = json.loads(row[10] or "{}")
        result = None if row[11] is None else json.loads(row[11])
    except json.JSONDecodeError:
        raise StoreError(f"{location}: case {row[0]} is damaged (unreadable JSON)") from None
    return CaseRecord(CaseSummary(*row[:7]), row[7], row[8], row[9], answers, skipped, events, result, identifiers)


def import_plan(here: list[EventRecord] | None, source: list[EventRecord]) -> str | int:
    """What copying a log onto a store that holds ``here`` (``None``: no such case) means.

    Returns:
        ``"same"`` or ``"diverged"`` (nothing to write), else how many of the source's events are
        there already (0 for a new case): the rest is to be added.
    """
    if here is None:
        return 0
    if [e.content() for e in here] != [e.content() for e in source[:len(here)]]:
        return "diverged"
    return "same" if len(here) == len(source) else len(here)


def changed_message(case_id: str, events: list[EventRecord]) -> str:
    """The one line a writer sees when the case moved on under it."""
    who = sorted({e.who or "someone" for e in events})
    n = len(events)
    return f"the case {case_id} changed ({n} event{'s' if n != 1 else ''} by {', '.join(who)} since you last read it)"


def resolve_case(key: str, ids_where: Callable[[str, str], list[str]],
                 unknown: Callable[[str], StoreError]) -> str:
    """A case id from an id (in any letter case) or a unique label: how every backend reads ``ID`` arguments.

    ``ids_where(column, value)`` is the backend's lookup: the ids, in order, of the cases whose ``id``
    or ``label`` column holds ``value``; ``unknown(key)`` its error for a case it does not hold.

    Raises:
        UnknownCase: no such case, or a label several cases share (they are named: give the id).
    """
    key = key.strip()
    ids = ids_where("id", key.upper())
    if ids:
        return ids[0]
    ids = ids_where("label", key)
    if len(ids) == 1:
        return ids[0]
    if len(ids) > 1:
        raise UnknownCase(f"{len(ids)} cases are labelled {key!r} ({', '.join(ids)}); give the id")
    raise unknown(key)


def checked_label(label: str) -> str:
    from interview.text import LabelError, check_label

    try:
        return check_label(label)
    except LabelError as err:
        raise StoreError(str(err)) from None


__all__ = [
    "ANSWER_KINDS", "CaseChanged", "CaseRecord", "CaseSummary", "DB_ENV", "EventRecord", "NoDatabase",
    "PATH_KINDS", "STATUS_COMPLETE", "STATUS_IN_PROGRESS", "ServerUnavailable", "StoreError", "UnknownCase",
    "ID_ALPHABET", "case_record", "changed_message", "checked_label", "current_user", "dump_json", "fold_events", "import_plan", "load_json",
    "new_case_id", "now",
    "reopens", "resolve_case",
]
