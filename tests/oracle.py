"""Independent re-statement of CONTRACT.md §3–5 (derived values, scores, routing, flags, urgency) for differential testing."""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar

import yaml
from paths import CONTRACT

T = TypeVar("T")

# --------------------------------------------------------------------------------------------------
# The field list (case_fields.yaml)
# --------------------------------------------------------------------------------------------------


CASE_FIELDS_PATH = CONTRACT / "case_fields.yaml"


@functools.cache
def load_case_fields(
    path: Path = CASE_FIELDS_PATH,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Read case_fields.yaml (once; when first needed, never at import).

    Args:
        path: The YAML file to read.

    Returns:
        The contract fields and the optional context fields, each in file order.
    """
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document["fields"], document.get("optional") or {}


def fields() -> dict[str, dict[str, Any]]:
    """The contract's fields (case_fields.yaml `fields:`)."""
    return load_case_fields()[0]


def optional_fields() -> dict[str, dict[str, Any]]:
    """The optional context fields (case_fields.yaml `optional:`)."""
    return load_case_fields()[1]


def __getattr__(name: str) -> Any:
    """``oracle.FIELDS`` and ``oracle.OPTIONAL_FIELDS``, read lazily (PEP 562)."""
    if name == "FIELDS":
        return fields()
    if name == "OPTIONAL_FIELDS":
        return optional_fields()
    raise AttributeError(name)

# --------------------------------------------------------------------------------------------------
# Tables typed out from CONTRACT.md §3 and REFERENCE.md §4
# --------------------------------------------------------------------------------------------------

HEADLINES = frozenset(
    {
        "palliative_rt_and_supportive_care",
        "imaging_first",
        "cebrt_alone",
        "emergency_decompression_stabilisation_then_rt",
        "biopsy_and_staging_first",
        "cement_augmentation_then_rt",
        "separation_surgery_then_sbrt",
        "stabilisation_then_rt",
        "sbrt_alone",
    }
)

# KPS → ECOG (CONTRACT §3, REFERENCE §4.5): 90–100 → 0, 70–80 → 1, 50–60 → 2, 30–40 → 3, 10–20 → 4.
ECOG_FROM_KPS: dict[int, int] = {100: 0, 90: 0, 80: 1, 70: 1, 60: 2, 50: 2, 40: 3, 30: 3, 20: 4, 10: 4}

# SINS component points (REFERENCE §4.1, Fisher 2010). Pain is 3/1/0, not 3/2/1.
SINS_POINTS: dict[str, dict[str, int]] = {
    "sins_location": {"junctional": 3, "mobile": 2, "semirigid": 1, "rigid": 0},
    "sins_pain": {"mechanical": 3, "occasional_nonmechanical": 1, "painfree": 0},
    "sins_bone_lesion": {"lytic": 2, "mixed": 1, "blastic": 0},
    "sins_alignment": {"subluxation": 4, "de_novo_deformity": 2, "normal": 0},
    "sins_collapse": {"gt50": 3, "lt50": 2, "no_collapse_gt50_body_involved": 1, "none": 0},
    "sins_posterolateral": {"bilateral": 3, "unilateral": 1, "none": 0},
}
SINS_CATEGORIES: tuple[tuple[int, int, str], ...] = (
    (0, 6, "stable"),
    (7, 12, "potentially_unstable"),
    (13, 18, "unstable"),
)

# ESCC (Bilsky) class (REFERENCE §4.2): high for grades 2 and 3; 1c is low by grouping (flagged).
ESCC_CLASS: dict[str, str] = {"0": "low", "1a": "low", "1b": "low", "1c": "low", "2": "high", "3": "high"}


class PrimaryTumour(NamedTuple):
    """One row of the CONTRACT §3 primary-tumour table."""

    tokuhashi_points: int
    tomita_growth_default: str
    radiosensitivity: str


# CONTRACT §3 primary-tumour table, one line per value (the contract groups some rows).
PRIMARY_TUMOURS: dict[str, PrimaryTumour] = {
    "lung_nsclc": PrimaryTumour(0, "rapid", "intermediate"),
    "lung_sclc": PrimaryTumour(0, "rapid", "intermediate"),
    "osteosarcoma": PrimaryTumour(0, "rapid", "radioresistant"),
    "stomach": PrimaryTumour(0, "rapid", "radioresistant"),
    "oesophagus": PrimaryTumour(0, "rapid", "radioresistant"),
    "pancreas": PrimaryTumour(0, "rapid", "radioresistant"),
    "bladder": PrimaryTumour(0, "rapid", "intermediate"),
    "liver": PrimaryTumour(1, "rapid", "radioresistant"),
    "gallbladder_biliary": PrimaryTumour(1, "rapid", "radioresistant"),
    "unknown": PrimaryTumour(1, "rapid", "unknown"),
    "kidney": PrimaryTumour(3, "moderate", "radioresistant"),
    "uterus": PrimaryTumour(3, "moderate", "intermediate"),
    "rectum": PrimaryTumour(4, "rapid", "radioresistant"),
    "colon": PrimaryTumour(2, "rapid", "radioresistant"),
    "melanoma": PrimaryTumour(2, "rapid", "radioresistant"),
    "sarcoma": PrimaryTumour(2, "moderate", "radioresistant"),
    "thyroid": PrimaryTumour(5, "slow", "radioresistant"),
    "breast": PrimaryTumour(5, "slow", "intermediate"),
    "prostate": PrimaryTumour(5, "slow", "intermediate"),
    "carcinoid_neuroendocrine": PrimaryTumour(5, "slow", "intermediate"),
    "myeloma": PrimaryTumour(2, "moderate", "radiosensitive"),
    "lymphoma": PrimaryTumour(2, "moderate", "radiosensitive"),
    "leukaemia": PrimaryTumour(2, "moderate", "radiosensitive"),
    "germ_cell": PrimaryTumour(2, "moderate", "radiosensitive"),
    "ovary": PrimaryTumour(2, "moderate", "intermediate"),
    "head_neck": PrimaryTumour(2, "moderate", "intermediate"),
    "other": PrimaryTumour(2, "moderate", "intermediate"),
}

# Revised Tokuhashi 2005 (REFERENCE §4.6).
TOKUHASHI_FRANKEL_POINTS: dict[str, int] = {"A": 0, "B": 0, "C": 1, "D": 1, "E": 2}
TOKUHASHI_BANDS: tuple[tuple[int, int, tuple[str, str]], ...] = (
    (0, 8, ("0-8", "lt_6_months")),
    (9, 11, ("9-11", "ge_6_months")),
    (12, 15, ("12-15", "ge_12_months")),
)

# Tomita 2001 (REFERENCE §4.7).
TOMITA_GROWTH_POINTS: dict[str, int] = {"slow": 1, "moderate": 2, "rapid": 4}
TOMITA_STRATEGIES: tuple[tuple[int, int, str], ...] = (
    (2, 3, "wide_or_marginal_excision"),
    (4, 5, "marginal_or_intralesional_excision"),
    (6, 7, "palliative_surgery"),
    (8, 10, "nonoperative_supportive_care"),
)

# Modified Bauer (REFERENCE §4.8, Leithner 2008).
LUNG_PRIMARIES = frozenset({"lung_nsclc", "lung_sclc"})
BAUER_FAVOURABLE_PRIMARIES = frozenset({"breast", "kidney", "lymphoma", "myeloma"})
BAUER_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 1, "supportive_care_no_surgery"),
    (2, 2, "short_term_palliation_posterior_surgery"),
    (3, 4, "medium_term_local_control_anterior_posterior_surgery"),
)


