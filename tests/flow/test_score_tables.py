"""Every score, band, routing rule and flag of the flow against tables typed from REFERENCE.md §4 and CONTRACT.md."""

from __future__ import annotations

import itertools
from typing import Any

import oracle
import pytest

from interview.engine.replay import replay

# --- the published tables, typed again here (REFERENCE §4), never read from the flow -----------------

# The SINS points and KPS → ECOG are typed once for the tests, in the oracle (it re-states the contract
# from its text and never imports the package); the other tables are typed here.
SINS = oracle.SINS_POINTS  # Fisher 2010 (§4.1); pain is 3/1/0
SINS_ZERO = {"sins_location": "rigid", "sins_pain": "painfree", "sins_bone_lesion": "blastic",
             "sins_alignment": "normal", "sins_collapse": "none", "sins_posterolateral": "none"}
TOKUHASHI_PRIMARY = {  # Tokuhashi 2005 (§4.6); "others" score 2
    **dict.fromkeys(["lung_nsclc", "lung_sclc", "osteosarcoma", "stomach", "bladder", "oesophagus", "pancreas"], 0),
    **dict.fromkeys(["liver", "gallbladder_biliary"], 1),
    **dict.fromkeys(["colon", "melanoma", "sarcoma", "myeloma", "plasmacytoma", "lymphoma", "leukaemia", "germ_cell", "ovary",
                     "head_neck", "other"], 2),
    **dict.fromkeys(["kidney", "uterus"], 3),
    "rectum": 4,
    **dict.fromkeys(["thyroid", "breast", "prostate", "carcinoid_neuroendocrine"], 5),
}
ECOG = oracle.ECOG_FROM_KPS  # §4.5

# A stable, staged, elective renal case (SINS 4, ESCC 1a, Tokuhashi 12): each test changes a few answers.
BASE: dict[str, Any] = {
    "neuro_deficit": False, "known_primary": True, "primary_tumour": "kidney", "histology_established": True,
    "mri_whole_spine_done": True, "escc_grade": "1a", "sins_location": "semirigid",
    "sins_pain": "occasional_nonmechanical", "sins_bone_lesion": "lytic", "sins_alignment": "normal",
    "sins_collapse": "none", "sins_posterolateral": "none", "staging_done": True, "extraspinal_bone_mets": 1,
    "vertebral_body_mets": 1, "visceral_mets": "none", "kps": 90, "fit_for_surgery": True,
    "expected_survival_months": 36,
    # contract v2: required on every path, or asked on this one
    "radicular_pain": False, "ambulatory": True, "age": 60, "sex": "male", "prior_rt_same_level": False,
    "systemic_treatment_status": "responding", "contiguous_levels": 1, "atypical_features": False,
    # asked only on some paths (collapse; ESCC 1c–3; Frankel A/B): off the path they are unused
    "posterior_wall_intact": True, "compression_extent": "single_area", "hours_since_motor_loss": 10,
}


def neuro(progressing: bool = True, hours: int = 10, frankel: str = "C", motor_loss: int = 10,
          other: str = "none") -> dict[str, Any]:
    """The neurological answers of a patient with a deficit (two clocks: first symptom, loss of motor power)."""
    return {"neuro_deficit": True, "radicular_pain": None, "deficit_progressing": progressing,
            "hours_since_deficit_onset": hours, "frankel": frankel, "hours_since_motor_loss": motor_loss,
            "other_neural_compression": other}


def sins(**points_by_item: str) -> dict[str, Any]:
    """SINS answers: zero-point categories except those given."""
    return {**SINS_ZERO, **points_by_item}


CEMENT = sins(sins_location="junctional", sins_pain="mechanical", sins_bone_lesion="lytic", sins_collapse="lt50")  # 10
SUBLUXATION = {**CEMENT, "sins_alignment": "subluxation"}  # 14
VISCERAL_REMOVABLE = {"visceral_mets": "present", "visceral_mets_removable": True, "visceral_mets_treatable": True}


def decide(flow: Any, **changes: Any) -> Any:
    """Replay BASE with changes (``None`` removes an answer) and return the result."""
    answers = {k: v for k, v in {**BASE, **changes}.items() if v is not None}
    return replay(flow, answers).result


