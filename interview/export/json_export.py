"""The JSON of a stored case: the contract's result (or what is known so far) plus its id and event log."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interview.flow.load import LoadedFlow
    from interview.store.sqlite import CaseRecord


def known_so_far(record: CaseRecord, flow: LoadedFlow | None) -> dict[str, Any]:
    """What an unfinished case knows: its answers, path, next question and the partial scores.

    Without a flow (or with another flow than the case's) only the stored answers are given.
    """
    out: dict[str, Any] = {
        "flow": {"id": record.flow_id, "version": record.flow_version, "sha256": record.flow_sha256},
        "answers": dict(record.answers),
        "skipped": list(record.skipped),
    }
    if flow is None or flow.id != record.flow_id:
        return out
    from interview.engine.session import walk
    from interview.engine.values import AnswerError, coerce

    usable: dict[str, Any] = {}
    for qid, value in record.answers.items():
        if qid in flow.by_id:
            # A value the flow no longer takes stays in `answers` as stored; it cannot be scored.
            with contextlib.suppress(AnswerError):
                usable[qid] = coerce(flow.by_id[qid].model, value)
    w = walk(flow, usable, record.skipped)
    out["path"] = [q for q in w.path if q in usable or q in record.skipped]
    out["next_question"] = w.current
    out["derived"] = w.env.derived_values()
    out["scores"] = w.env.score_values()
    out["notice"] = flow.model.notice
    return out


def case_json(record: CaseRecord, flow: LoadedFlow | None = None, *, include_identifiers: bool = False,
              include_events: bool = True) -> dict[str, Any]:
    """The case as one JSON object.

    A complete case gives the contract's result object (``Result.to_json_dict()``) unchanged, with
    ``id``, ``label``, ``status``, ``created``, ``updated`` and ``events`` added; an unfinished one
    gives :func:`known_so_far` with the same additions. Identifiers only when asked.
    """
    body = dict(record.result) if record.result is not None else known_so_far(record, flow)
    body.setdefault("answers", dict(record.answers))
    out: dict[str, Any] = {
        "id": record.id,
        "label": record.label,
        "status": record.status,
        "created": record.summary.created,
        "updated": record.summary.updated,
        **body,
    }
    if include_identifiers:
        out["identifiers"] = dict(record.identifiers)
    if include_events:
        out["events"] = [e.to_json_dict() for e in record.events]
    return out
