"""The review screen: every answer by phase, each editable, before the recommendation is shown."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, OptionList
from textual.widgets.option_list import Option

from interview.engine.session import Session
from interview.engine.values import open_answers
from interview.tui.labels import answer_text
from interview.tui.widgets.keybar import KeyBar
from interview.tui.widgets.marked import MarkedOptionList
from interview.tui.widgets.steady import Caption, TitleBar


class ReviewList(MarkedOptionList):
    """Every answer under its phase; the phase titles are disabled options, so the cursor stops on answers only."""

    DEFAULT_CSS = """
    ReviewList {
        height: 1fr; padding: 0 1; border: none; &:focus { border: none; }
        /* A phase title is a heading, not a greyed-out option. */
        & > .option-list--option-disabled { color: $foreground; text-style: bold; }
    }
    """

    def show_answers(self, options: list[Option]) -> None:
        """Show these answers; the cursor stays on the question it was on (else the first answer)."""
        here = self.highlighted_option.id if self.highlighted_option is not None else None
        self.set_marked_options(options)
        ids = [o.id for o in options]
        at = ids.index(here) if here in ids else next((i for i, o in enumerate(options) if not o.disabled), None)
        self.highlight_with_mark(at)


class ReviewScreen(Screen[None]):
    """All answers by phase; Enter edits one, r shows the recommendation."""

    DEFAULT_CSS = """
    ReviewScreen .title { text-style: bold; color: $primary; padding: 0 1; }
    ReviewScreen #recommend { margin: 0 1; }
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
        yield TitleBar(f"{self.app.title} — {self.session.flow.model.title}")
        with Vertical():
            yield Caption("Review the case — Enter edits an answer, r shows the recommendation", classes="title")
            yield ReviewList(id="review-answers")
            yield Button("Show the recommendation (r)", id="recommend", variant="primary", compact=True)
        yield KeyBar()

    def _options(self) -> list[Option]:
        """A disabled option per heading and one per answer (ids `open:`/`answer:` and the question)."""
        session = self.session
        flow = session.flow
        out: list[Option] = []
        # Answers not known yet come first: they are what to find out before the plan is final.
        pending = open_answers(session.answers, session.answered_path)
        if pending:
            out.append(Option(Text(f"Not known yet ({len(pending)}) — Enter answers one when known", style="bold reverse"),
                              id="phase:not-known", disabled=True))
            for qid in pending:
                text = Text.assemble(f"{flow.by_id[qid].model.prompt}\n", ("  → not known yet", "bold"))
                out.append(Option(text, id=f"open:{qid}"))
        for phase in flow.model.phases:
            ids = [q for q in session.answered_path if flow.by_id[q].model.phase == phase.id]
            if not ids:
                continue
            out.append(Option(Text(phase.title, style="bold"), id=f"phase:{phase.id}", disabled=True))
            for qid in ids:
                q = flow.by_id[qid].model
                shown = "skipped" if qid in session.skipped else answer_text(q, session.answers[qid])
                text = Text.assemble(f"{q.prompt}\n", ("  → " + shown, "bold"))
                out.append(Option(text, id=f"answer:{qid}"))
        return out

    def on_mount(self) -> None:
        review = self.query_one(ReviewList)
        review.show_answers(self._options())
        review.focus()

    def on_screen_resume(self) -> None:
        self.refresh_answers()

    def refresh_answers(self) -> None:
        """Show the answers as they stand (after an edit); the cursor stays on its question."""
        self.query_one(ReviewList).show_answers(self._options())

    @on(OptionList.OptionSelected, "#review-answers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.app.edit_answer((event.option.id or "").partition(":")[2])  # type: ignore[attr-defined]

    @on(Button.Pressed, "#recommend")
    def _recommend_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_recommend()

    def action_recommend(self) -> None:
        self.app.open_recommendation()  # type: ignore[attr-defined]

    def action_back(self) -> None:
        """Undo the last answer and return to the interview."""
        self.app.back_from_review()  # type: ignore[attr-defined]
