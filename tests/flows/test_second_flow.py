"""A second flow (`thoracolumbar_trauma.yaml`: other questions, one score, its own recommendation parts)
runs through check, `run`, the quiz, what-if, the interview and the exports with no code written for it."""

from __future__ import annotations

import json
import subprocess
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from interview.flow.load import FlowError, load_flow

HERE = Path(__file__).resolve().parent
TRAUMA = HERE / "thoracolumbar_trauma.yaml"
CASES = HERE / "cases"
sys.path.insert(0, str(HERE.parent / "tui"))  # the Pilot helpers of the interview tests

#: An intact patient with a burst fracture and torn posterior ligaments: TLICS 2 + 0 + 3 = 5, operative.
OPERATIVE = {"neuro_status": "intact", "morphology": "burst", "mri_done": True, "plc": "injured"}
#: A root injury, getting worse, a compression fracture and no MRI: TLICS 1 + 2 + 2 = 5, an emergency.
DEFICIT = {"neuro_status": "root", "deficit_progressing": True, "morphology": "compression", "mri_done": False}


@pytest.fixture(scope="module")
def trauma():
    """The second flow, validated afresh (never from the cache)."""
    return load_flow(TRAUMA, cache=False)


@pytest.fixture(scope="module")
def teaching_case(trauma):
    """The second flow's one teaching case, checked against it."""
    from interview.teach.library import find_case, load_library

    return find_case(load_library(CASES, trauma), "burst_with_injured_ligaments").case


def _replay(flow, answers):
    from interview.engine.replay import replay

    return replay(flow, answers).result


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "interview", *args], capture_output=True, text=True, timeout=120,
                          check=False)


# --- the flow declares its parts, quiz and report ---------------------------------------------------


def test_check_finds_nothing_in_the_second_flow():
    """`spine-interview check` on the second flow is clean (exit 0, no findings)."""
    done = _run("check", str(TRAUMA))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no findings" in done.stdout + done.stderr


def test_the_spinal_flow_declares_what_the_code_used_to_hold(flow):
    """The spinal flow's parts are the defaults (REFERENCE §9.3); its quiz asks the five score checkpoints."""
    from interview.flow.model import SECTION_9_3_PARTS

    assert [(p.id, p.title) for p in flow.model.parts] == list(SECTION_9_3_PARTS)
    assert [p.id for p in flow.model.parts if p.with_urgency] == ["clock"]
    assert [c.id for c in flow.model.teaching.checkpoints] == [
        "sins_total", "sins_category", "escc_class", "tokuhashi_band", "tomita_strategy"]
    assert flow.model.report.title == "Spinal metastasis"


@pytest.mark.parametrize("old, new, message", [
    ("part: treatment, when: 'headline == \"operative\"'", "part: surgery, when: 'headline == \"operative\"'",
     "unknown part 'surgery' (parts: now, treatment, follow_up)"),
    ("score: tlics, value: total", "score: tlic, value: total", "unknown score 'tlic' (scores: tlics)"),
    ("score: tlics, value: management", "score: tlics, value: plan",
     "tlics has no value 'plan' (values: total, band_label, management)"),
    ("after: imaging,\n", "after: history,\n", "phase 'history' is not read in the quiz"),
    ("hides: [morphology, plc]", "hides: [morphology, ligaments]", "unknown question 'ligaments'"),
    ("id: tlics_total", "id: headline", "'headline' is the quiz's own last checkpoint"),
    ("reveal_with: tlics_management", "reveal_with: tlics_total",
     "'tlics_total' is not a later checkpoint of tlics (tlics_management)"),
])
def test_a_wrong_name_in_parts_or_quiz_is_refused_with_its_line(tmp_path, old, new, message):
    """A part, score, value, phase or question the flow does not hold: file:line, what is wrong, what is allowed."""
    text = TRAUMA.read_text(encoding="utf-8")
    assert text.count(old) == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        load_flow(bad, cache=False)
    assert message in str(caught.value)
    line = next(n for n, row in enumerate(bad.read_text().splitlines(), 1) if new.split("\n")[0] in row)
    assert caught.value.line is not None and abs(caught.value.line - line) <= 1


# --- headless: run, the result object, the exports --------------------------------------------------


