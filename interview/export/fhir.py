"""A case as a FHIR Bundle: the flow as a Questionnaire and the case as its QuestionnaireResponse.

R4B (default) and R5 are built from the same plain dicts and validated by ``fhir.resources``
(imported lazily: it is slow). ``fhir.resources`` checks structure but not that an answer's
``linkId`` exists or that its value type matches the question, nor that ``status`` is a valid
code, so :func:`check_bundle` does that. Patient identifiers go in only when asked.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from interview.flow.model import BoolQuestion, ChoiceQuestion, IntQuestion, NumberQuestion, TextQuestion
from interview.text import for_xhtml

if TYPE_CHECKING:
    from interview.engine.reevaluate import Reevaluation
    from interview.flow.load import LoadedFlow
    from interview.store.sqlite import CaseRecord

FHIR_VERSIONS = ("R4B", "R5")
SYSTEM = "urn:spine-interview"
EXT_CONDITION = f"{SYSTEM}:fhir:asked-when"
EXT_MIN = "http://hl7.org/fhir/StructureDefinition/minValue"
EXT_MAX = "http://hl7.org/fhir/StructureDefinition/maxValue"
QR_STATUSES = ("in-progress", "completed", "amended", "entered-in-error", "stopped")
_UUID_NS = uuid.UUID("9b0a4c56-7f1e-4e43-9d8a-5a1f3e6c2b10")
_SIMPLE_BOOL = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*$")
_SIMPLE_EQ = re.compile(r"""^\s*([a-z][a-z0-9_]*)\s*==\s*["']([^"']*)["']\s*$""")
#: The value[x] key a response answer must use for each Questionnaire item type.
ANSWER_KEY = {"boolean": "valueBoolean", "integer": "valueInteger", "decimal": "valueDecimal",
              "string": "valueString", "choice": "valueCoding", "coding": "valueCoding"}


class FhirExportError(Exception):
    """The FHIR export cannot be built or does not validate; ``message`` says why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _fhir_id(text: str) -> str:
    """A FHIR id ([A-Za-z0-9-.]{1,64}) from one of ours."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", text)[:64]


def _narrative(lines: list[str]) -> dict[str, Any]:
    # for_xhtml: a label or answer may hold characters XHTML cannot (escapes, C1 controls).
    body = "".join(f"<p>{for_xhtml(line)}</p>" for line in lines)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


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


def _enable_when(flow: LoadedFlow, condition: str) -> list[dict[str, Any]] | None:
    """enableWhen for the simple conditions FHIR can say exactly (``x`` or ``x == "v"``); else None."""
    m = _SIMPLE_BOOL.match(condition)
    if m and m.group(1) in flow.by_id and isinstance(flow.by_id[m.group(1)].model, BoolQuestion):
        return [{"question": m.group(1), "operator": "=", "answerBoolean": True}]
    m = _SIMPLE_EQ.match(condition)
    if m and m.group(1) in flow.by_id and isinstance(flow.by_id[m.group(1)].model, ChoiceQuestion):
        qid, value = m.groups()
        if value in {o.value for o in flow.by_id[qid].model.options}:
            return [{"question": qid, "operator": "=",
                     "answerCoding": {"system": option_system(flow, qid), "code": value}}]
    return None


def questionnaire(flow: LoadedFlow, version: str = "R4B") -> dict[str, Any]:
    """The flow's questions as a FHIR Questionnaire (a plain dict).

    Each question's condition is kept as text in an extension; where it is a simple yes/no or
    equals test it is also given as ``enableWhen``, so ``required`` means "required when asked".
    """
    items: list[dict[str, Any]] = []
    for bq in flow.questions:
        q = bq.model
        item: dict[str, Any] = {"linkId": q.id, "text": q.prompt, "type": _item_type(q, version),
                                "required": not q.optional}
        extensions: list[dict[str, Any]] = []
        if q.when:
            extensions.append({"url": EXT_CONDITION, "valueString": q.when})
            enable = _enable_when(flow, q.when)
            if enable:
                item["enableWhen"] = enable
            else:
                item["text"] += f" (asked only when: {q.when})"
        if isinstance(q, ChoiceQuestion):
            item["answerOption"] = [{"valueCoding": {"system": option_system(flow, q.id), "code": o.value,
                                                     "display": o.label}} for o in q.options]
        elif isinstance(q, IntQuestion):
            extensions += [{"url": EXT_MIN, "valueInteger": q.min}, {"url": EXT_MAX, "valueInteger": q.max}]
        elif isinstance(q, NumberQuestion):
            extensions += [{"url": EXT_MIN, "valueDecimal": q.min}, {"url": EXT_MAX, "valueDecimal": q.max}]
        elif isinstance(q, TextQuestion):
            item["maxLength"] = q.max_length
        if extensions:
            item["extension"] = extensions
        items.append(item)
    return {
        "resourceType": "Questionnaire",
        "id": _fhir_id(flow.id),
        "text": _narrative([flow.model.title, flow.model.notice.strip()]),
        "url": questionnaire_url(flow),
        "version": flow.version,
        "name": re.sub(r"[^A-Za-z0-9]", "", flow.id.title()),
        "title": flow.model.title,
        "status": "active",
        "description": flow.model.notice.strip(),
        "item": items,
    }


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


def questionnaire_response(record: CaseRecord, flow: LoadedFlow, version: str = "R4B", *,
                           include_identifiers: bool = False,
                           reevaluation: Reevaluation | None = None) -> dict[str, Any]:
    """The case's answers as a QuestionnaireResponse (a plain dict), in path order.

    Answers this flow has no question for, or does not take, are left out (the JSON export keeps
    them); skipped questions have no item. A case re-evaluated under this flow (``reevaluation``)
    is completed or in progress as it is under this flow, its narrative says what it was and what
    it is now, and a complete one is answered as its replayed result has it.
    """
    from interview.engine.reevaluate import usable_answers
    from interview.engine.session import walk

    result = reevaluation.result if reevaluation is not None else None
    if result is not None:
        # The replay's own path: its skips and proposed values are not in the stored log.
        usable, order = dict(result.answers), result.path
    else:
        usable, _ = usable_answers(flow, record.answers)
        order = walk(flow, usable, record.skipped).path
    items = [{"linkId": qid, "text": flow.by_id[qid].model.prompt, "answer": [_answer(flow, qid, usable[qid])]}
             for qid in order if qid in usable]
    complete = reevaluation.complete if reevaluation is not None else record.status == "complete"
    lines = [f"Case {record.label} ({record.id}): {'complete' if complete else 'in progress'}."]
    if reevaluation is not None:
        # Never the stored headline alone: the statement puts it beside the current outcome.
        lines.append(reevaluation.statement())
        if result is not None:
            rec = result.recommendation
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
        "text": _narrative(lines),
        "identifier": identifiers if version == "R5" else identifiers[0],
        "questionnaire": f"{questionnaire_url(flow)}|{flow.version}",
        "status": "completed" if complete else "in-progress",
        "authored": record.summary.updated,
        "item": items,
    }
    if include_identifiers and version != "R5" and len(identifiers) > 1:
        # R4B allows one identifier: the patient's go in a contained Patient instead.
        response["contained"] = [{"resourceType": "Patient", "id": "patient", "identifier": identifiers[1:]}]
        response["subject"] = {"reference": "#patient"}
    return response


def bundle(record: CaseRecord, flow: LoadedFlow, version: str = "R4B", *,
           include_identifiers: bool = False, reevaluation: Reevaluation | None = None) -> dict[str, Any]:
    """The Bundle (type collection) of the Questionnaire and the case's response, as plain dicts."""
    if version not in FHIR_VERSIONS:
        raise FhirExportError(f"unknown FHIR version {version!r} (allowed: {', '.join(FHIR_VERSIONS)})")
    q = questionnaire(flow, version)
    qr = questionnaire_response(record, flow, version, include_identifiers=include_identifiers,
                                reevaluation=reevaluation)
    return {
        "resourceType": "Bundle",
        "id": _fhir_id(f"case-{record.id}"),
        "meta": {"tag": [{"system": f"{SYSTEM}:notice", "code": "decision-support",
                          "display": flow.model.notice.strip()[:250]}]},
        "identifier": {"system": f"{SYSTEM}:bundle", "value": record.id},
        "type": "collection",
        "timestamp": record.summary.updated,
        "entry": [
            {"fullUrl": f"urn:uuid:{uuid.uuid5(_UUID_NS, f'{flow.id}|{flow.sha256}')}", "resource": q},
            {"fullUrl": f"urn:uuid:{uuid.uuid5(_UUID_NS, f'case|{record.id}')}", "resource": qr},
        ],
    }


