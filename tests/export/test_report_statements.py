"""Every report says each advice statement once, and the steroid dose instruction once (REFERENCE §11.9)."""

from __future__ import annotations

import re

import pytest
from paths import example_answers
from sessions import step

from interview.engine.replay import replay
from interview.engine.session import Session
from interview.export.markdown import render_markdown
from interview.teach.transcript import render_transcript

COMPLETE_EXAMPLES = ("cauda_equina", "emergency_breast", "lymphoma_stable", "neuro_no_compression", "paediatric",
                     "prior_rt_stable", "renal_stable", "unknown_primary")
DOSE = re.compile(r"dexamethasone 16 mg", re.IGNORECASE)


def statements(result) -> list[str]:
    """The texts of every flag and advice item of a recommendation."""
    rec = result.recommendation
    parts = ("clock", "work_up", "local_treatment", "radiotherapy", "systemic", "supportive", "mdt")
    return [s.text for s in rec.flag_details] + [s.text for p in parts for s in rec.part(p)]


def transcript_of(flow, answers) -> str:
    """The plain-text transcript of a case answered from a file."""
    session = Session(flow)
    for qid in replay(flow, answers).result.path:
        if session.current_id == qid:
            step(session, answers)
    return render_transcript(session)


@pytest.mark.parametrize("name", COMPLETE_EXAMPLES)
def test_markdown_report_says_each_statement_once(flow, name: str) -> None:
    """Each flag and advice text stands once in the Markdown report (the rationale no longer repeats flags)."""
    result = replay(flow, example_answers(name)).result
    report = render_markdown(result, flow)
    texts = statements(result)
    assert len(texts) == len(set(texts)), "two statements with the same text"
    for text in texts:
        assert report.count(text) == 1, f"{text[:60]!r} appears {report.count(text)} times"


def test_emergency_breast_gives_the_dose_once_in_the_summary_and_once_in_the_details(flow) -> None:
    """The dose instruction stands once in the summary and once in the details (issue 13), nowhere else."""
    result = replay(flow, example_answers("emergency_breast")).result
    report = render_markdown(result, flow)
    summary, details = report.split("## Details")
    assert len(DOSE.findall(summary)) == 1 and len(DOSE.findall(details)) == 1
    # the word itself: the summary's action and flag, the details' clock item and flag
    assert len(re.findall("dexamethasone", report, re.IGNORECASE)) <= 4


@pytest.mark.parametrize("name", ["emergency_breast", "cauda_equina"])
def test_transcript_gives_the_dose_once_in_the_summary_and_once_after(flow, name: str) -> None:
    """The plain-text transcript opens with the summary (the dose once) and gives it once more after it (issue 13)."""
    answers = example_answers(name)
    text = transcript_of(flow, answers)
    assert text.index("== Summary ==") < text.index("== Recommendation ==")
    summary, rest = text.split("== Summary ==")[1].split("\n== ", 1)
    assert len(DOSE.findall(summary)) == 1 and len(DOSE.findall(rest)) == 1, text
