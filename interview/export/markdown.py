"""The Markdown report of a case: summary first, then the details, then the references.

The summary is the one-screen summary of :mod:`interview.export.summary` (headline and urgency, why,
the next timed actions with the time left, the scores on one line, flags, what is missing). The
details give every recommendation item once — clock items with done (time) or due (time left)
against ``now``, flags, the scores table, the structured parts, the rule — each followed by
numbered footnotes; the references are listed once at the end instead of a "Sources:" line under
every item. The header carries the case label, the report's date and time, and the notice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from interview.engine.values import display
from interview.export.clock import Moment, clock_items, moments
from interview.export.summary import Summary, build_summary, what_would_change
from interview.flow.load import LoadedFlow
from interview.flow.model import PointsScore, TextQuestion
from interview.present import rule_legend, time_words, value_name
from interview.result import Result, Statement
from interview.text import for_markdown


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ").replace("|", "\\|")


class Footnotes:
    """References numbered in the order they are first cited; each is listed once at the end."""

    def __init__(self, flow: LoadedFlow | None = None) -> None:
        self.numbers: dict[str, int] = {}
        self.texts: dict[int, str] = {}
        self.references = flow.model.references if flow is not None else {}

    def cite(self, refs: list[Any]) -> str:
        """The footnote marks of some references (" [^1][^4]"), numbering the new ones."""
        marks = []
        for r in refs:
            if r.id not in self.numbers:
                n = len(self.numbers) + 1
                self.numbers[r.id] = n
                ref = self.references.get(r.id)
                self.texts[n] = short_citation(ref) if ref is not None else r.citation
            marks.append(f"[^{self.numbers[r.id]}]")
        return (" " + "".join(marks)) if marks else ""

    def lines(self) -> list[str]:
        return [f"[^{n}]: {text}" for n, text in self.texts.items()]  # the flow's own text, not a user's


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_INITIALS = re.compile(r"[A-Z]{1,3}")


def short_citation(ref: Any) -> str:
    """A reference as a footnote: first author (or body), journal and year.

    "Patchell RA, Tibbs PA, … Lancet. 2005;366(9486):643–648." -> "Patchell et al., Lancet 2005"; a
    guideline keeps its name ("NICE NG234 (2023)"). The whole citation, with its DOI, is on the
    recommendation screen and in the flow beside its clinical-reference section.
    """
    text = " ".join(ref.citation.split())
    sentences = text.split(". ")
    head = sentences[0]
    first = head.split(",")[0].split(":")[0].strip()
    words = first.split()
    person = len(words) >= 2 and _INITIALS.fullmatch(words[-1]) is not None
    if person:
        name = " ".join(words[:-1]) + (" et al." if "," in head else "")
        journal = sentences[1].split(";")[0].strip() if len(sentences) > 1 else ""
        if journal and not _YEAR.match(journal) and len(journal.split()) <= 4:
            name += f", {journal}"
    else:
        name = " ".join(words[:6])
    m = _YEAR.search(text)
    if m and m.group(0) not in name:
        name += f" {m.group(0)}"
    return name


def _section(s: Statement) -> str:
    return f" (§{s.section.lstrip('§')})" if s.section else ""


def _statement(s: Statement, notes: Footnotes, status: str = "") -> str:
    """One item: its text, the clinical reference section, this app's convention mark, its footnotes."""
    conv = " ‡" if s.convention else ""
    extra = f" — **{status}**" if status else ""
    return f"- {s.text}{extra}{_section(s)}{conv}{notes.cite(s.refs)}"


def scores_table(result: Result, flow: LoadedFlow, notes: Footnotes | None = None) -> list[str]:
    """The banded scores as a Markdown table: score, total, band (the summary's scores line gives the rest;
    the item points are on the screen and in the JSON)."""
    basis = {s.basis.removeprefix("score:"): s for s in result.recommendation.rationale if s.basis.startswith("score:")}
    lines = ["| Score | Value | Band |", "|---|---|---|"]
    for s in flow.model.scores:
        value = result.scores.get(s.key or s.id)
        if value is None or not isinstance(s, PointsScore):
            continue  # not scored on this path, or no band: the summary's scores line says it
        cite = notes.cite(basis[s.id].refs) if notes is not None and s.id in basis else ""
        total = "pending (not known yet)" if value["total"] is None else _cell(value["total"])
        lines.append(f"| {s.title} | {total} | {_cell(value['band_label'])}{cite} |")
    return lines


