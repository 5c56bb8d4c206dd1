"""Typed numbers read as a clinician types them; answers files stay strict."""

from __future__ import annotations

import pytest

from interview.engine.values import AnswerError, coerce, read_typed


def _q(flow, qid):
    return flow.by_id[qid].model


@pytest.mark.parametrize("text", ["80%", "80 %", "80", " 80 "])
def test_kps_with_or_without_percent(flow, text):
    """"80%", "80 %" and "80" are all KPS 80."""
    assert read_typed(_q(flow, "kps"), text).value == 80
    assert coerce(_q(flow, "kps"), text, from_text=True) == 80


def test_answers_files_stay_strict(flow):
    """An answers file's "80%" is refused: native values only."""
    with pytest.raises(AnswerError):
        coerce(_q(flow, "kps"), "80%")
    with pytest.raises(AnswerError):
        coerce(_q(flow, "albumin_g_dl"), 35)


@pytest.mark.parametrize(("text", "value", "note"), [
    ("3.5", 3.5, ""),
    ("3,5 g/dL", 3.5, ""),
    ("35", 3.5, "read as g/L: 35 g/L = 3.5 g/dL"),
    ("35 g/L", 3.5, "35 g/L = 3.5 g/dL"),
    ("28g/l", 2.8, "28 g/L = 2.8 g/dL"),
])
def test_albumin_in_either_unit_says_what_was_assumed(flow, text, value, note):
    """Albumin above 7 (or with "g/L") is read as g/L, converted, and the note shows both."""
    reading = read_typed(_q(flow, "albumin_g_dl"), text)
    assert reading.value == value and reading.note == note


def test_albumin_out_of_range_after_conversion_says_so(flow):
    """A g/L value still out of range names the conversion in the refusal."""
    with pytest.raises(AnswerError, match=r"out of range \(read as g/L: 80 g/L = 8 g/dL\)"):
        read_typed(_q(flow, "albumin_g_dl"), "80")


def test_ecog_offers_the_two_kps_values(flow):
    """"ECOG 1" stores nothing: it offers KPS 70 or 80 to choose from."""
    reading = read_typed(_q(flow, "kps"), "ECOG 1")
    assert reading.value is None and reading.choose == (70, 80)
    assert reading.question == "ECOG 1 → KPS 70 or 80?"
    with pytest.raises(AnswerError, match="KPS 70 or 80"):
        coerce(_q(flow, "kps"), "ecog 1", from_text=True)


def test_ecog_without_a_kps_value_is_refused(flow):
    """ECOG 5 (dead) has no KPS here: refused with what can be typed."""
    with pytest.raises(AnswerError, match="ECOG 0–4"):
        read_typed(_q(flow, "kps"), "ECOG 5")


def test_empty_text_says_nothing_was_typed(flow):
    """Empty text is "nothing typed" with what is allowed, not a wrong type."""
    with pytest.raises(AnswerError) as err:
        read_typed(_q(flow, "kps"), "  ")
    assert err.value.reason == "nothing typed" and "10 to 100" in err.value.allowed


def test_unknown_unit_is_refused(flow):
    """A unit the question does not take is named."""
    with pytest.raises(AnswerError, match="unknown unit 'mg'"):
        read_typed(_q(flow, "albumin_g_dl"), "4 mg")


@pytest.mark.parametrize(("typed", "value"), [
    ("rcc", "kidney"), ("NSCLC", "lung_nsclc"), ("sclc", "lung_sclc"), ("dlbcl", "lymphoma"),
    ("nhl", "lymphoma"), ("hodgkin", "lymphoma"), ("hcc", "liver"), ("gct", "germ_cell"),
    ("seminoma", "germ_cell"), ("mm", "myeloma"),
])
def test_synonyms_of_primary_tumours(flow, typed, value):
    """Synonyms typed whole answer the primary tumour question."""
    assert coerce(_q(flow, "primary_tumour"), typed, from_text=True) == value
    with pytest.raises(AnswerError):
        coerce(_q(flow, "primary_tumour"), typed)  # answers files: the value itself only
