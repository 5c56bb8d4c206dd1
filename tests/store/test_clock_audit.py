"""Issue 13: the MSCC clock as events of the case's own log, and the NICE NG234 / QS56 audit built from them.

The fixture stores 24 cases with recorded times — on time, late, and with times missing — so the audit's
shares, intervals and "missing" cells are checked against numbers worked out by hand.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from interview.engine.replay import replay
from interview.engine.session import Event
from interview.export.audit import STANDARDS, audit_csv, audit_markdown, audit_rows, shares
from interview.export.clock import CLOCK_KIND, ClockError, check_event, mark, moments, parse_time
from store.helpers import example_answers

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)


def store_case(store, flow, name: str, presented: datetime, label: str) -> str:
    """A finished case whose answers were given at `presented` (its log, then its result)."""
    result = replay(flow, example_answers(name)).result
    case_id = store.create_case(flow, label=label)
    skipped = set(result.skipped)
    events = [Event("skip", q) if q in skipped else Event("answer", q, None, result.answers[q]) for q in result.path]
    store.append(case_id, events, time=presented.isoformat())
    store.finish(case_id, result)
    return case_id


#: (example, hours to MRI, MRI→decision, decision→treatment); None: not recorded.
PLAN = [
    ("emergency_breast", 6, 10, 12), ("emergency_breast", 20, 30, 20), ("emergency_breast", 30, 4, 30),
    ("emergency_breast", None, None, 10), ("emergency_breast", 2, None, None), ("emergency_breast", 12, 12, 12),
    ("cauda_equina", 3, 5, 8), ("cauda_equina", 26, 20, 20), ("cauda_equina", 10, 10, None),
    ("cauda_equina", 8, 8, 30), ("neuro_no_compression", 4, 20, 10), ("neuro_no_compression", None, 5, 5),
    ("renal_stable", 48, 48, 100), ("renal_stable", 20, 20, 200), ("renal_stable", 10, None, 50),
    ("lymphoma_stable", 12, 12, 160), ("lymphoma_stable", 30, 10, 10), ("prior_rt_stable", 5, 5, 170),
    ("prior_rt_stable", None, None, None), ("unknown_primary", 20, 30, 40), ("unknown_primary", 6, 6, 6),
    ("paediatric", 10, 10, 10), ("paediatric", 22, 2, None), ("emergency_breast", 1, 1, 1),
]


@pytest.fixture
def audit_store(store, flow):
    """24 stored cases, one a day from T0, with their clock marks (some missing) in the ordinary log."""
    return fill_audit_store(store, flow)


def fill_audit_store(store, flow):
    """Store PLAN's cases, one a day from T0, each followed by its clock marks; returns the store."""
    for day, (name, to_mri, to_plan, to_treat) in enumerate(PLAN):
        presented = T0 + timedelta(days=day)
        case_id = store_case(store, flow, name, presented, f"audit-{day:02d}")
        at = presented
        for event, hours in (("mri_done", to_mri), ("decision_made", to_plan), ("treatment_started", to_treat)):
            if hours is None:
                continue  # not recorded: the next time still runs from the last one recorded
            at = at + hours * H
            mark(store, case_id, flow, event, at)
    return store


def expected_shares(flow) -> dict[str, tuple[int, int, int]]:
    """The shares worked out from PLAN directly: (met, counted, missing) per standard."""
    out = {s.id: [0, 0, 0] for s in STANDARDS}
    for name, to_mri, to_plan, to_treat in PLAN:
        emergency = replay(flow, example_answers(name)).result.recommendation.urgency == "emergency"
        checks = [("mri_24h", to_mri, 24, True),
                  ("plan_24h", to_plan if to_mri is not None else None, 24, True),
                  ("treatment_24h", to_treat if to_plan is not None else None, 24, emergency),
                  ("treatment_1w", to_treat if to_plan is not None else None, 168, not emergency)]
        for sid, hours, limit, applies in checks:
            if not applies:
                continue
            if hours is None:
                out[sid][2] += 1
            else:
                out[sid][0] += hours <= limit
                out[sid][1] += 1
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


# --- marking ------------------------------------------------------------------------------------------


def test_a_mark_is_an_event_of_the_log_and_keeps_the_case_complete(store, flow):
    """`mark` appends one `clock` event (time and dose in its value); the finished case stays finished."""
    case_id = store_case(store, flow, "emergency_breast", T0, "bed 4")
    before = store.get_case(case_id)
    mark(store, case_id, flow, "dexamethasone_given", T0 + 2 * H, dose="16 mg")
    after = store.get_case(case_id)
    assert after.status == "complete" and after.result == before.result and after.answers == before.answers
    event = after.events[-1]
    assert (event.kind, event.question) == (CLOCK_KIND, "dexamethasone_given")
    assert event.new == {"at": (T0 + 2 * H).isoformat(timespec="seconds"), "dose": "16 mg"}


def test_onset_is_stored_as_the_answer_time_less_its_hours(store, flow):
    """The answer "14 h since the first symptom" given at T0 puts the onset at T0 − 14 h, for good."""
    case_id = store_case(store, flow, "emergency_breast", T0, "bed 5")
    marks = moments(store.get_case(case_id).events, flow)
    assert marks["symptom_onset"].at == T0 - 14 * H
    assert marks["presentation"].at == T0


