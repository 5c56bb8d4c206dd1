"""A case as a FHIR Bundle that other systems can use.

The Bundle holds the flow as a Questionnaire that computes in any SDC renderer, the case as its
QuestionnaireResponse, one Observation per score, the recommendation as a ClinicalImpression and the
flow's own CodeSystem (:mod:`.results`). R4B (default) and R5 are built from the same plain dicts and
validated by ``fhir.resources`` (imported lazily: it is slow), resource by resource.

The Questionnaire carries the flow's arithmetic, written once — in the flow — and translated
(:mod:`.fhirpath`): each option's points as its weight (``ordinalValue`` in R4B, ``itemWeight`` in R5),
each score total as a read-only item with an SDC ``calculatedExpression``, each condition as
``enableWhen`` where FHIR can say it exactly and as an SDC ``enableWhenExpression`` otherwise, a
step (KPS in tens) as the list of values it allows. ``meta.profile`` on every resource tells a
renderer the FHIR release.

``fhir.resources`` checks structure but not that an answer's ``linkId`` exists, that its value
type matches the question, that a reference in the Bundle resolves or that a score component has
a value, so :func:`check_bundle` does that. Patient identifiers go in only when asked.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from interview.errors import OneLineError
from interview.export.fhir import results
from interview.export.fhir.fhirpath import FhirPath, NotExpressible, total_name
from interview.flow import expr as ex
from interview.flow.model import (
    BoolQuestion,
    ChoiceQuestion,
    IntQuestion,
    NumberQuestion,
    PointsScore,
    TextQuestion,
)
from interview.text import for_xhtml

if TYPE_CHECKING:
    from interview.engine.reevaluate import Reevaluation
    from interview.flow.load import LoadedFlow
    from interview.store.sqlite import CaseRecord

FHIR_VERSIONS = ("R4B", "R5")
BUNDLE_TYPES = ("collection", "document", "transaction")
SYSTEM = "urn:spine-interview"
EXT_CONDITION = f"{SYSTEM}:fhir:asked-when"
EXT_MIN = "http://hl7.org/fhir/StructureDefinition/minValue"
EXT_MAX = "http://hl7.org/fhir/StructureDefinition/maxValue"
EXT_VARIABLE = "http://hl7.org/fhir/StructureDefinition/variable"
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition"
EXT_CALCULATED = f"{SDC}/sdc-questionnaire-calculatedExpression"
EXT_ENABLE_WHEN = f"{SDC}/sdc-questionnaire-enableWhenExpression"
#: The option weight: R4 named it ordinalValue, R5 itemWeight (LHC-Forms reads either).
EXT_WEIGHT = {"R4B": "http://hl7.org/fhir/StructureDefinition/ordinalValue",
              "R5": "http://hl7.org/fhir/StructureDefinition/itemWeight"}
#: The release in the core profiles' canonical URLs, by which a renderer tells R4B from R4.
CORE = {"R4B": "http://hl7.org/fhir/4.3/StructureDefinition", "R5": "http://hl7.org/fhir/5.0/StructureDefinition"}
SDC_VERSION = "3.0.0"
#: The link id of the group of calculated scores (``-`` is never part of a question id).
SCORES_GROUP = "calculated-scores"
#: A stepped whole number becomes a list of its values when there are at most this many.
MAX_LISTED_VALUES = 101
QR_STATUSES = ("in-progress", "completed", "amended", "entered-in-error", "stopped")
_UUID_NS = uuid.UUID("9b0a4c56-7f1e-4e43-9d8a-5a1f3e6c2b10")
#: The value[x] key a response answer must use for each Questionnaire item type.
ANSWER_KEY = {"boolean": "valueBoolean", "integer": "valueInteger", "decimal": "valueDecimal",
              "string": "valueString", "choice": "valueCoding", "coding": "valueCoding"}


class FhirExportError(OneLineError):
    """The FHIR export cannot be built or does not validate; ``message`` says why."""


def _fhir_id(text: str) -> str:
    """A FHIR id ([A-Za-z0-9-.]{1,64}) from one of ours."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", text)[:64]


