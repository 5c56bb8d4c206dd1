"""Issue 13: the MDT handover — what the coordinator will ask that the case lacks, and the SBAR itself."""

from __future__ import annotations

import pytest
from paths import example_answers, example_names
from store.helpers import NOW

from interview.engine.replay import replay
from interview.export.clock import moments
from interview.export.handover import (
    CLOCK_KEY,
    HandoverError,
    check_handover_answers,
    clock_marks,
    handover_questions,
    missing_items,
    render_handover,
    split_answers,
)


def handover_of(flow, answers: dict):
    """(result, handover answers, marks, missing items) of an answers mapping, as `run --format handover` reads it."""
    case, given, clock = split_answers(flow, answers)
    result = replay(flow, case).result
    checked = check_handover_answers(flow, given)
    marks = moments([], flow, answers=result.answers, answered_at=NOW) | clock_marks(flow, clock, now=NOW)
    return result, checked, marks, missing_items(result, flow, checked, marks)


def test_handover_questions_are_flow_only_and_each_takes_unavailable(flow):
    """Optional questions outside the case's questions (so never on its path), each with an `unavailable` way out."""
    questions = handover_questions(flow)
    assert len(questions) >= 9
    assert not set(questions) & set(flow.by_id)
    for q in questions.values():
        if q.kind == "choice":
            assert "unavailable" in {o.value for o in q.options}, q.id
        else:
            assert "unavailable" in q.prompt, q.id


@pytest.mark.parametrize("name", example_names())
def test_handover_lists_what_is_missing_and_answers_remove_it(flow, name):
    """Each example lacks some handover items; answering them (or a clock entry) in the answers file clears the list."""
    answers = example_answers(name)
    result, _, _, missing = handover_of(flow, answers)
    assert missing, "every example lacks at least the consultant"
    assert "the responsible consultant" in render_handover(result, flow, now=NOW, marks={}, answers={})
    added = dict(answers)
    for item in missing:
        if item.question:
            added[item.question] = "unavailable"
        else:
            added.setdefault(CLOCK_KEY, {})[item.event] = "2026-11-29T09:30:00+00:00"
    result2, checked, marks, after = handover_of(flow, added)
    assert after == []
    assert result2.to_json_dict() == result.to_json_dict(), "the handover answers change nothing in the result"
    text = render_handover(result2, flow, now=NOW, marks=marks, answers=checked)
    assert "Nothing missing" in text


def test_emergency_case_asks_the_emergency_items(flow):
    """An emergency fit for surgery asks dexamethasone, the MRI time and images, bladder/bowel, platelets and INR."""
    _, _, _, missing = handover_of(flow, example_answers("emergency_breast"))
    ids = [i.id for i in missing]
    assert ids[:3] == ["dexamethasone", "mri_time", "mri_images"]
    assert {"bladder_bowel", "platelets_inr", "anticoagulation", "ceiling_of_care", "consultant"} <= set(ids)
    assert "symptom_onset" not in ids  # the hours since onset are answered: the onset time is known


def test_a_recorded_dose_fills_the_dexamethasone_item_and_is_shown(flow):
    """A clock entry with a dose clears the item; the handover shows the time, hours since and dose."""
    answers = example_answers("emergency_breast") | {CLOCK_KEY: {"dexamethasone_given": {"at": "2026-11-29T18:00Z",
                                                                                         "dose": "16 mg"}}}
    result, checked, marks, missing = handover_of(flow, answers)
    assert "dexamethasone" not in {i.id for i in missing}
    text = render_handover(result, flow, now=NOW, marks=marks, answers=checked)
    assert "2 h ago, 16 mg" in text


def test_sbar_has_its_four_parts_and_fits_80_columns(flow):
    """Situation, Background, Assessment, Recommendation in order; no line wider than 80; the notice at the end."""
    result, checked, marks, _ = handover_of(flow, example_answers("emergency_breast"))
    text = render_handover(result, flow, now=NOW, marks=marks, answers=checked, label="Bed 4")
    heads = [text.index(h) for h in ("S — Situation", "B — Background", "A — Assessment", "R — Recommendation")]
    assert heads == sorted(heads)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text.startswith("MDT handover (SBAR) — Bed 4 · as of ")
    assert "not an order" in " ".join(text.splitlines()[1:3])


@pytest.mark.parametrize(("extra", "words"), [({"handover_bladder_bowel": "leaky"}, "allowed:"),
                                              ({CLOCK_KEY: {"mri": "09:00"}}, "unknown clock event"),
                                              ({CLOCK_KEY: {"mri_done": "soon"}}, "cannot read the time")])
def test_bad_handover_values_are_one_clear_error(flow, extra, words):
    """A value the question does not take, an unknown clock event or an unreadable time: one message, what is allowed."""
    with pytest.raises(HandoverError, match=words):
        handover_of(flow, example_answers("renal_stable") | extra)