def band_for(total: int, bands: Sequence[tuple[int, int, T]]) -> T:
    """Look a total up in an inclusive ``(low, high, label)`` band table.

    Args:
        total: The score total.
        bands: Inclusive ranges with their labels.

    Returns:
        The label of the range that holds ``total``.

    Raises:
        ValueError: If no range holds ``total``.
    """
    for low, high, label in bands:
        if low <= total <= high:
            return label
    raise ValueError(f"total {total} is outside every band")


# --------------------------------------------------------------------------------------------------
# Completing an answers mapping (CONTRACT §1)
# --------------------------------------------------------------------------------------------------


class MissingAnswerError(KeyError):
    """A field on the case's path is neither answered nor defaulted (the command exits 3)."""


_WHEN_EQUALS = re.compile(r'^\s*(\w+)\s*==\s*"([^"]*)"\s*$')
_WHEN_BARE = re.compile(r"^\s*(\w+)\s*$")


def when_holds(condition: str | None, known: Mapping[str, Any]) -> bool:
    """Evaluate a ``when`` expression of case_fields.yaml.

    Only the two forms the file uses are supported: a bare field id (truthy) and
    ``field == "value"``.

    Args:
        condition: The expression, or None when the field is always asked.
        known: The completed values of the fields that come earlier in the file.

    Returns:
        Whether the question is asked.

    Raises:
        ValueError: If the expression has another form.
    """
    if condition is None:
        return True
    if match := _WHEN_EQUALS.match(condition):
        return known[match[1]] == match[2]
    if match := _WHEN_BARE.match(condition):
        return bool(known[match[1]])
    raise ValueError(f"unsupported when expression: {condition!r}")


def tomita_growth_default(primary_tumour: str) -> str:
    """Return the Tomita growth class the interview proposes for a primary (CONTRACT §3 table).

    Args:
        primary_tumour: A ``primary_tumour`` value, or ``unknown``.

    Returns:
        ``slow``, ``moderate`` or ``rapid``.
    """
    return PRIMARY_TUMOURS[primary_tumour].tomita_growth_default


