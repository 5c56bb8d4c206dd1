"""Quiz mode: a teaching case read phase by phase, committing to each score and the headline before it is revealed."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from interview.flow.load import LoadedFlow
from interview.teach.coaching import CoachingTopic, load_topics
from interview.teach.library import TeachingCase
from interview.teach.quiz import Checkpoint, PhaseStep, Quiz, QuizError, Verdict


def _coaching_text(topics: list[CoachingTopic] | tuple[CoachingTopic, ...]) -> Text:
    text = Text()
    for t in topics:
        text.append(f"\n{t.title}\n", style="bold")
        text.append(f"Sign: {t.sign}\nExample: {t.example}\n")
        if t.pitfall:
            text.append(f"Pitfall: {t.pitfall}\n", style="italic")
        text.append(f"REFERENCE {t.section}; {t.source}\n", style="dim")
    return text


class QuizScreen(Screen[None]):
    """One teaching case as a quiz: read, commit, see the working, then the summary."""

    DEFAULT_CSS = """
    QuizScreen { layout: vertical; }
    QuizScreen #title { height: 1; background: $primary; color: $text; padding: 0 1; text-style: bold; }
    QuizScreen #body { height: 1fr; padding: 0 1; }
    QuizScreen #choices { height: auto; max-height: 11; margin: 0 1; }
    QuizScreen #number { margin: 0 1; }
    QuizScreen #coaching { display: none; height: auto; max-height: 12; border-top: solid $accent;
                           padding: 0 1; overflow-y: auto; }
    QuizScreen #coaching.shown { display: block; }
    QuizScreen .hidden { display: none; }
    """

    BINDINGS = [
        Binding("n", "next", "Next"),
        Binding("c", "coaching", "Coaching"),
        Binding("w", "what_if", "What if"),
        Binding("q", "app.quit", "Quit"),
    ]

    #: the step being shown: -1 is the narrative, len(steps) the summary
    position: reactive[int] = reactive(-1, init=False)

    class Answered(Message):
        """The learner committed a value at a checkpoint."""

        def __init__(self, verdict: Verdict) -> None:
            self.verdict = verdict
            super().__init__()

    class Finished(Message):
        """Every checkpoint is answered and the summary is shown."""

        def __init__(self, quiz: Quiz) -> None:
            self.quiz = quiz
            super().__init__()

    def __init__(self, flow: LoadedFlow, case: TeachingCase) -> None:
        super().__init__()
        self.flow = flow
        self.quiz = Quiz(flow, case)

    def compose(self) -> ComposeResult:
        yield Static(f"Teaching case — {self.quiz.case.title}", id="title", markup=False)
        with VerticalScroll(id="body"):
            yield Static(id="content", markup=False)
        yield OptionList(id="choices", classes="hidden")
        yield Input(id="number", placeholder="type a whole number and press Enter", type="integer",
                    classes="hidden")
        yield Static(id="coaching", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._render_step()

    # --- what is on screen ----------------------------------------------------------------------

    @property
    def step(self) -> PhaseStep | Checkpoint | None:
        steps = self.quiz.steps
        return steps[self.position] if 0 <= self.position < len(steps) else None

    def watch_position(self) -> None:
        self._render_step()

    def _render_step(self) -> None:
        content = self.query_one("#content", Static)
        choices = self.query_one("#choices", OptionList)
        number = self.query_one("#number", Input)
        self.query_one("#coaching").remove_class("shown")
        choices.add_class("hidden")
        number.add_class("hidden")
        step = self.step
        text = Text()
        if self.position < 0:
            text.append("The case\n", style="bold")
            text.append(self.quiz.case.narrative + "\n\n")
            text.append("Read the answers phase by phase; before each score and the recommendation you commit "
                        "to a value. Press n to begin.", style="italic")
        elif step is None:
            text = self._summary_text()
            if self.quiz.finished:
                self.post_message(self.Finished(self.quiz))
        elif isinstance(step, PhaseStep):
            text.append(f"{step.title}\n", style="bold")
            for prompt, answer in step.lines:
                text.append(f"• {prompt}\n   ", style="")
                text.append(f"{answer}\n", style="bold")
            text.append("\nPress n to continue.", style="italic")
        else:
            verdict = self.quiz.verdicts.get(step.id)
            if verdict is None:
                text.append(f"Checkpoint: {step.prompt}\n", style="bold")
                text.append("Commit to your answer before it is revealed.", style="italic")
                if step.number_range is None:
                    choices.clear_options()
                    choices.add_options([Option(c.label, id=c.value) for c in step.choices])
                    choices.highlighted = 0
                    choices.remove_class("hidden")
                    choices.focus()
                else:
                    number.value = ""
                    number.remove_class("hidden")
                    number.focus()
            else:
                text = self._verdict_text(verdict)
        content.update(text)
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)
        if step is None or isinstance(step, PhaseStep) or step.id in self.quiz.verdicts:
            self.query_one("#body").focus()

    def _verdict_text(self, verdict: Verdict) -> Text:
        cp = verdict.checkpoint
        text = Text()
        if verdict.correct:
            text.append(f"✔ Right — {cp.prompt}: {cp.label_of(cp.expected)}\n", style="bold green")
        else:
            text.append(f"✘ Not quite — you said {cp.label_of(verdict.given)}; "
                        f"the answer is {cp.label_of(cp.expected)}\n", style="bold red")
        text.append("\nWorking\n", style="bold")
        text.append("".join(f"  {line}\n" for line in cp.working))
        text.append("\nSource\n", style="bold")
        text.append("".join(f"  {line}\n" for line in cp.source), style="dim")
        if verdict.coaching:
            text.append("\nCoaching is shown below (c hides it).", style="italic")
        text.append("\nPress n to continue.", style="italic")
        return text

    def _summary_text(self) -> Text:
        right, total = self.quiz.score
        text = Text()
        text.append(f"Summary — {right} of {total} right\n\n", style="bold")
        for cp in self.quiz.checkpoints:
            v = self.quiz.verdicts.get(cp.id)
            if v is not None and v.correct:
                text.append(f"✔ {cp.prompt}: {cp.label_of(cp.expected)}\n", style="green")
            else:
                given = cp.label_of(v.given) if v else "not answered"
                text.append(f"✘ {cp.prompt}: you said {given}; answer {cp.label_of(cp.expected)}\n", style="red")
                if cp.working:
                    text.append(f"   why: {cp.working[-1]}\n")
        if self.quiz.case.learning_points:
            text.append("\nLearning points\n", style="bold")
            text.append("".join(f"• {p}\n" for p in self.quiz.case.learning_points))
        text.append(f"\n{self.quiz.result.notice}\n", style="dim")
        text.append("Press w to try a what-if, q to quit.", style="italic")
        return text

    # --- committing -----------------------------------------------------------------------------

    def _commit(self, value: str) -> None:
        step = self.step
        if not isinstance(step, Checkpoint) or step.id in self.quiz.verdicts:
            return
        try:
            verdict = self.quiz.submit(step.id, value)
        except QuizError as err:
            self.notify(str(err), severity="error")
            return
        self.post_message(self.Answered(verdict))
        self._render_step()
        if verdict.coaching:
            self._show_coaching(verdict.coaching)

    @on(OptionList.OptionSelected, "#choices")
    def _choice_made(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._commit(str(event.option.id))

    @on(Input.Submitted, "#number")
    def _number_typed(self, event: Input.Submitted) -> None:
        event.stop()
        self._commit(event.value)

    def _show_coaching(self, topics: list[CoachingTopic] | tuple[CoachingTopic, ...]) -> None:
        panel = self.query_one("#coaching", Static)
        text = Text("Coaching (REFERENCE §4.1–4.2: items with poor inter-observer agreement)", style="bold")
        text.append_text(_coaching_text(topics))
        panel.update(text)
        panel.add_class("shown")

    # --- actions --------------------------------------------------------------------------------

    def action_next(self) -> None:
        """Move on; a checkpoint must be answered first."""
        step = self.step
        if isinstance(step, Checkpoint) and step.id not in self.quiz.verdicts:
            self.notify("Commit to an answer first.", severity="warning")
            return
        if self.position < len(self.quiz.steps):
            self.position += 1

    def action_coaching(self) -> None:
        """Show or hide the coaching panel (all topics on demand)."""
        panel = self.query_one("#coaching", Static)
        if panel.has_class("shown"):
            panel.remove_class("shown")
        else:
            self._show_coaching(load_topics())

    def action_what_if(self) -> None:
        """Change one answer of the case and see what changes (the case itself stays as it is)."""
        from interview.tui.screens.whatif import WhatIfScreen

        self.app.push_screen(WhatIfScreen(self.flow, dict(self.quiz.case.answers)))


class QuizApp(App[None]):
    """A standalone app around one quiz; saves the session to the learning log when it ends."""

    TITLE = "spine-interview — teaching"

    def __init__(self, flow: LoadedFlow, case: TeachingCase, log_path: Path | None = None) -> None:
        super().__init__()
        self.flow = flow
        self.case = case
        self.log_path = log_path
        self.saved_to: Path | None = None

    def on_mount(self) -> None:
        self.push_screen(QuizScreen(self.flow, self.case))

    def on_quiz_screen_finished(self, message: QuizScreen.Finished) -> None:
        """Save the finished session once (owner-only file)."""
        if self.saved_to is not None:
            return
        from interview.teach.log import LogError, append_entry

        try:
            self.saved_to = append_entry(message.quiz.record(), self.log_path)
        except LogError as err:
            self.notify(str(err), severity="error", timeout=10)
            return
        self.notify(f"Saved to the learning log: {self.saved_to}")
