"""Audit of the MSCC pathway against NICE NG234 / QS56: one row per case, the intervals, the shares.

Every time comes from the case's own log (:mod:`interview.export.clock`): the symptom onset (the
answer's time minus its hours), the presentation (the case opened), and the clock marks — MRI done,
decision made (the definitive plan), definitive treatment started. A time not recorded is shown as
missing and the interval that needs it is missing too: nothing is guessed, and a case with a
missing time is counted apart from the share, never as met or missed.

The standards (clinical reference §1.3, §11.16; NICE QS56 statement 3, NG234):

* MRI within 24 h of presentation (for suspected MSCC with neurological symptoms);
* a definitive plan within 24 h of the MRI;
* definitive treatment within 24 h of the decision for an emergency (MSCC with a deficit), or
  within 1 week for the others.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from interview.export.clock import moments
from interview.present import time_words

if TYPE_CHECKING:
    from interview.flow.load import LoadedFlow

MISSING = "missing"
#: Bars of the Markdown chart: this many characters for 100%.
BAR_WIDTH = 16
_LAST = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Standard:
    """One audited standard: from one moment to another within so many hours."""

    id: str
    title: str
    start: str
    end: str
    hours: int
    #: only cases of this urgency ("emergency") or of any other ("other"); None: every case
    urgency: str | None = None


STANDARDS = (
    Standard("mri_24h", "MRI within 24 h of presentation", "presentation", "mri_done", 24),
    Standard("plan_24h", "Plan within 24 h of MRI", "mri_done", "decision_made", 24),
    Standard("treatment_24h", "Treatment in 24 h (emergencies)", "decision_made",
             "treatment_started", 24, urgency="emergency"),
    Standard("treatment_1w", "Treatment in 1 week (others)", "decision_made",
             "treatment_started", 168, urgency="other"),
)
#: The clock events the standards read: a case whose flow's clock records none of them is not audited here.
AUDITED_EVENTS = frozenset({"mri_done", "decision_made", "treatment_started"})
#: The moments of a row, in pathway order, with their column names.
MOMENTS = (("symptom_onset", "Symptom onset"), ("presentation", "Presentation"), ("mri_done", "MRI"),
           ("decision_made", "Decision"), ("treatment_started", "Treatment started"))
#: The intervals of a row: (column, from, to).
INTERVALS = (("onset_to_mri_h", "symptom_onset", "mri_done"),
             ("presentation_to_mri_h", "presentation", "mri_done"),
             ("mri_to_decision_h", "mri_done", "decision_made"),
             ("decision_to_treatment_h", "decision_made", "treatment_started"))


@dataclass
class AuditRow:
    """One case of the audit."""

    case_id: str
    label: str
    urgency: str | None
    times: dict[str, datetime]

    def interval(self, start: str, end: str) -> float | None:
        """Hours between two moments, or None when either is missing."""
        if start not in self.times or end not in self.times:
            return None
        return (self.times[end] - self.times[start]) / timedelta(hours=1)

    def met(self, standard: Standard) -> bool | None:
        """Whether the case met a standard; None when a time is missing (never guessed)."""
        hours = self.interval(standard.start, standard.end)
        return None if hours is None else hours <= standard.hours

    def applies(self, standard: Standard) -> bool:
        if standard.urgency is None:
            return True
        if standard.urgency == "emergency":
            return self.urgency == "emergency"
        return self.urgency != "emergency"


def audit_rows(store: Any, flow_of: Callable[[Any], LoadedFlow | None], *,
               since: datetime | None = None, left_out: list[str] | None = None) -> list[AuditRow]:
    """One row per case (oldest presentation first); with ``since``, the cases that presented since then.

    ``flow_of(record)`` is a case's own flow: its clock's onset question dates the symptom onset
    (``None``: a flow that cannot be loaded; the recorded marks still count, the onset is missing).
    A case whose flow's clock records none of the audited events (:data:`AUDITED_EVENTS`: another
    pathway) is not audited; its id goes to ``left_out``.
    """
    rows: list[AuditRow] = []
    for summary in store.list_cases():
        record = store.get_case(summary.id)
        flow = flow_of(record)
        clock = flow.model.clock if flow is not None else None
        if flow is not None and not AUDITED_EVENTS & set(clock.event_words() if clock else ()):
            if left_out is not None:
                left_out.append(record.id)
            continue
        marks = moments(record.events, flow)
        times = {name: m.at for name, m in marks.items() if name in dict(MOMENTS)}
        presented = times.get("presentation")
        if since is not None and (presented is None or presented < since):
            continue
        urgency = (record.result or {}).get("recommendation", {}).get("urgency")
        rows.append(AuditRow(record.id, record.label, urgency, times))
    return sorted(rows, key=lambda r: (r.times.get("presentation") or _LAST, r.case_id))


def _hours(value: float | None) -> str:
    return MISSING if value is None else f"{value:.1f}"


def _yes(value: bool | None, applies: bool = True) -> str:
    if not applies:
        return "n/a"
    return MISSING if value is None else ("yes" if value else "no")


def audit_csv(rows: Iterable[AuditRow]) -> str:
    """The audit as CSV (one row per case; times in ISO 8601 UTC; a time not recorded is "missing")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["case_id", "label", "urgency", *(m for m, _ in MOMENTS), *(c for c, _, _ in INTERVALS),
                     *(s.id for s in STANDARDS)])
    for r in rows:
        writer.writerow([
            r.case_id, r.label, r.urgency or MISSING,
            *(r.times[m].isoformat(timespec="minutes") if m in r.times else MISSING for m, _ in MOMENTS),
            *(_hours(r.interval(a, b)) for _, a, b in INTERVALS),
            *(_yes(r.met(s), r.applies(s)) for s in STANDARDS),
        ])
    return out.getvalue()


