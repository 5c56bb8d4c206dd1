"""What-if: change one answer of a case and see what changes in the scores and the recommendation."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from interview.engine.replay import replay
from interview.engine.values import AnswerError, coerce, display
from interview.flow.load import LoadedFlow
from interview.flow.model import BoolQuestion, ChoiceQuestion, IntQuestion
from interview.teach.whatif import WhatIf, what_if


def value_choices(flow: LoadedFlow, question_id: str) -> list[tuple[Any, str]]:
    """The values a question can be given by picking (options, yes/no, labelled whole numbers)."""
    q = flow.by_id[question_id].model
    if isinstance(q, ChoiceQuestion):
        return [(o.value, o.label) for o in q.options]
    if isinstance(q, BoolQuestion):
        return [(True, q.yes_label), (False, q.no_label)]
    if isinstance(q, IntQuestion) and q.labels:
        return [(v, f"{v} — {label}") for v, label in sorted(q.labels.items(), reverse=True)]
    return []


class WhatIfScreen(Screen[None]):
    """Pick an answer on the case's path, change it, and read the difference (before → after).

    The answers given are copied: the case they came from is never changed. Escape returns.
    """

    DEFAULT_CSS = """
    WhatIfScreen { layout: vertical; }
    WhatIfScreen #title { height: 1; background: $primary; color: $text; padding: 0 1; text-style: bold; }
    WhatIfScreen #hint { height: auto; padding: 0 1; color: $text-muted; }
    WhatIfScreen #picker { height: 1fr; min-height: 5; margin: 0 1; }
    WhatIfScreen #value { margin: 0 1; }
    WhatIfScreen #diff { height: auto; max-height: 11; border-top: solid $accent; padding: 0 1; }
    WhatIfScreen .hidden { display: none; }
    """

    BINDINGS = [
        Binding("escape", "leave", "Back to the case"),
        Binding("r", "reset", "Undo changes"),
    ]

    #: the question whose new value is being picked (None: picking a question)
    editing: reactive[str | None] = reactive(None, init=False)

    def __init__(self, flow: LoadedFlow, answers: dict[str, Any]) -> None:
        super().__init__()
        self.flow = flow
        self.original: dict[str, Any] = dict(answers)
        self.changed: dict[str, Any] = {}
        self.outcome: WhatIf | None = None
        self._path = replay(flow, self.original).result.path

    def compose(self) -> ComposeResult:
        yield Static("What if…? Change one answer and compare", id="title", markup=False)
        yield Static(id="hint", markup=False)
        yield OptionList(id="picker")
        yield Input(id="value", classes="hidden")
        with VerticalScroll(id="diff"):
            yield Static(id="diff-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_questions()

    # --- lists ----------------------------------------------------------------------------------

    def _answers(self) -> dict[str, Any]:
        return {**self.original, **self.changed}

    def _show_questions(self) -> None:
        answers = self._answers()
        picker = self.query_one("#picker", OptionList)
        self.query_one("#value").add_class("hidden")
        picker.remove_class("hidden")
        picker.clear_options()
        for qid in self._path:
            q = self.flow.by_id[qid].model
            if q.optional:
                continue
            mark = "* " if qid in self.changed else ""
            picker.add_option(Option(f"{mark}{q.prompt} — {display(q, answers.get(qid))}", id=qid))
        picker.highlighted = 0
        picker.focus()
        self.query_one("#hint", Static).update("Pick the answer to change (Enter). * marks a changed answer.")

    def watch_editing(self, question_id: str | None) -> None:
        if question_id is None:
            self._show_questions()
            return
        q = self.flow.by_id[question_id].model
        current = self._answers().get(question_id)
        self.query_one("#hint", Static).update(
            f"{q.prompt}\nNow: {display(q, current)}. Pick the new answer (Enter), escape to cancel.")
        picker = self.query_one("#picker", OptionList)
        field = self.query_one("#value", Input)
        options = value_choices(self.flow, question_id)
        if options:
            picker.clear_options()
            picker.add_options([Option(label, id=str(i)) for i, (_, label) in enumerate(options)])
            picker.highlighted = 0
            picker.focus()
        else:
            picker.add_class("hidden")
            field.value = "" if current is None else str(current)
            field.remove_class("hidden")
            field.focus()

    # --- picking --------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#picker")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.editing is None:
            self.editing = str(event.option.id)
            return
        value = value_choices(self.flow, self.editing)[int(str(event.option.id))][0]
        self._apply(self.editing, value)

    @on(Input.Submitted, "#value")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if self.editing is None:
            return
        try:
            value = coerce(self.flow.by_id[self.editing].model, event.value, from_text=True)
        except AnswerError as err:
            self.notify(f"{err.reason}; allowed: {err.allowed}", severity="error")
            return
        self._apply(self.editing, value)

    def _apply(self, question_id: str, value: Any) -> None:
        self.changed[question_id] = value
        self.outcome = what_if(self.flow, self.original, self.changed)
        if self.outcome.needs is not None:
            needed = self.outcome.needs
            self.notify(f"This change brings a new question onto the path: "
                        f"{self.flow.by_id[needed].model.prompt} — answer it to see the outcome.")
            self.editing = None
            self.editing = needed
            return
        if self.outcome.after is not None:
            self._path = self.outcome.after.path
        self._render_diff()
        self.editing = None

    def _render_diff(self) -> None:
        text = Text()
        outcome = self.outcome
        if outcome is None or not self.changed:
            text.append("No change yet.", style="italic")
        elif outcome.error:
            text.append(outcome.error, style="red")
        elif outcome.after is not None:
            text.append("Changed: ", style="bold")
            text.append(", ".join(f"{self.flow.by_id[k].model.id} → {display(self.flow.by_id[k].model, v)}"
                                  for k, v in self.changed.items()) + "\n")
            if not outcome.changes:
                text.append("Nothing changes in the scores or the recommendation.\n", style="italic")
            for c in outcome.changes:
                text.append(f"{c.label}: ", style="bold")
                text.append(f"{c.before} → {c.after}\n")
            if outcome.after.recommendation.rule != outcome.before.recommendation.rule:
                text.append(f"Why: {outcome.after.recommendation.rule_text}\n", style="dim")
        self.query_one("#diff-text", Static).update(text)

    # --- actions --------------------------------------------------------------------------------

    def action_leave(self) -> None:
        """Cancel a pick in progress, else return to the case (unchanged)."""
        if self.editing is not None:
            self.editing = None
            return
        self.dismiss(None)

    def action_reset(self) -> None:
        """Forget every change."""
        self.changed.clear()
        self.outcome = None
        self._path = replay(self.flow, self.original).result.path
        self._render_diff()
        self.editing = None
        self._show_questions()
