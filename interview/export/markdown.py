"""The Markdown report of a case: a clinical summary for the record and the MDT.

Headline first, then urgency and clock items, the scores with their bands and item points, the
structured parts, the rationale with references, and the decision-support notice.
"""

from __future__ import annotations

from typing import Any

from interview.engine.values import display
from interview.flow.load import LoadedFlow
from interview.flow.model import PointsScore, TextQuestion
from interview.present import is_rule_code, rule_legend, urgency_words, value_name
from interview.result import PART_TITLES, Result, Statement
from interview.text import for_markdown


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ").replace("|", "\\|")


def _statement(s: Statement) -> str:
    refs = "; ".join(r.citation for r in s.refs)
    # A rule's code (R3c, explained under the headline) helps a reader find it; internal ids of flags
    # and advice, and the names of the app's own documents, do not.
    tags = [s.basis] if is_rule_code(s.basis) else []
    if s.section:
        tags.append(f"clinical reference {s.section}")
    if s.convention:
        tags.append("this app's convention")
    line = f"- {s.text} _({', '.join(tags)})_"
    if refs:
        line += f"  \n  Sources: {refs}"
    return line


def scores_table(result: Result, flow: LoadedFlow) -> list[str]:
    """The scores as a Markdown table: score, total or value, band, item points."""
    lines = ["| Score | Value | Band | Items |", "|---|---|---|---|"]
    for s in flow.model.scores:
        value = result.scores.get(s.key or s.id)
        if isinstance(s, PointsScore):
            if value is None:
                lines.append(f"| {s.title} | not scored on this path | — | — |")
                continue
            items = "; ".join(f"{i['label']} {_cell(i['points'])}" for i in value["items"])
            lines.append(f"| {s.title} | {_cell(value['total'])} | {_cell(value['band_label'])} | {items} |")
        elif isinstance(value, dict):
            text = ", ".join(f"{k} {_cell(v)}" for k, v in value.items())
            lines.append(f"| {s.title} | {text} | — | — |")
        else:
            lines.append(f"| {s.title} | {_cell(value) if value is not None else 'not scored on this path'} | — | — |")
    return lines


def render_markdown(result: Result, flow: LoadedFlow, *, title: str | None = None, note: str | None = None) -> str:
    """The whole report.

    Args:
        result: the case's result.
        flow: the flow that produced it (for labels and score tables).
        title: an optional case label for the heading.
        note: said above the headline, e.g. that a stored case was re-evaluated under this flow.
    """
    rec = result.recommendation
    out: list[str] = [
        f"# {for_markdown(title) if title else 'Spinal metastasis'} — {rec.headline_title}",
        "",
        f"> **{rec.notice.strip()}**",
        "",
        *([f"> {note.strip()}", ""] if note else []),
        (f"**Headline:** {rec.headline_title} — rule {rec.rule}: {rec.rule_text}" if rec.headline else
         f"**Headline:** not decided yet — {rec.rule_text}"),
        "",
        *([f"_{rule_legend(rec.rule)}_", ""] if rec.rule else []),
        f"**Urgency:** {urgency_words(rec.urgency)} — {rec.urgency_text}",
        "",
    ]
    if rec.provisional:  # CONTRACT §7: the banner, what is pending and what decides
        pending = ", ".join(value_name(flow, q) for q in rec.pending or []) or "—"
        possible = "; ".join(flow.model.headlines[h].title if h in flow.model.headlines else h
                             for h in rec.possible_headlines or [])
        decisive = ", ".join(value_name(flow, q) for q in rec.decisive or []) or "—"
        out[1:1] = ["", f"**PROVISIONAL** — not known yet: {pending}. Possible headlines: {possible}. "
                    f"What decides between them: {decisive}."]
    if rec.clock:
        out += ["## Urgency and clock items", "", *(_statement(s) for s in rec.clock), ""]
    if rec.flag_details:
        out += ["## Flags", "", *(_statement(s) for s in rec.flag_details), ""]
    out += ["## Scores", "", *scores_table(result, flow), ""]
    derived = flow.derived
    out += ["Derived values: " + "; ".join(
        f"{derived[k].label if k in derived else k}: {_cell(v)}" for k, v in result.derived.items()
    ), ""]
    for part in ("work_up", "local_treatment", "radiotherapy", "systemic", "supportive", "mdt"):
        items = rec.part(part)
        if items:
            out += [f"## {PART_TITLES[part]}", "", *(_statement(s) for s in items), ""]
    # The flags stand in their own section above: the rationale gives the rule, urgency and scores.
    reasons = [s for s in rec.rationale if not s.basis.startswith("flag:")]
    out += ["## Rationale", "", *(_statement(s) for s in reasons), ""]
    if rec.conventions:
        out += ["## This app's conventions applied", "", *(f"- {c}" for c in rec.conventions), ""]
    out += ["## Answers", "", "| Question | Answer |", "|---|---|"]
    for qid in result.path:
        q = flow.by_id[qid].model
        answer = "skipped" if qid in result.skipped else display(q, result.answers.get(qid))
        if isinstance(q, TextQuestion) and qid not in result.skipped:
            answer = for_markdown(answer)  # typed by a user: no raw HTML, links or images
        if qid in result.defaults_applied:
            answer += " (proposed default)"
        out.append(f"| {q.prompt.replace('|', '/')} | {answer.replace('|', '/')} |")
    out += [
        "",
        f"_Flow {result.flow.id} {result.flow.version} (sha256 {result.flow.sha256[:12]}…)._",
        "",
        f"> {rec.notice.strip()}",
        "",
    ]
    return "\n".join(out)
