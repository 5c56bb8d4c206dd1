"""Cases saved under contract v1, read by a newer flow: re-evaluated, said so, never the v1 headline alone."""

from __future__ import annotations

import json
import sqlite3

import pytest
from paths import EXAMPLES_V2, example_answers

from interview.cli import main
from interview.engine.reevaluate import EVENT_KIND, reevaluate
from interview.engine.replay import replay
from interview.engine.restore import open_session
from interview.store.sqlite import CaseStore, save_result_case
from store.v1_fixture import (
    COMPLETE,
    FLOW_KINDS,
    IN_PROGRESS,
    STORED_VERSION,
    V1_HEADLINES,
    case_ids,
    copy_fixture,
    current_flow,
)


@pytest.fixture
def v1_db(tmp_path):
    """A copy of the database the v1 code made."""
    return copy_fixture(tmp_path)


@pytest.fixture(params=FLOW_KINDS)
def new(request, tmp_path):
    """(flow, --flow argument): the shipped flow once past 1.0.0, and the simulated successor."""
    return current_flow(request.param, tmp_path)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _record(db, label):
    with CaseStore(db) as store:
        return store.get_case(store.resolve(label))


def _rows(db) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return (con.execute("SELECT id, status, headline, flow_version, flow_sha256, result FROM cases ORDER BY id")
                .fetchall() + con.execute("SELECT * FROM events ORDER BY seq").fetchall())


def test_fixture_holds_cases_of_the_v1_code(v1_db):
    """The committed database: the three v1 examples finished under flow 1.0.0 and one case in progress."""
    with CaseStore(v1_db) as store:
        cases = {c.label: c for c in store.list_cases()}
        versions = {store.get_case(c.id).flow_version for c in cases.values()}
    assert versions == {STORED_VERSION}
    assert {label: c.headline_title for label, c in cases.items() if c.status == "complete"} == V1_HEADLINES
    assert cases[IN_PROGRESS].status == "in_progress" and cases[IN_PROGRESS].headline is None


@pytest.mark.parametrize("label", COMPLETE)
def test_engine_replays_a_v1_case_and_names_what_is_missing(label, v1_db, new):
    """Under a flow that requires age, each v1 case is incomplete, needs age, and the statement keeps its v1 headline beside that."""
    flow, _ = new
    rv = reevaluate(flow, _record(v1_db, label))
    assert rv is not None and not rv.complete and rv.status == "in_progress"
    assert "age" in rv.missing and rv.next_question == rv.missing[0]
    text = rv.statement()
    assert text.startswith(f"Decided under contract v1 (flow {STORED_VERSION}) on 20")
    assert V1_HEADLINES[label] in text
    assert f"Under the current flow ({flow.version}) the case is incomplete: it needs " in text
    assert all(q in text for q in rv.missing)


def test_engine_leaves_a_case_of_the_current_flow_alone(v1_db, flow):
    """A case decided under the flow that reads it is not re-evaluated (the shipped flow read at its own version)."""
    record = _record(v1_db, "renal_stable")
    if flow.sha256 == record.flow_sha256:
        assert reevaluate(flow, record) is None
    with CaseStore(v1_db) as store:
        case_id = save_result_case(store, flow, replay(flow, _answers_for(flow, "renal_stable")).result)
        assert reevaluate(flow, store.get_case(case_id)) is None


def test_list_marks_v1_cases(v1_db, new, capsys):
    """`cases list` gives each v1 case's flow as old → new, 'needs answers' for finished ones, and the engine's mark."""
    flow, flow_arg = new
    code, out, err = _run(capsys, "cases", "list", "--db", str(v1_db), "--flow", flow_arg)
    assert code == 0, err
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    ids = case_ids(v1_db)
    assert out.splitlines()[0].split() == ["ID", "LABEL", "STATUS", "UPDATED", "FLOW", "HEADLINE"]
    for label, case_id in ids.items():
        line = lines[case_id]
        assert f"{STORED_VERSION} → {flow.version}" in line
        assert reevaluate(flow, _record(v1_db, label)).marker() in line
        assert ("needs answers" in line.split(f"{STORED_VERSION} →")[0]) == (label in COMPLETE)
        if label in COMPLETE:
            # The v1 headline only ever beside the mark of what the case is now.
            assert f"(under {STORED_VERSION}: {V1_HEADLINES[label]})" in line