def test_run_json_holds_the_second_flows_own_parts(tmp_path):
    """`run` prints the result with the flow's parts as keys, in its order, and none of the spinal ones."""
    answers = tmp_path / "case.json"
    answers.write_text(json.dumps(DEFICIT), encoding="utf-8")
    done = _run("run", "--flow", str(TRAUMA), "--answers", str(answers))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    rec = out["recommendation"]
    assert out["scores"]["tlics"]["total"] == 5 and rec["headline"] == "operative" and rec["urgency"] == "emergency"
    keys = list(rec)
    assert keys[keys.index("flag_details") + 1:keys.index("rationale")] == ["now", "treatment", "follow_up"]
    assert [s["id"] for s in rec["now"]] == ["spinal_precautions"] and "clock" not in rec
    assert rec["flags"] == ["worsening_deficit"]


def test_run_markdown_titles_come_from_the_flow(tmp_path):
    """The Markdown report is headed by the flow's title and gives each part under its own title."""
    answers = tmp_path / "case.json"
    answers.write_text(json.dumps(DEFICIT), encoding="utf-8")
    done = _run("run", "--flow", str(TRAUMA), "--answers", str(answers), "--format", "markdown")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("# Thoracolumbar injury — TLICS triage (test flow) — Operative stabilisation")
    for title in ("## Now", "## Treatment", "## Follow-up"):
        assert title in text
    assert text.index("## Now") < text.index("## Treatment")
    assert "Spinal metastasis" not in text and "Urgency and clock items" not in text and "not an order" in text


def test_the_handover_of_a_flow_without_one_holds_no_line_of_another_flow(tmp_path):
    """The SBAR's lines are the flow's (`handover: situation/background/assessment`): none of the spinal ones
    ("missing" anticoagulants, consultant…) under a flow that declares no handover, and nothing said missing."""
    answers = tmp_path / "case.json"
    answers.write_text(json.dumps(DEFICIT), encoding="utf-8")
    done = _run("run", "--flow", str(TRAUMA), "--answers", str(answers), "--format", "handover",
                "--now", "2026-11-30T10:00")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "Nothing missing" in text and "missing" not in text.replace("Nothing missing", "")
    for spinal in ("Anticoagulants", "Responsible consultant", "Neurological deficit", "Frankel", "MRI"):
        assert spinal not in text
    assert "Scores: TLICS 5" in text and "Call the spinal surgeon now: due now" in text


def test_a_stored_result_reads_back_with_its_parts(trauma):
    """A second-flow result read back from its JSON holds the same parts (the case store relies on it)."""
    from interview.result import read_result

    result = _replay(trauma, DEFICIT)
    back = read_result(json.loads(json.dumps(result.to_json_dict())))
    assert back.to_json_dict() == result.to_json_dict()
    assert [s.id for s in back.recommendation.part("treatment")] == ["stabilisation"]
    assert back.recommendation.part("clock") == []


@pytest.mark.parametrize("version", ["R4B", "R5"])
def test_fhir_export_of_a_second_flow_case_validates(trauma, tmp_path, version):
    """A stored second-flow case exports as a FHIR Bundle that validates and passes our own check."""
    from interview.export.fhir import bundle, check_bundle, validate
    from interview.store.sqlite import CaseStore, save_result_case

    store = CaseStore(tmp_path / "cases.sqlite3")
    try:
        record = store.get_case(save_result_case(store, trauma, _replay(trauma, DEFICIT)))
        data = bundle(record, trauma, version)
    finally:
        store.close()
    validate(data, version)
    assert check_bundle(data) == []
    items = {i["linkId"] for i in data["entry"][0]["resource"]["item"]}
    assert {q.id for q in trauma.questions} <= items  # every question of this flow, none of the other
    assert "sins_pain" not in items


# --- teaching: quiz and what-if --------------------------------------------------------------------


def test_quiz_asks_the_declared_checkpoints_then_the_headline(trauma, teaching_case):
    """The quiz reads both phases, asks the TLICS total (0–10) and management, then the headline."""
    from interview.teach.quiz import Checkpoint, PhaseStep, Quiz

    quiz = Quiz(trauma, teaching_case)
    kinds = [(s.phase if isinstance(s, PhaseStep) else s.id) for s in quiz.steps]
    assert kinds == ["examination", "imaging", "tlics_total", "tlics_management", "headline"]
    total = quiz.checkpoints[0]
    assert isinstance(total, Checkpoint) and total.number_range == (0, 10) and total.expected == "5"
    assert total.working[-1] == "Total 5: Operative (5–10)" and total.reveal_with == "tlics_management"
    assert [c.value for c in quiz.checkpoints[1].choices] == ["non_operative", "either", "operative"]
    imaging = quiz.steps[1]
    assert sorted(imaging.hidden.values()) == ["tlics_total", "tlics_total"]  # morphology and the ligaments


