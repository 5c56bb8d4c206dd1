"""No part of a recommendation contradicts another (REFERENCE §11.9): the flow's consistency pairs hold."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import oracle
import yaml

from interview.check.lint import lint_flow
from interview.engine.replay import replay
from interview.engine.rules import contradictions, route
from interview.engine.scoring import Evaluation
from interview.flow.load import load_flow

CASES = 5_000
SEED = 20_261_129
SHIPPED = Path(__file__).resolve().parents[2] / "flows" / "spinal_metastases.yaml"


def broken_pairs(flow, answers) -> list[tuple[str, str]]:
    """The consistency pairs one case breaks."""
    result = replay(flow, answers).result
    env = Evaluation(flow, {k: v for k, v in result.answers.items()})
    env["headline"] = route(flow, env).headline
    env["rule"] = result.recommendation.rule
    return contradictions(flow, env, result.recommendation)


def test_flow_declares_the_pairs_of_reference_11_9(flow) -> None:
    """The pairs named by REFERENCE §11.9 and the issue are in the flow, each forbidding real statements."""
    ids = {pair.id for pair in flow.model.consistency}
    assert {"no_surgery_line_with_sins_7", "no_surgery_line_without_mri", "no_surgery_line_in_paraplegia",
            "no_surgery_line_with_en_bloc", "elective_has_no_emergency_actions", "mri_done_is_not_requested",
            "no_systemic_plan_without_tissue", "untreated_is_started_not_continued"} <= ids


def test_no_forbidden_pair_on_random_cases(flow) -> None:
    """On 5,000 random valid cases no recommendation holds a forbidden pair (headline/urgency vs statement)."""
    rnd = random.Random(SEED)
    seen: dict[str, int] = {}
    for n in range(CASES):
        answers = oracle.random_case(rnd)
        broken = broken_pairs(flow, answers)
        assert not broken, f"case {n} breaks {broken}: {answers}"
        for pair in flow.model.consistency:
            seen.setdefault(pair.id, 0)
    assert len(seen) == len(flow.model.consistency)


def test_contradictions_finds_a_planted_pair(flow) -> None:
    """The check is not vacuous: a pair that every case breaks is reported for a real case."""
    answers = oracle.random_case(random.Random(1))
    result = replay(flow, answers).result
    present = (result.recommendation.flags or [s.id for s in result.recommendation.supportive])[0]
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data["consistency"] = [{"id": "always", "when": "true", "forbids": [present], "because": "planted"}]
    return_path = SHIPPED.parent / "_planted_test_flow.yaml"
    try:
        return_path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        planted = load_flow(return_path)
        assert broken_pairs(planted, answers) == [("always", present)]
    finally:
        return_path.unlink(missing_ok=True)


def test_check_reports_a_pair_a_flow_edit_introduces(tmp_path: Path) -> None:
    """`check` names the consistency pair when an edit makes advice contradict the headline."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    edited = copy.deepcopy(data)
    for item in edited["advice"]:
        if item["id"] == "local_none":  # "no surgery is indicated" — now also without an MRI
            item["when"] = 'headline in ["cebrt_alone", "sbrt_alone", "imaging_first"]'
    path = tmp_path / "spinal_metastases.yaml"
    path.write_text(yaml.safe_dump(edited, sort_keys=False, allow_unicode=True), encoding="utf-8")
    findings = [f for f in lint_flow(path, samples=1500).findings if f.node.startswith("consistency")]
    assert findings, "the contradiction was not reported"
    assert any("local_none" in f.message for f in findings)
