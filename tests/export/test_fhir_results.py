"""FHIR that other systems can use (issue 18): the form computes, the result travels, the Bundle is sound.

Grouped by feature: the Questionnaire's weights, calculated items, enableWhen and value lists; the
score Observations and the recommendation's ClinicalImpression; a provisional case's absent-data
markers; the three Bundle types; every resource validated by ``fhir.resources`` in R4B and R5; the
checks ``fhir.resources`` does not make; the command line.
"""

from __future__ import annotations

import copy
import json

import pytest
from paths import EXAMPLES, example_names
from store.helpers import stored_example

from interview.cli import main
from interview.export.fhir import (
    EXT_CALCULATED,
    EXT_ENABLE_WHEN,
    EXT_WEIGHT,
    FhirExportError,
    bundle,
    check_bundle,
    enable_when,
    questionnaire,
    validate,
)
from interview.export.fhir.fhirpath import FhirPath, NotExpressible, literal
from interview.export.fhir.results import DATA_ABSENT, LOINC
from interview.flow import expr as ex

VERSIONS = ("R4B", "R5")
ALL_EXAMPLES = example_names()


def _by_type(data: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for entry in data["entry"]:
        out.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return out


def _items(q: dict) -> dict[str, dict]:
    out = {}
    stack = list(q["item"])
    while stack:
        item = stack.pop()
        out[item["linkId"]] = item
        stack += item.get("item", [])
    return out


# --- the Questionnaire computes ------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_every_scored_option_carries_its_weight(version, flow):
    """Each option that gives points carries them as ordinalValue (R4B) or itemWeight (R5)."""
    items = _items(questionnaire(flow, version))
    scored = {item.points_from for s in flow.model.scores if s.kind == "points" for item in s.items
              if item.points_from}
    assert scored  # the six SINS questions
    for qid in scored:
        for option, model in zip(items[qid]["answerOption"], flow.by_id[qid].model.options, strict=True):
            weights = [e["valueDecimal"] for e in option.get("extension", []) if e["url"] == EXT_WEIGHT[version]]
            assert weights == [model.points], (qid, model.value)


def test_each_points_score_is_a_calculated_read_only_item(flow):
    """Every points score of the flow has one read-only item whose calculatedExpression is its total."""
    items = _items(questionnaire(flow))
    for s in flow.model.scores:
        if s.kind != "points":
            continue
        item = items[f"{s.id}.total"]
        assert item["readOnly"] is True and item["type"] == "integer"
        assert [e["url"] for e in item["extension"]] == [EXT_CALCULATED]


def test_variables_are_defined_before_they_are_used(flow):
    """The Questionnaire's FHIRPath variables come in dependency order, each defined once."""
    q = questionnaire(flow)
    defined: list[str] = []
    for extension in q["extension"]:
        expression = extension["valueExpression"]
        used = {name for name in _variable_names(expression["expression"])}
        assert used <= set(defined), (expression["name"], used - set(defined))
        assert expression["name"] not in defined
        defined.append(expression["name"])


def _variable_names(text: str) -> set[str]:
    import re

    return set(re.findall(r"%([A-Za-z][A-Za-z0-9]*)", text)) - {"resource"}


def test_conditions_come_from_the_expression_tree(flow):
    """A tree FHIR can say is enableWhen (an `and` of tests is 'all'); another is an enableWhenExpression."""
    items = _items(questionnaire(flow))
    pregnant = items["pregnant"]
    assert pregnant["enableBehavior"] == "all"
    assert [(e["question"], e["operator"]) for e in pregnant["enableWhen"]] == [
        ("sex", "!="), ("age", ">="), ("age", "<=")]
    motor = items["hours_since_motor_loss"]  # `neuro_deficit and frankel in ["A", "B"]`: a list inside an `and`
    assert "enableWhen" not in motor
    assert any(e["url"] == EXT_ENABLE_WHEN for e in motor["extension"])
    for q in flow.questions:  # every condition is said one way or the other, never only as text
        if q.model.when:
            item = items[q.id]
            assert "enableWhen" in item or any(e["url"] == EXT_ENABLE_WHEN for e in item["extension"]), q.id


def test_a_condition_true_off_the_path_is_not_enable_when(flow):
    """`x == v` where x's `otherwise` is v would be false in FHIR and true in the app: an expression then."""
    assert enable_when(flow, ex.parse('other_neural_compression == "none"').tree) is None  # otherwise: none
    assert enable_when(flow, ex.parse('visceral_mets == "present"').tree) is not None


@pytest.mark.parametrize("version", VERSIONS)
def test_kps_step_is_a_value_list(version, renal_record, flow):
    """KPS (10–100 in tens) is offered as its ten values; a response with 75 is refused by check_bundle."""
    kps = _items(questionnaire(flow, version))["kps"]
    assert [o["valueInteger"] for o in kps["answerOption"]] == list(range(10, 101, 10))
    data = copy.deepcopy(bundle(renal_record, flow, version))
    qr = _by_type(data)["QuestionnaireResponse"][0]
    next(i for i in qr["item"] if i["linkId"] == "kps")["answer"] = [{"valueInteger": 75}]
    assert any("75 is not one of the allowed values" in p for p in check_bundle(data))


def test_fhirpath_cannot_say_the_level_functions(flow):
    """The spinal-level text functions have no FHIRPath: one clear NotExpressible, never a wrong translation."""
    tree = ex.parse('level_region("spine_level_region", index_level, "region")').tree
    with pytest.raises(NotExpressible, match="level_region"):
        FhirPath(flow).value(tree)


def test_fhirpath_literals_are_escaped():
    """Quotes and backslashes in a text literal are escaped; null is the empty collection."""
    assert literal("it's \\ here") == "'it\\'s \\\\ here'"
    assert literal(None) == "{}" and literal(True) == "true" and literal(3) == "3"


# --- the result as resources ---------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_each_score_is_an_observation(version, renal_record, flow):
    """One Observation per score: its total, band, items as components, derived from the response."""
    data = bundle(renal_record, flow, version)
    resources = _by_type(data)
    qr_url = next(e["fullUrl"] for e in data["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    observations = {o["code"]["coding"][-1]["code"]: o for o in resources["Observation"]}
    scores = renal_record.result["scores"]
    assert set(observations) == {s.id for s in flow.model.scores if scores.get(s.key or s.id) is not None}
    sins = observations["sins"]
    assert sins["valueInteger"] == scores["sins"]["total"]
    assert sins["interpretation"][0]["coding"][0]["display"] == scores["sins"]["band_label"]
    assert [c["valueInteger"] for c in sins["component"]] == [i["points"] for i in scores["sins"]["items"]]
    assert sins["derivedFrom"] == [{"reference": qr_url, "display": "the answers of the case"}]
    kps, ecog = observations["performance"]["component"]
    assert kps["code"]["coding"][0] == {"system": LOINC, "code": "89243-0", "display": "Karnofsky Performance Status score"}
    assert ecog["code"]["coding"][0]["code"] == "89247-1"
    assert (kps["valueInteger"], ecog["valueInteger"]) == (scores["performance"]["kps"], scores["performance"]["ecog"])


@pytest.mark.parametrize("version", VERSIONS)
def test_recommendation_is_a_clinical_impression(version, store, flow):
    """The ClinicalImpression holds the headline, urgency, rule, references and the decision-support notice."""
    record = store.get_case(stored_example(store, flow, "emergency_breast"))
    rec = record.result["recommendation"]
    impression = _by_type(bundle(record, flow, version))["ClinicalImpression"][0]
    assert impression["status"] == "completed"
    concepts = [f["item"]["concept"] if version == "R5" else f["itemCodeableConcept"] for f in impression["finding"]]
    codes = [c["coding"][0]["code"] for c in concepts]
    assert codes[:2] == [f"headline.{rec['headline']}", f"urgency.{rec['urgency']}"]
    assert [c for c in codes if c.startswith("flag.")] == [f"flag.{f}" for f in rec["flags"]]
    assert impression["finding"][0]["basis"].startswith(f"Rule {rec['rule']}:")
    assert impression["protocol"] and all(p.startswith(("https://", "urn:")) for p in impression["protocol"])
    assert "never orders" in impression["note"][0]["text"]
    assert flow.model.notice.strip()[:60] in impression["note"][0]["text"]


def test_codes_are_declared_once_in_the_bundle(store, flow):
    """Every code of our own system is a concept of the one CodeSystem in the Bundle, with its display."""
    record = store.get_case(stored_example(store, flow, "emergency_breast"))
    data = bundle(record, flow)
    (cs,) = _by_type(data)["CodeSystem"]
    concepts = {c["code"]: c["display"] for c in cs["concept"]}
    found = []  # every coding of our system, anywhere in the Bundle

    def walk(node):
        if isinstance(node, dict):
            if node.get("system") == cs["url"]:
                found.append((node["code"], node.get("display")))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    assert found
    for code, display in found:
        assert concepts.get(code) == display, code


# --- a provisional case --------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_provisional_case_carries_absent_data_markers(version, store, flow):
    """Answers not known yet: absent-data on the open items, a preliminary SINS, an in-progress impression."""
    record = store.get_case(stored_example(store, flow, "pending_mri_items"))
    data = bundle(record, flow, version)
    validate(data, version)
    resources = _by_type(data)
    qr = resources["QuestionnaireResponse"][0]
    assert qr["status"] == "in-progress"
    open_items = {i["linkId"]: i for i in qr["item"] if "answer" not in i}
    assert set(open_items) == {"sins_alignment", "sins_collapse"}
    for item in open_items.values():
        assert item["extension"] == [{"url": DATA_ABSENT, "valueCode": "temp-unknown"}]
    sins = next(o for o in resources["Observation"] if o["code"]["coding"][-1]["code"] == "sins")
    assert sins["status"] == "preliminary" and "valueInteger" not in sins
    assert sins["dataAbsentReason"]["coding"][0]["code"] == "temp-unknown"
    absent = [c["code"]["coding"][0]["code"] for c in sins["component"] if "dataAbsentReason" in c]
    assert absent == ["sins.alignment", "sins.collapse"]
    impression = resources["ClinicalImpression"][0]
    assert impression["status"] == "in-progress"
    pending = next(n["text"] for n in impression["note"] if n["text"].startswith("Provisional"))
    for qid in ("sins_alignment", "sins_collapse"):
        assert flow.by_id[qid].model.prompt in pending


# --- Bundle types --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_document_bundle_starts_with_its_composition(version, renal_record, flow):
    """A document Bundle: a Composition first, whose sections point at the recommendation, scores and answers."""
    data = bundle(renal_record, flow, version, bundle_type="document")
    validate(data, version)
    composition = data["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    titles = [s["title"] for s in composition["section"]]
    assert titles[0].startswith("Recommendation") and titles[1:] == ["Scores", "Answers"]


@pytest.mark.parametrize("version", VERSIONS)
def test_transaction_is_conditional_creates_keyed_on_the_case(version, store, renal_record, flow):
    """Every entry is a POST with ifNoneExist; exporting again gives the same conditions (no duplicates)."""
    data = bundle(renal_record, flow, version, bundle_type="transaction")
    validate(data, version)
    requests = [e["request"] for e in data["entry"]]
    assert all(r["method"] == "POST" and r["url"] == e["resource"]["resourceType"]
               for r, e in zip(requests, data["entry"], strict=True))
    conditions = [r["ifNoneExist"] for r in requests]
    assert all(renal_record.id in c for c in conditions
               if not c.startswith("url="))  # the Questionnaire and CodeSystem by their canonical URL
    again = bundle(store.get_case(renal_record.id), flow, version, bundle_type="transaction")
    assert [e["request"]["ifNoneExist"] for e in again["entry"]] == conditions
    assert [e["fullUrl"] for e in again["entry"]] == [e["fullUrl"] for e in data["entry"]]


def test_unknown_bundle_type_is_refused(renal_record, flow):
    """Only collection, document and transaction are offered; anything else is one clear error."""
    with pytest.raises(FhirExportError, match="allowed: collection, document, transaction"):
        bundle(renal_record, flow, bundle_type="batch")


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bundle_type", ["collection", "document", "transaction"])
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_every_resource_validates(name, version, bundle_type, store, flow):
    """fhir.resources validates every resource of every example's Bundle, each by its own class, with profiles."""
    record = store.get_case(stored_example(store, flow, name))
    data = bundle(record, flow, version, bundle_type=bundle_type)
    validate(data, version)
    assert check_bundle(data) == []
    for entry in data["entry"]:
        assert entry["resource"]["meta"]["profile"], entry["resource"]["resourceType"]


def _dangling_reference(data):
    obs = _by_type(data)["Observation"][0]
    obs["derivedFrom"] = [{"reference": "urn:uuid:00000000-0000-0000-0000-000000000000"}]


def _empty_component(data):
    obs = _by_type(data)["Observation"][0]
    obs["component"][0].pop("valueInteger", None)
    obs["component"][0].pop("valueCodeableConcept", None)


@pytest.mark.parametrize(("breaker", "words"), [
    (_dangling_reference, "is not an entry of the Bundle"),
    (_empty_component, "neither a value nor a dataAbsentReason"),
])
def test_check_bundle_finds_dangling_references_and_empty_components(breaker, words, renal_bundle):
    """A reference to nothing in the Bundle, or a score component with no value, is caught."""
    breaker(renal_bundle)
    assert any(words in p for p in check_bundle(renal_bundle))
    with pytest.raises(FhirExportError, match=words):
        validate(renal_bundle)


# --- the command line ----------------------------------------------------------------------------


def test_cases_export_takes_a_bundle_type(store, flow, capsys):
    """`cases export --format fhir --fhir-type transaction` prints a transaction Bundle."""
    case_id = stored_example(store, flow, "renal_stable")
    code = main(["cases", "export", case_id, "--format", "fhir", "--fhir-type", "transaction"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["type"] == "transaction" and all("request" in e for e in data["entry"])


def test_run_prints_a_fhir_document(capsys):
    """`run --format fhir --fhir-type document --fhir-version R5` replays an answers file into a document."""
    code = main(["run", "--answers", str(EXAMPLES / "renal_stable.answers.yaml"), "--format", "fhir",
                 "--fhir-type", "document", "--fhir-version", "R5", "--now", "2026-11-29T10:00:00Z"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["type"] == "document" and data["entry"][0]["resource"]["resourceType"] == "Composition"
    assert data["timestamp"].startswith("2026-11-29T10:00:00")