def sins_answers_for(total: int) -> dict[str, str]:
    """Some SINS answers with the given total and without mechanical pain."""
    for combo in itertools.product(*(SINS[item].items() for item in SINS)):
        if sum(p for _, p in combo) == total and combo[1][0] != "mechanical":
            return {item: value for item, (value, _) in zip(SINS, combo, strict=True)}
    raise AssertionError(f"no SINS combination gives {total}")


# --- SINS ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("item", "value", "points"),
                         [(i, v, p) for i, table in SINS.items() for v, p in table.items()],
                         ids=[f"{i}-{v}" for i, table in SINS.items() for v in table])
def test_sins_item_points(flow, item: str, value: str, points: int) -> None:
    """Each SINS category scores its published points (all other items at 0)."""
    result = decide(flow, **{**SINS_ZERO, item: value})
    assert result.scores["sins"]["total"] == points
    scored = {i["value"]: i["points"] for i in result.scores["sins"]["items"]}
    assert scored[value] == points


@pytest.mark.parametrize(("total", "category"),
                         [(0, "stable"), (6, "stable"), (7, "potentially_unstable"), (12, "potentially_unstable"),
                          (13, "unstable"), (18, "unstable")])
def test_sins_band_boundaries(flow, total: int, category: str) -> None:
    """SINS 0–6 stable, 7–12 potentially unstable, 13–18 unstable (boundaries 6/7 and 12/13)."""
    answers = sins_answers_for(total) if total != 18 else {item: max(t, key=t.get) for item, t in SINS.items()}
    result = decide(flow, **answers)
    assert result.scores["sins"]["total"] == total
    assert result.scores["sins"]["category"] == category


# --- ESCC, ECOG -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("grade", "escc_class"),
                         [("0", "low"), ("1a", "low"), ("1b", "low"), ("1c", "low"), ("2", "high"), ("3", "high")])
def test_escc_class_per_grade(flow, grade: str, escc_class: str) -> None:
    """Bilsky grades 2 and 3 are high grade; 0 to 1c are low (1c by grouping)."""
    result = decide(flow, escc_grade=grade)
    assert result.scores["escc"] == {"grade": grade, "class": escc_class}


@pytest.mark.parametrize(("kps", "ecog"), sorted(ECOG.items()))
def test_ecog_from_kps(flow, kps: int, ecog: int) -> None:
    """ECOG from KPS: 90–100 → 0, 70–80 → 1, 50–60 → 2, 30–40 → 3, 10–20 → 4."""
    result = decide(flow, kps=kps)
    assert result.derived["ecog"] == ecog
    assert result.scores["performance"] == {"kps": kps, "ecog": ecog}


def test_no_mri_means_no_sins_or_escc(flow) -> None:
    """Without whole-spine MRI SINS and ESCC are null (CONTRACT §2)."""
    result = decide(flow, mri_whole_spine_done=False)
    assert result.scores["sins"] is None and result.scores["escc"] is None


def test_no_staging_means_no_prognostic_scores(flow) -> None:
    """Without staging Tokuhashi, Tomita and modified Bauer are null (CONTRACT §2)."""
    result = decide(flow, staging_done=False)
    assert result.scores["tokuhashi"] is None
    assert result.scores["tomita"] is None
    assert result.scores["modified_bauer"] is None


# --- revised Tokuhashi ---------------------------------------------------------------------------------

# BASE scores: KPS 90 → 2, extraspinal 1 → 1, vertebral 1 → 2, visceral none → 2, kidney → 3, Frankel E → 2.
BASE_TOKUHASHI = {"kps": 2, "extraspinal": 1, "vertebral": 2, "visceral": 2, "primary": 3, "frankel": 2}
TOKUHASHI_ITEMS: list[tuple[str, str, dict[str, Any], int]] = [
    *[(f"kps-{k}", "kps", {"kps": k}, 0 if k <= 40 else 1 if k <= 70 else 2) for k in range(10, 101, 10)],
    *[(f"extraspinal-{n}", "extraspinal", {"extraspinal_bone_mets": n}, p)
      for n, p in ((0, 2), (1, 1), (2, 1), (3, 0), (999, 0))],
    *[(f"vertebral-{n}", "vertebral", {"vertebral_body_mets": n}, p) for n, p in ((1, 2), (2, 1), (3, 0), (33, 0))],
    ("visceral-none", "visceral", {"visceral_mets": "none"}, 2),
    ("visceral-removable", "visceral", VISCERAL_REMOVABLE, 1),
    ("visceral-unremovable", "visceral", {**VISCERAL_REMOVABLE, "visceral_mets_removable": False}, 0),
    *[(f"primary-{p}", "primary", {"primary_tumour": p}, pts) for p, pts in sorted(TOKUHASHI_PRIMARY.items())],
    ("primary-unidentified", "primary", {"known_primary": False}, 1),
    *[(f"frankel-{g}", "frankel", neuro(progressing=False, hours=10, frankel=g), p)
      for g, p in (("A", 0), ("B", 0), ("C", 1), ("D", 1), ("E", 2))],
]


