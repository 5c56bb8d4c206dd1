"""An expanded recommendation item reads in the clinic's words: no ids, no Python dicts."""

from __future__ import annotations

from paths import example_answers

from interview.engine.replay import replay
from interview.present import basis_words, inputs_lines
from interview.tui.screens.recommendation import statement_detail


def test_every_item_of_every_example_is_explained_without_ids(flow) -> None:
    """Basis and inputs of each statement carry no `advice:`/`flag:` ids, no braces, no snake_case names."""
    for name in ("emergency_breast", "cauda_equina", "renal_stable", "unknown_primary"):
        rec = replay(flow, example_answers(name)).result.recommendation
        parts = ("clock", "work_up", "local_treatment", "radiotherapy", "systemic", "supportive", "mdt")
        for s in [*rec.rationale, *rec.flag_details, *(i for p in parts for i in rec.part(p))]:
            text = statement_detail(flow, s).plain
            assert "advice:" not in text and "flag:" not in text and "{" not in text, text
            for line in inputs_lines(flow, s.inputs):
                label = line.split(":")[0]
                assert "_" not in label, line


def test_basis_words(flow) -> None:
    """Rules keep their code; scores their title; flags and advice no internal id."""
    assert basis_words(flow, "R3c") == "Rule R3c"
    assert basis_words(flow, "score:sins") == "SINS (score)"
    assert basis_words(flow, "flag:mscc_bundle_dexamethasone_mri_24h") == "Flag"
    assert basis_words(flow, "advice:clock_dexamethasone") == "Advice item"


def test_a_score_value_reads_as_total_and_band(flow) -> None:
    """A score read by a condition reads as its total and band, never as a dict."""
    from interview.present import value_words

    sins = replay(flow, example_answers("renal_stable")).result.scores["sins"]
    assert value_words(flow, "sins", sins) == f"{sins['total']} ({sins['band_label']})"
