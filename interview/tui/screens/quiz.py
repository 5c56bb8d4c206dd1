"""Quiz mode: a teaching case read phase by phase, committing to each score and the headline before it is revealed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.events import Key
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from interview.flow.load import LoadedFlow
from interview.present import source_words
from interview.teach.coaching import CoachingTopic, load_topics
from interview.teach.library import TeachingCase
from interview.teach.quiz import Checkpoint, PhaseStep, Quiz, QuizError, Verdict
from interview.tui.keys import WHAT_IF
from interview.tui.labels import waits_for_enter


def _coaching_text(topics: list[CoachingTopic] | tuple[CoachingTopic, ...]) -> Text:
    text = Text()
    for t in topics:
        text.append(f"\n{t.title}\n", style="bold")
        text.append(f"Sign: {source_words(t.sign)}\nExample: {source_words(t.example)}\n")
        if t.pitfall:
            text.append(f"Pitfall: {source_words(t.pitfall)}\n", style="italic")
        text.append(f"Clinical reference {t.section}; {t.source}\n", style="dim")
    return text


class _NumberEntry(Input):
    """The field for a typed whole number (the SINS total): `v` (the case) and `c` (coaching) still work in it."""

    _KEYS = ("v", "c")

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return False if character in self._KEYS else super().check_consume_key(key, character)

    @on(Key)
    def _key(self, event: Key) -> None:
        if event.character in self._KEYS:
            event.prevent_default()  # not typed (a whole number has no letters): bubbles on to the bindings


class QuizScreen(Screen[None]):
    """One teaching case as a quiz: read, commit, see the working, then the summary."""

    DEFAULT_CSS = """
    QuizScreen { layout: vertical; }
    QuizScreen #title { height: 1; background: $primary; color: $text; padding: 0 1; text-style: bold; }
    QuizScreen #body { height: 1fr; min-height: 3; padding: 0 1; }
    /* A list takes what the screen leaves (the headline list is 13 options, many two lines long at
       80 columns): it scrolls with the highlight, never cut off at a fixed height. */
    QuizScreen #choices { height: auto; max-height: 65%; margin: 0 1; }
    QuizScreen #number { margin: 0 1; }
    QuizScreen #coaching, QuizScreen #vignette { display: none; height: auto; max-height: 50%;
                           border-top: solid $accent; padding: 0 1; overflow-y: auto; }
    QuizScreen #coaching.shown, QuizScreen #vignette.shown { display: block; }
    QuizScreen .hidden { display: none; }
    """

    BINDINGS = [
        Binding("n", "next", "Next"),
        Binding("c", "coaching", "Coaching"),
        Binding("v", "vignette", "The case"),
        WHAT_IF,
        Binding("q", "app.quit", "Quit"),
    ]

    #: the step being shown: -1 is the narrative, len(steps) the summary
    position: reactive[int] = reactive(-1, init=False)

    # Messages that only carry a value are dataclasses, as Textual's own (Input.Changed, Input.Submitted).
    @dataclass
    class Answered(Message):
        """The learner committed a value at a checkpoint."""

        verdict: Verdict

    @dataclass
    class Finished(Message):
        """Every checkpoint is answered and the summary is shown."""

        quiz: Quiz

    def __init__(self, flow: LoadedFlow, case: TeachingCase) -> None:
        super().__init__()
        self.flow = flow
        self.quiz = Quiz(flow, case)
        self._typed_number = ""  # option digits typed so far in a list longer than 9

    def compose(self) -> ComposeResult:
        yield Static(f"Teaching case — {self.quiz.case.title}", id="title", markup=False)
        with VerticalScroll(id="body"):
            yield Static(id="content", markup=False)
        yield OptionList(id="choices", classes="hidden")
        yield _NumberEntry(id="number", placeholder="type a whole number and press Enter · v the case",
                           type="integer", classes="hidden")
        yield Static(id="coaching", markup=False)
        yield Static(id="vignette", markup=False)
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
            for n, (prompt, answer) in enumerate(step.lines):
                text.append(f"• {prompt}\n   ", style="")
                waits_for = step.hidden.get(n)
                if waits_for is not None and waits_for not in self.quiz.verdicts:
                    cp = next(c for c in self.quiz.checkpoints if c.id == waits_for)
                    text.append(f"hidden until you commit to the {cp.prompt}: score it from the case "
                                "(v shows it)\n", style="italic")
                else:
                    text.append(f"{answer}\n", style="bold")
            text.append("\nPress n to continue.", style="italic")
        else:
            verdict = self.quiz.verdicts.get(step.id)
            if verdict is None:
                text.append(f"Checkpoint: {step.prompt}\n", style="bold")
                text.append("Commit to your answer before it is revealed.", style="italic")
                earlier = self._waiting_for(step)
                if earlier is not None:
                    text.append(f"\nYou said {earlier.label_of(self.quiz.verdicts[earlier.id].given)} for the "
                                f"{earlier.prompt}: both are revealed once you commit to this one.", style="italic")
                if step.number_range is None:
                    self._typed_number = ""
                    choices.clear_options()
                    # Numbered as in the interview: a digit answers (two digits and Enter past 9).
                    choices.add_options([Option(f"{n}. {c.label}", id=c.value)
                                         for n, c in enumerate(step.choices, start=1)])
                    choices.highlighted = None
                    choices.remove_class("hidden")
                    choices.focus()
                else:
                    number.value = ""
                    number.remove_class("hidden")
                    number.focus()
            else:
                text = Text()
                earlier = self._waiting_for(step)
                if earlier is not None:
                    # One reveal for both (the SINS total and category): the marks, then the working once.
                    text.append_text(self._verdict_text(self.quiz.verdicts[earlier.id], last=False))
                text.append_text(self._verdict_text(verdict))
        content.update(text)
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)
        if step is None or isinstance(step, PhaseStep) or step.id in self.quiz.verdicts:
            self.query_one("#body").focus()

    def _waiting_for(self, step: Checkpoint) -> Checkpoint | None:
        """The committed checkpoint whose reveal waits for this one (the SINS total, at the category)."""
        return next((c for c in self.quiz.checkpoints if c.reveal_with == step.id and c.id in self.quiz.verdicts),
                    None)

    def _verdict_text(self, verdict: Verdict, *, last: bool = True) -> Text:
        """The mark, then (`last`) the working, the source and what comes next."""
        cp = verdict.checkpoint
        text = Text()
        if verdict.correct:
            text.append(f"✔ Right — {cp.prompt}: {cp.label_of(verdict.given)}\n", style="bold green")
            if cp.also_right:  # two findings decide: the learner named one, the working names both
                text.append(f"Also right: {' or '.join(cp.label_of(v) for v in (cp.expected, *cp.also_right) if v != verdict.given)}\n",
                            style="green")
        else:
            text.append(f"✘ Not quite — you said {cp.label_of(verdict.given)}; "
                        f"the answer is {cp.answer_words()}\n", style="bold red")
        if not last:
            return text
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
                text.append(f"✔ {cp.prompt}: {cp.label_of(v.given)}\n", style="green")
            else:
                given = cp.label_of(v.given) if v else "not answered"
                text.append(f"✘ {cp.prompt}: you said {given}; answer {cp.answer_words()}\n", style="red")
                if cp.working:
                    text.append(f"   why: {cp.working[-1]}\n")
        if self.quiz.case.learning_points:
            text.append("\nLearning points\n", style="bold")
            text.append("".join(f"• {source_words(p)}\n" for p in self.quiz.case.learning_points))
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
        if step.reveal_with is not None and step.reveal_with not in self.quiz.verdicts:
            # Nothing is revealed yet (the total would give the category away): on to the next checkpoint.
            self.position += 1
            return
        self._render_step()
        coaching = list(verdict.coaching)
        earlier = self._waiting_for(step)
        if earlier is not None:
            coaching = [*self.quiz.verdicts[earlier.id].coaching, *(t for t in coaching
                                                                    if t not in self.quiz.verdicts[earlier.id].coaching)]
        if coaching:
            self._show_coaching(coaching)

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
        text = Text("Coaching (clinical reference §4.1–4.2: items with poor inter-observer agreement)", style="bold")
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

    def on_key(self, event: Key) -> None:
        """Digits answer a list as in the interview: `2` picks option 2; past 9, `1` waits for `0`–`3` or Enter."""
        step = self.step
        choices = self.query_one("#choices", OptionList)
        if (not isinstance(step, Checkpoint) or step.number_range is not None or step.id in self.quiz.verdicts
                or choices.has_class("hidden")):
            return
        keys = [str(n) for n in range(1, len(step.choices) + 1)]
        typed = self._typed_number
        if event.key == "enter" and typed:
            event.stop()
            event.prevent_default()
            self._typed_number = ""
            self._commit(step.choices[int(typed) - 1].value)
            return
        if event.character is None or not event.character.isdigit():
            return
        event.stop()
        event.prevent_default()
        candidate = typed + event.character
        if not any(k.startswith(candidate) for k in keys):
            self._typed_number = ""
            self.notify(f"no option {candidate}: choose 1–{len(keys)}", severity="warning")
            return
        if candidate in keys and not waits_for_enter(candidate, keys):
            self._typed_number = ""
            self._commit(step.choices[int(candidate) - 1].value)
            return
        self._typed_number = candidate
        if candidate in keys:
            choices.highlighted = int(candidate) - 1
        self.notify(f"{candidate}…: Enter for option {candidate}, or the next digit", timeout=3)

    def action_vignette(self) -> None:
        """Show or hide the case as it was told (the narrative), at any step."""
        panel = self.query_one("#vignette", Static)
        if panel.has_class("shown"):
            panel.remove_class("shown")
            return
        text = Text("The case (v hides it)\n", style="bold")
        text.append(self.quiz.case.narrative)
        panel.update(text)
        panel.add_class("shown")

    def action_coaching(self) -> None:
        """Show or hide the coaching panel (all topics on demand)."""
        panel = self.query_one("#coaching", Static)
        if panel.has_class("shown"):
            panel.remove_class("shown")
            return
        # Coaching is written for questions of a flow: another flow's quiz shows only its own.
        topics = [t for t in load_topics() if t.question in self.flow.by_id]
        if topics:
            self._show_coaching(topics)
        else:
            self.notify("No coaching topics for this flow's questions.")

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