def test_list_json_gives_the_status_under_the_current_flow(v1_db, new, capsys):
    """`cases list --format json`: status and headline under the current flow; the stored ones only in the re-evaluation."""
    flow, flow_arg = new
    code, out, _ = _run(capsys, "cases", "list", "--db", str(v1_db), "--flow", flow_arg, "--format", "json")
    cases = {c["label"]: c for c in json.loads(out)}
    assert code == 0 and set(cases) == {*COMPLETE, IN_PROGRESS}
    for label in COMPLETE:
        c = cases[label]
        assert (c["status"], c["headline"], c["headline_title"]) == ("in_progress", None, None)
        assert c["flow"]["version"] == STORED_VERSION
        assert c["reevaluation"]["stored"]["headline_title"] == V1_HEADLINES[label]
        assert c["reevaluation"]["current"]["flow"]["version"] == flow.version
        assert "age" in c["reevaluation"]["current"]["missing"]
        assert "Decided under contract v1" in c["reevaluation"]["statement"]


def test_show_text_says_what_the_case_was_and_is(v1_db, new, capsys):
    """`cases show` of a finished v1 case: status under the current flow, the statement, the next question; no bare v1 headline."""
    flow, flow_arg = new
    record = _record(v1_db, "emergency_breast")
    code, out, _ = _run(capsys, "cases", "show", record.id, "--db", str(v1_db), "--flow", flow_arg)
    assert code == 0
    rv = reevaluate(flow, record)
    assert "status:  in progress under the current flow (stored: complete)" in out
    assert f"re-evaluation: {rv.statement()}" in out
    assert f"re-evaluated under {flow.id} {flow.version}" in out
    assert "  headline:" not in out
    for line in out.splitlines():
        if V1_HEADLINES["emergency_breast"] in line:
            assert "Under the current flow" in line
    # Every stored answer is still shown: nothing entered is lost.
    assert all(f"  {q}: " in out for q in record.answers)


def test_show_json_keeps_the_stored_result_beside_the_reevaluation(v1_db, new, capsys):
    """`cases show --format json`: the current flow's view, and the stored v1 result inside the re-evaluation."""
    flow, flow_arg = new
    record = _record(v1_db, "renal_stable")
    code, out, err = _run(capsys, "cases", "show", record.id, "--db", str(v1_db), "--flow", flow_arg,
                          "--format", "json")
    data = json.loads(out)
    assert code == 0 and "Decided under contract v1" in err
    assert data["status"] == "in_progress" and data["flow"]["version"] == flow.version
    assert "recommendation" not in data
    assert data["reevaluation"]["stored"]["result"] == record.result
    assert data["answers"] == record.answers


@pytest.mark.parametrize("label", [*COMPLETE, IN_PROGRESS])
def test_markdown_export_of_an_incomplete_case_says_why(label, v1_db, new, capsys):
    """A Markdown report needs a recommendation: exit 2 with one line holding the statement and how to go on."""
    flow, flow_arg = new
    record = _record(v1_db, label)
    code, out, err = _run(capsys, "cases", "export", record.id, "--db", str(v1_db), "--flow", flow_arg)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert reevaluate(flow, record).statement() in err and f"--resume {record.id}" in err