def _narrative(lines: list[str]) -> dict[str, Any]:
    # for_xhtml: a label or answer may hold characters XHTML cannot (escapes, C1 controls).
    body = "".join(f"<p>{for_xhtml(line)}</p>" for line in lines)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def profile(version: str, resource_type: str) -> str:
    """The core profile of a resource type in one release (``meta.profile`` names the release)."""
    return f"{CORE[version]}/{resource_type}"


def questionnaire_url(flow: LoadedFlow) -> str:
    return f"{SYSTEM}:flow:{flow.id}"


def option_system(flow: LoadedFlow, question_id: str) -> str:
    return f"{SYSTEM}:flow:{flow.id}:{question_id}"


def _item_type(q: Any, version: str) -> str:
    if isinstance(q, ChoiceQuestion):
        return "coding" if version == "R5" else "choice"  # R5 renamed choice to coding
    if isinstance(q, BoolQuestion):
        return "boolean"
    if isinstance(q, IntQuestion):
        return "integer"
    if isinstance(q, NumberQuestion):
        return "decimal"
    assert isinstance(q, TextQuestion)
    return "string"


# --- enableWhen from the condition's tree --------------------------------------------------------


def _atom(flow: LoadedFlow, node: ex.Node) -> list[dict[str, Any]] | None:
    """enableWhen entries for one test of one question's answer, when FHIR says exactly what the app
    does; else None.

    FHIR's enableWhen is false when the question has no answer; the app reads a question off the
    path as its ``otherwise`` value, and ``not x`` / ``x != v`` are true of an unanswered one. So a
    test is exact only on a question that is always asked (answered in a completed response), or
    one whose ``otherwise`` value fails the test as a missing answer does.
    """
    negated = isinstance(node, ex.Not)
    if negated:
        node = node.operand  # type: ignore[attr-defined]
    if isinstance(node, ex.Name):
        node = ex.Binary("==", node, ex.Literal(True))
    if negated:
        if not (isinstance(node, ex.Binary) and node.op == "=="):
            return None
        node = ex.Binary("!=", node.left, node.right)
    if not (isinstance(node, ex.Binary) and isinstance(node.left, ex.Name) and len(node.left.path) == 1):
        return None
    qid = node.left.path[0]
    if qid not in flow.by_id:
        return None
    bq = flow.by_id[qid]
    q = bq.model
    op = {"==": "=", "!=": "!="}.get(node.op, node.op)
    right = node.right
    values = right.items if isinstance(right, ex.ListNode) and node.op == "in" else [right]
    if node.op == "in":
        op = "="
    if op not in ("=", "!=", "<", "<=", ">", ">=") or not all(isinstance(v, ex.Literal) for v in values):
        return None
    literals = [v.value for v in values]  # type: ignore[attr-defined]
    if bq.when is not None:
        from interview.flow.expr import _BINARY

        if op == "!=" or any(_BINARY[node.op if node.op != "in" else "=="](q.otherwise, v) for v in literals):
            return None  # off the path the app would see `otherwise` pass the test
    out = []
    for value in literals:
        if isinstance(q, BoolQuestion) and isinstance(value, bool) and op in ("=", "!="):
            out.append({"question": qid, "operator": op, "answerBoolean": value})
        elif isinstance(q, ChoiceQuestion) and isinstance(value, str) and op in ("=", "!="):
            if value not in {o.value for o in q.options}:
                return None
            out.append({"question": qid, "operator": op,
                        "answerCoding": {"system": option_system(flow, qid), "code": value}})
        elif isinstance(q, IntQuestion) and isinstance(value, int) and not isinstance(value, bool):
            out.append({"question": qid, "operator": op, "answerInteger": value})
        elif isinstance(q, NumberQuestion) and isinstance(value, int | float) and not isinstance(value, bool):
            out.append({"question": qid, "operator": op, "answerDecimal": float(value)})
        else:
            return None
    return out