def test_quiz_marks_and_summarises_a_second_flow_case(trauma, teaching_case):
    """Right and wrong answers are marked, a wrong one brings no coaching of another flow, the log entry is whole."""
    from interview.teach.quiz import Quiz, QuizError

    quiz = Quiz(trauma, teaching_case)
    assert quiz.submit("tlics_total", "4").correct is False
    assert quiz.submit("tlics_management", "operative").correct is True
    verdict = quiz.submit("headline", "operative")
    assert verdict.correct and verdict.coaching == []
    with pytest.raises(QuizError, match="from 0 to 10"):
        Quiz(trauma, teaching_case).submit("tlics_total", "11")
    assert quiz.summary_lines()[0].endswith("2 of 3 right.")
    assert [c["id"] for c in quiz.record()["checkpoints"]] == ["tlics_total", "tlics_management", "headline"]


def test_what_if_compares_the_second_flows_score_and_derived_value(trauma):
    """Undeclared what-if values default to each points score's total and band and each derived value."""
    from interview.teach.whatif import compared, what_if

    assert compared(trauma) == [("tlics", "total", "TLICS total"), ("tlics", "band_label", "TLICS band"),
                                ("neuro_deficit", None, "Neurological deficit")]
    outcome = what_if(trauma, OPERATIVE, {"plc": "intact"})
    changes = {c.label: (c.before, c.after) for c in outcome.changes}
    assert changes["TLICS total"] == ("5", "2")
    assert changes["Headline"] == ("Operative stabilisation", "Non-operative care")
    assert "Neurological deficit" not in changes


def test_a_flow_without_scores_is_quizzed_on_its_headline_alone():
    """A flow that declares no teaching still gives a quiz: its phases, then the headline."""
    from interview.teach.library import TeachingCase
    from interview.teach.quiz import Quiz
    from interview.teach.whatif import compared

    tiny = load_flow(HERE.parent / "flow" / "fixtures" / "tiny.yaml", cache=False)
    case = TeachingCase(id="walker", title="t", narrative="n", answers={"walks": True, "pain": 8},
                        expected_headline="treat")
    assert [c.id for c in Quiz(tiny, case).checkpoints] == ["headline"]
    assert compared(tiny) == []


# --- the terminal: interview, quiz and what-if through Pilot ----------------------------------------


@asynccontextmanager
async def _at_recommendation(flow, tmp_path, monkeypatch):
    """The app (a case store in ``tmp_path``, the working folder) at the recommendation of DEFICIT, answered by keys."""
    from tui_keys import answer_case

    from interview.tui.app import InterviewApp
    from interview.tui.storage import CaseKeeper

    monkeypatch.chdir(tmp_path)
    app = InterviewApp(flow, keeper=CaseKeeper(str(tmp_path / "cases.db")))
    async with app.run_test(size=(100, 40)) as pilot:
        await answer_case(pilot, DEFICIT)
        await pilot.press("r")
        await pilot.pause()
        yield app, pilot


async def test_interview_reaches_the_second_flows_recommendation(trauma, tmp_path, monkeypatch):
    """The interview asks the second flow's questions by keys and shows its parts under its own titles."""
    from interview.tui.screens.recommendation import RecommendationScreen
    from interview.tui.screens.whatif import WhatIfScreen

    async with _at_recommendation(trauma, tmp_path, monkeypatch) as (app, pilot):
        assert isinstance(app.screen, RecommendationScreen)
        sections = [str(s.render()) for s in app.screen.query(".section")]
        ours = ("Flags", "Now", "Treatment", "Follow-up", "Urgency and clock items", "Radiotherapy")
        assert [s for s in sections if s in ours] == ["Flags", "Now", "Treatment", "Follow-up"]
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WhatIfScreen)
        assert app.session.result().recommendation.headline == "operative"


