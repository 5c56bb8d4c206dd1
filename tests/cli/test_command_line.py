"""The command line: help lists every command; opening the app with options alone skips building them."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from interview.cli import build_parser, main, wants_commands


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Call the CLI in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("argv", "expected"), [
    ([], False),
    (["--teaching"], False),
    (["--resume=abc123", "--teaching"], False),
    (["--version"], False),
    (["--db", "cases.db"], True),  # a bare word, even an option's value, keeps the full parser
    (["run", "--answers", "a.yaml"], True),
    (["-h"], True),
    (["--help"], True),
    (["--he"], True),  # argparse accepts an abbreviation of --help
    (["rnu"], True),
    (["-"], True),  # argparse reads a lone "-" as a word
    (["--", "--teaching"], True),
])
def test_which_lines_need_the_commands(argv: list[str], expected: bool) -> None:
    """Only a line of options alone opens the app without the subcommands' parsers."""
    assert wants_commands(argv) is expected


@pytest.mark.parametrize("flag", ["-h", "--help", "--hel"])
def test_help_lists_every_command(flag: str) -> None:
    """Top-level help names every subcommand, the rooms' own included."""
    code, out, _ = run_cli([flag])
    assert code == 0
    for command in ("run", "check", "schema", "graph", "cases", "teach", "serve"):
        assert f"    {command}" in out, command


def test_a_misspelt_command_is_named_with_the_choices() -> None:
    """A mistyped command is an error naming the word and the commands there are."""
    code, _, err = run_cli(["rnu"])
    assert code == 2 and "invalid choice: 'rnu'" in err and "'run'" in err


def test_options_alone_parse_to_the_interview() -> None:
    """Without commands, the interview's own options parse the same as with them."""
    argv = ["--teaching", "--resume=abc", "--flow=spinal_metastases"]
    short, full = build_parser(commands=False).parse_args(argv), build_parser().parse_args(argv)
    assert vars(short) == vars(full) and short.teaching and short.resume == "abc"


@pytest.mark.parametrize("argv", [["--bogus"], ["--teaching", "--resume"], ["--answers"], ["-"], ["--", "--teaching"]])
def test_a_bad_line_is_worded_by_the_full_parser(argv: list[str]) -> None:
    """An error on a line of options alone reads exactly as the full parser says it (usage with COMMAND)."""
    code, _, err = run_cli(argv)
    full = io.StringIO()
    with contextlib.redirect_stderr(full), pytest.raises(SystemExit):
        build_parser().parse_args(argv)
    assert code == 2 and err == full.getvalue() and "COMMAND" in err


def test_importing_the_package_leaves_the_environment_alone() -> None:
    """Only the entry point sets PYDANTIC_DISABLE_PLUGINS: a program importing the package keeps its environment."""
    import subprocess
    import sys

    code = ("import os; before = dict(os.environ); import interview, interview.flow.load, interview.engine.session; "
            "import interview.cli; print(before == dict(os.environ))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_teach_review_opens_the_interview_prefilled(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """`teach ID --review` reaches the interview's own run_app with the case's answers as a file."""
    import yaml

    seen = {}

    def fake_run_app(args):
        seen["answers"] = yaml.safe_load(Path(args.answers).read_text(encoding="utf-8"))
        seen["teaching"] = args.teaching
        return 0

    monkeypatch.setattr("interview.cli.interview.run_app", fake_run_app)
    monkeypatch.setenv("SPINE_INTERVIEW_DB", str(tmp_path / "c.sqlite"))
    code, _, err = run_cli(["teach", "emergency_unknown_primary", "--review"])
    assert code == 0, err
    assert seen["teaching"] is True and seen["answers"]["age"] == 62


def test_the_interview_opens_an_answers_file_with_pending_findings(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """`spine-interview --answers FILE` takes `not_known` on pending findings and opens the provisional case."""
    import yaml

    from interview.flow.load import flows_dir

    case = yaml.safe_load((flows_dir() / "cases" / "rectal_ct_sins_pending.yaml").read_text(encoding="utf-8"))
    answers = tmp_path / "pending.yaml"
    answers.write_text(yaml.safe_dump(case["answers"]), encoding="utf-8")
    seen = {}

    def fake_run(app, headless=False):
        seen["result"] = app.session.result().to_json_dict()
        return 0

    monkeypatch.setattr("interview.tui.app.InterviewApp.run", fake_run)
    code, _, err = run_cli(["--answers", str(answers), "--db", str(tmp_path / "c.sqlite")])
    assert code == 0, err
    recommendation = seen["result"]["recommendation"]
    assert recommendation["provisional"] is True and recommendation["headline"] is None