def enable_when(flow: LoadedFlow, node: ex.Node) -> tuple[list[dict[str, Any]], str | None] | None:
    """``(enableWhen, enableBehavior)`` for a condition FHIR can say exactly, from its parsed tree;
    None when it needs an expression. ``x in [a, b]`` is "any of"; an ``and``/``or`` of tests is
    "all"/"any" (a list inside an ``and`` cannot be said)."""
    if isinstance(node, ex.BoolOp):
        parts = [_atom(flow, o) for o in node.operands]
        if any(p is None for p in parts):
            return None
        if node.op == "and" and any(len(p) > 1 for p in parts):  # type: ignore[arg-type]
            return None
        return [e for p in parts for e in p], ("all" if node.op == "and" else "any")  # type: ignore[union-attr]
    atom = _atom(flow, node)
    if atom is None:
        return None
    return atom, ("any" if len(atom) > 1 else None)


def _fhirpath_expression(text: str, description: str | None = None) -> dict[str, Any]:
    out = {"language": "text/fhirpath", "expression": text}
    if description:
        out["description"] = description
    return out


# --- the Questionnaire ---------------------------------------------------------------------------


def questionnaire(flow: LoadedFlow, version: str = "R4B") -> dict[str, Any]:
    """The flow's questions as a FHIR Questionnaire (a plain dict) that computes the scores itself.

    Each question's condition is kept as text in an extension and given as ``enableWhen`` (or an
    ``enableWhenExpression``), so ``required`` means "required when asked".
    """
    fp = FhirPath(flow)
    weighted = {item.points_from for s in flow.model.scores if isinstance(s, PointsScore)
                for item in s.items if item.points_from}
    items: list[dict[str, Any]] = []
    for bq in flow.questions:
        q = bq.model
        item: dict[str, Any] = {"linkId": q.id, "text": q.prompt, "type": _item_type(q, version),
                                "required": not q.optional}
        extensions: list[dict[str, Any]] = []
        if q.when and bq.when is not None:
            extensions.append({"url": EXT_CONDITION, "valueString": q.when})
            native = enable_when(flow, bq.when.tree)
            if native is not None:
                item["enableWhen"], behaviour = native
                if behaviour:
                    item["enableBehavior"] = behaviour
            else:
                try:
                    extensions.append({"url": EXT_ENABLE_WHEN, "valueExpression": _fhirpath_expression(
                        fp.truth(bq.when.tree), f"asked only when: {q.when}")})
                except NotExpressible:
                    item["text"] += f" (asked only when: {q.when})"
        if isinstance(q, ChoiceQuestion):
            options = []
            for o in q.options:
                option: dict[str, Any] = {"valueCoding": {"system": option_system(flow, q.id), "code": o.value,
                                                          "display": o.label}}
                if q.id in weighted and isinstance(o.points, int):
                    option["extension"] = [{"url": EXT_WEIGHT[version], "valueDecimal": o.points}]
                options.append(option)
            item["answerOption"] = options
        elif isinstance(q, IntQuestion):
            if q.step > 1 and (q.max - q.min) // q.step < MAX_LISTED_VALUES:
                # The step as the values it allows: a renderer then refuses KPS 75 as the app does.
                # (No min/max beside the list: LHC-Forms then reads the chosen value as text and
                # calls it invalid, and stops computing the form.)
                item["answerOption"] = [{"valueInteger": v} for v in range(q.min, q.max + 1, q.step)]
            else:
                extensions += [{"url": EXT_MIN, "valueInteger": q.min}, {"url": EXT_MAX, "valueInteger": q.max}]
        elif isinstance(q, NumberQuestion):
            extensions += [{"url": EXT_MIN, "valueDecimal": q.min}, {"url": EXT_MAX, "valueDecimal": q.max}]
        elif isinstance(q, TextQuestion):
            item["maxLength"] = q.max_length
        if extensions:
            item["extension"] = extensions
        items.append(item)
    calculated = []
    for s in flow.model.scores:
        if not isinstance(s, PointsScore):
            continue
        try:
            total = fp.variable(total_name(s.id))
        except NotExpressible:
            continue  # a score FHIRPath cannot say (none in the shipped flow): the Observation still has it
        calculated.append({
            "linkId": f"{s.id}.total", "text": f"{s.title} total (calculated from the answers)",
            "type": "integer", "readOnly": True, "required": False,
            "extension": [{"url": EXT_CALCULATED, "valueExpression": _fhirpath_expression(
                total, f"{s.title}: the sum of its items' points, as the app computes it")}],
        })
    if calculated:
        items.append({"linkId": SCORES_GROUP, "text": "Scores (calculated by the form; read-only)", "type": "group",
                      "readOnly": True, "required": False, "item": calculated})
    variables = [{"url": EXT_VARIABLE, "valueExpression": {"name": name, **_fhirpath_expression(text)}}
                 for name, text in fp.variables.items()]
    return {
        "resourceType": "Questionnaire",
        "id": _fhir_id(flow.id),
        "meta": {"profile": [profile(version, "Questionnaire"), f"{SDC}/sdc-questionnaire-behave|{SDC_VERSION}"]},
        "text": _narrative([flow.model.title, flow.model.notice.strip()]),
        "extension": variables,
        "url": questionnaire_url(flow),
        "version": flow.version,
        "name": re.sub(r"[^A-Za-z0-9]", "", flow.id.title()),
        "title": flow.model.title,
        "status": "active",
        "description": flow.model.notice.strip(),
        "item": items,
    }


