"""Every score, band, routing rule and flag of the flow against tables typed from REFERENCE.md §4 and CONTRACT.md."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from interview.engine.replay import replay

# --- the published tables, typed again here (REFERENCE §4), never read from the flow -----------------

SINS = {  # Fisher 2010 (§4.1); pain is 3/1/0
    "sins_location": {"junctional": 3, "mobile": 2, "semirigid": 1, "rigid": 0},
    "sins_pain": {"mechanical": 3, "occasional_nonmechanical": 1, "painfree": 0},
    "sins_bone_lesion": {"lytic": 2, "mixed": 1, "blastic": 0},
    "sins_alignment": {"subluxation": 4, "de_novo_deformity": 2, "normal": 0},
    "sins_collapse": {"gt50": 3, "lt50": 2, "no_collapse_gt50_body_involved": 1, "none": 0},
    "sins_posterolateral": {"bilateral": 3, "unilateral": 1, "none": 0},
}
SINS_ZERO = {"sins_location": "rigid", "sins_pain": "painfree", "sins_bone_lesion": "blastic",
             "sins_alignment": "normal", "sins_collapse": "none", "sins_posterolateral": "none"}
TOKUHASHI_PRIMARY = {  # Tokuhashi 2005 (§4.6); "others" score 2
    **dict.fromkeys(["lung_nsclc", "lung_sclc", "osteosarcoma", "stomach", "bladder", "oesophagus", "pancreas"], 0),
    **dict.fromkeys(["liver", "gallbladder_biliary"], 1),
    **dict.fromkeys(["colon", "melanoma", "sarcoma", "myeloma", "lymphoma", "leukaemia", "germ_cell", "ovary",
                     "head_neck", "other"], 2),
    **dict.fromkeys(["kidney", "uterus"], 3),
    "rectum": 4,
    **dict.fromkeys(["thyroid", "breast", "prostate", "carcinoid_neuroendocrine"], 5),
}
ECOG = {100: 0, 90: 0, 80: 1, 70: 1, 60: 2, 50: 2, 40: 3, 30: 3, 20: 4, 10: 4}  # §4.5

# A stable, staged, elective renal case (SINS 4, ESCC 1a, Tokuhashi 12): each test changes a few answers.
BASE: dict[str, Any] = {
    "neuro_deficit": False, "known_primary": True, "primary_tumour": "kidney", "histology_established": True,
    "mri_whole_spine_done": True, "escc_grade": "1a", "sins_location": "semirigid",
    "sins_pain": "occasional_nonmechanical", "sins_bone_lesion": "lytic", "sins_alignment": "normal",
    "sins_collapse": "none", "sins_posterolateral": "none", "staging_done": True, "extraspinal_bone_mets": 1,
    "vertebral_body_mets": 1, "visceral_mets": "none", "kps": 90, "fit_for_surgery": True,
    "expected_survival_months": 36,
}


def neuro(progressing: bool = True, hours: int = 10, frankel: str = "C") -> dict[str, Any]:
    """The neurological answers of a patient with a deficit."""
    return {"neuro_deficit": True, "deficit_progressing": progressing, "hours_since_deficit_onset": hours,
            "frankel": frankel}


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
TISSUE = "obtain_tissue_intraoperatively"
ESCC_1C = "escc_1c_borderline_mdt"
RADIO = "radiosensitivity_borderline_mdt"
EN_BLOC = "consider_en_bloc_at_mdt"
SOLITARY = {"extraspinal_bone_mets": 0, "vertebral_body_mets": 1}

# (id, changes to BASE, rule, headline, urgency, flags)
ROUTING_CASES: list[tuple[str, dict[str, Any], str, str, str, set[str]]] = [
    ("R1-survival-2.9-months", {"expected_survival_months": 2.9}, "R1", "palliative_rt_and_supportive_care", "elective", set()),
    ("R1-survival-0", {"expected_survival_months": 0}, "R1", "palliative_rt_and_supportive_care", "elective", set()),
    ("R1-not-at-3-months", {"expected_survival_months": 3}, "R7d", "sbrt_alone", "elective", set()),
    ("R1-progressing-deficit-still-emergency", {"expected_survival_months": 1, **neuro()}, "R1",
     "palliative_rt_and_supportive_care", "emergency", {MSCC}),
    ("R1-solitary-no-en-bloc", {"expected_survival_months": 2, **SOLITARY}, "R1",
     "palliative_rt_and_supportive_care", "elective", set()),
    ("R2-no-mri", {"mri_whole_spine_done": False}, "R2", "imaging_first", "urgent", set()),
    ("R2-stable-deficit-no-mri-emergency", {"mri_whole_spine_done": False, **neuro(progressing=False)}, "R2",
     "imaging_first", "emergency", {MSCC}),
    ("R3a-lymphoma-progressing-stable-spine", {"primary_tumour": "lymphoma", **neuro()}, "R3a", "cebrt_alone",
     "emergency", {MSCC}),
    ("R3a-not-when-unstable", {"primary_tumour": "myeloma", **neuro(), **CEMENT}, "R3b",
     "emergency_decompression_stabilisation_then_rt", "emergency", {MSCC, SC}),
    ("R3a-not-before-histology", {"primary_tumour": "lymphoma", "histology_established": False, **neuro()}, "R3b",
     "emergency_decompression_stabilisation_then_rt", "emergency", {MSCC, TISSUE}),
    ("R3b-breast-progressing-fit", {"primary_tumour": "breast", **neuro()}, "R3b",
     "emergency_decompression_stabilisation_then_rt", "emergency", {MSCC}),
    ("R3b-frankel-A-48h-is-not-beyond-48h", {**neuro(hours=48, frankel="A")}, "R3b",
     "emergency_decompression_stabilisation_then_rt", "emergency", {MSCC}),
    ("R3b-unknown-primary-tissue-intraop", {"known_primary": False, **neuro()}, "R3b",
     "emergency_decompression_stabilisation_then_rt", "emergency", {MSCC, TISSUE}),
    ("R3c-progressing-unfit", {"fit_for_surgery": False, **neuro()}, "R3c", "cebrt_alone", "emergency", {MSCC}),
    ("R3-frankel-B-49h-paraplegia-not-emergency-route", {**neuro(hours=49, frankel="B")}, "R7d", "sbrt_alone",
     "emergency", {MSCC, PARAPLEGIA}),
    ("R4-no-known-primary", {"known_primary": False}, "R4", "biopsy_and_staging_first", "urgent", set()),
    ("R4-histology-not-established", {"histology_established": False}, "R4", "biopsy_and_staging_first", "urgent",
     set()),
    ("R4-solitary-no-en-bloc", {"histology_established": False, **SOLITARY}, "R4", "biopsy_and_staging_first",
     "urgent", set()),
    ("R5-staging-not-done", {"staging_done": False}, "R5", "imaging_first", "urgent", set()),
    ("R6a-cement-lt50-collapse", CEMENT, "R6a", "cement_augmentation_then_rt", "elective", {SC}),
    ("R6a-cement-gt50-collapse", {**CEMENT, "sins_collapse": "gt50"}, "R6a", "cement_augmentation_then_rt",
     "elective", {SC}),
    ("R6a-cement-escc-1c-flagged", {**CEMENT, "escc_grade": "1c"}, "R6a", "cement_augmentation_then_rt", "elective",
     {SC, ESCC_1C}),
    ("R6a-not-with-posterolateral", {**CEMENT, "sins_posterolateral": "unilateral"}, "R6c", "stabilisation_then_rt",
     "elective", {SC}),
    ("R6a-not-without-collapse", {**CEMENT, "sins_collapse": "no_collapse_gt50_body_involved"}, "R6c",
     "stabilisation_then_rt", "elective", {SC}),
    ("R6b-kidney-unstable-escc2", {**CEMENT, "escc_grade": "2"}, "R6b", "separation_surgery_then_sbrt", "urgent", {SC}),
    ("R6b-breast-escc3-borderline", {**CEMENT, "escc_grade": "3", "primary_tumour": "breast"}, "R6b",
     "separation_surgery_then_sbrt", "urgent", {SC, RADIO}),
    ("R6c-subluxation-fit", SUBLUXATION, "R6c", "stabilisation_then_rt", "urgent", {SC}),
    ("R6c-myeloma-escc3-radiosensitive", {**CEMENT, "escc_grade": "3", "primary_tumour": "myeloma"}, "R6c",
     "stabilisation_then_rt", "urgent", {SC}),
    ("R6c-sins-13-without-mechanical-pain", {**sins_answers_for(13)}, "R6c", "stabilisation_then_rt", "urgent", {SC}),
    ("R6d-unstable-unfit", {**SUBLUXATION, "fit_for_surgery": False}, "R6d", "cebrt_alone", "urgent", {SC}),
    ("R6d-unstable-survival-under-3-is-R1", {**SUBLUXATION, "expected_survival_months": 2}, "R1",
     "palliative_rt_and_supportive_care", "urgent", {SC}),
    ("R7-sins-12-without-mechanical-pain-is-stable", {**sins_answers_for(12)}, "R7d", "sbrt_alone", "elective", {SC}),
    ("R7a-myeloma-stable", {"primary_tumour": "myeloma"}, "R7a", "cebrt_alone", "elective", set()),
    ("R7a-lymphoma-escc3", {"primary_tumour": "lymphoma", "escc_grade": "3"}, "R7a", "cebrt_alone", "urgent", set()),
    ("R7b-kidney-escc2-fit", {"escc_grade": "2"}, "R7b", "separation_surgery_then_sbrt", "urgent", set()),
    ("R7b-breast-escc2-borderline", {"escc_grade": "2", "primary_tumour": "breast"}, "R7b",
     "separation_surgery_then_sbrt", "urgent", {RADIO}),
    ("R7c-escc2-unfit", {"escc_grade": "2", "fit_for_surgery": False}, "R7c", "cebrt_alone", "urgent", set()),
    ("R7c-escc2-paraplegia-72h", {"escc_grade": "2", **neuro(progressing=False, hours=72, frankel="A")}, "R7c",
     "cebrt_alone", "urgent", {MSCC, PARAPLEGIA}),
    ("R7d-tokuhashi-12-ecog-0", {}, "R7d", "sbrt_alone", "elective", set()),
    ("R7d-tokuhashi-9", {"extraspinal_bone_mets": 3, "vertebral_body_mets": 3}, "R7d", "sbrt_alone", "elective", set()),
    ("R7e-tokuhashi-8", {"extraspinal_bone_mets": 3, "vertebral_body_mets": 3, **VISCERAL_REMOVABLE}, "R7e",
     "cebrt_alone", "elective", set()),
    ("R7d-ecog-2-kps-60", {"kps": 60}, "R7d", "sbrt_alone", "elective", set()),
    ("R7e-ecog-3-kps-40", {"kps": 40}, "R7e", "cebrt_alone", "elective", set()),
    ("flag-sins-6-no-consultation", {**sins_answers_for(6)}, "R7d", "sbrt_alone", "elective", set()),
    ("flag-sins-7-consultation", {**sins_answers_for(7)}, "R7d", "sbrt_alone", "elective", {SC}),
    ("flag-en-bloc-kidney-solitary-tomita-3", SOLITARY, "R7d", "sbrt_alone", "elective", {EN_BLOC}),
    ("flag-no-en-bloc-tomita-5", {**SOLITARY, "tomita_growth": "rapid"}, "R7d", "sbrt_alone", "elective", set()),
    ("flag-no-en-bloc-radiosensitive", {**SOLITARY, "primary_tumour": "myeloma", "tomita_growth": "slow"}, "R7a",
     "cebrt_alone", "elective", set()),
    ("flag-escc-1c-under-R1", {"escc_grade": "1c", "expected_survival_months": 1}, "R1",
     "palliative_rt_and_supportive_care", "elective", {ESCC_1C}),
]


@pytest.mark.parametrize(("changes", "rule", "headline", "urgency", "flags"), [c[1:] for c in ROUTING_CASES],
                         ids=[c[0] for c in ROUTING_CASES])
def test_routing_flags_and_urgency(flow, changes: dict[str, Any], rule: str, headline: str, urgency: str,
                                   flags: set[str]) -> None:
    """A named case decides by its rule, with its headline, urgency and exactly its flags."""
    rec = decide(flow, **changes).recommendation
    assert (rec.rule, rec.headline) == (rule, headline)
    assert rec.urgency == urgency
    assert set(rec.flags) == flags


def test_every_rule_and_flag_has_a_named_case(flow) -> None:
    """The table above reaches every rule and every flag of the flow at least once."""
    assert {c[2] for c in ROUTING_CASES} == {r.id for r in flow.model.rules}
    assert set().union(*(c[5] for c in ROUTING_CASES)) == {f.id for f in flow.model.flags}
    assert {c[4] for c in ROUTING_CASES} == {"emergency", "urgent", "elective"}
