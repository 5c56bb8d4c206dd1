"""The review screen: every answer by phase, each editable, before the recommendation is shown."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from interview.engine.session import Session
from interview.tui.labels import answer_text


class ReviewScreen(Screen[None]):
    """All answers by phase; Enter edits one, r shows the recommendation."""

    DEFAULT_CSS = """
    ReviewScreen #review-answers { height: 1fr; border: none; }
    ReviewScreen .title { text-style: bold; color: $primary; padding: 0 1; }
    ReviewScreen Button { margin: 0 1; }
    """

    BINDINGS = [
        Binding("r", "recommend", "Recommendation"),
        Binding("ctrl+z,b", "back", "Back"),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static("Review the case — Enter edits an answer, r shows the recommendation", classes="title")
            yield OptionList(*self._options(), id="review-answers")
            yield Button("Show the recommendation (r)", id="recommend", variant="primary")
        yield Footer()

    def _options(self) -> list[Option | None]:
        session = self.session
        flow = session.flow
        out: list[Option | None] = []
        for phase in flow.model.phases:
            ids = [q for q in session.answered_path if flow.by_id[q].model.phase == phase.id]
            if not ids:
                continue
            out.append(Option(Text(phase.title, style="bold"), disabled=True))
            for qid in ids:
                q = flow.by_id[qid].model
                shown = "skipped" if qid in session.skipped else answer_text(q, session.answers[qid])
                out.append(Option(Text.assemble(f"  {q.prompt}\n", ("    → " + shown, "bold")), id=qid))
        return out

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_answers()

    def refresh_answers(self) -> None:
        """Show the answers as they stand (after an edit)."""
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.set_options(self._options())
        if keep is not None and options.option_count:
            options.highlighted = min(keep, options.option_count - 1)

    @on(OptionList.OptionSelected, "#review-answers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.edit_answer(event.option.id)  # type: ignore[attr-defined]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "recommend":
            self.action_recommend()

    def action_recommend(self) -> None:
        self.app.open_recommendation()  # type: ignore[attr-defined]

    def action_back(self) -> None:
        """Undo the last answer and return to the interview."""
        self.app.back_from_review()  # type: ignore[attr-defined]
