"""The emergency clock is flow data (`clock:`): every event and moment a timer or handover item names is
one the flow declares, checked at load with the file and line; a wrong name is never silently unmet."""

from __future__ import annotations

import re

import pytest
from paths import ROOT

from interview.flow.load import FlowError, load_flow

SPINAL = ROOT / "flows" / "spinal_metastases.yaml"
CLOCK_START = "clock:\n  # The MSCC clock"


def _refused(tmp_path, text: str) -> str:
    path = tmp_path / "spinal_metastases.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FlowError) as err:
        load_flow(path, cache=False)
    return str(err.value)


def _line_of(text: str, marker: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), 1) if marker in row)


@pytest.mark.parametrize(("old", "new", "words"), [
    ("done_by: coordinator_contacted}", "done_by: coordinator_called}",
     "unknown clock event 'coordinator_called' (allowed: dexamethasone_given, coordinator_contacted, mri_done, "
     "decision_made, treatment_started)"),
    ("after: mri_done, done_by: decision_made}", "after: mri_taken, done_by: decision_made}",
     "unknown moment 'mri_taken' (allowed: presentation, symptom_onset, mri_done, decision_made)"),
    ("- {id: coordinator_contacted, words: MSCC coordinator contacted}",
     "- {id: dexamethasone_given, words: MSCC coordinator contacted}", "id 'dexamethasone_given' is used twice"),
    ("- {id: treatment_started, words: Definitive treatment started}",
     "- {id: presentation, words: Definitive treatment started}", "id 'presentation' is used twice (or is a case moment"),
    ("onset_question: hours_since_deficit_onset", "onset_question: neuro_deficit",
     "'neuro_deficit' is not a number question in hours (unit: h)"),
    ("onset_question: hours_since_deficit_onset", "onset_question: age",
     "'age' is not a number question in hours (unit: h)"),
    ('{id: mri_time, words: "time of the MRI", event: mri_done, needs: mri_whole_spine_done}',
     '{id: mri_time, words: "time of the MRI", event: mri_done}', "an item held by a clock event alone needs `needs`"),
    ('{id: mri_time, words: "time of the MRI", event: mri_done, needs: mri_whole_spine_done}',
     '{id: mri_time, words: "time of the MRI", event: symptom_onset, needs: mri_whole_spine_done}',
     "'symptom_onset' is a moment of the case, not an event a doctor records"),
])
def test_a_wrong_clock_name_is_refused_at_load_with_its_line(tmp_path, old, new, words):
    """A timer's event or moment, a repeated event id, or an onset question that is no number: one line, file:line."""
    text = SPINAL.read_text(encoding="utf-8")
    bad = text.replace(old, new, 1)
    assert bad != text
    message = _refused(tmp_path, bad)
    assert words in message, message
    assert f"spinal_metastases.yaml:{_line_of(bad, new)}:" in message, message


def test_without_an_onset_question_there_is_no_symptom_onset_to_run_from(tmp_path):
    """The 48 h timer runs from the symptom onset: a clock with no onset question cannot date it, and says so."""
    text = SPINAL.read_text(encoding="utf-8")
    bad = re.sub(r"\n  onset_question: hours_since_deficit_onset", "", text, count=1)
    message = _refused(tmp_path, bad)
    assert "unknown moment 'symptom_onset' (allowed: presentation, mri_done, decision_made)" in message, message
    assert f":{_line_of(bad, 'after: symptom_onset')}:" in message


def test_timers_need_the_flows_clock(tmp_path):
    """Timers in a flow that declares no clock are refused at the first one: nothing could ever meet them."""
    text = SPINAL.read_text(encoding="utf-8")
    start = text.index(CLOCK_START)
    bad = text[:start] + text[text.index("\nhandover:", start) + 1:]
    message = _refused(tmp_path, bad)
    assert "a timer needs the flow's `clock`" in message, message
    assert f":{_line_of(bad, 'timer:')}:" in message


def test_the_spinal_flow_declares_the_mscc_clock(flow):
    """The five MSCC events, in pathway order, and the moments its timers run from (the code holds none)."""
    clock = flow.model.clock
    assert list(clock.event_words()) == ["dexamethasone_given", "coordinator_contacted", "mri_done", "decision_made",
                                         "treatment_started"]
    assert clock.moment_words() == {"presentation": "presentation", "symptom_onset": "onset", "mri_done": "MRI",
                                    "decision_made": "decision"}
    assert clock.onset_question == "hours_since_deficit_onset"