# --- the QuestionnaireResponse -------------------------------------------------------------------


def _answer(flow: LoadedFlow, question_id: str, value: Any) -> dict[str, Any]:
    q = flow.by_id[question_id].model
    if isinstance(q, ChoiceQuestion):
        label = next((o.label for o in q.options if o.value == value), str(value))
        return {"valueCoding": {"system": option_system(flow, q.id), "code": str(value), "display": label}}
    if isinstance(q, BoolQuestion):
        return {"valueBoolean": bool(value)}
    if isinstance(q, IntQuestion):
        return {"valueInteger": int(value)}
    if isinstance(q, NumberQuestion):
        return {"valueDecimal": float(value)}
    return {"valueString": str(value)}


def _case_state(record: CaseRecord, flow: LoadedFlow,
                reevaluation: Reevaluation | None) -> tuple[dict[str, Any], list[str], list[str], bool, dict[str, Any]]:
    """(usable answers, path, pending questions, complete, result dict) of a case under this flow."""
    from interview.engine.reevaluate import usable_answers
    from interview.engine.session import walk
    from interview.engine.values import NOT_KNOWN, open_answers

    result = reevaluation.result if reevaluation is not None else None
    if result is not None:
        # The replay's own path: its skips and proposed values are not in the stored log.
        usable, order = dict(result.answers), list(result.path)
        body = result.to_json_dict()
    else:
        usable, _ = usable_answers(flow, record.answers)
        # A case re-evaluated without an outcome under this flow has none: its stored result was
        # decided under another flow, whose scores and codes are not this one's.
        body = (record.result or {}) if reevaluation is None else {}
        order = list(body.get("path") or walk(flow, usable, record.skipped).path)
    if NOT_KNOWN in usable.values():
        # A provisional result's path holds the answered questions only. The questions asked are
        # those a walk asks with the open answers still to come (what depends on them is not asked
        # yet), and a proposed value the result used (Tomita growth) is an answer like the others.
        known = {k: (None if v == NOT_KNOWN else v) for k, v in usable.items()}
        walked = walk(flow, known, record.skipped)
        order = walked.path
        for qid in body.get("defaults_applied") or []:
            default = flow.by_id[qid].default if qid in flow.by_id else None
            if qid not in usable and default is not None:
                usable[qid] = default(walked.env)
    pending = open_answers(usable, order)
    complete = reevaluation.complete if reevaluation is not None else record.status == "complete"
    return usable, order, pending, complete, body


