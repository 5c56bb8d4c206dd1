"""The JSON of a stored case: the contract's result (or what is known so far) plus its id and event log."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interview.engine.reevaluate import Reevaluation
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
    from interview.engine.reevaluate import usable_answers
    from interview.engine.session import walk

    # A value the flow no longer takes stays in `answers` as stored; it cannot be scored.
    usable, _ = usable_answers(flow, record.answers)
    w = walk(flow, usable, record.skipped)
    out["path"] = [q for q in w.path if q in usable or q in record.skipped]
    out["next_question"] = w.current
    out["derived"] = w.env.derived_values()
    out["scores"] = w.env.score_values()
    out["notice"] = flow.model.notice
    return out


def case_json(record: CaseRecord, flow: LoadedFlow | None = None, *, include_identifiers: bool = False,
              include_events: bool = True, reevaluation: Reevaluation | None = None) -> dict[str, Any]:
    """The case as one JSON object.

    A complete case gives the contract's result object (``Result.to_json_dict()``) unchanged, with
    ``id``, ``label``, ``status``, ``created``, ``updated`` and ``events`` added; an unfinished one
    gives :func:`known_so_far` with the same additions. Identifiers only when asked.

    A case re-evaluated under the current flow (``reevaluation``) gives the current flow's result,
    or what it knows so far when the case lacks answers that flow needs, with ``status`` under the
    current flow and a ``reevaluation`` object beside it: the statement and the stored outcome.
    """
    status = record.status
    if reevaluation is not None:
        status = reevaluation.status
        if reevaluation.result is not None:
            body = reevaluation.result.to_json_dict()
        else:
            body = known_so_far(record, flow) | {"flow": asdict(reevaluation.current)}
    else:
        body = dict(record.result) if record.result is not None else known_so_far(record, flow)
    body.setdefault("answers", dict(record.answers))
    if reevaluation is not None:
        body["reevaluation"] = reevaluation.to_json_dict()
    out: dict[str, Any] = {
        "id": record.id,
        "label": record.label,
        "status": status,
        "created": record.summary.created,
        "updated": record.summary.updated,
        **body,
    }
    if include_identifiers:
        out["identifiers"] = dict(record.identifiers)
    if include_events:
        out["events"] = [e.to_json_dict() for e in record.events]
    return out
