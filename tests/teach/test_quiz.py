"""Quiz mode: marking at each checkpoint, coaching after a wrong answer, the summary and the learning log."""

from __future__ import annotations

import stat

import pytest

from interview.cli import main
from interview.teach.coaching import load_topics, topics_for
from interview.teach.log import LOG_ENV, append_entry, default_log_path, export_markdown, read_entries
from interview.teach.quiz import Checkpoint, Quiz, QuizError

SINS_TOPICS = {"sins_pain", "masked_mechanical_pain", "sins_bone_lesion", "sins_collapse", "sins_posterolateral",
               "sins_alignment"}
CHECKPOINTS = ["sins_total", "sins_category", "escc_class", "tokuhashi_band", "tomita_strategy", "headline"]


def _wrong(cp: Checkpoint) -> str:
    if cp.number_range is not None:
        return str((int(cp.expected) + 1) % (cp.number_range[1] + 1))
    return next(c.value for c in cp.choices if c.value != cp.expected)


@pytest.mark.parametrize("checkpoint_id", CHECKPOINTS)
@pytest.mark.parametrize("right", [True, False], ids=["right", "wrong"])
def test_checkpoint_marks_answer(flow, library_case, checkpoint_id, right):
    """A right answer is marked right with no coaching; a wrong one is marked wrong."""
    quiz = Quiz(flow, library_case("colon_stable_cebrt"))
    cp = next(c for c in quiz.checkpoints if c.id == checkpoint_id)
    verdict = quiz.submit(cp.id, cp.expected if right else _wrong(cp))
    assert verdict.correct is right
    assert verdict.checkpoint.working and verdict.checkpoint.source
    if right:
        assert verdict.coaching == []


@pytest.mark.parametrize("checkpoint_id, topics", [
    ("sins_total", SINS_TOPICS),
    ("sins_category", SINS_TOPICS),
    ("escc_class", {"bilsky_1c_vs_2"}),
    ("headline", set()),
])
def test_wrong_answer_brings_its_coaching(flow, library_case, checkpoint_id, topics):
    """A wrong answer at a SINS or ESCC checkpoint brings the coaching for the items people get wrong."""
    quiz = Quiz(flow, library_case("colon_stable_cebrt"))
    cp = next(c for c in quiz.checkpoints if c.id == checkpoint_id)
    assert {t.id for t in quiz.submit(cp.id, _wrong(cp)).coaching} == topics


def test_coaching_cites_reference_sections():
    """Every coaching topic cites REFERENCE §4.1 or §4.2 and has a sign and an example."""
    for topic in load_topics():
        assert "§4.1" in topic.section or "§4.2" in topic.section
        assert topic.sign and topic.example
    assert {t.question for t in load_topics()} == {
        "sins_pain", "sins_bone_lesion", "sins_collapse", "sins_posterolateral", "sins_alignment", "escc_grade"}


@pytest.mark.parametrize("topic_id, needles", [
    ("bilsky_1c_vs_2", ["cord is not compressed", "cord is compressed, with CSF still visible"]),
    ("sins_bone_lesion", ["sclerotic rim", "does not make it mixed"]),
    ("sins_alignment", ["degenerative listhesis", "whatever the pain"]),
    ("masked_mechanical_pain", ["opioids or steroids", "§11.4"]),
])
def test_coaching_wording_follows_reference(topic_id, needles):
    """Bilsky 1c vs 2 and the sclerotic rim read as REFERENCE §4.1–4.2; subluxation and masked pain follow §11.4."""
    topic = next(t for t in load_topics() if t.id == topic_id)
    text = topic.text()
    for needle in needles:
        assert needle in text, (topic_id, needle)
    if topic_id == "bilsky_1c_vs_2":
        assert "or displaced" not in text  # a displaced but uncompressed cord is not grade 2
    assert topics_for("nothing") == []


@pytest.mark.parametrize("case_id, absent", [
    ("mri_missing_breast_back_pain", {"sins_total", "sins_category", "escc_class"}),
    ("prostate_staging_pending", {"tokuhashi_band", "tomita_strategy"}),
    ("emergency_unknown_primary", {"tokuhashi_band", "tomita_strategy"}),
])
def test_null_scores_have_no_checkpoint(flow, library_case, case_id, absent):
    """A score that is null on the case's path is not quizzed."""
    ids = {c.id for c in Quiz(flow, library_case(case_id)).checkpoints}
    assert not ids & absent and "headline" in ids


@pytest.mark.parametrize("checkpoint_id, value, needle", [
    ("sins_total", "19", "from 0 to 18"),
    ("sins_total", "seven", "from 0 to 18"),
    ("escc_class", "medium", "low, high"),
    ("nothing", "1", "no checkpoint"),
])
def test_bad_committed_value_is_refused(flow, library_case, checkpoint_id, value, needle):
    """A value a checkpoint does not take is refused with what is allowed."""
    quiz = Quiz(flow, library_case("colon_stable_cebrt"))
    with pytest.raises(QuizError, match=needle):
        quiz.submit(checkpoint_id, value)


def test_summary_says_right_wrong_and_why(flow, library_case):
    """The summary counts the right answers and gives the reason for the wrong ones."""
    quiz = Quiz(flow, library_case("colon_stable_cebrt"))
    for cp in quiz.checkpoints:
        quiz.submit(cp.id, cp.expected if cp.id != "headline" else "sbrt_alone")
    lines = quiz.summary_lines()
    assert lines[0].endswith("5 of 6 right.")
    wrong = next(line for line in lines if line.startswith("- Headline"))
    assert "wrong" in wrong and "R7h" in wrong


def test_log_is_owner_only_and_exports(tmp_path, flow, library_case, capsys):
    """Sessions are appended 0600 and exported as Markdown through the CLI."""
    quiz = Quiz(flow, library_case("renal_solitary_sbrt"))
    quiz.submit("headline", "sbrt_alone")
    log = tmp_path / "sub" / "log.jsonl"
    append_entry(quiz.record(), log)
    append_entry(quiz.record(), log)
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert [e["case_id"] for e in read_entries(log)] == ["renal_solitary_sbrt"] * 2
    out = tmp_path / "portfolio.md"
    assert main(["teach", "--log", str(log), "--log-export", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "2 sessions, 2 of 12 checkpoints right" in text and "✔ Headline recommendation" in text


def test_log_path_follows_env(monkeypatch, tmp_path):
    """SPINE_INTERVIEW_LEARNING_LOG overrides the default location."""
    monkeypatch.setenv(LOG_ENV, str(tmp_path / "mine.jsonl"))
    assert default_log_path() == tmp_path / "mine.jsonl"


def test_damaged_log_is_one_clean_line(tmp_path, capsys):
    """A damaged log is refused naming the file and line, exit 2."""
    log = tmp_path / "log.jsonl"
    log.write_text('{"case_id": "a"}\nnot json\n', encoding="utf-8")
    assert main(["teach", "--log", str(log), "--log-export"]) == 2
    assert "line 2" in capsys.readouterr().err


def test_empty_log_exports_a_page():
    """An empty log still exports a page that says so."""
    assert "No quiz sessions" in export_markdown([])
