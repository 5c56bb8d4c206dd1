"""Hypothesis strategies for valid answers mappings and for invalid ones tagged with the CONTRACT §1 exit code."""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import oracle
from hypothesis import assume
from hypothesis import strategies as st

T = TypeVar("T")

Draw = Callable[[st.SearchStrategy[Any]], Any]
Mutation = tuple[dict[str, Any], int, str]

EXIT_INVALID = 2
EXIT_MISSING = 3


class DrawPicker:
    """An :class:`oracle.Picker` backed by hypothesis ``draw``, so every choice shrinks."""

    def __init__(self, draw: Draw) -> None:
        """Wrap a hypothesis draw function.

        Args:
            draw: The ``draw`` argument of an ``st.composite`` function.
        """
        self._draw = draw

    def chance(self, probability: float) -> bool:
        """Return True with about the given probability; shrinks towards the more probable outcome."""
        threshold = round(probability * 100)
        roll = self._draw(st.integers(0, 99))
        if probability >= 0.5:
            return roll < threshold
        return roll >= 100 - threshold

    def choice(self, options: Sequence[T], weights: Sequence[int] | None = None) -> T:
        """Return one option, weighted when weights are given; shrinks towards the first option."""
        if weights is None:
            return self._draw(st.sampled_from(list(options)))
        index = self._draw(st.integers(0, sum(weights) - 1))
        for option, weight in zip(options, weights, strict=True):
            if index < weight:
                return option
            index -= weight
        raise AssertionError("unreachable: index beyond the total weight")

    def integer(self, low: int, high: int) -> int:
        """Return an int in the inclusive range."""
        return self._draw(st.integers(low, high))

    def number(self, low: float, high: float) -> float:
        """Return a finite float in the inclusive range."""
        return self._draw(st.floats(low, high, allow_nan=False, allow_infinity=False))


@st.composite
def valid_answers(draw: Draw) -> dict[str, Any]:
    """A valid answers mapping holding exactly the fields on its path (same path logic as ``random_case``).

    Args:
        draw: Supplied by hypothesis.

    Returns:
        Field id → value.
    """
    return oracle.build_case(DrawPicker(draw))


# --------------------------------------------------------------------------------------------------
# Invalid answers (CONTRACT §1): exit 2 for an unknown id or a bad value, exit 3 for a missing field
# --------------------------------------------------------------------------------------------------

NEAR_MISS_FIELD_IDS = (
    "neuro_defict",
    "frankel_grade",
    "kps_score",
    "escc",
    "sins_total",
    "tomita_total",
    "primary",
    "ecog",
    "Neuro_deficit",
)
NEAR_MISS_ENUM_VALUES: dict[str, tuple[str, ...]] = {
    # `unknown` is the `otherwise` of primary_tumour but not one of its values.
    "primary_tumour": ("unknown", "lung", "renal", "breast_cancer"),
    "escc_grade": ("1", "4", "1d", "0a"),
    "frankel": ("F", "AB", ""),
    "visceral_mets": ("absent", "yes", "removable"),
    "sins_collapse": ("gt_50", "lt_50", "collapse"),
    "tomita_growth": ("fast", "medium", "unknown"),
}
IDENTIFIER_TEXT = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=24)


def fields_of_type(answers: dict[str, Any], *types: str) -> list[str]:
    """Return the ids present in ``answers`` whose case_fields.yaml type is one of ``types``."""
    return [field_id for field_id in answers if oracle.FIELDS[field_id]["type"] in types]


def draw_present_field(draw: Draw, answers: dict[str, Any], *types: str) -> str:
    """Draw one field present in the answers with one of the given types (rejects the example if none)."""
    candidates = fields_of_type(answers, *types)
    assume(candidates)
    return draw(st.sampled_from(candidates))


def unknown_field(draw: Draw, answers: dict[str, Any]) -> Mutation:
    """Add a field id that case_fields.yaml does not know (exit 2)."""
    known_ids = set(oracle.FIELDS) | set(oracle.OPTIONAL_FIELDS)
    field_id = draw(
        st.one_of(st.sampled_from(NEAR_MISS_FIELD_IDS), IDENTIFIER_TEXT).filter(
            lambda name: name not in known_ids
        )
    )
    value = draw(st.sampled_from([True, 1, "x", "mechanical"]))
    return {**answers, field_id: value}, EXIT_INVALID, field_id


