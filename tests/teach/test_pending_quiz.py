"""The quiz checkpoint "which pending result would change the plan?" on library cases with answers not known yet."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from interview.engine.provisional import value_headlines
from interview.engine.replay import replay
from interview.flow.load import flows_dir
from interview.teach.library import LibraryError, cases_dir, load_case
from interview.teach.log import CHECKPOINT_KEYS, ENTRY_KEYS
from interview.teach.quiz import NONE_DECIDES, Checkpoint, Quiz

RENAL = "renal_staging_survival_pending"  # staging and the survival estimate open: the estimate decides
RECTAL = "rectal_ct_sins_pending"  # collapse, posterolateral and visceral staging open: both SINS items decide


def _pending(quiz: Quiz) -> Checkpoint:
    return next(c for c in quiz.checkpoints if c.id == "pending_result")


# --- the checkpoint as a model -------------------------------------------------------------------------


def test_open_findings_are_the_options_in_flow_order(flow, library_case):
    """The options are the case's open findings by their question words, then 'none of them'."""
    cp = _pending(Quiz(flow, library_case(RENAL)))
    assert [c.value for c in cp.choices] == ["extraspinal_bone_mets", "vertebral_body_mets", "visceral_mets",
                                             "expected_survival_months", NONE_DECIDES]
    assert cp.choices[0].label == "How many bone metastases outside the spine"
    assert cp.prompt == "Which pending result would change the plan?"


def test_asked_last_and_no_headline_checkpoint_while_the_headline_waits(flow, library_case):
    """A case whose headline waits for its open answers ends on the pending checkpoint, with no headline to commit to."""
    quiz = Quiz(flow, library_case(RENAL))
    assert quiz.steps[-1].id == "pending_result"
    assert "headline" not in [c.id for c in quiz.checkpoints]


def test_the_deciding_finding_is_right_and_the_others_wrong(flow, library_case):
    """Only the survival estimate decides the renal case: it is right; a staging item or 'none' is wrong."""
    case = library_case(RENAL)
    assert Quiz(flow, case).submit("pending_result", "expected_survival_months").correct
    for wrong in ("visceral_mets", "extraspinal_bone_mets", NONE_DECIDES):
        verdict = Quiz(flow, case).submit("pending_result", wrong)
        assert not verdict.correct
        assert "Answer: Expected survival in months" in verdict.why()


def test_either_of_two_deciding_findings_is_right(flow, library_case):
    """When two open findings decide, naming either is right; the answer words name both."""
    case = library_case(RECTAL)
    assert Quiz(flow, case).submit("pending_result", "sins_collapse").correct
    assert Quiz(flow, case).submit("pending_result", "sins_posterolateral").correct
    wrong = Quiz(flow, case).submit("pending_result", "visceral_mets")
    assert not wrong.correct
    assert wrong.checkpoint.answer_words() == ("SINS 5/6 — vertebral body collapse or "
                                               "SINS 6/6 — posterolateral involvement (facet, pedicle or co…")


def test_a_value_it_does_not_offer_is_refused(flow, library_case):
    """A field that is not an open finding of the case is refused, naming the options."""
    from interview.teach.quiz import QuizError

    with pytest.raises(QuizError, match="'kps' is not one of: extraspinal_bone_mets, .*none_of_them"):
        Quiz(flow, library_case(RENAL)).submit("pending_result", "kps")


def test_working_gives_the_headline_each_value_would_give(flow, library_case):
    """The working names, for each open finding, what each of its values would make the headline."""
    working = _pending(Quiz(flow, library_case(RENAL))).working
    assert "   under 3 months → Palliative radiotherapy and supportive care" in working
    assert "   3 to under 6 months → Conventional external beam radiotherapy (cEBRT)" in working
    assert "   6 months or more → Stereotactic body radiotherapy (SBRT) alone" in working
    assert any(line.startswith("Metastases to major internal organs") and line.endswith("does not change it:")
               for line in working)
    assert working[-1].startswith("Find out first — the headline depends on: Expected survival in months")


def test_working_choice_values_grouped_by_outcome(flow, library_case):
    """Values with the same outcome share a line: only > 50% collapse can bring stabilisation."""
    working = _pending(Quiz(flow, library_case(RECTAL))).working
    assert ("   > 50% collapse → one of Stabilisation, then radiotherapy; Stereotactic body radiotherapy (SBRT) "
            "alone (the other open answers decide)") in working
    assert ("   < 50% collapse or No collapse, but > 50% of the body involved or None of the above → "
            "Stereotactic body radiotherapy (SBRT) alone") in working


@pytest.mark.parametrize("case_id", [RENAL, RECTAL])
def test_each_value_line_is_what_the_engine_gives_with_that_value(flow, library_case, case_id):
    """Filling one open finding with a value of each line gives exactly that line's headlines through the engine."""
    case = library_case(case_id)
    outcomes, _ = value_headlines(flow, dict(case.answers))
    assert set(outcomes) == set(case.open_answers)
    for qid, groups in outcomes.items():
        for values, heads in groups:
            for value in values:
                first = value[0] if isinstance(value, tuple) else value
                rec = _engine(flow, {**case.answers, qid: first})
                got = rec.possible_headlines if rec.provisional else [rec.headline]
                assert sorted(got) == sorted(heads), (qid, first)