@dataclass(frozen=True)
class Share:
    """How many cases met a standard, of those with both times; how many lack a time."""

    standard: Standard
    met: int
    counted: int
    missing: int

    @property
    def percent(self) -> float | None:
        return None if self.counted == 0 else 100 * self.met / self.counted


def shares(rows: list[AuditRow]) -> list[Share]:
    """Per standard: the cases that met it, of the cases it applies to that have both times."""
    out = []
    for s in STANDARDS:
        results = [r.met(s) for r in rows if r.applies(s)]
        known = [m for m in results if m is not None]
        out.append(Share(s, sum(known), len(known), len(results) - len(known)))
    return out


def bar(share: Share) -> str:
    """A terminal-friendly bar: filled for the share met, light for the rest."""
    if share.percent is None:
        return "·" * BAR_WIDTH
    filled = round(BAR_WIDTH * share.percent / 100)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def audit_markdown(rows: list[AuditRow], *, since: datetime | None = None, now: datetime | None = None) -> str:
    """The audit as Markdown: the table of cases and intervals, the shares within each standard and a bar chart."""
    from interview.text import for_markdown

    head = "# MSCC audit (NICE NG234 / QS56)"
    out = [head, "",
           f"_{len(rows)} case{'' if len(rows) == 1 else 's'}" + (f" presenting since {time_words(since.isoformat())}" if since else "")
           + (f"; made {time_words(now.isoformat())}" if now else "") + "._", "",
           "Times are local; a time not recorded is shown as missing and never guessed; intervals in hours.", "",
           "| Case | Urgency | " + " | ".join(w for _, w in MOMENTS)
           + " | Onset→MRI | Presentation→MRI | MRI→decision | Decision→treatment |",
           "|---" * (2 + len(MOMENTS) + len(INTERVALS)) + "|"]
    for r in rows:
        cells = [for_markdown(r.label), r.urgency or MISSING,
                 *(time_words(r.times[m].isoformat()) if m in r.times else MISSING for m, _ in MOMENTS),
                 *(_hours(r.interval(a, b)) for _, a, b in INTERVALS)]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "## Within the standards", "", "```"]
    width = max(len(s.title) for s in STANDARDS)
    for sh in shares(rows):
        pct = "  —  " if sh.percent is None else f"{sh.percent:4.0f}%"
        out.append(f"{sh.standard.title:<{width}}  {bar(sh)} {pct}  {sh.met}/{sh.counted}"
                   + (f" ({sh.missing} missing)" if sh.missing else ""))
    out += ["```", "", "Treatment is timed from the decision. An interval below zero means the times were recorded "
            "out of order; it is shown as recorded. Decision support for audit, not a judgement of any clinician.",
            ""]
    return "\n".join(out)


__all__ = ["MISSING", "STANDARDS", "AuditRow", "Share", "audit_csv", "audit_markdown", "audit_rows", "bar",
           "shares"]