async def test_the_clock_dialog_records_the_second_flows_own_events(trauma, tmp_path, monkeypatch):
    """The clock key offers the flow's own events (none of the MSCC ones), and the one recorded meets its timer."""
    import io

    from rich.console import Console

    from interview.tui.screens.clock import ClockScreen

    async with _at_recommendation(trauma, tmp_path, monkeypatch) as (app, pilot):
        summary = str(app.screen.query_one("#summary").render())
        assert "Call the spinal surgeon now: due now" in summary and "c records a clock event" in summary
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ClockScreen)
        options = [app.screen.query_one("#event").get_option_at_index(i) for i in range(2)]
        assert app.screen.query_one("#event").option_count == 2
        assert [o.id for o in options] == ["ct_done", "surgeon_contacted"]
        drawn = io.StringIO()
        Console(file=drawn, width=60, color_system=None).print(*(o.prompt for o in options))
        assert "1. Whole-spine CT done" in drawn.getvalue() and "2. On-call spinal surgeon contacted" in drawn.getvalue()
        await pilot.press("2", "enter")
        await pilot.pause()
        events = app.keeper.store.events(app.keeper.case_id)
        assert [(e.kind, e.question) for e in events if e.kind == "clock"] == [("clock", "surgeon_contacted")]
        assert "Call the spinal surgeon now: done" in str(app.screen.query_one("#summary").render())


async def test_a_flow_without_a_clock_offers_no_clock_key(tmp_path, monkeypatch):
    """A flow that declares no clock has nothing to record: `c` is neither shown nor acted on."""
    from interview.tui.screens.recommendation import RecommendationScreen

    text = TRAUMA.read_text(encoding="utf-8")
    start, end = text.index("clock:  #"), text.index("parts:")
    path = tmp_path / "no_clock.yaml"
    path.write_text(text[:start] + text[end:].replace(", timer: {hours: 0, done_by: surgeon_contacted}", ""),
                    encoding="utf-8")
    flow = load_flow(path, cache=False)
    assert flow.model.clock is None
    async with _at_recommendation(flow, tmp_path, monkeypatch) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, RecommendationScreen)
        assert "c records" not in str(screen.query_one("#summary").render())
        assert "clock" not in {b.action for (_, b, enabled, _) in screen.active_bindings.values() if enabled}
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is screen


def test_cases_mark_takes_the_events_of_the_cases_own_flow(tmp_path):
    """`cases mark` checks the event against the case's flow: its own is recorded, a spinal one is refused with its list."""
    answers = tmp_path / "case.json"
    answers.write_text(json.dumps(DEFICIT), encoding="utf-8")
    db = str(tmp_path / "cases.db")
    done = _run("run", "--flow", str(TRAUMA), "--answers", str(answers), "--save", "--db", db)
    assert done.returncode == 0, done.stderr
    case_id = json.loads(_run("cases", "list", "--db", db, "--format", "json").stdout)[0]["id"]
    not_installed = _run("cases", "mark", case_id, "ct_done", "--db", db)  # its own flow, not installed here
    assert not_installed.returncode != 0 and "needs its flow 'thoracolumbar_trauma'" in not_installed.stderr
    other = _run("cases", "mark", case_id, "mri_done", "--db", db, "--flow", "spinal_metastases")
    assert other.returncode == 2 and "is a case of flow 'thoracolumbar_trauma', not 'spinal_metastases'" in other.stderr
    wrong = _run("cases", "mark", case_id, "mri_done", "--db", db, "--flow", str(TRAUMA))
    assert wrong.returncode == 2 and "unknown clock event 'mri_done' (allowed: ct_done, surgeon_contacted)" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    right = _run("cases", "mark", case_id, "surgeon-contacted", "--db", db, "--flow", str(TRAUMA))
    assert right.returncode == 0, right.stderr
    assert "On-call spinal surgeon contacted at" in right.stderr


async def test_quiz_app_runs_a_second_flow_case_to_its_summary(trauma, teaching_case, tmp_path):
    """The quiz screen steps through the case by keys, takes the typed total, and saves the log at the end."""
    from interview.tui.screens.quiz import QuizApp, QuizScreen
    from interview.tui.screens.whatif import WhatIfScreen

    app = QuizApp(trauma, teaching_case, log_path=tmp_path / "log.jsonl")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        for _ in range(12):
            step = screen.step
            if step is None and screen.position >= 0:
                break
            if getattr(step, "number_range", None):
                await pilot.press(*step.expected, "enter")
            elif hasattr(step, "choices") and step.id not in screen.quiz.verdicts:
                n = next(i for i, c in enumerate(step.choices, 1) if c.value == step.expected)
                await pilot.press(str(n))
            else:
                await pilot.press("n")
            await pilot.pause()
        assert screen.quiz.finished and screen.quiz.score == (3, 3)
        await pilot.pause()
        assert app.saved_to == tmp_path / "log.jsonl"
        await pilot.press("c")  # no coaching topic is about this flow's questions: said, not shown
        await pilot.pause()
        assert not screen.query_one("#coaching").has_class("shown")
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WhatIfScreen)