@pytest.mark.parametrize(("fmt", "extra"), [("json", []), ("fhir", []), ("fhir", ["--fhir-version", "R5"])])
def test_json_and_fhir_exports_are_under_the_current_flow(fmt, extra, v1_db, new, capsys):
    """JSON and FHIR exports of a v1 case are in progress under the current flow and carry the statement."""
    flow, flow_arg = new
    record = _record(v1_db, "unknown_primary")
    statement = reevaluate(flow, record).statement()
    code, out, err = _run(capsys, "cases", "export", record.id, "--db", str(v1_db), "--flow", flow_arg,
                          "--format", fmt, *extra)
    assert code == 0, err
    assert statement in err
    data = json.loads(out)
    if fmt == "json":
        assert data["status"] == "in_progress" and data["reevaluation"]["statement"] == statement
        return
    response = data["entry"][1]["resource"]
    assert response["status"] == "in-progress"
    assert response["questionnaire"].endswith(f"|{flow.version}")
    narrative = response["text"]["div"].replace("&#x27;", "'")
    assert "Decided under contract v1" in narrative and "Headline:" not in narrative


def test_reading_changes_nothing(v1_db, new, capsys):
    """List, show and export only read: the cases and the event log are as the v1 code left them."""
    _, flow_arg = new
    before = _rows(v1_db)
    ids = case_ids(v1_db)
    _run(capsys, "cases", "list", "--db", str(v1_db), "--flow", flow_arg)
    for case_id in ids.values():
        _run(capsys, "cases", "show", case_id, "--db", str(v1_db), "--flow", flow_arg)
        for fmt in ("markdown", "json", "fhir"):
            _run(capsys, "cases", "export", case_id, "--db", str(v1_db), "--flow", flow_arg, "--format", fmt)
    assert _rows(v1_db) == before


@pytest.mark.parametrize("label", [*COMPLETE, IN_PROGRESS])
def test_opening_logs_the_reevaluation_then_reopens_the_case(label, v1_db, new):
    """Opening a v1 case logs a re-evaluation event (the v1 outcome in it), then the case is in progress under the new flow, answers kept."""
    flow, _ = new
    before = _record(v1_db, label)
    with CaseStore(v1_db) as store:
        session, warnings = open_session(store, before.id, flow)
        after = store.get_case(before.id)
    rv = reevaluate(flow, before)
    assert warnings[0] == rv.statement(refused=False)
    event = after.events[-1]
    assert len(after.events) == len(before.events) + 1 and event.kind == EVENT_KIND
    assert event.old["flow"]["version"] == STORED_VERSION and event.old["status"] == before.status
    assert event.old["headline_title"] == V1_HEADLINES.get(label)
    assert event.new["status"] == "in_progress" and event.new["missing"] == rv.missing
    assert event.time == after.summary.updated  # the same transaction
    assert (after.status, after.summary.headline, after.result) == ("in_progress", None, None)
    assert (after.flow_version, after.flow_sha256) == (flow.version, flow.sha256)
    assert after.answers == before.answers and after.skipped == before.skipped
    assert session.current_id is not None and session.current_id not in before.answers
    assert set(rv.missing) - set(session.path) == set()
    session.close()
    # Now a case of this flow: opening it again logs nothing more.
    with CaseStore(v1_db) as store:
        again, warnings = open_session(store, before.id, flow)
        assert len(store.get_case(before.id).events) == len(after.events)
    again.close()
    assert not any("Decided under" in w or "Started under" in w for w in warnings)


def test_an_opened_case_still_says_what_it_was(v1_db, new, capsys):
    """Once opened (now a case of the current flow, in progress), list and show still name the re-evaluation and the v1 headline."""
    flow, flow_arg = new
    case_id = case_ids(v1_db)["renal_stable"]
    with CaseStore(v1_db) as store:
        session, warnings = open_session(store, case_id, flow)
    session.close()
    code, out, _ = _run(capsys, "cases", "show", case_id, "--db", str(v1_db), "--flow", flow_arg)
    assert code == 0 and "status:  in progress\n" in out
    assert "re-evaluated 20" in out and warnings[0] in out
    code, out, _ = _run(capsys, "cases", "list", "--db", str(v1_db), "--flow", flow_arg)
    row = next(line for line in out.splitlines() if line.startswith(case_id))
    assert f"({STORED_VERSION} → {flow.version}); under {STORED_VERSION}: {V1_HEADLINES['renal_stable']})" in row


def _answers_for(flow, name: str) -> dict:
    """A contract example's answers (v2's, which hold every v1 field too) that this flow has questions for."""
    return {k: v for k, v in example_answers(name, EXAMPLES_V2).items() if k in flow.by_id}