def test_a_later_mark_corrects_the_earlier_one(store, flow):
    """Marking the same event again gives the new time; the log keeps both."""
    case_id = store_case(store, flow, "emergency_breast", T0, "bed 6")
    mark(store, case_id, flow, "mri_done", T0 + 3 * H)
    mark(store, case_id, flow, "mri_done", T0 + 4 * H)
    record = store.get_case(case_id)
    assert moments(record.events, flow)["mri_done"].at == T0 + 4 * H
    assert sum(e.kind == CLOCK_KIND for e in record.events) == 2


@pytest.mark.parametrize(("text", "words"), [("MRI", "allowed: dexamethasone_given"), ("given", "allowed:")])
def test_unknown_event_is_one_clear_error(flow, text, words):
    """An event name outside the flow's list is refused with the names allowed."""
    with pytest.raises(ClockError, match=words):
        check_event(flow, text)


@pytest.mark.parametrize(("text", "words"), [("yesterday", "cannot read"), ("2027-01-01T10:00", "in the future")])
def test_a_bad_or_future_time_is_refused(text, words):
    """A time that cannot be read, or one after now, is refused with what is allowed."""
    with pytest.raises(ClockError, match=words):
        parse_time(text, now=T0)


def test_times_are_read_as_typed():
    """ISO with a zone, and HH:MM (today, or yesterday when later than now), are read as absolute times."""
    assert parse_time("2026-11-02T07:30+00:00", now=T0) == T0 - 30 * timedelta(minutes=1)
    assert parse_time(None, now=T0) == T0


# --- the audit ------------------------------------------------------------------------------------------


def test_audit_has_one_row_per_case_with_missing_times_shown(audit_store, flow):
    """24 cases, 24 rows; a time not recorded is "missing" and so is every interval that needs it."""
    rows = audit_rows(audit_store, lambda record: flow)
    assert len(rows) == len(PLAN) == 24
    table = list(csv.DictReader(io.StringIO(audit_csv(rows))))
    assert len(table) == 24
    first = table[0]
    assert first["label"] == "audit-00" and first["mri_done"].startswith("2026-11-02T14:00")
    assert first["presentation_to_mri_h"] == "6.0" and first["mri_to_decision_h"] == "10.0"
    assert first["onset_to_mri_h"] == "20.0"  # 14 h before presentation, MRI 6 h after
    gap = table[3]  # no MRI and no decision recorded
    assert gap["mri_done"] == "missing" and gap["presentation_to_mri_h"] == "missing"
    assert gap["mri_24h"] == "missing" and gap["plan_24h"] == "missing"
    assert table[12]["onset_to_mri_h"] == "missing"  # no deficit: no onset asked, none guessed


def test_a_case_whose_flow_cannot_be_loaded_keeps_its_marks_and_loses_only_its_onset(audit_store, flow):
    """Without the case's flow the recorded marks still count (never silently "missing"); only the onset,
    dated by the flow's onset question, is not known."""
    with_flow = list(csv.DictReader(io.StringIO(audit_csv(audit_rows(audit_store, lambda record: flow)))))
    without = list(csv.DictReader(io.StringIO(audit_csv(audit_rows(audit_store, lambda record: None)))))
    for a, b in zip(with_flow, without, strict=True):
        assert {k: v for k, v in a.items() if "onset" not in k} == {k: v for k, v in b.items() if "onset" not in k}
    assert with_flow[0]["onset_to_mri_h"] == "20.0" and without[0]["onset_to_mri_h"] == "missing"


def test_cases_of_a_flow_without_the_audited_events_are_left_out_and_named(audit_store):
    """A case of another pathway (the trauma test flow records a CT and a call) is not an MSCC audit row."""
    from paths import ROOT

    from interview.flow.load import load_flow

    trauma = load_flow(ROOT / "tests" / "flows" / "thoracolumbar_trauma.yaml", cache=False)
    left_out: list[str] = []
    assert audit_rows(audit_store, lambda record: trauma, left_out=left_out) == []
    assert len(left_out) == len(PLAN)


def test_audit_shares_are_those_worked_out_by_hand(audit_store, flow):
    """Within each standard: met / counted, and the cases with a time missing counted apart."""
    got = {s.standard.id: (s.met, s.counted, s.missing) for s in shares(audit_rows(audit_store, lambda record: flow))}
    assert got == expected_shares(flow)
    assert got["mri_24h"] == (17, 21, 3)  # 4 of the 21 with both times took longer than 24 h


def test_audit_since_keeps_the_later_cases(audit_store, flow):
    """`since` keeps the cases that presented on or after it."""
    assert len(audit_rows(audit_store, lambda record: flow, since=T0 + timedelta(days=20))) == 4


def test_audit_markdown_has_the_table_shares_and_a_bar_chart(audit_store, flow):
    """The Markdown gives each case, "missing" where a time is, and a bar per standard."""
    text = audit_markdown(audit_rows(audit_store, lambda record: flow), now=T0 + timedelta(days=30))
    assert sum(line.startswith("| audit") for line in text.splitlines()) == 24
    assert "missing" in text
    for s in STANDARDS:
        line = next(line for line in text.splitlines() if line.startswith(s.title))
        assert "█" in line or "░" in line
    assert "17/21 (3 missing)" in text