def complete(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Fill in every contract field of a case.

    A field whose ``when`` is false takes its ``otherwise`` value, even when the answers give one
    (CONTRACT §1: such a value is accepted but unused). ``tomita_growth`` missing on the path takes
    the default for the primary tumour. Optional context fields that were given are kept as given.

    Args:
        answers: Field id → value, as in an answers file.

    Returns:
        Every field of case_fields.yaml with its value on this case's path.

    Raises:
        MissingAnswerError: If a field needed on the path is missing (names the first one).
    """
    # AMBIGUITY: a value given for a field whose `when` is false is ignored and `otherwise` applies
    # (e.g. frankel "A" with neuro_deficit false scores as "E"); a given tomita_growth overrides
    # the default, even when it differs from the primary's proposal.
    full: dict[str, Any] = {}
    for field_id, spec in fields().items():
        if not when_holds(spec.get("when"), full):
            full[field_id] = spec.get("otherwise")
        elif field_id in answers:
            full[field_id] = answers[field_id]
        elif field_id == "tomita_growth":
            full[field_id] = tomita_growth_default(full["primary_tumour"])
        else:
            raise MissingAnswerError(field_id)
    for field_id, value in answers.items():
        if field_id in optional_fields():
            full[field_id] = value
    return full


# --------------------------------------------------------------------------------------------------
# Scores (CONTRACT §3, REFERENCE §4)
# --------------------------------------------------------------------------------------------------


def ecog_from_kps(kps: int) -> int:
    """Convert KPS to ECOG with the usual mapping (REFERENCE §4.5)."""
    return ECOG_FROM_KPS[kps]


def radiosensitivity(case: Mapping[str, Any]) -> str:
    """Return the radiosensitivity class: ``unknown`` until histology is established (§4.11)."""
    if not case["histology_established"]:
        return "unknown"
    return PRIMARY_TUMOURS[case["primary_tumour"]].radiosensitivity


def sins_total(case: Mapping[str, Any]) -> int | None:
    """Sum the six SINS items, or None without whole-spine MRI."""
    if not case["mri_whole_spine_done"]:
        return None
    return sum(points[case[item]] for item, points in SINS_POINTS.items())


def escc_class(case: Mapping[str, Any]) -> str | None:
    """Return ``high`` or ``low`` for the ESCC grade, or None without whole-spine MRI."""
    if not case["mri_whole_spine_done"]:
        return None
    return ESCC_CLASS[case["escc_grade"]]


def solitary_metastasis(case: Mapping[str, Any]) -> bool | None:
    """Return whether the metastasis is solitary (no extraspinal bone mets, one vertebra), or None unstaged."""
    if not case["staging_done"]:
        return None
    return case["extraspinal_bone_mets"] == 0 and case["vertebral_body_mets"] == 1


def tokuhashi_kps_points(kps: int) -> int:
    """Tokuhashi general condition: KPS 10–40 → 0, 50–70 → 1, 80–100 → 2."""
    if kps <= 40:
        return 0
    if kps <= 70:
        return 1
    return 2


def tokuhashi_extraspinal_points(extraspinal_bone_mets: int) -> int:
    """Tokuhashi extraspinal bone metastases: ≥ 3 → 0, 1–2 → 1, 0 → 2."""
    if extraspinal_bone_mets >= 3:
        return 0
    if extraspinal_bone_mets >= 1:
        return 1
    return 2


def tokuhashi_vertebral_points(vertebral_body_mets: int) -> int:
    """Tokuhashi vertebral body metastases: ≥ 3 → 0, 2 → 1, 1 → 2."""
    if vertebral_body_mets >= 3:
        return 0
    if vertebral_body_mets == 2:
        return 1
    return 2


def tokuhashi_visceral_points(case: Mapping[str, Any]) -> int:
    """Tokuhashi major-organ metastases: none → 2, removable → 1, not removable → 0."""
    if case["visceral_mets"] == "none":
        return 2
    return 1 if case["visceral_mets_removable"] else 0


def tokuhashi_total(case: Mapping[str, Any]) -> int | None:
    """Revised Tokuhashi 2005 total (0–15), or None when staging is not done."""
    if not case["staging_done"]:
        return None
    # AMBIGUITY: the primary-site points (and the Tomita default and Bauer primary points) use
    # primary_tumour even while histology is not established; only radiosensitivity waits for it.
    return (
        tokuhashi_kps_points(case["kps"])
        + tokuhashi_extraspinal_points(case["extraspinal_bone_mets"])
        + tokuhashi_vertebral_points(case["vertebral_body_mets"])
        + tokuhashi_visceral_points(case)
        + PRIMARY_TUMOURS[case["primary_tumour"]].tokuhashi_points
        + TOKUHASHI_FRANKEL_POINTS[case["frankel"]]
    )


def tomita_visceral_points(case: Mapping[str, Any]) -> int:
    """Tomita visceral metastases: none → 0, treatable → 2, not treatable → 4."""
    if case["visceral_mets"] == "none":
        return 0
    return 2 if case["visceral_mets_treatable"] else 4


def tomita_total(case: Mapping[str, Any]) -> int | None:
    """Tomita 2001 total (2–10), or None when staging is not done."""
    if not case["staging_done"]:
        return None
    bone_points = 1 if solitary_metastasis(case) else 2
    return TOMITA_GROWTH_POINTS[case["tomita_growth"]] + tomita_visceral_points(case) + bone_points


def modified_bauer_total(case: Mapping[str, Any]) -> int | None:
    """Modified Bauer total (0–4), or None when staging is not done."""
    if not case["staging_done"]:
        return None
    primary = case["primary_tumour"]
    favourable = (
        case["visceral_mets"] == "none",
        # Project convention (CONTRACT §3): the "not lung" point needs a known primary.
        # AMBIGUITY: known_primary true is enough; histology_established is not required.
        bool(case["known_primary"]) and primary not in LUNG_PRIMARIES,
        primary in BAUER_FAVOURABLE_PRIMARIES,
        bool(solitary_metastasis(case)),
    )
    return sum(favourable)


# --------------------------------------------------------------------------------------------------
# Routing conditions (CONTRACT §3, "Conditions used by the routing")
# --------------------------------------------------------------------------------------------------


def mechanically_unstable(case: Mapping[str, Any]) -> bool:
    """SINS ≥ 13, or SINS 7–12 with mechanical pain."""
    total = sins_total(case)
    # AMBIGUITY: without MRI SINS is null; a null SINS is neither ≥ 13 nor 7–12, so the case is
    # read as NOT mechanically unstable (derived.mechanically_unstable is false, never null).
    if total is None:
        return False
    return total >= 13 or (7 <= total <= 12 and case["sins_pain"] == "mechanical")


def cement_candidate(case: Mapping[str, Any]) -> bool:
    """Mechanically unstable, collapse < or > 50 %, normal alignment, no posterolateral involvement, ESCC low."""
    return (
        mechanically_unstable(case)
        and case["sins_collapse"] in ("lt50", "gt50")
        and case["sins_alignment"] == "normal"
        and case["sins_posterolateral"] == "none"
        and escc_class(case) == "low"
    )


def paraplegia_gt48h(case: Mapping[str, Any]) -> bool:
    """Frankel A or B with more than 48 hours since deficit onset."""
    # AMBIGUITY: the clock is hours_since_deficit_onset (the only clock collected), strictly > 48;
    # exactly 48 h is not "more than 48 hours".
    hours = case["hours_since_deficit_onset"]
    return case["frankel"] in ("A", "B") and hours is not None and hours > 48


def neuro_emergency(case: Mapping[str, Any]) -> bool:
    """Neuro deficit, progressing, and not complete paraplegia for more than 48 hours."""
    return bool(case["neuro_deficit"]) and bool(case["deficit_progressing"]) and not paraplegia_gt48h(case)


def surgical_candidate(case: Mapping[str, Any]) -> bool:
    """Fit for surgery and expected survival ≥ 3 months."""
    return bool(case["fit_for_surgery"]) and case["expected_survival_months"] >= 3


def decompression_candidate(case: Mapping[str, Any]) -> bool:
    """Surgical candidate and not complete paraplegia for more than 48 hours."""
    return surgical_candidate(case) and not paraplegia_gt48h(case)


@dataclass(frozen=True)
class Assessment:
    """Everything the routing, the flags and the urgency read, for one completed case."""

    case: Mapping[str, Any]
    ecog: int
    radiosensitivity: str
    sins_total: int | None
    sins_category: str | None
    escc_class: str | None
    tokuhashi_total: int | None
    tomita_total: int | None
    solitary_metastasis: bool | None
    mechanically_unstable: bool
    cement_candidate: bool
    paraplegia_gt48h: bool
    neuro_emergency: bool
    surgical_candidate: bool
    decompression_candidate: bool

    @property
    def radiosensitive(self) -> bool:
        """Only haematological and germ-cell tumours route as radiosensitive (AO grouping)."""
        return self.radiosensitivity == "radiosensitive"


def assess(case: Mapping[str, Any]) -> Assessment:
    """Derive every score and routing condition of a completed case.

    Args:
        case: The output of :func:`complete`.

    Returns:
        The assessment the routing reads.
    """
    total = sins_total(case)
    return Assessment(
        case=case,
        ecog=ecog_from_kps(case["kps"]),
        radiosensitivity=radiosensitivity(case),
        sins_total=total,
        sins_category=None if total is None else band_for(total, SINS_CATEGORIES),
        escc_class=escc_class(case),
        tokuhashi_total=tokuhashi_total(case),
        tomita_total=tomita_total(case),
        solitary_metastasis=solitary_metastasis(case),
        mechanically_unstable=mechanically_unstable(case),
        cement_candidate=cement_candidate(case),
        paraplegia_gt48h=paraplegia_gt48h(case),
        neuro_emergency=neuro_emergency(case),
        surgical_candidate=surgical_candidate(case),
        decompression_candidate=decompression_candidate(case),
    )


# --------------------------------------------------------------------------------------------------
# Routing (CONTRACT §4): the first rule that matches decides
# --------------------------------------------------------------------------------------------------


class Rule(NamedTuple):
    """One row of the CONTRACT §4 routing table."""

    rule: str
    applies: Callable[[Assessment], bool]
    headline: str


# AMBIGUITY: "stable" in R7a–R7e is read as "not mechanically unstable", not as SINS category
# `stable` (0–6): otherwise SINS 7–12 without mechanical pain would match no rule at all.
# AMBIGUITY: "ESCC high" is false when ESCC is null; the R3a/R6/R7 conditions that read SINS or
# ESCC are never reached without MRI, because R2 (or R1 before it) matches first.
# AMBIGUITY: "radiosensitive" is false for radiosensitivity `unknown` (histology not established),
# so an unproven haematological primary in a neuro emergency goes to R3b/R3c, not R3a.
ROUTING: tuple[Rule, ...] = (
    Rule("R1", lambda a: a.case["expected_survival_months"] < 3, "palliative_rt_and_supportive_care"),
    Rule("R2", lambda a: not a.case["mri_whole_spine_done"], "imaging_first"),
    Rule(
        "R3a",
        lambda a: a.neuro_emergency and a.radiosensitive and not a.mechanically_unstable,
        "cebrt_alone",
    ),
    Rule(
        "R3b",
        lambda a: a.neuro_emergency and a.surgical_candidate,
        "emergency_decompression_stabilisation_then_rt",
    ),
    Rule("R3c", lambda a: a.neuro_emergency, "cebrt_alone"),
    Rule("R4", lambda a: not a.case["histology_established"], "biopsy_and_staging_first"),
    Rule("R5", lambda a: not a.case["staging_done"], "imaging_first"),
    Rule("R6a", lambda a: a.mechanically_unstable and a.cement_candidate, "cement_augmentation_then_rt"),
    Rule(
        "R6b",
        lambda a: (
            a.mechanically_unstable
            and a.surgical_candidate
            and a.escc_class == "high"
            and not a.radiosensitive
        ),
        "separation_surgery_then_sbrt",
    ),
    Rule("R6c", lambda a: a.mechanically_unstable and a.surgical_candidate, "stabilisation_then_rt"),
    Rule("R6d", lambda a: a.mechanically_unstable, "cebrt_alone"),
    Rule("R7a", lambda a: not a.mechanically_unstable and a.radiosensitive, "cebrt_alone"),
    Rule(
        "R7b",
        lambda a: not a.mechanically_unstable and a.escc_class == "high" and a.decompression_candidate,
        "separation_surgery_then_sbrt",
    ),
    Rule("R7c", lambda a: not a.mechanically_unstable and a.escc_class == "high", "cebrt_alone"),
    Rule(
        "R7d",
        lambda a: (
            not a.mechanically_unstable
            and a.tokuhashi_total is not None
            and a.tokuhashi_total >= 9
            and a.ecog <= 2
        ),
        "sbrt_alone",
    ),
    Rule("R7e", lambda a: not a.mechanically_unstable, "cebrt_alone"),
)


def route(assessment: Assessment) -> Rule:
    """Return the first routing rule that matches.

    Args:
        assessment: The case's assessment.

    Returns:
        The matching rule.

    Raises:
        LookupError: If no rule matches (cannot happen for a valid case).
    """
    for rule in ROUTING:
        if rule.applies(assessment):
            return rule
    raise LookupError("no routing rule matched")


# --------------------------------------------------------------------------------------------------
# Flags and urgency (CONTRACT §5)
# --------------------------------------------------------------------------------------------------


def consider_en_bloc(assessment: Assessment, headline: str) -> bool:
    """Tomita ≤ 3, solitary, histology established, not radiosensitive, headline not palliative or biopsy."""
    # AMBIGUITY: the flag needs Tomita computed; without staging Tomita is null and the flag is
    # never raised (null is not ≤ 3, and "solitary" is unknown).
    # AMBIGUITY: "palliative" means only the headline `palliative_rt_and_supportive_care`;
    # `cebrt_alone`, `imaging_first` (R2 with staging done) and the emergency headline can carry
    # the flag.
    return (
        assessment.tomita_total is not None
        and assessment.tomita_total <= 3
        and bool(assessment.solitary_metastasis)
        and bool(assessment.case["histology_established"])
        and not assessment.radiosensitive
        and headline not in ("palliative_rt_and_supportive_care", "biopsy_and_staging_first")
    )


def flags_for(assessment: Assessment, headline: str) -> list[str]:
    """Return the sorted flags of CONTRACT §5.

    Args:
        assessment: The case's assessment.
        headline: The routed headline.

    Returns:
        The flags, sorted.
    """
    case = assessment.case
    flags: set[str] = set()
    # AMBIGUITY: a null SINS (no MRI) raises no surgical-consultation flag.
    if assessment.sins_total is not None and assessment.sins_total >= 7:
        flags.add("surgical_consultation_required")
    if case["neuro_deficit"]:
        flags.add("mscc_bundle_dexamethasone_mri_24h")
    if assessment.paraplegia_gt48h:
        flags.add("complete_paraplegia_gt48h_no_decompression_for_recovery")
    if headline == "emergency_decompression_stabilisation_then_rt" and not case["histology_established"]:
        flags.add("obtain_tissue_intraoperatively")
    # AMBIGUITY: the 1c flag depends only on the grade, whatever the headline (also under R1).
    if case["escc_grade"] == "1c":
        flags.add("escc_1c_borderline_mdt")
    if headline == "separation_surgery_then_sbrt" and assessment.radiosensitivity == "intermediate":
        flags.add("radiosensitivity_borderline_mdt")
    if consider_en_bloc(assessment, headline):
        flags.add("consider_en_bloc_at_mdt")
    return sorted(flags)


def urgency_for(assessment: Assessment, headline: str) -> str:
    """Return ``emergency``, ``urgent`` or ``elective`` (CONTRACT §5).

    Args:
        assessment: The case's assessment.
        headline: The routed headline.

    Returns:
        The urgency.
    """
    case = assessment.case
    # AMBIGUITY: "a neuro deficit that is progressing or has no MRI yet" is read as
    # neuro_deficit and (deficit_progressing or not mri_whole_spine_done). Urgency is independent
    # of the rule: R1 (palliative) with a progressing deficit is still `emergency`, and a
    # progressing paraplegia > 48 h (not a neuro emergency for routing) is still `emergency`.
    if case["neuro_deficit"] and (case["deficit_progressing"] or not case["mri_whole_spine_done"]):
        return "emergency"
    if (
        assessment.sins_category == "unstable"
        or assessment.escc_class == "high"
        or headline in ("biopsy_and_staging_first", "imaging_first")
    ):
        return "urgent"
    return "elective"


# --------------------------------------------------------------------------------------------------
# The decision
# --------------------------------------------------------------------------------------------------


def sins_object(assessment: Assessment) -> dict[str, Any] | None:
    """``{"total", "category"}``, or None without MRI."""
    if assessment.sins_total is None:
        return None
    return {"total": assessment.sins_total, "category": assessment.sins_category}


def escc_object(assessment: Assessment) -> dict[str, Any] | None:
    """``{"grade", "class"}``, or None without MRI."""
    if assessment.escc_class is None:
        return None
    return {"grade": assessment.case["escc_grade"], "class": assessment.escc_class}


def tokuhashi_object(assessment: Assessment) -> dict[str, Any] | None:
    """``{"total", "band", "prognosis"}``, or None when staging is not done."""
    if assessment.tokuhashi_total is None:
        return None
    band, prognosis = band_for(assessment.tokuhashi_total, TOKUHASHI_BANDS)
    return {"total": assessment.tokuhashi_total, "band": band, "prognosis": prognosis}


def tomita_object(assessment: Assessment) -> dict[str, Any] | None:
    """``{"total", "strategy"}``, or None when staging is not done."""
    if assessment.tomita_total is None:
        return None
    return {
        "total": assessment.tomita_total,
        "strategy": band_for(assessment.tomita_total, TOMITA_STRATEGIES),
    }


def modified_bauer_object(case: Mapping[str, Any]) -> dict[str, Any] | None:
    """``{"total", "band"}``, or None when staging is not done."""
    total = modified_bauer_total(case)
    if total is None:
        return None
    return {"total": total, "band": band_for(total, BAUER_BANDS)}


def score_objects(assessment: Assessment) -> dict[str, Any]:
    """Build the ``scores`` object of the output (null where the path cannot compute a score)."""
    case = assessment.case
    return {
        "sins": sins_object(assessment),
        "escc": escc_object(assessment),
        "tokuhashi": tokuhashi_object(assessment),
        "tomita": tomita_object(assessment),
        "modified_bauer": modified_bauer_object(case),
        "performance": {"kps": case["kps"], "ecog": assessment.ecog},
        "frankel": case["frankel"],
    }


def decide(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Decide a case as CONTRACT.md §3–5 describe.

    Args:
        answers: A valid answers mapping (only the fields on the path are needed).

    Returns:
        ``{"derived": ..., "scores": ..., "recommendation": {"headline", "rule", "urgency", "flags"}}``
        with exactly the keys the contract fixes; ``flags`` is a sorted list.

    Raises:
        MissingAnswerError: If a field needed on the path is missing.
    """
    assessment = assess(complete(answers))
    rule = route(assessment)
    return {
        "derived": {
            "ecog": assessment.ecog,
            "radiosensitivity": assessment.radiosensitivity,
            "mechanically_unstable": assessment.mechanically_unstable,
        },
        "scores": score_objects(assessment),
        "recommendation": {
            "headline": rule.headline,
            "rule": rule.rule,
            "urgency": urgency_for(assessment, rule.headline),
            "flags": flags_for(assessment, rule.headline),
        },
    }


# --------------------------------------------------------------------------------------------------
# Random valid cases
# --------------------------------------------------------------------------------------------------


class Picker(Protocol):
    """A source of choices: ``random.Random`` for :func:`random_case`, hypothesis ``draw`` for strategies."""

    def chance(self, probability: float) -> bool:
        """Return True with about the given probability."""
        ...

    def choice(self, options: Sequence[T], weights: Sequence[int] | None = None) -> T:
        """Return one option, weighted by the integer weights when given."""
        ...

    def integer(self, low: int, high: int) -> int:
        """Return an int in the inclusive range."""
        ...

    def number(self, low: float, high: float) -> float:
        """Return a float in the inclusive range."""
        ...


class RandomPicker:
    """A :class:`Picker` backed by ``random.Random``."""

    def __init__(self, rnd: random.Random) -> None:
        """Wrap a random generator.

        Args:
            rnd: The generator to draw from.
        """
        self._rnd = rnd

    def chance(self, probability: float) -> bool:
        """Return True with the given probability."""
        return self._rnd.random() < probability

    def choice(self, options: Sequence[T], weights: Sequence[int] | None = None) -> T:
        """Return one option, weighted when weights are given."""
        return self._rnd.choices(list(options), weights=weights)[0]

    def integer(self, low: int, high: int) -> int:
        """Return an int in the inclusive range."""
        return self._rnd.randint(low, high)

    def number(self, low: float, high: float) -> float:
        """Return a float in the range."""
        return self._rnd.uniform(low, high)


# Weights that make every rule and flag frequent (checked over 5,000 cases).
PROBABILITY: dict[str, float] = {
    "neuro_deficit": 0.40,
    "deficit_progressing": 0.70,
    "known_primary": 0.85,
    "histology_established": 0.88,
    "mri_whole_spine_done": 0.88,
    "staging_done": 0.85,
    "visceral_mets_removable": 0.40,
    "visceral_mets_treatable": 0.50,
    "fit_for_surgery": 0.70,
    "tomita_growth_omitted": 0.40,
}
RADIOSENSITIVE_PRIMARIES = ("myeloma", "lymphoma", "leukaemia", "germ_cell")

# SINS item profiles: `any` draws each item from its whole set; the others aim at a region.
SINS_PROFILES: dict[str, dict[str, tuple[str, ...]]] = {
    "stable": {
        "sins_location": ("mobile", "semirigid", "rigid"),
        "sins_pain": ("occasional_nonmechanical", "painfree"),
        "sins_bone_lesion": ("lytic", "mixed", "blastic"),
        "sins_alignment": ("normal",),
        "sins_collapse": ("no_collapse_gt50_body_involved", "none"),
        "sins_posterolateral": ("unilateral", "none"),
    },
    "cement": {
        "sins_location": ("junctional", "mobile", "semirigid", "rigid"),
        "sins_pain": ("mechanical",),
        "sins_bone_lesion": ("lytic", "mixed"),
        "sins_alignment": ("normal",),
        "sins_collapse": ("lt50", "gt50"),
        "sins_posterolateral": ("none",),
    },
    "unstable": {
        "sins_location": ("junctional", "mobile"),
        "sins_pain": ("mechanical", "occasional_nonmechanical", "painfree"),
        "sins_bone_lesion": ("lytic", "mixed"),
        "sins_alignment": ("subluxation", "de_novo_deformity"),
        "sins_collapse": ("gt50", "lt50"),
        "sins_posterolateral": ("bilateral", "unilateral"),
    },
}


def draw_sins_item(field_id: str, pick: Picker, plan: dict[str, Any]) -> str:
    """Draw one SINS item from the case's SINS profile (chosen at the first SINS item)."""
    if "sins_profile" not in plan:
        plan["sins_profile"] = pick.choice(("any", "stable", "cement", "unstable"), (3, 4, 2, 2))
    profile = plan["sins_profile"]
    options = fields()[field_id]["values"] if profile == "any" else SINS_PROFILES[profile][field_id]
    return pick.choice(options)


def draw_hours_since_onset(pick: Picker) -> int:
    """Hours since deficit onset, 0–8760, mostly around the 48-hour mark."""
    bucket = pick.choice(("around_48", "first_days", "late", "edge"), (4, 4, 2, 1))
    if bucket == "around_48":
        return pick.integer(44, 52)
    if bucket == "first_days":
        return pick.integer(0, 96)
    if bucket == "late":
        return pick.integer(97, 8760)
    return pick.choice((0, 48, 49, 8760))


def draw_frankel(pick: Picker) -> str:
    """Frankel grade, with A and B common enough for the paraplegia rules."""
    return pick.choice(("A", "B", "C", "D", "E"), (2, 2, 2, 2, 1))


def draw_primary_tumour(pick: Picker) -> str:
    """Primary tumour, with the radiosensitive ones over-represented."""
    values: list[str] = fields()["primary_tumour"]["values"]
    weights = [3 if value in RADIOSENSITIVE_PRIMARIES else 1 for value in values]
    return pick.choice(values, weights)


def draw_extraspinal_bone_mets(pick: Picker) -> int:
    """Extraspinal bone metastases, 0–999, mostly 0–5."""
    bucket = pick.choice(("none", "few", "many"), (4, 5, 1))
    if bucket == "none":
        return 0
    if bucket == "few":
        return pick.integer(1, 5)
    return pick.integer(6, 999)


def draw_vertebral_body_mets(pick: Picker) -> int:
    """Vertebral body metastases, 1–33, mostly 1–5."""
    bucket = pick.choice(("one", "few", "many"), (4, 4, 1))
    if bucket == "one":
        return 1
    if bucket == "few":
        return pick.integer(2, 5)
    return pick.integer(6, 33)


def draw_expected_survival_months(pick: Picker) -> int | float:
    """Expected survival in months, 0–600, with < 3, 3–6, 6–12 and > 12 all common, and the cut-offs."""
    # "> 12 months" first: hypothesis shrinks towards the first option, the simplest case.
    bucket = pick.choice(("gt12", "6to12", "3to6", "lt3", "cutoff"), (9, 5, 5, 3, 3))
    if bucket == "cutoff":
        return pick.choice((0, 2.9, 3, 6, 12, 600))
    low, high = {"lt3": (0, 2), "3to6": (3, 6), "6to12": (6, 12), "gt12": (13, 600)}[bucket]
    if bucket == "gt12" and pick.chance(0.8):
        high = 120
    if pick.chance(0.5):
        return pick.integer(low, high)
    upper = 2.9 if bucket == "lt3" else float(high)
    return round(pick.number(float(low), upper), 1)


def draw_from_spec(field_id: str, pick: Picker) -> Any:
    """Draw a value for a field from its case_fields.yaml set or range (no bias)."""
    spec = fields()[field_id]
    if spec["type"] == "bool":
        return pick.chance(PROBABILITY.get(field_id, 0.5))
    if spec["type"] == "enum":
        return pick.choice(spec["values"])
    if spec["type"] == "int":
        step = spec.get("step", 1)
        return spec["min"] + step * pick.integer(0, (spec["max"] - spec["min"]) // step)
    if spec["type"] == "number":
        return pick.number(float(spec["min"]), float(spec["max"]))
    raise ValueError(f"no drawer for field {field_id} of type {spec['type']}")


def draw_field(field_id: str, pick: Picker, plan: dict[str, Any]) -> Any:
    """Draw a valid value for one field of a case, with the biases above.

    Args:
        field_id: A case_fields.yaml field id.
        pick: The source of choices.
        plan: Per-case state shared between fields (the SINS profile).

    Returns:
        A value from the field's set or range.
    """
    if field_id in SINS_POINTS:
        return draw_sins_item(field_id, pick, plan)
    special: dict[str, Callable[[Picker], Any]] = {
        "hours_since_deficit_onset": draw_hours_since_onset,
        "frankel": draw_frankel,
        "primary_tumour": draw_primary_tumour,
        "extraspinal_bone_mets": draw_extraspinal_bone_mets,
        "vertebral_body_mets": draw_vertebral_body_mets,
        "expected_survival_months": draw_expected_survival_months,
    }
    if field_id in special:
        return special[field_id](pick)
    return draw_from_spec(field_id, pick)


def build_case(pick: Picker) -> dict[str, Any]:
    """Build a valid answers mapping holding exactly the fields on the case's path.

    Fields are visited in case_fields.yaml order; a field is included when its ``when`` holds
    for the values drawn so far. ``tomita_growth`` (which has a default) is sometimes left out.

    Args:
        pick: The source of choices.

    Returns:
        Field id → value.
    """
    answers: dict[str, Any] = {}
    known: dict[str, Any] = {}
    plan: dict[str, Any] = {}
    for field_id, spec in fields().items():
        if not when_holds(spec.get("when"), known):
            known[field_id] = spec.get("otherwise")
            continue
        if "default_from" in spec and pick.chance(PROBABILITY["tomita_growth_omitted"]):
            known[field_id] = None
            continue
        answers[field_id] = known[field_id] = draw_field(field_id, pick, plan)
    return answers


def random_case(rnd: random.Random) -> dict[str, Any]:
    """Return a random valid answers mapping with only the fields on its path.

    Args:
        rnd: The random generator.

    Returns:
        Field id → value.
    """
    return build_case(RandomPicker(rnd))
