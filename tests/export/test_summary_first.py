"""Issue 13: summary first — it fits 80×24, the report keeps to its word limits, says each item once, and its
footnotes resolve; clock items read done (time) or due (time left) against `now`."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from paths import example_answers, example_names
from store.helpers import NOW

from interview.engine.replay import replay
from interview.export.clock import Moment, clock_items, moments
from interview.export.markdown import render_markdown
from interview.export.summary import (
    MAX_LINES,
    WIDTH,
    body_lines,
    build_summary,
    render_summary,
    summary_lines,
)


def words(text: str) -> int:
    """Words as a reader counts them: tokens with a letter (not table bars, footnote marks or § numbers)."""
    return sum(1 for token in text.split() if any(c.isalpha() for c in token))


def result_of(flow, name: str):
    """The replayed result of a contract example."""
    return replay(flow, example_answers(name)).result


def statements(result) -> list[str]:
    """The texts of every flag and advice item of a recommendation."""
    rec = result.recommendation
    return [s.text for s in rec.flag_details] + [s.text for p in rec.parts for s in rec.part(p)]


# --- the summary fits 80×24 ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", example_names())
def test_summary_of_every_example_fits_80_by_24(flow, name):
    """Each example's summary is at most MAX_LINES lines of at most 80 characters (24 rows less chrome)."""
    result = result_of(flow, name)
    lines = render_summary(result, flow, now=NOW, marks=moments([], flow, answers=result.answers, answered_at=NOW),
                           label="case-7F3K").splitlines()
    assert 0 < len(lines) <= MAX_LINES <= 24
    assert max(len(line) for line in lines) <= WIDTH, max(lines, key=len)


def test_summary_of_emergency_breast_gives_what_the_phone_call_needs(flow):
    """Headline and urgency, why, the timed actions with time left, the scores on one line, what is missing."""
    result = result_of(flow, "emergency_breast")
    text = render_summary(result, flow, now=NOW, marks=moments([], flow, answers=result.answers, answered_at=NOW))
    assert "EMERGENCY — now / within 24 h: Emergency decompression" in text
    assert "Why: rule R3c — neurological emergency" in text
    assert "Dexamethasone 16 mg — now (admitting doctor): due now" in text
    assert "Surgery — within 48 h of the first symptom: 34 h left" in text  # 48 h less the 14 h answered
    assert "SINS 8 potentially unstable · ESCC 2 · Tokuhashi 11 · Tomita 3 ·" in text
    assert "KPS 70/ECOG 1" in text
    assert "Not recorded: ASIA Impairment Scale grade, Index level, Serum albumin" in text
    assert "as of " in text and "not an order" in text


def test_summary_of_a_provisional_case_says_so_and_what_to_find_out(flow):
    """A case with answers not known yet says PROVISIONAL and lists what to find out next (issue 12)."""
    result = result_of(flow, "pending_mri_items")
    assert result.recommendation.provisional
    text = "\n".join(summary_lines(build_summary(result, flow, now=NOW)))
    assert "PROVISIONAL — not known yet: SINS 4/6 — radiographic spinal alignment" in text
    assert "Find out next: SINS 4/6" in text
    assert "SINS pending" in text and "None" not in text


# --- the full report --------------------------------------------------------------------------------


def test_emergency_breast_report_and_summary_keep_to_their_word_limits(flow):
    """The full report of emergency_breast is at most 900 words, its summary at most 150."""
    result = result_of(flow, "emergency_breast")
    marks = moments([], flow, answers=result.answers, answered_at=NOW)
    report = render_markdown(result, flow, now=NOW, marks=marks, title="case-7F3K")
    summary = render_summary(result, flow, now=NOW, marks=marks, label="case-7F3K")
    assert words(report) <= 900, words(report)
    assert words(summary) <= 150, words(summary)
    assert words(report.split("## Details")[0]) <= 150 + 60  # the header and notice, then the summary


@pytest.mark.parametrize("name", example_names())
def test_report_gives_each_item_once_and_opens_with_the_summary(flow, name):
    """Every flag and advice text stands once; the summary comes before the details and the references."""
    result = result_of(flow, name)
    report = render_markdown(result, flow, now=NOW)
    for text in statements(result):
        assert report.count(text) == 1, f"{text[:60]!r} appears {report.count(text)} times"
    assert report.index("## Summary") < report.index("## Details") < report.index("## References")
    assert "Sources:" not in report


@pytest.mark.parametrize("name", example_names())
def test_footnote_numbers_resolve(flow, name):
    """Each footnote mark has one definition, each definition is used, numbered 1…n in order of first use."""
    report = render_markdown(result_of(flow, name), flow, now=NOW)
    body, _, refs = report.partition("## References")
    used = [int(n) for n in re.findall(r"\[\^(\d+)\](?!:)", body)]
    defined = [int(n) for n in re.findall(r"^\[\^(\d+)\]: \S", refs, re.MULTILINE)]
    assert defined == list(range(1, len(defined) + 1))
    assert set(used) == set(defined)
    assert list(dict.fromkeys(used)) == defined, "footnotes are numbered in the order they are first cited"


def test_report_header_carries_label_date_and_time(flow):
    """The heading names the case; the next line the report's date and time; the notice follows."""
    report = render_markdown(result_of(flow, "renal_stable"), flow, now=NOW, title="Bed 7")
    lines = report.splitlines()
    assert lines[0].startswith("# Bed 7 — ")
    assert "29 Nov 2026" in lines[2] and ":" in lines[2]
    assert "not an order" in lines[4]