@pytest.mark.parametrize(("item", "changes", "points"), [t[1:] for t in TOKUHASHI_ITEMS], ids=[t[0] for t in TOKUHASHI_ITEMS])
def test_tokuhashi_item_points(flow, item: str, changes: dict[str, Any], points: int) -> None:
    """Each revised Tokuhashi item scores its published points (the rest of the case held fixed)."""
    result = decide(flow, **changes)
    assert result.scores["tokuhashi"]["total"] == sum(BASE_TOKUHASHI.values()) - BASE_TOKUHASHI[item] + points


@pytest.mark.parametrize(
    ("changes", "total", "band", "prognosis"),
    [
        ({"extraspinal_bone_mets": 3, "vertebral_body_mets": 3, **VISCERAL_REMOVABLE}, 8, "0-8", "lt_6_months"),
        ({"extraspinal_bone_mets": 3, "vertebral_body_mets": 3}, 9, "9-11", "ge_6_months"),
        ({"vertebral_body_mets": 2, "kps": 70}, 10, "9-11", "ge_6_months"),
        ({"kps": 70}, 11, "9-11", "ge_6_months"),
        ({}, 12, "12-15", "ge_12_months"),
        ({"primary_tumour": "breast", "extraspinal_bone_mets": 0}, 15, "12-15", "ge_12_months"),
    ],
    ids=["8", "9", "10", "11", "12", "15"],
)
def test_tokuhashi_band_boundaries(flow, changes: dict[str, Any], total: int, band: str, prognosis: str) -> None:
    """Tokuhashi 0–8 < 6 months, 9–11 ≥ 6 months, 12–15 ≥ 12 months (boundaries 8/9 and 11/12)."""
    result = decide(flow, **changes)
    assert result.scores["tokuhashi"]["total"] == total
    assert result.scores["tokuhashi"]["band"] == band
    assert result.scores["tokuhashi"]["prognosis"] == prognosis


# --- Tomita -----------------------------------------------------------------------------------------------

TOMITA_GROWTH = {"slow": 1, "moderate": 2, "rapid": 4}
TOMITA_VISCERAL = {"none": ({"visceral_mets": "none"}, 0), "treatable": (VISCERAL_REMOVABLE, 2),
                   "untreatable": ({**VISCERAL_REMOVABLE, "visceral_mets_treatable": False}, 4)}
TOMITA_BONE = {"solitary": ({"extraspinal_bone_mets": 0, "vertebral_body_mets": 1}, 1),
               "multiple-extraspinal": ({"extraspinal_bone_mets": 1, "vertebral_body_mets": 1}, 2),
               "multiple-vertebral": ({"extraspinal_bone_mets": 0, "vertebral_body_mets": 2}, 2)}
TOMITA_STRATEGY = [(2, 3, "wide_or_marginal_excision"), (4, 5, "marginal_or_intralesional_excision"),
                   (6, 7, "palliative_surgery"), (8, 10, "nonoperative_supportive_care")]
TOMITA_CASES = list(itertools.product(TOMITA_GROWTH, TOMITA_VISCERAL, TOMITA_BONE))