def summary_markdown(s: Summary, changes: Sequence[tuple[str, list[str]]] = ()) -> list[str]:
    """The summary as Markdown: one short paragraph per part, the actions as a list; ``changes``: what each
    open finding of a provisional result would change (:func:`what_would_change`), under "Find out next"."""
    out = [f"**Urgency:** {s.urgency}", ""]
    if s.provisional:
        out += [f"**PROVISIONAL** — {s.provisional}.", ""]
    if s.find_out:
        out += [f"**Find out next:** {', '.join(s.find_out)}", ""]
    for finding, values in changes:  # what each value of each open finding would change
        out += [f"- {for_markdown(finding)}:", *(f"  - {for_markdown(change)}" for change in values)]
    if changes:
        out.append("")
    out += [f"**Why:** {s.why}", ""]
    if s.actions:
        out += ["**Next:**", "", *(f"- {what}" + (f": **{status}**" if status else "") for what, status in s.actions),
                ""]
    if s.scores:
        out += [f"**Scores:** {s.scores}", ""]
    if s.flags:  # each in full (its advice is never cut), one a line
        out += ["**Flags:**", "", *(f"- {flag}" for flag in s.flags), ""]
    if s.missing:
        out += [f"**Not recorded:** {', '.join(s.missing)}", ""]
    return out


def render_markdown(result: Result, flow: LoadedFlow, *, title: str | None = None, note: str | None = None,
                    now: datetime | None = None, marks: Mapping[str, Moment] | None = None) -> str:
    """The whole report.

    Args:
        result: the case's result.
        flow: the flow that produced it (for labels and score tables).
        title: the case label for the heading (escaped).
        note: said above the summary, e.g. that a stored case was re-evaluated under this flow.
        now: the time the clock items are shown against ("as of"); default: now.
        marks: the case's recorded clock moments (:func:`interview.export.clock.moments`); default:
            those of an answers file given at ``now`` (its onset is ``now`` minus the hours).
    """
    now = now or datetime.now(UTC)
    if marks is None:
        marks = moments([], flow, answers=result.answers, answered_at=now)
    rec = result.recommendation
    label = for_markdown(title) if title else (flow.model.report.title or flow.model.title)
    summary = build_summary(result, flow, now=now, marks=marks, label=label)
    notes = Footnotes(flow)
    if rec.flag_details:  # the flags stand once, in full with their sources, in the summary (cited first)
        summary.flags = [_statement(s, notes).removeprefix("- ") for s in rec.flag_details]
    out: list[str] = [
        f"# {label} — {rec.headline_title or 'not decided yet'}",
        "",
        f"_Report of {time_words(now.isoformat())}; the clock as of then._",
        "",
        f"> **{rec.notice.strip()}**",
        "",
        *([f"> {note.strip()}", ""] if note else []),
    ]
    if rec.provisional:  # CONTRACT §7: the banner, what is pending and what decides
        pending = ", ".join(value_name(flow, q) for q in rec.pending or []) or "—"
        possible = "; ".join(flow.model.headlines[h].title if h in flow.model.headlines else h
                             for h in rec.possible_headlines or [])
        out += [f"**PROVISIONAL** — not known yet: {pending}. Possible headlines: {possible}.", ""]
        summary.provisional = None  # said once, in the banner above
    out += ["## Summary", "", *summary_markdown(summary, what_would_change(result, flow)), "## Details", ""]

    # Each clock item's state once: in the summary's next actions, or here for those it leaves out.
    shown = {what for what, _ in summary.actions}
    status = {i.advice_id: i.status(now) for i in clock_items(result, flow, marks)
              if i.hours is not None and i.what not in shown}
    for part in flow.model.parts:  # the clock items first, with the urgency
        items = rec.part(part.id)
        if part.with_urgency and items:
            out += [f"### {part.title}", "", *(_statement(s, notes, status.get(s.id, "")) for s in items), ""]
    out += ["### Scores", "", *scores_table(result, flow, notes), ""]
    for part in flow.model.parts:
        items = rec.part(part.id)
        if items and not part.with_urgency:
            out += [f"### {part.title}", "", *(_statement(s, notes) for s in items), ""]
    # The rule: the summary gave its condition, the rationale gives the evidence behind it. The
    # urgency, the scores and the flags (in the summary) stand once, above.
    out += ["### Rationale", ""]
    for s in rec.rationale:
        if s.basis == rec.rule:
            text = " ".join(s.text.split())
            head, colon, evidence = text.partition(": ")
            rest, colon2, because = evidence.partition(": ")
            out.append(f"- Rule {rec.rule}: {because if colon2 else evidence}{_section(s)}{notes.cite(s.refs)}")
    if rec.rule:
        out += ["", f"_{rule_legend(rec.rule).split(';')[0]}._"]
    out.append("")
    typed = [(q, result.answers[q]) for q in result.path
             if q in result.answers and isinstance(flow.by_id[q].model, TextQuestion)]
    if typed:  # free text as entered (escaped: no raw HTML, links or images)
        out += ["Entered as text: " + "; ".join(
            f"{value_name(flow, q)}: {for_markdown(display(flow.by_id[q].model, v))}" for q, v in typed), ""]
    if rec.conventions:
        out += ["‡ this app's convention.", ""]
    out += ["## References", "", "§ = a section of the app's clinical reference.", "", *notes.lines(), ""]
    out += [f"_Flow {result.flow.id} {result.flow.version} (sha256 {result.flow.sha256[:12]}…)._", ""]
    return "\n".join(out)
