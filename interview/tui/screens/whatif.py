"""What-if: change one answer of a case and see what changes in the scores and the recommendation.

The answers are picked with the interview's own answer area (the same keys: numbers for a list of
words, the value itself for numbers and codes), opened on the answer the case has now. After each
change the cursor stays on the question that was changed; picking the answer it already has is not a
change; and a change that leaves the recommendation as it was says so in words.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from interview.engine.replay import replay
from interview.flow.load import LoadedFlow
from interview.flow.model import BoolQuestion, ChoiceQuestion, IntQuestion
from interview.present import urgency_words, value_name
from interview.teach.whatif import WhatIf, what_if
from interview.tui.labels import answer_text
from interview.tui.widgets.answer import AnswerArea
from interview.tui.widgets.marked import MarkedOptionList

#: Marks a changed answer in the list (a symbol and words: never colour alone).
CHANGED_MARK = "✎"


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


class QuestionList(MarkedOptionList):
    """The case's answers, one per question on its path (option ids are question ids); Enter picks one to change."""

    DEFAULT_CSS = """
    QuestionList { height: 1fr; min-height: 4; margin: 0 1; scrollbar-gutter: stable; border: none; &:focus { border: none; } }
    """


class WhatIfScreen(Screen[None]):
    """Pick an answer on the case's path, change it, and read the difference (before → after).

    The answers given are copied: the case they came from is never changed. Escape returns.
    """

    DEFAULT_CSS = """
    WhatIfScreen { layout: vertical; }
    WhatIfScreen #title { height: 1; background: $primary; color: $text; padding: 0 1; text-style: bold; }
    WhatIfScreen #hint { height: auto; padding: 0 1; color: $text-muted; }
    WhatIfScreen #whatif-answer { height: 1fr; max-height: 100%; margin: 0 1; }
    /* The whole list, scrolling, in the room the question list leaves while an answer is picked. */
    WhatIfScreen #whatif-answer ChoiceList {
        height: 1fr; max-height: 100%; overflow-y: auto; scrollbar-gutter: stable;
    }
    WhatIfScreen #diff { height: auto; max-height: 40%; border-top: solid $accent; padding: 0 1; }
    WhatIfScreen .hidden { display: none; }
    """

    BINDINGS = [
        Binding("escape", "leave", "Back"),
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
        self.message: str | None = None  # what the last pick did, when it changed nothing
        self._path = replay(flow, self.original).result.path
        #: the question picked from the list (the cursor returns to it after the change)
        self._picked: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("What if…? Change one answer and compare", id="title", markup=False)
        yield Static(id="hint", markup=False)
        yield QuestionList(id="questions")
        first = next(iter(self._listed()), self._path[0])
        yield AnswerArea(self.flow, first, None, id="whatif-answer", classes="hidden")
        with VerticalScroll(id="diff"):
            yield Static(id="diff-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._render_diff()
        self._show_questions()

    # --- lists ----------------------------------------------------------------------------------

    def _answers(self) -> dict[str, Any]:
        return {**self.original, **self.changed}

    def _listed(self) -> list[str]:
        return [qid for qid in self._path if not self.flow.by_id[qid].model.optional]

    def _options(self) -> list[Option]:
        answers = self._answers()
        options = []
        for qid in self._listed():
            q = self.flow.by_id[qid].model
            now = answer_text(q, answers.get(qid))
            text = Text(q.prompt)
            text.append(" — ")
            text.append(now, style="bold")
            if qid in self.changed:
                was = answer_text(q, self.original.get(qid)) if qid in self.original else "not asked"
                text.append(f"  {CHANGED_MARK} changed, was: {was}", style="italic")
            options.append(Option(text, id=qid))
        return options

    def _show_questions(self) -> None:
        questions = self.query_one(QuestionList)
        self.query_one("#whatif-answer").add_class("hidden")
        questions.remove_class("hidden")
        here = questions.highlighted_option.id if questions.highlighted_option is not None else None
        options = self._options()
        questions.set_marked_options(options)
        # The cursor stays on the question that was changed (or the one it was on), never the top.
        ids = [o.id for o in options]
        keep = self._picked if self._picked in ids else here
        questions.highlight_with_mark(ids.index(keep) if keep in ids else 0)
        questions.focus()
        self.query_one("#hint", Static).update(
            f"Pick the answer to change: ↑↓ and Enter. {CHANGED_MARK} marks a changed answer; r undoes every change.")

    def watch_editing(self, question_id: str | None) -> None:
        if question_id is None:
            self._show_questions()
            return
        q = self.flow.by_id[question_id].model
        current = self._answers().get(question_id)
        now = "not answered" if current is None else answer_text(q, current)
        self.query_one("#hint", Static).update(
            f"{q.prompt}\nNow: {now}" + (" (▸ in the list; Enter keeps it)" if current is not None else "")
            + ". Pick the new answer; Escape cancels.")
        self.query_one(QuestionList).add_class("hidden")
        area = self.query_one("#whatif-answer", AnswerArea)
        area.remove_class("hidden")
        area.ask(question_id, current)

    # --- picking --------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#questions")
    def _question_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._picked = event.option.id
        self.editing = event.option.id

    @on(AnswerArea.Submitted)
    def _answered(self, event: AnswerArea.Submitted) -> None:
        event.stop()
        if self.editing is None or event.question_id != self.editing:
            return
        self._apply(self.editing, event.value)

    @on(AnswerArea.SkipRequested)
    def _no_skip(self, event: AnswerArea.SkipRequested) -> None:
        event.stop()
        self.query_one("#whatif-answer", AnswerArea).set_error("a what-if needs an answer; Escape cancels")

    def _apply(self, question_id: str, value: Any) -> None:
        q = self.flow.by_id[question_id].model
        if question_id in self._answers() and self._answers()[question_id] == value:
            # The answer it already has: not a change.
            self.message = f"{value_name(self.flow, question_id)}: {answer_text(q, value)} is already the answer — nothing changes."
            self._render_diff()
            self.editing = None
            return
        self.message = None
        if question_id in self.original and self.original[question_id] == value:
            self.changed.pop(question_id, None)  # back to the case's own answer: that change is undone
        else:
            self.changed[question_id] = value
        self.outcome = what_if(self.flow, self.original, self.changed) if self.changed else None
        if self.outcome is not None and self.outcome.needs is not None:
            needed = self.outcome.needs
            self.notify(f"This change brings a new question onto the path: "
                        f"{self.flow.by_id[needed].model.prompt} — answer it to see the outcome.", markup=False)
            self.editing = None
            self.editing = needed
            return
        if self.outcome is not None and self.outcome.after is not None:
            self._path = self.outcome.after.path
        elif not self.changed:
            self._path = replay(self.flow, self.original).result.path
        self._render_diff()
        self.editing = None

    def _render_diff(self) -> None:
        text = Text()
        outcome = self.outcome
        if self.message:
            text.append(self.message + "\n", style="italic")
        if outcome is None or not self.changed:
            text.append("No change yet: the case is as it was entered.", style="italic")
        elif outcome.error:
            text.append(outcome.error, style="bold")
        elif outcome.after is not None:
            text.append("Changed: ", style="bold")
            text.append("; ".join(f"{value_name(self.flow, k)} → {answer_text(self.flow.by_id[k].model, v)}"
                                  for k, v in self.changed.items()) + "\n")
            if not outcome.changes:
                text.append("Nothing changes: the scores and the recommendation stay as they were.\n", style="bold")
            elif not outcome.recommendation_changes:
                rec = outcome.after.recommendation
                text.append("The recommendation does not change: still ", style="bold")
                text.append(f"{rec.headline_title} ({urgency_words(rec.urgency)}).\n")
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
        if self.editing is not None:
            return  # `r` is typed into an answer, never an undo of everything
        self.changed.clear()
        self.outcome = None
        self.message = None
        self._path = replay(self.flow, self.original).result.path
        self._render_diff()
        self._show_questions()