@pytest.mark.parametrize(("growth", "visceral", "bone"), TOMITA_CASES, ids=["-".join(c) for c in TOMITA_CASES])
def test_tomita_items_and_strategy(flow, growth: str, visceral: str, bone: str) -> None:
    """Every Tomita combination: growth 1/2/4 + visceral 0/2/4 + bone 1/2, and its strategy band (3/4, 5/6, 7/8)."""
    visceral_answers, visceral_points = TOMITA_VISCERAL[visceral]
    bone_answers, bone_points = TOMITA_BONE[bone]
    result = decide(flow, tomita_growth=growth, **visceral_answers, **bone_answers)
    total = TOMITA_GROWTH[growth] + visceral_points + bone_points
    assert result.scores["tomita"]["total"] == total
    assert result.scores["tomita"]["strategy"] == next(s for lo, hi, s in TOMITA_STRATEGY if lo <= total <= hi)


def test_tomita_totals_cover_every_band_boundary() -> None:
    """The combinations above reach both sides of each boundary 3/4, 5/6 and 7/8."""
    totals = {TOMITA_GROWTH[g] + TOMITA_VISCERAL[v][1] + TOMITA_BONE[b][1] for g, v, b in TOMITA_CASES}
    assert {3, 4, 5, 6, 7, 8} <= totals


@pytest.mark.parametrize(("primary", "growth"), [("kidney", "moderate"), ("breast", "slow"), ("lung_nsclc", "rapid"),
                                                 ("myeloma", "moderate"), ("rectum", "rapid")])
def test_tomita_growth_default_from_the_primary(flow, primary: str, growth: str) -> None:
    """Left out of the answers, Tomita growth takes the primary's default (CONTRACT §3) and is reported as applied."""
    result = decide(flow, primary_tumour=primary)
    assert result.answers["tomita_growth"] == growth
    assert "tomita_growth" in result.defaults_applied


# --- modified Bauer ---------------------------------------------------------------------------------------

BAUER_PRIMARY = {  # (answers, "known primary not lung" point, "breast/kidney/lymphoma/myeloma" point)
    "lung": ({"primary_tumour": "lung_nsclc"}, 0, 0),
    "breast": ({"primary_tumour": "breast"}, 1, 1),
    "myeloma": ({"primary_tumour": "myeloma"}, 1, 1),
    "colon": ({"primary_tumour": "colon"}, 1, 0),
    "unknown": ({"known_primary": False}, 0, 0),
}
BAUER_CASES = list(itertools.product(BAUER_PRIMARY, ["none", "present"], ["solitary", "multiple-extraspinal"]))
BAUER_BANDS = [(0, 1, "supportive_care_no_surgery"), (2, 2, "short_term_palliation_posterior_surgery"),
               (3, 4, "medium_term_local_control_anterior_posterior_surgery")]


@pytest.mark.parametrize(("primary", "visceral", "bone"), BAUER_CASES, ids=["-".join(c) for c in BAUER_CASES])
def test_modified_bauer(flow, primary: str, visceral: str, bone: str) -> None:
    """One point each for no visceral mets, known non-lung primary, favourable primary, solitary; bands 1/2 and 2/3."""
    answers, not_lung, favourable = BAUER_PRIMARY[primary]
    visceral_answers = {"visceral_mets": "none"} if visceral == "none" else VISCERAL_REMOVABLE
    result = decide(flow, **answers, **visceral_answers, **TOMITA_BONE[bone][0])
    total = (visceral == "none") + not_lung + favourable + (bone == "solitary")
    assert result.scores["modified_bauer"]["total"] == total
    assert result.scores["modified_bauer"]["band"] == next(b for lo, hi, b in BAUER_BANDS if lo <= total <= hi)


# --- NESMS ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("changes", "points"),
    [
        pytest.param({"ambulatory": True, "albumin_g_dl": 3.5}, 2 + 1 + 1, id="bauer3-walks-albumin3.5-ceiling"),
        pytest.param({"ambulatory": True, "albumin_g_dl": 3.4}, 2 + 1 + 0, id="bauer3-walks-albumin3.4"),
        pytest.param({"ambulatory": False, "albumin_g_dl": 3.5}, 2 + 0 + 1, id="bauer3-albumin3.5"),
        pytest.param({"ambulatory": False, "albumin_g_dl": 3.4}, 2, id="bauer3-only"),
        pytest.param({"ambulatory": True, "albumin_g_dl": 3.5, "primary_tumour": "colon"}, 0 + 1 + 1,
                     id="bauer2-walks-albumin"),
        pytest.param({"ambulatory": True, "albumin_g_dl": 2.0, "primary_tumour": "colon"}, 1, id="bauer2-walks"),
        pytest.param({"ambulatory": False, "albumin_g_dl": 2.0, "primary_tumour": "colon"}, 0, id="bauer2-nothing"),
    ],
)
def test_nesms(flow, changes: dict[str, Any], points: int) -> None:
    """NESMS: modified Bauer ≥ 3 → 2, independent ambulation → 1, albumin ≥ 3.5 g/dL → 1; total 0–3 (ceiling 3)."""
    result = decide(flow, **changes)
    nesms = result.scores["nesms"]
    total = min(points, 3)
    assert nesms["total"] == total
    assert nesms["band"] == str(total)


