"""A stored case read again under the current flow, when the flow it was decided under has changed.

A case keeps the flow id, version and sha256 it was made with. When the flow that opens, shows,
lists or exports it is another one (a new contract version, or any edit of the file), the stored
headline no longer speaks for the current advice: the stored answers are replayed under the
current flow exactly as an answers file would be (CONTRACT §1: optional questions not given are
skipped, proposed defaults taken) and the outcome is either the current recommendation or the
list of answers the current flow needs that the case does not hold.

Pure: no storage, no UI. The caller passes the stored case (anything with the attributes of
:class:`StoredCase`) and presents :meth:`Reevaluation.statement`; the store records
:meth:`Reevaluation.event_old` / :meth:`Reevaluation.event_new` when the case is opened for work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from interview.engine.replay import AnswersError, fill
from interview.engine.session import Session, SessionError, walk
from interview.engine.values import AnswerError, coerce
from interview.errors import OneLineError
from interview.files.reading import shorten
from interview.flow.load import LoadedFlow
from interview.result import FlowInfo, Result

#: The event kind the store logs when a case is re-read under another flow (no answer changes).
EVENT_KIND = "reevaluate"
#: Its ``question``: the event concerns the whole case, not one question.
EVENT_QUESTION = "*"
#: How many missing answers a list's marker names (the statement names them all).
MARKER_MISSING = 4
STATUS_COMPLETE = "complete"
STATUS_IN_PROGRESS = "in_progress"


class ReevaluationError(OneLineError):
    """The stored case cannot be read under the current flow; ``message`` is one line saying why."""


class StoredCase(Protocol):
    """What re-evaluation reads of a stored case (the store's ``CaseRecord`` has all of it)."""

    flow_id: str
    flow_version: str
    flow_sha256: str
    answers: dict[str, Any]
    skipped: list[str]
    result: dict[str, Any] | None

    @property
    def summary(self) -> Any: ...  # status, created, updated, headline, headline_title


@dataclass(frozen=True)
class NotTaken:
    """A stored answer the flow has no question for, or whose value the question does not take."""

    question: str
    value: Any
    reason: str

    def __str__(self) -> str:
        return f"{self.question} ({shorten(self.value)}: {self.reason})"


def usable_answers(flow: LoadedFlow, answers: Mapping[str, Any]) -> tuple[dict[str, Any], list[NotTaken]]:
    """Stored answers as the flow takes them, and those it does not (kept in the record, not used)."""
    usable: dict[str, Any] = {}
    refused: list[NotTaken] = []
    for qid, value in answers.items():
        if qid not in flow.by_id:
            refused.append(NotTaken(qid, value, "this flow has no such question"))
            continue
        try:
            usable[qid] = coerce(flow.by_id[qid].model, value, not_known=True)  # a pending finding stays open
        except AnswerError as err:
            refused.append(NotTaken(qid, value, f"{err.reason} (allowed: {err.allowed})"))
    return usable, refused


def stored_flow(case: StoredCase) -> FlowInfo:
    return FlowInfo(id=case.flow_id, version=case.flow_version, sha256=case.flow_sha256)


def has_changed(case: StoredCase, flow: LoadedFlow) -> bool:
    """Whether the case was decided (or begun) under another flow than this one."""
    return (case.flow_id, case.flow_version, case.flow_sha256) != (flow.id, flow.version, flow.sha256)


def contract_label(version: str) -> str:
    """``contract v1 (flow 1.0.0)``: the flow's major version is the case contract's (issue 11)."""
    major = str(version).split(".", 1)[0]
    return f"contract v{major} (flow {version})" if major.isdigit() else f"flow {version}"


@dataclass
class Reevaluation:
    """The outcome of replaying a stored case under the current flow."""

    stored: FlowInfo
    current: FlowInfo
    stored_status: str
    #: when the stored outcome was reached (the case's last change), ``YYYY-MM-DD``
    stored_on: str
    stored_headline: str | None
    stored_headline_title: str | None
    stored_result: dict[str, Any] | None
    #: the current flow's result, when the stored answers are enough for it
    result: Result | None
    #: required questions on the current path the stored answers do not give, in path order
    missing: list[str] = field(default_factory=list)
    next_question: str | None = None
    not_taken: list[NotTaken] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.result is not None

    @property
    def status(self) -> str:
        """The case's status under the current flow."""
        return STATUS_COMPLETE if self.complete else STATUS_IN_PROGRESS

    def _flows(self) -> tuple[str, str]:
        """How to name the two flows: by version, and by hash too when only the hash differs."""
        old, new = self.stored, self.current
        if old.id != new.id:
            return f"flow {old.id} {old.version}", f"{new.id} {new.version}"
        if old.version == new.version:
            return (f"{contract_label(old.version)}, sha {old.sha256[:12]}",
                    f"{new.version}, sha {new.sha256[:12]}")
        return contract_label(old.version), new.version

    def statement(self, *, refused: bool = True) -> str:
        """One paragraph: what the case was, and what it is under the current flow.

        The stored headline always comes with the current outcome: it never stands alone. With
        ``refused``, the stored answers the current flow does not take are named too (the TUI
        names them one by one instead).
        """
        old, new = self._flows()
        if self.stored_status == STATUS_COMPLETE:
            before = f"Decided under {old} on {self.stored_on}: {self.stored_headline_title or self.stored_headline or '—'}."
        else:
            before = f"Started under {old} on {self.stored_on}, not finished."
        if self.result is not None:
            rec = self.result.recommendation
            same = " (unchanged)" if rec.headline == self.stored_headline else ""
            after = f"Under the current flow ({new}) the recommendation is {rec.headline_title}{same}."
        else:
            after = (f"Under the current flow ({new}) the case is incomplete: it needs {', '.join(self.missing)}; "
                     "it is in progress until they are answered.")
        text = f"{before} {after}"
        if refused and self.not_taken:
            text += " Stored answers the current flow does not take (kept in the record): " + "; ".join(
                str(n) for n in self.not_taken) + "."
        return text

    def marker(self) -> str:
        """A short mark for a case list: what the case is under the current flow, and what it was."""
        was = self.stored_headline_title or self.stored_headline
        was_text = f" (under {self.stored.version}: {was})" if was else f" (begun under {self.stored.version})"
        if self.result is not None:
            return f"re-evaluated: {self.result.recommendation.headline_title}{was_text}"
        shown = self.missing[:MARKER_MISSING]
        more = f", … (+{len(self.missing) - len(shown)})" if len(self.missing) > len(shown) else ""
        return f"needs answers: {', '.join(shown)}{more}{was_text}"

    def event_old(self) -> dict[str, Any]:
        """The stored outcome, for the log (the stored result row is replaced by the new state)."""
        rec = (self.stored_result or {}).get("recommendation") or {}
        return {"flow": _info(self.stored), "status": self.stored_status, "headline": self.stored_headline,
                "headline_title": self.stored_headline_title, "rule": rec.get("rule"), "urgency": rec.get("urgency")}

    def event_new(self) -> dict[str, Any]:
        """The outcome under the current flow, for the log."""
        out: dict[str, Any] = {"flow": _info(self.current), "status": self.status, "statement": self.statement()}
        if self.result is not None:
            rec = self.result.recommendation
            out |= {"headline": rec.headline, "headline_title": rec.headline_title, "rule": rec.rule,
                    "urgency": rec.urgency}
        else:
            out |= {"missing": list(self.missing), "next_question": self.next_question}
        if self.not_taken:
            out["not_taken"] = [{"question": n.question, "value": n.value, "reason": n.reason} for n in self.not_taken]
        return out

    def to_json_dict(self, *, with_result: bool = True) -> dict[str, Any]:
        """The re-evaluation as JSON: the statement, the stored outcome (with its full stored result
        unless ``with_result`` is false, as in a list) and the outcome under the current flow."""
        stored = self.event_old() | {"on": self.stored_on}
        if with_result:
            stored["result"] = self.stored_result
        current = self.event_new()
        return {"statement": current.pop("statement"), "stored": stored, "current": current}


def _info(info: FlowInfo) -> dict[str, str]:
    return {"id": info.id, "version": info.version, "sha256": info.sha256}


def reevaluate(flow: LoadedFlow, case: StoredCase) -> Reevaluation | None:
    """Replay a stored case under ``flow``; ``None`` when it was decided under this very flow.

    Raises:
        ReevaluationError: the flow cannot evaluate these answers (a broken expression, a proposed
            value it does not allow), said in one line.
    """
    if not has_changed(case, flow):
        return None
    summary = case.summary
    usable, refused = usable_answers(flow, case.answers)
    skipped = [q for q in case.skipped if q in flow.by_id and flow.by_id[q].model.optional]
    session = Session(flow)
    try:
        session.load(usable, skipped)
        first_missing = fill(session, usable)
        result = session.result() if first_missing is None else None
        missing = [] if first_missing is None else _missing(flow, session, first_missing)
    except (AnswersError, TypeError, ValueError, SessionError) as err:
        message = err.message if isinstance(err, AnswersError) else str(err)
        raise ReevaluationError(f"the current flow ({flow.id} {flow.version}) cannot evaluate this case: "
                                f"{message}") from None
    finally:
        session.close()
    stamp = str(summary.updated or summary.created or "")
    return Reevaluation(
        stored=stored_flow(case), current=FlowInfo.of(flow), stored_status=summary.status,
        stored_on=stamp[:10] or "an unknown date", stored_headline=summary.headline,
        stored_headline_title=summary.headline_title, stored_result=case.result, result=result,
        missing=missing, next_question=first_missing, not_taken=refused)


def _missing(flow: LoadedFlow, session: Session, first: str) -> list[str]:
    """Required questions the current path already shows as unanswered, in path order.

    The replay stopped at the first of them; later questions still on the path (their conditions
    do not rest on an open answer) are needed as well. Optional questions count as skipped and a
    question with a proposed value is answered by it, as in a replay, so neither is listed. More
    may follow once these are answered: a question whose condition rests on them is not known yet.
    """
    optional = {q.id for q in flow.questions if q.model.optional}
    w = walk(flow, session.answers, set(session.skipped) | (optional - set(session.answers)))
    return [q for q in w.path if q == first
            or (q not in session.answers and q not in optional and flow.by_id[q].default is None)]


def last_logged(events: Iterable[Any]) -> Any:
    """The latest re-evaluation event of a case's log (an object with ``time``, ``old``, ``new``), or ``None``."""
    found = None
    for e in events:
        if e.kind == EVENT_KIND and isinstance(e.old, dict) and isinstance(e.new, dict):
            found = e
    return found


def logged_note(event: Any) -> str:
    """What a logged re-evaluation found, for a case opened since (its stored row now holds the new state)."""
    old, new = event.old, event.new
    versions = f"{(old.get('flow') or {}).get('version', '?')} → {(new.get('flow') or {}).get('version', '?')}"
    was = old.get("headline_title") or old.get("headline")
    was_text = f"; under {(old.get('flow') or {}).get('version', '?')}: {was}" if was else ""
    return f"re-evaluated {str(event.time)[:10]} ({versions}){was_text}"


__all__ = [
    "EVENT_KIND", "EVENT_QUESTION", "NotTaken", "Reevaluation", "ReevaluationError", "StoredCase", "contract_label",
    "has_changed", "last_logged", "logged_note", "reevaluate", "usable_answers",
]