# --- the clock ----------------------------------------------------------------------------------------


def test_clock_items_are_done_or_due_against_now(flow):
    """A recorded event reads "done (time)"; a timed item "N h left", then "overdue by N h" as `now` moves on."""
    result = result_of(flow, "emergency_breast")
    entered = NOW - timedelta(hours=2)
    marks = moments([], flow, answers=result.answers, answered_at=entered)  # onset 14 h before entry
    marks["dexamethasone_given"] = Moment(entered + timedelta(minutes=30), dose="16 mg")
    items = {i.advice_id: i for i in clock_items(result, flow, marks)}
    assert items["clock_dexamethasone"].status(NOW).startswith("done ") and "(16 mg)" in items["clock_dexamethasone"].status(NOW)
    assert items["clock_surgery_48h"].status(NOW) == "32 h left"  # 48 − 14 − 2
    assert items["clock_surgery_48h"].status(NOW + timedelta(hours=35)) == "overdue by 3 h"
    assert items["clock_plan_24h"].status(NOW) == "MRI time missing"  # never guessed


def test_report_says_as_of_when_and_moves_with_now(flow):
    """The same case read later shows less time left: the clock is never frozen at entry."""
    result = result_of(flow, "emergency_breast")
    marks = moments([], flow, answers=result.answers, answered_at=NOW)
    early = render_markdown(result, flow, now=NOW, marks=marks)
    late = render_markdown(result, flow, now=NOW + timedelta(hours=10), marks=marks)
    assert "34 h left" in early and "24 h left" in late


def test_summary_flags_read_as_the_case_says_them(flow):
    """A flag with values in its text is summarised with the case's values, never the flow's placeholders."""
    answers = example_answers("cauda_equina") | {"frankel": "A", "hours_since_motor_loss": 72}
    result = replay(flow, answers).result
    assert any(s.text.startswith("Motor-complete paraplegia (Frankel A) for 72 h")
               for s in result.recommendation.flag_details)
    text = " ".join(render_summary(result, flow, now=NOW).split())  # the flag wraps: read it as one text
    assert "{" not in text and "Motor-complete paraplegia (Frankel A) for 72 h" in text


# --- flags in full, the safety actions in Next ------------------------------------------------------------


def test_summary_gives_a_flag_in_full_wrapped_never_cut(flow):
    """Unknown primary with ESCC 2: the 48-h spinal-surgical review flag stands whole, over indented lines."""
    answers = example_answers("unknown_primary") | {"escc_grade": "2", "compression_extent": "single_area"}
    result = replay(flow, answers).result
    flag = next(s.text for s in result.recommendation.flag_details if s.id == "surgical_review_within_48h")
    lines = render_summary(result, flow, now=NOW).splitlines()
    assert " ".join(flag.split()) in " ".join(" ".join(lines).split())
    assert "spinal-surgical review within 48 h; do not let the work-up delay it." in " ".join(" ".join(lines).split())
    assert not any("…" in line for line in lines), "\n".join(lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("Flag: Unstable spine"))
    assert lines[start + 1].startswith("  "), "a flag's continuation line is indented"
    assert len(lines) <= MAX_LINES and max(len(line) for line in lines) <= WIDTH


def test_flags_that_do_not_fit_are_counted_never_cut(flow):
    """With room for few lines the summary lists fewer flags whole and says how many more the details give."""
    answers = example_answers("unknown_primary") | {"escc_grade": "2", "compression_extent": "single_area"}
    summary = build_summary(replay(flow, answers).result, flow, now=NOW)
    assert len(summary.flags) == 2
    lines = body_lines(summary, lines=len(body_lines(summary)) - 1)
    assert lines[-2] == "+1 more flag in the details"
    assert " ".join(summary.flags[0].split()) in " ".join(" ".join(lines).split())
    assert not any("…" in line for line in lines)


def test_emergency_summary_next_gives_immobilisation_among_the_actions_due_now(flow):
    """A deficit with suspected instability: "Immobilise until expert review — now" is in Next, with the other
    "now" actions before the later timed ones, and the summary stays within its words and lines."""
    result = result_of(flow, "emergency_breast")
    text = render_summary(result, flow, now=NOW, marks=moments([], flow, answers=result.answers, answered_at=NOW))
    lines = text.splitlines()
    after = lines[lines.index("Next:") + 1:]
    nxt = after[:next(i for i, line in enumerate(after) if not line.startswith("• "))]
    assert "• Immobilise until expert review — now" in nxt
    assert [line.endswith("now") or "due now" in line for line in nxt] == [True, True, True, False, False], nxt
    assert words(text) <= 150 and len(lines) <= MAX_LINES


def test_a_provisional_report_says_what_each_open_answer_would_change(flow):
    """`run --format markdown` of the pending example lists each open finding with each value → headline."""
    from interview.export.summary import what_would_change

    result = replay(flow, example_answers("pending_mri_items")).result
    changes = dict(what_would_change(result, flow))
    assert set(changes) == {"SINS 4/6 — radiographic spinal alignment", "SINS 5/6 — vertebral body collapse"}
    assert all(" → " in line for lines in changes.values() for line in lines)
    text = render_markdown(result, flow)
    assert "  - Normal alignment → one of" in text