def questionnaire_response(record: CaseRecord, flow: LoadedFlow, version: str = "R4B", *,
                           include_identifiers: bool = False,
                           reevaluation: Reevaluation | None = None) -> dict[str, Any]:
    """The case's answers as a QuestionnaireResponse (a plain dict), in path order.

    Answers this flow has no question for, or does not take, are left out (the JSON export keeps
    them); skipped questions have no item. An answer "not known yet" is an item without an answer
    that carries the data-absent-reason ``temp-unknown``, and the response stays in progress. A
    case re-evaluated under this flow (``reevaluation``) is completed or in progress as it is under
    this flow, its narrative says what it was and what it is now, and a complete one is answered as
    its replayed result has it.
    """
    usable, order, pending, complete, _ = _case_state(record, flow, reevaluation)
    items: list[dict[str, Any]] = []
    for qid in order:
        if qid in pending:
            items.append({"linkId": qid, "text": flow.by_id[qid].model.prompt,
                          "extension": [{"url": results.DATA_ABSENT, "valueCode": "temp-unknown"}]})
        elif qid in usable and qid in flow.by_id:
            items.append({"linkId": qid, "text": flow.by_id[qid].model.prompt,
                          "answer": [_answer(flow, qid, usable[qid])]})
    state = "complete" if complete and not pending else ("provisional" if pending else "in progress")
    lines = [f"Case {record.label} ({record.id}): {state}."]
    if pending:
        lines.append("Not known yet: " + "; ".join(flow.by_id[q].model.prompt for q in pending) + ".")
    if reevaluation is not None:
        # Never the stored headline alone: the statement puts it beside the current outcome.
        lines.append(reevaluation.statement())
        if reevaluation.result is not None:
            rec = reevaluation.result.recommendation
            lines.append(f"Headline: {rec.headline_title}; urgency: {rec.urgency}.")
    elif record.result:
        rec = record.result.get("recommendation", {})
        lines.append(f"Headline: {rec.get('headline_title', rec.get('headline', ''))}; urgency: {rec.get('urgency', '')}.")
    lines.append(flow.model.notice.strip())
    identifiers: list[dict[str, Any]] = [{"system": f"{SYSTEM}:case", "value": record.id}]
    if include_identifiers:
        identifiers += [{"system": f"{SYSTEM}:identifier:{key}", "value": str(value)}
                        for key, value in record.identifiers.items() if value not in (None, "")]
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": _fhir_id(record.id),
        "meta": {"profile": [profile(version, "QuestionnaireResponse"),
                             f"{SDC}/sdc-questionnaireresponse|{SDC_VERSION}"]},
        "text": _narrative(lines),
        "identifier": identifiers if version == "R5" else identifiers[0],
        "questionnaire": f"{questionnaire_url(flow)}|{flow.version}",
        "status": "completed" if complete and not pending else "in-progress",
        "authored": record.summary.updated,
        "item": items,
    }
    if include_identifiers and version != "R5" and len(identifiers) > 1:
        # R4B allows one identifier: the patient's go in a contained Patient instead.
        response["contained"] = [{"resourceType": "Patient", "id": "patient", "identifier": identifiers[1:]}]
        response["subject"] = {"reference": "#patient"}
    return response


# --- the Bundle ----------------------------------------------------------------------------------


def _full_url(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_UUID_NS, '|'.join(parts))}"