def test_nesms_needs_ambulation_and_albumin(flow) -> None:
    """Without the optional ambulation and albumin answers NESMS is not scored."""
    assert decide(flow).scores["nesms"] is None


# --- routing rules, flags and urgency (CONTRACT §4–5), each by a named case ---------------------------------

SC = "surgical_consultation_required"
MSCC = "mscc_bundle_dexamethasone_mri_24h"
PARAPLEGIA = "complete_paraplegia_gt48h_no_decompression_for_recovery"
TISSUE_OR = "obtain_tissue_intraoperatively"
ESCC_1C = "escc_1c_borderline_mdt"
RADIO = "radiosensitivity_borderline_mdt"
SEPARATION_ALT = "separation_surgery_mdt_alternative"
EN_BLOC = "consider_en_bloc_at_mdt"
PRIOR_RT = "prior_rt_reirradiation_limits"
PALLIATIVE = "palliative_pathway_likely"
REVIEW_48H = "surgical_review_within_48h"
UNEXPLAINED = "deficit_not_explained_by_compression"
TISSUE = "tissue_diagnosis_needed"
EMBOLISE = "preoperative_embolisation_consider"
PREGNANCY = "pregnancy_obstetric_and_physics_review"
BONE_TUMOUR = "possible_primary_bone_tumour_sarcoma_mdt"
MULTILEVEL = "multilevel_compression_mdt"
MIMICS = "atypical_features_exclude_mimics"
SOLITARY = {"extraspinal_bone_mets": 0, "vertebral_body_mets": 1}
HIGH = {"escc_grade": "2", "compression_extent": "single_area"}  # high-grade ESCC, a single area
UNFIT = {"fit_for_surgery": False}
NO_TISSUE = {"histology_established": False, "systemic_treatment_status": None}
# SINS 10 with mechanical pain and < 50% collapse (its posterior wall is asked): mechanically unstable.
UNSTABLE = {**CEMENT, "posterior_wall_intact": True}
NEURO_EMERGENCY = {**neuro(), **HIGH, "other_neural_compression": None}

