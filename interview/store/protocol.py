"""The case store as the engine, the TUI and the CLI see it: an event log per case, whatever holds it.

Two backends implement it — :mod:`interview.store.sqlite` (one file, one machine; the default) and
:mod:`interview.store.postgres` (a clinic's shared server) — and :func:`interview.store.open_store`
picks one by the ``--db``/``$SPINE_INTERVIEW_DB`` value. ``tests/store/test_contract.py`` runs the
same suite against both. Session restore (folding a log into a live interview) is the engine's:
:mod:`interview.engine.restore`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from interview.store.records import CaseRecord, CaseSummary, EventRecord

if TYPE_CHECKING:
    from interview.engine.reevaluate import Reevaluation
    from interview.engine.session import Event, Session
    from interview.flow.load import LoadedFlow
    from interview.result import Result


@runtime_checkable
class CaseStore(Protocol):
    """The event-log operations every backend provides. Every write is committed before it returns."""

    #: where the cases are, for messages: a file path, or a URL without its password
    location: str
    #: who this store writes events as (the OS login, or ``--user``)
    user: str
    read_only: bool

    def close(self) -> None: ...

    # --- writing: each one transaction, committed before it returns ---
    def create_case(self, flow: LoadedFlow, label: str | None = None, identifiers: dict | None = None) -> str: ...

    def append(self, case_id: str, events: Iterable[Event], *, time: str | None = None,
               expected: int | None = None) -> int:
        """Add events; with ``expected`` (the count the writer last saw) raise CaseChanged if it moved.

        Returns the case's event count after the write.
        """
        ...

    def attach(self, session: Session, case_id: str) -> None: ...
    def detach(self, session: Session) -> None: ...
    def finish(self, case_id: str, result: Result) -> None: ...
    def record_reevaluation(self, case_id: str, reevaluation: Reevaluation) -> bool: ...
    def set_label(self, case_id: str, label: str) -> None: ...
    def delete_case(self, case_id: str) -> None: ...
    def save_result(self, flow: LoadedFlow, result: Result, *, label: str | None = None,
                    identifiers: dict | None = None) -> str: ...
    def import_case(self, record: CaseRecord) -> str:
        """Copy a case with its whole log from another store (see :mod:`interview.store.copy`)."""
        ...

    # --- reading ---
    def event_count(self, case_id: str) -> int: ...
    def resolve(self, key: str) -> str: ...
    def list_cases(self, *, user: str | None = None, since: str | None = None,
                   pending: bool = False) -> list[CaseSummary]: ...
    def events(self, case_id: str) -> list[EventRecord]: ...
    def get_case(self, case_id: str) -> CaseRecord: ...
    def case_ids(self) -> list[str]: ...


def result_events(result: Any) -> list[Any]:
    """A finished result as the log a session would have written: answers and skips in path order."""
    from interview.engine.session import Event

    skipped, defaults = set(result.skipped), set(result.defaults_applied)
    return [Event("skip", q) if q in skipped
            else Event("default" if q in defaults else "answer", q, None, result.answers[q])
            for q in result.path]


class Attaching:
    """Logging a session's changes to a case: shared by the backends (it uses only the protocol).

    Each change is written with the event count this session last saw, so a second clinician's
    write in between is caught (:class:`~interview.store.records.CaseChanged`) instead of merged
    blindly; the event that could not be written is on the error as ``pending``.
    """

    def attach(self: Any, session: Session, case_id: str) -> None:
        seen = [self.event_count(case_id)]  # raises UnknownCase

        def record(_session: Session, event: Event) -> None:
            from interview.store.records import CaseChanged

            try:
                seen[0] = self.append(case_id, [event], expected=seen[0])
            except CaseChanged as err:
                err.pending = event  # type: ignore[attr-defined]
                raise

        record.case_store = self  # type: ignore[attr-defined]  # lets detach() find it
        record.case_id = case_id  # type: ignore[attr-defined]
        session.listeners.append(record)

    def detach(self: Any, session: Session) -> None:
        session.listeners[:] = [cb for cb in session.listeners if getattr(cb, "case_store", None) is not self]

    def __enter__(self: Any) -> Any:
        return self

    def __exit__(self: Any, *exc: object) -> None:
        self.close()


__all__ = ["Attaching", "CaseStore", "result_events"]
