"""The MSCC clock as data: what was done and when, and each timed action as done (time) or due (time left).

The doctor records the emergency actions as they happen (dexamethasone given, coordinator contacted,
MRI done, decision made, treatment started): each is one event of the case's ordinary log, kind
``clock``, its name as the event's question and ``{"at": TIME, …}`` as its value. Those events are
the one record of what was done and when; nothing copies a time elsewhere. A later mark of the same
event corrects the earlier one (the log keeps both).

The events and their words are the flow's (its ``clock``; a flow without one records none). Two
moments come from the case itself: its presentation (when the case was opened: its first event)
and the symptom onset — the answer to the clock's ``onset_question`` ("hours since the first
neurological symptom") is stored with the time it was given, so the onset is that time minus the
hours, absolute from then on. The deadlines themselves (24 h, 48 h, 1 week) are the flow's too:
each clock advice item carries a ``timer`` (hours after a moment, met by an event), beside its
REFERENCE section.

Times are shown against ``now`` (the report says "as of TIME"), never frozen when the case was entered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from interview.errors import OneLineError

if TYPE_CHECKING:
    from interview.flow.load import LoadedFlow
    from interview.result import Result

#: The log's event kind for a clock mark.
CLOCK_KIND = "clock"


class ClockError(OneLineError, ValueError):
    """A clock mark that cannot be recorded: ``message`` says what is wrong and what is allowed."""


def event_words(flow: LoadedFlow) -> dict[str, str]:
    """The events a doctor records in this flow, in the order they usually happen, with their words
    (none when the flow has no clock)."""
    return flow.model.clock.event_words() if flow.model.clock else {}


def check_event(flow: LoadedFlow, name: str) -> str:
    """An event name as recorded ("MRI-done" -> "mri_done").

    Raises:
        ClockError: not one of the flow's clock events, with the names allowed.
    """
    events = event_words(flow)
    if not events:
        raise ClockError(f"the flow {flow.id!r} has no clock: it records no events")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in events:
        raise ClockError(f"unknown clock event {name!r} (allowed: {', '.join(events)})")
    return key


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_time(text: str | None, *, now: datetime) -> datetime:
    """A time a doctor typed: ISO 8601 (``2026-11-29T14:30``, a date and time, with or without a zone:
    local time when none) or ``HH:MM`` (today, local time; a time later than now is yesterday's).

    Raises:
        ClockError: anything else, or a time after ``now``, with what is allowed.
    """
    allowed = "allowed: an ISO date and time such as 2026-11-29T14:30, or HH:MM for today"
    if text is None or not str(text).strip():
        return now
    raw = str(text).strip()
    m = _CLOCK.match(raw)
    try:
        if m:
            local = now.astimezone()
            moment = local.replace(hour=int(m[1]), minute=int(m[2]), second=0, microsecond=0)
            if moment > local:
                moment -= timedelta(days=1)
        else:
            moment = datetime.fromisoformat(raw.replace(" ", "T", 1) if " " in raw else raw)
            if moment.tzinfo is None:
                moment = moment.astimezone()  # a time without a zone is local time
    except ValueError:
        raise ClockError(f"cannot read the time {raw!r} ({allowed})") from None
    if moment > now + timedelta(minutes=1):
        raise ClockError(f"the time {raw!r} is in the future (after {time_words(now.isoformat())}); "
                         "a clock event records what was done")
    return moment.astimezone(UTC)


def now_utc(text: str | None = None) -> datetime:
    """``--now TIME`` as an aware time (the current time without it).

    Raises:
        ClockError: a time that cannot be read.
    """
    if text is None or not str(text).strip():
        return datetime.now(UTC)
    raw = str(text).strip()
    try:
        moment = datetime.fromisoformat(raw.replace(" ", "T", 1) if " " in raw else raw)
    except ValueError:
        raise ClockError(f"cannot read --now {raw!r} (allowed: an ISO date and time such as "
                         "2026-11-29T14:30, with a zone or in local time)") from None
    return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC)


def clock_event(flow: LoadedFlow, name: str, at: datetime, *, dose: str | None = None,
                note: str | None = None) -> Any:
    """The log event of a clock mark (kind ``clock``; the value holds the time and any dose or note)."""
    from interview.engine.session import Event

    value: dict[str, Any] = {"at": at.astimezone(UTC).isoformat(timespec="seconds")}
    if dose:
        value["dose"] = dose.strip()
    if note:
        value["note"] = note.strip()
    return Event(CLOCK_KIND, check_event(flow, name), None, value)


def mark(store: Any, case_id: str, flow: LoadedFlow, name: str, at: datetime, *, dose: str | None = None,
         note: str | None = None) -> Any:
    """Record a clock event in a case's log (one committed write through the store's event log).

    The text a doctor typed is checked like any other (no control characters).

    Returns:
        The event written.

    Raises:
        ClockError: an unknown event or unreadable text.
    """
    from interview.text import LabelError, check_label

    for what, text in (("dose", dose), ("note", note)):
        if text:
            try:
                check_label(text)
            except LabelError as err:
                raise ClockError(f"the {what} cannot be stored: {err}") from None
    event = clock_event(flow, name, at, dose=dose, note=note)
    store.append(case_id, [event])
    return event


@dataclass(frozen=True)
class Moment:
    """When something happened, and what was said with it (a dose)."""

    at: datetime
    dose: str | None = None
    note: str | None = None


def _time(text: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def moments(events: Iterable[Any], flow: LoadedFlow | None, *, answers: Mapping[str, Any] | None = None,
            answered_at: datetime | None = None) -> dict[str, Moment]:
    """Every moment a case's log holds: the clock marks, the presentation and the symptom onset.

    Args:
        events: the case's log, oldest first (stored :class:`EventRecord` or session events).
        flow: the case's flow: its clock's onset question dates the symptom onset (``None``, a flow
            that cannot be loaded: no onset). Every clock mark in the log is kept whatever the flow
            (each was checked against the case's flow when it was recorded).
        answers: for a case not stored (an answers file): its answers; the onset is then
            ``answered_at`` minus the hours, and ``answered_at`` is the presentation.
        answered_at: when those answers were given (``--now``).
    """
    clock = flow.model.clock if flow is not None else None
    onset = clock.onset_question if clock else None
    out: dict[str, Moment] = {}
    for e in events:
        stamp = _time(getattr(e, "time", None))
        if stamp is not None and "presentation" not in out:
            out["presentation"] = Moment(stamp)  # the case was opened with its first event
        if e.kind == CLOCK_KIND and isinstance(e.new, Mapping):
            at = _time(e.new.get("at"))
            if at is not None:
                out[e.question] = Moment(at, e.new.get("dose"), e.new.get("note"))
        elif onset is not None and e.question == onset and e.kind in ("answer", "edit", "default"):
            if isinstance(e.new, int | float) and not isinstance(e.new, bool) and stamp is not None:
                out["symptom_onset"] = Moment(stamp - timedelta(hours=e.new))
            else:
                out.pop("symptom_onset", None)
        elif onset is not None and e.question == onset and e.kind in ("back", "drop", "skip"):
            out.pop("symptom_onset", None)
    if answers is not None and answered_at is not None:
        out.setdefault("presentation", Moment(answered_at))
        hours = answers.get(onset) if onset is not None else None
        if isinstance(hours, int | float) and not isinstance(hours, bool):
            out.setdefault("symptom_onset", Moment(answered_at - timedelta(hours=hours)))
    return out


@dataclass(frozen=True)
class ClockItem:
    """One timed action of a recommendation, against the recorded moments."""

    advice_id: str
    #: the action in a few words (the flow's ``short``), or its text
    what: str
    hours: int | None = None
    #: the moment the time runs from, and when it was (None: not recorded)
    after: str | None = None
    start: datetime | None = None
    #: the event that meets it, and when it happened (None: not yet)
    done_by: str | None = None
    done: Moment | None = None
    #: the starting moment in a word ("MRI" in "MRI time missing"), the flow's
    after_words: str | None = None

    @property
    def due(self) -> datetime | None:
        """When it is due (None: untimed, or its starting moment is not recorded)."""
        if self.hours is None or self.start is None:
            return None
        return self.start + timedelta(hours=self.hours)

    def status(self, now: datetime) -> str:
        """"done 29 Nov 2026 14:05 (16 mg)", "due now", "34 h left", "overdue by 3 h", or what is missing."""
        if self.done is not None:
            extra = f" ({self.done.dose})" if self.done.dose else ""
            return f"done {short_time(self.done.at, now)}{extra}"
        if self.hours is None:
            return "to do"
        if self.hours == 0:
            return "due now"
        if self.due is None:
            return f"{self.after_words or self.after} time missing"
        return span_words(self.due - now)


def time_words(iso: str) -> str:
    """A time in the clinic's words (the presenter's; imported when used, so the CLI's parser stays light)."""
    from interview.present import time_words as words

    return words(iso)


def short_time(moment: datetime, now: datetime) -> str:
    """A time as short as it can be read: "19:30" today, "28 Nov 19:30" another day (local time)."""
    full = time_words(moment.isoformat())  # "28 Nov 2026 19:30"
    day, clock = full.rsplit(" ", 1)
    if day == time_words(now.isoformat()).rsplit(" ", 1)[0]:
        return clock
    return f"{day.rsplit(' ', 1)[0]} {clock}"


def amount_words(span: timedelta) -> str:
    """A length of time as a clinician says it: "34 h", "40 min" (the sign is the caller's to word)."""
    minutes = abs(int(span.total_seconds() // 60))
    return f"{minutes // 60} h" if minutes >= 60 else f"{minutes} min"


def span_words(left: timedelta) -> str:
    """Time left as a clinician says it: "34 h left", "40 min left", "overdue by 3 h"."""
    return f"overdue by {amount_words(left)}" if left.total_seconds() < 0 else f"{amount_words(left)} left"


def clock_items(result: Result, flow: LoadedFlow, marks: Mapping[str, Moment]) -> list[ClockItem]:
    """The recommendation's clock items in order, each with its deadline and whether it is done."""
    advice = {a.id: a for a in flow.model.advice}
    words = flow.model.clock.moment_words() if flow.model.clock else {}
    out: list[ClockItem] = []
    rec = result.recommendation
    # The clock items are the parts the flow shows with the urgency (the spinal flow's `clock` part).
    for s in (s for part in flow.model.parts if part.with_urgency for s in rec.part(part.id)):
        item = advice.get(s.id)
        what = (item.short if item is not None and item.short else s.text)
        timer = item.timer if item is not None else None
        if timer is None:
            out.append(ClockItem(s.id, what))
            continue
        start = marks.get(timer.after)
        out.append(ClockItem(s.id, what, timer.hours, timer.after, start.at if start else None,
                             timer.done_by, marks.get(timer.done_by), words.get(timer.after)))
    return out


__all__ = ["CLOCK_KIND", "ClockError", "ClockItem", "Moment", "check_event", "clock_event",
           "clock_items", "event_words", "mark", "moments", "now_utc", "parse_time", "span_words"]