def _engine(flow, answers):
    """The engine's recommendation; a question the filled value brings onto the path stays open (not known)."""
    from interview.engine.replay import MissingAnswer

    while True:
        try:
            return replay(flow, answers).result.recommendation
        except MissingAnswer as err:
            answers = {**answers, err.question_id: "not_known"}


def test_right_answers_are_the_provisional_decisive_fields(flow, library):
    """Right is exactly the provisional result's `decisive` list (CONTRACT §7), for every case with open answers."""
    for c in library:
        if not c.case.open_answers:
            continue
        quiz = Quiz(flow, c.case)
        cp = _pending(quiz)
        right = {v.value for v in cp.choices if cp.accepts(v.value)}
        assert right == (set(quiz.result.recommendation.decisive) or {NONE_DECIDES}), c.id


def test_none_of_them_when_the_headline_stands_and_the_headline_is_still_asked(flow, library_case):
    """With the survival estimate known, the staging report changes nothing: 'none of them', then the headline."""
    case = library_case(RENAL).model_copy(update={"answers": {**library_case(RENAL).answers,
                                                              "expected_survival_months": 24}})
    quiz = Quiz(flow, case)
    cp = _pending(quiz)
    assert cp.expected == NONE_DECIDES and cp.also_right == ()
    assert quiz.submit("pending_result", NONE_DECIDES).correct
    assert [c.id for c in quiz.checkpoints][-2:] == ["pending_result", "headline"]
    assert cp.working[-1] == "Whatever they show, the headline is Stereotactic body radiotherapy (SBRT) alone"


def test_not_asked_on_a_complete_case(flow, library_case):
    """A case with every answer given has no pending checkpoint."""
    assert "pending_result" not in [c.id for c in Quiz(flow, library_case("colon_stable_cebrt")).checkpoints]


def test_learning_log_records_it_without_patient_details(flow, library_case):
    """The log entry carries the checkpoint like any other (id, prompt, expected, given, right) and nothing else."""
    quiz = Quiz(flow, library_case(RENAL))
    for cp in quiz.checkpoints:
        quiz.submit(cp.id, cp.expected if cp.number_range is None else cp.expected)
    entry = quiz.record()
    assert set(entry) <= set(ENTRY_KEYS)
    recorded = next(c for c in entry["checkpoints"] if c["id"] == "pending_result")
    assert set(recorded) == set(CHECKPOINT_KEYS)
    assert recorded == {"id": "pending_result", "prompt": "Which pending result would change the plan?",
                        "expected": "expected_survival_months", "given": "expected_survival_months", "correct": True}
    assert "61" not in str(entry) and "narrative" not in str(entry)


# --- the flow declares it --------------------------------------------------------------------------------


def test_flow_without_the_declaration_asks_no_pending_checkpoint(flow, library_case):
    """A flow whose `teaching:` has no `pending:` quizzes the same case without it."""
    from dataclasses import replace

    from interview.teach.quiz import build_steps

    result = Quiz(flow, library_case(RENAL)).result
    bare = copy.copy(flow)
    bare.model = replace(flow.model, teaching=replace(flow.model.teaching, pending=None))
    assert [s.id for s in build_steps(bare, result) if isinstance(s, Checkpoint)] == ["sins_total", "sins_category",
                                                                                      "escc_class"]


@pytest.mark.parametrize("clash", ["headline", "escc_class"])
def test_pending_id_may_not_repeat_a_checkpoint(clash):
    """The pending checkpoint's id may not be the headline's or a score checkpoint's."""
    from interview.flow.schema import SchemaError, validate_flow

    data = yaml.safe_load((flows_dir() / "spinal_metastases.yaml").read_text(encoding="utf-8"))
    data["teaching"]["pending"]["id"] = clash
    with pytest.raises(SchemaError, match=f"id '{clash}' is already a checkpoint of the quiz"):
        validate_flow(data)


# --- the library -------------------------------------------------------------------------------------


def test_at_least_two_library_cases_use_it(flow, library):
    """Two or more shipped cases have open answers and ask the pending checkpoint."""
    using = [c.id for c in library if c.case.open_answers
             and "pending_result" in [cp.id for cp in Quiz(flow, c.case).checkpoints]]
    assert {RENAL, RECTAL} <= set(using)


def test_pending_cases_give_their_possible_headlines(flow, library):
    """A case stating expected_possible_headlines gets exactly those from the engine, and no single headline."""
    for c in library:
        if c.case.expected_possible_headlines is None:
            continue
        rec = replay(flow, c.case.answers).result.recommendation
        assert rec.headline is None and sorted(rec.possible_headlines) == sorted(c.case.expected_possible_headlines)


