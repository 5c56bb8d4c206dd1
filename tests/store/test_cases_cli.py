"""`spine-interview cases …` and `run --save`: outputs, exit codes, private files and no tracebacks."""

from __future__ import annotations

import json
import os
import stat

import pytest

from interview.cli import main
from interview.engine.session import Session
from interview.store.sqlite import CaseStore
from store.helpers import EXAMPLE_NAMES, EXAMPLES, stored_example


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _saved(capsys, name: str) -> str:
    code, _, err = _run(capsys, "run", "--answers", str(EXAMPLES / f"{name}.answers.yaml"), "--save")
    assert code == 0
    return err.strip().rsplit(" ", 1)[-1]


@pytest.mark.parametrize("command", [["cases"], ["cases", "list"], ["cases", "show"], ["cases", "delete"],
                                     ["cases", "export"]])
def test_every_command_has_help(command, capsys):
    """Each `cases` command answers --help."""
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    assert "usage: spine-interview cases" in capsys.readouterr().out


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_run_save_then_show_gives_the_contract_json(name, capsys):
    """`run --save` stores the case ($SPINE_INTERVIEW_DB); `cases show --format json` gives the same result."""
    code, printed, err = _run(capsys, "run", "--answers", str(EXAMPLES / f"{name}.answers.yaml"), "--save")
    assert code == 0 and "saved as case" in err
    case_id = err.strip().rsplit(" ", 1)[-1]
    code, out, _ = _run(capsys, "cases", "show", case_id, "--format", "json")
    shown = json.loads(out)
    result = json.loads(printed)
    assert code == 0
    assert {k: shown[k] for k in result} == result
    assert shown["id"] == case_id and shown["status"] == "complete"
    assert [e["question"] for e in shown["events"]] == result["path"]


def test_list_json(capsys):
    """`cases list --format json` gives id, label, created, updated, status and headline per case."""
    first, second = _saved(capsys, "renal_stable"), _saved(capsys, "emergency_breast")
    code, out, _ = _run(capsys, "cases", "list", "--format", "json")
    cases = json.loads(out)
    assert code == 0
    assert {c["id"] for c in cases} == {first, second}
    for c in cases:
        assert {"id", "label", "created", "updated", "status", "headline"} <= set(c)
        assert c["status"] == "complete" and c["headline"]


def test_list_text_and_empty(capsys):
    """The text list says when there are no cases, and shows a saved one's label."""
    code, out, _ = _run(capsys, "cases", "list")
    assert code == 0 and out.startswith("no cases")
    case_id = _saved(capsys, "renal_stable")
    code, out, _ = _run(capsys, "cases", "list")
    assert case_id in out and f"case-{case_id[:4]}" in out


def test_show_unfinished_case(db_path, flow, capsys):
    """An unfinished case shows what is known: answers, path, next question and the event log."""
    with CaseStore(db_path) as store:
        case_id = store.create_case(flow)
        session = Session(flow)
        store.attach(session, case_id)
        session.answer(False)
        session.answer(True)
        session.back()
    code, out, _ = _run(capsys, "cases", "show", case_id, "--format", "json")
    shown = json.loads(out)
    assert code == 0
    assert shown["status"] == "in_progress"
    assert shown["answers"] == {"neuro_deficit": False}
    assert shown["next_question"] == "radicular_pain"  # asked when there is no deficit
    assert [e["kind"] for e in shown["events"]] == ["answer", "answer", "back"]
    code, out, _ = _run(capsys, "cases", "show", case_id)
    assert code == 0 and "next question: radicular_pain" in out and "back" in out


def test_delete_says_what_and_unknown_exits_2(capsys):
    """`cases delete` asks nothing, names what it deleted; a second delete is exit 2 with one line."""
    case_id = _saved(capsys, "unknown_primary")
    code, out, _ = _run(capsys, "cases", "delete", case_id)
    assert code == 0 and f"deleted case {case_id}" in out
    code, out, err = _run(capsys, "cases", "delete", case_id)
    assert code == 2
    assert err.startswith("spine-interview: no case") and err.count("\n") == 1 and out == ""


@pytest.mark.parametrize("command", ["show", "export", "delete"])
def test_unknown_id_exits_2(command, capsys):
    """An unknown id is exit 2 and one line naming it."""
    CaseStore().close()
    code, _, err = _run(capsys, "cases", command, "ZZZZ9999")
    assert code == 2 and "ZZZZ9999" in err and "Traceback" not in err


