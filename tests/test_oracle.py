"""The v2 oracle reproduces the contract's examples, reaches every rule and flag, and pins its tricky edges.

The oracle (``oracle``) is written from CONTRACT.md v2 alone; these tests hold it to the contract's
worked examples and to cases typed straight from the contract text, so that the differential test of
the product against it compares against the contract, not against itself.
"""

from __future__ import annotations

import functools
import json
import random
import re
from collections import Counter
from typing import Any

import oracle
import pytest
import yaml
from paths import CONTRACT_V2, EXAMPLES_V2

RANDOM_SEED = 20261126
RANDOM_CASES = 5000
MIN_OCCURRENCES = 10

EXAMPLE_NAMES = (
    "cauda_equina",
    "emergency_breast",
    "lymphoma_stable",
    "neuro_no_compression",
    "paediatric",
    "pending_mri_items",
    "prior_rt_stable",
    "renal_stable",
    "unknown_primary",
)
# CONTRACT §7 (`not_known` answers, provisional results) is not the oracle's: a decision needs every answer.
# The §7 example is reproduced by enumerating the oracle over its open answers, in
# tests/engine/test_provisional.py (test_brute_force_reproduces_the_contracts_pending_example).
NOT_KNOWN_EXAMPLES = {"pending_mri_items"}
# Keys of the expected output that only §7 gives meaning to (always false outside it).
SECTION_7_KEYS = {"provisional"}


# --------------------------------------------------------------------------------------------------
# (1) The contract's worked examples
# --------------------------------------------------------------------------------------------------