def _write(tmp_path: Path, case_id: str, **changes) -> Path:
    data = yaml.safe_load((cases_dir() / f"{case_id}.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "answers":
            data["answers"].update(value)
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = tmp_path / f"{case_id}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_not_known_refused_where_the_flow_does_not_allow_it(flow, tmp_path):
    """`age: not_known` is refused with the file, the answer's line and the findings that may be not known."""
    path = _write(tmp_path, RENAL, answers={"age": "not_known"})
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.strip().startswith("age:"))
    with pytest.raises(LibraryError) as err:
        load_case(path, flow)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: field 'age': ")
    assert "'not_known' is allowed only for findings that may still be pending" in message
    assert re.search(r"not_known is allowed for: .*sins_collapse.*expected_survival_months", message)


def test_a_wrong_value_keeps_its_own_message_and_line(flow, tmp_path):
    """A plain bad value is refused as before (with its line), with no not_known hint."""
    path = _write(tmp_path, RENAL, answers={"kps": 75})
    with pytest.raises(LibraryError) as err:
        load_case(path, flow)
    assert re.match(rf"{re.escape(str(path))}:\d+: field 'kps': ", str(err.value))
    assert "not_known is allowed for" not in str(err.value)


def test_a_complete_case_must_state_its_headline(tmp_path):
    """Without open answers, expected_possible_headlines is refused and expected_headline is required."""
    path = _write(tmp_path, "colon_stable_cebrt", expected_headline=None)
    with pytest.raises(LibraryError, match="expected_headline is missing"):
        load_case(path)
    path = _write(tmp_path, "colon_stable_cebrt", expected_possible_headlines=["cebrt_alone"])
    with pytest.raises(LibraryError, match="expected_possible_headlines is for a case with answers not_known"):
        load_case(path)


def test_possible_headlines_must_be_headlines(flow, tmp_path):
    """A possible headline that the flow does not have is named, with the allowed ones."""
    path = _write(tmp_path, RECTAL, expected_possible_headlines=["sbrt_alone", "sbrt"])
    with pytest.raises(LibraryError, match=r"expected_possible_headlines 'sbrt' is not a headline \(allowed: "):
        load_case(path, flow)


def test_teach_lists_the_pending_cases(capsys):
    """`spine-interview teach` lists both cases."""
    from interview.cli import main

    assert main(["teach"]) == 0
    listed = capsys.readouterr().out
    assert RENAL in listed and RECTAL in listed


def test_answers_shown_gives_the_possible_headlines(capsys):
    """`teach --list --answers-shown` shows a pending case's possible headlines, never 'None'."""
    from interview.cli import main

    assert main(["teach", "--list", "--answers-shown"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(RECTAL))
    assert line.endswith("→ sbrt_alone | stabilisation_then_rt")


def test_check_stays_clean_with_pending_worked_cases(capsys):
    """`spine-interview check` seeds from the library (open answers included) and finds nothing."""
    from interview.cli import main

    assert main(["check"]) == 0
    assert "no findings" in capsys.readouterr().out


# --- the screen ----------------------------------------------------------------------------------------


async def _to_pending(pilot, screen) -> None:
    """Commit the right value at every earlier checkpoint and move on to the pending one."""
    while not (isinstance(screen.step, Checkpoint) and screen.step.id == "pending_result"):
        step = screen.step
        if isinstance(step, Checkpoint) and step.id not in screen.quiz.verdicts:
            if step.number_range is not None:
                await pilot.press(*step.expected, "enter")
            else:
                await pilot.press(str([c.value for c in step.choices].index(step.expected) + 1))
            await pilot.pause()
            if step.reveal_with is not None:
                continue
        await pilot.press("n")
        await pilot.pause()


@pytest.mark.parametrize(("key", "right"), [("4", True), ("3", False)], ids=["estimate", "visceral"])
async def test_quiz_screen_answers_the_pending_checkpoint(library_case, quiz_on, tmp_path, key, right):
    """On the quiz screen a digit answers it; the mark and the working by value show, then the summary and log."""
    from interview.teach.log import read_entries

    async with quiz_on(library_case(RENAL), (80, 24)) as (pilot, screen):
        await _to_pending(pilot, screen)
        assert "Which pending result would change the plan?" in str(screen.query_one("#content").render())
        await pilot.press(key)
        await pilot.pause()
        content = str(screen.query_one("#content").render())
        assert ("✔ Right" if right else "✘ Not quite — you said Metastases to major internal organs") in content
        assert "under 3 months → Palliative radiotherapy and supportive care" in content
        await pilot.press("n")
        await pilot.pause()
        summary = str(screen.query_one("#content").render())
        assert f"{4 if right else 3} of 4 right" in summary
        await pilot.pause()
    [entry] = read_entries(tmp_path / "log.jsonl")
    assert entry["checkpoints"][-1]["given"] == ("expected_survival_months" if right else "visceral_mets")


def test_pending_checkpoint_snapshot(snap_compare, flow, library_case):
    """The pending checkpoint as the learner meets it, at 80×24."""
    from interview.tui.screens.quiz import QuizApp

    async def at_pending(pilot):
        screen = pilot.app.screen
        screen.position = next(i for i, s in enumerate(screen.quiz.steps)
                               if isinstance(s, Checkpoint) and s.id == "pending_result")
        await pilot.pause()

    assert snap_compare(QuizApp(flow, library_case(RECTAL)), terminal_size=(80, 24), run_before=at_pending)
