"""The case's outcome as FHIR resources: one Observation per score and the recommendation as a
ClinicalImpression, coded from one CodeSystem of the flow's own (LOINC where LOINC has the concept).

A receiving system should not have to re-implement SINS or Tokuhashi to read them: each points score
is an Observation with its total, its band as ``interpretation`` and each item as a component;
every Observation is ``derivedFrom`` the QuestionnaireResponse. Nothing can be looked up at run
time (the app makes no network calls), so every code carries its display.

A provisional result (answers "not known yet", CONTRACT §7) keeps what is open open: an open item
or total has the data-absent-reason ``temp-unknown``, its Observation is ``preliminary``, and the
ClinicalImpression stays ``in-progress`` (it has no "provisional" status) with a note of what is
pending and the headlines still possible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interview.flow import expr as ex
from interview.flow.model import ChoiceQuestion, PointsScore, SummaryScore, ValueScore

if TYPE_CHECKING:
    from interview.flow.load import LoadedFlow

SYSTEM = "urn:spine-interview"
LOINC = "http://loinc.org"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
DATA_ABSENT_CODES = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
#: Concepts LOINC has, written with their display (verified: LOINC 89243-0 and 89247-1).
LOINC_CODES = {
    "performance.kps": ("89243-0", "Karnofsky Performance Status score"),
    "performance.ecog": ("89247-1", "ECOG Performance Status score"),
}


def code_system_url(flow: LoadedFlow) -> str:
    return f"{SYSTEM}:codes:{flow.id}"


def concepts(flow: LoadedFlow) -> list[tuple[str, str]]:
    """Every code of the flow's own CodeSystem, with its display, in the flow's order."""
    out: list[tuple[str, str]] = [("recommendation", "Treatment recommendation (decision support)"),
                                  ("pending", "Answers not known yet")]
    for s in flow.model.scores:
        out.append((s.id, s.title))
        if isinstance(s, PointsScore):
            out += [(f"{s.id}.{item.id}", item.label) for item in s.items]
            out += [(band_code(s.id, b), b.label) for b in s.bands]
        elif isinstance(s, SummaryScore):
            out += [(f"{s.id}.{key}", f"{s.title}: {key}") for key in s.fields]
    out += [(f"headline.{key}", h.title) for key, h in flow.model.headlines.items()]
    out += [(f"rule.{r.id}", f"Rule {r.id}") for r in flow.model.rules]
    out += [(f"urgency.{u}", f"Urgency: {u}") for u in dict.fromkeys(level.level for level in flow.model.urgency)]
    out += [(f"flag.{f.id}", f.text) for f in flow.model.flags]
    return out


def band_code(score_id: str, band: Any) -> str:
    return f"{score_id}.band.{band.min}-{band.max}"


def code_system(flow: LoadedFlow, profile: str) -> dict[str, Any]:
    """The flow's CodeSystem: declared once in the Bundle, read by every resource's codes."""
    return {
        "resourceType": "CodeSystem",
        "id": f"{flow.id}-codes".replace("_", "-")[:64],
        "meta": {"profile": [profile]},
        "text": _narrative([f"{flow.model.title}: the codes of its scores and its recommendation."]),
        "url": code_system_url(flow),
        "version": flow.version,
        "name": "SpineInterviewCodes",
        "title": f"{flow.model.title}: codes of the scores and the recommendation",
        "status": "active",
        "experimental": False,
        "caseSensitive": True,
        "content": "complete",
        "concept": [{"code": code, "display": display} for code, display in concepts(flow)],
    }


class Coder:
    """Codings of the flow's CodeSystem (and LOINC), each with its display."""

    def __init__(self, flow: LoadedFlow) -> None:
        self.flow = flow
        self.display = dict(concepts(flow))

    def concept(self, code: str, text: str | None = None) -> dict[str, Any]:
        if code not in self.display:
            raise KeyError(f"no code {code!r} in the flow's CodeSystem")
        coding = [{"system": code_system_url(self.flow), "code": code, "display": self.display[code]}]
        if code in LOINC_CODES:
            loinc, display = LOINC_CODES[code]
            coding.insert(0, {"system": LOINC, "code": loinc, "display": display})
        return {"coding": coding, "text": text or self.display[code]}