def load_example(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read one v2 contract example: its answers and its expected output."""
    answers = yaml.safe_load((EXAMPLES_V2 / f"{name}.answers.yaml").read_text(encoding="utf-8"))
    expected = json.loads((EXAMPLES_V2 / f"{name}.expected.json").read_text(encoding="utf-8"))
    return answers, expected


def assert_matches(expected: Any, actual: Any, where: str = "") -> None:
    """Assert that every fixed key of ``expected`` is in ``actual`` with the same value (lists as sets)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            if key in SECTION_7_KEYS:
                continue
            assert key in actual, f"{where}.{key}: missing"
            assert_matches(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert set(actual) == set(expected), f"{where}: {sorted(actual)} != {sorted(expected)}"
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def test_the_v2_examples_are_all_found() -> None:
    """The in-repo contract copy holds exactly the nine v2 examples (guards against a wrong folder)."""
    found = sorted(path.name.removesuffix(".expected.json") for path in EXAMPLES_V2.glob("*.expected.json"))
    assert found == list(EXAMPLE_NAMES)


@pytest.mark.parametrize("name", [n for n in EXAMPLE_NAMES if n not in NOT_KNOWN_EXAMPLES])
def test_oracle_reproduces_example(name: str) -> None:
    """The oracle's decision has every fixed key of the example's expected.json (the §7 example: see above)."""
    answers, expected = load_example(name)
    assert_matches(expected, oracle.decide(answers))


# --------------------------------------------------------------------------------------------------
# The typed-out tables agree with the contract's own text
# --------------------------------------------------------------------------------------------------


@functools.cache
def contract_text() -> str:
    """CONTRACT.md v2, read once when a test needs it."""
    return (CONTRACT_V2 / "CONTRACT.md").read_text(encoding="utf-8")


def contract_section(number: int) -> str:
    """The text of one numbered ``## N.`` section of CONTRACT.md."""
    match = re.search(rf"^## {number}\. .*?(?=^## |\Z)", contract_text(), re.M | re.S)
    assert match, f"CONTRACT.md has no section {number}"
    return match[0]


def test_routing_table_matches_contract_section_4() -> None:
    """ROUTING has the 25 rules of §4, in the table's order, each with the table's headline."""
    rows = re.findall(r"^\| (R\d[a-h]?) \| .*\| `(\w+)` \|$", contract_section(4), re.M)
    assert len(rows) == 25
    assert [(rule.rule, rule.headline) for rule in oracle.ROUTING] == rows


def test_headlines_are_the_13_of_section_4() -> None:
    """HEADLINES is the set of §4's headline labels, 13 of them, and every rule routes to one."""
    assert len(oracle.HEADLINES) == 13
    assert {rule.headline for rule in oracle.ROUTING} == oracle.HEADLINES


def test_flags_are_the_18_of_section_5() -> None:
    """FLAGS is exactly the flag column of the §5 table (18 flags)."""
    table = re.findall(r"^\| `(\w+)` \|", contract_section(5), re.M)
    assert len(oracle.FLAGS) == 18
    assert set(table) == oracle.FLAGS


def test_primary_table_covers_every_primary_tumour_value() -> None:
    """PRIMARY_TUMOURS has exactly the case_fields.yaml values plus `unknown` (the `otherwise`)."""
    assert set(oracle.PRIMARY_TUMOURS) == set(oracle.FIELDS["primary_tumour"]["values"]) | {"unknown"}


# --------------------------------------------------------------------------------------------------
# (2) Random valid cases reach every rule, flag and urgency
# --------------------------------------------------------------------------------------------------


@functools.cache
def random_cases() -> tuple[dict[str, Any], ...]:
    """The 5,000 random cases of the coverage tests (drawn once per run)."""
    rnd = random.Random(RANDOM_SEED)
    return tuple(oracle.random_case(rnd) for _ in range(RANDOM_CASES))


def is_valid_value(spec: dict[str, Any], value: Any) -> bool:
    """Whether a value is allowed by its case_fields.yaml spec (CONTRACT §1 types)."""
    kind = spec["type"]
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "enum":
        return value in spec["values"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if kind == "int" and not isinstance(value, int):
        return False
    in_range = spec["min"] <= value <= spec["max"]
    return in_range and (value - spec["min"]) % spec.get("step", 1) == 0 if kind == "int" else in_range


def test_random_cases_are_valid_and_hold_exactly_the_fields_on_their_path() -> None:
    """Each random case answers every on-path field with a valid value (tomita_growth may be left out), and nothing else."""
    omitted_tomita = 0
    for answers in random_cases():
        completed = oracle.complete(answers)
        on_path = {
            field_id
            for field_id, spec in oracle.FIELDS.items()
            if oracle.when_holds(spec.get("when"), completed)
        }
        assert set(answers) <= on_path, f"off-path fields {set(answers) - on_path}"
        missing = on_path - set(answers)
        assert missing <= {"tomita_growth"}, f"missing on-path fields {missing}"
        omitted_tomita += bool(missing)
        for field_id, value in answers.items():
            assert is_valid_value(oracle.FIELDS[field_id], value), f"{field_id}={value!r}"
    assert omitted_tomita >= MIN_OCCURRENCES, "tomita_growth is never left out: the default goes untested"


def test_random_cases_reach_every_rule_flag_and_urgency() -> None:
    """On 5,000 random cases decide never raises and each rule, flag and urgency occurs at least 10 times."""
    rules: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    urgencies: Counter[str] = Counter()
    for answers in random_cases():
        recommendation = oracle.decide(answers)["recommendation"]
        assert recommendation["headline"] in oracle.HEADLINES
        assert recommendation["flags"] == sorted(recommendation["flags"])
        rules[recommendation["rule"]] += 1
        flags.update(recommendation["flags"])
        urgencies[recommendation["urgency"]] += 1
    rare = {
        name: count
        for name, count in (
            [(rule.rule, rules[rule.rule]) for rule in oracle.ROUTING]
            + [(flag, flags[flag]) for flag in sorted(oracle.FLAGS)]
            + [(urgency, urgencies[urgency]) for urgency in oracle.URGENCIES]
        )
        if count < MIN_OCCURRENCES
    }
    assert not rare, f"reached fewer than {MIN_OCCURRENCES} times: {rare}"


# --------------------------------------------------------------------------------------------------
# (3) Named cases typed from the contract text
# --------------------------------------------------------------------------------------------------

# An adult with renal cell carcinoma on treatment, staged, stable, neurologically intact (the
# renal_stable example: R7g sbrt_alone, elective), plus an answer for every question another path
# asks: complete() ignores the answers off the path (CONTRACT §1), so a test changes only what it
# is about.
BASE: dict[str, Any] = {
    "neuro_deficit": False,
    "radicular_pain": False,
    "deficit_progressing": True,
    "hours_since_deficit_onset": 20,
    "frankel": "D",
    "hours_since_motor_loss": 10,
    "ambulatory": True,
    "age": 60,
    "sex": "male",
    "pregnant": False,
    "known_primary": True,
    "primary_tumour": "kidney",
    "histology_established": True,
    "systemic_treatment_status": "responding",
    "prior_rt_same_level": False,
    "mri_whole_spine_done": True,
    "escc_grade": "1a",
    "other_neural_compression": "none",
    "compression_extent": "single_area",
    "contiguous_levels": 1,
    "sins_location": "semirigid",  # 1
    "sins_pain": "occasional_nonmechanical",  # 1
    "sins_bone_lesion": "lytic",  # 2
    "sins_alignment": "normal",  # 0
    "sins_collapse": "none",  # 0
    "sins_posterolateral": "none",  # 0  → SINS 4
    "posterior_wall_intact": True,
    "atypical_features": False,
    "staging_done": True,
    "extraspinal_bone_mets": 1,
    "vertebral_body_mets": 1,
    "visceral_mets": "none",
    "visceral_mets_removable": True,
    "visceral_mets_treatable": True,
    "kps": 90,
    "fit_for_surgery": True,
    "expected_survival_months": 36,
}

# A progressing deficit (Frankel D) from high-grade compression: a neuro emergency (§3).
EMERGENCY: dict[str, Any] = {"neuro_deficit": True, "deficit_progressing": True, "escc_grade": "3"}


def decide(**changes: Any) -> dict[str, Any]:
    """Decide BASE with some answers changed."""
    return oracle.decide({**BASE, **changes})


def recommendation(**changes: Any) -> dict[str, Any]:
    """The recommendation of BASE with some answers changed."""
    return decide(**changes)["recommendation"]


def test_base_case_is_sbrt_alone() -> None:
    """The base case is the renal_stable example: R7g sbrt_alone, elective, no flags."""
    assert recommendation() == {"headline": "sbrt_alone", "rule": "R7g", "urgency": "elective", "flags": []}


def test_paraplegia_is_timed_from_motor_loss_not_from_first_symptom() -> None:
    """Frankel A for 10 h after a 200 h prodrome is still a neuro emergency: decompression (R3c), no > 48 h flag."""
    result = recommendation(
        **EMERGENCY, frankel="A", hours_since_deficit_onset=200, hours_since_motor_loss=10
    )
    assert result["rule"] == "R3c"
    assert result["headline"] == "emergency_decompression_stabilisation_then_rt"
    assert "complete_paraplegia_gt48h_no_decompression_for_recovery" not in result["flags"]


def test_paraplegia_over_48h_from_motor_loss_is_not_a_neuro_emergency() -> None:
    """Frankel A for 49 h since motor loss: not an emergency for routing (R7f cebrt), flagged, urgency emergency."""
    result = recommendation(**EMERGENCY, frankel="A", hours_since_deficit_onset=60, hours_since_motor_loss=49)
    assert result["rule"] == "R7f"
    assert result["headline"] == "cebrt_alone"
    assert result["urgency"] == "emergency"
    assert "complete_paraplegia_gt48h_no_decompression_for_recovery" in result["flags"]


def test_paraplegia_for_exactly_48h_is_not_more_than_48h() -> None:
    """Patchell's exclusion is > 48 h: exactly 48 h of Frankel B still goes to decompression (R3c)."""
    result = recommendation(**EMERGENCY, frankel="B", hours_since_motor_loss=48)
    assert result["rule"] == "R3c"
    assert "complete_paraplegia_gt48h_no_decompression_for_recovery" not in result["flags"]


def test_progressing_deficit_with_escc_0_and_stable_spine_is_urgent_neuro_review() -> None:
    """A progressing deficit that nothing on MRI explains: R3a urgent_neuro_review, emergency, no dexamethasone bundle."""
    result = recommendation(neuro_deficit=True, deficit_progressing=True, escc_grade="0")
    assert result["rule"] == "R3a"
    assert result["headline"] == "urgent_neuro_review"
    assert result["urgency"] == "emergency"
    assert "deficit_not_explained_by_compression" in result["flags"]
    assert "mscc_bundle_dexamethasone_mri_24h" not in result["flags"]


def test_static_unexplained_deficit_goes_on_to_r7_but_stays_an_emergency_out_of_the_sbrt_gate() -> None:
    """A static deficit with ESCC 1b and nothing else: not R3, not SBRT (R7h cebrt), urgency emergency, flagged."""
    result = recommendation(neuro_deficit=True, deficit_progressing=False, escc_grade="1b")
    assert result["rule"] == "R7h"
    assert result["urgency"] == "emergency"
    assert "deficit_not_explained_by_compression" in result["flags"]


def test_high_grade_compression_makes_a_static_deficit_an_emergency() -> None:
    """A deficit not called progressing but with ESCC 2 is a neuro emergency (R3c), with the MSCC bundle."""
    result = recommendation(neuro_deficit=True, deficit_progressing=False, escc_grade="2")
    assert result["rule"] == "R3c"
    assert "mscc_bundle_dexamethasone_mri_24h" in result["flags"]


def test_root_only_compression_explains_the_deficit_but_is_not_decompressed() -> None:
    """A root alone explains a progressing deficit (not R3a) but R3c excludes it: R3g cebrt_alone with the bundle."""
    result = recommendation(
        neuro_deficit=True, deficit_progressing=True, escc_grade="1a", other_neural_compression="root_only"
    )
    assert result["rule"] == "R3g"
    assert result["headline"] == "cebrt_alone"
    assert "mscc_bundle_dexamethasone_mri_24h" in result["flags"]
    assert "deficit_not_explained_by_compression" not in result["flags"]


def test_several_areas_of_compression_bar_emergency_decompression() -> None:
    """Emergency decompression needs a single area: several areas on a stable spine → R3g, multilevel flag."""
    result = recommendation(**EMERGENCY, compression_extent="multiple_noncontiguous")
    assert result["rule"] == "R3g"
    assert "multilevel_compression_mdt" in result["flags"]


def test_prior_rt_in_a_neuro_emergency_without_surgery_is_reirradiation_mdt() -> None:
    """An unfit patient in a neuro emergency with prior RT at the level: R3f reirradiation_mdt, with its flag."""
    result = recommendation(**EMERGENCY, fit_for_surgery=False, prior_rt_same_level=True)
    assert result["rule"] == "R3f"
    assert result["headline"] == "reirradiation_mdt"
    assert "prior_rt_reirradiation_limits" in result["flags"]


def test_subluxation_with_sins_7_but_painless_is_unstable() -> None:
    """SINS 7 from subluxation with a pain-free lesion is mechanically unstable (§3): R6c, urgent, surgical consultation."""
    decision = decide(sins_pain="painfree", sins_alignment="subluxation")  # 1 + 0 + 2 + 4 + 0 + 0 = 7
    assert decision["scores"]["sins"] == {"total": 7, "category": "potentially_unstable"}
    assert decision["derived"]["mechanically_unstable"] is True
    assert decision["recommendation"]["rule"] == "R6c"
    assert decision["recommendation"]["urgency"] == "urgent"
    assert "surgical_consultation_required" in decision["recommendation"]["flags"]


def test_subluxation_with_sins_below_7_is_not_unstable() -> None:
    """Subluxation scoring SINS 5 is not unstable: the SINS 7–12 reading needs SINS ≥ 7."""
    decision = decide(
        sins_location="rigid",
        sins_pain="painfree",
        sins_bone_lesion="blastic",
        sins_alignment="subluxation",
        sins_posterolateral="unilateral",
    )  # 0 + 0 + 0 + 4 + 0 + 1 = 5
    assert decision["scores"]["sins"]["total"] == 5
    assert decision["derived"]["mechanically_unstable"] is False
    assert "surgical_consultation_required" not in decision["recommendation"]["flags"]


def test_two_signs_of_structural_failure_make_a_painless_lesion_unstable() -> None:
    """New deformity and collapse > 50 % with occasional pain (SINS 9) are unstable; one sign alone is not."""
    two = decide(sins_alignment="de_novo_deformity", sins_collapse="gt50", posterior_wall_intact=False)
    one = decide(sins_collapse="gt50", sins_posterolateral="unilateral", posterior_wall_intact=False)
    assert two["scores"]["sins"]["total"] == 9
    assert two["derived"]["mechanically_unstable"] is True
    assert one["scores"]["sins"]["total"] == 8
    assert one["derived"]["mechanically_unstable"] is False
    # SINS ≥ 7 still asks for a surgeon's opinion (§5), unstable or not.
    assert "surgical_consultation_required" in one["recommendation"]["flags"]


def test_cement_needs_an_intact_posterior_wall_and_escc_0_or_1a() -> None:
    """A mechanical-pain collapse < 50 % (SINS 8) is R6a cement only with an intact wall and ESCC 0–1a; else R6c."""
    cement = {"sins_pain": "mechanical", "sins_collapse": "lt50"}  # 1 + 3 + 2 + 0 + 2 + 0 = 8
    assert recommendation(**cement)["rule"] == "R6a"
    assert recommendation(**cement, posterior_wall_intact=False)["rule"] == "R6c"
    assert recommendation(**cement, escc_grade="1b")["rule"] == "R6c"


def test_breast_is_moderately_radiosensitive_with_separation_as_the_mdt_alternative() -> None:
    """Breast is moderately radiosensitive: asymptomatic ESCC 2 on a stable spine → R7f cebrt with the separation alternative flag."""
    decision = decide(primary_tumour="breast", escc_grade="2")
    assert decision["derived"]["radiosensitivity"] == "moderately_radiosensitive"
    result = decision["recommendation"]
    assert (result["rule"], result["headline"]) == ("R7f", "cebrt_alone")
    assert "separation_surgery_mdt_alternative" in result["flags"]
    assert result["urgency"] == "urgent"
    # Renal (radioresistant) in the same case goes to separation surgery (R7c).
    assert recommendation(escc_grade="2")["rule"] == "R7c"


def test_sclc_is_radiosensitive_but_not_in_r3b() -> None:
    """SCLC is radiosensitive, but R3b keeps Patchell's list: an unfit SCLC emergency is R3g, a lymphoma one R3b."""
    sclc = decide(**EMERGENCY, primary_tumour="lung_sclc", fit_for_surgery=False)
    assert sclc["derived"]["radiosensitivity"] == "radiosensitive"
    assert sclc["recommendation"]["rule"] == "R3g"
    assert recommendation(**EMERGENCY, primary_tumour="lymphoma", fit_for_surgery=False)["rule"] == "R3b"
    # Stable and without an emergency, SCLC (not a systemic-first histology) is R7e, radiosensitive.
    assert recommendation(primary_tumour="lung_sclc")["rule"] == "R7e"


def test_plasmacytoma_is_not_systemic_first_nor_low_risk() -> None:
    """A solitary plasmacytoma is radiosensitive and gets RT (R7e), never systemic_therapy_first."""
    result = recommendation(primary_tumour="plasmacytoma", sins_pain="painfree", extraspinal_bone_mets=9)
    assert result["rule"] == "R7e"


def test_short_survival_before_mri_is_imaging_first_not_palliative() -> None:
    """Survival < 3 months without a whole-spine MRI: R1 imaging_first, flagged palliative_pathway_likely."""
    result = recommendation(mri_whole_spine_done=False, expected_survival_months=2)
    assert (result["rule"], result["headline"]) == ("R1", "imaging_first")
    assert "palliative_pathway_likely" in result["flags"]
    assert result["urgency"] == "urgent"


def test_short_survival_with_established_histology_is_palliative() -> None:
    """Survival 2.9 months, imaged, histology established, on treatment: R2 palliative, without the 'likely' flag."""
    result = recommendation(expected_survival_months=2.9)
    assert result["rule"] == "R2"
    assert "palliative_pathway_likely" not in result["flags"]
    assert recommendation(expected_survival_months=3)["rule"] != "R2"


def test_short_survival_without_established_histology_is_not_palliative() -> None:
    """Palliation needs established histology: an unknown primary with 2 months goes to biopsy (R4), flagged."""
    result = recommendation(known_primary=False, expected_survival_months=2)
    assert result["rule"] == "R4"
    assert "palliative_pathway_likely" in result["flags"]


def test_untreated_prostate_with_two_months_is_not_palliated() -> None:
    """Treatment-sensitive untreated prostate, 2 months: not R2, no palliative flag, and still a surgical candidate."""
    naive = {
        "primary_tumour": "prostate",
        "systemic_treatment_status": "naive",
        "expected_survival_months": 2,
    }
    result = recommendation(**naive)
    assert result["rule"] != "R2"
    assert "palliative_pathway_likely" not in result["flags"]
    assert recommendation(**naive, **EMERGENCY)["rule"] == "R3c"
    # The same patient already on treatment is palliated.
    assert recommendation(**{**naive, "systemic_treatment_status": "responding"})["rule"] == "R2"


def test_under_18_is_paediatric_referral() -> None:
    """Age 17 → R0 paediatric_referral (urgent); age 18 is an adult."""
    result = recommendation(age=17)
    assert (result["rule"], result["headline"], result["urgency"]) == ("R0", "paediatric_referral", "urgent")
    assert recommendation(age=18)["rule"] == "R7g"


def test_radicular_pain_without_mri_is_an_emergency() -> None:
    """Radicular pain while the whole-spine MRI is not done is an emergency (NICE); once imaged, it is not."""
    assert recommendation(radicular_pain=True, mri_whole_spine_done=False)["urgency"] == "emergency"
    assert recommendation(radicular_pain=True)["urgency"] == "elective"


def test_no_mri_means_no_sins_no_escc_and_not_unstable() -> None:
    """Without MRI SINS and ESCC are null and mechanically_unstable is false, never null (§7 last paragraph)."""
    decision = decide(mri_whole_spine_done=False)
    assert decision["scores"]["sins"] is None
    assert decision["scores"]["escc"] is None
    assert decision["derived"]["mechanically_unstable"] is False


def test_atypical_features_put_the_histology_back_in_question() -> None:
    """Atypical features: histology not established → radiosensitivity unknown, R4 biopsy, mimics flag."""
    decision = decide(atypical_features=True)
    assert decision["derived"]["radiosensitivity"] == "unknown"
    result = decision["recommendation"]
    assert (result["rule"], result["headline"], result["urgency"]) == (
        "R4",
        "biopsy_and_staging_first",
        "urgent",
    )
    assert "atypical_features_exclude_mimics" in result["flags"]


def test_atypical_features_in_a_neuro_emergency_are_r3e_with_a_surgeon_today() -> None:
    """An unfit patient in a neuro emergency with atypical features: R3e, surgical consultation, no dexamethasone bundle."""
    result = recommendation(**EMERGENCY, atypical_features=True, fit_for_surgery=False)
    assert result["rule"] == "R3e"
    assert "surgical_consultation_required" in result["flags"]
    assert "mscc_bundle_dexamethasone_mri_24h" not in result["flags"]


def test_pregnancy_is_asked_only_between_12_and_55_when_not_male() -> None:
    """Pregnancy flags obstetric review and makes the case urgent; it is not asked of men or at 56."""
    result = recommendation(sex="female", age=30, pregnant=True)
    assert "pregnancy_obstetric_and_physics_review" in result["flags"]
    assert result["urgency"] == "urgent"
    assert "pregnancy_obstetric_and_physics_review" not in recommendation(sex="male", pregnant=True)["flags"]
    assert (
        "pregnancy_obstetric_and_physics_review"
        not in recommendation(sex="other", age=56, pregnant=True)["flags"]
    )


def test_systemic_first_lymphoma_and_painless_low_risk_lesion() -> None:
    """Lymphoma on a stable spine is R7a; a painless low-risk non-oligometastatic lesion is R7b; both systemic_therapy_first."""
    assert recommendation(primary_tumour="lymphoma")["rule"] == "R7a"
    assert recommendation(primary_tumour="lymphoma", systemic_treatment_status="no_options")["rule"] == "R7e"
    painless = recommendation(sins_pain="painfree", extraspinal_bone_mets=5)  # 5 + 1 > 5: not oligometastatic
    assert (painless["rule"], painless["headline"]) == ("R7b", "systemic_therapy_first")
    # Oligometastatic disease keeps its local treatment.
    assert recommendation(sins_pain="painfree")["rule"] == "R7g"


def test_en_bloc_for_a_solitary_radioresistant_lesion_with_good_scores() -> None:
    """Solitary renal metastasis, Tomita 3, Tokuhashi 13: consider_en_bloc_at_mdt alongside sbrt_alone."""
    decision = decide(extraspinal_bone_mets=0)
    assert decision["scores"]["tomita"]["total"] == 3
    assert decision["scores"]["tokuhashi"]["total"] == 13
    assert "consider_en_bloc_at_mdt" in decision["recommendation"]["flags"]


def test_tissue_is_taken_at_surgery_and_before_rt_while_histology_is_not_established() -> None:
    """Unknown primary: decompression takes tissue intraoperatively (R3c); cEBRT (R3g) asks for tissue first."""
    surgery = recommendation(**EMERGENCY, known_primary=False)
    assert surgery["rule"] == "R3c"
    assert "obtain_tissue_intraoperatively" in surgery["flags"]
    rt = recommendation(**EMERGENCY, known_primary=False, fit_for_surgery=False)
    assert rt["rule"] == "R3g"
    assert "tissue_diagnosis_needed" in rt["flags"]


def test_hypervascular_primary_at_surgery_is_flagged_for_embolisation() -> None:
    """A renal primary going to emergency decompression raises preoperative_embolisation_consider."""
    assert "preoperative_embolisation_consider" in recommendation(**EMERGENCY)["flags"]


# --------------------------------------------------------------------------------------------------
# Completing answers (CONTRACT §1) and the `when` evaluator
# --------------------------------------------------------------------------------------------------


def test_missing_answer_names_the_first_missing_field() -> None:
    """A case missing age and kps raises MissingAnswerError naming age (the first in file order)."""
    answers = {key: value for key, value in BASE.items() if key not in ("age", "kps")}
    with pytest.raises(oracle.MissingAnswerError) as error:
        oracle.decide(answers)
    assert error.value.args == ("age",)


def test_explicit_null_is_a_missing_answer() -> None:
    """An explicit null is the same as a missing answer (§1)."""
    with pytest.raises(oracle.MissingAnswerError):
        oracle.complete({**BASE, "kps": None})


def test_tomita_growth_defaults_from_the_primary() -> None:
    """Left out, tomita_growth is the primary's default (kidney: moderate); given, it overrides it."""
    assert oracle.complete(BASE)["tomita_growth"] == "moderate"
    assert decide(tomita_growth="slow")["scores"]["tomita"]["total"] == 3  # slow 1 + none 0 + multiple 2


def test_escc_grade_as_a_bare_number_is_normalised() -> None:
    """ESCC 2 given as the number 2 is read as the grade "2" (§1)."""
    assert decide(escc_grade=2)["scores"]["escc"] == {"grade": "2", "class": "high"}


def test_off_path_answers_are_ignored() -> None:
    """A value for a question off the path is unused: its `otherwise` applies (frankel E without a deficit)."""
    assert decide(frankel="A")["scores"]["frankel"] == "E"


def test_when_expressions_evaluate_like_the_contract_reads() -> None:
    """The v2 `when` forms (and/or/not, in lists, != and ordering) evaluate as written."""
    known = {
        "sex": "female",
        "age": 55,
        "mri_whole_spine_done": True,
        "escc_grade": "1b",
        "other_neural_compression": "none",
        "neuro_deficit": True,
        "frankel": "B",
    }
    assert oracle.when_holds('sex != "male" and age >= 12 and age <= 55', known)
    assert oracle.when_holds('neuro_deficit and frankel in ["A", "B"]', known)
    assert not oracle.when_holds(
        'mri_whole_spine_done and (escc_grade in ["1c", "2", "3"] or other_neural_compression != "none")',
        known,
    )
    assert not oracle.when_holds("not neuro_deficit", known)
    # `and` short-circuits: no null grade is compared without MRI.
    assert not oracle.when_holds(
        'mri_whole_spine_done and escc_grade in ["0"]', {"mri_whole_spine_done": False}
    )


@pytest.mark.parametrize(
    "expression",
    ['__import__("os").system("true")', "age.real", "age + 1 > 2", "[x for x in age]", "lambda: 1"],
)
def test_when_evaluator_refuses_anything_but_plain_conditions(expression: str) -> None:
    """Calls, attributes, arithmetic, comprehensions and lambdas are refused, never evaluated."""
    with pytest.raises(ValueError):
        oracle.compile_when(expression)


def test_every_when_of_case_fields_compiles() -> None:
    """Every `when` of case_fields.yaml v2 is within the evaluator's plain forms."""
    for spec in oracle.FIELDS.values():
        oracle.compile_when(spec.get("when"))