def bundle(record: CaseRecord, flow: LoadedFlow, version: str = "R4B", *, bundle_type: str = "collection",
           include_identifiers: bool = False, reevaluation: Reevaluation | None = None) -> dict[str, Any]:
    """The Bundle of the Questionnaire, the response, the score Observations, the recommendation and
    the flow's CodeSystem, as plain dicts.

    ``bundle_type``: ``collection``; ``document`` (a Composition first, with a section each for the
    recommendation, the scores and the answers); or ``transaction``, which a FHIR server accepts as
    it is: every entry a conditional create keyed on the case id (or the canonical URL and version
    of the Questionnaire and CodeSystem), so exporting a case again creates nothing twice.
    """
    if version not in FHIR_VERSIONS:
        raise FhirExportError(f"unknown FHIR version {version!r} (allowed: {', '.join(FHIR_VERSIONS)})")
    if bundle_type not in BUNDLE_TYPES:
        raise FhirExportError(f"unknown Bundle type {bundle_type!r} (allowed: {', '.join(BUNDLE_TYPES)})")
    q = questionnaire(flow, version)
    qr = questionnaire_response(record, flow, version, include_identifiers=include_identifiers,
                                reevaluation=reevaluation)
    _, _, pending, complete, body = _case_state(record, flow, reevaluation)
    when = record.summary.updated
    q_url, qr_url = _full_url(flow.id, flow.sha256), _full_url("case", record.id)
    cs = results.code_system(flow, profile(version, "CodeSystem"))
    cs_url = _full_url("codes", flow.id, flow.sha256)
    entries: list[tuple[str, dict[str, Any], str | None]] = [
        (q_url, q, f"url={questionnaire_url(flow)}&version={flow.version}"),
        (qr_url, qr, f"identifier={SYSTEM}:case|{record.id}"),
        (cs_url, cs, f"url={results.code_system_url(flow)}&version={flow.version}"),
    ]
    observation_refs = []
    if body.get("scores") or body.get("recommendation"):
        for score_id, obs in results.observations(
                flow, body, case_id=record.id, when=when, response_ref=qr_url,
                profile=profile(version, "Observation"), option_system=option_system, pending=pending):
            url = _full_url("case", record.id, "score", score_id)
            entries.append((url, obs, f"identifier={SYSTEM}:case-score|{record.id}/{score_id}"))
            observation_refs.append({"reference": url, "display": obs["code"]["text"]})
    if body.get("recommendation"):
        impression = results.clinical_impression(
            flow, body, version, case_id=record.id, label=record.label, when=when,
            supporting=[*observation_refs, {"reference": qr_url, "display": "the answers of the case"}],
            profile=profile(version, "ClinicalImpression"), pending=pending, complete=complete)
        ci_url = _full_url("case", record.id, "recommendation")
        entries.append((ci_url, impression, f"identifier={SYSTEM}:case-recommendation|{record.id}"))
    else:
        ci_url = None
    if bundle_type == "document":
        entries.insert(0, (_full_url("case", record.id, "composition"),
                           _composition(flow, record, version, when, ci_url, observation_refs, qr_url), None))
    out_entries = []
    for url, resource, condition in entries:
        entry: dict[str, Any] = {"fullUrl": url, "resource": resource}
        if bundle_type == "transaction":
            entry["request"] = {"method": "POST", "url": resource["resourceType"]}
            if condition:
                entry["request"]["ifNoneExist"] = condition
        out_entries.append(entry)
    data: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": _fhir_id(f"case-{record.id}"),
        "meta": {"profile": [profile(version, "Bundle")],
                 "tag": [{"system": f"{SYSTEM}:notice", "code": "decision-support",
                          "display": flow.model.notice.strip()[:250]}]},
        "identifier": {"system": f"{SYSTEM}:bundle", "value": record.id},
        "type": bundle_type,
        "timestamp": when,
        "entry": out_entries,
    }
    return data