def test_export_markdown_is_the_run_report(capsys):
    """`cases export --format markdown` gives the report of `run --format markdown`, headed by the case's label.

    Both read as of the time the case was saved (its answers' time), so their clocks agree (issue 13).
    """
    case_id = _saved(capsys, "emergency_breast")
    _, shown, _ = _run(capsys, "cases", "show", case_id, "--format", "json")
    saved_at = json.loads(shown)["created"]
    _, report, _ = _run(capsys, "run", "--answers", str(EXAMPLES / "emergency_breast.answers.yaml"),
                        "--format", "markdown", "--now", saved_at)
    code, out, _ = _run(capsys, "cases", "export", case_id, "--format", "markdown", "--now", saved_at)
    assert code == 0
    title, _, rest = out.partition("\n")
    assert title.startswith("# case\\-") and rest == report.partition("\n")[2]  # the label, escaped


@pytest.mark.parametrize(("fmt", "extra"), [("json", []), ("fhir", []), ("fhir", ["--fhir-version", "R5"]),
                                           ("markdown", [])])
def test_export_to_a_private_file(fmt, extra, tmp_path, capsys):
    """--output writes an owner-only (0600) file; over an existing world-readable one only with --force."""
    case_id = _saved(capsys, "renal_stable")
    target = tmp_path / f"out.{fmt}"
    target.write_text("old")
    os.chmod(target, 0o644)
    code, out, err = _run(capsys, "cases", "export", case_id, "--format", fmt, *extra, "--output", str(target))
    assert code == 2 and "--force" in err and target.read_text(encoding="utf-8") == "old"
    code, out, _ = _run(capsys, "cases", "export", case_id, "--format", fmt, *extra, "--output", str(target),
                        "--force")
    assert code == 0 and out == ""
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert target.read_text(encoding="utf-8") != "old"


def test_export_identifiers_only_when_asked(db_path, flow, capsys):
    """JSON and FHIR exports leave identifiers out unless --include-identifiers is given."""
    with CaseStore(db_path) as store:
        case_id = stored_example(store, flow, "renal_stable", identifiers={"mrn": "MRN-424242"})
    for fmt in ("json", "fhir"):
        _, out, _ = _run(capsys, "cases", "export", case_id, "--format", fmt)
        assert "MRN-424242" not in out
        _, out, _ = _run(capsys, "cases", "export", case_id, "--format", fmt, "--include-identifiers")
        assert "MRN-424242" in out


@pytest.mark.parametrize(("fmt", "named"), [("markdown", "a Markdown report"), ("summary", "a summary"),
                                           ("handover", "a handover")])
def test_a_report_of_an_unfinished_case_is_refused_by_its_own_name(db_path, flow, capsys, fmt, named):
    """Reports need a recommendation: an unfinished case gets exit 2, the format's own name and a pointer to json/fhir."""
    with CaseStore(db_path) as store:
        case_id = store.create_case(flow)
    code, _, err = _run(capsys, "cases", "export", case_id, "--format", fmt)
    assert code == 2 and f"not complete: {named} needs" in err and "json or fhir" in err


def test_db_flag_overrides_environment(tmp_path, capsys):
    """--db PATH is used instead of $SPINE_INTERVIEW_DB."""
    other = tmp_path / "other.sqlite3"
    code, _, err = _run(capsys, "run", "--answers", str(EXAMPLES / "renal_stable.answers.yaml"), "--save",
                        "--db", str(other))
    assert code == 0
    case_id = err.strip().rsplit(" ", 1)[-1]
    assert _run(capsys, "cases", "list", "--format", "json")[1].strip() == "[]"
    assert case_id in _run(capsys, "cases", "list", "--db", str(other))[1]


def test_a_case_resting_on_answers_not_known_is_listed_as_pending(capsys):
    """A provisional case (finished on 'not known yet' answers) is 'pending', never 'complete', and --pending lists it."""
    complete = _saved(capsys, "emergency_breast")
    provisional = _saved(capsys, "pending_mri_items")
    code, out, _ = _run(capsys, "cases", "list")
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "pending (" in rows[provisional] and "not known)" in rows[provisional]
    assert " complete " in rows[complete]
    code, out, _ = _run(capsys, "cases", "list", "--pending")
    listed = [line.split()[0] for line in out.splitlines()[1:]]
    assert code == 0 and listed == [provisional]
    code, out, _ = _run(capsys, "cases", "list", "--format", "json")
    by_id = {case["id"]: case for case in json.loads(out)}
    assert by_id[provisional]["open_answers"] and "open_answers" not in by_id[complete]
