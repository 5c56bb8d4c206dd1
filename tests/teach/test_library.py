"""The teaching case library: every case reaches its headline through `spine-interview run`, and it covers the ground."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from interview.cli import main
from interview.teach.library import LibraryError, cases_dir, load_case, load_library

CASE_FILES = sorted(cases_dir().glob("*.yaml"))
HEADLINES = {
    "palliative_rt_and_supportive_care", "imaging_first", "cebrt_alone",
    "emergency_decompression_stabilisation_then_rt", "biopsy_and_staging_first",
    "cement_augmentation_then_rt", "separation_surgery_then_sbrt", "stabilisation_then_rt", "sbrt_alone",
}


@pytest.fixture(scope="module")
def library(flow):
    """The shipped library, validated against the flow."""
    return load_library(flow=flow)


def test_library_has_at_least_twelve_cases(library):
    """The issue asks for at least 12 teaching cases."""
    assert len(library) >= 12


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_runs_to_expected_headline(path: Path, tmp_path, capsys, flow):
    """`spine-interview run` on the case's answers gives its expected headline (and rule, when stated)."""
    case = load_case(path, flow).case
    answers = tmp_path / "case.answers.yaml"
    answers.write_text(yaml.safe_dump(case.answers), encoding="utf-8")
    assert main(["run", "--answers", str(answers)]) == 0
    rec = json.loads(capsys.readouterr().out)["recommendation"]
    assert rec["headline"] == case.expected_headline
    if case.expected_rule:
        assert rec["rule"] == case.expected_rule


def test_library_covers_every_headline(library):
    """Together the cases lead to all nine headlines."""
    assert {c.case.expected_headline for c in library} == HEADLINES


@pytest.mark.parametrize("situation, holds", [
    ("emergency path", lambda a: a.get("neuro_deficit") and a.get("deficit_progressing")),
    ("unknown primary", lambda a: a.get("known_primary") is False),
    ("missing MRI", lambda a: a.get("mri_whole_spine_done") is False),
    ("missing staging", lambda a: a.get("mri_whole_spine_done") and a.get("staging_done") is False),
])
def test_library_covers_situation(library, situation, holds):
    """The emergency path, an unknown primary and missing imaging each have a case."""
    assert any(holds(c.case.answers) for c in library), situation


@pytest.mark.parametrize("score, key, edges", [
    ("sins", "total", {6, 7, 12, 13}),
    ("tokuhashi", "total", {8, 9, 11, 12}),
    ("tomita", "total", {3, 4, 5, 6, 7, 8}),
    ("modified_bauer", "total", {1, 2, 3}),
])
def test_library_sits_on_band_edges(library, flow, score, key, edges):
    """Some cases sit exactly on each band edge of SINS, Tokuhashi, Tomita and modified Bauer."""
    from interview.engine.replay import replay

    totals = {(replay(flow, c.case.answers).result.scores[score] or {}).get(key) for c in library}
    assert edges <= totals


@pytest.mark.parametrize("content, needle", [
    ("title: x\n", "narrative"),
    ("- a list\n", "expected a mapping"),
    ("title: [unclosed\n", "malformed YAML"),
    ("title: t\nnarrative: n\nanswers: {neuro_deficit: maybe}\nexpected_headline: sbrt_alone\n", "neuro_deficit"),
    ("title: t\nnarrative: n\nanswers: {neuro_deficit: false}\nexpected_headline: surgery_now\n", "surgery_now"),
    ("title: t\nnarrative: n\nanswers: {neuro_deficit: false}\nexpected_headline: sbrt_alone\nextra: 1\n", "extra"),
])
def test_bad_case_file_names_file_and_problem(tmp_path, flow, content, needle):
    """A bad case file gives one clear error naming the file and what is wrong."""
    path = tmp_path / "bad_case.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LibraryError) as err:
        load_case(path, flow)
    assert "bad_case.yaml" in str(err.value) and needle in str(err.value)


def test_duplicate_ids_refused(tmp_path, flow):
    """Two files with the same id are refused, naming both."""
    body = "id: same\ntitle: t\nnarrative: n\nanswers: {neuro_deficit: false}\nexpected_headline: sbrt_alone\n"
    (tmp_path / "a.yaml").write_text(body, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(LibraryError, match="also used by"):
        load_library(tmp_path, flow)


@pytest.mark.parametrize("argv, shown, hidden", [
    (["teach"], "colon_stable_cebrt", "cement_augmentation_then_rt"),
    (["teach", "--list", "--answers-shown"], "cement_augmentation_then_rt", None),
])
def test_teach_lists_cases(capsys, argv, shown, hidden):
    """`teach` lists the cases; the expected headline only with --answers-shown."""
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert shown in out
    if hidden:
        assert hidden not in out


@pytest.mark.parametrize("argv, needle", [
    (["teach", "no_such_case"], "no teaching case 'no_such_case'"),
    (["teach", "--cases", "/nonexistent/dir"], "no such case library directory"),
    (["serve", "--port", "0"], "--port 0"),
])
def test_teach_bad_input_is_one_clean_line(capsys, argv, needle):
    """Bad input gives exit 2 and one line naming what is wrong, never a traceback."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