def absent(reason: str = "temp-unknown") -> dict[str, Any]:
    """A dataAbsentReason CodeableConcept."""
    display = {"temp-unknown": "Temporarily Unknown", "not-applicable": "Not Applicable", "unknown": "Unknown"}
    return {"coding": [{"system": DATA_ABSENT_CODES, "code": reason, "display": display[reason]}]}


def _value(value: Any, option_of: tuple[str, Any] | None = None) -> dict[str, Any]:
    """``value[x]`` for a value of the app (a choice question's value as its coding)."""
    if option_of is not None:
        system, q = option_of
        label = next((o.label for o in q.options if o.value == value), str(value))
        return {"valueCodeableConcept": {"coding": [{"system": system, "code": str(value), "display": label}],
                                         "text": label}}
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueQuantity": {"value": value}}
    return {"valueString": str(value)}


def _option_of(flow: LoadedFlow, node: ex.Node, option_system: Any) -> tuple[str, Any] | None:
    """The question and its code system when a value is a choice question's answer as it is."""
    if isinstance(node, ex.Name) and len(node.path) == 1 and node.path[0] in flow.by_id:
        q = flow.by_id[node.path[0]].model
        if isinstance(q, ChoiceQuestion):
            return option_system(flow, q.id), q
    return None


def observations(flow: LoadedFlow, result: dict[str, Any], *, case_id: str, when: str, response_ref: str,
                 profile: str, option_system: Any, pending: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """One Observation per score the case has (``(score id, resource)``); a score not computed on
    the case's path (its ``requires`` does not hold) has none."""
    coder = Coder(flow)
    scores = result.get("scores", {})
    out: list[tuple[str, dict[str, Any]]] = []
    waiting = ", ".join(_prompt(flow, q) for q in pending)
    for s in flow.model.scores:
        value = scores.get(s.key or s.id)
        if value is None:
            continue
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": _fhir_id(f"{case_id}-{s.id}"),
            "meta": {"profile": [profile]},
            "identifier": [{"system": f"{SYSTEM}:case-score", "value": f"{case_id}/{s.id}"}],
            "status": "final",
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
            "code": coder.concept(s.id),
            "effectiveDateTime": when,
            "derivedFrom": [{"reference": response_ref, "display": "the answers of the case"}],
        }
        lines = [s.title]
        if isinstance(s, PointsScore):
            components = []
            for item in value.get("items", []):
                comp: dict[str, Any] = {"code": coder.concept(f"{s.id}.{item['id']}")}
                if item.get("points") is None:
                    comp["dataAbsentReason"] = absent()
                else:
                    comp["valueInteger"] = item["points"]
                components.append(comp)
            obs["component"] = components
            total = value.get("total")
            if total is None:
                obs["status"] = "preliminary"
                obs["dataAbsentReason"] = absent()
                low, high = (value.get("range") or [None, None])[:2]
                note = f"Total not known yet: between {low} and {high} while these are pending: {waiting or 'open items'}."
                obs["note"] = [{"text": note}]
                lines.append(note)
            else:
                obs["valueInteger"] = total
                band = next((b for b in s.bands if b.min <= total <= b.max), None)
                if band is not None:
                    obs["interpretation"] = [coder.concept(band_code(s.id, band),
                                                           f"{band.label}: {band.meaning}" if band.meaning else band.label)]
                lines.append(f"Total {total}" + (f" — {band.label}" if band else ""))
        elif isinstance(s, SummaryScore):
            components = []
            for key in s.fields:
                comp = {"code": coder.concept(f"{s.id}.{key}")}
                field_value = value.get(key)
                if field_value is None:
                    comp["dataAbsentReason"] = absent("temp-unknown" if pending else "unknown")
                else:
                    comp.update(_value(field_value, _option_of(flow, flow.cond(s, key).tree, option_system)))
                components.append(comp)
                lines.append(f"{key}: {'—' if field_value is None else field_value}")
            obs["component"] = components
        else:
            assert isinstance(s, ValueScore)
            obs.update(_value(value, _option_of(flow, flow.cond(s, "expr").tree, option_system)))
            lines.append(str(value))
        obs["text"] = _narrative(lines)
        out.append((s.id, obs))
    return out


