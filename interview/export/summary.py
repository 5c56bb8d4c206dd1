"""The one-screen summary of a case: what the clinic reads first, on a ward round or on the phone.

Headline and urgency; one line why (the rule in words); the next timed actions (what, by whom, by
when — done with its time, or due with the time left, against ``now``); the scores on one line;
the flags, each in full (advice is wrapped, never cut off); what is missing or provisional. It fits an
80×24 terminal: at most :data:`MAX_LINES` lines of at most 80 characters — when the flags would not fit,
fewer are listed and a last line says how many more the details give. The recommendation screen, the Markdown report,
the plain-text transcript and ``--format summary`` all start with it.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from interview.export.clock import ClockItem, Moment, clock_items
from interview.present import (
    brief_name,
    flag_words,
    scores_line,
    time_words,
    urgency_words,
    value_name,
    values_words,
)

if TYPE_CHECKING:
    from interview.flow.load import LoadedFlow
    from interview.result import Result

WIDTH = 80
#: The plain-text summary's most lines: a 24-row terminal shows it whole with the command above it and the
#: prompt below (the recommendation screen gives its body the rows above its docked notice).
MAX_LINES = 22
#: The plain-text summary's most words: read out on the phone in about a minute (the flags give way).
MAX_WORDS = 150
#: The most timed actions the summary lists (the details list every clock item).
MAX_ACTIONS = 5
#: An action's words saying it is due at once ("Immobilise until expert review — now"), timer or not.
_NOW = re.compile(r"—\s*now\b")
#: A bracketed aside ("(expected survival ≥ 3 months …)"): the details give it, the summary leaves it out.
_PARENS = re.compile(r"\s*\([^()]*\)")


@dataclass
class Summary:
    """The parts of the summary, each already in the clinic's words."""

    label: str
    as_of: str
    urgency: str
    urgency_level: str
    headline: str
    why: str
    actions: list[tuple[str, str]] = field(default_factory=list)
    scores: str = ""
    flags: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    provisional: str | None = None
    find_out: list[str] = field(default_factory=list)
    notice: str = ""


def first_sentence(text: str) -> str:
    """The first sentence of a text (the notice's "Decision support … — not an order.")."""
    text = " ".join(text.split())
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def rule_words(result: Result) -> str:
    """The rule in words: its condition, without the evidence after the colon."""
    rec = result.recommendation
    if not rec.rule:
        return "the headline depends on answers not known yet"
    text = " ".join((rec.rule_text or "").split())
    cond = _PARENS.sub("", text.split(": ")[0]).rstrip(".").strip()
    return f"rule {rec.rule} — {cond}" if cond else f"rule {rec.rule}"


def what_would_change(result: Result, flow: LoadedFlow) -> list[tuple[str, list[str]]]:
    """For a provisional result, each open finding with what each of its values would make the headline,
    the deciding ones first (CONTRACT §7 ``decisive``): ``[(finding, ["value → headline", …]), …]``.

    Read from the provisional evaluator's own completions (:func:`value_headlines`), never worked out
    a second way; empty for a complete result.
    """
    rec = result.recommendation
    if not rec.provisional:
        return []
    from interview.engine.provisional import value_headlines

    outcomes, _ = value_headlines(flow, dict(result.answers))
    titles = flow.model.headlines
    decisive = list(rec.decisive or [])
    order = decisive + [q for q in rec.pending or [] if q not in decisive]
    out = []
    for qid in order:
        q = flow.by_id[qid].model
        lines = []
        for values, heads in outcomes.get(qid, []):
            shown = [titles[h].title for h in heads]
            words = shown[0] if len(shown) == 1 else "one of " + "; ".join(shown) + " (the other open answers decide)"
            lines.append(f"{values_words(q, values)} → {words}")
        name = value_name(flow, qid) + ("" if qid in decisive else " (does not change the headline on its own)")
        out.append((name, lines))
    return out


def build_summary(result: Result, flow: LoadedFlow, *, now: datetime, marks: Mapping[str, Moment] | None = None,
                  label: str | None = None) -> Summary:
    """The summary of a result against the recorded clock moments, as of ``now``."""
    rec = result.recommendation
    items = clock_items(result, flow, marks or {})
    actions = [(i.what, i.status(now) if i.hours is not None else "") for i in _next_actions(items)]
    pending = [value_name(flow, q) for q in rec.pending or []]
    skipped = [brief_name(flow, q) for q in result.skipped]
    return Summary(
        label=label or flow.model.report.title or flow.model.title,
        as_of=time_words(now.isoformat()),
        urgency=urgency_words(rec.urgency),
        urgency_level=rec.urgency,
        headline=rec.headline_title or "not decided yet",
        why=rule_words(result),
        actions=actions,
        scores=scores_line(flow, result),
        flags=[flag_text(s.text) for s in rec.flag_details] or [flag_words(flow, f, 10_000) for f in rec.flags],
        missing=skipped,
        provisional=("not known yet: " + ", ".join(pending)) if rec.provisional else None,
        find_out=[value_name(flow, q) for q in rec.decisive or []] if rec.provisional else [],
        notice=first_sentence(rec.notice),
    )


def flag_text(text: str) -> str:
    """A flag in full, on one line: its advice is never cut ("… spinal-surgical review within 48 h; …")."""
    return " ".join(text.split())


def short_flag(text: str) -> str:
    """A flag as the case reads it, in a few words: its first clause without asides
    ("Spine-surgical opinion before radiotherapy", "Motor-complete paraplegia for 72 h")."""
    text = " ".join(text.split()).split(". ")[0]
    text = _PARENS.sub("", text).split(" — ")[0].split(": ")[0].strip().rstrip(".")
    return text if len(text) <= 60 else text[:59].rstrip() + "…"


