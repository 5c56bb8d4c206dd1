"""Autosave for the terminal interview, through the case store when it is available.

The store is imported and opened when first needed (the app asks for it once the first question is
on screen) and every failure becomes one warning: the interview then keeps the case in memory and
asks before discarding it on quit. A case is created only at its first answer, so opening the app
and quitting leaves no empty case behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interview.engine.session import Session
from interview.flow.load import LoadedFlow

if TYPE_CHECKING:
    from interview.result import Result  # only a finished case has one: not imported at startup


class CaseKeeper:
    """Holds the case store (or why there is none) and the id of the case being interviewed."""

    def __init__(self, db: str | None, *, user: str | None = None) -> None:
        self.db = db
        #: who the events are written as (``--user``; default the OS login)
        self.user = user
        self.case_id: str | None = None
        self._opened = False
        self._store: Any = None
        self._warning: str | None = None
        #: A label set before the case's first answer: the case is created with it.
        self.pending_label: str | None = None
        self._case_log: CaseLog | None = None

    def open(self) -> None:
        """Open the case store, once; a store that cannot be opened leaves a :attr:`warning`."""
        if self._opened:
            return
        self._opened = True
        from interview.store import open_store

        try:
            self._store = open_store(self.db, user=self.user)
        except Exception as err:  # noqa: BLE001 - any store failure degrades to in-memory work
            self._warning = f"Case storage unavailable ({_reason(err)}): the case is kept in memory only."

    @property
    def store(self) -> Any:
        """The case store, or ``None`` when there is none (see :attr:`warning`)."""
        self.open()
        return self._store

    @property
    def warning(self) -> str | None:
        """Why cases are kept in memory only, or ``None`` while the store works."""
        self.open()
        return self._warning

    @property
    def saving(self) -> bool:
        """True when every change is written to the store (no need to confirm on quit).

        Changes kept in memory while the server was away are tried once more first: asked on quit,
        this is the last chance to save them without a new answer.
        """
        unsaved = self._case_log is not None and not self._case_log.flush()
        return self.store is not None and self.case_id is not None and not unsaved

    def _log(self, session: Session, case_id: str) -> None:
        self._case_log = CaseLog(self.store, case_id)
        session.listeners.append(self._case_log)

    @property
    def available(self) -> bool:
        return self.store is not None

    def record(self, events: list[Any]) -> None:
        """Write events that are not answers (clock marks, handover answers) to the open case's log.

        The session's count of the log moves on with them, so its next answer is not taken for a
        colleague's change; a colleague's change in between is refused (CaseChanged), never merged.
        """
        log = self._case_log
        count = self.store.append(self.case_id, events, expected=log.seen if log is not None else None)
        if log is not None:
            log.seen = count

    def ensure_case(self, session: Session) -> str | None:
        """Create the case and attach the session's log before its first change is made.

        Returns a warning to show, if any: also what the log has to say since the last answer (a
        server that went away, a colleague's change to the case).
        """
        if self.case_id is not None and self._case_log is not None:
            return self._case_log.take_notes()
        if self.store is None or self.case_id is not None:
            return None
        try:
            self.case_id = self.store.create_case(session.flow, self.pending_label)
            self.pending_label = None
            self._log(session, self.case_id)
        except Exception as err:  # noqa: BLE001
            return self._fail(err)
        return None

    def resume(self, case_id: str, flow: LoadedFlow) -> tuple[Session, list[str]]:
        """Open a saved case; raises the store's error with its message."""
        if self.store is None:
            raise LookupError(self.warning or "case storage is not available")
        from interview.engine.restore import open_session

        session, warnings = open_session(self.store, case_id, flow)
        self.store.detach(session)  # logged through CaseLog instead: kept in memory while the server is away
        self._log(session, case_id)
        self.case_id = case_id
        return session, list(warnings)

    def finish(self, result: Result) -> str | None:
        """Mark the case finished with its result; returns a warning on failure."""
        if not self.saving:  # also writes changes kept in memory first: a result never outruns its log
            return self._case_log.take_notes() if self._case_log is not None else None
        try:
            self.store.finish(self.case_id, result)
        except Exception as err:  # noqa: BLE001
            return self._fail(err)
        return None

    def label(self) -> str | None:
        """The label of the case being interviewed (a label waiting for the first answer), or None."""
        if self.case_id is None or self.store is None:
            return self.pending_label
        try:
            return self.store.get_case(self.case_id).summary.label
        except Exception:  # noqa: BLE001 - a label is not worth an error here
            return None

    def set_label(self, label: str) -> str:
        """Label the case (checked by :func:`interview.text.check_label`); returns what was stored.

        Before the first answer there is no case yet: the label waits and the case is created with it.
        Raises ``LabelError`` for a label that cannot be stored, or the store's error.
        """
        from interview.text import check_label

        label = check_label(label)
        if self.case_id is None or self.store is None:
            self.pending_label = label
        else:
            self.store.set_label(self.case_id, label)
        return label

    def new_case(self, old: Session) -> None:
        """Forget the case being interviewed (it stays saved): the next answer creates a new one."""
        if self.store is not None:
            self.store.detach(old)
        old.listeners[:] = [cb for cb in old.listeners if not isinstance(cb, CaseLog)]  # no longer writes
        self._case_log = None
        self.case_id = None
        self.pending_label = None

    def list_cases(self, flow: LoadedFlow | None = None) -> list[Any]:
        """The saved cases (empty without a store).

        With a flow, a case decided under another flow is listed as it is under this one: its
        status, and a headline that is the re-evaluation's mark (the stored headline only beside
        the current outcome), as `cases list` shows it.
        """
        if self.store is None:
            return []
        cases = list(self.store.list_cases())
        if flow is None:
            return cases
        import dataclasses

        from interview.engine.reevaluate import ReevaluationError, last_logged, logged_note, reevaluate

        listed = []
        for c in cases:
            try:
                record = self.store.get_case(c.id)
                reevaluation = reevaluate(flow, record)
            except ReevaluationError as err:
                c = dataclasses.replace(c, headline=f"cannot re-evaluate: {err.message}", headline_title=None)
            except Exception as err:  # noqa: BLE001 - a damaged case is named in its row, the rest still listed
                c = dataclasses.replace(c, headline=f"damaged: {_reason(err)}", headline_title=None)
            else:
                logged = last_logged(record.events)
                if reevaluation is not None:
                    c = dataclasses.replace(c, status=reevaluation.status, headline=reevaluation.marker(),
                                            headline_title=None)
                elif logged is not None and c.status != "complete":
                    # Opened since its re-evaluation and not finished yet: still say what it was.
                    c = dataclasses.replace(c, headline=logged_note(logged))
            listed.append(c)
        return listed

    def _fail(self, err: Exception) -> str:
        self._store = None
        self.case_id = None
        self._warning = f"Case storage failed ({_reason(err)}): the case is now kept in memory only."
        return self._warning


class CaseLog:
    """A session's changes written to its case's log, each with the event count this session last saw.

    - The server cannot be reached: the change is kept in memory (the session goes on) and written,
      before anything newer, with the next change once the server is back — in order, nothing lost.
    - A colleague changed the case meanwhile: the case is reloaded into the same session, and this
      change is written only if it still means what it meant; otherwise it is refused with why.
    """

    def __init__(self, store: Any, case_id: str) -> None:
        self.store = store
        self.case_id = case_id
        self.seen = store.event_count(case_id)
        self.unsaved: list[Any] = []
        self.notes: list[str] = []

    def flush(self) -> bool:
        """Write the changes kept in memory, if any; True when none is left unsaved."""
        if not self.unsaved:
            return True
        from interview.store.records import StoreError

        try:
            self.seen = self.store.append(self.case_id, self.unsaved, expected=self.seen)
        except StoreError as err:
            self.notes.append(f"{err.message}. {len(self.unsaved)} change(s) still kept in memory only.")
            return False
        self.notes.append(f"The case server is back: {len(self.unsaved)} change(s) kept in memory are saved now.")
        self.unsaved = []
        return True

    def take_notes(self) -> str | None:
        notes, self.notes = self.notes, []
        return notes[-1] if notes else None

    def __call__(self, session: Session, event: Any) -> None:
        from interview.engine.restore import reload_in_place, why_not_applied
        from interview.engine.session import SessionError
        from interview.store.records import CaseChanged, ServerUnavailable

        batch = [*self.unsaved, event]
        try:
            self.seen = self.store.append(self.case_id, batch, expected=None if event.kind == "drop" and
                                          not self.unsaved else self.seen)
            if self.unsaved:
                self.notes.append(f"The case server is back: {len(self.unsaved)} change(s) kept in memory are "
                                  "saved now.")
            self.unsaved = []
            return
        except ServerUnavailable as err:
            self.unsaved.append(event)
            self.notes.append(f"{err.message}. The case is kept in memory ({len(self.unsaved)} unsaved "
                              "change(s)), saved with the next answer once the server is back.")
            return
        except CaseChanged as err:
            lost = [e.question for e in self.unsaved]
            self.unsaved = []
            reload_in_place(self.store, self.case_id, session)
            self.seen = err.count
            what = "your answer" if event.kind in ("answer", "edit", "default") else f"your {event.kind}"
            why = (f"the case changed while the server was away (re-enter {', '.join(lost)})" if lost
                   else why_not_applied(session, event, err))
            if why is None:
                self.seen = self.store.append(self.case_id, [event], expected=self.seen)
                self.notes.append(f"{err.message}: reloaded, {what} to {event.question} was kept")
                return
            raise SessionError(f"{err.message}: reloaded, {what} to {event.question} was not applied "
                               f"because {why}") from None


def _reason(err: Exception) -> str:
    return str(err) or type(err).__name__