def _composition(flow: LoadedFlow, record: CaseRecord, version: str, when: str, ci_url: str | None,
                 observation_refs: list[dict[str, Any]], qr_url: str) -> dict[str, Any]:
    """The document's Composition: the recommendation, the scores and the answers as sections."""
    notice = flow.model.notice.strip()
    sections = []
    if ci_url:
        sections.append({"title": "Recommendation (decision support, never orders)",
                         "text": _narrative([notice]), "entry": [{"reference": ci_url}]})
    if observation_refs:
        sections.append({"title": "Scores", "text": _narrative([r["display"] for r in observation_refs]),
                         "entry": [{"reference": r["reference"]} for r in observation_refs]})
    sections.append({"title": "Answers", "text": _narrative(["The answers of the case, in the order asked."]),
                     "entry": [{"reference": qr_url}]})
    identifier = {"system": f"{SYSTEM}:case-document", "value": record.id}
    return {
        "resourceType": "Composition",
        "id": _fhir_id(f"{record.id}-document"),
        "meta": {"profile": [profile(version, "Composition")]},
        "text": _narrative([f"{flow.model.title}: case {record.label or record.id}", notice]),
        "identifier": [identifier] if version == "R5" else identifier,
        "status": "final",
        "type": {"coding": [{"system": results.code_system_url(flow), "code": "recommendation",
                             "display": "Treatment recommendation (decision support)"}]},
        "subject": ([{"identifier": {"system": f"{SYSTEM}:case", "value": record.id}}] if version == "R5"
                    else {"identifier": {"system": f"{SYSTEM}:case", "value": record.id}}),
        "date": when,
        "author": [{"display": "spine-interview (decision support)"}],
        "title": f"{flow.model.title}: treatment recommendation",
        "section": sections,
    }


# --- checks --------------------------------------------------------------------------------------


def _walk_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        out.append(item)
        out += _walk_items(item.get("item", []))
    return out


