"""Independent re-statement of case contract version 2 (CONTRACT.md §1, §3–5) for differential testing.

Written from ``sources/contract/CONTRACT.md``, ``case_fields.yaml`` and ``REFERENCE.md`` only, never
from the flow or the product, so that the product can be tested against it. Same API as
``tests/oracle.py`` (the v1 oracle), which it replaces by a rename when the flow moves to v2.
§7 (``not_known`` answers, provisional results) is out of scope here: it has its own issue.

Readings of the contract text that could be read another way are marked ``# AMBIGUITY:``.
"""

from __future__ import annotations

import ast
import functools
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar

import yaml
from paths import CONTRACT_V2

T = TypeVar("T")

# --------------------------------------------------------------------------------------------------
# The field list (case_fields.yaml, schema 2)
# --------------------------------------------------------------------------------------------------

CASE_FIELDS_PATH = CONTRACT_V2 / "case_fields.yaml"


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
    """The contract's fields (case_fields.yaml `fields:`), in file order."""
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
# A tiny, safe evaluator for the `when` expressions of case_fields.yaml
# --------------------------------------------------------------------------------------------------

# A compiled `when`: reads the values completed so far (fields earlier in the file) and says whether
# the question is asked.
Predicate = Callable[[Mapping[str, Any]], Any]

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: lambda left, right: left == right,
    ast.NotEq: lambda left, right: left != right,
    ast.In: lambda left, right: left in right,
    ast.NotIn: lambda left, right: left not in right,
    ast.Lt: lambda left, right: left < right,
    ast.LtE: lambda left, right: left <= right,
    ast.Gt: lambda left, right: left > right,
    ast.GtE: lambda left, right: left >= right,
}


def _compile_node(node: ast.AST, source: str) -> Predicate:
    """Turn one node of a `when` expression into a closure; refuse anything but the plain forms.

    Allowed: field names, constants (str, int, float, bool, None), lists/tuples of constants,
    comparisons (==, !=, in, not in, <, <=, >, >=, chained as in Python), ``and``/``or`` (short
    circuit, so ``mri_whole_spine_done and escc_grade in [...]`` never compares a null grade) and
    ``not``. No calls, attributes, subscripts or arithmetic: nothing of the file is executed.
    """
    if isinstance(node, ast.Expression):
        return _compile_node(node.body, source)
    if isinstance(node, ast.Name):
        name = node.id
        return lambda known: known[name]
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str | int | float)):
        value = node.value
        return lambda known: value
    if isinstance(node, ast.List | ast.Tuple):
        items = [_compile_node(element, source) for element in node.elts]
        if not all(isinstance(element, ast.Constant) for element in node.elts):
            raise ValueError(f"only lists of constants are allowed in when: {source!r}")
        constant = tuple(item({}) for item in items)
        return lambda known: constant
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        operand = _compile_node(node.operand, source)
        return lambda known: not operand(known)
    if isinstance(node, ast.BoolOp):
        operands = [_compile_node(value, source) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda known: all(operand(known) for operand in operands)
        return lambda known: any(operand(known) for operand in operands)
    if isinstance(node, ast.Compare):
        left = _compile_node(node.left, source)
        steps = []
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            if type(op) not in _COMPARE:
                raise ValueError(f"unsupported comparison in when: {source!r}")
            steps.append((_COMPARE[type(op)], _compile_node(comparator, source)))

        def compare(known: Mapping[str, Any]) -> bool:
            current = left(known)
            for operator, right in steps:
                value = right(known)
                if not operator(current, value):
                    return False
                current = value
            return True

        return compare
    raise ValueError(f"unsupported syntax {type(node).__name__} in when: {source!r}")


@functools.cache
def compile_when(condition: str | None) -> Predicate:
    """Compile a ``when`` expression once (cached); None means the question is always asked.

    Args:
        condition: The expression text from case_fields.yaml.

    Returns:
        A predicate over the values completed so far.

    Raises:
        ValueError: If the expression uses anything beyond the plain forms.
    """
    if condition is None:
        return lambda known: True
    return _compile_node(ast.parse(condition, mode="eval"), condition)


def when_holds(condition: str | None, known: Mapping[str, Any]) -> bool:
    """Whether a question with this ``when`` is asked, given the values of earlier fields."""
    return bool(compile_when(condition)(known))


@functools.cache
def _compiled_fields() -> tuple[tuple[str, dict[str, Any], Predicate], ...]:
    """Every field with its compiled ``when``, in file order (compiled once per run)."""
    return tuple((field_id, spec, compile_when(spec.get("when"))) for field_id, spec in fields().items())


# --------------------------------------------------------------------------------------------------
# Tables typed out from CONTRACT.md §3 and REFERENCE.md §4
# --------------------------------------------------------------------------------------------------

# CONTRACT §4: the 13 headline labels.
HEADLINES = frozenset(
    {
        "paediatric_referral",
        "imaging_first",
        "palliative_rt_and_supportive_care",
        "urgent_neuro_review",
        "cebrt_alone",
        "emergency_decompression_stabilisation_then_rt",
        "reirradiation_mdt",
        "biopsy_and_staging_first",
        "cement_augmentation_then_rt",
        "separation_surgery_then_sbrt",
        "stabilisation_then_rt",
        "systemic_therapy_first",
        "sbrt_alone",
    }
)

# CONTRACT §5: the 18 flags.
FLAGS = frozenset(
    {
        "surgical_consultation_required",
        "mscc_bundle_dexamethasone_mri_24h",
        "complete_paraplegia_gt48h_no_decompression_for_recovery",
        "obtain_tissue_intraoperatively",
        "escc_1c_borderline_mdt",
        "radiosensitivity_borderline_mdt",
        "separation_surgery_mdt_alternative",
        "consider_en_bloc_at_mdt",
        "prior_rt_reirradiation_limits",
        "palliative_pathway_likely",
        "surgical_review_within_48h",
        "deficit_not_explained_by_compression",
        "tissue_diagnosis_needed",
        "preoperative_embolisation_consider",
        "pregnancy_obstetric_and_physics_review",
        "possible_primary_bone_tumour_sarcoma_mdt",
        "multilevel_compression_mdt",
        "atypical_features_exclude_mimics",
    }
)

URGENCIES = ("elective", "urgent", "emergency")

# KPS → ECOG (CONTRACT §3, REFERENCE §4.5): 90–100 → 0, 70–80 → 1, 50–60 → 2, 30–40 → 3, 10–20 → 4.
ECOG_FROM_KPS: dict[int, int] = {100: 0, 90: 0, 80: 1, 70: 1, 60: 2, 50: 2, 40: 3, 30: 3, 20: 4, 10: 4}

# SINS item points (REFERENCE §4.1, Fisher 2010). Pain is 3/1/0 (not the mis-quoted 3/2/1).
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

# ESCC (Bilsky) class (CONTRACT §3, REFERENCE §4.2): high for grades 2 and 3, else low.
ESCC_CLASS: dict[str, str] = {"0": "low", "1a": "low", "1b": "low", "1c": "low", "2": "high", "3": "high"}


class PrimaryTumour(NamedTuple):
    """One row of the CONTRACT §3 primary-tumour table."""

    tokuhashi_points: int
    tomita_growth_default: str
    radiosensitivity: str


# CONTRACT §3 primary-tumour table, one line per value (the contract groups some rows).
# v2: SCLC and plasmacytoma are radiosensitive; breast and prostate moderately radiosensitive.
PRIMARY_TUMOURS: dict[str, PrimaryTumour] = {
    "lung_nsclc": PrimaryTumour(0, "rapid", "intermediate"),
    "lung_sclc": PrimaryTumour(0, "rapid", "radiosensitive"),
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
    "breast": PrimaryTumour(5, "slow", "moderately_radiosensitive"),
    "prostate": PrimaryTumour(5, "slow", "moderately_radiosensitive"),
    "carcinoid_neuroendocrine": PrimaryTumour(5, "slow", "intermediate"),
    "ovary": PrimaryTumour(2, "moderate", "intermediate"),
    "myeloma": PrimaryTumour(2, "moderate", "radiosensitive"),
    "plasmacytoma": PrimaryTumour(2, "moderate", "radiosensitive"),
    "lymphoma": PrimaryTumour(2, "moderate", "radiosensitive"),
    "leukaemia": PrimaryTumour(2, "moderate", "radiosensitive"),
    "germ_cell": PrimaryTumour(2, "moderate", "radiosensitive"),
    "head_neck": PrimaryTumour(2, "moderate", "intermediate"),
    "other": PrimaryTumour(2, "moderate", "intermediate"),
}

# Revised Tokuhashi 2005 (CONTRACT §3, REFERENCE §4.6).
TOKUHASHI_FRANKEL_POINTS: dict[str, int] = {"A": 0, "B": 0, "C": 1, "D": 1, "E": 2}
TOKUHASHI_BANDS: tuple[tuple[int, int, tuple[str, str]], ...] = (
    (0, 8, ("0-8", "lt_6_months")),
    (9, 11, ("9-11", "ge_6_months")),
    (12, 15, ("12-15", "ge_12_months")),
)

# Tomita 2001 (CONTRACT §3, REFERENCE §4.7).
TOMITA_GROWTH_POINTS: dict[str, int] = {"slow": 1, "moderate": 2, "rapid": 4}
TOMITA_STRATEGIES: tuple[tuple[int, int, str], ...] = (
    (2, 3, "wide_or_marginal_excision"),
    (4, 5, "marginal_or_intralesional_excision"),
    (6, 7, "palliative_surgery"),
    (8, 10, "nonoperative_supportive_care"),
)

# Modified Bauer (CONTRACT §3, REFERENCE §4.8); v2 adds plasmacytoma to the favourable primaries.
LUNG_PRIMARIES = frozenset({"lung_nsclc", "lung_sclc"})
BAUER_FAVOURABLE_PRIMARIES = frozenset({"breast", "kidney", "lymphoma", "myeloma", "plasmacytoma"})
BAUER_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 1, "supportive_care_no_surgery"),
    (2, 2, "short_term_palliation_posterior_surgery"),
    (3, 4, "medium_term_local_control_anterior_posterior_surgery"),
)

