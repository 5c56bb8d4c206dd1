"""Record an MSCC clock event from the recommendation screen: which one, when, and a dose.

Dismisses with ``(event, time, dose)`` or ``None``. The time is read as `cases mark --at` reads it
(``HH:MM`` today, an ISO date and time, or empty for now); a time that cannot be read, or one in
the future, is refused under the field and the dialog stays, with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from interview.export.clock import ClockError, parse_time
from interview.tui.screens.modals import Dialog
from interview.tui.widgets.marked import MarkedOptionList


class ClockScreen(Dialog):
    """Pick the event (↑↓ or its number), type the time (empty: now) and a dose, Enter records it.

    The events are the flow's (its ``clock``: at most nine, so each has a digit); dismisses with
    ``(event, time, dose or note)``, or ``None``.
    """

    TITLE = "Record a clock event"
    DEFAULT_CSS = """
    ClockScreen OptionList { height: auto; max-height: 11; }
    ClockScreen Input { margin: 0; }
    """

    def __init__(self, events: dict[str, str], now: Callable[[], datetime], done: dict[str, str] | None = None) -> None:
        super().__init__()
        #: each event the flow records, with its words, in order
        self.events = events
        self.now = now
        self.done = done or {}

    def compose_body(self) -> ComposeResult:
        options = [Option(f"{i}. {words}" + (f"  (done {self.done[key]})" if key in self.done else ""), id=key)
                   for i, (key, words) in enumerate(self.events.items(), start=1)]
        yield MarkedOptionList(*options, id="event")
        field = Input(placeholder="when: HH:MM, 2026-11-29T14:30, or empty for now", id="at", max_length=40)
        field.cursor_blink = False
        yield field
        dose = Input(placeholder="dose or note (optional), e.g. 16 mg orally", id="dose", max_length=80)
        dose.cursor_blink = False
        yield dose
        yield Static("", classes="error", id="clock-error")
        yield Static(f"↑↓ or 1–{len(self.events)} picks · Tab moves · Enter records · Escape cancels", classes="hint")

    def on_mount(self) -> None:
        events = self.query_one("#event", MarkedOptionList)
        events.highlight_with_mark(0)
        events.focus()

    def on_key(self, event: Any) -> None:
        # Numbers pick an event while the list has the focus (the fields type them).
        if isinstance(self.focused, OptionList) and event.key in {str(i) for i in range(1, len(self.events) + 1)}:
            self.query_one("#event", OptionList).highlighted = int(event.key) - 1
            self.query_one("#at", Input).focus()
            event.stop()

    @on(OptionList.OptionSelected, "#event")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#at", Input).focus()

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        from interview.text import LabelError, check_label

        event.stop()
        events = self.query_one("#event", OptionList)
        index = events.highlighted if events.highlighted is not None else 0
        key = list(self.events)[index]
        error = self.query_one("#clock-error", Static)
        try:
            at = parse_time(self.query_one("#at", Input).value, now=self.now())
        except ClockError as err:
            error.update(Text(f"✗ {err.message}"))
            self.query_one("#at", Input).focus()
            return
        dose = self.query_one("#dose", Input).value.strip() or None
        if dose:
            try:
                dose = check_label(dose)
            except LabelError as err:
                error.update(Text(f"✗ the dose or note: {err}"))
                return
        self.close((key, at, dose))


__all__ = ["ClockScreen"]