def enum_outside(draw: Draw, answers: dict[str, Any]) -> Mutation:
    """Give an enum field a string outside its value set (exit 2)."""
    # AMBIGUITY (not generated): case variants such as "Breast" — the contract does not say
    # whether enum matching is case-sensitive.
    field_id = draw_present_field(draw, answers, "enum")
    allowed = set(oracle.FIELDS[field_id]["values"])
    near_misses = NEAR_MISS_ENUM_VALUES.get(field_id, ("none_of_these",))
    value = draw(
        st.one_of(st.sampled_from(near_misses), IDENTIFIER_TEXT).filter(lambda text: text not in allowed)
    )
    return {**answers, field_id: value}, EXIT_INVALID, field_id


def out_of_range(draw: Draw, answers: dict[str, Any]) -> Mutation:
    """Give an int or number field a value below its minimum, above its maximum, or off its step (exit 2)."""
    field_id = draw_present_field(draw, answers, "int", "number")
    spec = oracle.FIELDS[field_id]
    step = spec.get("step")
    side = draw(st.sampled_from(["below", "above", "off_step"] if step else ["below", "above"]))
    if side == "off_step":
        value: int | float = draw(
            st.integers(spec["min"], spec["max"]).filter(lambda n: (n - spec["min"]) % step)
        )
    elif spec["type"] == "int":
        distance = draw(st.integers(1, 1000))
        value = spec["min"] - distance if side == "below" else spec["max"] + distance
    else:
        distance = draw(st.floats(0.1, 1000, allow_nan=False, allow_infinity=False))
        value = spec["min"] - distance if side == "below" else spec["max"] + distance
    return {**answers, field_id: value}, EXIT_INVALID, field_id


def wrong_type_values(field_id: str, value: Any) -> list[Any]:
    """Values of the wrong YAML type for a field, given its current valid value."""
    kind = oracle.FIELDS[field_id]["type"]
    if kind == "bool":
        return [int(value), "yes", "true", [value]]
    if kind == "int":
        # A bool is not an int in an answers file, even though Python's bool subclasses int.
        return [str(value), value + 0.5, True, False, [value]]
    if kind == "number":
        return [str(value), True, [value]]
    # enum. AMBIGUITY (not generated): an unquoted `escc_grade: 2` reads as int 2 in YAML;
    # whether the engine must reject or coerce it is not stated, so ints are only used elsewhere.
    wrong: list[Any] = [[value], True, {value: value}]
    if field_id != "escc_grade":
        wrong.append(3)
    return wrong


def wrong_type(draw: Draw, answers: dict[str, Any]) -> Mutation:
    """Give a field a value of the wrong type: string for int, int for bool, list for enum, ... (exit 2)."""
    # AMBIGUITY (not generated): null for a required field (exit 2 as a bad value, or exit 3 as
    # missing?) and a whole float such as 70.0 for an int field.
    field_id = draw_present_field(draw, answers, "bool", "int", "number", "enum")
    value = draw(st.sampled_from(wrong_type_values(field_id, answers[field_id])))
    return {**answers, field_id: value}, EXIT_INVALID, field_id


def needed_field_removed(draw: Draw, answers: dict[str, Any]) -> Mutation:
    """Remove one field that is on the path and has no default (exit 3, naming that field)."""
    # Every field valid_answers() includes is on the path; tomita_growth is excluded because it
    # has a default. A gate field (e.g. visceral_mets) may be removed: it is then the first missing
    # question, and the dependants still present do not change that.
    candidates = [field_id for field_id in answers if "default_from" not in oracle.FIELDS[field_id]]
    field_id = draw(st.sampled_from(candidates))
    remaining = {key: value for key, value in answers.items() if key != field_id}
    return remaining, EXIT_MISSING, field_id


MUTATIONS: dict[str, Callable[[Draw, dict[str, Any]], Mutation]] = {
    "unknown_field": unknown_field,
    "enum_outside": enum_outside,
    "out_of_range": out_of_range,
    "wrong_type": wrong_type,
    "needed_field_removed": needed_field_removed,
}


@st.composite
def answers_mutations(draw: Draw, kinds: Sequence[str] = tuple(MUTATIONS)) -> Mutation:
    """An invalid answers mapping with one defect, its expected exit code and the field it concerns.

    Args:
        draw: Supplied by hypothesis.
        kinds: Which mutations to use (keys of ``MUTATIONS``); all by default.

    Returns:
        ``(answers, expected_exit_code, field_id)``: exit 2 for an unknown id, a value outside the
        set or range, or a wrong type; exit 3 for a needed field removed.
    """
    answers = draw(valid_answers())
    kind = draw(st.sampled_from(list(kinds)))
    return MUTATIONS[kind](draw, answers)
