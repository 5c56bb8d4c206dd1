"""The MDT handover from the recommendation screen: what the coordinator will ask that the case lacks, then the SBAR.

Each missing item is one row: Enter answers it (an option, or a few words), `u` marks it unavailable,
and a clock item (dexamethasone, the MRI time) opens the clock dialog. Answers go to the case's log as
``handover`` events (the one record of them); the SBAR below follows at once.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from interview.export.handover import UNAVAILABLE, handover_questions, missing_items, render_handover
from interview.flow.model import HandoverItem
from interview.tui.screens.modals import Dialog
from interview.tui.widgets.marked import MarkedOptionList

#: The log's event kind of a handover answer (as `cases handover --set` writes it).
HANDOVER_KIND = "handover"


class HandoverAnswer(Dialog):
    """One handover question: its options, or a text field; dismisses with the value or ``None``."""

    DEFAULT_CSS = "HandoverAnswer OptionList { height: auto; max-height: 8; }"

    def __init__(self, question: Any) -> None:
        super().__init__()
        self.question = question
        self.title = question.prompt

    def compose_body(self) -> ComposeResult:
        q = self.question
        if q.kind == "choice":
            yield MarkedOptionList(*(Option(o.label, id=o.value) for o in q.options), id="choices")
        else:
            field = Input(placeholder=getattr(q, "example", None) or "a few words, or 'unavailable'", id="text",
                          max_length=getattr(q, "max_length", 200))
            field.cursor_blink = False
            yield field
        yield Static("Enter records · Escape cancels", classes="hint")

    def on_mount(self) -> None:
        if self.question.kind == "choice":
            choices = self.query_one("#choices", MarkedOptionList)
            choices.highlight_with_mark(0)  # Enter takes the first option at once
            choices.focus()
        else:
            self.query_one("#text", Input).focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.close(event.option.id)

    @on(Input.Submitted, "#text")
    def _typed(self, event: Input.Submitted) -> None:
        from interview.text import LabelError, check_label

        event.stop()
        if not event.value.strip():
            return
        try:
            self.close(check_label(event.value))
        except LabelError as err:
            self.notify(f"Not recorded: {err}", severity="error", markup=False)


class HandoverScreen(Screen[None]):
    """The missing items to fill first, then the SBAR handover (plain text, as `--format handover`)."""

    DEFAULT_CSS = """
    HandoverScreen #missing-title { text-style: bold; color: $warning; padding: 0 1; }
    HandoverScreen #missing { height: auto; max-height: 8; }
    HandoverScreen #sbar-body { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("u", "unavailable", "Unavailable"),
        Binding("escape,b", "back", "Back"),
    ]

    def __init__(self, recommendation: Any) -> None:
        super().__init__()
        self.recommendation = recommendation
        self.flow = recommendation.flow
        self.result = recommendation.result
        #: handover answers of a case that is not saved (a saved case's are in its log)
        self.unsaved: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="missing-title")
        yield MarkedOptionList(id="missing")
        with VerticalScroll(id="sbar-body"):
            yield Static("", id="sbar")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_handover()
        self.query_one("#missing", OptionList).focus()

    # --- what the case holds ----------------------------------------------------------------------

    def answers(self) -> dict[str, Any]:
        keeper = self.recommendation._keeper()  # noqa: SLF001 - the screen that opened this one
        if keeper is None:
            return dict(self.unsaved)
        return {e.question: e.new for e in keeper.store.events(keeper.case_id) if e.kind == HANDOVER_KIND}

    def missing(self) -> list[HandoverItem]:
        now, marks = self.recommendation.clock_state()
        return missing_items(self.result, self.flow, self.answers(), marks)

    def refresh_handover(self) -> None:
        """Show the missing items and the SBAR again (after an answer or a mark)."""
        now, marks = self.recommendation.clock_state()
        answers = self.answers()
        missing = missing_items(self.result, self.flow, answers, marks)
        title = self.query_one("#missing-title", Static)
        rows = self.query_one("#missing", MarkedOptionList)
        if missing:
            title.update(f"Still missing — the coordinator will ask ({len(missing)}): Enter answers · u unavailable")
            rows.set_marked_options(Option(i.words + ("  (clock)" if i.question is None else ""), id=i.id)
                                    for i in missing)
            rows.display = True
            rows.highlight_with_mark(0)  # the first item the coordinator will ask, each time the list is new
        else:
            rows.set_marked_options([])
            title.update("Nothing missing: every item the coordinator asks for is recorded or marked unavailable.")
            rows.display = False
        width = max(40, self.size.width - 4) if self.size.width else 76  # padding and scrollbar
        text = render_handover(self.result, self.flow, now=now, marks=marks, answers=answers, width=width)
        # The missing list is above; the SBAR below starts at its Situation.
        self.query_one("#sbar", Static).update(Text(text[text.index("S — Situation"):]))

    def _highlighted(self) -> HandoverItem | None:
        rows = self.query_one("#missing", OptionList)
        if not rows.display or rows.highlighted is None:
            return None
        key = rows.get_option_at_index(rows.highlighted).id
        return next((i for i in self.missing() if i.id == key), None)

    # --- answering ---------------------------------------------------------------------------------

    def _record(self, question: str, value: Any) -> None:
        from interview.engine.session import Event

        keeper = self.recommendation._keeper()  # noqa: SLF001
        if keeper is None:
            self.unsaved[question] = value
        else:
            try:
                keeper.record([Event(HANDOVER_KIND, question, None, value)])
            except Exception as err:  # noqa: BLE001 - say it failed; the screen stays as it was
                self.notify(f"Not saved: {getattr(err, 'message', err)}", severity="error", markup=False)
                return
        self.refresh_handover()

    def action_answer(self) -> None:
        item = self._highlighted()
        if item is None:
            return
        if item.question is None:  # a clock item: the clock dialog records it
            self.recommendation.action_clock()
            return
        question = handover_questions(self.flow)[item.question]

        def done(value: Any) -> None:
            if value is not None:
                self._record(item.question, value)

        self.app.push_screen(HandoverAnswer(question), done)

    @on(OptionList.OptionSelected, "#missing")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_answer()

    def action_unavailable(self) -> None:
        item = self._highlighted()
        if item is None:
            return
        if item.question is None:
            self.notify("A clock item is recorded with its time (Enter); it has no 'unavailable'.", markup=False)
            return
        self._record(item.question, UNAVAILABLE)

    def on_resize(self) -> None:
        self.refresh_handover()

    def on_screen_resume(self) -> None:
        self.refresh_handover()  # back from the clock dialog or an answer

    def action_back(self) -> None:
        self.app.pop_screen()


__all__ = ["HandoverAnswer", "HandoverScreen"]