# (id, changes to BASE, rule, headline, urgency, flags): written from CONTRACT v2 §3–5, case by case.
ROUTING_CASES: list[tuple[str, dict[str, Any], str, str, str, set[str]]] = [
    ("R0-age-17", {"age": 17}, "R0", "paediatric_referral", "urgent", set()),
    ("R0-not-at-18", {"age": 18}, "R7g", "sbrt_alone", "elective", set()),
    ("R1-no-mri", {"mri_whole_spine_done": False}, "R1", "imaging_first", "urgent", set()),
    ("R1-short-survival-before-mri-is-not-palliation", {"mri_whole_spine_done": False, "expected_survival_months": 2},
     "R1", "imaging_first", "urgent", {PALLIATIVE}),
    ("R1-radicular-pain-without-mri-is-an-emergency", {"radicular_pain": True, "mri_whole_spine_done": False},
     "R1", "imaging_first", "emergency", set()),
    ("R2-survival-2.9", {"expected_survival_months": 2.9}, "R2", "palliative_rt_and_supportive_care", "elective",
     set()),
    ("R2-not-at-3-months", {"expected_survival_months": 3}, "R7h", "cebrt_alone", "elective", set()),
    ("R2-not-for-untreated-prostate", {"primary_tumour": "prostate", "systemic_treatment_status": "naive",
                                       "expected_survival_months": 2}, "R7h", "cebrt_alone", "elective", set()),
    ("R3a-progressing-deficit-nothing-on-mri", neuro(), "R3a", "urgent_neuro_review", "emergency", {UNEXPLAINED}),
    ("R3b-lymphoma-emergency-stable-spine", {**NEURO_EMERGENCY, "primary_tumour": "lymphoma"}, "R3b",
     "cebrt_alone", "emergency", {MSCC}),
    ("R3b-not-for-sclc", {**NEURO_EMERGENCY, "primary_tumour": "lung_sclc"}, "R3c",
     "emergency_decompression_stabilisation_then_rt", "emergency", {MSCC}),
    ("R3c-kidney-escc-2", NEURO_EMERGENCY, "R3c", "emergency_decompression_stabilisation_then_rt", "emergency",
     {MSCC, EMBOLISE}),
    ("R3c-cauda-equina-static-deficit", neuro(progressing=False, other="conus_or_cauda_equina") | {
        "compression_extent": "single_area"}, "R3c", "emergency_decompression_stabilisation_then_rt", "emergency",
     {MSCC, EMBOLISE}),
    ("R3c-slow-prodrome-recent-motor-loss", {**NEURO_EMERGENCY, **neuro(hours=200, frankel="A", motor_loss=10),
                                             "other_neural_compression": None}, "R3c",
     "emergency_decompression_stabilisation_then_rt", "emergency", {MSCC, EMBOLISE}),
    ("R3c-not-after-72h-of-paraplegia", {**NEURO_EMERGENCY, **neuro(frankel="B", motor_loss=72),
                                         "other_neural_compression": None}, "R7f", "cebrt_alone", "emergency",
     {MSCC, PARAPLEGIA}),
    ("R3d-unstable-several-areas", {**NEURO_EMERGENCY, **UNSTABLE, "compression_extent": "multiple_noncontiguous"},
     "R3d", "stabilisation_then_rt", "emergency", {MSCC, SC, MULTILEVEL, EMBOLISE}),
    ("R3e-atypical-unfit", {**NEURO_EMERGENCY, **UNFIT, "atypical_features": True}, "R3e",
     "biopsy_and_staging_first", "emergency", {SC, MIMICS}),
    ("R3f-prior-rt-unfit", {**NEURO_EMERGENCY, **UNFIT, "prior_rt_same_level": True}, "R3f", "reirradiation_mdt",
     "emergency", {MSCC, PRIOR_RT}),
    ("R3g-unfit", {**NEURO_EMERGENCY, **UNFIT}, "R3g", "cebrt_alone", "emergency", {MSCC}),
    ("R3g-root-only", {**neuro(other="root_only"), "compression_extent": "single_area"}, "R3g", "cebrt_alone",
     "emergency", {MSCC}),
    ("R3g-no-histology-tissue-first", {**NEURO_EMERGENCY, **UNFIT, **NO_TISSUE}, "R3g", "cebrt_alone",
     "emergency", {MSCC, TISSUE}),
    ("R3c-no-histology-tissue-from-the-operation", {**NEURO_EMERGENCY, **NO_TISSUE}, "R3c",
     "emergency_decompression_stabilisation_then_rt", "emergency", {MSCC, TISSUE_OR, EMBOLISE}),
    ("R4-no-histology", NO_TISSUE, "R4", "biopsy_and_staging_first", "urgent", set()),
    ("R4-unstable-surgical-review-48h", {**NO_TISSUE, **UNSTABLE}, "R4", "biopsy_and_staging_first", "urgent",
     {SC, REVIEW_48H}),
    ("R4-unknown-primary-unstaged", {"known_primary": False, "primary_tumour": None, **NO_TISSUE,
                                     "staging_done": False, "extraspinal_bone_mets": None,
                                     "vertebral_body_mets": None, "visceral_mets": None}, "R4",
     "biopsy_and_staging_first", "urgent", {BONE_TUMOUR}),
    ("R5-not-staged", {"staging_done": False, "extraspinal_bone_mets": None, "vertebral_body_mets": None,
                       "visceral_mets": None}, "R5", "imaging_first", "urgent", set()),
    ("R6a-cement", UNSTABLE, "R6a", "cement_augmentation_then_rt", "urgent", {SC}),
    ("R6a-not-with-a-broken-posterior-wall", {**UNSTABLE, "posterior_wall_intact": False}, "R6c",
     "stabilisation_then_rt", "urgent", {SC, EMBOLISE}),
    ("R6b-unstable-escc-2", {**UNSTABLE, **HIGH}, "R6b", "separation_surgery_then_sbrt", "urgent",
     {SC, EMBOLISE}),
    ("R6c-painless-subluxation-sins-9", {"sins_location": "junctional", "sins_pain": "painfree",
                                         "sins_alignment": "subluxation"}, "R6c", "stabilisation_then_rt",
     "urgent", {SC, EMBOLISE}),
    ("R6d-unfit-prior-rt", {**UNSTABLE, **UNFIT, "posterior_wall_intact": False, "prior_rt_same_level": True}, "R6d", "reirradiation_mdt",
     "urgent", {SC, PRIOR_RT}),
    ("R6e-unfit", {**UNSTABLE, **UNFIT, "posterior_wall_intact": False}, "R6e", "cebrt_alone", "urgent", {SC}),
    ("R7a-myeloma-stable", {"primary_tumour": "myeloma"}, "R7a", "systemic_therapy_first", "elective", set()),
    ("R7b-painless-low-risk", {"sins_pain": "painfree", "visceral_mets": "present", "visceral_mets_removable": True,
                               "visceral_mets_treatable": True}, "R7b", "systemic_therapy_first", "elective", set()),
    ("R7c-stable-escc-2", HIGH, "R7c", "separation_surgery_then_sbrt", "urgent", {EMBOLISE}),
    ("R7d-prior-rt", {"prior_rt_same_level": True}, "R7d", "reirradiation_mdt", "elective", {PRIOR_RT}),
    ("R7e-sclc", {"primary_tumour": "lung_sclc"}, "R7e", "cebrt_alone", "elective", set()),
    ("R7f-escc-2-unfit", {**HIGH, **UNFIT}, "R7f", "cebrt_alone", "urgent", set()),
    ("R7f-breast-separation-as-mdt-alternative", {**HIGH, "primary_tumour": "breast"}, "R7f", "cebrt_alone",
     "urgent", {SEPARATION_ALT}),
    ("R7g-renal", {}, "R7g", "sbrt_alone", "elective", set()),
    ("R7g-nsclc-borderline", {"primary_tumour": "lung_nsclc"}, "R7g", "sbrt_alone", "elective", {RADIO}),
    ("R7g-escc-1c", {"escc_grade": "1c", "compression_extent": "single_area"}, "R7g", "sbrt_alone", "elective",
     {ESCC_1C}),
    ("R7g-solitary-en-bloc", SOLITARY, "R7g", "sbrt_alone", "elective", {EN_BLOC}),
    ("R7g-pregnancy-is-urgent", {"sex": "female", "age": 30, "pregnant": True}, "R7g", "sbrt_alone", "urgent",
     {PREGNANCY}),
    ("R7h-ecog-3", {"kps": 40}, "R7h", "cebrt_alone", "elective", set()),
    ("R7h-four-levels", {"contiguous_levels": 4}, "R7h", "cebrt_alone", "elective", set()),
]