# Primary lists of the routing conditions (CONTRACT §3 "Conditions used by the routing", §4, §5).
SYSTEMIC_FIRST_PRIMARIES = frozenset({"lymphoma", "leukaemia", "germ_cell", "myeloma"})
TREATMENT_SENSITIVE_PRIMARIES = frozenset(
    {"prostate", "breast", "lymphoma", "myeloma", "plasmacytoma", "leukaemia", "germ_cell", "lung_sclc"}
)
# R3b keeps Patchell's own exclusions (plus plasmacytoma): SCLC is radiosensitive but not here (§3).
PATCHELL_EXCLUDED_PRIMARIES = frozenset({"myeloma", "plasmacytoma", "lymphoma", "leukaemia", "germ_cell"})
HYPERVASCULAR_PRIMARIES = frozenset({"kidney", "thyroid", "liver", "carcinoid_neuroendocrine"})
SARCOMA_PRIMARIES = frozenset({"osteosarcoma", "sarcoma"})
EXPLAINING_OTHER_COMPRESSION = frozenset({"conus_or_cauda_equina", "bone_or_translation", "root_only"})
EMERGENCY_OTHER_COMPRESSION = frozenset({"conus_or_cauda_equina", "bone_or_translation"})
SURGICAL_HEADLINES = frozenset(
    {"emergency_decompression_stabilisation_then_rt", "separation_surgery_then_sbrt", "stabilisation_then_rt"}
)
# consider_en_bloc_at_mdt: "the headline neither palliative, nor biopsy, nor imaging first, nor paediatric".
# AMBIGUITY: "palliative" is the headline `palliative_rt_and_supportive_care` only (cebrt_alone may carry
# the flag).
NO_EN_BLOC_HEADLINES = frozenset(
    {"palliative_rt_and_supportive_care", "biopsy_and_staging_first", "imaging_first", "paediatric_referral"}
)
URGENT_HEADLINES = frozenset(
    {"biopsy_and_staging_first", "imaging_first", "urgent_neuro_review", "paediatric_referral"}
)


def band_for(total: int, bands: Sequence[tuple[int, int, T]]) -> T:
    """Look a total up in an inclusive ``(low, high, label)`` band table.

    Raises:
        ValueError: If no range holds ``total``.
    """
    for low, high, label in bands:
        if low <= total <= high:
            return label
    raise ValueError(f"total {total} is outside every band")