@pytest.fixture
def older_case(new, tmp_path):
    """A finished case whose stored flow differs only in version and hash: the answers suffice for the current flow."""
    flow, _ = new
    db = tmp_path / "older.sqlite"
    with CaseStore(db) as store:
        case_id = save_result_case(store, flow, replay(flow, _answers_for(flow, "renal_stable")).result)
    with sqlite3.connect(db) as con:
        con.execute("UPDATE cases SET flow_version = '0.9.0', flow_sha256 = ? WHERE id = ?", ("0" * 64, case_id))
    return db, case_id


def test_a_case_whose_answers_suffice_is_re_decided(older_case, new, capsys):
    """A case from an older flow that the current flow can decide gives the current headline, the old beside it."""
    flow, flow_arg = new
    db, case_id = older_case
    record = _record(db, case_id)
    rv = reevaluate(flow, record)
    title = rv.result.recommendation.headline_title
    assert rv.complete and rv.missing == [] and title == record.summary.headline_title
    assert rv.statement().endswith(f"Under the current flow ({flow.version}) the recommendation is {title} (unchanged).")
    code, out, _ = _run(capsys, "cases", "list", "--db", str(db), "--flow", flow_arg)
    assert code == 0 and f"0.9.0 → {flow.version}" in out and f"re-evaluated: {title} (under 0.9.0: {title})" in out
    code, out, err = _run(capsys, "cases", "export", case_id, "--db", str(db), "--flow", flow_arg)
    heading = out.splitlines()[0]  # headed by the case's label (issue 13), then the current headline
    assert code == 0 and f"> {rv.statement()}" in out and heading.startswith("# case") and title in heading
    code, out, err = _run(capsys, "cases", "export", case_id, "--db", str(db), "--flow", flow_arg, "--format", "fhir")
    response = json.loads(out)["entry"][1]["resource"]
    assert code == 0 and response["status"] == "completed", err
    assert [i["linkId"] for i in response["item"]] == [q for q in rv.result.path if q in rv.result.answers]
    code, out, err = _run(capsys, "cases", "export", case_id, "--db", str(db), "--flow", flow_arg, "--format", "json")
    data = json.loads(out)
    assert data["status"] == "complete" and data["recommendation"] == rv.result.to_json_dict()["recommendation"]
    assert data["reevaluation"]["stored"]["flow"]["version"] == "0.9.0"
    with CaseStore(db) as store:
        session, _ = open_session(store, case_id, flow)
        after = store.get_case(case_id)
    session.close()
    assert after.status == "complete" and after.flow_version == flow.version
    assert after.events[-1].kind == EVENT_KIND and after.events[-1].new["headline_title"] == title
    assert after.result == rv.result.to_json_dict()


def test_damaged_cases_give_one_clear_line(v1_db, new, capsys):
    """A stored answer of the wrong type is named, not fatal; an unreadable result is one line, and the list goes on."""
    flow, flow_arg = new
    ids = case_ids(v1_db)
    with sqlite3.connect(v1_db) as con:
        con.execute("UPDATE events SET new = '\"maybe\"' WHERE case_id = ? AND question = 'neuro_deficit'",
                    (ids["renal_stable"],))
        con.execute("UPDATE cases SET result = '{not json' WHERE id = ?", (ids["unknown_primary"],))
    code, out, err = _run(capsys, "cases", "show", ids["renal_stable"], "--db", str(v1_db), "--flow", flow_arg)
    assert code == 0 and "neuro_deficit ('maybe'" in out and "Traceback" not in err
    code, out, err = _run(capsys, "cases", "show", ids["unknown_primary"], "--db", str(v1_db), "--flow", flow_arg)
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1 and "damaged" in err
    code, out, err = _run(capsys, "cases", "list", "--db", str(v1_db), "--flow", flow_arg)
    assert code == 0 and "damaged: " in out and all(i in out for i in ids.values())
    assert V1_HEADLINES["unknown_primary"] not in out
