"""The teaching case library: every case reaches its headline through `spine-interview run`, and it covers the ground."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from interview.cli import main
from interview.teach.library import LibraryError, cases_dir, load_case, load_library

CASE_FILES = sorted(cases_dir().glob("*.yaml"))
#: The 13 headlines of CONTRACT v2 §4 (the flow's own list is checked against this too).
HEADLINES = {
    "paediatric_referral", "imaging_first", "palliative_rt_and_supportive_care", "urgent_neuro_review",
    "cebrt_alone", "emergency_decompression_stabilisation_then_rt", "reirradiation_mdt",
    "biopsy_and_staging_first", "cement_augmentation_then_rt", "separation_surgery_then_sbrt",
    "stabilisation_then_rt", "systemic_therapy_first", "sbrt_alone",
}
#: Flags the review asked the library to teach (CONTRACT v2 §5).
FLAGS = {"separation_surgery_mdt_alternative", "consider_en_bloc_at_mdt"}


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


@pytest.fixture(scope="module")
def replayed(library, flow):
    """Each library case replayed through the shipped (v2) flow: id → (case, result)."""
    from interview.engine.replay import replay

    return {c.id: (c.case, replay(flow, c.case.answers).result) for c in library}


def test_every_case_replays_to_its_headline_and_rule(replayed):
    """Every case states a rule, and the v2 flow gives exactly its headline and rule, with no unused answer."""
    wrong = {cid: (res.recommendation.headline, res.recommendation.rule)
             for cid, (case, res) in replayed.items()
             if (res.recommendation.headline, res.recommendation.rule) != (case.expected_headline, case.expected_rule)}
    assert wrong == {}


def test_case_answers_are_all_used(flow, library):
    """No case carries an answer its path does not ask (the narrative and the answers describe one patient)."""
    from interview.engine.replay import replay

    assert {c.id: replay(flow, c.case.answers).unused for c in library if replay(flow, c.case.answers).unused} == {}


def test_library_covers_every_headline(library, flow):
    """Together the cases lead to all 13 headlines the adult flow can give."""
    assert set(flow.model.headlines) == HEADLINES
    assert {c.case.expected_headline for c in library} - {None} == HEADLINES  # None: a pending case's waits


@pytest.mark.parametrize("flag", sorted(FLAGS))
def test_library_reaches_flag(replayed, flag):
    """The separation-surgery MDT alternative and the en bloc suggestion are each raised by a case."""
    assert any(flag in res.recommendation.flags for _, res in replayed.values()), flag


def test_separation_alternative_case_is_cebrt(replayed):
    """The separation alternative flag sits on a cEBRT headline (stable spine, high-grade ESCC, breast/prostate)."""
    hits = [(case.expected_headline, case.answers["primary_tumour"]) for case, res in replayed.values()
            if "separation_surgery_mdt_alternative" in res.recommendation.flags]
    assert hits and all(h == "cebrt_alone" and p in ("breast", "prostate") for h, p in hits)


def test_library_reaches_plasmacytoma_dose(replayed):
    """A solitary plasmacytoma case gets the curative-dose advice, not a palliative schedule."""
    rt = [[s.id for s in res.recommendation.radiotherapy] for case, res in replayed.values()
          if case.answers.get("primary_tumour") == "plasmacytoma"]
    assert rt and all("rt_plasmacytoma" in ids for ids in rt)


@pytest.mark.parametrize("situation, holds", [
    ("emergency path", lambda a: a.get("neuro_deficit") and a.get("deficit_progressing")),
    ("unknown primary", lambda a: a.get("known_primary") is False),
    ("missing MRI", lambda a: a.get("mri_whole_spine_done") is False),
    ("missing staging", lambda a: a.get("mri_whole_spine_done") and a.get("staging_done") is False),
    ("child", lambda a: a.get("age", 99) < 18),
    ("prior RT at the level", lambda a: a.get("prior_rt_same_level") is True),
    ("two clocks: slow prodrome, recent motor loss", lambda a: a.get("frankel") in ("A", "B")
     and a.get("hours_since_deficit_onset", 0) > 48 and a.get("hours_since_motor_loss", 99) < 48),
    ("paraplegia > 48 h from motor loss", lambda a: a.get("frankel") in ("A", "B")
     and a.get("hours_since_motor_loss", 0) > 48),
    ("subluxation without mechanical pain", lambda a: a.get("sins_alignment") == "subluxation"
     and a.get("sins_pain") != "mechanical"),
    ("lymphoma or myeloma", lambda a: a.get("primary_tumour") in ("lymphoma", "myeloma")),
])
def test_library_covers_situation(library, situation, holds):
    """The emergency path, an unknown primary, missing imaging and the v2 review's situations each have a case."""
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


def test_two_clocks_case_is_still_decompressed(replayed):
    """A slow prodrome (first symptom > 48 h ago) with motor loss < 48 h ago is still an emergency decompression."""
    cases = [(case, res) for case, res in replayed.values()
             if case.answers.get("frankel") in ("A", "B") and case.answers["hours_since_deficit_onset"] > 48
             and case.answers["hours_since_motor_loss"] < 48]
    assert cases
    for case, res in cases:
        assert res.recommendation.headline == "emergency_decompression_stabilisation_then_rt", case.id
        assert "complete_paraplegia_gt48h_no_decompression_for_recovery" not in res.recommendation.flags


def test_subluxation_without_mechanical_pain_is_unstable(replayed):
    """SINS 7–12 with subluxation but no mechanical pain routes as mechanically unstable (CONTRACT v2 §3)."""
    cases = [(case, res) for case, res in replayed.values()
             if case.answers.get("sins_alignment") == "subluxation" and case.answers.get("sins_pain") != "mechanical"
             and 7 <= res.scores["sins"]["total"] <= 12]
    assert cases
    for case, res in cases:
        assert res.derived["mechanically_unstable"] is True, case.id
        assert res.recommendation.rule.startswith("R6"), case.id


@pytest.mark.parametrize("rule", ["R0", "R1", "R2", "R3a", "R3b", "R3c", "R4", "R5", "R6a", "R6b", "R6c", "R6e",
                                  "R7a", "R7b", "R7c", "R7d", "R7e", "R7f", "R7g", "R7h"])
def test_library_reaches_rule(replayed, rule):
    """The teaching cases walk most rules of CONTRACT v2 §4."""
    assert any(res.recommendation.rule == rule for _, res in replayed.values()), rule