@pytest.mark.parametrize(("changes", "rule", "headline", "urgency", "flags"), [c[1:] for c in ROUTING_CASES],
                         ids=[c[0] for c in ROUTING_CASES])
def test_routing_flags_and_urgency(flow, changes: dict[str, Any], rule: str, headline: str, urgency: str,
                                   flags: set[str]) -> None:
    """A named case decides by its rule, with its headline, urgency and exactly its flags (the oracle too)."""
    answers = {k: v for k, v in {**BASE, **changes}.items() if v is not None}
    told = oracle.decide(answers)["recommendation"]
    assert (told["rule"], told["headline"], told["urgency"], set(told["flags"])) == (rule, headline, urgency, flags)
    rec = decide(flow, **changes).recommendation
    assert (rec.rule, rec.headline) == (rule, headline)
    assert rec.urgency == urgency
    assert set(rec.flags) == flags


def test_every_rule_and_flag_has_a_named_case(flow) -> None:
    """The table above reaches every rule and every flag of the flow at least once."""
    assert {c[2] for c in ROUTING_CASES} == {r.id for r in flow.model.rules}
    assert set().union(*(c[5] for c in ROUTING_CASES)) == {f.id for f in flow.model.flags}
    assert {c[4] for c in ROUTING_CASES} == {"emergency", "urgent", "elective"}