def _pack(head: str, items: list[str], lines: int, sep: str = " · ", width: int = WIDTH) -> list[str]:
    """Items joined on as few lines as fit, never broken inside an item ("KPS 70/ECOG 1" stays whole)."""
    out = [head]
    for i, item in enumerate(items):
        joined = out[-1] + ("" if i == 0 else sep) + item
        room = width - (len(sep.rstrip()) if i < len(items) - 1 else 0)  # a line ends with its separator
        if len(joined) <= room or i == 0:
            out[-1] = joined
        else:
            out[-1] += sep.rstrip()
            out.append("  " + item)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return [line[:width] for line in out]


def _due_now(item: ClockItem) -> bool:
    """An action to take at once and not done: on a 0-hour timer, or worded "— now" without a timer
    (immobilisation while instability is suspected is a safety action with no event to time it)."""
    return item.done is None and (item.hours == 0 or (item.hours is None and bool(_NOW.search(item.what))))


def _next_actions(items: list[ClockItem]) -> list[ClockItem]:
    """The actions due now first, then the other timed ones (those not done first), topped up to three with
    untimed ones; at most MAX_ACTIONS, so a cap never drops a "now" action for a later one."""
    now = [i for i in items if _due_now(i)]
    timed = sorted((i for i in items if i.hours is not None and i not in now), key=lambda i: i.done is not None)
    rest = [i for i in items if i.hours is None and i not in now]
    return (now + timed + rest[: max(0, 3 - len(now) - len(timed))])[:MAX_ACTIONS]


def _wrap(text: str, lines: int, indent: str = "  ", width: int = WIDTH) -> list[str]:
    """Text wrapped to the width, at most ``lines`` lines (the last ends in "…" when cut)."""
    out = textwrap.wrap(text, width, subsequent_indent=indent, break_on_hyphens=False) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out


def summary_lines(s: Summary, *, notice: bool = True) -> list[str]:
    """The summary as plain text lines, each at most 80 characters, at most :data:`MAX_LINES`."""
    lines = _wrap(f"{s.label} · as of {s.as_of}", 1)
    lines += _wrap(f"{s.urgency}: {s.headline}", 2)
    tail = _wrap(s.notice, 2, indent="") if notice and s.notice else []
    lines += body_lines(s, lines=MAX_LINES - len(lines) - len(tail), words=MAX_WORDS - _words(lines + tail))
    return (lines + tail)[:MAX_LINES]


def _words(lines: list[str]) -> int:
    """Words as a reader counts them: tokens with a letter (not bullets, "·" or "≥ 7")."""
    return sum(1 for line in lines for token in line.split() if any(c.isalpha() for c in token))


def flag_lines(flags: list[str], room: int | None, width: int = WIDTH, word_room: int | None = None) -> list[str]:
    """Each flag in full, wrapped with its continuation lines indented; as many as fit in ``room`` lines
    (and ``word_room`` words), in the flow's order, then "+N more flags in the details" — fewer flags,
    never fewer words of one."""
    wrapped = [textwrap.wrap(f"Flag: {f}", width, subsequent_indent="  ", break_on_hyphens=False) for f in flags]
    shown: list[str] = []
    for i, block in enumerate(wrapped):
        more = len(flags) - i
        note = [f"+{more} more flag{'s' if more > 1 else ''} in the details"]
        rest = note if more > 1 else []  # what must still fit after this flag
        too_long = room is not None and len(shown) + len(block) + len(rest) > room
        too_wordy = word_room is not None and _words(shown + block + rest) > word_room
        if too_long or too_wordy:
            return shown + note
        shown += block
    return shown


def body_lines(s: Summary, width: int = WIDTH, lines: int | None = None, words: int | None = None) -> list[str]:
    """The summary below its urgency and headline: provisional, why, next actions, scores, flags, missing.

    ``lines``, ``words``: the most it may take (the flags give way); None: no limit."""
    head, tail = _body_parts(s, width)
    room = None if lines is None else max(1, lines - len(head) - len(tail))
    word_room = None if words is None else words - _words(head + tail)
    return head + (flag_lines(s.flags, room, width, word_room) if s.flags else []) + tail


def _body_parts(s: Summary, width: int) -> tuple[list[str], list[str]]:
    """The body's lines before the flags and after them."""
    lines: list[str] = []
    if s.provisional:
        lines += _wrap(f"PROVISIONAL — {s.provisional}", 2, width=width)
        if s.find_out:
            lines += _wrap("Find out next: " + ", ".join(s.find_out), 3, width=width)
    lines += _wrap(f"Why: {s.why}", 2, width=width)
    if s.actions:
        lines.append("Next:")
        for what, status in s.actions:
            lines += _wrap(f"• {what}: {status}" if status else f"• {what}", 2, width=width)
    if s.scores:
        lines += _pack("Scores: ", s.scores.split(" · "), 2, width=width)
    tail = _wrap("Not recorded: " + ", ".join(s.missing), 1, width=width) if s.missing else []
    return lines, tail


def render_summary(result: Result, flow: LoadedFlow, *, now: datetime, marks: Mapping[str, Moment] | None = None,
                   label: str | None = None) -> str:
    """The summary alone as plain text (``--format summary``: for pasting into an electronic record)."""
    from interview.text import for_terminal

    summary = build_summary(result, flow, now=now, marks=marks, label=for_terminal(label) if label else None)
    return "\n".join(summary_lines(summary)) + "\n"


__all__ = ["MAX_LINES", "MAX_WORDS", "WIDTH", "Summary", "body_lines", "flag_lines", "flag_text", "short_flag", "build_summary", "first_sentence", "render_summary", "rule_words",
           "summary_lines"]