def check_bundle(data: dict[str, Any]) -> list[str]:
    """What ``fhir.resources`` does not check: every answer's linkId and value type, and the status.

    Returns:
        Problems, one line each; empty when the bundle is consistent.
    """
    problems: list[str] = []
    resources = [e.get("resource", {}) for e in data.get("entry", [])]
    questionnaires = [r for r in resources if r.get("resourceType") == "Questionnaire"]
    responses = [r for r in resources if r.get("resourceType") == "QuestionnaireResponse"]
    if len(questionnaires) != 1 or len(responses) != 1:
        return [f"expected one Questionnaire and one QuestionnaireResponse, found {len(questionnaires)} and {len(responses)}"]
    q, qr = questionnaires[0], responses[0]
    items = {i["linkId"]: i for i in q.get("item", [])}
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
    if qr.get("status") == "completed":
        for link, qi in items.items():
            conditional = any(e.get("url") == EXT_CONDITION for e in qi.get("extension", []))
            if qi.get("required") and not conditional and link not in seen:
                problems.append(f"{link}: required and always asked, but not answered in a completed response")
    return problems


def validate(data: dict[str, Any], version: str = "R4B") -> Any:
    """Validate with ``fhir.resources`` (R4B or R5) and :func:`check_bundle`; returns the Bundle model.

    Raises:
        FhirExportError: the first problem found.
    """
    from pydantic import ValidationError

    if version == "R4B":
        from fhir.resources.R4B.bundle import Bundle
    elif version == "R5":
        from fhir.resources.bundle import Bundle  # the top-level package is R5 in fhir.resources 8
    else:
        raise FhirExportError(f"unknown FHIR version {version!r} (allowed: {', '.join(FHIR_VERSIONS)})")
    try:
        model = Bundle.model_validate(data)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FhirExportError(f"FHIR {version} validation failed at {where}: {first['msg']}") from None
    problems = check_bundle(data)
    if problems:
        raise FhirExportError(f"FHIR {version} bundle is inconsistent: {problems[0]}")
    return model


def export_fhir(record: CaseRecord, flow: LoadedFlow, version: str = "R4B", *,
                include_identifiers: bool = False, reevaluation: Reevaluation | None = None) -> str:
    """The validated Bundle as JSON text (``reevaluation``: see :func:`questionnaire_response`)."""
    data = bundle(record, flow, version, include_identifiers=include_identifiers, reevaluation=reevaluation)
    model = validate(data, version)
    return model.model_dump_json(indent=2, exclude_none=True) + "\n"