def test_a_handover_condition_naming_nothing_is_a_flow_error(tmp_path):
    """A handover question's `when` is bound at load like any other: an unknown name fails with its file and line."""
    from paths import ROOT

    from interview.flow.load import FlowError, load_flow

    text = (ROOT / "flows" / "spinal_metastases.yaml").read_text(encoding="utf-8")
    bad = text.replace('when: "ambulatory == false"', 'when: "ambulant == false"', 1)
    assert bad != text
    path = tmp_path / "spinal_metastases.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(FlowError, match=r"handover.*unknown name 'ambulant'|unknown name 'ambulant'.*handover") as err:
        load_flow(path, cache=False)
    assert "spinal_metastases.yaml:" in str(err.value)


@pytest.mark.parametrize(("old", "new", "words"), [
    ("question: handover_walking_lost}", "question: handover_walking_gone}",
     "unknown handover question 'handover_walking_gone'"),
    ("needs: mri_whole_spine_done}", "needs: mri_done_whole}",
     "unknown question or derived value 'mri_done_whole'"),
    ("{words: KPS, question: kps}", "{words: KPS, question: karnofsky}", "unknown question 'karnofsky'"),
    ("handover_answer: handover_anticoagulation}", "handover_answer: handover_anticoagulants}",
     "unknown handover question 'handover_anticoagulants'"),
    ("{words: MRI, event: mri_done,", "{words: MRI, event: mri_taken,",
     "unknown clock event 'mri_taken' (allowed: presentation, symptom_onset, dexamethasone_given,"),
    ("{words: Walking, question: ambulatory}", "{words: Walking}",
     "give `question`, `handover_answer` or `event`: what the line shows"),
    ('when: "ambulatory == false"}', 'when: "ambulatory == flase"}', "flase"),
    ("event: mri_done, needs", "event: mri_taken, needs",
     "unknown clock event 'mri_taken' (allowed: presentation, symptom_onset, dexamethasone_given,"),
    ("{id: walking_lost, words: \"time walking was lost\", question: handover_walking_lost}",
     "{id: walking_lost, words: \"time walking was lost\"}", "give `question`, `event` or both"),
])
def test_the_handover_list_is_flow_data_checked_at_load(tmp_path, old, new, words):
    """The coordinator's items and the Background name handover questions, clock events and case answers the flow has."""
    from paths import ROOT

    from interview.flow.load import FlowError, load_flow

    text = (ROOT / "flows" / "spinal_metastases.yaml").read_text(encoding="utf-8")
    bad = text.replace(old, new, 1)
    assert bad != text
    path = tmp_path / "spinal_metastases.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(FlowError) as err:
        load_flow(path, cache=False)
    line = next(n for n, row in enumerate(bad.splitlines(), 1) if new.split(",")[0] in row)
    assert words in str(err.value) and f"spinal_metastases.yaml:{line}" in str(err.value), str(err.value)


def test_a_handover_condition_reads_scores_by_id_and_answers_unshadowed(flow):
    """Conditions read what the engine's read: a score by its id (`frankel_grade`), and the answer `frankel`
    itself, not the score the result keys under the same name."""
    from interview.export.handover import _env

    result = replay(flow, example_answers("emergency_breast")).result
    env = _env(flow, result)
    assert env["frankel"] == "D" and env["frankel_grade"] == result.scores["frankel"]


def test_the_handover_items_are_the_flows_in_its_order(flow):
    """The missing list follows the flow's `handover: items` (first symptom, walking, dexamethasone… the consultant)."""
    ids = [i.id for i in flow.model.handover.items]
    assert ids[:3] == ["symptom_onset", "walking_lost", "dexamethasone"] and ids[-1] == "consultant"
    _, _, _, missing = handover_of(flow, example_answers("emergency_breast"))
    assert [i.id for i in missing] == [i for i in ids if i in {m.id for m in missing}]


def test_a_dose_given_minutes_ago_reads_in_minutes_not_0_h(flow):
    """Dexamethasone given 17 minutes before the handover reads '17 min ago' (a tester saw '0 h ago')."""
    answers = example_answers("emergency_breast") | {CLOCK_KEY: {"dexamethasone_given": {"at": "2026-11-29T19:43Z",
                                                                                         "dose": "16 mg"}}}
    result, checked, marks, _ = handover_of(flow, answers)
    text = render_handover(result, flow, now=NOW, marks=marks, answers=checked)
    assert "17 min ago, 16 mg" in text and "0 h ago" not in text


def test_the_index_level_is_in_the_assessment(flow):
    """The level the case is about (T6) is in the SBAR's Assessment — a tester found it nowhere."""
    answers = example_answers("emergency_breast") | {"index_level": "T6"}
    result, checked, marks, _ = handover_of(flow, answers)
    text = render_handover(result, flow, now=NOW, marks=marks, answers=checked)
    assessment = text.split("A — Assessment", 1)[1].split("R — Recommendation", 1)[0]
    assert "Index level" in assessment and "T6" in assessment
