"""Issue 13 on the command line: `run`/`cases export --format summary|handover`, `--now`, `cases mark`, `cases audit`."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from paths import example_names

from interview.cli import main
from store.helpers import EXAMPLES
from store.test_clock_audit import fill_audit_store

NOW = "2026-11-29T20:00:00+00:00"
ALL_EXAMPLES = example_names()


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _saved(capsys, name: str, *extra: str) -> str:
    code, _, err = _run(capsys, "run", "--answers", str(EXAMPLES / f"{name}.answers.yaml"), "--save", *extra)
    assert code == 0, err
    return err.strip().rsplit(" ", 1)[-1]


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_run_summary_fits_80_by_24_and_says_as_of(capsys, name):
    """`run --format summary --now TIME`: plain text, at most 24 lines of 80, "as of" the time given."""
    code, out, err = _run(capsys, "run", "--answers", str(EXAMPLES / f"{name}.answers.yaml"), "--format", "summary",
                          "--now", NOW)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) <= 24 and max(map(len, lines)) <= 80
    assert "as of 29 Nov 2026" in lines[0] and "not an order" in out


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_run_handover_lists_the_missing_items_and_a_file_that_adds_them_clears_them(capsys, tmp_path, name):
    """`run --format handover` names what is missing; the same answers plus those items say nothing is missing."""
    answers = yaml.safe_load((EXAMPLES / f"{name}.answers.yaml").read_text(encoding="utf-8"))
    code, out, err = _run(capsys, "run", "--answers", str(EXAMPLES / f"{name}.answers.yaml"), "--format", "handover",
                          "--now", NOW)
    assert code == 0, err
    missing = out.split("Still missing")[1].split("\n\n")[0]
    added = dict(answers)
    for line in missing.splitlines()[1:]:
        key = line.rsplit("(", 1)[1].rstrip(")")
        if key.startswith("clock: "):
            added.setdefault("clock", {})[key.removeprefix("clock: ")] = "2026-11-29T09:00:00+00:00"
        else:
            added[key] = "unavailable"
    path = tmp_path / "more.answers.yaml"
    path.write_text(yaml.safe_dump(added, allow_unicode=True), encoding="utf-8")
    code, out, err = _run(capsys, "run", "--answers", str(path), "--format", "handover", "--now", NOW)
    assert code == 0, err
    assert "Still missing" not in out and "Nothing missing" in out


def test_handover_answers_leave_the_json_as_it_was(capsys, tmp_path):
    """An answers file with handover answers and clock entries gives the very same JSON result."""
    source = EXAMPLES / "emergency_breast.answers.yaml"
    answers = yaml.safe_load(source.read_text(encoding="utf-8"))
    answers |= {"handover_consultant": "Dr A", "clock": {"mri_done": "2026-11-29T09:00:00+00:00"}}
    path = tmp_path / "more.answers.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    _, plain, _ = _run(capsys, "run", "--answers", str(source))
    _, more, _ = _run(capsys, "run", "--answers", str(path))
    assert json.loads(plain) == json.loads(more)


def test_mark_then_export_summary_shows_it_done(capsys):
    """`cases mark ID dexamethasone_given --at … --dose …` is read back by `cases export --format summary`."""
    case_id = _saved(capsys, "emergency_breast", "--label", "bed 4")
    code, _, err = _run(capsys, "cases", "mark", case_id, "dexamethasone-given", "--at", "2026-11-29T19:10:00+00:00",
                        "--dose", "16 mg orally", "--now", NOW)
    assert code == 0 and "Dexamethasone given at 29 Nov 2026" in err
    code, out, _ = _run(capsys, "cases", "export", case_id, "--format", "summary", "--now", "2026-11-29T21:00:00+00:00")
    assert code == 0
    assert out.startswith("bed 4 · as of ")
    assert "done 29 Nov 19:10 (16 mg orally)" in out or "done 19:10 (16 mg orally)" in out
    _, shown, _ = _run(capsys, "cases", "show", case_id, "--format", "json")
    assert json.loads(shown)["status"] == "complete"
    _, text, _ = _run(capsys, "cases", "show", case_id)
    assert "clock  dexamethasone_given  at 2026-11-29T19:10:00+00:00, 16 mg orally" in text


def test_run_save_keeps_the_clock_entries_in_the_log(capsys, tmp_path):
    """`run --save` with a `clock:` mapping stores each entry as a clock event; the handover then lacks it no more."""
    answers = yaml.safe_load((EXAMPLES / "emergency_breast.answers.yaml").read_text(encoding="utf-8"))
    answers["clock"] = {"mri_done": "2026-11-29T09:00:00+00:00"}
    answers["handover_consultant"] = "Dr A Smith"
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    code, _, err = _run(capsys, "run", "--answers", str(path), "--save", "--now", NOW)
    assert code == 0, err
    case_id = err.strip().rsplit(" ", 1)[-1]
    _, out, _ = _run(capsys, "cases", "export", case_id, "--format", "handover", "--now", NOW)
    assert "time of the MRI" not in out and "the responsible consultant" not in out
    assert "Responsible consultant: Dr A Smith" in out


@pytest.mark.parametrize(("argv", "words"), [
    (["mri"], "unknown clock event 'mri' (allowed: dexamethasone_given"),
    (["mri_done", "--at", "2099-01-01T00:00"], "is in the future"),
    (["mri_done", "--at", "teatime"], "cannot read the time 'teatime'"),
])
def test_mark_refuses_bad_input_with_one_line(capsys, argv, words):
    """An unknown event, a future or unreadable time: exit 2, one line saying what is allowed, nothing written."""
    case_id = _saved(capsys, "renal_stable")
    code, _, err = _run(capsys, "cases", "mark", case_id, *argv)
    assert code == 2 and words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    _, shown, _ = _run(capsys, "cases", "show", case_id, "--format", "json")
    assert not [e for e in json.loads(shown)["events"] if e["kind"] == "clock"]


@pytest.fixture
def audited(db_path, flow):
    """The audit fixture's 24 cases in the test's database (the one the CLI opens)."""
    from interview.store.sqlite import CaseStore

    with CaseStore(db_path) as store:
        fill_audit_store(store, flow)
    return db_path


def test_audit_csv_opens_in_the_csv_module_with_one_row_per_case(capsys, audited):
    """`cases audit --format csv`: 24 rows, every column named, "missing" where a time is missing."""
    code, out, err = _run(capsys, "cases", "audit", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 24 and len({r["case_id"] for r in rows}) == 24
    assert sum(r["mri_done"] == "missing" for r in rows) == 3


def test_audit_markdown_and_since(capsys, audited, tmp_path):
    """`cases audit --since DATE` keeps the later cases; the Markdown has the bars; `--output` writes 0600."""
    code, out, _ = _run(capsys, "cases", "audit", "--since", "2026-11-22T00:00:00+00:00")
    assert code == 0 and "_4 cases presenting since" in out and "█" in out
    target = tmp_path / "audit.md"
    code, out, _ = _run(capsys, "cases", "audit", "--output", str(target))
    assert code == 0 and out == "" and (target.stat().st_mode & 0o777) == 0o600
    code, _, err = _run(capsys, "cases", "audit", "--since", "last week")
    assert code == 2 and "cannot read --since" in err


def test_cases_handover_set_adds_items_and_marks_them_unavailable(capsys):
    """`cases handover ID --set Q=V` records answers in the log; they leave the missing list; a bad one is exit 2."""
    case_id = _saved(capsys, "emergency_breast", "--label", "bed 9")
    code, out, _ = _run(capsys, "cases", "handover", case_id, "--now", NOW)
    assert code == 0 and "the responsible consultant (handover_consultant)" in out
    code, out, err = _run(capsys, "cases", "handover", case_id, "--set", "handover_consultant=Dr A Smith",
                          "--set", "handover_bladder_bowel=unavailable", "--now", NOW)
    assert code == 0, err
    assert "(handover_consultant)" not in out and "(handover_bladder_bowel)" not in out
    assert "Responsible consultant: Dr A Smith" in out and "Bladder and bowel: unavailable" in out
    _, shown, _ = _run(capsys, "cases", "show", case_id, "--format", "json")
    assert json.loads(shown)["status"] == "complete"
    for bad, words in ((["--set", "handover_bladder_bowel=leaky"], "allowed:"),
                       (["--set", "consultant=Dr B"], "not a handover question"),
                       (["--set", "nonsense"], "expected QUESTION=VALUE")):
        code, _, err = _run(capsys, "cases", "handover", case_id, *bad)
        assert code == 2 and words in err and len(err.strip().splitlines()) == 1