def tomita_growth_default(primary_tumour: str) -> str:
    """The Tomita growth class the interview proposes for a primary (CONTRACT §1 and §3 table)."""
    return PRIMARY_TUMOURS[primary_tumour].tomita_growth_default


# --------------------------------------------------------------------------------------------------
# Completing an answers mapping (CONTRACT §1)
# --------------------------------------------------------------------------------------------------


class MissingAnswerError(KeyError):
    """A field on the case's path is neither answered nor defaulted (the command exits 3)."""


def _normalised(spec: Mapping[str, Any], value: Any) -> Any:
    """Apply the two normalisations of CONTRACT §1 to a valid value.

    An enum whose values look numeric accepts the bare number (ESCC ``2`` → ``"2"``); an int field
    accepts a whole float (``80.0`` → 80). Validation itself is the product's job, not the oracle's.
    """
    kind = spec["type"]
    if kind == "enum" and isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else str(value)
        return text if text in spec["values"] else value
    if kind == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def complete(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Fill in every contract field of a case (CONTRACT §1).

    Fields are visited in case_fields.yaml order, so a ``when`` only reads fields before it. A field
    whose ``when`` is false takes its ``otherwise`` value; ``tomita_growth`` on the path but left out
    takes the default for the primary tumour; an explicit null is the same as a missing answer.
    Optional context fields that were given are kept as given.

    Args:
        answers: Field id → value, as in an answers file (valid values; no ``not_known``, §7).

    Returns:
        Every field of case_fields.yaml with its value on this case's path.

    Raises:
        MissingAnswerError: If a field needed on the path is missing (names the first one).
    """
    # AMBIGUITY: a value given for a field whose `when` is false is unused (§1: "accepted, reported as
    # unused"), so `otherwise` applies (e.g. frankel "A" with neuro_deficit false scores as "E"). A
    # given tomita_growth overrides the primary's default, even when it differs from it.
    full: dict[str, Any] = {}
    for field_id, spec, asked in _compiled_fields():
        if not asked(full):
            full[field_id] = spec.get("otherwise")
            continue
        value = answers.get(field_id)
        if value is not None:
            full[field_id] = _normalised(spec, value)
        elif field_id == "tomita_growth":
            full[field_id] = tomita_growth_default(full["primary_tumour"])
        else:
            raise MissingAnswerError(field_id)
    optional = optional_fields()
    for field_id, value in answers.items():
        if field_id in optional:
            full[field_id] = value
    return full


# --------------------------------------------------------------------------------------------------
# Derived values and conditions (CONTRACT §3)
# --------------------------------------------------------------------------------------------------


def tokuhashi_kps_points(kps: int) -> int:
    """Tokuhashi general condition: KPS 10–40 → 0, 50–70 → 1, 80–100 → 2."""
    return 0 if kps <= 40 else 1 if kps <= 70 else 2


def tokuhashi_extraspinal_points(extraspinal_bone_mets: int) -> int:
    """Tokuhashi extraspinal bone metastases: ≥ 3 → 0, 1–2 → 1, 0 → 2."""
    return 0 if extraspinal_bone_mets >= 3 else 1 if extraspinal_bone_mets >= 1 else 2


def tokuhashi_vertebral_points(vertebral_body_mets: int) -> int:
    """Tokuhashi vertebral body metastases: ≥ 3 → 0, 2 → 1, 1 → 2."""
    return 0 if vertebral_body_mets >= 3 else 1 if vertebral_body_mets == 2 else 2


class Assessment:
    """Every derived value and routing condition of one completed case (CONTRACT §3), computed once.

    Plain attributes (no properties) so that the routing table and the flags read them cheaply.
    """

    __slots__ = (
        "case",
        "ecog",
        "histology_established",
        "radiosensitivity",
        "mri",
        "sins_total",
        "sins_category",
        "escc_grade",
        "escc_class",
        "escc_high",
        "staged",
        "solitary",
        "tokuhashi_total",
        "tomita_total",
        "bauer_total",
        "paediatric",
        "mechanically_unstable",
        "cement_candidate",
        "paraplegia_gt48h",
        "compression_explains_deficit",
        "neuro_emergency",
        "single_area",
        "treatment_sensitive_untreated",
        "surgical_candidate",
        "decompression_candidate",
        "separation_candidate",
        "systemic_first_histology",
        "oligometastatic",
        "low_risk_painless",
        "sbrt_suitable",
        "prior_rt",
        "short_survival",
    )

    def __init__(self, case: Mapping[str, Any]) -> None:
        """Derive everything from a completed case (the output of :func:`complete`)."""
        self.case = case
        primary = case["primary_tumour"]
        row = PRIMARY_TUMOURS[primary]
        neuro = bool(case["neuro_deficit"])
        survival = case["expected_survival_months"]
        self.ecog = ECOG_FROM_KPS[case["kps"]]

        # "Histology established" always means histology_established and not atypical_features (§3).
        self.histology_established = bool(case["histology_established"]) and not case["atypical_features"]
        self.radiosensitivity = row.radiosensitivity if self.histology_established else "unknown"

        # SINS and ESCC need the whole-spine MRI (§2: null otherwise).
        self.mri = bool(case["mri_whole_spine_done"])
        if self.mri:
            self.sins_total = sum(points[case[item]] for item, points in SINS_POINTS.items())
            self.sins_category = band_for(self.sins_total, SINS_CATEGORIES)
            self.escc_grade = case["escc_grade"]
            self.escc_class = ESCC_CLASS[self.escc_grade]
        else:
            self.sins_total = self.sins_category = self.escc_grade = self.escc_class = None
        self.escc_high = self.escc_class == "high"

        # Tokuhashi, Tomita and modified Bauer need staging (§2: null otherwise).
        # AMBIGUITY: the primary-site items (Tokuhashi points, Tomita default, Bauer primary points) read
        # primary_tumour even while histology is not established; only radiosensitivity waits for it.
        self.staged = bool(case["staging_done"])
        if self.staged:
            extraspinal = case["extraspinal_bone_mets"]
            vertebral = case["vertebral_body_mets"]
            visceral_none = case["visceral_mets"] == "none"
            # Project convention (§3): "solitary" = no extraspinal bone metastasis and one vertebra.
            self.solitary = extraspinal == 0 and vertebral == 1
            self.tokuhashi_total = (
                tokuhashi_kps_points(case["kps"])
                + tokuhashi_extraspinal_points(extraspinal)
                + tokuhashi_vertebral_points(vertebral)
                + (2 if visceral_none else 1 if case["visceral_mets_removable"] else 0)
                + row.tokuhashi_points
                + TOKUHASHI_FRANKEL_POINTS[case["frankel"]]
            )
            self.tomita_total = (
                TOMITA_GROWTH_POINTS[case["tomita_growth"]]
                + (0 if visceral_none else 2 if case["visceral_mets_treatable"] else 4)
                + (1 if self.solitary else 2)
            )
            # AMBIGUITY: "known primary that is not lung" reads known_primary (an unknown primary scores
            # 0, §3 convention); an established histology is not required for this point.
            self.bauer_total = (
                visceral_none
                + (bool(case["known_primary"]) and primary not in LUNG_PRIMARIES)
                + (primary in BAUER_FAVOURABLE_PRIMARIES)
                + self.solitary
            )
        else:
            self.solitary = False
            self.tokuhashi_total = self.tomita_total = self.bauer_total = None
            visceral_none = False

        self.paediatric = case["age"] < 18

        # Mechanical instability (§3): SINS ≥ 13, or 7–12 with mechanical pain, subluxation, or two of
        # the three signs of structural failure. Without MRI: false, never null (§7 last paragraph).
        if self.mri and self.sins_total >= 13:
            self.mechanically_unstable = True
        elif self.mri and self.sins_total >= 7:
            structural = (
                (case["sins_alignment"] == "de_novo_deformity")
                + (case["sins_collapse"] == "gt50")
                + (case["sins_posterolateral"] == "bilateral")
            )
            self.mechanically_unstable = (
                case["sins_pain"] == "mechanical"
                or case["sins_alignment"] == "subluxation"
                or structural >= 2
            )
        else:
            self.mechanically_unstable = False

        self.cement_candidate = (
            self.mechanically_unstable
            and case["sins_collapse"] in ("lt50", "gt50")
            and case["sins_alignment"] == "normal"
            and case["sins_posterolateral"] == "none"
            and self.escc_grade in ("0", "1a")
            and case["posterior_wall_intact"] is True
        )

        # Patchell's > 48 h is timed from the loss of motor function, not from the first symptom (§3).
        motor_loss = case["hours_since_motor_loss"]
        self.paraplegia_gt48h = case["frankel"] in ("A", "B") and motor_loss is not None and motor_loss > 48

        other = case["other_neural_compression"]
        # AMBIGUITY: the condition is read from the MRI findings alone (it names no deficit); rules and
        # flags that speak of "a deficit that compression explains" add neuro_deficit themselves.
        self.compression_explains_deficit = (
            self.escc_grade in ("1c", "2", "3") or other in EXPLAINING_OTHER_COMPRESSION
        )
        self.neuro_emergency = (
            neuro
            and (bool(case["deficit_progressing"]) or self.escc_high or other in EMERGENCY_OTHER_COMPRESSION)
            and not self.paraplegia_gt48h
        )
        # AMBIGUITY: compression_extent's `otherwise` is single_area, so a case with no compression at
        # all counts as a "single area" (it only matters where compression exists: R3c, separation).
        self.single_area = case["compression_extent"] == "single_area"

        # systemic_treatment_status is null (not naive) when histology_established is false.
        # AMBIGUITY: the status is read as answered even when atypical_features puts the histology back
        # in question (the question's `when` is the histology_established answer, not §3's notion).
        self.treatment_sensitive_untreated = (
            case["systemic_treatment_status"] == "naive" and primary in TREATMENT_SENSITIVE_PRIMARIES
        )
        # A short estimate does not bar surgery for a treatment-sensitive untreated cancer (§3).
        self.surgical_candidate = bool(case["fit_for_surgery"]) and (
            survival >= 3 or self.treatment_sensitive_untreated
        )
        self.decompression_candidate = self.surgical_candidate and not self.paraplegia_gt48h
        contiguous = case["contiguous_levels"]
        # AMBIGUITY: separation's "expected survival ≥ 6 months" has no treatment-sensitive exemption
        # (the contract gives that exemption to the 3-month surgical gate only).
        self.separation_candidate = (
            self.decompression_candidate
            and self.ecog <= 2
            and survival >= 6
            and self.single_area
            and contiguous is not None
            and contiguous <= 3
        )
        self.systemic_first_histology = self.histology_established and primary in SYSTEMIC_FIRST_PRIMARIES
        # AMBIGUITY: without staging the metastasis count is unknown, so the case is not oligometastatic
        # (it is only read after R5, which catches unstaged cases).
        self.oligometastatic = (
            self.histology_established
            and self.staged
            and visceral_none
            and case["extraspinal_bone_mets"] + case["vertebral_body_mets"] <= 5
        )
        self.low_risk_painless = (
            not neuro
            and not case["radicular_pain"]
            and self.escc_grade in ("0", "1a")
            and case["sins_pain"] == "painfree"
            and self.sins_total is not None
            and self.sins_total <= 6
            and case["sins_location"] != "junctional"
            and not self.oligometastatic
            and primary != "plasmacytoma"
        )
        # AMBIGUITY: "no neurological deficit" in the SBRT gate is neuro_deficit false; radicular pain
        # alone does not close the gate.
        self.sbrt_suitable = (
            not neuro
            and self.escc_grade in ("0", "1a", "1b", "1c")
            and self.ecog <= 2
            and survival >= 6
            and contiguous is not None
            and contiguous <= 3
            and (self.radiosensitivity in ("radioresistant", "intermediate") or self.oligometastatic)
        )
        self.prior_rt = case["prior_rt_same_level"] is True
        self.short_survival = survival < 3


# --------------------------------------------------------------------------------------------------
# Routing (CONTRACT §4): the first rule that matches decides
# --------------------------------------------------------------------------------------------------


class Rule(NamedTuple):
    """One row of the CONTRACT §4 routing table."""

    rule: str
    applies: Callable[[Assessment], bool]
    headline: str


def _deficit_explained(a: Assessment) -> bool:
    """A neurological deficit that compression on MRI explains (R7a's "deficit that compression explains")."""
    return bool(a.case["neuro_deficit"]) and a.compression_explains_deficit


def _resistant_or_intermediate(a: Assessment) -> bool:
    """Radiosensitivity `radioresistant` or `intermediate` (R6b, R7c)."""
    return a.radiosensitivity in ("radioresistant", "intermediate")


# "Stable" means not mechanically unstable (§4). Each rule below is read after every earlier one has
# failed, exactly as the table; the conditions are nonetheless written in full, so a rule reads alone.
ROUTING: tuple[Rule, ...] = (
    Rule("R0", lambda a: a.paediatric, "paediatric_referral"),
    Rule("R1", lambda a: not a.mri, "imaging_first"),
    Rule(
        "R2",
        lambda a: a.short_survival and a.histology_established and not a.treatment_sensitive_untreated,
        "palliative_rt_and_supportive_care",
    ),
    Rule("R3a", lambda a: a.neuro_emergency and not a.compression_explains_deficit, "urgent_neuro_review"),
    Rule(
        "R3b",
        lambda a: (
            a.neuro_emergency
            and a.case["primary_tumour"] in PATCHELL_EXCLUDED_PRIMARIES
            and a.histology_established
            and not a.mechanically_unstable
            and a.case["prior_rt_same_level"] is False
        ),
        "cebrt_alone",
    ),
    Rule(
        "R3c",
        lambda a: (
            a.neuro_emergency
            and a.surgical_candidate
            and a.single_area
            and a.case["other_neural_compression"] != "root_only"
        ),
        "emergency_decompression_stabilisation_then_rt",
    ),
    Rule(
        "R3d",
        lambda a: a.neuro_emergency and a.mechanically_unstable and a.surgical_candidate,
        "stabilisation_then_rt",
    ),
    Rule(
        "R3e", lambda a: a.neuro_emergency and bool(a.case["atypical_features"]), "biopsy_and_staging_first"
    ),
    Rule("R3f", lambda a: a.neuro_emergency and a.prior_rt, "reirradiation_mdt"),
    Rule("R3g", lambda a: a.neuro_emergency, "cebrt_alone"),
    Rule("R4", lambda a: not a.histology_established, "biopsy_and_staging_first"),
    Rule("R5", lambda a: not a.staged, "imaging_first"),
    Rule("R6a", lambda a: a.mechanically_unstable and a.cement_candidate, "cement_augmentation_then_rt"),
    Rule(
        "R6b",
        lambda a: (
            a.mechanically_unstable
            and a.separation_candidate
            and a.escc_high
            and _resistant_or_intermediate(a)
        ),
        "separation_surgery_then_sbrt",
    ),
    Rule("R6c", lambda a: a.mechanically_unstable and a.surgical_candidate, "stabilisation_then_rt"),
    Rule("R6d", lambda a: a.mechanically_unstable and a.prior_rt, "reirradiation_mdt"),
    Rule("R6e", lambda a: a.mechanically_unstable, "cebrt_alone"),
    Rule(
        "R7a",
        lambda a: (
            not a.mechanically_unstable
            and a.systemic_first_histology
            and not a.escc_high
            and not _deficit_explained(a)
            and a.case["systemic_treatment_status"] != "no_options"
        ),
        "systemic_therapy_first",
    ),
    Rule("R7b", lambda a: not a.mechanically_unstable and a.low_risk_painless, "systemic_therapy_first"),
    Rule(
        "R7c",
        lambda a: (
            not a.mechanically_unstable
            and a.separation_candidate
            and a.escc_high
            and _resistant_or_intermediate(a)
        ),
        "separation_surgery_then_sbrt",
    ),
    Rule("R7d", lambda a: not a.mechanically_unstable and a.prior_rt, "reirradiation_mdt"),
    Rule(
        "R7e",
        lambda a: not a.mechanically_unstable and a.radiosensitivity == "radiosensitive",
        "cebrt_alone",
    ),
    Rule("R7f", lambda a: not a.mechanically_unstable and a.escc_high, "cebrt_alone"),
    Rule("R7g", lambda a: not a.mechanically_unstable and a.sbrt_suitable, "sbrt_alone"),
    Rule("R7h", lambda a: not a.mechanically_unstable, "cebrt_alone"),
)


def route(assessment: Assessment) -> Rule:
    """Return the first routing rule that matches.

    Raises:
        LookupError: If no rule matches (cannot happen: R6e and R7h together cover every case).
    """
    for rule in ROUTING:
        if rule.applies(assessment):
            return rule
    raise LookupError("no routing rule matched")


# --------------------------------------------------------------------------------------------------
# Flags and urgency (CONTRACT §5)
# --------------------------------------------------------------------------------------------------


def flags_for(a: Assessment, rule: Rule) -> list[str]:
    """Return the sorted flags of CONTRACT §5 for a routed case."""
    # AMBIGUITY: a flag whose row names no headline or rule (e.g. escc_1c_borderline_mdt, the MSCC
    # bundle, pregnancy, prior RT) is raised under every rule, R0 paediatric_referral and R1 included.
    case = a.case
    headline = rule.headline
    neuro = case["neuro_deficit"]
    flags: list[str] = []
    if (a.sins_total is not None and a.sins_total >= 7) or a.mechanically_unstable or rule.rule == "R3e":
        flags.append("surgical_consultation_required")
    # Dexamethasone goes on with a deficit unless MRI excludes compression, or atypical features hand the
    # steroid decision to the mimics review.
    if neuro and not (a.mri and (not a.compression_explains_deficit or case["atypical_features"])):
        flags.append("mscc_bundle_dexamethasone_mri_24h")
    if a.paraplegia_gt48h:
        flags.append("complete_paraplegia_gt48h_no_decompression_for_recovery")
    if headline in SURGICAL_HEADLINES and not a.histology_established:
        flags.append("obtain_tissue_intraoperatively")
    if a.escc_grade == "1c":
        flags.append("escc_1c_borderline_mdt")
    if headline in ("separation_surgery_then_sbrt", "sbrt_alone") and a.radiosensitivity == "intermediate":
        flags.append("radiosensitivity_borderline_mdt")
    if (
        not a.mechanically_unstable
        and a.escc_high
        and a.radiosensitivity == "moderately_radiosensitive"
        and a.separation_candidate
        and headline == "cebrt_alone"
    ):
        flags.append("separation_surgery_mdt_alternative")
    # AMBIGUITY: "(Tomita ≤ 3, Tokuhashi ≥ 12, radioresistant)" is read as all three together (the
    # comma list in one parenthesis is a conjunction), alternative to a sarcoma primary; "solitary"
    # needs staging (no staging → not solitary).
    if (
        a.solitary
        and a.histology_established
        and headline not in NO_EN_BLOC_HEADLINES
        and (
            (a.tomita_total <= 3 and a.tokuhashi_total >= 12 and a.radiosensitivity == "radioresistant")
            or case["primary_tumour"] in SARCOMA_PRIMARIES
        )
    ):
        flags.append("consider_en_bloc_at_mdt")
    if a.prior_rt:
        flags.append("prior_rt_reirradiation_limits")
    if (
        a.short_survival
        and not a.treatment_sensitive_untreated
        and headline != "palliative_rt_and_supportive_care"
    ):
        flags.append("palliative_pathway_likely")
    if rule.rule in ("R4", "R5") and (a.mechanically_unstable or a.escc_high):
        flags.append("surgical_review_within_48h")
    if neuro and a.mri and not a.compression_explains_deficit:
        flags.append("deficit_not_explained_by_compression")
    if not a.histology_established and headline in ("cebrt_alone", "reirradiation_mdt"):
        flags.append("tissue_diagnosis_needed")
    # AMBIGUITY: the hypervascular primary is read from primary_tumour whether or not the histology is
    # established.
    if headline in SURGICAL_HEADLINES and case["primary_tumour"] in HYPERVASCULAR_PRIMARIES:
        flags.append("preoperative_embolisation_consider")
    if case["pregnant"]:
        flags.append("pregnancy_obstetric_and_physics_review")
    # AMBIGUITY: "no known primary" is known_primary false; "a solitary lesion" is the §3 solitary
    # convention (staging done, no extraspinal bone metastasis, one vertebra).
    if (not case["known_primary"] and (not a.staged or a.solitary)) or (
        case["primary_tumour"] in SARCOMA_PRIMARIES and a.solitary
    ):
        flags.append("possible_primary_bone_tumour_sarcoma_mdt")
    if case["compression_extent"] == "multiple_noncontiguous":
        flags.append("multilevel_compression_mdt")
    if case["atypical_features"]:
        flags.append("atypical_features_exclude_mimics")
    flags.sort()
    return flags


def urgency_for(a: Assessment, headline: str) -> str:
    """Return ``emergency``, ``urgent`` or ``elective`` (CONTRACT §5), independent of the rule's order."""
    case = a.case
    # Any deficit is an emergency; so is radicular pain while the whole-spine MRI is not done (NICE).
    # AMBIGUITY: urgency does not depend on the rule, so R2 palliation, R0 paediatric referral or a
    # paraplegia > 48 h with a deficit is still `emergency` ("any" deficit, §5).
    if case["neuro_deficit"] or (case["radicular_pain"] and not a.mri):
        return "emergency"
    if (
        a.mechanically_unstable
        or a.sins_category == "unstable"
        or a.escc_high
        or case["pregnant"]
        or headline in URGENT_HEADLINES
    ):
        return "urgent"
    return "elective"


# --------------------------------------------------------------------------------------------------
# The decision (CONTRACT §2's fixed keys)
# --------------------------------------------------------------------------------------------------


def score_objects(a: Assessment) -> dict[str, Any]:
    """The ``scores`` object: null where the path cannot compute a score (§2)."""
    case = a.case
    tokuhashi = tomita = bauer = None
    if a.staged:
        band, prognosis = band_for(a.tokuhashi_total, TOKUHASHI_BANDS)
        tokuhashi = {"total": a.tokuhashi_total, "band": band, "prognosis": prognosis}
        tomita = {"total": a.tomita_total, "strategy": band_for(a.tomita_total, TOMITA_STRATEGIES)}
        bauer = {"total": a.bauer_total, "band": band_for(a.bauer_total, BAUER_BANDS)}
    return {
        "sins": None if not a.mri else {"total": a.sins_total, "category": a.sins_category},
        "escc": None if not a.mri else {"grade": a.escc_grade, "class": a.escc_class},
        "tokuhashi": tokuhashi,
        "tomita": tomita,
        "modified_bauer": bauer,
        "performance": {"kps": case["kps"], "ecog": a.ecog},
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
    assessment = Assessment(complete(answers))
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
            "flags": flags_for(assessment, rule),
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
        """Wrap a random generator."""
        self._rnd = rnd

    def chance(self, probability: float) -> bool:
        """Return True with the given probability."""
        return self._rnd.random() < probability

    def choice(self, options: Sequence[T], weights: Sequence[int] | None = None) -> T:
        """Return one option, weighted when weights are given."""
        return self._rnd.choices(options, weights=weights)[0]

    def integer(self, low: int, high: int) -> int:
        """Return an int in the inclusive range."""
        return self._rnd.randint(low, high)

    def number(self, low: float, high: float) -> float:
        """Return a float in the range."""
        return self._rnd.uniform(low, high)


# Probabilities of True for the bool fields: tuned so that on 5,000 cases every rule R0–R7h, every
# flag and every urgency occurs (test_oracle checks it).
PROBABILITY: dict[str, float] = {
    "neuro_deficit": 0.42,
    "radicular_pain": 0.25,
    "deficit_progressing": 0.60,
    "ambulatory": 0.70,
    "pregnant": 0.12,
    "known_primary": 0.88,
    "histology_established": 0.85,
    "prior_rt_same_level": 0.18,
    "mri_whole_spine_done": 0.90,
    "posterior_wall_intact": 0.60,
    "atypical_features": 0.10,
    "staging_done": 0.88,
    "visceral_mets_removable": 0.40,
    "visceral_mets_treatable": 0.50,
    "fit_for_surgery": 0.70,
    "tomita_growth_omitted": 0.40,
}

# Primary tumour weights: the rows that change the routing (radiosensitive, moderately radiosensitive,
# systemic-first, hypervascular, sarcoma) are drawn more often than the rest.
PRIMARY_WEIGHTS: dict[str, int] = {
    "lung_sclc": 3,
    "breast": 5,
    "prostate": 5,
    "thyroid": 3,
    "carcinoid_neuroendocrine": 2,
    "kidney": 4,
    "liver": 2,
    "osteosarcoma": 2,
    "sarcoma": 3,
    "myeloma": 4,
    "plasmacytoma": 3,
    "lymphoma": 4,
    "leukaemia": 3,
    "germ_cell": 3,
}

# SINS item profiles: `any` draws each item from its whole set; the others aim at a region of the
# instability rule (0–6, painless 7–12 with subluxation or two structural signs, cement shape, ≥ 13).
SINS_PROFILES: dict[str, dict[str, tuple[str, ...]]] = {
    "stable": {
        "sins_location": ("mobile", "semirigid", "rigid"),
        "sins_pain": ("occasional_nonmechanical", "painfree"),
        "sins_bone_lesion": ("lytic", "mixed", "blastic"),
        "sins_alignment": ("normal",),
        "sins_collapse": ("no_collapse_gt50_body_involved", "none"),
        "sins_posterolateral": ("unilateral", "none"),
    },
    "painless": {
        "sins_location": ("mobile", "semirigid", "rigid"),
        "sins_pain": ("painfree",),
        "sins_bone_lesion": ("mixed", "blastic"),
        "sins_alignment": ("normal",),
        "sins_collapse": ("no_collapse_gt50_body_involved", "none"),
        "sins_posterolateral": ("unilateral", "none"),
    },
    "masked": {
        "sins_location": ("junctional", "mobile", "semirigid", "rigid"),
        "sins_pain": ("occasional_nonmechanical", "painfree"),
        "sins_bone_lesion": ("lytic", "mixed", "blastic"),
        "sins_alignment": ("subluxation", "de_novo_deformity", "normal"),
        "sins_collapse": ("gt50", "lt50", "none"),
        "sins_posterolateral": ("bilateral", "unilateral", "none"),
    },
    "cement": {
        "sins_location": ("junctional", "mobile", "semirigid"),
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
SINS_PROFILE_WEIGHTS: dict[str, int] = {
    "any": 3,
    "stable": 4,
    "painless": 2,
    "masked": 2,
    "cement": 2,
    "unstable": 2,
}

# ESCC grade weights per SINS profile: the cement profile needs 0/1a; the others spread over the scale.
ESCC_VALUES = ("0", "1a", "1b", "1c", "2", "3")
ESCC_WEIGHTS: dict[str, tuple[int, ...]] = {
    "cement": (4, 4, 1, 1, 1, 1),
    "painless": (4, 4, 1, 1, 1, 1),
    "default": (3, 2, 2, 2, 3, 2),
}


# Scenarios chosen once per case: `free` draws every field with the biases above; `separation` aims
# at the narrow separation gate (ESCC 2–3, fit, ECOG ≤ 2, ≥ 6 months, single area, ≤ 3 levels, no
# deficit) that R6b, R7c and the separation-alternative and radiosensitivity-borderline flags need.
SCENARIO_WEIGHTS: dict[str, int] = {"free": 7, "separation": 1}
SEPARATION_PROBABILITY: dict[str, float] = {
    "neuro_deficit": 0.05,
    "radicular_pain": 0.10,
    "known_primary": 0.97,
    "histology_established": 0.97,
    "mri_whole_spine_done": 0.98,
    "prior_rt_same_level": 0.05,
    "atypical_features": 0.03,
    "staging_done": 0.97,
    "fit_for_surgery": 0.95,
}


def draw_age(pick: Picker) -> int:
    """Age 0–120: mostly adults, with the 17/18 edge, the pregnancy window edges and children."""
    bucket = pick.choice(("adult", "edge18", "child", "pregnancy_edge"), (44, 2, 1, 2))
    if bucket == "adult":
        return pick.integer(18, 95)
    if bucket == "edge18":
        return pick.choice((16, 17, 18, 19))
    if bucket == "child":
        return pick.integer(0, 15)
    return pick.choice((11, 12, 55, 56, 120))


def draw_hours(pick: Picker) -> int:
    """Hours 0–8760, mostly around Patchell's 48 h (47/48/49 included)."""
    bucket = pick.choice(("edge", "around_48", "first_days", "late"), (3, 3, 3, 2))
    if bucket == "edge":
        return pick.choice((0, 47, 48, 49, 8760))
    if bucket == "around_48":
        return pick.integer(40, 56)
    if bucket == "first_days":
        return pick.integer(0, 96)
    return pick.integer(97, 8760)


def draw_frankel(pick: Picker) -> str:
    """Frankel grade, with A and B common enough for the paraplegia rules."""
    return pick.choice(("A", "B", "C", "D", "E"), (3, 2, 2, 3, 1))


def draw_primary_tumour(pick: Picker) -> str:
    """Primary tumour, weighted by :data:`PRIMARY_WEIGHTS` (1 for the rest)."""
    values: list[str] = fields()["primary_tumour"]["values"]
    return pick.choice(values, [PRIMARY_WEIGHTS.get(value, 1) for value in values])


def draw_systemic_treatment_status(pick: Picker) -> str:
    """Systemic treatment so far; `naive` is common (treatment-sensitive untreated cancers)."""
    return pick.choice(("naive", "responding", "progressing_with_options", "no_options"), (3, 3, 2, 2))


def draw_escc_grade(pick: Picker, plan: dict[str, Any]) -> str:
    """ESCC grade, biased by the case's scenario and SINS profile."""
    if plan["scenario"] == "separation":
        return pick.choice(ESCC_VALUES, (1, 1, 1, 1, 4, 4))
    return pick.choice(ESCC_VALUES, ESCC_WEIGHTS.get(plan["sins_profile"], ESCC_WEIGHTS["default"]))


def draw_other_neural_compression(pick: Picker) -> str:
    """Compression the ESCC grade does not capture; `none` about half the time (R3a)."""
    return pick.choice(("none", "conus_or_cauda_equina", "bone_or_translation", "root_only"), (4, 2, 2, 2))


def draw_compression_extent(pick: Picker) -> str:
    """Single or several areas of compression."""
    return pick.choice(("single_area", "multiple_noncontiguous"), (3, 1))


def draw_contiguous_levels(pick: Picker) -> int:
    """Contiguous levels 1–24, mostly 1–4 (the ≤ 3 gate)."""
    bucket = pick.choice(("few", "edge", "many"), (5, 3, 1))
    if bucket == "few":
        return pick.integer(1, 3)
    if bucket == "edge":
        return pick.choice((3, 4))
    return pick.integer(5, 24)


def draw_sins_item(field_id: str, pick: Picker, plan: dict[str, Any]) -> str:
    """Draw one SINS item from the case's SINS profile."""
    profile = plan["sins_profile"]
    options = fields()[field_id]["values"] if profile == "any" else SINS_PROFILES[profile][field_id]
    return pick.choice(options)


def draw_extraspinal_bone_mets(pick: Picker) -> int:
    """Extraspinal bone metastases, 0–999, mostly 0–5 (solitary needs 0)."""
    bucket = pick.choice(("none", "few", "many"), (5, 4, 1))
    if bucket == "none":
        return 0
    if bucket == "few":
        return pick.integer(1, 5)
    return pick.integer(6, 999)


def draw_vertebral_body_mets(pick: Picker) -> int:
    """Vertebral body metastases, 1–33, mostly 1–5 (solitary needs 1)."""
    bucket = pick.choice(("one", "few", "many"), (5, 4, 1))
    if bucket == "one":
        return 1
    if bucket == "few":
        return pick.integer(2, 5)
    return pick.integer(6, 33)


def draw_visceral_mets(pick: Picker) -> str:
    """Visceral metastases: none more often (oligometastatic, Tokuhashi ≥ 12, Tomita ≤ 3)."""
    return pick.choice(("none", "present"), (3, 2))


def draw_kps(pick: Picker) -> int:
    """KPS 10–100 in tens, weighted towards the fitter patients seen in clinic."""
    return pick.choice((10, 20, 30, 40, 50, 60, 70, 80, 90, 100), (1, 1, 1, 2, 2, 3, 4, 4, 4, 3))


def draw_expected_survival_months(pick: Picker) -> int | float:
    """Expected survival 0–600 months, with < 3, 3–6, 6–12 and > 12 all common, and the cut-offs."""
    # "> 12 months" first: hypothesis shrinks towards the first option, the simplest case.
    bucket = pick.choice(("gt12", "6to12", "3to6", "lt3", "cutoff"), (8, 5, 4, 4, 4))
    if bucket == "cutoff":
        return pick.choice((0, 2, 2.9, 3, 5.9, 6, 12, 600))
    low, high = {"lt3": (0, 2), "3to6": (3, 5), "6to12": (6, 12), "gt12": (13, 600)}[bucket]
    if bucket == "gt12" and pick.chance(0.8):
        high = 120
    if pick.chance(0.5):
        return pick.integer(low, high)
    upper = 2.9 if bucket == "lt3" else 5.9 if bucket == "3to6" else float(high)
    return round(pick.number(float(low), upper), 1)


def draw_from_spec(field_id: str, pick: Picker) -> Any:
    """Draw a value for a field from its case_fields.yaml set or range (no bias beyond PROBABILITY)."""
    spec = fields()[field_id]
    if spec["type"] == "bool":
        return pick.chance(PROBABILITY.get(field_id, 0.5))
    if spec["type"] == "enum":
        return pick.choice(spec["values"])
    if spec["type"] == "int":
        step = spec.get("step", 1)
        return spec["min"] + step * pick.integer(0, (spec["max"] - spec["min"]) // step)
    if spec["type"] == "number":
        return round(pick.number(float(spec["min"]), float(spec["max"])), 1)
    raise ValueError(f"no drawer for field {field_id} of type {spec['type']}")


_SIMPLE_DRAWERS: dict[str, Callable[[Picker], Any]] = {
    "age": draw_age,
    "hours_since_deficit_onset": draw_hours,
    "hours_since_motor_loss": draw_hours,
    "frankel": draw_frankel,
    "primary_tumour": draw_primary_tumour,
    "systemic_treatment_status": draw_systemic_treatment_status,
    "other_neural_compression": draw_other_neural_compression,
    "compression_extent": draw_compression_extent,
    "contiguous_levels": draw_contiguous_levels,
    "extraspinal_bone_mets": draw_extraspinal_bone_mets,
    "vertebral_body_mets": draw_vertebral_body_mets,
    "visceral_mets": draw_visceral_mets,
    "kps": draw_kps,
    "expected_survival_months": draw_expected_survival_months,
}


def draw_field(field_id: str, pick: Picker, plan: dict[str, Any]) -> Any:
    """Draw a valid value for one field of a case, with the biases above.

    Args:
        field_id: A case_fields.yaml field id.
        pick: The source of choices.
        plan: Per-case state shared between fields (the scenario and the SINS profile, chosen once).

    Returns:
        A value from the field's set or range.
    """
    if field_id in SINS_POINTS:
        return draw_sins_item(field_id, pick, plan)
    if field_id == "escc_grade":
        return draw_escc_grade(pick, plan)
    if plan["scenario"] == "separation":
        if field_id in SEPARATION_PROBABILITY:
            return pick.chance(SEPARATION_PROBABILITY[field_id])
        if field_id == "kps":
            return pick.choice((50, 60, 70, 80, 90, 100))
        if field_id == "expected_survival_months":
            return pick.choice((5.9, 6, 8, 12, 24, 60))
        if field_id == "compression_extent":
            return pick.choice(("single_area", "multiple_noncontiguous"), (9, 1))
    drawer = _SIMPLE_DRAWERS.get(field_id)
    if drawer is not None:
        return drawer(pick)
    return draw_from_spec(field_id, pick)


def build_case(pick: Picker) -> dict[str, Any]:
    """Build a valid answers mapping holding exactly the fields on the case's path.

    Fields are visited in case_fields.yaml order; a field is included when its ``when`` holds for the
    values drawn so far. ``tomita_growth`` (which has a default) is sometimes left out, to exercise the
    default. No optional context fields and no off-path fields are given.

    Args:
        pick: The source of choices.

    Returns:
        Field id → value.
    """
    plan: dict[str, Any] = {
        "scenario": pick.choice(tuple(SCENARIO_WEIGHTS), tuple(SCENARIO_WEIGHTS.values())),
        "sins_profile": pick.choice(tuple(SINS_PROFILE_WEIGHTS), tuple(SINS_PROFILE_WEIGHTS.values())),
    }
    answers: dict[str, Any] = {}
    known: dict[str, Any] = {}
    for field_id, spec, asked in _compiled_fields():
        if not asked(known):
            known[field_id] = spec.get("otherwise")
            continue
        if "default_from" in spec and pick.chance(PROBABILITY["tomita_growth_omitted"]):
            known[field_id] = None
            continue
        answers[field_id] = known[field_id] = draw_field(field_id, pick, plan)
    return answers


def random_case(rnd: random.Random) -> dict[str, Any]:
    """Return a random valid answers mapping with only the fields on its path."""
    return build_case(RandomPicker(rnd))