def _references(node: Any) -> list[str]:
    """Every ``reference`` string inside a resource (not inside its contained resources' ids)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                found.append(value)
            else:
                found += _references(value)
    elif isinstance(node, list):
        for value in node:
            found += _references(value)
    return found


def check_bundle(data: dict[str, Any]) -> list[str]:
    """What ``fhir.resources`` does not check: every answer's linkId and value type (and a stepped
    number among its values), the status, that every reference resolves inside the Bundle, and that
    every score component has a value or a reason for its absence.

    Returns:
        Problems, one line each; empty when the bundle is consistent.
    """
    problems: list[str] = []
    entries = data.get("entry", [])
    resources = [e.get("resource", {}) for e in entries]
    questionnaires = [r for r in resources if r.get("resourceType") == "Questionnaire"]
    responses = [r for r in resources if r.get("resourceType") == "QuestionnaireResponse"]
    if len(questionnaires) != 1 or len(responses) != 1:
        return [f"expected one Questionnaire and one QuestionnaireResponse, found {len(questionnaires)} and {len(responses)}"]
    q, qr = questionnaires[0], responses[0]
    items = {i["linkId"]: i for i in _walk_items(q.get("item", []))}
    if qr.get("status") not in QR_STATUSES:
        problems.append(f"QuestionnaireResponse.status {qr.get('status')!r} is not one of {', '.join(QR_STATUSES)}")
    if qr.get("questionnaire", "").split("|")[0] != q.get("url"):
        problems.append(f"QuestionnaireResponse.questionnaire {qr.get('questionnaire')!r} is not {q.get('url')!r}")
    seen: set[str] = set()
    for item in qr.get("item", []):
        link = item.get("linkId")
        if link not in items:
            problems.append(f"answer linkId {link!r} is not a Questionnaire item")
            continue
        if link in seen:
            problems.append(f"linkId {link!r} is answered twice")
        seen.add(link)
        qi = items[link]
        want = ANSWER_KEY.get(qi["type"])
        for answer in item.get("answer", []):
            keys = [k for k in answer if k.startswith("value")]
            if keys != [want]:
                problems.append(f"{link}: answer {keys} does not match item type {qi['type']!r} (needs {want})")
            elif want == "valueCoding":
                codes = {o["valueCoding"]["code"] for o in qi.get("answerOption", []) if "valueCoding" in o}
                if answer[want].get("code") not in codes:
                    problems.append(f"{link}: code {answer[want].get('code')!r} is not an answerOption")
            elif qi.get("answerOption"):
                allowed = [o.get(want) for o in qi["answerOption"]]
                if answer[want] not in allowed:
                    problems.append(f"{link}: {answer[want]!r} is not one of the allowed values {allowed}")
    if qr.get("status") == "completed":
        for link, qi in items.items():
            conditional = any(e.get("url") == EXT_CONDITION for e in qi.get("extension", []))
            if qi.get("required") and not conditional and link not in seen:
                problems.append(f"{link}: required and always asked, but not answered in a completed response")
    full_urls = {e.get("fullUrl") for e in entries}
    for resource in resources:
        contained = {f"#{c.get('id')}" for c in resource.get("contained", [])}
        for ref in _references(resource):
            if ref not in full_urls and ref not in contained:
                problems.append(f"{resource.get('resourceType')}/{resource.get('id')}: reference {ref!r} "
                                "is not an entry of the Bundle")
        if resource.get("resourceType") == "Observation":
            for comp in resource.get("component", []):
                if not any(k.startswith("value") for k in comp) and "dataAbsentReason" not in comp:
                    problems.append(f"Observation/{resource.get('id')}: component "
                                    f"{comp.get('code', {}).get('text')!r} has neither a value nor a dataAbsentReason")
    return problems


def validate(data: dict[str, Any], version: str = "R4B") -> Any:
    """Validate with ``fhir.resources`` (R4B or R5), the Bundle and each resource in it by its own
    class, and :func:`check_bundle`; returns the Bundle model.

    Raises:
        FhirExportError: the first problem found.
    """
    from pydantic import ValidationError

    if version == "R4B":
        from fhir.resources.R4B import get_fhir_model_class
    elif version == "R5":
        from fhir.resources import get_fhir_model_class  # the top-level package is R5 in fhir.resources 8
    else:
        raise FhirExportError(f"unknown FHIR version {version!r} (allowed: {', '.join(FHIR_VERSIONS)})")
    try:
        model = get_fhir_model_class("Bundle").model_validate(data)
        for entry in data.get("entry", []):
            resource = entry.get("resource", {})
            get_fhir_model_class(resource.get("resourceType", "Resource")).model_validate(resource)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FhirExportError(f"FHIR {version} validation failed at {err.title}.{where}: {first['msg']}") from None
    problems = check_bundle(data)
    if problems:
        raise FhirExportError(f"FHIR {version} bundle is inconsistent: {problems[0]}")
    return model


class _Updated:
    """The one field of a case summary the export reads."""

    def __init__(self, updated: str) -> None:
        self.updated = updated


class ReplayedCase:
    """A replayed answers file (``run --format fhir``) as the export reads a stored case.

    Its id is taken from the answers themselves, so exporting the same file again gives the same
    conditional creates in a transaction Bundle (nothing is created twice).
    """

    def __init__(self, result: dict[str, Any], when: str, label: str = "") -> None:
        import hashlib
        import json

        digest = hashlib.sha256(json.dumps(result.get("answers", {}), sort_keys=True, default=str).encode())
        self.id = f"run-{digest.hexdigest()[:32]}"
        self.label = label
        self.answers = dict(result.get("answers", {}))
        self.skipped = list(result.get("skipped") or [])
        self.status = "complete"
        self.result = result
        self.summary = _Updated(when)
        self.identifiers: dict[str, Any] = {}


def export_fhir(record: CaseRecord | ReplayedCase, flow: LoadedFlow, version: str = "R4B", *,
                bundle_type: str = "collection",
                include_identifiers: bool = False, reevaluation: Reevaluation | None = None) -> str:
    """The validated Bundle as JSON text (``reevaluation``: see :func:`questionnaire_response`)."""
    data = bundle(record, flow, version, bundle_type=bundle_type, include_identifiers=include_identifiers,
                  reevaluation=reevaluation)
    model = validate(data, version)
    return model.model_dump_json(indent=2, exclude_none=True) + "\n"
