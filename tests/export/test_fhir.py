"""FHIR exports: the contract examples validate in R4B and R5 and pass our linkId, type and status check."""

from __future__ import annotations

import json

import pytest
from store.helpers import EXAMPLE_NAMES, stored_example

from interview.engine.session import Session
from interview.export.fhir import (
    FhirExportError,
    bundle,
    check_bundle,
    export_fhir,
    questionnaire,
    validate,
)

VERSIONS = ("R4B", "R5")


def _resources(data: dict) -> tuple[dict, dict]:
    """The Questionnaire and the QuestionnaireResponse of a Bundle."""
    by_type = {e["resource"]["resourceType"]: e["resource"] for e in data["entry"]}
    return by_type["Questionnaire"], by_type["QuestionnaireResponse"]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_contract_examples_validate(name, version, store, flow):
    """Each example's Bundle validates with fhir.resources and passes check_bundle, answers complete."""
    record = store.get_case(stored_example(store, flow, name))
    data = bundle(record, flow, version)
    model = validate(data, version)
    assert check_bundle(data) == []
    q, qr = _resources(data)
    assert model.type == "collection"
    assert qr["status"] == "completed"
    assert [i["linkId"] for i in qr["item"]] == [k for k in record.result["path"] if k in record.answers]
    assert json.loads(export_fhir(record, flow, version))["resourceType"] == "Bundle"


@pytest.mark.parametrize(("version", "choice_type"), [("R4B", "choice"), ("R5", "coding")])
def test_questionnaire_item_types(version, choice_type, flow):
    """Item types follow the question kinds (R5 calls choice 'coding'); required means not optional."""
    items = {i["linkId"]: i for i in questionnaire(flow, version)["item"] if i["type"] != "group"}
    assert set(items) == {q.id for q in flow.questions}
    kinds = {"choice": choice_type, "bool": "boolean", "int": "integer", "number": "decimal", "text": "string"}
    for q in flow.questions:
        assert items[q.id]["type"] == kinds[q.model.kind]
        assert items[q.id]["required"] is (not q.model.optional)
        if q.model.when:
            assert any(e["valueString"] == q.model.when for e in items[q.id]["extension"])


def test_simple_conditions_become_enable_when(flow):
    """`x` and `x == "v"` conditions are also given as enableWhen."""
    items = {i["linkId"]: i for i in questionnaire(flow)["item"]}
    assert items["frankel"]["enableWhen"] == [{"question": "neuro_deficit", "operator": "=", "answerBoolean": True}]
    assert items["visceral_mets_removable"]["enableWhen"][0]["answerCoding"]["code"] == "present"


def _break_link(data):
    _resources(data)[1]["item"][0]["linkId"] = "no_such_question"


def _break_type(data):
    _resources(data)[1]["item"][0]["answer"] = [{"valueString": "yes"}]


def _break_status(data):
    _resources(data)[1]["status"] = "finished"


def _break_code(data):
    qr = _resources(data)[1]
    item = next(i for i in qr["item"] if "valueCoding" in i["answer"][0])
    item["answer"][0]["valueCoding"]["code"] = "Z"


def _drop_required(data):
    qr = _resources(data)[1]
    qr["item"] = [i for i in qr["item"] if i["linkId"] != "kps"]


@pytest.mark.parametrize(("breaker", "words"), [
    (_break_link, "not a Questionnaire item"),
    (_break_type, "does not match item type"),
    (_break_status, "status"),
    (_break_code, "not an answerOption"),
    (_drop_required, "kps: required"),
])
def test_check_bundle_finds_what_fhir_resources_does_not(breaker, words, renal_bundle):
    """A wrong linkId, value type, status, code or a missing required answer is caught by check_bundle."""
    breaker(renal_bundle)
    problems = check_bundle(renal_bundle)
    assert any(words in p for p in problems), problems
    with pytest.raises(FhirExportError):
        validate(renal_bundle)


@pytest.mark.parametrize("version", VERSIONS)
def test_identifiers_only_when_asked(version, store, flow):
    """Patient identifiers appear in the export only with include_identifiers."""
    case_id = stored_example(store, flow, "renal_stable", identifiers={"mrn": "MRN-998877"})
    record = store.get_case(case_id)
    assert "MRN-998877" not in export_fhir(record, flow, version)
    assert "MRN-998877" in export_fhir(record, flow, version, include_identifiers=True)


@pytest.mark.parametrize("version", VERSIONS)
def test_unfinished_case_is_in_progress(version, store, flow):
    """An unfinished case exports as an in-progress response with the answers given so far."""
    case_id = store.create_case(flow)
    session = Session(flow)
    store.attach(session, case_id)
    session.answer(True)
    session.answer(True)
    data = bundle(store.get_case(case_id), flow, version)
    validate(data, version)
    qr = _resources(data)[1]
    assert qr["status"] == "in-progress"
    assert [i["linkId"] for i in qr["item"]] == ["neuro_deficit", "deficit_progressing"]


def test_notice_is_in_the_bundle(store, flow):
    """The decision-support notice is carried by the Bundle's meta, both narratives and the recommendation."""
    record = store.get_case(stored_example(store, flow, "unknown_primary"))
    data = bundle(record, flow)
    notice = flow.model.notice.strip()
    assert data["meta"]["tag"][0]["code"] == "decision-support"
    impression = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "ClinicalImpression")
    for resource in (*_resources(data), impression):
        assert notice[:60] in resource["text"]["div"]


def test_unknown_version_is_refused(store, flow):
    """Only R4B and R5 are offered; anything else is one clear error."""
    record = store.get_case(stored_example(store, flow, "unknown_primary"))
    with pytest.raises(FhirExportError, match="allowed: R4B, R5"):
        bundle(record, flow, "STU3")