def clinical_impression(flow: LoadedFlow, result: dict[str, Any], version: str, *, case_id: str, label: str,
                        when: str, supporting: list[dict[str, Any]], profile: str,
                        pending: list[str], complete: bool) -> dict[str, Any]:
    """The recommendation as a ClinicalImpression (R4B and R5 differ in ``code`` and ``finding``)."""
    coder = Coder(flow)
    rec = result.get("recommendation", {})
    notice = flow.model.notice.strip()
    provisional = bool(rec.get("provisional")) or bool(pending)

    def finding(code: str, basis: str, text: str | None = None) -> dict[str, Any]:
        concept = coder.concept(code, text)
        item = {"item": {"concept": concept}} if version == "R5" else {"itemCodeableConcept": concept}
        return item | {"basis": basis}

    findings = []
    headline = rec.get("headline")
    rule = rec.get("rule")
    if headline:
        basis = f"Rule {rule}: {rec.get('rule_text', '')}" if rule else rec.get("rule_text", "")
        findings.append(finding(f"headline.{headline}", basis))
    for possible in rec.get("possible_headlines", []) or []:
        findings.append(finding(f"headline.{possible}", f"possible while pending: {rec.get('rule_text', '')}"))
    if rec.get("urgency"):
        findings.append(finding(f"urgency.{rec['urgency']}", rec.get("urgency_text", "")))
    for flag in rec.get("flag_details", []) or []:
        findings.append(finding(f"flag.{flag['id']}", f"REFERENCE {flag.get('section') or ''}".strip()))

    refs = _references(flow, rule, [f.get("id") for f in rec.get("flag_details", []) or []])
    notes = [{"text": f"Decision support for the responsible clinician and the MDT, never orders. {notice}"}]
    if provisional:
        waiting = "; ".join(_prompt(flow, q) for q in pending) or "answers not known yet"
        notes.append({"text": f"Provisional — pending: {waiting}. {rec.get('headline_summary', '')}".strip()})
    if refs:
        notes.append({"text": "References: " + " | ".join(citation for _, citation in refs)})
    summary = f"{rec.get('headline_title', '')}: {rec.get('headline_summary', '')}".strip(": ")
    impression: dict[str, Any] = {
        "resourceType": "ClinicalImpression",
        "id": _fhir_id(f"{case_id}-recommendation"),
        "meta": {"profile": [profile]},
        "text": _narrative([f"Case {label or case_id}", summary, f"Urgency: {rec.get('urgency') or '—'}",
                            *(n["text"] for n in notes)]),
        "identifier": [{"system": f"{SYSTEM}:case-recommendation", "value": case_id}],
        "status": "completed" if complete and not provisional else "in-progress",
        "description": rec.get("headline_title") or "No recommendation yet",
        "subject": {"type": "Patient", "identifier": {"system": f"{SYSTEM}:case", "value": case_id},
                    "display": f"the patient of case {label or case_id}"},
        "effectiveDateTime": when,
        "date": when,
        "summary": summary or "No recommendation yet",
        "supportingInfo": supporting,
        "note": notes,
    }
    if version != "R5":
        impression["code"] = coder.concept("recommendation")
    if findings:
        impression["finding"] = findings
    if refs:
        impression["protocol"] = [uri for uri, _ in refs]
    return impression


def _references(flow: LoadedFlow, rule: str | None, flags: list[str | None]) -> list[tuple[str, str]]:
    """(uri, citation) of the rule's and the flags' references, each once: DOI, PubMed or our own."""
    ids: list[str] = []
    for r in flow.model.rules:
        if r.id == rule:
            ids += r.refs
    for f in flow.model.flags:
        if f.id in flags:
            ids += f.refs
    out = []
    for ref_id in dict.fromkeys(ids):
        ref = flow.model.references[ref_id]
        if ref.doi:
            uri = f"https://doi.org/{ref.doi}"
        elif ref.pmid:
            uri = f"https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/"
        else:
            uri = f"{SYSTEM}:reference:{ref_id}"
        out.append((uri, ref.citation))
    return out


def _prompt(flow: LoadedFlow, question_id: str) -> str:
    q = flow.by_id.get(question_id)
    return q.model.prompt if q is not None else question_id


def _fhir_id(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9.-]", "-", text)[:64]


def _narrative(lines: list[str]) -> dict[str, Any]:
    from interview.text import for_xhtml

    body = "".join(f"<p>{for_xhtml(line)}</p>" for line in lines)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}
